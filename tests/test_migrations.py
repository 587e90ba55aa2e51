"""One schema-version scheme (``PRAGMA user_version``) for every SQLite file sqllab owns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sqllab.llm.cache import MIGRATIONS as CACHE_MIGRATIONS
from sqllab.llm.cache import CachedResponse, ResponseCache
from sqllab.migrations import migrate, statements, user_version
from sqllab.notebook.progress import MIGRATIONS as PROGRESS_MIGRATIONS
from sqllab.notebook.progress import Attempt, ProgressStore


def _conn(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_both_files_use_user_version(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "llm_cache.db")
    cache.set("k", CachedResponse("v", "m"))
    cache.close()
    ProgressStore(tmp_path / "progress.db").record(Attempt("s", "01_select", "e1", "SELECT 1", "correct", True))
    for name, migrations in (("llm_cache.db", CACHE_MIGRATIONS), ("progress.db", PROGRESS_MIGRATIONS)):
        conn = _conn(tmp_path / name)
        assert user_version(conn) == len(migrations), name
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "schema_version" not in tables, name
        conn.close()


def test_a_file_of_the_new_scheme_halfway_is_brought_forward(tmp_path: Path) -> None:
    path = tmp_path / "llm_cache.db"
    conn = _conn(path)
    conn.execute(CACHE_MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO responses (key, model, content, created_at) VALUES ('k', 'm', 'kept', 0)")
    conn.close()
    assert ResponseCache(path).get("k").content == "kept"
    conn = _conn(path)
    assert user_version(conn) == len(CACHE_MIGRATIONS)
    assert "hits" in {r[1] for r in conn.execute("PRAGMA table_info(responses)")}


def test_the_old_cache_scheme_with_one_row_per_version_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "llm_cache.db"
    conn = _conn(path)
    for statement in statements(CACHE_MIGRATIONS[0]) + statements(CACHE_MIGRATIONS[1]):
        conn.execute(statement)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.execute("INSERT INTO schema_version VALUES (1), (2)")
    conn.execute("INSERT INTO responses (key, model, content, created_at, hits) VALUES ('k', 'm', 'kept', 0, 3)")
    conn.close()
    assert ResponseCache(path).get("k").content == "kept"      # no migration ran twice (ALTER would fail)
    assert user_version(_conn(path)) == len(CACHE_MIGRATIONS)


def test_a_failing_migration_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    conn = _conn(tmp_path / "x.db")
    migrate(conn, ["CREATE TABLE a (x)"])
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, ["CREATE TABLE a (x)", "CREATE TABLE b (y); CREATE TABLE a (z)"])
    assert user_version(conn) == 1
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master")} == {"a"}
    assert migrate(conn, ["CREATE TABLE a (x)", "CREATE TABLE b (y)"]) == 2


def test_statements_split_outside_strings() -> None:
    assert statements("CREATE TABLE a (x TEXT DEFAULT ';');\nCREATE INDEX i ON a (x);") == [
        "CREATE TABLE a (x TEXT DEFAULT ';')", "CREATE INDEX i ON a (x)"]
