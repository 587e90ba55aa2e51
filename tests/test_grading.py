"""The grader on real SQLite files: a labeled set of equivalent rewrites and coincidental traps.

Every answer in ``tests/data/grading_cases.yaml`` returns the reference's result on the visible
database (checked below with a one-database compare), so each trap the grader catches was
caught by a hidden variant database.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import yaml

from sqllab import grading
from sqllab.compare import Expected, compare, make_expected, order_spec
from sqllab.grading import Grader, grade, grade_many, grader_for

DATA = Path(__file__).parent / "data"
CASES = yaml.safe_load((DATA / "grading_cases.yaml").read_text(encoding="utf-8"))
SCHEMAS = ("hr", "shop_ja", "school")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def dbs(tmp_path_factory) -> dict[str, Path]:
    out = {}
    root = tmp_path_factory.mktemp("lessons")
    for name in SCHEMAS:
        path = root / f"{name}.db"
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA foreign_keys = ON")
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


def _labeled():
    for case in CASES:
        for answer in case["answers"]:
            yield case["schema"], case["reference"], answer["sql"], answer["correct"], answer["note"]


def test_labeled_set_accepts_every_rewrite_and_catches_the_traps(dbs, capsys):
    checksums = {name: _sha(path) for name, path in dbs.items()}
    rejected_correct, caught, missed = [], [], []
    for schema, reference, answer, correct, note in _labeled():
        plain = Grader(dbs[schema], reference, max_variants=0).grade(answer)
        assert plain.correct, f"not right on the visible data, so the case proves nothing: {note}: {plain.message}"
        verdict = grade(dbs[schema], reference, answer, lang="en")
        if correct and not verdict.correct:
            rejected_correct.append(f"{note}: {answer}\n{verdict.message}")
        elif not correct:
            (caught if not verdict.correct else missed).append(note)
            if not verdict.correct:
                assert verdict.status == "wrong_result"
                assert verdict.diff is not None and verdict.diff.variant != "visible"
    traps = len(caught) + len(missed)
    rate = len(caught) / traps
    with capsys.disabled():
        print(f"\n[grading] correct answers rejected: {len(rejected_correct)}; "
              f"traps caught: {len(caught)}/{traps} = {rate:.0%}; missed: {missed}")
    assert not rejected_correct, "\n\n".join(rejected_correct)
    assert traps >= 20 and rate >= 0.9
    assert {name: _sha(path) for name, path in dbs.items()} == checksums


def test_hidden_variant_verdict_explains_without_the_reference(dbs):
    reference = "SELECT name FROM employees WHERE salary >= 600"
    verdict = grade(dbs["hr"], reference, "SELECT name FROM employees WHERE salary > 600", lang="en")
    assert not verdict.correct and verdict.status == "wrong_result"
    diff = verdict.diff
    assert diff.variant == "boundary" and diff.kind == "missing_rows"
    assert diff.missing_rows == diff.expected_rows - diff.got_rows > 0
    example = diff.counterexample
    assert example is not None and example.inputs and example.inputs[0].name == "employees"
    assert all(row[3] == 600 for row in example.inputs[0].rows)        # the boundary rows themselves
    assert example.expected.rows and not example.got.rows
    ja = verdict.message_in("ja")
    assert ja and ja != verdict.message and "境界" in ja
    for text in (verdict.message, ja, verdict.model_dump_json()):
        assert reference not in text and ">= 600" not in text


def test_japanese_identifiers_appear_in_japanese_message(dbs):
    verdict = grade(dbs["shop_ja"], "SELECT o.注文ID FROM 注文 o JOIN 顧客 c ON c.顧客ID = o.顧客ID "
                                   "WHERE c.氏名 = '田中 太郎'", "SELECT 注文ID FROM 注文 WHERE 顧客ID = 1", lang="ja")
    assert verdict.status == "wrong_result" and verdict.diff.variant != "visible"
    assert "テーブル 顧客 の行" in verdict.message or "テーブル 注文 の行" in verdict.message
    assert "見えているデータでは正しい結果になりますが" in verdict.message
    assert verdict.diff.counterexample.expected.columns == ["注文ID"]
    assert verdict.message_in("en") != verdict.message


@pytest.mark.parametrize("answer, status", [
    ("SELEC name FROM employees", "error"),
    ("SELECT nme FROM employees", "error"),
    ("DELETE FROM employees", "forbidden"),
    ("DROP TABLE employees", "forbidden"),
    ("SELECT 1; SELECT 2", "error"),
    ("", "error"),
    ("WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r", "timeout"),
    ("SELECT name FROM employees WHERE salary > 600", "wrong_result"),
    ("SELECT name, salary FROM employees WHERE salary >= 600", "wrong_result"),
])
def test_bad_answers_give_a_verdict_never_an_exception(dbs, answer, status):
    before = _sha(dbs["hr"])
    verdict = grade(dbs["hr"], "SELECT name FROM employees WHERE salary >= 600", answer, lang="ja", timeout_s=0.3)
    assert verdict.status == status and not verdict.correct
    assert verdict.message and verdict.message_in("en") and verdict.message != verdict.message_in("en")
    assert _sha(dbs["hr"]) == before


def test_column_count_and_order_are_reported(dbs):
    ref = "SELECT name, salary FROM employees"
    wrong_count = grade(dbs["hr"], ref, "SELECT name FROM employees")
    assert wrong_count.diff.kind == "column_count" and wrong_count.diff.variant == "visible"
    assert (wrong_count.diff.expected_columns, wrong_count.diff.got_columns) == (2, 1)
    swapped = grade(dbs["hr"], ref, "SELECT salary, name FROM employees")
    assert swapped.diff.kind == "column_order"


def test_modify_verdict_names_the_table(dbs):
    before = _sha(dbs["hr"])
    verdict = grade(dbs["hr"], "UPDATE employees SET salary = salary + 50 WHERE salary < 600",
                    "UPDATE employees SET salary = salary + 50 WHERE salary < 500")
    assert verdict.status == "wrong_result" and verdict.diff.table == "employees"
    assert verdict.diff.missing_rows == verdict.diff.extra_rows > 0
    select_in_modify = grade(dbs["hr"], "DELETE FROM employees WHERE name = 'Heidi'", "SELECT * FROM employees")
    assert select_in_modify.status == "forbidden"
    assert _sha(dbs["hr"]) == before


def test_variants_are_built_once_per_database_and_reference(dbs, tmp_path):
    ref = "SELECT name FROM employees WHERE salary >= 600"
    grader = grader_for(dbs["hr"], ref)
    assert grader_for(dbs["hr"], ref) is grader
    answers = ["SELECT name FROM employees WHERE salary > 599", "SELECT name FROM employees WHERE salary > 600"]
    many = grade_many(dbs["hr"], ref, answers)
    assert [v.correct for v in many] == [True, False]
    assert grader_for(dbs["hr"], ref) is grader
    copy = tmp_path / "copy.db"
    copy.write_bytes(dbs["hr"].read_bytes())
    assert grader_for(copy, ref) is grader                      # same checksum, same variants
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE employees SET salary = 600 WHERE id = 2")
    assert grader_for(copy, ref) is not grader


def test_variants_are_deterministic_small_and_valid(dbs):
    ref = "SELECT d.name, COUNT(e.id) FROM departments d LEFT JOIN employees e ON e.dept_id = d.id GROUP BY d.id"
    a, b = Grader(dbs["hr"], ref), Grader(dbs["hr"], ref)
    assert a.variant_kinds == b.variant_kinds and 3 <= len(a.variant_kinds) <= 12
    for case_a, case_b in zip(a.cases, b.cases):
        assert case_a.conn.serialize() == case_b.conn.serialize()
    schema_sql = (DATA / "hr.sql").read_text(encoding="utf-8").split("INSERT")[0]
    for case in a.cases[1:]:
        conn = case.conn
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM employees").fetchone()[0] <= 40
        # every row satisfies PK/UNIQUE/NOT NULL/CHECK/FK: reload it into the declared schema
        fresh = sqlite3.connect(":memory:")
        fresh.executescript(schema_sql)
        fresh.execute("PRAGMA foreign_keys = ON")
        with fresh:
            fresh.execute("PRAGMA defer_foreign_keys = ON")
            for table in ("departments", "employees"):
                rows = conn.execute(f"SELECT * FROM {table}").fetchall()
                if rows:
                    fresh.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        fresh.close()
    a.close()
    b.close()


def test_reference_that_does_not_run_is_an_instructor_error(dbs):
    from sqllab.errors import QueryError

    with pytest.raises(QueryError) as info:
        grade(dbs["hr"], "SELECT nme FROM employees", "SELECT name FROM employees")
    assert "name" in info.value.message_in("en") and info.value.message_in("ja") != info.value.message_in("en")


# --- comparison semantics ----------------------------------------------------------------

def _expected(sql: str, columns: list[str], rows: list[tuple], full: list[tuple] | None = None) -> Expected:
    return make_expected(columns, rows, order_spec(sql), full)


def test_multiset_semantics():
    exp = _expected("SELECT a, b FROM t", ["a", "b"], [(1, None), (2, "x"), (2, "x")])
    assert compare(exp, ["x", "y"], [(2, "x"), (1, None), (2, "x")]) is None          # names, order ignored
    assert compare(exp, ["a", "b"], [(2, "x"), (1, None)]).kind == "duplicates"
    assert compare(exp, ["a", "b"], [(2, "X"), (1, None), (2, "x")]) is not None       # case-sensitive
    assert compare(exp, ["a", "b"], [(2.0000000001, "x"), (1, None), (2, "x")]) is None  # float tolerance
    assert compare(exp, ["a", "b"], [(2.1, "x"), (1, None), (2, "x")]).kind == "value"
    nulls = compare(exp, ["a", "b"], [(1, "x"), (2, "x"), (2, "x")])
    assert "null_handling" in nulls.kinds


def test_ordering_with_ties_and_limit():
    sql = "SELECT name, score FROM t ORDER BY score DESC"
    exp = _expected(sql, ["name", "score"], [("a", 9), ("b", 7), ("c", 7), ("d", 5)])
    assert compare(exp, ["n", "s"], [("a", 9), ("c", 7), ("b", 7), ("d", 5)]) is None   # tie in any order
    assert compare(exp, ["n", "s"], [("b", 7), ("a", 9), ("c", 7), ("d", 5)]).kind == "ordering"
    # LIMIT cutting through a tie: any of the tied rows will do
    limited = "SELECT name, score FROM t ORDER BY score DESC LIMIT 2"
    full = [("a", 9), ("b", 7), ("c", 7), ("d", 5)]
    exp = _expected(limited, ["name", "score"], [("a", 9), ("b", 7)], full)
    assert compare(exp, ["n", "s"], [("a", 9), ("c", 7)]) is None
    assert compare(exp, ["n", "s"], [("a", 9), ("d", 5)]) is not None
    # ORDER BY a column that is not selected: its values come from the appended key column
    spec = order_spec("SELECT name FROM t ORDER BY score")
    assert spec.extra == 1 and "__sqllab_k0" in spec.key_sql


@pytest.mark.parametrize("theme, lang", [("shop", "ja"), ("school", "en")])
def test_bank_references_are_accepted_on_their_own_variants(tmp_path, theme, lang):
    """Real lesson files (offline dataset + load_dataset): the reference itself must always pass."""
    from sqllab import db, exercises, offline

    dataset = offline.generate_offline_dataset(theme, lang=lang, seed=11, difficulty="medium")
    path = db.load_dataset(dataset, tmp_path / "lesson.db")
    bank = exercises.all_bank_exercises(dataset, lang=lang, seed=11)
    assert len(bank) >= 8 * 8
    rejected = []
    for exercise in bank:
        verdict = grade(path, exercise.reference_sql, exercise.reference_sql, lang=lang)
        if not verdict.correct:
            rejected.append(f"{exercise.id}: {verdict.message}")
    assert not rejected, "\n".join(rejected)
