"""Hints come from sqllab's reading of the reference: they never hand over the answer and never
name a clause or a function the reference lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqllab.content.exercises import all_bank_exercises
from sqllab.content.hints import BLANK, clauses, hint_sql, hints_for, leaks, skeleton
from sqllab.content.offline import THEMES, generate_offline_dataset
from sqllab.db import load_dataset
from sqllab.grading import grade

#: queries of the kinds the embedded model writes for lessons 02-07 (shop theme)
LLM_QUERIES = [
    ("where", "SELECT name, city FROM customers WHERE city IS NULL"),
    ("where", "SELECT DISTINCT city FROM customers WHERE city IS NOT NULL ORDER BY city"),
    ("order", "SELECT name, points FROM customers ORDER BY points DESC, id LIMIT 3"),
    ("order", "SELECT name, city FROM customers ORDER BY name"),
    ("aggregate", "SELECT city, AVG(points) AS avg_points FROM customers GROUP BY city ORDER BY avg_points DESC"),
    ("aggregate", "SELECT city, COUNT(*) AS n FROM customers GROUP BY city HAVING COUNT(*) >= 2"),
    ("joins", "SELECT c.name, o.id FROM customers c JOIN orders o ON o.customer_id = c.id"),
    ("joins", "SELECT c.name FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL"),
    ("subqueries", "SELECT name, points FROM customers WHERE points > (SELECT AVG(points) FROM customers)"),
    ("subqueries", "WITH big AS (SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(*) > 1) "
                   "SELECT name FROM customers WHERE id IN (SELECT customer_id FROM big)"),
    ("window", "SELECT name, points, RANK() OVER (ORDER BY points DESC) AS r FROM customers"),
    ("window", "SELECT name, city, ROW_NUMBER() OVER (PARTITION BY city ORDER BY points DESC, id) AS n "
               "FROM customers"),
    ("select", "SELECT name, city FROM customers"),
    ("select", "SELECT name, points * 2 AS doubled FROM customers"),
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    dataset = generate_offline_dataset("shop", lang="en", seed=5)
    return load_dataset(dataset, tmp_path_factory.mktemp("shop") / "shop.db")


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("topic,sql", LLM_QUERIES)
def test_no_hint_gives_the_answer_away(shop: Path, topic: str, sql: str, lang: str) -> None:
    assert grade(shop, sql, sql).correct                       # the query itself is a good reference
    hints = hints_for(sql, lang)
    assert len(hints) == 3
    last = hint_sql(hints[-1])
    assert last is not None and BLANK in last                  # the last level shows SQL with a blank
    for hint in hints:
        assert not leaks(shop, sql, hint), hint
    assert hint_sql(hints[0]) is None and hint_sql(hints[1]) is None   # the first two show no SQL


@pytest.mark.parametrize("topic,sql", LLM_QUERIES)
def test_a_hint_names_only_clauses_the_reference_has(topic: str, sql: str) -> None:
    text = hints_for(sql, "en")[1]
    upper = sql.upper()
    for keyword in ("GROUP BY", "HAVING", "ORDER BY", "LIMIT", "LEFT JOIN", "WHERE", "WITH", "DISTINCT"):
        if keyword in text:
            assert keyword in upper, (keyword, sql)
    if "window function" in text:
        assert " OVER " in upper
    if "aggregate function" in text:
        assert any(f"{f}(" in upper for f in ("COUNT", "SUM", "AVG", "MIN", "MAX"))


def test_clauses_come_in_sqlites_order_of_evaluation() -> None:
    import sqlglot

    sql = "SELECT city, COUNT(*) FROM customers WHERE points > 1 GROUP BY city HAVING COUNT(*) > 1 ORDER BY 2 LIMIT 2"
    assert clauses(sqlglot.parse_one(sql, read="sqlite")) == ["from", "where", "group", "having", "aggregate",
                                                               "order", "limit"]


def test_a_query_without_constants_still_gets_a_blank() -> None:
    assert skeleton("SELECT name, city FROM customers") == f"SELECT {BLANK}, {BLANK} FROM customers"
    assert BLANK in skeleton("SELECT DISTINCT city FROM customers WHERE city IS NOT NULL")
    assert BLANK in skeleton("SELECT name FROM customers ORDER BY name")


def test_the_leak_guard_catches_a_hint_that_is_the_answer(shop: Path) -> None:
    sql = "SELECT name FROM customers WHERE points >= 100"
    assert leaks(shop, sql, f"Almost there — fill in the blanks: {sql}")                   # no blank
    assert leaks(shop, sql, "Almost there: SELECT name FROM customers WHERE NOT points < 100")  # grades equal
    assert leaks(shop, sql, f"The answer is {sql} as you see")                             # the query in prose
    assert not leaks(shop, sql, f"Almost there — fill in the blanks: SELECT name FROM customers WHERE points >= {BLANK}")


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("theme", sorted(THEMES))
def test_no_bank_hint_gives_the_answer_away(tmp_path: Path, theme: str, lang: str) -> None:
    dataset = generate_offline_dataset(theme, lang=lang, seed=3)
    db = load_dataset(dataset, tmp_path / "lesson.db")
    exercises = all_bank_exercises(dataset, lang=lang, seed=3)
    assert exercises
    for exercise in exercises:
        for hint in exercise.hints:
            assert not leaks(db, exercise.reference_sql, hint), (exercise.id, hint)


def test_the_key_parts_are_what_is_blanked() -> None:
    assert skeleton("SELECT name FROM customers WHERE points >= 100") == \
        f"SELECT name FROM customers WHERE points >= {BLANK}"                     # the constant
    assert f"{BLANK}(points)" in skeleton("SELECT city, AVG(points) FROM customers GROUP BY city")   # the aggregate
    joined = skeleton("SELECT c.name, o.id FROM customers AS c JOIN orders AS o ON o.customer_id = c.id")
    assert joined.endswith(f"ON {BLANK}") and "c.name, o.id" in joined       # the join condition, not the columns
    assert f"PARTITION BY {BLANK} ORDER BY {BLANK}" in skeleton(
        "SELECT name, RANK() OVER (PARTITION BY city ORDER BY points DESC) AS r FROM customers")
