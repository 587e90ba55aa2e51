"""The progress log: every attempt a student makes, in a SQLite file.

One file (``SQLLAB_PROGRESS_DB`` or ``<SQLLAB_CACHE_DIR>/progress.db``) in WAL mode with
numbered migrations and its version in ``PRAGMA user_version`` (:mod:`sqllab.migrations`). Each attempt is written in its own
transaction, so a kernel crash loses nothing that was acknowledged; several kernels can write at
once (they wait on each other through ``busy_timeout``). When the file cannot be written
(read-only, disk full, ...) the attempt stays in memory, ``record`` says so, and the next write
tries again before anything else.
"""

from __future__ import annotations

import csv
import logging
import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from ..errors import ProgressError
from ..migrations import migrate, user_version

log = logging.getLogger(__name__)

#: Migrations, applied in order; the schema version is the number applied.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        student TEXT NOT NULL,
        lesson TEXT NOT NULL,
        exercise TEXT NOT NULL,
        sql TEXT NOT NULL,
        status TEXT NOT NULL,
        correct INTEGER NOT NULL CHECK (correct IN (0, 1)),
        created_at TEXT NOT NULL
    );
    """,
    "CREATE INDEX attempts_student_lesson ON attempts (student, lesson, exercise);",
)

CSV_COLUMNS = ("student", "lesson", "exercise", "status", "correct", "created_at", "sql")


def default_path() -> Path:
    """``SQLLAB_PROGRESS_DB``, else ``<SQLLAB_CACHE_DIR>/progress.db``."""
    from ..settings import sqllab_settings

    s = sqllab_settings()
    return Path(s.progress_db) if s.progress_db else Path(s.cache_dir) / "progress.db"


@dataclass(frozen=True)
class Attempt:
    """One try at one exercise."""

    student: str
    lesson: str
    exercise: str
    sql: str
    status: str
    correct: bool
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass
class ExerciseProgress:
    """Where a student stands on one exercise."""

    attempts: int = 0
    solved: bool = False
    last_sql: str = ""
    last_status: str = ""


class ProgressStore:
    """The attempts log in one SQLite file; safe to share between processes."""

    def __init__(self, path: str | Path | None = None, *, lang: str | None = None,
                 busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.lang = lang
        self.busy_timeout_s = busy_timeout_s
        self.pending: list[Attempt] = []
        self.last_error: ProgressError | None = None
        self._ready = False
        self._lock = threading.Lock()

    # --- connection & schema ---------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        if self._ready:
            return
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn, MIGRATIONS)
        self._ready = True

    def schema_version(self) -> int:
        """The file's schema version (``PRAGMA user_version``, see :mod:`sqllab.migrations`)."""
        conn = self._connect()
        try:
            self._migrate(conn)
            return user_version(conn)
        finally:
            conn.close()

    # --- writing ---------------------------------------------------------------------

    def record(self, attempt: Attempt) -> bool:
        """Log ``attempt`` (after any attempts kept from failed writes).

        Returns True when everything is on disk. On failure the attempts stay in
        ``pending``, ``last_error`` holds a ``ProgressError`` with a student-readable
        message, and False is returned; nothing is raised.
        """
        with self._lock:
            self.pending.append(attempt)
            return self._flush_locked()

    def flush(self) -> bool:
        """Try again to write attempts kept in memory; True when none are left."""
        with self._lock:
            return self._flush_locked()

    def _flush_locked(self) -> bool:
        if not self.pending:
            return True
        try:
            conn = self._connect()
            try:
                self._migrate(conn)
                while self.pending:
                    a = self.pending[0]
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        conn.execute(
                            "INSERT INTO attempts (student, lesson, exercise, sql, status, correct,"
                            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (a.student, a.lesson, a.exercise, _storable(a.sql), a.status, int(a.correct),
                             a.created_at.isoformat()),
                        )
                        conn.execute("COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
                    self.pending.pop(0)
            finally:
                conn.close()
        except (sqlite3.Error, OSError) as exc:
            self._ready = False
            self.last_error = ProgressError(key="progress.write_failed", lang=self.lang,
                                            path=str(self.path), reason=str(exc),
                                            n=len(self.pending))
            log.warning("progress write failed (%d kept in memory): %s", len(self.pending), exc)
            return False
        self.last_error = None
        return True

    # --- reading ---------------------------------------------------------------------

    def attempts(self, *, student: str | None = None, lesson: str | None = None,
                 include_pending: bool = True) -> list[Attempt]:
        """Attempts on disk (and, by default, those still in memory), oldest first."""
        rows: list[Attempt] = []
        if self.path.exists():
            try:
                found = self._read(student=student, lesson=lesson)
            except sqlite3.Error as exc:
                raise ProgressError(key="progress.read_failed", lang=self.lang,
                                    path=str(self.path), reason=str(exc)) from exc
            rows = [Attempt(s, le, e, q, st, bool(c), datetime.fromisoformat(t))
                    for s, le, e, q, st, c, t in found]
        if include_pending:
            with self._lock:
                rows += [a for a in self.pending
                         if (student is None or a.student == student)
                         and (lesson is None or a.lesson == lesson)]
        return rows

    def _read(self, **filters: str | None) -> list[tuple]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=self.busy_timeout_s)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            where, params = _filters(**filters)
            try:
                return conn.execute(
                    "SELECT student, lesson, exercise, sql, status, correct, created_at"
                    f" FROM attempts{where} ORDER BY id", params).fetchall()
            except sqlite3.OperationalError as exc:
                if "no such table" in str(exc):
                    return []
                raise
        finally:
            conn.close()

    def summary(self, student: str, lesson: str) -> dict[str, ExerciseProgress]:
        """Per exercise id: attempts, solved, last SQL — where the student stopped."""
        out: dict[str, ExerciseProgress] = {}
        for a in self.attempts(student=student, lesson=lesson):
            p = out.setdefault(a.exercise, ExerciseProgress())
            p.attempts += 1
            p.solved = p.solved or a.correct
            p.last_sql, p.last_status = a.sql, a.status
        return out

    def export_csv(self, out: IO[str], *, lesson: str | None = None,
                   student: str | None = None) -> int:
        """Write attempts as CSV (header + one row per attempt); returns the row count."""
        return write_csv(out, self.attempts(student=student, lesson=lesson))


def write_csv(out: IO[str], attempts: Iterable[Attempt]) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for a in attempts:
        writer.writerow((a.student, a.lesson, a.exercise, a.status, int(a.correct),
                         a.created_at.isoformat(), a.sql))
        n += 1
    return n


def _filters(**values: str | None) -> tuple[str, tuple[str, ...]]:
    items = [(k, v) for k, v in values.items() if v is not None]
    if not items:
        return "", ()
    return " WHERE " + " AND ".join(f"{k} = ?" for k, _ in items), tuple(v for _, v in items)


def _storable(text: str) -> str:
    """``text`` with any half character (a lone surrogate, which UTF-8 cannot hold) made U+FFFD:
    such an attempt would otherwise never be written, nor any attempt after it."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text)
