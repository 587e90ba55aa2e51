"""One schema-version scheme for every SQLite file sqllab owns (LLM cache, progress log).

The version is SQLite's own ``PRAGMA user_version`` (a field of the file header, 0 in a new
file). Each owner keeps a list of migrations; migration *i* (1-based) moves the file from version
*i - 1* to *i*, and the version is the number applied. Never edit a released migration: append.
All pending migrations and the new version are written in one transaction, so a file is either
migrated or left as it was.

Files of the old schemes (a ``schema_version`` table: one row per version in the LLM cache, one
row updated in place in the progress log) are adopted: their version is read from that table,
the table is dropped, and the remaining migrations run as usual.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

LEGACY_TABLE = "schema_version"


def user_version(conn: sqlite3.Connection) -> int:
    """The file's schema version (``PRAGMA user_version``)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _legacy_version(conn: sqlite3.Connection) -> int | None:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                         (LEGACY_TABLE,)).fetchone()
    if found is None:
        return None
    row = conn.execute(f"SELECT max(version) FROM {LEGACY_TABLE}").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def statements(script: str) -> list[str]:
    """The statements of one migration (split at ``;`` outside string literals)."""
    out, current = [], ""
    for piece in script.split(";"):
        current += piece
        if sqlite3.complete_statement(current + ";"):
            if current.strip():
                out.append(current.strip())
            current = ""
        else:
            current += ";"
    if current.strip():
        out.append(current.strip())
    return out


def migrate(conn: sqlite3.Connection, migrations: Sequence[str]) -> int:
    """Bring ``conn``'s file to ``len(migrations)``; returns the version reached.

    ``conn`` must be in autocommit mode (``isolation_level=None``). A file newer than the code
    (a version above ``len(migrations)``) is left alone.
    """
    if conn.isolation_level is not None:
        raise ValueError("migrate() needs a connection with isolation_level=None")
    target = len(migrations)
    if user_version(conn) >= target and _legacy_version(conn) is None:
        return user_version(conn)                    # the usual case: nothing to write
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = user_version(conn)
        legacy = _legacy_version(conn)
        if legacy is not None:
            version = max(version, legacy)
            conn.execute(f"DROP TABLE {LEGACY_TABLE}")
        for script in migrations[version:]:
            for statement in statements(script):
                conn.execute(statement)
        reached = max(version, target)
        conn.execute(f"PRAGMA user_version = {int(reached)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return reached
