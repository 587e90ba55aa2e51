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

from sqllab.grading import grader as grading
from sqllab.grading.compare import Expected, compare, make_expected, order_spec
from sqllab.grading import Grader, grade, grade_many, grader_for

DATA = Path(__file__).parent / "data"
CASES = (yaml.safe_load((DATA / "grading_cases.yaml").read_text(encoding="utf-8"))
         + yaml.safe_load((DATA / "grading_corpus.yaml").read_text(encoding="utf-8")))
SCHEMAS = ("hr", "shop_ja", "school", "events", "library_ja", "clinic_ja", "inventory")
MIN_CATCH = 0.95


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
            yield case["schema"], case["reference"], answer


def test_labeled_corpus_is_large_and_covers_every_class():
    answers = [a for _, _, a in _labeled()]
    traps = [a for a in answers if not a["correct"]]
    classes = {a.get("class", "unlabeled") for a in traps}
    assert len(answers) >= 200 and len({s for s, _, _ in _labeled()}) == len(SCHEMAS)
    assert {"case", "near_text", "dates", "open_end", "duplicates", "union_shared", "null_groups",
            "several_matches", "proxy", "equal_pairs", "limit_ties", "null_concat", "vanishing", "nulls",
            "plain"} <= classes
    assert sum(a["correct"] for a in answers) >= 80
    assert sum(1 for s, _, _ in _labeled() if s in ("shop_ja", "library_ja")) >= 50     # Japanese names and text


def test_labeled_set_accepts_every_rewrite_and_catches_the_traps(dbs, capsys):
    """0 false rejections; per class of trap at least 95% caught; plainly wrong answers caught on the visible data."""
    checksums = {name: _sha(path) for name, path in dbs.items()}
    rejected_correct: list[str] = []
    per_class: dict[str, list[bool]] = {}
    missed: list[str] = []
    for schema, reference, answer in _labeled():
        sql, note = answer["sql"], answer["note"]
        plain = Grader(dbs[schema], reference, max_variants=0).grade(sql)
        if answer.get("visible") == "wrong":
            assert not plain.correct, f"plainly wrong answer accepted on the visible data: {note}"
        else:
            assert plain.correct, f"not right on the visible data, so the case proves nothing: {note}: {plain.message}"
        verdict = grade(dbs[schema], reference, sql, lang="en")
        if answer["correct"]:
            if not verdict.correct:
                rejected_correct.append(f"{note}: {sql}\n{verdict.message}")
            continue
        cls = answer.get("class", "legacy")
        per_class.setdefault(cls, []).append(not verdict.correct)
        if verdict.correct:
            missed.append(f"[{cls}] {note}")
        elif answer.get("visible") != "wrong":
            assert verdict.status in ("wrong_result", "error")
            assert verdict.diff is not None and verdict.diff.variant != "visible"
            assert verdict.strength.hidden_databases == verdict.variants_checked > 0
    rates = {cls: sum(hits) / len(hits) for cls, hits in per_class.items()}
    with capsys.disabled():
        print(f"\n[grading] correct answers rejected: {len(rejected_correct)}; traps caught per class: "
              + ", ".join(f"{c} {sum(per_class[c])}/{len(per_class[c])}" for c in sorted(per_class))
              + (f"; missed: {missed}" if missed else ""))
    assert not rejected_correct, "\n\n".join(rejected_correct)
    assert rates.pop("plain") == 1.0
    low = {cls: rate for cls, rate in rates.items() if rate < MIN_CATCH}
    assert not low, f"classes caught below {MIN_CATCH:.0%}: {low}; missed: {missed}"
    assert {name: _sha(path) for name, path in dbs.items()} == checksums


def test_hidden_variant_verdict_explains_without_the_reference(dbs):
    reference = "SELECT name FROM employees WHERE salary >= 600"
    verdict = grade(dbs["hr"], reference, "SELECT name FROM employees WHERE salary > 600", lang="en")
    assert not verdict.correct and verdict.status == "wrong_result"
    diff = verdict.diff
    assert diff.variant == "boundary" and diff.kind in ("missing_rows", "duplicates")
    assert diff.missing_rows == diff.expected_rows - diff.got_rows > 0
    example = diff.counterexample
    assert example is not None and [s.name for s in example.inputs] == ["employees", "departments"]
    employees = example.inputs[0].rows
    managers = {row[4] for row in employees}
    assert any(row[3] == 600 for row in employees)                     # a boundary row itself,
    assert all(row[3] == 600 or row[0] in managers for row in employees)   # and the manager it references
    assert {row[2] for row in employees} == {row[0] for row in example.inputs[1].rows}   # their departments
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
    assert a.variant_kinds == b.variant_kinds and 3 <= len(a.variant_kinds) <= grading.MAX_VARIANTS
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
    from sqllab import db
    from sqllab.content import exercises, offline

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


# --- strength, mutants, value neighbours ---------------------------------------------------

def test_verdict_says_how_strong_it_is_in_both_languages(dbs):
    ref = "SELECT name FROM employees WHERE salary >= 600"
    right = grade(dbs["hr"], ref, "SELECT name FROM employees WHERE salary > 599", lang="en")
    n = right.strength.hidden_databases
    assert right.correct and n == right.variants_checked >= 10
    assert f"Checked on the visible data and {n} hidden databases." in right.message
    assert f"見えているデータと {n} 個の非公開データベースで確認しました。" in right.message_in("ja")
    assert right.strength.mutants >= right.strength.mutants_told_apart > 0
    wrong_visible = grade(dbs["hr"], ref, "SELECT name FROM employees WHERE salary > 700", lang="ja")
    assert wrong_visible.strength.hidden_databases == 0 and "見えているデータで確認しました。" in wrong_visible.message
    wrong_hidden = grade(dbs["hr"], ref, "SELECT name FROM employees WHERE salary > 600", lang="en")
    assert wrong_hidden.strength.hidden_databases == n and f"{n} hidden databases" in wrong_hidden.message


def test_check_cli_json_reports_the_strength(dbs):
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "sqllab", "check", "--db", str(dbs["school"]), "--json", "--lang", "ja",
                          "--reference", "SELECT name FROM students WHERE class = 'A'",
                          "--answer", "SELECT name FROM students WHERE class IN ('A')"],
                         capture_output=True, text=True, timeout=120)
    verdict = json.loads(out.stdout)
    assert verdict["correct"] and verdict["strength"]["hidden_databases"] > 0
    assert "非公開データベース" in verdict["strength"]["text"]


def test_mutants_cover_the_error_classes():
    from sqllab.grading.mutants import CLASSES, mutants

    references = [
        "SELECT d.name, COUNT(e.id) FROM departments d LEFT JOIN employees e ON e.dept_id = d.id AND e.salary > 5 "
        "WHERE d.city LIKE 'T%' AND e.x IS NOT NULL GROUP BY d.id, d.name ORDER BY 2 DESC, 1 LIMIT 2",
        "SELECT city FROM a UNION SELECT city FROM b",
        "SELECT name FROM e WHERE hired BETWEEN '2020-01-01' AND '2020-12-31' AND x IN (SELECT y FROM u) "
        "AND EXISTS (SELECT 1 FROM u WHERE u.a = e.a) AND COALESCE(c, 0) > SUM(z) AND lower(n) = 'x' OR NOT q",
        "SELECT a FROM t INTERSECT SELECT b FROM u",
    ]
    found = {m.cls for sql in references for m in mutants(sql)}
    assert found == set(CLASSES)
    for sql in references:
        texts = [m.sql for m in mutants(sql)]
        assert len(texts) == len(set(texts)) and sql not in texts


def test_value_neighbours_stay_in_the_column_format():
    from sqllab.grading.boundaries import (date_neighbours, like_instances, text_format, text_neighbours, unit_values)

    assert {"が", "カ", "お"} <= set(text_neighbours("か"))            # voiced kana and the other script
    assert {"tokyo", "TOKYO", "Tokyo ", "Toky", "Tokyoo"} <= set(text_neighbours("Tokyo"))
    assert "ご~" in text_neighbours("さ") or "ご\uff5e" in text_neighbours("さ")   # just below an exclusive bound
    assert text_format(["2024-01-05", "2024-02-29"]) == "date"
    assert text_format(["2024-01-05 10:00:00"]) == "datetime"
    days = date_neighbours("2024-02", "date")
    assert {"2024-02-01", "2024-02-29", "2024-01-31", "2024-03-01"} <= set(days)
    assert all(len(d) == 10 for d in date_neighbours("2024-03-15", "date"))
    assert "2023-12-31 23:59:59" in date_neighbours("2024-01-01", "datetime")
    assert "2024-05-21 18:00:00" in unit_values("2024-05-21 12:10:00", 18, "datetime")
    assert like_instances("%an")[0] == "an"


def test_new_variant_kinds_are_valid_under_the_constraints(dbs):
    """Every kept variant of references on each schema reloads into the declared schema."""
    references = {
        "events": "SELECT e.title, SUM(t.paid) FROM events e JOIN tickets t ON t.event_id = e.id "
                  "WHERE e.starts_at >= '2024-04-01' GROUP BY e.id",
        "library_ja": "SELECT 書名 FROM 本 WHERE 著者ID IN (SELECT 著者ID FROM 著者 WHERE よみ >= 'か' AND よみ < 'さ')",
        "school": "SELECT student_id, AVG(score) FROM scores GROUP BY student_id HAVING COUNT(*) >= 2",
        "shop_ja": "SELECT 都道府県 FROM 顧客 UNION SELECT カテゴリ FROM 商品",
    }
    kinds: set[str] = set()
    for schema, ref in references.items():
        grader = Grader(dbs[schema], ref)
        ddl = (DATA / f"{schema}.sql").read_text(encoding="utf-8").split("INSERT")[0]
        for case in grader.cases[1:]:
            kinds.add(case.name)
            conn = case.conn
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            fresh = sqlite3.connect(":memory:")
            fresh.executescript(ddl)
            with fresh:
                fresh.execute("PRAGMA defer_foreign_keys = ON")
                tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                for table in tables:
                    rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
                    if rows:
                        fresh.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(rows[0]))})', rows)
            fresh.close()
        grader.close()
    assert {"near_text", "date_boundaries", "null_groups", "twins", "shuffled", "union_shared",
            "several_matches", "duplicate_rows", "empty_tables"} <= kinds


def test_counterexample_is_shrunk_to_the_rows_that_matter(dbs):
    verdict = grade(dbs["hr"], "SELECT name FROM departments WHERE city = 'Osaka'",
                    "SELECT name FROM departments WHERE city LIKE 'Osaka'", lang="en")
    assert verdict.status == "wrong_result" and verdict.diff.variant in ("near_text", "case")
    inputs = verdict.diff.counterexample.inputs
    assert [s.name for s in inputs] == ["departments"] and len(inputs[0].rows) == 1
    city = inputs[0].rows[0][2]
    assert city != "Osaka" and city.lower() == "osaka"                       # the case flip, nothing else
    assert verdict.diff.counterexample.got.rows == [[inputs[0].rows[0][1]]]


def test_other_rows_are_not_called_a_wrong_value_and_nulls_elsewhere_are_not_the_cause() -> None:
    """A reversed sort under LIMIT gives *other* rows (missing and extra), not "a wrong value in
    some column"; a row with one changed cell is a wrong value; "involves NULL" only when a NULL
    stands where the other side has a value, not when both sides carry the same NULLs."""
    cols = ["id", "name", "points"]
    top = [(7, "Ann", 900), (3, "Bo", 800), (5, "Cy", 700)]
    bottom = [(1, "Di", 100), (2, "Ed", 200), (4, "Fa", 300)]
    diff = compare(Expected(cols, top), cols, bottom)
    assert "value" not in diff.kinds and {"missing_rows", "extra_rows"} <= set(diff.kinds)
    changed = compare(Expected(cols, top), cols, [(7, "Ann", 900), (3, "Bo", 801), (5, "Cy", 700)])
    assert changed.kinds[0] == "value"
    outer = ["id", "name", "child"]             # NULLs of an outer join on both sides; names differ
    diff = compare(Expected(outer, [(1, "", None), (2, "x", None)]), outer, [(1, " ", None), (2, "x", None)])
    assert "null_handling" not in diff.kinds and diff.kinds[0] == "value"
    diff = compare(Expected(outer, [(1, "a", 5)]), outer, [(1, "a", None)])
    assert "null_handling" in diff.kinds
