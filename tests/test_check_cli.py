"""``sqllab check`` as a user runs it: a real process, a real lesson file, exit codes 0/1/2."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
REFERENCE = "SELECT name FROM employees WHERE salary >= 600"


@pytest.fixture
def lesson(tmp_path) -> Path:
    path = tmp_path / "lesson.db"
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "hr.sql").read_text(encoding="utf-8"))
    conn.commit()
    conn.close()
    return path


def sqllab(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqllab", *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env={**__import__("os").environ, "SQLLAB_LANG": "en"})


def test_correct_answer_exits_0(lesson):
    run = sqllab("check", "--db", str(lesson), "--reference", REFERENCE,
                 "--answer", "SELECT e.name FROM employees e WHERE salary > 599")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("[correct]")


def test_coincidental_answer_exits_1_with_json_diff(lesson):
    before = hashlib.sha256(lesson.read_bytes()).hexdigest()
    run = sqllab("check", "--db", str(lesson), "--reference", REFERENCE,
                 "--answer", "SELECT name FROM employees WHERE salary > 600", "--json")
    assert run.returncode == 1, run.stderr
    verdict = json.loads(run.stdout)
    assert verdict["correct"] is False and verdict["status"] == "wrong_result"
    assert verdict["diff"]["variant"] == "boundary" and verdict["diff"]["missing_rows"] > 0
    assert REFERENCE not in run.stdout
    assert hashlib.sha256(lesson.read_bytes()).hexdigest() == before


def test_japanese_output_and_answer_from_stdin(lesson):
    run = sqllab("check", "--db", str(lesson), "--reference", REFERENCE, "--answer", "-", "--lang", "ja",
                 stdin="SELECT name FROM employes")
    assert run.returncode == 1
    assert run.stdout.startswith("[error]") and "employees" in run.stdout and "テーブル" in run.stdout


@pytest.mark.parametrize("args", [
    ["check", "--db", "{lesson}", "--reference", REFERENCE],                       # --answer missing
    ["check", "--db", "{missing}", "--reference", REFERENCE, "--answer", "SELECT 1"],
    ["check", "--db", "{lesson}", "--reference", "SELECT nme FROM employees", "--answer", "SELECT 1"],
    ["check", "--db", "{lesson}", "--reference", REFERENCE, "--answer", "SELECT 1", "--lang", "fr"],
])
def test_usage_errors_exit_2(lesson, tmp_path, args):
    run = sqllab(*[a.format(lesson=lesson, missing=tmp_path / "nope.db") for a in args])
    assert run.returncode == 2
    assert run.stderr.strip()


def test_check_on_a_file_made_by_load_dataset(tmp_path):
    from sqllab import db
    from sqllab.content import offline

    dataset = offline.generate_offline_dataset("shop", lang="ja", seed=7, difficulty="easy")
    path = Path(db.load_dataset(dataset, tmp_path / "shop.db"))
    conn = sqlite3.connect(path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                         "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    table = tables[0]
    columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    conn.close()
    reference = f'SELECT * FROM "{table}"'
    ok = sqllab("check", "--db", str(path), "--reference", reference,
                "--answer", f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{table}"')
    assert ok.returncode == 0, ok.stdout + ok.stderr
    wrong = sqllab("check", "--db", str(path), "--reference", reference, "--answer",
                   f'SELECT * FROM "{table}" LIMIT 1', "--json")
    assert wrong.returncode == 1
    diff = json.loads(wrong.stdout)["diff"]
    assert diff["got_rows"] == 1 and diff["missing_rows"] == diff["expected_rows"] - 1 > 0
    assert "missing_rows" in diff["kinds"] and "row_count" in diff["kinds"]
