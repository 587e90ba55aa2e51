"""**Try it**: the small database of a wrong answer, loaded into the practice copy (real SQLite
files, the real exercise card driven as a student would, a real IPython shell for ``%sql``)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest

from sqllab import i18n, sandbox
from sqllab.errors import ConfigError, SQLLabError
from sqllab.grading import grader as grading
from sqllab.grading.compare import compare, make_expected, order_spec
from sqllab.notebook import lesson as lesson_module
from sqllab.notebook import widgets
from sqllab.notebook.lesson import Lesson
from sqllab.notebook.progress import ProgressStore
from sqllab.notebook.tryit import TriedExample


def make_lesson(tmp_path: Path, lang: str) -> Lesson:
    return Lesson("02_where", lang=lang, seed=0, student_id="amy", n_exercises=3, llm="offline",
                  progress=ProgressStore(tmp_path / "progress.db"), work_dir=tmp_path / "work")


def hardcoded(lesson: Lesson, exercise) -> str:
    """An answer that types the visible result in as constants: right on the lesson's data only."""
    reference = exercise.reference_sql
    head = reference.split(" WHERE ")[0]
    column = head.split("SELECT ", 1)[1].split(",")[0].split(" FROM ")[0].strip()
    values = [row[0] for row in sandbox.run_query(lesson.db_path, reference).rows]
    listed = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
    return f"{head} WHERE {column} IN ({listed})"


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def rows(path: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f'SELECT * FROM "{table}"').fetchall()
    finally:
        conn.close()


def wrong_on_hidden(tmp_path: Path, lang: str):
    lesson = make_lesson(tmp_path, lang)
    card = widgets.exercises(lesson).cards[0]
    card.editor.value = hardcoded(lesson, card.exercise)
    card.check_button.click()
    verdict = card.last_verdict
    assert verdict is not None and not verdict.correct and verdict.diff.variant != "visible"
    return lesson, card, verdict


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_try_it_loads_the_counterexample_into_the_practice_copy_never_the_lesson_database(tmp_path, lang):
    lesson, card, verdict = wrong_on_hidden(tmp_path, lang)
    example = verdict.diff.counterexample
    sql = card.editor.value
    assert "sqllab-try-counterexample" in card.try_button._dom_classes
    assert card.try_button.description == i18n.t("ui.try.button", lang) == {"en": "Try it", "ja": "この例で試す"}[lang]
    assert card.try_button.layout.display != "none"                  # shown for a database one can load
    lesson.reset_playground()
    lesson_before, playground_before = sha(lesson.db_path), dump(lesson.playground_path)

    card.try_button.click()

    assert sha(lesson.db_path) == lesson_before                       # the lesson database is untouched
    assert dump(lesson.playground_path) != playground_before          # the practice copy changed ...
    shown = {s.name for s in example.inputs}
    for sample in example.inputs:                                     # ... to exactly the rows shown
        assert sorted(map(repr, rows(lesson.playground_path, sample.name))) == sorted(repr(tuple(r)) for r in sample.rows)
    tables = [r[0] for r in sqlite3.connect(lesson.playground_path).execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert set(tables) == set(sandbox.user_tables(sqlite3.connect(lesson.db_path)))   # the lesson's schema
    for table in tables:
        if table not in shown:
            assert rows(lesson.playground_path, table) == []

    text = card.tried.value                                           # which tables, and how to go back
    message = re.search(r'data-sqllab="try-loaded">(.*?)</div></div>', text, re.S).group(1)
    for sample in example.inputs:
        assert i18n.t("ui.try.table", lang, table=sample.name, n=len(sample.rows)) in message
    assert "lesson.reset_playground()" in message and str(lesson.playground_path) in message
    assert i18n.has_japanese(message) == (lang == "ja")
    assert "Traceback" not in text and card.exercise.reference_sql not in text

    # the student's query on the practice copy gives the wrong result the card showed
    result = lesson.run(sql, playground=True, max_rows=1000)
    reference = sandbox.run_query(lesson.playground_path, card.exercise.reference_sql)
    difference = compare(make_expected(reference.columns, reference.rows, order_spec(card.exercise.reference_sql)),
                         result.columns, result.rows)
    assert difference is not None
    assert [list(r) for r in difference.missing[:grading.SAMPLE_ROWS]] == example.expected.rows
    assert [list(r) for r in difference.extra[:grading.SAMPLE_ROWS]] == example.got.rows
    shown_result = text.split('data-sqllab="try-result"', 1)[1]     # ... and the card shows that result
    for row in result.rows:
        assert all(f"<td>{v}</td>" in shown_result for v in row)
    explanation = lesson.explain(sql, playground=True)               # Explain runs there too
    assert explanation.steps and explanation.steps[-1].row_count == len(result.rows)

    lesson.reset_playground()                                         # back to the lesson's data
    assert dump(lesson.playground_path) == dump(lesson.db_path)
    assert sha(lesson.db_path) == lesson_before


def test_the_code_api_takes_a_verdict_an_exercise_or_its_id(tmp_path):
    lesson = make_lesson(tmp_path, "en")
    exercise = lesson.exercises[0]
    checked = lesson.check(exercise, hardcoded(lesson, exercise))
    example = checked.verdict.diff.counterexample
    assert example.rebuildable and example.complete
    for item in (checked, checked.verdict, exercise, str(exercise.id)):
        tried = lesson.try_counterexample(item, shell=object())      # not an IPython shell: nothing bound
        assert isinstance(tried, TriedExample) and tried.path == lesson.playground_path
        assert tried.tables == {s.name: len(s.rows) for s in example.inputs}
        assert set(tried.emptied) == set(sandbox.user_tables(sqlite3.connect(lesson.db_path))) - set(tried.tables)
        assert tried.complete and not tried.bound
        assert "lesson.run(sql, playground=True)" in tried.message and tried._repr_markdown_() == tried.message
    assert lesson.verdicts[str(exercise.id)] is checked.verdict


def test_nothing_to_try_is_a_clear_message_in_the_students_language(tmp_path):
    lesson = make_lesson(tmp_path, "ja")
    exercise = lesson.exercises[0]
    with pytest.raises(SQLLabError) as none_yet:
        lesson.try_counterexample(exercise)
    assert none_yet.value.key == "ui.try.no_verdict" and i18n.has_japanese(str(none_yet.value))
    right = lesson.check(exercise, exercise.reference_sql).verdict
    with pytest.raises(SQLLabError) as correct:
        lesson.try_counterexample(right)
    assert correct.value.key == "ui.try.correct"
    visible = lesson.check(exercise, exercise.reference_sql + " LIMIT 1").verdict       # wrong on the visible data
    assert visible.diff.variant == "visible" and not visible.diff.counterexample.rebuildable
    with pytest.raises(SQLLabError) as own_data:
        lesson.try_counterexample(visible)
    assert own_data.value.key == "sql.grade.example_visible"
    with pytest.raises(SQLLabError):
        visible.diff.counterexample.to_sqlite()

    card = widgets.exercises(lesson).cards[0]                     # the card offers Try it only when it can
    for answer in (exercise.reference_sql, exercise.reference_sql + " LIMIT 1"):
        card.editor.value = answer
        card.check_button.click()
        assert card.try_button.layout.display == "none"
    card._on_try()                                                # (a stale click) a message, no traceback
    assert 'data-sqllab="msg-bad"' in card.tried.value and i18n.has_japanese(card.tried.value)


def test_a_locked_practice_copy_gives_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setattr(lesson_module, "PLAYGROUND_LOCK_S", 0.2)
    lesson, card, _ = wrong_on_hidden(tmp_path, "en")
    lesson.reset_playground()
    before = dump(lesson.playground_path)
    holder = sqlite3.connect(lesson.playground_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        card.try_button.click()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert 'data-sqllab="msg-bad"' in card.tried.value and "locked by another connection" in card.tried.value
    assert dump(lesson.playground_path) == before
    with pytest.raises(ConfigError):              # the code API says the same
        holder = sqlite3.connect(lesson.playground_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            lesson.try_counterexample(card.last_verdict)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    card.try_button.click()                        # once the lock is gone it works
    assert 'data-sqllab="try-loaded"' in card.tried.value


@pytest.fixture(scope="module")
def shell():
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or get_ipython()     # None when another test module started it first


def test_in_a_notebook_sql_and_explain_cells_run_on_the_example(tmp_path, shell, capsys):
    lesson = make_lesson(tmp_path, "ja")
    exercise = lesson.exercises[0]
    lesson.bind_sql(shell=shell)                                  # %sql on the lesson database
    table = exercise.reference_sql.split(" FROM ")[1].split()[0]
    lesson_count = len(rows(lesson.db_path, table))
    answer = hardcoded(lesson, exercise)
    checked = lesson.check(exercise, answer)
    tried = lesson.try_counterexample(exercise.id, shell=shell)
    assert tried.bound and "lesson.bind_sql()" in tried.message and i18n.has_japanese(tried.message)
    result = shell.run_cell(f"%sql SELECT count(*) FROM {table}")
    assert result.success and list(result.result)[0][0] == tried.tables.get(table, 0)
    explained = shell.run_cell(f"%%explain\n{answer}")
    assert explained.success
    assert explained.result.steps[-1].row_count == checked.verdict.diff.got_rows   # the answer's rows there
    lesson.bind_sql(shell=shell)                                  # and back on the lesson's data
    result = shell.run_cell(f"%sql SELECT count(*) FROM {table}")
    assert list(result.result)[0][0] == lesson_count
    capsys.readouterr()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_example_too_large_to_show_is_loaded_as_shown_and_says_so(tmp_path, monkeypatch, lang):
    from sqllab.grading import grade

    monkeypatch.setattr(grading, "EXAMPLE_ROWS", 1)
    lesson = make_lesson(tmp_path, lang)
    db = tmp_path / "hr.db"
    with sqlite3.connect(db) as conn:
        conn.executescript((Path(__file__).parent / "data" / "hr.sql").read_text(encoding="utf-8"))
    verdict = grade(db, "SELECT name FROM employees WHERE salary >= 600", "SELECT name FROM employees WHERE salary > 600",
                    lang=lang)
    example = verdict.diff.counterexample
    assert not example.complete
    tried = lesson.try_counterexample(verdict, shell=object())
    assert not tried.complete and sum(tried.tables.values()) == 1
    assert i18n.t("ui.try.incomplete", lang, n=example.rows_left_out) in tried.message
