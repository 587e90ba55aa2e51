"""sqllab's own diagnosis of a wrong answer (``sqllab.grading.diagnosis``): the notes the feedback prompt
(v7 on) gives the model, and the cause sqllab names with its own sentence on why (v12), en and ja.
Real grader, real SQLite files; each case is a mistake students make, and no note or sentence may
carry the reference query's condition or a word of SQL the learner did not write."""

from __future__ import annotations

import re
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
    assert found == ["your ORDER BY points, name sorts by points in ascending order (smallest first); "
                     "the expected rows are in descending order (largest first)"]     # from the rows alone
    assert notes(db, "SELECT name, points FROM members ORDER BY points DESC, name",
                 "SELECT name, points FROM members ORDER BY city, name") == [
        "your rows are the expected ones, in another order: you sort by city, name; "
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


# --- the cause sqllab names, and its own sentence on why (feedback v12) ------------------------

VISITS = [(1, 10), (1, 20), (2, 5)]      # Ann 2 visits, Bo 1, Cy none


@pytest.fixture(scope="module")
def visits_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("diagnosis-joins") / "visits.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT)")
        conn.execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL "
                     "REFERENCES members(id), spent INTEGER NOT NULL)")
        conn.executemany("INSERT INTO members (name, city) VALUES (?, ?)", [("Ann", "Oslo"), ("Bo", "Rome"), ("Cy", "Oslo")])
        conn.executemany("INSERT INTO visits (member_id, spent) VALUES (?, ?)", VISITS)
    return path


def _words(sql: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]+", sql))


def named(path: Path, reference: str, student: str, lang: str) -> tuple[str | None, str]:
    """``(cause key, sqllab's sentence)`` for a real verdict, checked to say nothing of the reference:
    no SQL keyword or name that only the reference has (NULL may show: the rows have it)."""
    from sqllab.grading.diagnosis import because, cause

    verdict = grade(path, reference, student, lang=lang)
    assert not verdict.correct and verdict.status == "wrong_result"
    found = cause(verdict, student, reference)
    sentence = because(verdict, student, lang, reference)
    only_reference = {w for w in _words(reference) - _words(student) if len(w) > 2} - {"NULL"}   # NULL: a value in the rows
    if found is not None and found.key == "no_order_by":
        only_reference -= {"ORDER"}         # the cause is that the learner's query has none
    for word in only_reference:
        assert not re.search(rf"(?<![A-Za-z_]){re.escape(word)}(?![A-Za-z_])", sentence), (word, sentence)
    assert normalize(reference) not in normalize(sentence)
    return (found.key if found else None), sentence


def normalize(text: str) -> str:
    return " ".join(text.lower().split())


M = "SELECT name, points FROM members"
J = "SELECT m.name, COUNT(v.id) FROM members AS m LEFT JOIN visits AS v ON v.member_id = m.id GROUP BY m.id, m.name"

#: (cause, reference, student, words the en sentence has, words the ja sentence has)
CAUSES = [
    ("boundary_out", M + " WHERE points >= 850", M + " WHERE points > 850",
     ["`points > 850`", "exactly 850"], ["条件「points > 850」", "850 ちょうど", "結果に入りません"]),
    ("boundary_out2", M + " WHERE points BETWEEN 700 AND 900", M + " WHERE points > 700 AND points < 900",
     ["`points > 700`", "`points < 900`", "exactly 700 or 900"], ["700 ちょうどと 900 ちょうど"]),
    ("boundary_in", M + " WHERE points > 700 AND points < 900", M + " WHERE points BETWEEN 700 AND 900",
     ["`points BETWEEN 700 AND 900`", "also keeps", "exactly 700"], ["ちょうども含む", "結果に入ります"]),
    ("null_equals", "SELECT name FROM members WHERE city IS NULL", "SELECT name FROM members WHERE city = NULL",
     ["`city = NULL`", "true for no row"], ["「city = NULL」", "どの行でも真になりません"]),
    ("null_missing_compared", "SELECT name, city FROM members WHERE city IS NULL OR city <> 'Rome'",
     "SELECT name, city FROM members WHERE city <> 'Rome'", ["NULL", "never true"], ["NULL", "真にならない"]),
    ("distinct_missing", "SELECT DISTINCT city FROM members WHERE city IS NOT NULL",
     "SELECT city FROM members WHERE city IS NOT NULL", ["repeated rows", '"Oslo"', "only once"],
     ["重複", "「Oslo」", "1 回だけ"]),
    ("distinct_merges", "SELECT city FROM members WHERE city IS NOT NULL",
     "SELECT DISTINCT city FROM members WHERE city IS NOT NULL", ["DISTINCT merges"], ["DISTINCT", "1 行にまとめる"]),
    ("agg_repeats", "SELECT COUNT(DISTINCT city) FROM members", "SELECT COUNT(city) FROM members",
     ["COUNT(city)", "every time"], ["COUNT(city)", "出てくるたびに"]),
    ("agg_distinct", "SELECT COUNT(city) FROM members", "SELECT COUNT(DISTINCT city) FROM members",
     ["DISTINCT in your COUNT(DISTINCT city)", "only once"], ["COUNT(DISTINCT city) の DISTINCT", "1 回だけ"]),
    ("agg_function", "SELECT city, MAX(points) FROM members GROUP BY city", "SELECT city, AVG(points) FROM members GROUP BY city",
     ["AVG(points) gives the average of points", "is expected where yours has"], ["AVG(points) は points の平均", "期待"]),
    ("count_column", "SELECT COUNT(*) FROM members", "SELECT COUNT(city) FROM members",
     ["COUNT(city)", "city is NULL"], ["COUNT(city)", "city が NULL", "数えない"]),
    ("count_column", "SELECT city, COUNT(*) FROM members GROUP BY city", "SELECT city, COUNT(city) FROM members GROUP BY city",
     ["COUNT(city) does not count"], ["数えない"]),
    ("count_star", "SELECT COUNT(city) FROM members", "SELECT COUNT(*) FROM members",
     ["COUNT(*) counts every row", "NULL"], ["COUNT(*)", "NULL", "すべての行を数える"]),
    ("sort_direction", M + " ORDER BY points DESC, name", M + " ORDER BY points, name",
     ["ORDER BY points, name", "ascending", "expected rows are in descending"], ["昇順", "降順", "順番が合いません"]),
    ("sort_direction_tie", M + " ORDER BY points DESC, name", M + " ORDER BY points DESC, name DESC",
     ["same points", "by name"], ["points が同じ行", "name の降順"]),
    ("sort_direction_limit", M + " ORDER BY points DESC, name LIMIT 2", M + " ORDER BY points ASC, name LIMIT 2",
     ["ascending", "LIMIT 2", "opposite end"], ["昇順", "LIMIT 2", "反対の端"]),
    ("order_tie", M + " ORDER BY points DESC, name DESC", M + " ORDER BY points DESC",
     ["same points", "no fixed order"], ["points が同じ行どうしの順番が決まらない"]),
    ("sort_tiebreak", "SELECT name, city FROM members ORDER BY city, name", "SELECT name, city FROM members ORDER BY city, points",
     ["same city by points"], ["city が同じ行を points で並べる"]),
    ("sort_column", M + " ORDER BY points DESC, name", M + " ORDER BY name", ["not in name order"], ["name の順ではない"]),
    ("no_order_by", M + " ORDER BY points DESC, name", M, ["no ORDER BY"], ["ORDER BY がない"]),
    ("limit", "SELECT name FROM members WHERE points >= 850", "SELECT name FROM members WHERE points >= 850 LIMIT 2",
     ["LIMIT 2 keeps only 2 of the 4"], ["LIMIT 2", "4 行のうち"]),
    ("limit_tie", M + " ORDER BY points DESC, name DESC LIMIT 3", M + " ORDER BY points DESC LIMIT 3",
     ["same points (850)", "(Ann, 850)", "(Di, 850)"], ["points が同じ（850）", "(Di, 850)ではなく(Ann, 850)"]),
    ("limit_tie_cut", M + " WHERE city = 'Oslo' AND points = (SELECT MAX(points) FROM members WHERE city = 'Oslo')",
     M + " WHERE city = 'Oslo' ORDER BY points DESC LIMIT 1", ["LIMIT 1 keeps only 1 row", "(Di, 850)", "same points"],
     ["LIMIT 1", "同じ値（850）", "(Di, 850)"]),
    ("column_order", M, "SELECT points, name FROM members", ["points, name", "name, points"], ["points, name の順"]),
    ("columns_fewer", M, "SELECT name FROM members", ["fewer columns (name)", "2"], ["1 列（name）", "2 列に足りません"]),
    ("columns_more", M, "SELECT name, points, city FROM members", ["more columns (name, points, city)"], ["3 列"]),
]


@pytest.mark.parametrize("key, reference, student, en, ja", CAUSES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CAUSES)])
def test_each_cause_is_named_with_sqllabs_own_sentence_in_both_languages(
        db: Path, key: str, reference: str, student: str, en: list[str], ja: list[str]) -> None:
    for lang, words in (("en", en), ("ja", ja)):
        found, sentence = named(db, reference, student, lang)
        assert found == key, (lang, found, sentence)
        assert all(w in sentence for w in words), (lang, sentence)
        if lang == "en":
            assert sentence.startswith("This is because ") and sentence.endswith(".")
        else:
            assert sentence.endswith("。") and "ため、" in sentence and "This" not in sentence


JOINS = [
    ("join_inner", J, J.replace("LEFT JOIN", "JOIN"), ["JOIN keeps only the members rows", "visits", "(Cy, 0)"],
     ["JOIN（内部結合）", "visits に対応する行", "(Cy, 0)", "結果に入りません"]),
    ("join_inner", "SELECT m.name FROM members AS m LEFT JOIN visits AS v ON v.member_id = m.id WHERE v.id IS NULL",
     "SELECT m.name FROM members AS m JOIN visits AS v ON v.member_id = m.id WHERE v.id IS NULL", ['"Cy"'], ["「Cy」"]),
    ("count_star_join", J, J.replace("COUNT(v.id)", "COUNT(*)"), ["COUNT(*) counts that row", "1 instead of 0"],
     ["COUNT(*)", "0 になるはずの数が 1"]),
    ("join_left", "SELECT m.name, v.spent FROM members AS m JOIN visits AS v ON v.member_id = m.id",
     "SELECT m.name, v.spent FROM members AS m LEFT JOIN visits AS v ON v.member_id = m.id",
     ["LEFT JOIN also keeps", "(Cy, NULL)"], ["LEFT JOIN", "(Cy, NULL)", "結果に入ります"]),
]


@pytest.mark.parametrize("key, reference, student, en, ja", JOINS, ids=[f"{c[0]}-{i}" for i, c in enumerate(JOINS)])
def test_the_join_type_and_count_over_an_outer_join_are_named(
        visits_db: Path, key: str, reference: str, student: str, en: list[str], ja: list[str]) -> None:
    for lang, words in (("en", en), ("ja", ja)):
        found, sentence = named(visits_db, reference, student, lang)
        assert found == key and all(w in sentence for w in words), (lang, found, sentence)


@pytest.mark.parametrize("reference, student, key", [
    (M + " ORDER BY points DESC, name LIMIT 2", M + " ORDER BY points ASC, name LIMIT 2", "sort_direction_limit"),
    (M + " ORDER BY points DESC, name DESC LIMIT 3", M + " ORDER BY points DESC LIMIT 3", "limit_tie"),
    (M + " ORDER BY points DESC, name DESC", M + " ORDER BY points DESC", "order_tie"),
    (M, "SELECT points, name FROM members", "column_order"),
])
def test_without_the_reference_the_rows_alone_name_these_causes(db: Path, reference: str, student: str, key: str) -> None:
    from sqllab.grading.diagnosis import cause

    found = cause(grade(db, reference, student), student)
    assert found is not None and found.key == key


def test_the_join_type_from_the_rows_alone(visits_db: Path) -> None:
    from sqllab.grading.diagnosis import cause

    left = "SELECT m.name, v.spent FROM members AS m LEFT JOIN visits AS v ON v.member_id = m.id"
    inner = left.replace("LEFT JOIN", "JOIN")
    assert cause(grade(visits_db, inner, left), left).key == "join_left"          # (Cy, NULL) is extra
    assert cause(grade(visits_db, left, inner), inner).key == "join_inner"        # (Cy, NULL) is missing
    star = J.replace("COUNT(v.id)", "COUNT(*)")
    assert cause(grade(visits_db, J, star), star).key == "count_star_join"       # 1 where 0 is expected


@pytest.mark.parametrize("reference, student", [
    ("SELECT name FROM members WHERE city = 'Oslo' AND points >= 850", "SELECT name FROM members WHERE city = 'Oslo'"),
    ("SELECT city, COUNT(*) AS n FROM members WHERE city IS NOT NULL GROUP BY city",
     "SELECT city, COUNT(*) + 1 AS n FROM members WHERE city IS NOT NULL GROUP BY city"),
    (M + " ORDER BY points DESC, name", M + " ORDER BY city, name"),
])
def test_without_a_cause_sqllab_writes_no_sentence(db: Path, reference: str, student: str) -> None:
    from sqllab.grading.diagnosis import because, cause

    verdict = grade(db, reference, student)
    assert cause(verdict, student, reference) is None
    assert because(verdict, student, "en", reference) == because(verdict, student, "ja", reference) == ""


def test_a_limit_that_does_not_cut_is_not_blamed(db: Path) -> None:
    """LIMIT 5 on 3 rows where 4 are expected: the LIMIT keeps everything, the condition is at fault."""
    reference = "SELECT name FROM members WHERE points >= 850"
    student = "SELECT name FROM members WHERE points > 850 LIMIT 5"
    assert not any("LIMIT" in n for n in diagnose(grade(db, reference, student), student, "en", reference))


def test_every_cause_has_a_sentence_and_a_note_in_both_languages() -> None:
    from sqllab import i18n
    from sqllab.grading.diagnosis import CAUSES as KEYS

    for key in KEYS:
        for lang in ("en", "ja"):
            for prefix in ("feedback.because.", "feedback.cause."):
                assert i18n.catalog()[prefix + key][lang], (prefix, key, lang)
    assert {c[0] for c in CAUSES + JOINS} == set(KEYS) - {"null_extra_compared"}
