"""The progress log: a real SQLite file, real processes killed and racing, a real read-only file."""

from __future__ import annotations

import io
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sqllab.notebook.progress import MIGRATIONS, Attempt, ProgressStore

ROOT = Path(__file__).resolve().parents[1]


def _attempt(i: int = 0, *, correct: bool = False, exercise: str = "e1", student: str = "s1") -> Attempt:
    return Attempt(student=student, lesson="01_select", exercise=exercise, sql=f"SELECT {i}",
                   status="correct" if correct else "wrong_result", correct=correct)


def test_new_file_is_wal_with_schema_version(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.db")
    assert store.record(_attempt())
    assert store.schema_version() == len(MIGRATIONS)
    conn = sqlite3.connect(tmp_path / "p.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 1
    conn.close()


def test_migrates_an_old_file_forward(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE schema_version (version INTEGER NOT NULL);"
                       "INSERT INTO schema_version VALUES (1);" + MIGRATIONS[0])
    conn.execute("INSERT INTO attempts (student, lesson, exercise, sql, status, correct, created_at)"
                 " VALUES ('old', '01_select', 'e1', 'SELECT 1', 'correct', 1, '2026-01-01T00:00:00+00:00')")
    conn.commit()
    conn.close()
    store = ProgressStore(path)
    assert store.schema_version() == len(MIGRATIONS)
    assert store.record(_attempt())
    assert [a.student for a in store.attempts()] == ["old", "s1"]
    indexes = sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='index'").fetchall()
    assert ("attempts_student_lesson",) in indexes
    conn = sqlite3.connect(path)                 # the old scheme's table is gone: one scheme, user_version
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'schema_version'").fetchall() == []
    conn.close()


def test_summary_shows_where_the_student_stopped(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.db")
    store.record(_attempt(1, exercise="e1"))
    store.record(_attempt(2, exercise="e1", correct=True))
    store.record(_attempt(3, exercise="e2"))
    store.record(_attempt(4, exercise="e1", student="other", correct=True))
    again = ProgressStore(tmp_path / "p.db")  # a new session
    summary = again.summary("s1", "01_select")
    assert summary["e1"].attempts == 2 and summary["e1"].solved
    assert summary["e2"].attempts == 1 and not summary["e2"].solved
    assert summary["e2"].last_sql == "SELECT 3"
    assert "other" not in {a.student for a in again.attempts(student="s1")}


def test_export_csv(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.db")
    store.record(_attempt(1, correct=True))
    store.record(_attempt(2, exercise="e2"))
    buf = io.StringIO()
    assert store.export_csv(buf) == 2
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert [(r["exercise"], r["correct"], r["sql"]) for r in rows] == [("e1", "1", "SELECT 1"),
                                                                       ("e2", "0", "SELECT 2")]


# --- fault drills: real processes ------------------------------------------------------

WRITER = """
import sys, time
from sqllab.notebook.progress import Attempt, ProgressStore
store = ProgressStore(sys.argv[1])
name, n = sys.argv[2], int(sys.argv[3])
for i in range(n):
    ok = store.record(Attempt(name, "01_select", f"e{i % 5}", f"SELECT {i}", "correct", True))
    assert ok, store.last_error
    print(i + 1, flush=True)
"""


def _writer(path: Path, name: str, n: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(n)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)


def test_killed_writer_loses_no_acknowledged_attempt(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    proc = _writer(path, "crash", 100_000)
    acknowledged = 0
    assert proc.stdout is not None
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged >= 40:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = ProgressStore(path)
    kept = store.attempts(student="crash")
    assert len(kept) >= acknowledged
    assert [a.sql for a in kept[:acknowledged]] == [f"SELECT {i}" for i in range(acknowledged)]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert store.record(_attempt())  # the file is still writable after the crash


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    ProgressStore(path).schema_version()
    procs = [_writer(path, name, 150) for name in ("a", "b")]
    for p in procs:
        out, _ = p.communicate(timeout=300)
        assert p.returncode == 0
        assert out.split()[-1] == "150"
    store = ProgressStore(path)
    assert len(store.attempts(student="a")) == 150
    assert len(store.attempts(student="b")) == 150
    assert len(store.attempts()) == 300


DRIVER = """
import json, sys
from sqllab.notebook.progress import Attempt, ProgressStore
store = ProgressStore(sys.argv[1], lang=sys.argv[2])
for line in sys.stdin:
    i = int(line)
    ok = store.record(Attempt("ro", "01_select", "e1", f"SELECT {i}", "wrong_result", False))
    print(json.dumps({"ok": ok, "pending": len(store.pending),
                      "message": store.last_error.message if store.last_error else None,
                      "seen": len(store.attempts())}), flush=True)
"""


def test_read_only_file_keeps_attempts_in_memory_then_flushes() -> None:
    # root ignores file modes, so the writer runs as an unprivileged user when we are root
    base = Path(tempfile.mkdtemp(prefix="sqllab-ro-"))
    try:
        base.chmod(0o777)
        path = base / "p.db"
        ProgressStore(path).record(_attempt(0))
        for p in base.iterdir():
            p.chmod(0o666)
        path.chmod(0o444)
        # root ignores file modes: drop the capabilities that let it, so the mode applies
        drop = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}"] if os.geteuid() == 0 else []
        proc = subprocess.Popen([*prefix, sys.executable, "-c", DRIVER, str(path), "ja"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                cwd=ROOT)
        assert proc.stdin is not None and proc.stdout is not None

        def send(i: int) -> dict:
            proc.stdin.write(f"{i}\n")
            proc.stdin.flush()
            return json.loads(proc.stdout.readline())

        first = send(1)
        assert first["ok"] is False and first["pending"] == 1
        assert "進捗" in first["message"] and str(path) in first["message"]
        second = send(2)
        assert second["ok"] is False and second["pending"] == 2
        assert second["seen"] == 3  # one on disk, two in memory
        for p in base.iterdir():  # the instructor fixes the permissions
            p.chmod(0o666)
        third = send(3)
        assert third == {"ok": True, "pending": 0, "message": None, "seen": 4}
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
        on_disk = ProgressStore(path).attempts(include_pending=False)
        assert [a.sql for a in on_disk] == ["SELECT 0", "SELECT 1", "SELECT 2", "SELECT 3"]
    finally:
        subprocess.run(["rm", "-rf", str(base)], check=False)


def test_unwritable_location_reports_and_keeps(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    store = ProgressStore(blocker / "progress.db", lang="en")
    assert store.record(_attempt(1)) is False
    assert store.last_error is not None and "could not be saved" in store.last_error.message
    assert store.last_error.message_in("ja").startswith("進捗")
    assert [a.sql for a in store.attempts()] == ["SELECT 1"]
    store.path = tmp_path / "ok" / "progress.db"  # the instructor fixes the location
    assert store.flush()
    assert len(ProgressStore(store.path).attempts()) == 1


def test_an_attempt_with_half_a_character_is_written_and_does_not_block_the_next(tmp_path: Path) -> None:
    """A lone surrogate (half an emoji, pasted) cannot be stored as UTF-8: it becomes U+FFFD, and
    the attempts after it are written too."""
    store = ProgressStore(tmp_path / "p.db")
    broken = Attempt(student="s1", lesson="01_select", exercise="e1", sql="SELECT '\ud83d'",
                     status="syntax_error", correct=False)
    assert store.record(broken) is True
    assert store.record(_attempt(2, exercise="e1")) is True
    rows = ProgressStore(tmp_path / "p.db").attempts(student="s1")
    assert [a.sql for a in rows] == ["SELECT '\ufffd'", "SELECT 2"]
