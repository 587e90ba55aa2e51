"""``Lesson`` on real offline content: SQLite files, progress, %sql in a real IPython shell."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sqllab import sandbox
from sqllab.errors import ConfigError
from sqllab.notebook.lesson import Lesson, resolve_llm_mode
from sqllab.notebook.progress import ProgressStore


def _lesson(tmp_path: Path, lesson_id: str = "01_select", **kw) -> Lesson:
    kw.setdefault("progress", ProgressStore(tmp_path / "progress.db"))
    kw.setdefault("work_dir", tmp_path / "work" / lesson_id)
    kw.setdefault("llm", "offline")
    return Lesson(lesson_id, **kw)


def test_llm_mode_auto_defers_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SQLLAB_LLM_MODE", raising=False)
    assert resolve_llm_mode("auto") == "auto"
    monkeypatch.setenv("SQLLAB_LLM_MODE", "offline")
    assert resolve_llm_mode("auto") == "offline"
    assert resolve_llm_mode("embedded") == "embedded"  # an explicit value (papermill) wins
    with pytest.raises(ConfigError) as err:
        resolve_llm_mode("magic", lang="ja")
    assert "llm は" in err.value.message


def test_offline_lesson_builds_a_database_and_exercises(tmp_path: Path) -> None:
    lesson = _lesson(tmp_path, n_exercises=4, seed=3)
    assert lesson.db_path.exists() and lesson.db_path.is_relative_to(tmp_path / "work")
    assert len(lesson.exercises) == 4
    assert {e.topic for e in lesson.exercises} == {"select"}
    assert lesson.content.dataset_source == "bank" and lesson.content.exercise_source == "bank"
    for ex in lesson.exercises:  # every reference runs on the lesson database
        assert sandbox.run_query(lesson.db_path, ex.reference_sql).columns


def test_same_parameters_load_from_the_cache(tmp_path: Path) -> None:
    first = _lesson(tmp_path, seed=5)
    files = sorted((tmp_path / "work" / "01_select").iterdir())
    mtimes = [p.stat().st_mtime_ns for p in files]
    again = _lesson(tmp_path, seed=5)
    assert [e.id for e in again.exercises] == [e.id for e in first.exercises]
    assert again.db_path == first.db_path
    assert [p.stat().st_mtime_ns for p in files] == mtimes
    other = _lesson(tmp_path, seed=6)
    assert other.db_path != first.db_path


def test_check_records_progress_and_a_restart_shows_it(tmp_path: Path) -> None:
    lesson = _lesson(tmp_path, student_id="amy", n_exercises=3)
    ex = lesson.exercises[0]
    wrong = lesson.check(ex, "SELECT 1")
    assert not wrong.verdict.correct and wrong.saved and wrong.progress.attempts == 1
    right = lesson.check(ex, ex.reference_sql)
    assert right.verdict.correct and right.progress.solved and right.progress.attempts == 2
    restarted = _lesson(tmp_path, student_id="amy", n_exercises=3)  # a new kernel
    assert restarted.solved_count() == (1, 3)
    assert restarted.status()[str(ex.id)].attempts == 2
    assert "1" in restarted.resume_message() and "amy" in restarted.resume_message()
    assert _lesson(tmp_path, student_id="bo", n_exercises=3).solved_count() == (0, 3)


def test_a_failed_progress_write_does_not_lose_the_verdict(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    lesson = _lesson(tmp_path, progress=ProgressStore(blocker / "p.db", lang="ja"), lang="ja")
    ex = lesson.exercises[0]
    result = lesson.check(ex, ex.reference_sql)
    assert result.verdict.correct and not result.saved
    assert result.save_error and "進捗" in result.save_error
    assert lesson.solved_count()[0] == 1  # kept in memory meanwhile


def test_example_names_exist_in_the_database(tmp_path: Path) -> None:
    lesson = _lesson(tmp_path, "05_joins")
    t = lesson.names
    conn = sqlite3.connect(lesson.db_path)
    assert conn.execute(f"SELECT c.{t.child_key}, p.{t.parent_text} FROM {t.child} AS c "
                        f"JOIN {t.parent} AS p ON c.{t.fk} = p.{t.parent_key}").fetchall()
    groups = conn.execute(f"SELECT {t.group}, COUNT(*), AVG({t.number}) FROM {t.table} GROUP BY {t.group}").fetchall()
    assert len(groups) > 1
    assert conn.execute(f"SELECT COUNT(*) FROM {t.table} WHERE {t.nullable} IS NULL").fetchone()[0] > 0
    assert conn.execute(f"SELECT COUNT(*) FROM {t.table} WHERE {t.text} LIKE {t.pattern}").fetchone()[0] > 0
    assert conn.execute(f"SELECT COUNT(*) FROM {t.table} WHERE {t.number} BETWEEN {t.low} AND {t.high}").fetchone()[0] > 0
    conn.execute(f"INSERT INTO {t.table} ({t.insert_columns}) VALUES ({t.insert_values})")
    assert conn.execute(f"SELECT COUNT(*) FROM {t.table} WHERE {t.key} = {t.new_key}").fetchone() == (1,)
    conn.close()


def test_bind_sql_in_a_real_ipython_shell(tmp_path: Path) -> None:
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()   # starts the shared test shell, or returns it
    lesson = _lesson(tmp_path, lang="ja")
    message = lesson.bind_sql(shell=shell)
    assert "%sql" in message and str(lesson.db_path) in message
    result = shell.run_cell("%%sql\nSELECT COUNT(*) AS n FROM {t.table}")
    assert result.success
    expected = sqlite3.connect(lesson.db_path).execute(f"SELECT COUNT(*) FROM {lesson.names.table}").fetchone()[0]
    assert list(result.result)[0][0] == expected


def test_modify_lesson_previews_on_a_copy_and_grades(tmp_path: Path) -> None:
    lesson = _lesson(tmp_path, "08_modify", n_exercises=2)
    ex = lesson.exercises[0]
    before = sqlite3.connect(lesson.db_path).execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    preview = lesson.run(ex.reference_sql)
    assert hasattr(preview, "tables") and preview.changes >= 0
    assert lesson.check(ex, ex.reference_sql).verdict.correct
    assert sqlite3.connect(lesson.db_path).execute("SELECT COUNT(*) FROM sqlite_master").fetchone() == before
    play = lesson.reset_playground()
    t = lesson.names
    conn = sqlite3.connect(play)
    conn.execute(f"DELETE FROM {t.child}")
    conn.commit()
    conn.close()
    assert lesson.reset_playground() == play
    assert sqlite3.connect(play).execute(f"SELECT COUNT(*) FROM {t.child}").fetchone()[0] > 0


def test_unreachable_llm_falls_back_to_the_bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from sqllab import settings

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("LLM_API_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("LLM_MAX_RETRIES", "1")
    monkeypatch.setenv("LLM_TIMEOUT", "2")
    monkeypatch.delenv("SQLLAB_LLM_MODE", raising=False)
    settings.reload()
    lesson = _lesson(tmp_path, llm="remote")
    assert lesson.llm_mode == "remote"
    assert lesson.content.exercise_source == "bank" and len(lesson.exercises) == 3
    assert lesson.content.dataset_source == "bank" and lesson.content.fallback_reason  # says why
    ex = lesson.exercises[0]
    assert lesson.check(ex, ex.reference_sql).verdict.correct


def test_the_hidden_databases_are_built_as_the_lesson_opens_not_at_the_first_check(tmp_path) -> None:
    """The first Check finds each exercise's grader ready (issue 23: build ahead)."""
    from sqllab.grading import grader as grading

    grading.clear_cache()
    lesson = Lesson("02_where", lang="en", seed=5, student_id="early", llm="offline", work_dir=tmp_path / "w",
                    progress=ProgressStore(tmp_path / "p.db"))
    assert lesson.graders_ready is not None and lesson.graders_ready.wait(60)
    built = []
    real = grading.Grader.__init__

    def counting(self, *args, **kwargs):
        built.append(args)
        real(self, *args, **kwargs)

    grading.Grader.__init__ = counting
    try:
        for exercise in lesson.exercises:
            lesson.check(exercise, "SELECT 1")
    finally:
        grading.Grader.__init__ = real
    assert built == []
