"""The ``sqllab`` command as a user runs it: messages in ja/en, exit 0 ok, 1 failure, 2 usage error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def sqllab(*args: str, lang: str | None = "en", cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SQLLAB_LANG"}
    if lang:
        env["SQLLAB_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "sqllab", *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=cwd)


@pytest.mark.parametrize("args, lang, expected", [
    (["--help"], "en", "exit status:"),
    (["--lang", "ja", "--help"], "en", "終了ステータス:"),
    (["--help"], "ja", "終了ステータス:"),
    (["check", "--help"], "ja", "使い方の誤り"),
    (["grades", "export", "--help", "--lang", "ja"], "en", "終了ステータス:"),
])
def test_help_documents_the_exit_statuses_in_the_chosen_language(args, lang, expected) -> None:
    run = sqllab(*args, lang=lang)
    assert run.returncode == 0, run.stderr
    assert expected in run.stdout
    assert "0" in run.stdout and "1" in run.stdout and "2" in run.stdout


def test_a_usage_error_exits_2_in_japanese() -> None:
    run = sqllab("--lang", "ja", "check", "--db", "x.db")
    assert run.returncode == 2
    assert "使い方の誤り" in run.stderr and "--reference" in run.stderr


def test_a_missing_input_file_is_a_usage_error(tmp_path: Path) -> None:
    run = sqllab("course", "build", "--roster", str(tmp_path / "none.csv"), "--lessons", str(tmp_path),
                 "--out", str(tmp_path / "out"), lang="ja")
    assert run.returncode == 2
    assert "ファイルがありません" in run.stderr and "none.csv" in run.stderr
    run = sqllab("check", "--db", str(tmp_path / "none.db"), "--reference", "SELECT 1", "--answer", "SELECT 1",
                 lang="ja")
    assert run.returncode == 2 and "データベースファイルがありません" in run.stderr


def test_a_runtime_failure_exits_1_not_2(tmp_path: Path) -> None:
    """A damaged progress file is not the user's typing: exit 1, said in their language."""
    damaged = tmp_path / "progress.db"
    damaged.write_bytes(b"not a database" * 200)
    for lang, words in (("en", "could not be read"), ("ja", "読み込めませんでした")):
        run = sqllab("grades", "export", "--db", str(damaged), lang=lang)
        assert run.returncode == 1, run.stderr
        assert words in run.stderr and "Traceback" not in run.stderr


def test_exit_status_mapping() -> None:
    from sqllab.cli import EXIT_FAILED, EXIT_USAGE, exit_status
    from sqllab.errors import ConfigError, LLMConnectionError, ProgressError, QueryError

    assert exit_status(ConfigError("bad value")) == EXIT_USAGE
    assert exit_status(QueryError("reference does not run")) == EXIT_USAGE
    assert exit_status(FileNotFoundError(2, "missing", "x")) == EXIT_USAGE
    assert exit_status(LLMConnectionError("refused")) == EXIT_FAILED
    assert exit_status(ProgressError("disk full")) == EXIT_FAILED
    assert exit_status(OSError(28, "No space left on device")) == EXIT_FAILED
