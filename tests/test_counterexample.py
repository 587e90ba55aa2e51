"""A wrong answer's counterexample is a complete small database a student can rebuild.

For every wrong answer of the grader's own corpus that a hidden database exposes (the labeled
traps of ``tests/data``, the grader's own surviving mutants of every bank exercise on an offline
theme in en and ja, the common mistakes of the lessons' texts, the typical wrong answers of
``test_diagnosis``): build a fresh database from the lesson's schema and *exactly the rows shown*
(``Counterexample.to_sqlite``), run the reference and the answer there, and their results differ,
compared as the grader compares them (``sqllab.grading.compare``). The verdict's words (row counts,
the rows that differ) are the ones that database gives.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

from sqllab.content.exercises import all_bank_exercises
from sqllab.content.lesson_text import fill, load as load_text
from sqllab.content.offline import generate_offline_dataset
from sqllab.db import load_dataset
from sqllab.errors import SQLLabError
from sqllab.grading import Grader, grade
from sqllab.grading import grader as grading
from sqllab.grading.compare import Expected, compare, make_expected, order_spec
from sqllab.grading.diagnosis import cause
from sqllab.grading.exampledb import schema_statements
from sqllab.grading.variants import read_schema
from sqllab.notebook.lesson import LESSON_TOPICS, ExampleNames
from sqllab.sandbox import WRITE_KEYWORDS, copy_to_memory, main_keyword, modify, run_query, snapshot

DATA = Path(__file__).parent / "data"
CASES = (yaml.safe_load((DATA / "grading_cases.yaml").read_text(encoding="utf-8"))
         + yaml.safe_load((DATA / "grading_corpus.yaml").read_text(encoding="utf-8")))
SCHEMAS = ("hr", "shop_ja", "school", "events", "library_ja", "clinic_ja", "inventory")


@pytest.fixture(scope="module")
def dbs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("lessons")
    out = {}
    for name in SCHEMAS:
        path = root / f"{name}.db"
        conn = sqlite3.connect(path)
        conn.executescript((DATA / f"{name}.sql").read_text(encoding="utf-8"))
        conn.commit()
        conn.close()
        out[name] = path
    return out


@pytest.fixture(autouse=True)
def fresh_cache():
    grading.clear_cache()
    yield
    grading.clear_cache()


# --- running both queries on exactly the rows shown ----------------------------------------

def _outcome(conn: sqlite3.Connection, sql: str, dml: bool) -> tuple | dict:
    """What the grader compares: a query's columns and rows, or every table after a statement."""
    if dml:
        copy = copy_to_memory(conn)
        try:
            modify(copy, sql)
            return {name: (r.columns, r.rows) for name, r in snapshot(copy).items()}
        finally:
            copy.close()
    result = run_query(conn, sql, max_rows=20_000)
    return result.columns, result.rows


def _expected(conn: sqlite3.Connection, reference: str, dml: bool) -> Expected | dict[str, Expected]:
    if dml:
        return {name: Expected(*state) for name, state in _outcome(conn, reference, True).items()}
    spec = order_spec(reference)
    result = run_query(conn, spec.key_sql if spec else reference, max_rows=20_000)
    full = run_query(conn, spec.full_sql, max_rows=20_000).rows if spec and spec.full_sql else None
    return make_expected(result.columns, result.rows, spec, full)


def _sample(rows: list[tuple]) -> list[list]:
    return [[grading._printable(v) for v in r] for r in rows[:grading.SAMPLE_ROWS]]


def _shown_rows(example) -> int:
    return sum(len(s.rows) for s in example.inputs)


def check_rebuilt(verdict, reference: str, answer: str, source: Path) -> str:
    """Rebuild the counterexample from the rows shown; both queries differ there, and the verdict's
    counts and rows are what that database gives. Returns what was checked ("error", "rows")."""
    example = verdict.diff.counterexample
    assert example.complete and example.rows_left_out == 0, "a counterexample that does not fit the page"
    lesson = sqlite3.connect(source)
    try:
        assert example.schema_sql == schema_statements(lesson)          # the lesson's own CREATE statements
        schema = read_schema(lesson)
    finally:
        lesson.close()
    assert [s.name for s in example.inputs] == list(dict.fromkeys(s.name for s in example.inputs))
    for sample in example.inputs:
        assert sample.columns == [c.name for c in schema[sample.name].columns]
    conn = example.to_sqlite()
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []   # a valid database
        for sample in example.inputs:                                      # holding exactly the rows shown
            rows = conn.execute(f'SELECT * FROM "{sample.name}"').fetchall()
            assert sorted(map(repr, rows)) == sorted(repr(tuple(r)) for r in sample.rows)
        shown = {s.name for s in example.inputs}
        for table in schema:
            if table not in shown:
                assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (0,)
        dml = main_keyword(reference) in WRITE_KEYWORDS
        expected = _expected(conn, reference, dml)
        diff = verdict.diff
        if diff.kind == "error":
            with pytest.raises(SQLLabError) as failed:
                _outcome(conn, answer, dml)
            assert failed.value.key == diff.error_key
            return "error"
        got = _outcome(conn, answer, dml)
        if dml:
            want, (columns, rows) = expected[diff.table], got[diff.table]
        else:
            want, (columns, rows) = expected, got
        difference = compare(want, columns, rows)
        assert difference is not None, "the rows shown give no difference"
        assert (diff.expected_rows, diff.got_rows) == (difference.expected_rows, difference.got_rows)
        assert (diff.missing_rows, diff.extra_rows) == (len(difference.missing), len(difference.extra))
        if diff.kind not in ("ordering", "column_count"):             # the rows that differ, as shown
            assert example.expected.rows == _sample(difference.missing)
            assert example.got.rows == _sample(difference.extra)
        else:                                                          # the first rows of each result
            assert example.got.rows == _sample(rows)
        message = verdict.message_in("en")
        if diff.expected_rows != diff.got_rows and not diff.table:
            assert f"returns {diff.got_rows} row(s); the expected result has {diff.expected_rows}" in message
        if not dml:
            _cause_matches_the_rows(verdict, reference, answer)
        return "rows"
    finally:
        conn.close()


def _same_value(a, b) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _cause_matches_the_rows(verdict, reference: str, answer: str) -> None:
    """sqllab's diagnosis speaks of the rows shown: a boundary it names is a value of a row in the
    database shown and of a row that differs."""
    found = cause(verdict, answer, reference)
    if found is None or found.key not in ("boundary_out", "boundary_in"):
        return
    column, value = str(found.params["column"]).casefold(), found.params["value"]
    example = verdict.diff.counterexample
    stored = [row[[c.casefold() for c in s.columns].index(column)] for s in example.inputs
              for row in s.rows if column in [c.casefold() for c in s.columns]]
    differing = example.expected if found.key == "boundary_out" else example.got
    if column in [c.casefold() for c in differing.columns]:
        index = [c.casefold() for c in differing.columns].index(column)
        assert any(_same_value(row[index], value) for row in differing.rows), (found, differing)
    if stored:
        assert any(_same_value(v, value) for v in stored), (found, example.inputs)


def _hidden(verdict) -> bool:
    diff = verdict.diff
    return (not verdict.correct and diff is not None and diff.variant != "visible"
            and diff.counterexample is not None)


# --- the corpora ---------------------------------------------------------------------------

def test_every_labeled_trap_fails_on_exactly_the_rows_shown(dbs, capsys):
    checked: dict[str, int] = {}
    sizes = []
    for case in CASES:
        grader = Grader(dbs[case["schema"]], case["reference"])
        try:
            for answer in case["answers"]:
                if answer["correct"]:
                    continue
                verdict = grader.grade(answer["sql"])
                if not _hidden(verdict):
                    continue
                what = check_rebuilt(verdict, case["reference"], answer["sql"], dbs[case["schema"]])
                checked[what] = checked.get(what, 0) + 1
                sizes.append(_shown_rows(verdict.diff.counterexample))
        finally:
            grader.close()
    with capsys.disabled():
        print(f"\n[counterexamples] labeled traps rebuilt: {checked}; rows shown: median "
              f"{sorted(sizes)[len(sizes) // 2]}, max {max(sizes)}")
    assert sum(checked.values()) >= 250
    assert sorted(sizes)[len(sizes) // 2] <= 4            # small: a few rows, not the lesson's tables


@pytest.fixture(scope="module")
def bank_lessons(tmp_path_factory) -> list[tuple[str, Path, list]]:
    root = tmp_path_factory.mktemp("bank")
    out = []
    for theme, lang in (("shop", "en"), ("library", "ja")):
        dataset = generate_offline_dataset(theme, lang=lang, seed=0, difficulty="medium")
        out.append((f"{theme}-{lang}", load_dataset(dataset, root / f"{theme}-{lang}.db"),
                    all_bank_exercises(dataset, lang=lang)))
    return out


def test_every_bank_exercise_mutant_fails_on_exactly_the_rows_shown(bank_lessons, capsys):
    """The grader's own surviving mutants of each bank query (small changes the visible data does
    not tell apart, which a hidden database does) are its corpus of wrong answers."""
    checked = {"rows": 0, "error": 0}
    exercises = 0
    for name, db, bank in bank_lessons:
        for exercise in bank:
            grader = Grader(db, exercise.reference_sql)
            try:
                exercises += 1
                for i in grader.mutants_killed:
                    sql = grader.live_mutants[i].sql
                    verdict = grader.grade(sql)
                    assert _hidden(verdict), f"{name}: {exercise.id}: {sql}"
                    checked[check_rebuilt(verdict, exercise.reference_sql, sql, db)] += 1
            finally:
                grader.close()
    with capsys.disabled():
        print(f"\n[counterexamples] bank mutants rebuilt: {checked} over {exercises} exercises")
    assert exercises >= 140 and checked["rows"] >= 60


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_common_mistake_of_the_lessons_fails_on_exactly_the_rows_shown(tmp_path, lang):
    """The lessons' texts show common mistakes live: the query that looks right against its fix."""
    checked = 0
    dbs: dict[str, Path] = {}
    for lesson_id in LESSON_TOPICS:
        text = load_text(lesson_id, lang)
        theme = "shop"
        if theme not in dbs:
            dataset = generate_offline_dataset(theme, lang=lang, seed=0, difficulty="medium")
            dbs[theme] = load_dataset(dataset, tmp_path / f"{theme}.db")
        names = ExampleNames.from_db(dbs[theme])
        for mistake in text.mistakes:
            query, fix = fill(mistake.query, names), fill(mistake.fix, names)
            verdict = grade(dbs[theme], fix, query, lang=lang)
            assert not verdict.correct, (lesson_id, mistake.title)
            if _hidden(verdict):
                check_rebuilt(verdict, fix, query, dbs[theme])
                checked += 1
    assert checked >= 2


TYPICAL = [        # (reference, wrong answer) from test_diagnosis, on its members table
    ("SELECT name, points FROM members WHERE points >= 850", "SELECT name, points FROM members WHERE points > 850"),
    ("SELECT name, points FROM members WHERE points > 850", "SELECT name, points FROM members WHERE 850 <= points"),
    ("SELECT city, COUNT(*) FROM members GROUP BY city HAVING COUNT(*) >= 3",
     "SELECT city, COUNT(*) FROM members GROUP BY city HAVING COUNT(*) > 3"),
    ("SELECT name FROM members WHERE city IS NULL", "SELECT name FROM members WHERE city = NULL"),
    ("SELECT name, city FROM members WHERE city IS NULL OR city <> 'Rome'",
     "SELECT name, city FROM members WHERE city <> 'Rome'"),
    ("SELECT name FROM members WHERE points >= 850", "SELECT name FROM members WHERE points >= 850 LIMIT 2"),
    ("SELECT name, points FROM members ORDER BY points DESC, name", "SELECT name, points FROM members ORDER BY points, name"),
    ("SELECT DISTINCT city FROM members", "SELECT city FROM members"),
    ("SELECT name, points FROM members WHERE points >= 900", "SELECT name, points FROM members WHERE points IN (900, 950)"),
    ("SELECT COUNT(city) FROM members", "SELECT COUNT(*) FROM members"),
    ("SELECT name FROM members WHERE city = 'Oslo'", "SELECT name FROM members WHERE city LIKE 'oslo'"),
    ("SELECT AVG(points) FROM members", "SELECT SUM(points) / COUNT(*) FROM members"),
    ("SELECT name FROM members WHERE city IS NULL", "SELECT name FROM members WHERE name = 'Cy'"),
    ("SELECT name FROM members WHERE city <> 'Rome'", "SELECT name FROM members WHERE city IN ('Oslo')"),
    ("SELECT MAX(points) FROM members", "SELECT points FROM members ORDER BY points DESC LIMIT 1"),
]


def test_typical_wrong_answers_fail_on_exactly_the_rows_shown(tmp_path):
    db = tmp_path / "members.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT NOT NULL, points INTEGER, city TEXT)")
        conn.executemany("INSERT INTO members (name, points, city) VALUES (?, ?, ?)",
                         [("Ann", 850, "Oslo"), ("Bo", 900, "Rome"), ("Cy", 700, None), ("Di", 850, "Oslo"),
                          ("Ed", 950, "Rome"), ("Fa", 600, "Oslo")])
    hidden = 0
    for reference, answer in TYPICAL:
        verdict = grade(db, reference, answer, lang="ja")
        assert not verdict.correct, answer
        if _hidden(verdict):
            check_rebuilt(verdict, reference, answer, db)
            hidden += 1
        else:                       # the lesson's own data: the student has that database already
            assert verdict.diff is None or not verdict.diff.counterexample or not verdict.diff.counterexample.inputs
    assert hidden >= 4


def test_an_answer_that_fails_only_on_a_hidden_database_fails_on_exactly_the_rows_shown(dbs):
    reference = "SELECT name FROM employees WHERE salary >= 600"
    answer = "SELECT name FROM employees WHERE salary >= 600 AND CASE WHEN salary = 600 THEN json('x') ELSE 1 END"
    verdict = grade(dbs["hr"], reference, answer, lang="en")
    assert verdict.diff.kind == "error" and verdict.diff.variant == "boundary"
    assert check_rebuilt(verdict, reference, answer, dbs["hr"]) == "error"
    assert "A small example where your statement fails:" in verdict.message
    assert "あなたの文がエラーになる小さな例:" in verdict.message_in("ja")
    assert _shown_rows(verdict.diff.counterexample) <= 4          # the row at 600, its manager, their departments


# --- the database as an object ---------------------------------------------------------------

def test_the_same_answer_gets_the_same_counterexample(dbs):
    reference, answer = "SELECT name FROM employees WHERE salary >= 600", "SELECT name FROM employees WHERE salary > 600"
    first = grade(dbs["hr"], reference, answer, lang="en")
    grading.clear_cache()
    again = grade(dbs["hr"], reference, answer, lang="en")
    assert first.diff.counterexample == again.diff.counterexample and first.message == again.message


def test_to_sqlite_writes_a_file_and_refuses_a_database_that_has_tables(dbs, tmp_path):
    verdict = grade(dbs["hr"], "SELECT name FROM employees WHERE salary >= 600",
                    "SELECT name FROM employees WHERE salary > 600", lang="en")
    example = verdict.diff.counterexample
    path = example.to_sqlite(tmp_path / "example.db")
    assert path == tmp_path / "example.db"
    assert run_query(path, "SELECT count(*) FROM employees").rows == [(len(example.inputs[0].rows),)]
    with pytest.raises(SQLLabError) as used:
        example.to_sqlite(path)
    assert used.value.key == "sql.grade.example_target_used" and "example.db" in used.value.message_in("ja")
    with pytest.raises(SQLLabError):
        example.to_sqlite(dbs["hr"])                       # the lesson database is never written into


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_database_too_large_to_show_says_so(dbs, monkeypatch, lang):
    from sqllab.notebook import widgets
    from sqllab.grading.resultdiff import from_verdict

    monkeypatch.setattr(grading, "EXAMPLE_ROWS", 1)
    verdict = grade(dbs["hr"], "SELECT name FROM employees WHERE salary >= 600",
                    "SELECT name FROM employees WHERE salary > 600", lang=lang)
    example = verdict.diff.counterexample
    assert not example.complete and _shown_rows(example) == 1 and example.rows_left_out >= 1
    assert [s.name for s in example.inputs] == ["employees", "departments"]    # every table, even when empty
    note = {"en": f"{example.rows_left_out} more row(s) are left out",
            "ja": f"ほかに {example.rows_left_out} 行あり"}[lang]
    assert note in verdict.message
    page = widgets.diff_html(from_verdict(verdict), lang, example.inputs, left_out=example.rows_left_out)
    assert 'data-sqllab="diff-database"' in page and str(example.rows_left_out) in page


def test_rows_are_shared_out_between_tables_when_they_do_not_all_fit():
    assert grading._share(40, [3, 2]) == [3, 2]
    assert grading._share(5, [1, 10, 10]) == [1, 2, 2]
    assert grading._share(1, [2, 2]) == [1, 0] and grading._share(4, [0, 9]) == [0, 4]
