"""sqllab's own diagnosis of a wrong answer (``sqllab.grading.diagnosis``): the notes the feedback prompt
(v7) gives the model. Real grader, real SQLite file; each case is a mistake students make, and
no note may carry the reference query's condition."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sqllab.grading.diagnosis import comparisons, diagnose
from sqllab.grading.feedback import render_notes
from sqllab.grading import grade

ROWS = [("Ann", 850, "Oslo"), ("Bo", 900, "Rome"), ("Cy", 700, None), ("Di", 850, "Oslo"),
        ("Ed", 950, "Rome"), ("Fa", 600, "Oslo")]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("diagnosis") / "members.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT NOT NULL, points INTEGER, city TEXT)")
        conn.executemany("INSERT INTO members (name, points, city) VALUES (?, ?, ?)", ROWS)
    return path


def notes(db: Path, reference: str, student: str, lang: str = "en") -> list[str]:
    verdict = grade(db, reference, student, lang=lang)
    assert not verdict.correct
    found = diagnose(verdict, student, lang)
    assert reference not in " ".join(found)
    return found


def test_a_strict_comparison_leaves_out_the_boundary_rows(db: Path) -> None:
    found = notes(db, "SELECT name FROM members WHERE points >= 850", "SELECT name, points FROM members WHERE points > 850")
    # column counts differ above: the comparison is read once the columns match
    assert found and "columns" in found[0]
    found = notes(db, "SELECT name, points FROM members WHERE points >= 850",
                  "SELECT name, points FROM members WHERE points > 850")
    assert found[0] == "your condition points > 850 leaves out the rows where points is exactly 850"
    ja = notes(db, "SELECT name, points FROM members WHERE points >= 850",
               "SELECT name, points FROM members WHERE points > 850", "ja")
    assert "points > 850" in ja[0] and "points ＝ 850" in ja[0]


def test_an_inclusive_comparison_keeps_them(db: Path) -> None:
    found = notes(db, "SELECT name, points FROM members WHERE points > 850",
                  "SELECT name, points FROM members WHERE 850 <= points")
    assert found[0] == "your condition 850 <= points also keeps the rows where points is exactly 850"   # their own words


def test_a_comparison_on_an_aggregate_is_read_by_its_result_column(db: Path) -> None:
    found = notes(db, "SELECT city, COUNT(*) FROM members GROUP BY city HAVING COUNT(*) >= 3",
                  "SELECT city, COUNT(*) FROM members GROUP BY city HAVING COUNT(*) > 3")
    assert "COUNT(*) > 3" in found[0] and "exactly 3" in found[0]


def test_equals_null_is_named(db: Path) -> None:
    found = notes(db, "SELECT name FROM members WHERE city IS NULL", "SELECT name FROM members WHERE city = NULL")
    assert found[0].startswith("city = NULL is never true")


def test_nulls_dropped_by_a_condition(db: Path) -> None:
    found = notes(db, "SELECT name, city FROM members WHERE city IS NULL OR city <> 'Rome'",
                  "SELECT name, city FROM members WHERE city <> 'Rome'")
    assert any("NULL" in n and "city" in n for n in found)


def test_limit_order_and_columns(db: Path) -> None:
    assert notes(db, "SELECT name FROM members WHERE points >= 850",
                 "SELECT name FROM members WHERE points >= 850 LIMIT 2") == [
        "your LIMIT 2 keeps only 2 of the 4 expected rows"]
    found = notes(db, "SELECT name, points FROM members ORDER BY points DESC, name",
                  "SELECT name, points FROM members ORDER BY points, name")
    assert found == ["your rows are the expected ones, in another order: you sort by points, name; "
                     "compare the column and the direction with the exercise"]
    assert "no ORDER BY" in notes(db, "SELECT name, points FROM members ORDER BY points DESC, name",
                                  "SELECT name, points FROM members")[0]
    assert notes(db, "SELECT name, points FROM members", "SELECT points, name FROM members") == [
        "expected columns: name, points; your columns: points, name"]


def test_duplicates_and_distinct(db: Path) -> None:
    assert notes(db, "SELECT city FROM members WHERE city IS NOT NULL",
                 "SELECT DISTINCT city FROM members WHERE city IS NOT NULL") == [
        "your DISTINCT merges rows that are expected to appear more than once"]
    found = notes(db, "SELECT DISTINCT city FROM members WHERE city IS NOT NULL",
                  "SELECT city FROM members WHERE city IS NOT NULL")
    assert found[0].startswith("a row such as (city: ") and "more times in yours" in found[0]


def test_a_changed_value_is_pointed_at(db: Path) -> None:
    found = notes(db, "SELECT city, COUNT(*) AS n FROM members WHERE city IS NOT NULL GROUP BY city",
                  "SELECT city, COUNT(*) + 1 AS n FROM members WHERE city IS NOT NULL GROUP BY city")
    assert found and found[0].startswith("in the row (city: ") and ", n is " in found[0]


def test_nothing_specific_gives_no_note_and_the_notes_keep_the_facts(db: Path) -> None:
    reference = "SELECT name FROM members WHERE city = 'Oslo' AND points >= 850"
    student = "SELECT name FROM members WHERE city = 'Oslo'"
    assert notes(db, reference, student) == []
    text = render_notes(grade(db, reference, student), student, "en")
    assert text.splitlines() == ["- Rows: yours 3, expected 2 (0 missing, 1 extra)",
                                 "- Extra rows (in yours, not expected): (name: Fa)",
                                 "- to look at next: which part of your query lets the extra rows through"]
    assert "850" not in text


def test_comparisons_read_both_sides_and_skip_constants() -> None:
    import sqlglot

    tree = sqlglot.parse_one("SELECT a FROM t WHERE 5 < a AND b = 'x' AND 1 = 1", read="sqlite")
    assert [(c, op.__name__, lit.this) for c, op, lit, _ in comparisons(tree)] == [("a", "GT", "5"), ("b", "EQ", "x")]


def test_the_next_step_is_a_question_about_the_cause_never_the_fix(db: Path) -> None:
    from sqllab.grading.diagnosis import next_step

    reference = "SELECT name, points FROM members WHERE points >= 850"
    student = "SELECT name, points FROM members WHERE points > 850"
    step = next_step(grade(db, reference, student), student, "en")
    assert step.startswith("to look at next:") and "exactly 850" in step and ">=" not in step
    assert "850" in next_step(grade(db, reference, student, lang="ja"), student, "ja")
    no_cause = "SELECT name FROM members WHERE city = 'Oslo'"
    assert "extra rows" in next_step(grade(db, "SELECT name FROM members WHERE city = 'Oslo' AND points >= 850",
                                           no_cause), no_cause, "en")
    limited = "SELECT name FROM members WHERE points >= 850 LIMIT 2"
    assert "cut the rows" in next_step(grade(db, reference.replace(", points", ""), limited), limited, "en")


@pytest.mark.parametrize("reference, student, en, ja", [
    ("SELECT name, points FROM members WHERE points >= 850", "SELECT name, points FROM members WHERE points > 850",
     "condition `points > 850`", "条件「points > 850」"),
    ("SELECT name FROM members WHERE city IS NULL", "SELECT name FROM members WHERE city = NULL",
     "condition `city = NULL`", "条件「city = NULL」"),
    ("SELECT name FROM members WHERE points >= 850", "SELECT name FROM members WHERE points >= 850 LIMIT 1",
     "`LIMIT 1`", "「LIMIT 1」"),
    ("SELECT city FROM members WHERE city IS NOT NULL", "SELECT DISTINCT city FROM members WHERE city IS NOT NULL",
     "`DISTINCT`", "「DISTINCT」"),
    ("SELECT name FROM members WHERE points >= 850", "SELECT name FROM members WHERE points >= 600", "", ""),
])
def test_the_part_of_the_query_at_fault_is_named_from_the_learners_own_sql(
        db: Path, reference: str, student: str, en: str, ja: str) -> None:
    from sqllab.grading.diagnosis import culprit

    for lang, expected in (("en", en), ("ja", ja)):
        verdict = grade(db, reference, student, lang=lang)
        assert culprit(verdict, student, lang) == expected
