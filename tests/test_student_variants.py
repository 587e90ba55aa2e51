"""The student's own query shapes the hidden databases: the grader's second pass, on real SQLite files.

An answer that agrees with the reference on the visible database and on every hidden database
built from the reference alone meets databases built from *both* queries before it is accepted
(``sqllab.grading.student_variants``): its own constants, column pairs with NULLs, LIKE's case
and wildcards, leap days and month ends, far bounds, kana voicing. Each coincidental answer below
is right on the visible data and on the first pass's databases; the second pass rejects it with a
small database a student can rebuild. Equivalent rewrites are checked there too and accepted.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sqllab.grading import Grader, grade
from sqllab.grading import grader as grading
from sqllab.grading.boundaries import calendar_edges, far_values, kana_family, text_format, voicing_neighbours
from sqllab.grading.compare import compare, make_expected, order_spec
from sqllab.grading.student_variants import ANSWER_KINDS, analyse_pair, answer_shape, answer_variants
from sqllab.grading.variants import column_format, read_schema
from sqllab.i18n import t
from sqllab.sandbox import run_query

SCHEMA = """
CREATE TABLE people (
    person_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kana TEXT NOT NULL,
    city TEXT
);
CREATE TABLE visits (
    visit_id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(person_id),
    ordered_on TEXT NOT NULL,
    shipped_on TEXT NOT NULL,
    due_on TEXT,
    fee INTEGER NOT NULL CHECK (fee >= 0)
);
CREATE TABLE readings (
    id INTEGER PRIMARY KEY,
    taken_on TEXT NOT NULL,
    value REAL NOT NULL
);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    ship_city TEXT NOT NULL,
    bill_city TEXT NOT NULL,
    price INTEGER NOT NULL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE
);
INSERT INTO people VALUES
    (1, 'Aoki', 'あおき', 'Tokyo'), (2, 'Baba', 'ばば', 'Osaka'), (3, 'Hara', 'はら', 'Tokyo'),
    (4, 'Hino', 'ひの', 'Kyoto'), (5, 'Kato', 'かとう', NULL), (6, 'Mori', 'もり', 'Osaka'),
    (7, 'Honda', 'ほんだ', 'Nagoya'), (8, 'Bessho', 'べっしょ', 'Tokyo');
INSERT INTO visits VALUES
    (1, 1, '2023-01-05', '2023-01-07', '2023-01-10', 500),
    (2, 2, '2023-01-31', '2023-02-03', '2023-02-01', 700),
    (3, 3, '2023-04-10', '2023-04-12', '2023-04-20', 650),
    (4, 1, '2023-06-01', '2023-06-04', '2023-06-05', 800),
    (5, 4, '2023-09-30', '2023-10-02', '2023-10-01', 900),
    (6, 5, '2023-11-11', '2023-11-15', NULL, 1200),
    (7, 6, '2023-12-24', '2023-12-30', '2023-12-31', 300),
    (8, 7, '2023-03-03', '2023-03-08', '2023-03-09', 420),
    (9, 8, '2023-05-05', '2023-05-06', '2023-05-10', 380),
    (10, 2, '2023-08-08', '2023-08-11', '2023-08-09', 610);
INSERT INTO readings VALUES
    (1, '2023-01-31', 1.5), (2, '2023-04-30', 2.0), (3, '2023-06-15', 3.5), (4, '2023-09-30', 1.0),
    (5, '2023-11-05', 4.0), (6, '2023-12-31', 2.5), (7, '2023-05-31', 0.5), (8, '2023-07-14', 1.25);
INSERT INTO items VALUES
    (1, 'AB-100', 'Tokyo', 'Tokyo', 300), (2, 'XY-200', 'Osaka', 'Tokyo', 450),
    (3, 'CD-300', 'Kyoto', 'Kyoto', 120), (4, 'CD-301', 'Nagoya', 'Osaka', 980),
    (5, 'GH-500', 'Sapporo', 'Sapporo', 610), (6, 'EF-501', 'Fukuoka', 'Sendai', 75);
INSERT INTO users VALUES
    (1, 'alice', 'alice@example.com'), (2, 'bob', 'bob@example.org'), (3, 'carol', 'c.arol@example.com'),
    (4, 'dave', 'dave@example.net'), (5, 'erin', 'erin.k@example.com'), (6, 'frank', 'frank@example.com');
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("second_pass") / "lesson.db"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.commit()
    conn.close()
    return path


@pytest.fixture(autouse=True)
def fresh_cache():
    grading.clear_cache()
    yield
    grading.clear_cache()


def _result(conn, sql: str):
    spec = order_spec(sql)
    result = run_query(conn, spec.key_sql if spec else sql, max_rows=20_000)
    return result, spec


def rejected_by_the_second_pass(db: Path, reference: str, answer: str) -> grading.Verdict:
    """The answer is right on the visible data and on the reference's own hidden databases, and
    rejected on one built from both queries: a complete small database on which both differ."""
    grader = Grader(db, reference)
    try:
        assert Grader(db, reference, max_variants=0).grade(answer).correct, "wrong on the visible data already"
        assert grader.grade(answer, answer_variants=False).correct, "caught without the second pass"
        verdict = grader.grade(answer)
    finally:
        grader.close()
    assert not verdict.correct and verdict.status == "wrong_result", verdict.message
    diff = verdict.diff
    assert diff.variant in ANSWER_KINDS
    example = diff.counterexample
    assert example is not None and example.rebuildable and example.complete
    rebuilt = example.to_sqlite()
    try:
        assert rebuilt.execute("PRAGMA foreign_key_check").fetchall() == []
        expected, spec = _result(rebuilt, reference)
        got = run_query(rebuilt, answer, max_rows=20_000)
        full = run_query(rebuilt, spec.full_sql, max_rows=20_000).rows if spec and spec.full_sql else None
        assert compare(make_expected(expected.columns, expected.rows, spec, full), got.columns, got.rows) is not None
    finally:
        rebuilt.close()
    for lang in ("en", "ja"):
        message = verdict.message_in(lang)
        assert t(f"sql.variant.{diff.variant}", lang) in message
        assert reference not in message
    return verdict


# --- the misses of issue 23 ----------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    "SELECT name FROM people WHERE person_id > 0",
    "SELECT name FROM people WHERE person_id BETWEEN 1 AND 1000",
    "SELECT name FROM people WHERE name NOT LIKE 'test%'",
    "SELECT name FROM people WHERE rowid > 0",
])
def test_a_condition_the_reference_lacks_is_tried_on_its_own_constant(db, answer):
    verdict = rejected_by_the_second_pass(db, "SELECT name FROM people", answer)
    assert verdict.diff.variant == "answer_constants"


def test_a_constant_on_a_foreign_key_gets_a_parent_row_with_that_key(db):
    verdict = rejected_by_the_second_pass(db, "SELECT visit_id FROM visits",
                                          "SELECT visit_id FROM visits WHERE person_id > 0")
    people = next(s for s in verdict.diff.counterexample.inputs if s.name == "people")
    assert any(row[0] <= 0 for row in people.rows)          # a person with id 0 (or -1), and a visit of theirs


def test_between_against_a_column_comparison_needs_a_null_and_an_equal_pair_in_one_row(db):
    verdict = rejected_by_the_second_pass(
        db, "SELECT visit_id FROM visits WHERE shipped_on BETWEEN ordered_on AND due_on",
        "SELECT visit_id FROM visits WHERE shipped_on >= ordered_on AND (shipped_on <= due_on OR shipped_on = ordered_on)")
    assert verdict.diff.variant == "column_pairs"
    visits = next(s for s in verdict.diff.counterexample.inputs if s.name == "visits")
    assert any(row[3] == row[2] and row[4] is None for row in visits.rows)   # shipped = ordered, due NULL


def test_a_month_end_in_a_leap_year(db):
    verdict = rejected_by_the_second_pass(
        db, "SELECT id FROM readings WHERE taken_on = date(taken_on, 'start of month', '+1 month', '-1 day')",
        "SELECT id FROM readings WHERE strftime('%m-%d', taken_on) IN ('01-31', '02-28', '03-31', '04-30', "
        "'05-31', '06-30', '07-31', '08-31', '09-30', '10-31', '11-30', '12-31')")
    assert verdict.diff.variant == "calendar_edges"
    rows = verdict.diff.counterexample.inputs[0].rows
    assert any(row[1][5:] in ("02-28", "02-29") for row in rows)


@pytest.mark.parametrize("answer", [
    "SELECT id FROM users WHERE lower(substr(email, 1, length(name) + 1)) = lower(name) || '@'",
    "SELECT id FROM users WHERE instr(lower(email), lower(name) || '@') = 1",
])
def test_a_like_whose_pattern_comes_from_another_column(db, answer):
    verdict = rejected_by_the_second_pass(db, "SELECT id FROM users WHERE email LIKE name || '@%'", answer)
    assert verdict.diff.variant == "like_patterns"
    users = verdict.diff.counterexample.inputs[0].rows
    assert any("_" in row[1] or "%" in row[1] for row in users)    # a name LIKE reads as a wildcard


def test_like_ignores_ascii_case_when_its_pattern_is_a_column(db):
    verdict = rejected_by_the_second_pass(db, "SELECT id FROM items WHERE ship_city = bill_city",
                                          "SELECT id FROM items WHERE ship_city LIKE bill_city")
    assert verdict.diff.variant == "like_patterns"
    items = verdict.diff.counterexample.inputs[0].rows
    assert any(row[2] != row[3] and row[2].lower() == row[3].lower() for row in items)


@pytest.mark.parametrize("reference, answer", [
    ("SELECT id FROM items WHERE price >= 300", "SELECT id FROM items WHERE price BETWEEN 300 AND 100000"),
    ("SELECT visit_id FROM visits WHERE ordered_on >= '2023-06-01'",
     "SELECT visit_id FROM visits WHERE ordered_on BETWEEN '2023-06-01' AND '2999-12-31'"),
])
def test_an_open_ended_range_against_a_bounded_one(db, reference, answer):
    rejected_by_the_second_pass(db, reference, answer)


def test_a_text_range_across_voiced_and_unvoiced_kana(db):
    verdict = rejected_by_the_second_pass(
        db, "SELECT name FROM people WHERE kana >= 'は' AND kana < 'ま'",
        "SELECT name FROM people WHERE substr(kana, 1, 1) IN ('は', 'ひ', 'ふ', 'へ', 'ほ', 'ば', 'び', 'ぶ', 'べ', 'ぼ', 'ぽ')")
    people = verdict.diff.counterexample.inputs[0].rows
    assert any(row[2][:1] in "ぱぴぷぺ" for row in people)          # the semi-voiced row the answer leaves out


def test_the_kana_voicing_databases_hold_every_voicing_of_a_constant(db):
    conn = sqlite3.connect(db)
    try:
        made = answer_variants(conn, read_schema(conn), "SELECT name FROM people WHERE kana >= 'は'",
                               "SELECT name FROM people WHERE kana >= 'は' AND kana < 'ま'")
        voiced = [v for v in made if v.kind == "kana_voicing"]
        assert voiced
        kana = {r[0] for r in voiced[0].conn.execute("SELECT kana FROM people")}
        assert {"ば", "ぱ"} <= {k[:1] for k in kana}
    finally:
        for v in made:
            v.conn.close()
        conn.close()


# --- correct answers stay correct ------------------------------------------------------------

@pytest.mark.parametrize("reference, answer", [
    ("SELECT id FROM items WHERE price BETWEEN 100 AND 500", "SELECT id FROM items WHERE price >= 100 AND price <= 500"),
    ("SELECT name FROM people WHERE city IN ('Tokyo', 'Osaka')",
     "SELECT name FROM people WHERE city = 'Tokyo' OR city = 'Osaka'"),
    ("SELECT p.name, v.fee FROM people p JOIN visits v ON v.person_id = p.person_id",
     "SELECT p.name, v.fee FROM visits v JOIN people p ON p.person_id = v.person_id"),
    ("SELECT visit_id, COALESCE(due_on, 'none') FROM visits", "SELECT visit_id, IFNULL(due_on, 'none') FROM visits"),
    ("SELECT visit_id, COALESCE(due_on, 'none') FROM visits",
     "SELECT visit_id, CASE WHEN due_on IS NULL THEN 'none' ELSE due_on END FROM visits"),
    ("SELECT name FROM people WHERE kana LIKE 'か%' OR kana LIKE 'が%'",
     "SELECT name FROM people WHERE kana >= 'か' AND kana < 'き'"),
    ("SELECT id FROM readings WHERE taken_on = date(taken_on, 'start of month', '+1 month', '-1 day')",
     "SELECT id FROM readings WHERE strftime('%d', date(taken_on, '+1 day')) = '01'"),
    ("SELECT visit_id FROM visits WHERE shipped_on BETWEEN ordered_on AND due_on",
     "SELECT visit_id FROM visits WHERE shipped_on >= ordered_on AND shipped_on <= due_on"),
    ("SELECT id FROM items WHERE upper(ship_city) = upper(bill_city)",
     "SELECT id FROM items WHERE ship_city LIKE bill_city AND instr(bill_city, '_') = 0 AND instr(bill_city, '%') = 0"),
    ("SELECT name FROM people", "SELECT name FROM people WHERE person_id IS NOT NULL"),
    ("SELECT visit_id FROM visits", "SELECT visit_id FROM visits WHERE fee >= 0"),
    ("SELECT name FROM people WHERE person_id IN (SELECT person_id FROM visits)",
     "SELECT name FROM people p WHERE EXISTS (SELECT 1 FROM visits v WHERE v.person_id = p.person_id)"),
    ("SELECT p.name, COUNT(v.visit_id) FROM people p LEFT JOIN visits v ON v.person_id = p.person_id GROUP BY p.person_id",
     "SELECT p.name, (SELECT COUNT(*) FROM visits v WHERE v.person_id = p.person_id) FROM people p"),
    ("SELECT id FROM users WHERE email LIKE name || '@%'",
     "SELECT id FROM users WHERE email LIKE name || '@' || '%'"),
    ("SELECT name FROM people WHERE kana >= 'は' AND kana < 'ま'",
     "SELECT name FROM people WHERE substr(kana, 1, 1) BETWEEN 'は' AND 'ぽ'"),
])
def test_equivalent_rewrites_are_checked_on_databases_built_from_them_and_accepted(db, reference, answer):
    verdict = grade(db, reference, answer)
    assert verdict.correct, verdict.message
    assert verdict.strength.answer_databases > 0          # the second pass ran on them, and found nothing


# --- determinism, the cache, when the second pass runs -----------------------------------------

def test_the_same_answer_gets_the_same_verdict_and_counterexample_every_time(db):
    reference = "SELECT visit_id FROM visits"
    answer = "SELECT visit_id FROM visits WHERE person_id > 0"
    verdicts = []
    for _ in range(2):
        grader = Grader(db, reference)
        try:
            verdicts += [grader.grade(answer), grader.grade(answer)]
        finally:
            grader.close()
    assert not verdicts[0].correct
    assert len({v.model_dump_json() for v in verdicts}) == 1


def test_a_repeated_check_of_the_same_answer_shape_builds_nothing_new(db, monkeypatch):
    built: list[str] = []

    def counting(base, schema, reference_sql, student_sql, **kwargs):
        built.append(student_sql)
        return answer_variants(base, schema, reference_sql, student_sql, **kwargs)

    monkeypatch.setattr(grading, "answer_variants", counting)
    grader = Grader(db, "SELECT name FROM people WHERE city IN ('Tokyo', 'Osaka')")
    try:
        first = grader.grade("SELECT name FROM people WHERE city = 'Tokyo' OR city = 'Osaka'")
        again = grader.grade("select name   from people\nwhere city = 'Tokyo' or city = 'Osaka'  -- same")
        third = grader.grade("SELECT name FROM people WHERE city = 'Tokyo' OR city = 'Osaka'", lang="ja")
        assert first.correct and again.correct and third.correct
        assert len(built) == 1 and grader.answer_builds == 1
        assert first.strength.answer_databases == again.strength.answer_databases > 0
        other = grader.grade("SELECT name FROM people WHERE city IN ('Osaka', 'Tokyo')")
        assert other.correct and len(built) == 2
    finally:
        grader.close()


def test_the_cache_keeps_the_latest_answer_shapes_and_closes_older_databases(db, monkeypatch):
    monkeypatch.setattr(grading, "ANSWER_SHAPES", 2)
    grader = Grader(db, "SELECT name FROM people WHERE city IN ('Tokyo', 'Osaka')")
    answers = ["SELECT name FROM people WHERE city = 'Tokyo' OR city = 'Osaka'",
               "SELECT name FROM people WHERE city IN ('Osaka', 'Tokyo')",
               "SELECT name FROM people WHERE city IN ('Tokyo', 'Osaka') AND name IS NOT NULL"]
    try:
        first_cases = list(grader._cases_for_answer(answers[0]))
        assert first_cases
        for answer in answers:
            assert grader.grade(answer).correct
        assert grader.answer_builds == 3
        with pytest.raises(sqlite3.ProgrammingError):          # the oldest shape's databases are closed
            first_cases[0].conn.execute("SELECT 1")
        assert grader.grade(answers[2]).correct and grader.answer_builds == 3
        assert grader.grade(answers[0]).correct and grader.answer_builds == 4
    finally:
        grader.close()


def test_the_second_pass_runs_only_for_an_answer_every_other_database_accepts(db, monkeypatch):
    built: list[str] = []
    monkeypatch.setattr(grading, "answer_variants", lambda *a, **k: built.append(a[3]) or [])
    grader = Grader(db, "SELECT name FROM people WHERE city = 'Tokyo'")
    try:
        assert grader.grade("SELECT name FROM people WHERE city = 'Osaka'").diff.variant == "visible"
        assert grader.grade("SELECT name FROM people WHERE city LIKE 'Tokyo'").diff.variant not in ANSWER_KINDS
        assert grader.grade("SELECT nme FROM people").status == "error"
        assert built == []
        assert grader.grade("SELECT name FROM people WHERE city IN ('Tokyo')").correct
        assert built == ["SELECT name FROM people WHERE city IN ('Tokyo')"]
    finally:
        grader.close()


def test_a_failing_second_pass_leaves_the_verdict_of_the_first(db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a variant maker")

    monkeypatch.setattr(grading, "answer_variants", broken)
    verdict = grade(db, "SELECT name FROM people", "SELECT name FROM people WHERE person_id > 0")
    assert verdict.correct and verdict.strength.answer_databases == 0


def test_answer_shape_ignores_spacing_case_and_comments_but_not_constants():
    a = answer_shape("SELECT name FROM people WHERE person_id > 0")
    assert a == answer_shape("select name\n  from people where person_id>0 -- why not")
    assert a != answer_shape("SELECT name FROM people WHERE person_id > 1")
    assert answer_shape("SELEC broken ((") == "SELEC broken (("


# --- the databases themselves ------------------------------------------------------------------

PAIRS = [
    ("SELECT visit_id FROM visits WHERE shipped_on BETWEEN ordered_on AND due_on",
     "SELECT visit_id FROM visits WHERE shipped_on >= ordered_on AND fee > 0 AND person_id <> 3"),
    ("SELECT id FROM users WHERE email LIKE name || '@%'", "SELECT id FROM users WHERE name LIKE 'a%' OR id > 2"),
    ("SELECT name FROM people WHERE kana >= 'は'", "SELECT name FROM people WHERE kana BETWEEN 'は' AND 'ん' AND city <> ''"),
    ("SELECT id FROM readings WHERE strftime('%m', taken_on) = '02'", "SELECT id FROM readings WHERE value > -1"),
]


@pytest.mark.parametrize("reference, answer", PAIRS)
def test_every_database_of_the_second_pass_is_valid_under_the_schema(db, reference, answer):
    """Foreign keys hold, every row goes into a fresh database with the lesson's CREATE statements
    (NOT NULL, UNIQUE, CHECK), and date columns keep their format."""
    conn = sqlite3.connect(db)
    made = []
    try:
        schema = read_schema(conn)
        made = answer_variants(conn, schema, reference, answer)
        assert made and len(made) <= grading.ANSWER_VARIANTS
        assert {v.kind for v in made} <= set(ANSWER_KINDS)
        creates = [r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table'")]
        for variant in made:
            assert variant.conn.execute("PRAGMA foreign_key_check").fetchall() == []
            fresh = sqlite3.connect(":memory:")
            for sql in creates:
                fresh.execute(sql)
            for name in schema:
                rows = variant.conn.execute(f'SELECT * FROM "{name}"').fetchall()
                if rows:
                    marks = ", ".join("?" for _ in rows[0])
                    fresh.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
                for column in schema[name].columns:
                    fmt = column_format(conn, name, column.name)
                    values = [r[0] for r in variant.conn.execute(
                        f'SELECT DISTINCT "{column.name}" FROM "{name}" WHERE "{column.name}" IS NOT NULL')]
                    if fmt and values:
                        assert text_format(values) == fmt, (variant.kind, column.name)
            fresh.close()
    finally:
        for variant in made:
            variant.conn.close()
        conn.close()


def test_both_queries_conditions_are_read_side_by_side(db):
    conn = sqlite3.connect(db)
    try:
        pair = analyse_pair("SELECT visit_id FROM visits WHERE shipped_on BETWEEN ordered_on AND due_on",
                            "SELECT v.visit_id FROM visits v JOIN people p ON p.person_id = v.person_id "
                            "WHERE p.name LIKE v.due_on || '%' AND v.fee > 10", read_schema(conn))
    finally:
        conn.close()
    assert [(c.table, c.column, c.value) for c in pair.own_constants] == [("visits", "fee", 10)]
    assert ("people", "name") in pair.only_columns and ("visits", "fee") in pair.only_columns
    assert (("visits", "shipped_on"), ("visits", "due_on")) in pair.merged.pairs
    assert [(l.target, l.pattern_columns) for l in pair.likes] == [(("people", "name"), [("visits", "due_on")])]
    assert {("visits", "ordered_on"), ("visits", "shipped_on"), ("visits", "due_on")} <= set(pair.condition_columns)


def test_calendar_edges_hold_leap_days_and_month_ends_in_the_columns_format():
    days = calendar_edges(["2023-06-15"], "date")
    assert {"2024-02-28", "2024-02-29", "2024-03-01", "2020-02-29", "2023-02-28", "2023-03-01",
            "2023-06-30", "2023-07-01", "2023-01-31", "2023-04-30", "2023-12-31"} <= set(days)
    assert "2023-02-29" not in days and "2023-06-31" not in days
    assert {"2024-02-29 00:00:00", "2024-02-29 23:59:59"} <= set(calendar_edges(["2024-05-01 10:00:00"], "datetime"))
    assert "2024-02" in calendar_edges(["2023-06"], "month")


def test_far_values_lie_far_past_a_bound_on_both_sides():
    assert {1000600, -999400, 1000000600} <= set(far_values(600))
    assert {"9999-12-31", "1000-01-01"} <= set(far_values("2023-06-01", "date"))
    assert any(v > "ん" for v in far_values("は"))


def test_kana_voicing_families_are_not_one_code_point_apart():
    assert kana_family("は") == ["ば", "ぱ"] and set(kana_family("ぱ")) == {"は", "ば"}
    assert set(kana_family("つ")) == {"づ", "っ"} and "が" in kana_family("か")
    assert {"バ", "パ"} <= set(kana_family("ハ")) and kana_family("a") == [] and kana_family("ん") == []
    assert {"ばら", "ぱら"} <= set(voicing_neighbours("はら"))
