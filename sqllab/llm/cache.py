"""Response cache: an in-memory LRU in front of a SQLite file (``<SQLLAB_CACHE_DIR>/llm_cache.db``).

Size: ``SQLLAB_CACHE_MAX_MB`` (default 200) caps the bytes of responses kept in the file; past it
the least recently used (written or read) are evicted. SQLite reuses the freed pages, so the file
stays near the cap. ``0`` means no cap.

Policy: every successful completion is cached under :func:`cache_key`, whatever the
temperature (DESIGN: "same parameters, same prompt version, same model: the response comes
from the cache"). A caller who wants a fresh sample passes ``use_cache=False`` or another
``seed``. The model *name* is the model's identity: after swapping the weights behind a name,
clear the cache (``ResponseCache.clear()``).

The file has numbered migrations and its version in ``PRAGMA user_version`` (the scheme of every
SQLite file sqllab owns, :mod:`sqllab.migrations`), WAL journaling, and is
rebuilt when corrupt or deleted; if even that fails the cache keeps working in memory only,
so a broken cache never stops a lesson.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..migrations import migrate as run_migrations
from ..migrations import user_version

log = logging.getLogger(__name__)

FILENAME = "llm_cache.db"
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)

# Each entry moves the schema from version i to i+1; never edit a released one, append.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE responses (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        content TEXT NOT NULL,
        usage TEXT,
        prompt_version TEXT,
        created_at REAL NOT NULL
    )
    """,
    """
    ALTER TABLE responses ADD COLUMN hits INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX responses_created ON responses(created_at);
    """,
    """
    ALTER TABLE responses ADD COLUMN last_used REAL NOT NULL DEFAULT 0;
    ALTER TABLE responses ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
    UPDATE responses SET last_used = created_at,
        size = length(CAST(key AS BLOB)) + length(CAST(content AS BLOB)) + coalesce(length(CAST(usage AS BLOB)), 0);
    CREATE INDEX responses_last_used ON responses(last_used);
    """,
]

# Keep the most recently used entries whose sizes add up to at most ? bytes; delete the rest.
_EVICT = """
DELETE FROM responses WHERE key IN (
    SELECT key FROM (SELECT key, sum(size) OVER (ORDER BY last_used DESC, rowid DESC) AS kept FROM responses)
    WHERE kept > ?)
"""


def cache_key(*, model: str, messages: list[dict[str, Any]], temperature: float, max_tokens: int,
              seed: int | None, response_format: dict[str, Any] | None,
              prompt_version: str | None) -> str:
    """sha256 of the canonical JSON of everything that shapes the answer."""
    payload = {"model": model, "messages": messages, "temperature": temperature,
               "max_tokens": max_tokens, "seed": seed, "response_format": response_format,
               "prompt_version": prompt_version}
    return hashlib.sha256(_CANONICAL.encode(payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedResponse:
    content: str
    model: str
    usage: dict[str, Any] | None = None


class ResponseCache:
    """Thread-safe two-level cache. ``path=None`` means the default file; ``persistent=False``
    keeps everything in memory only."""

    def __init__(self, path: str | Path | None = None, *, memory_size: int = 256,
                 persistent: bool = True, max_bytes: int | None = None) -> None:
        from ..settings import sqllab_settings

        if path is None and persistent:
            path = sqllab_settings().cache_dir / FILENAME
        if max_bytes is None:
            max_mb = sqllab_settings().cache_max_mb
            max_bytes = int(max_mb * 1024 * 1024) if max_mb > 0 else 0
        self.max_bytes = max_bytes              # responses kept in the file, least recently used go first; 0: no cap
        self.path = Path(path) if (path is not None and persistent) else None
        self.memory_size = memory_size
        self._memory: OrderedDict[str, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._disabled = self.path is None

    # --- SQLite --------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection | None:
        if self._disabled:
            return None
        if self._conn is not None and self.path is not None and self.path.exists():
            return self._conn
        self._close_conn()  # the file vanished under us: start a new one
        assert self.path is not None
        for attempt in (1, 2):
            conn = None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False,
                                       isolation_level=None)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                migrate(conn)
                self._conn = conn
                return conn
            except sqlite3.DatabaseError as exc:
                log.warning("LLM cache %s unusable (%s); %s", self.path, exc,
                            "rebuilding it" if attempt == 1 else "caching in memory only")
                if conn is not None:
                    conn.close()
                if attempt == 1:
                    self._remove_files()
            except OSError as exc:
                log.warning("LLM cache %s unusable (%s); caching in memory only", self.path, exc)
                break
        self._disabled = True
        return None

    def _remove_files(self) -> None:
        assert self.path is not None
        for suffix in ("", "-wal", "-shm"):
            try:
                Path(str(self.path) + suffix).unlink()
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("cannot remove %s%s: %s", self.path, suffix, exc)

    def _close_conn(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._conn = None

    def _db(self, fn: Any) -> Any:
        """Run ``fn(conn)``; on a database error rebuild the file once and try again."""
        for attempt in (1, 2):
            conn = self._connect()
            if conn is None:
                return None
            try:
                return fn(conn)
            except sqlite3.DatabaseError as exc:
                log.warning("LLM cache error (%s); rebuilding %s", exc, self.path)
                self._close_conn()
                if attempt == 1:
                    self._remove_files()
        self._disabled = True
        return None

    # --- public --------------------------------------------------------------------------
    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None:
                self._memory.move_to_end(key)
                return hit

            def read(conn: sqlite3.Connection) -> Any:
                row = conn.execute("SELECT content, model, usage FROM responses WHERE key = ?",
                                   (key,)).fetchone()
                if row is not None:
                    conn.execute("UPDATE responses SET hits = hits + 1, last_used = ? WHERE key = ?",
                                 (time.time(), key))
                return row

            row = self._db(read)
            if row is None:
                return None
            hit = CachedResponse(content=row[0], model=row[1],
                                 usage=json.loads(row[2]) if row[2] else None)
            self._remember(key, hit)
            return hit

    def set(self, key: str, value: CachedResponse, *, prompt_version: str | None = None) -> None:
        with self._lock:
            self._remember(key, value)
            usage = json.dumps(value.usage) if value.usage is not None else None
            size = sum(len(x.encode("utf-8")) for x in (key, value.content, usage or ""))
            now = time.time()

            def write(conn: sqlite3.Connection) -> None:
                conn.execute(
                    "INSERT OR REPLACE INTO responses (key, model, content, usage, prompt_version, "
                    "created_at, hits, last_used, size) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                    (key, value.model, value.content, usage, prompt_version, now, now, size))
                if self.max_bytes:
                    evicted = conn.execute(_EVICT, (self.max_bytes,)).rowcount
                    if evicted:
                        log.info("LLM cache over %d bytes: %d least recently used responses evicted",
                                 self.max_bytes, evicted)

            self._db(write)

    def clear(self) -> None:
        with self._lock:
            self._memory.clear()
            self._db(lambda conn: conn.execute("DELETE FROM responses"))

    def clear_memory(self) -> None:
        """Forget the in-memory layer only (the file keeps its entries)."""
        with self._lock:
            self._memory.clear()

    def __len__(self) -> int:
        with self._lock:
            count = self._db(lambda conn: conn.execute("SELECT count(*) FROM responses").fetchone()[0])
            return int(count) if count is not None else len(self._memory)

    def size_bytes(self) -> int:
        """Bytes of the responses in the file (what ``SQLLAB_CACHE_MAX_MB`` caps)."""
        with self._lock:
            total = self._db(lambda conn: conn.execute("SELECT total(size) FROM responses").fetchone()[0])
            return int(total or 0)

    def close(self) -> None:
        with self._lock:
            self._close_conn()

    def _remember(self, key: str, value: CachedResponse) -> None:
        self._memory[key] = value
        self._memory.move_to_end(key)
        while len(self._memory) > self.memory_size:
            self._memory.popitem(last=False)


def schema_version(conn: sqlite3.Connection) -> int:
    """The file's schema version (``PRAGMA user_version``, see :mod:`sqllab.migrations`)."""
    return user_version(conn)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file to the latest schema; returns the version reached."""
    return run_migrations(conn, MIGRATIONS)
