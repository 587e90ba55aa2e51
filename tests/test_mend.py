"""sqllab's own repairs of the model's candidate queries (sqllab/content/mend.py), on real lesson
databases: each kind of fault the writer's logs show most is repaired so that ``check_reference``
passes, what cannot be repaired is left to the model, and a repaired query costs no repair round."""

from __future__ import annotations

import json
import sqlite3

import pytest

from sqllab.content.generation import check_reference, generate_exercises
from sqllab.content.mend import mend_reference
from sqllab.content.offline import generate_offline_dataset
from sqllab.db import load_dataset
from sqllab.llm import LLMClient, RetryConfig
from sqllab.sandbox import run_query

from llm_servers import LLMTestServer, exercise_writer, ok


@pytest.fixture(scope="module")
def dbs(tmp_path_factory):
    out = {}
    for theme in ("shop", "library"):
        dataset = generate_offline_dataset(theme, lang="en", seed=7)
        out[theme] = load_dataset(dataset, tmp_path_factory.mktemp(theme) / "lesson.db")
    return out


def mended(db, sql, topic):
    found = check_reference(db, sql, topic)
    assert found, f"the case must start broken: {sql}"
    result = mend_reference(db, sql, topic, check_reference, found)
    assert result is not None, f"not mended: {sql} ({found})"
    assert check_reference(db, result[0], topic) == []
    return result[0]


@pytest.mark.parametrize("theme, sql, topic, wanted", [
    # names copied from the examples' schema: members(id, name, city, points, joined_on), orders(id, member_id, amount, ordered_on)
    ("shop", "SELECT m.name, COUNT(o.id) AS n FROM members m LEFT JOIN orders o ON o.member_id = m.id "
             "GROUP BY m.id, m.name", "joins", ["customers", "customer_id"]),
    ("shop", "SELECT o.id, o.amount FROM orders o WHERE o.amount >= 2", "where", ["quantity"]),
    ("library", "SELECT name, points FROM members ORDER BY points DESC, id LIMIT 3", "order", ["visits"]),
    ("library", "SELECT o.id, o.ordered_on FROM orders o WHERE o.amount >= 2 ORDER BY o.ordered_on, o.id",
     "order", ["loans", "loaned_on", "copies"]),
])
def test_names_of_the_examples_schema_become_the_lessons_own(dbs, theme, sql, topic, wanted) -> None:
    fixed = mended(dbs[theme], sql, topic)
    for name in wanted:
        assert name in fixed
    for copied in ("amount", "member_id" if theme == "shop" else "ordered_on", "points" if theme == "library" else "members"):
        assert copied not in fixed


def test_a_constant_that_matches_no_row_becomes_a_value_of_the_data(dbs) -> None:
    db = dbs["shop"]
    fixed = mended(db, "SELECT name, points FROM customers WHERE city = 'Springfield'", "where")
    city = fixed.split("'")[1]
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM customers WHERE city = ?", (city,)).fetchone()[0] > 0
    fixed = mended(db, "SELECT name, points FROM customers WHERE points > 100000", "where")
    assert run_query(db, fixed).rows


def test_ties_get_the_primary_key_or_the_group_keys_as_last_sort_key(dbs) -> None:
    db = dbs["shop"]
    with sqlite3.connect(db) as con:   # this data has a tie on points across the cut of LIMIT 2
        con.execute("UPDATE customers SET points = 900 WHERE id IN (1, 2, 3)")
        con.execute("UPDATE customers SET points = 100 WHERE id > 3")
    try:
        fixed = mended(db, "SELECT name, points FROM customers ORDER BY points DESC LIMIT 2", "order")
        assert fixed.endswith("ORDER BY points DESC, id LIMIT 2")
    finally:
        generate = generate_offline_dataset("shop", lang="en", seed=7)
        load_dataset(generate, db)


def test_a_loose_boundary_moves_to_a_value_a_student_can_see(dbs) -> None:
    """(check_reference sends a boundary back when no hidden database tells ``>=`` from ``>`` at
    it; which data does that depends on the grader's variants, so the repair is tested as such.)"""
    from sqllab.content import mend

    db = dbs["shop"]
    with sqlite3.connect(db) as con:
        values = sorted({v for (v,) in con.execute("SELECT points FROM customers")})
        schema = mend._schema(con)
        a, b = next((a, b) for a, b in zip(values, values[1:]) if b - a >= 2)
        for op, want in ((">=", b), (">", a), ("<=", a), ("<", b)):
            sql = f"SELECT name FROM customers WHERE points {op} {a + 1}"
            fixed = mend._pinned(mend._parse(sql), con, schema).sql(dialect="sqlite")
            assert fixed.endswith(f"{op} {want}")
            assert sorted(run_query(db, fixed).rows) == sorted(run_query(db, sql).rows)    # the same rows
        assert mend._pinned(mend._parse(f"SELECT name FROM customers WHERE points >= {b}"), con, schema) is None


def test_what_sqllab_cannot_repair_is_left_to_the_model(dbs) -> None:
    db = dbs["shop"]
    for sql, topic in [("SELECT name FROM customers WHERE name LIKE 'Zz%'", "where"),     # a pattern
                       ("SELECT * FROM customers", "select"),                             # a whole table
                       ("SELECT points FROM nope", "where")]:                             # no such table
        found = check_reference(db, sql, topic)
        assert found and mend_reference(db, sql, topic, check_reference, found) is None


def test_a_repaired_query_is_kept_without_a_repair_round(tmp_path, monkeypatch) -> None:
    """The model's query names the examples' tables; sqllab repairs it, so the writer asks for a
    question at once: no repair request. Without the repair the first request would be followed
    by a repair round (and, the model giving the same query back, by another)."""
    monkeypatch.setenv("SQLLAB_MODEL_PROFILE", "default")
    dataset = generate_offline_dataset("shop", lang="en", seed=7)
    db = load_dataset(dataset, tmp_path / "shop.db")
    raw = "SELECT name, points FROM members WHERE points >= 500 ORDER BY points DESC, id"
    fixed = mend_reference(db, raw, "order", check_reference)[0]
    question = "Show the name and points of customers with at least 500 points, most points first, then by id."
    later = exercise_writer([(question, fixed)])

    def respond(body):
        properties = (body.get("response_format") or {}).get("json_schema", {}).get("schema", {}).get("properties", {})
        if "queries" in properties:
            return ok(json.dumps({"queries": [{"sql": raw}]}))
        return later(body)

    with LLMTestServer(responder=respond) as server:
        client = LLMClient(server.url, "gpt-3.5-turbo", timeout=10, max_retries=1, retry=RetryConfig(base_delay=0.01))
        exercises = generate_exercises(dataset, "order", n=1, lang="en", seed=3, client=client)
        kinds = [next(iter((r.body.get("response_format") or {}).get("json_schema", {}).get("schema", {})
                           .get("properties", {})), None) for r in server.chat_requests]
    assert [e.reference_sql for e in exercises if e.source == "llm"] == [fixed]
    assert kinds == ["queries", "question", "sql"]
