"""Explain: a query run clause by clause on real lesson databases.

Every count a step shows is checked against a COUNT(*) this file builds itself from the query
(by taking clauses *away* from the parsed query, where Explain builds its steps up), and the
last step against what the sandbox returns for the query.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from sqllab import i18n
from sqllab.content.exercises import all_bank_exercises
from sqllab.content.offline import generate_offline_dataset
from sqllab.db import load_dataset
from sqllab.errors import SQLLabError
from sqllab.grading.explain import Explanation, explain
from sqllab.sandbox import run_query

ORDER = ["WITH", "FROM", "JOIN", "WHERE", "GROUP BY", "HAVING", "WINDOW", "SELECT", "DISTINCT",
         "ORDER BY", "LIMIT"]


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], tuple[Path, object]]:
    out = {}
    for theme in ("shop", "school"):
        for lang in ("en", "ja"):
            ds = generate_offline_dataset(theme, lang=lang, seed=5)
            out[theme, lang] = (load_dataset(ds, tmp_path_factory.mktemp(f"{theme}-{lang}") / "lesson.db"), ds)
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- counts computed here, independently of Explain ------------------------------------------

def _one(db: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _with(tree: exp.Select) -> str:
    w = tree.args.get("with_")
    return w.sql(dialect="sqlite") + " " if w is not None else ""


def _without(tree: exp.Select, *clauses: str) -> exp.Select:
    q = tree.copy()
    q.set("with_", None)
    for c in clauses:
        q.set(c, None)
    return q


def _wrapped(db: Path, tree: exp.Select, query: exp.Expression) -> int:
    return _one(db, f"{_with(tree)}SELECT COUNT(*) FROM ({query.sql(dialect='sqlite')})")


def _from_text(tree: exp.Select, joins: int) -> str:
    text = "FROM " + tree.args["from_"].this.sql(dialect="sqlite")
    for j in (tree.args.get("joins") or [])[:joins]:
        text += " " + j.sql(dialect="sqlite")
    return text


def independent_count(db: Path, sql: str, step, joins_seen: int) -> int:
    """What ``step`` should count, from the query with clauses removed."""
    tree = sqlglot.parse_one(sql, read="sqlite")
    w = _with(tree)
    all_joins = len(tree.args.get("joins") or [])
    where = tree.args.get("where")
    where_text = f" WHERE {where.this.sql(dialect='sqlite')}" if where is not None else ""
    group = tree.args.get("group")
    clause = step.clause
    if clause == "WITH":
        return _one(db, f"{w}SELECT COUNT(*) FROM {step.detail['name']}")
    if clause == "FROM":
        return _one(db, f"{w}SELECT COUNT(*) {_from_text(tree, 0)}")
    if clause.endswith("JOIN"):
        return _one(db, f"{w}SELECT COUNT(*) {_from_text(tree, joins_seen)}")
    if clause == "WHERE":
        return _one(db, f"{w}SELECT COUNT(*) {_from_text(tree, all_joins)}{where_text}")
    if clause == "GROUP BY":
        return _one(db, f"{w}SELECT COUNT(*) FROM (SELECT 1 {_from_text(tree, all_joins)}{where_text} "
                        f"{group.sql(dialect='sqlite')})")
    if clause == "HAVING":
        grouping = f" {group.sql(dialect='sqlite')}" if group is not None else ""
        return _one(db, f"{w}SELECT COUNT(*) FROM (SELECT COUNT(*) {_from_text(tree, all_joins)}{where_text}"
                        f"{grouping} {tree.args['having'].sql(dialect='sqlite')})")
    if clause in ("SELECT", "WINDOW"):
        return _wrapped(db, tree, _without(tree, "distinct", "order", "limit", "offset"))
    if clause == "DISTINCT":
        return _wrapped(db, tree, _without(tree, "order", "limit", "offset"))
    if clause == "ORDER BY":
        return _wrapped(db, tree, _without(tree, "limit", "offset"))
    if clause == "LIMIT":
        return _wrapped(db, tree, _without(tree))
    if clause == "SUBQUERY":
        subs = [s for s in tree.find_all(exp.Select) if s is not tree and s.sql(dialect="sqlite") == step.detail["subquery"]]
        assert subs, f"the subquery of {step} is not one of the query's own"
        if not step.detail["correlated"]:
            return _one(db, f"{w}SELECT COUNT(*) FROM ({subs[0].sql(dialect='sqlite')})")
        if step.detail["location"] == "where":
            return _one(db, f"{w}SELECT COUNT(*) {_from_text(tree, all_joins)}")
        return _one(db, f"{w}SELECT COUNT(*) {_from_text(tree, all_joins)}{where_text}")
    raise AssertionError(f"unknown clause {clause}")


def check_steps(db: Path, sql: str, explanation: Explanation) -> list[str]:
    """Every way ``explanation`` could be wrong about ``sql`` on ``db``, as sentences."""
    problems = []
    if not explanation.ok or not explanation.steps:
        return [f"not explained: {explanation.message}"]
    result = run_query(db, sql)
    last = explanation.steps[-1]
    if last.rows != result.rows or last.row_count != len(result.rows) or last.columns != result.columns:
        problems.append(f"last step {last.clause} has {last.row_count} rows, the query gives {len(result.rows)}")
    joins = 0
    ranks = []
    for step in explanation.steps:
        if step.clause.endswith("JOIN"):
            joins += 1
        want = independent_count(db, sql, step, joins)
        if step.row_count != want:
            problems.append(f"{step.clause}: {step.row_count} rows, COUNT(*) says {want}")
        if not step.caption.strip() or not step.columns:
            problems.append(f"{step.clause}: no caption or no columns")
        if step.detail.get("condition_column") is None and step.clause not in ("SUBQUERY",) and \
                len(step.rows) != min(step.row_count, 1000):
            problems.append(f"{step.clause}: {len(step.rows)} rows kept of {step.row_count}")
        if step.clause != "SUBQUERY":
            ranks.append(ORDER.index("JOIN" if step.clause.endswith("JOIN") else step.clause))
    for i, step in enumerate(explanation.steps):     # a subquery comes just before the clause that uses it
        if step.clause == "SUBQUERY":
            after = next(s.clause for s in explanation.steps[i:] if s.clause != "SUBQUERY")
            used_by = {"where": ("WHERE",), "having": ("HAVING",), "select": ("WINDOW", "SELECT")}
            if after not in used_by.get(step.detail["location"], (after,)):
                problems.append(f"the subquery of {step.detail['location']} comes before {after}")
    if ranks != sorted(ranks):
        problems.append(f"steps out of SQL's order: {[s.clause for s in explanation.steps]}")
    return problems


# --- every bank query ----------------------------------------------------------------------

@pytest.mark.parametrize("theme", ["shop", "school"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_bank_reference_query_is_explained_exactly(dbs, theme: str, lang: str) -> None:
    db, ds = dbs[theme, lang]
    before = _sha(db)
    exercises = all_bank_exercises(ds, lang=lang, seed=5)
    problems, explained, refused = [], 0, 0
    for ex in exercises:
        explanation = explain(db, ex.reference_sql, lang=lang)
        if ex.topic == "modify":
            assert explanation.key == "explain.cannot.modify" and not explanation.steps, ex.reference_sql
            assert explanation.message == i18n.t("explain.cannot.modify", lang, keyword=ex.reference_sql.split()[0].upper())
            refused += 1
            continue
        problems += [f"{ex.id}: {p}\n    {ex.reference_sql}" for p in check_steps(db, ex.reference_sql, explanation)]
        if lang == "ja":
            assert all(i18n.has_japanese(s.caption) for s in explanation.steps), ex.reference_sql
        explained += 1
    assert not problems, "\n".join(problems)
    assert explained >= 50 and refused >= 5
    assert _sha(db) == before                     # Explain never writes


def test_the_count_check_can_fail(dbs) -> None:
    """The independent check finds a step that counts wrong (the check is not a tautology)."""
    db, _ = dbs["shop", "en"]
    sql = "SELECT name FROM customers WHERE points >= 500"
    explanation = explain(db, sql, lang="en")
    assert check_steps(db, sql, explanation) == []
    explanation.steps[1].row_count += 1
    assert any(p.startswith("WHERE") for p in check_steps(db, sql, explanation))


# --- typical mistakes ------------------------------------------------------------------------

def test_left_join_keeps_the_rows_a_join_drops(dbs) -> None:
    db, _ = dbs["shop", "en"]
    lonely = _one(db, "SELECT COUNT(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)")
    customers = _one(db, "SELECT COUNT(*) FROM customers")
    pairs = _one(db, "SELECT COUNT(*) FROM customers c JOIN orders o ON o.customer_id = c.id")
    assert lonely > 0
    inner = explain(db, "SELECT c.name, o.id FROM customers AS c JOIN orders AS o ON o.customer_id = c.id", lang="en")
    left = explain(db, "SELECT c.name, o.id FROM customers AS c LEFT JOIN orders AS o ON o.customer_id = c.id", lang="en")
    i, l = inner.steps[1], left.steps[1]
    assert (i.clause, l.clause) == ("JOIN", "LEFT JOIN")
    assert i.row_count == pairs and l.row_count == pairs + lonely
    assert i.detail["unmatched"] == l.detail["unmatched"] == lonely
    assert i.detail["matched"] == l.detail["matched"] == customers - lonely
    assert "dropped" in i.caption and f"{lonely} found none" in i.caption
    assert "NULL" in l.caption and "kept" in l.caption
    assert l.columns[:2] == ["c.id", "c.name"] and any(c.startswith("o.") for c in l.columns)
    nulls = [r for r in l.rows if all(v is None for v in r[len(l.columns) - 5:])]
    assert len(nulls) == lonely                   # their right-hand columns are NULL
    assert any("once per match" in n for n in i.notes)    # orders per customer: rows repeated


def test_equals_null_keeps_no_row_and_says_why(dbs) -> None:
    for lang in ("en", "ja"):
        db, _ = dbs["shop", lang]
        total = _one(db, "SELECT COUNT(*) FROM customers")
        e = explain(db, "SELECT name FROM customers WHERE city = NULL", lang=lang)
        where = e.steps[1]
        assert where.clause == "WHERE" and where.row_count == 0
        assert where.detail["unknown"] == total and where.detail["dropped"] == 0
        assert all(r[-1] is None for r in where.rows) and where.columns[-1] == "WHERE city = NULL"
        assert any("IS NULL" in n for n in where.notes)
        assert e.steps[-1].row_count == 0 and e.steps[-1].rows == []


def test_where_drops_rows_where_the_condition_is_null(dbs) -> None:
    db, _ = dbs["shop", "en"]
    missing = _one(db, "SELECT COUNT(*) FROM customers WHERE city IS NULL")
    city = _one(db, "SELECT city FROM customers WHERE city IS NOT NULL LIMIT 1")
    others = _one(db, f"SELECT COUNT(*) FROM customers WHERE city <> '{city}'")
    assert missing > 0
    e = explain(db, f"SELECT name FROM customers WHERE city <> '{city}'", lang="en")
    where = e.steps[1]
    assert where.row_count == others and where.detail["unknown"] == missing
    assert any("NULL (unknown)" in n and "dropped too" in n for n in where.notes)
    page = e._repr_html_()
    assert 'data-sqllab="explain-unknown"' in page and "dropped: unknown" in page
    assert 'data-sqllab="explain-kept"' in page and 'data-sqllab="explain-dropped"' in page


@pytest.fixture
def scores(tmp_path: Path) -> Path:
    path = tmp_path / "scores.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE scores (id INTEGER PRIMARY KEY, name TEXT, score INTEGER)")
    conn.executemany("INSERT INTO scores VALUES (?, ?, ?)",
                     [(1, "Ann", 90), (2, "Ben", 80), (3, "Cy", 80), (4, "Dee", 70), (5, "Eve", None)])
    conn.commit()
    conn.close()
    return path


def test_limit_through_a_tie_is_flagged(scores: Path) -> None:
    e = explain(scores, "SELECT name, score FROM scores ORDER BY score DESC LIMIT 2", lang="en")
    limit = e.steps[-1]
    assert limit.clause == "LIMIT" and limit.row_count == 2 and limit.detail["tie"] and limit.detail["tie_at"] == 2
    assert any("rows 2 and 3" in n and "(80)" in n for n in limit.notes)
    assert check_steps(scores, "SELECT name, score FROM scores ORDER BY score DESC LIMIT 2", e) == []
    broken = explain(scores, "SELECT name, score FROM scores ORDER BY score DESC, id LIMIT 2", lang="en")
    assert not broken.steps[-1].detail["tie"] and not broken.steps[-1].notes
    offset = explain(scores, "SELECT name FROM scores ORDER BY score DESC LIMIT 2 OFFSET 2", lang="ja")
    assert offset.steps[-1].detail["tie"] and "同じ" in offset.steps[-1].notes[0]
    assert "3 行目から 4 行目" in offset.steps[-1].caption
    alias = explain(scores, "SELECT name, score AS s FROM scores ORDER BY s DESC LIMIT 1 OFFSET 1", lang="en")
    assert alias.steps[-1].detail["tie"]
    unordered = explain(scores, "SELECT name FROM scores LIMIT 2", lang="en")
    assert any("no ORDER BY" in n for n in unordered.steps[-1].notes)


def test_group_by_having_distinct_and_nulls(scores: Path) -> None:
    sql = "SELECT score, COUNT(*) AS n FROM scores GROUP BY score HAVING COUNT(*) >= 1 ORDER BY n DESC"
    e = explain(scores, sql, lang="en")
    assert [s.clause for s in e.steps] == ["FROM", "GROUP BY", "HAVING", "SELECT", "ORDER BY"]
    group = e.steps[1]
    assert group.row_count == 4 and sorted(group.rows, key=str) == sorted([(90, 1), (80, 2), (70, 1), (None, 1)], key=str)
    assert any("NULL form one group" in n for n in group.notes)
    assert e.steps[2].detail == {"kept": 4, "dropped": 0, "unknown": 0, "total": 4, "condition_column": 2}
    assert check_steps(scores, sql, e) == []
    d = explain(scores, "SELECT DISTINCT score FROM scores", lang="en")
    assert d.steps[-1].clause == "DISTINCT" and d.steps[-1].detail["removed"] == 1


def test_subqueries_ctes_and_windows(scores: Path) -> None:
    sql = ("WITH top AS (SELECT * FROM scores WHERE score >= 80) "
           "SELECT name, score, RANK() OVER (PARTITION BY score > 80 ORDER BY name) AS r FROM top "
           "WHERE score = (SELECT MAX(score) FROM top) OR id IN (SELECT id FROM scores WHERE name LIKE 'C%')")
    e = explain(scores, sql, lang="en")
    assert [s.clause for s in e.steps] == ["WITH", "FROM", "SUBQUERY", "SUBQUERY", "WHERE", "WINDOW", "SELECT"]
    assert e.steps[0].row_count == 3 and "top" in e.steps[0].caption
    assert "gives 90" in e.steps[2].caption and e.steps[3].detail["kind"] == "in"
    window = e.steps[5]
    assert window.detail["partitions"] == 2 and window.columns[:2] == ["PARTITION BY score > 80", "ORDER BY name"]
    assert check_steps(scores, sql, e) == []
    correlated = ("SELECT name FROM scores AS a WHERE score > (SELECT AVG(score) FROM scores AS b "
                  "WHERE b.id <> a.id)")
    c = explain(scores, correlated, lang="en")
    sub = c.steps[1]
    assert sub.clause == "SUBQUERY" and sub.detail["correlated"] and sub.row_count == 5
    assert "for each of the 5 row(s)" in sub.caption
    assert check_steps(scores, correlated, c) == []
    not_in = explain(scores, "SELECT name FROM scores WHERE score NOT IN (SELECT score FROM scores WHERE id > 3)", lang="en")
    assert any("contains NULL" in n for n in not_in.steps[1].notes) and not_in.steps[-1].row_count == 0


# --- what it refuses -----------------------------------------------------------------------

def test_what_cannot_be_split_gets_a_clear_message(dbs) -> None:
    db, _ = dbs["shop", "ja"]
    before = _sha(db)
    union = explain(db, "SELECT name FROM customers UNION SELECT name FROM products", lang="ja")
    assert union.key == "explain.cannot.compound" and "UNION" in union.message and not union.steps
    write = explain(db, "DELETE FROM orders", lang="en")
    assert write.key == "explain.cannot.modify" and "DELETE" in write.message
    other = explain(db, "DROP TABLE orders", lang="en")
    assert other.key == "explain.cannot.other"
    for bad in ("SELEC name FROM customers", "SELECT nmae FROM customers", "SELECT 1; SELECT 2", ""):
        with pytest.raises(SQLLabError) as raised:
            run_query(db, bad, lang="ja")
        got = explain(db, bad, lang="ja")
        assert got.message == raised.value.message_in("ja") and not got.steps, bad   # the sandbox's own words
        assert "Traceback" not in got._repr_html_() and 'data-sqllab="explain-refused"' in got._repr_html_()
    assert _sha(db) == before


# --- the notebook: the card's button and the magic ---------------------------------------------

def test_the_explain_button_of_a_card(tmp_path: Path) -> None:
    from sqllab.notebook import widgets
    from sqllab.notebook.lesson import Lesson
    from sqllab.notebook.progress import ProgressStore

    lesson = Lesson("02_where", lang="en", seed=11, student_id="amy", n_exercises=3, llm="offline",
                    progress=ProgressStore(tmp_path / "progress.db"), work_dir=tmp_path / "work")
    card = widgets.exercises(lesson).cards[0]
    assert "sqllab-explain" in card.explain_button._dom_classes
    assert "sqllab-explain-output" in card.explanation._dom_classes
    card.editor.value = card.exercise.reference_sql
    card.explain_button.click()
    page = card.explanation.value
    assert 'data-sqllab="explain"' in page and 'data-clause="WHERE"' in page and 'data-clause="SELECT"' in page
    assert page == lesson.explain(card.exercise.reference_sql)._repr_html_()
    card.editor.value = "SELECT * FROM nowhere_at_all"
    card.explain_button.click()
    assert 'data-sqllab="explain-refused"' in card.explanation.value and "Traceback" not in card.explanation.value
    card.editor.value = "   "
    card.explain_button.click()
    assert 'data-sqllab="msg-muted"' in card.explanation.value


def test_explain_in_japanese_from_the_lesson(tmp_path: Path) -> None:
    from sqllab.notebook.lesson import Lesson
    from sqllab.notebook.progress import ProgressStore

    lesson = Lesson("04_aggregate", lang="ja", llm="offline", progress=ProgressStore(tmp_path / "p.db"),
                    work_dir=tmp_path / "work")
    t = lesson.names
    e = lesson.explain(f"SELECT {t.group}, COUNT(*) FROM {t.table} GROUP BY {t.group}")
    assert [s.clause for s in e.steps] == ["FROM", "GROUP BY", "SELECT"]
    assert all(i18n.has_japanese(s.caption) for s in e.steps)
    assert i18n.t("explain.title", "ja") in e._repr_html_()


@pytest.fixture(scope="module")
def shell():
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or get_ipython()


def test_the_explain_magic(shell, tmp_path: Path) -> None:
    from sqllab.notebook.lesson import Lesson
    from sqllab.notebook.progress import ProgressStore

    lesson = Lesson("02_where", lang="en", llm="offline", progress=ProgressStore(tmp_path / "p.db"),
                    work_dir=tmp_path / "work")
    lesson.bind_sql(shell=shell)
    t = lesson.names
    sql = f"SELECT {t.key} FROM {t.table} WHERE {t.nullable} IS NULL"
    cell = shell.run_cell("%%explain\nSELECT {t.key} FROM {t.table} WHERE {t.nullable} IS NULL")
    assert cell.success and isinstance(cell.result, Explanation)
    assert [s.clause for s in cell.result.steps] == ["FROM", "WHERE", "SELECT"]
    assert cell.result.steps[-1].rows == run_query(lesson.db_path, sql).rows
    line = shell.run_cell("%explain SELECT COUNT(*) FROM {t.table}")
    assert line.success and line.result.steps[-1].rows == run_query(lesson.db_path, f"SELECT COUNT(*) FROM {t.table}").rows
    bad = shell.run_cell("%%explain\nUPDATE {t.table} SET {t.number} = 0")
    assert bad.success and bad.result.key == "explain.cannot.modify"
    assert "<ol" in cell.result._repr_html_()
