"""``%sql`` in a real IPython shell: the lesson database is read-only, the practice copy is not."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from sqllab.notebook import sqlmagic
from sqllab.notebook.lesson import Lesson
from sqllab.notebook.progress import ProgressStore

WRITES = [
    "%sql DELETE FROM {t.table}",
    "%sql UPDATE {t.table} SET {t.text} = NULL",
    "%sql INSERT INTO {t.table} DEFAULT VALUES",
    "%%sql\nCREATE TABLE scratch (a INTEGER)",
    "%%sql\nDROP TABLE {t.table}",
    "%sql ALTER TABLE {t.table} ADD COLUMN extra TEXT",
    "%sql CREATE INDEX by_label ON {t.table} ({t.text})",
    "%sql PRAGMA user_version = 99",
    "%sql VACUUM",
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def shell():
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython

    return start_ipython() or get_ipython()     # None when another test module started it first


@pytest.fixture
def lesson(tmp_path: Path) -> Lesson:
    return Lesson("01_select", lang="ja", llm="offline", progress=ProgressStore(tmp_path / "progress.db"),
                  work_dir=tmp_path / "work")


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_no_sql_statement_changes_the_lesson_database(shell, lesson, capsys):
    lesson.bind_sql(shell=shell)
    t = lesson.names
    before = _sha(lesson.db_path)
    count = _rows(lesson.db_path, f'SELECT count(*) FROM "{t.table}"')
    capsys.readouterr()
    for cell in WRITES:
        shell.run_cell(cell)
        out = capsys.readouterr().out
        if "PRAGMA" not in cell:                 # a PRAGMA that cannot write fails silently in SQLite
            assert "lesson.bind_sql(playground=True)" in out and "読み取り専用" in out, (cell, out)
        assert _sha(lesson.db_path) == before, cell
    assert _rows(lesson.db_path, f'SELECT count(*) FROM "{t.table}"') == count
    result = shell.run_cell("%sql SELECT count(*) FROM {t.table}")      # reading still works
    assert result.success and list(result.result)[0][0] == count[0][0]
    assert not Path(str(lesson.db_path) + "-journal").exists() and not Path(str(lesson.db_path) + "-wal").exists()


def test_the_practice_copy_is_writable(shell, lesson, capsys):
    before = _sha(lesson.db_path)
    message = lesson.bind_sql(shell=shell, playground=True)
    assert str(lesson.playground_path) in message
    t = lesson.names
    shell.run_cell("%sql DELETE FROM {t.child}")
    shell.run_cell("%%sql\nCREATE TABLE scratch (a INTEGER)")
    assert "playground=True" not in capsys.readouterr().out
    assert _rows(lesson.playground_path, f'SELECT count(*) FROM "{t.child}"') == [(0,)]
    assert _rows(lesson.playground_path, "SELECT name FROM sqlite_master WHERE name = 'scratch'") == [("scratch",)]
    assert _sha(lesson.db_path) == before
    lesson.bind_sql(shell=shell)                 # back on the lesson database: read-only again
    shell.run_cell("%sql DELETE FROM {t.child}")
    assert "playground=True" in capsys.readouterr().out
    assert _sha(lesson.db_path) == before


def test_the_practice_copy_enforces_foreign_keys_as_the_grader_does(shell, lesson, capsys):
    lesson.bind_sql(shell=shell, playground=True)
    t = lesson.names
    orphan = f'SELECT count(*) FROM "{t.child}" WHERE {t.fk} = -1'
    shell.run_cell("%sql UPDATE {t.child} SET {t.fk} = -1")
    assert "FOREIGN KEY constraint failed" in capsys.readouterr().out
    assert _rows(lesson.playground_path, orphan) == [(0,)]
    lesson.reset_playground()                    # a fresh copy, a new connection: still enforced
    lesson.bind_sql(shell=shell, playground=True)
    shell.run_cell("%sql DELETE FROM {t.parent}")
    assert "FOREIGN KEY constraint failed" in capsys.readouterr().out
    assert _rows(lesson.playground_path, f'SELECT count(*) FROM "{t.parent}"') != [(0,)]


def test_bind_read_only_in_english(shell, tmp_path, capsys):
    db = tmp_path / "a b.db"                     # a space in the path survives the URI
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (a)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    before = _sha(db)
    url = sqlmagic.bind(db, shell=shell, read_only=True, lang="en")
    assert "mode=ro" in url
    capsys.readouterr()
    shell.run_cell("%sql INSERT INTO t VALUES (2)")
    out = capsys.readouterr().out
    assert "read-only" in out and "playground=True" in out
    assert _sha(db) == before
    sqlmagic.bind(db, shell=shell, lang="en")    # read-write when asked (the practice copy's way)
    shell.run_cell("%sql INSERT INTO t VALUES (2)")
    assert _rows(db, "SELECT count(*) FROM t") == [(2,)]


def test_resetting_a_locked_practice_copy_says_so_instead_of_waiting(lesson, monkeypatch):
    from sqllab.errors import ConfigError
    from sqllab.notebook import lesson as lesson_module

    monkeypatch.setattr(lesson_module, "PLAYGROUND_LOCK_S", 0.2)
    path = lesson.reset_playground()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")            # a transaction left open elsewhere
    try:
        with pytest.raises(ConfigError) as err:
            lesson.reset_playground()
        assert "ROLLBACK" in err.value.message_in("ja") and "locked" in err.value.message_in("en")
    finally:
        holder.rollback()
        holder.close()
    assert lesson.reset_playground() == path     # free again: resets
