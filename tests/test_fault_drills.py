"""Fault drills: what a student meets when things break in the middle of a lesson.

Real parts only: the embedded LLM served by `sqllab llm serve` in its own process (stopped
mid-lesson), a real Jupyter kernel (restarted mid-lesson), a real full disk (a 1 MiB tmpfs),
real damaged files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sqllab import settings
from sqllab.notebook import widgets
from sqllab.notebook.lesson import Lesson
from sqllab.errors import ProgressError
from sqllab.notebook.progress import Attempt, ProgressStore

ROOT = Path(__file__).resolve().parents[1]


def _feedback_text(card) -> str:
    return "".join(o.get("text", "") for o in card.feedback.outputs)


@pytest.mark.embedded
def test_llm_server_stopped_mid_lesson_the_lesson_goes_on(embedded_model: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    env = {**os.environ, "SQLLAB_CACHE_DIR": str(tmp_path / "server"), "SQLLAB_EMBEDDED_MODEL": str(embedded_model)}
    server = subprocess.Popen([sys.executable, "-m", "sqllab", "llm", "serve", "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert "serving" in server.stdout.readline()
        url = json.loads((tmp_path / "server" / "embedded-server.json").read_text())["url"]
        monkeypatch.setenv("LLM_API_URL", url)
        # the served SmolLM2's profile (found through /props) gives it no content job; this drill
        # is about the LLM going away while it has them, so give it the jobs an unmeasured model gets
        monkeypatch.setenv("SQLLAB_MODEL_PROFILE", "default")
        monkeypatch.setenv("LLM_MAX_RETRIES", "1")
        monkeypatch.setenv("LLM_TIMEOUT", "20")
        settings.reload()
        lesson = Lesson("02_where", lang="en", seed=5, llm="remote", work_dir=tmp_path / "work",
                        progress=ProgressStore(tmp_path / "progress.db"), wait=False)
        view = widgets.exercises(lesson)
        assert view.cards                        # the bank's, at once; the LLM job runs behind them
        assert lesson.job is not None and lesson.job.progress.running
    finally:
        server.send_signal(signal.SIGTERM)      # the LLM goes away mid-lesson, mid-job
        server.wait(timeout=30)
    assert lesson.job.wait(120)
    assert lesson.content.exercise_source == "bank" and lesson.content.fallback_reason   # and it says so

    card = view.cards[0]
    card.editor.value = "SELECT 1 AS x"
    card.check_button.click()
    assert 'data-sqllab="verdict-wrong_result"' in card.verdict.value   # the verdict never waits for the LLM
    card.wait(120)
    text = _feedback_text(card)
    assert text.strip() and "Traceback" not in text
    assert any(h in text for h in card.exercise.hints)                  # the rule-based hint instead

    card.editor.value = card.exercise.reference_sql
    card.check_button.click()
    assert 'data-sqllab="verdict-correct"' in card.verdict.value

    panel = widgets.dataset_panel(lesson)
    panel.theme.value = "library"                                         # new content with the LLM down
    panel.generate_button.click()
    panel.wait(120)
    assert lesson.job.wait(120) and lesson.job.progress.stage == "done"
    assert lesson.content.dataset_source == "bank"
    assert lesson.content.dataset.notice or lesson.content.fallback_reason   # and it says so
    assert lesson.exercises and all(e.source == "bank" for e in lesson.exercises)


KERNEL_CODE = """
from sqllab import Lesson
lesson = Lesson("02_where", lang="ja", seed=3, student_id="kim", llm="offline", n_exercises=3,
                work_dir={work!r})
"""


def test_kernel_restart_keeps_every_recorded_attempt(tmp_path: Path) -> None:
    from jupyter_client.manager import start_new_kernel

    env = {**os.environ, "SQLLAB_CACHE_DIR": str(tmp_path / "cache"),
           "SQLLAB_PROGRESS_DB": str(tmp_path / "progress.db")}
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        def run(code: str) -> str:
            out: list[str] = []

            def hook(msg: dict) -> None:
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    out.append("ERROR " + msg["content"]["ename"])
            reply = kc.execute_interactive(code, timeout=120, output_hook=hook)
            assert reply["content"]["status"] == "ok", out
            return "".join(out)

        setup = textwrap.dedent(KERNEL_CODE).format(work=str(tmp_path / "work"))
        run(setup + textwrap.dedent("""
            ex = lesson.exercises
            lesson.check(ex[0], ex[0].reference_sql)
            lesson.check(ex[1], "SELECT 1")
            lesson.check(ex[1], ex[1].reference_sql)
            print(len(lesson.progress.attempts(student="kim")))
        """))
        km.restart_kernel(now=True)            # like a crash: no chance to clean up
        kc.wait_for_ready(timeout=60)
        after = run(setup + "print(len(lesson.progress.attempts(student='kim'))); print(lesson.resume_message())")
        count, resume = after.split("\n", 1)
        assert int(count) == 3
        assert "2" in resume                     # two exercises solved, shown on return
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_damaged_lesson_cache_is_rebuilt(tmp_path: Path) -> None:
    def make() -> Lesson:
        return Lesson("03_order", lang="en", seed=8, llm="offline", work_dir=tmp_path / "work",
                      progress=ProgressStore(tmp_path / "p.db"))

    first = make()
    for content in (tmp_path / "work").glob("content-*.json"):
        content.write_text('{"dataset": {"tables": "broken')
    first.db_path.unlink()
    again = make()
    assert [e.reference_sql for e in again.exercises] == [e.reference_sql for e in first.exercises]
    assert again.db_path.exists()
    assert json.loads(next((tmp_path / "work").glob("content-*.json")).read_text())["exercises"]


def test_damaged_llm_cache_file_is_rebuilt(tmp_path: Path) -> None:
    from llm_servers import LLMTestServer

    from sqllab.llm import LLMClient, ResponseCache

    path = tmp_path / "llm_cache.db"
    with LLMTestServer() as server:
        first = ResponseCache(path)
        LLMClient(server.url, "m", cache=first).sync.complete("hello")
        first.close()
        for leftover in tmp_path.glob("llm_cache.db-*"):
            leftover.unlink()
        path.write_bytes(b"this is not a database" * 100)    # the file is damaged between sessions
        client = LLMClient(server.url, "m", cache=ResponseCache(path))
        assert client.sync.complete("hello").content       # answered, no crash
        assert client.sync.complete("hello").cached          # and the cache works again
        assert server.chat_count == 2


@pytest.fixture
def tiny_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_keeps_attempts_in_memory_until_space_returns(tiny_disk: Path) -> None:
    store = ProgressStore(tiny_disk / "progress.db", lang="ja")
    assert store.record(Attempt("s1", "01_select", "e1", "SELECT 1", "correct", True))
    filler = tiny_disk / "filler"
    try:                                         # fill the disk to the last byte
        with open(filler, "wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
    except OSError:
        pass
    big = "SELECT '" + "x" * 20000 + "'"           # needs new pages: the write fails
    results = [store.record(Attempt("s1", "01_select", f"e{i}", big, "wrong_result", False)) for i in range(2, 5)]
    assert results[-1] is False
    assert store.last_error is not None and store.last_error.message_in("ja")
    assert len(store.pending) == 3                           # nothing lost: kept in memory
    # reading a WAL file on a full disk fails too (SQLite cannot map its -shm): said clearly
    with pytest.raises(ProgressError) as info:
        store.attempts()
    assert "progress.db" in info.value.message_in("ja") and info.value.message_in("en") != info.value.message_in("ja")
    assert [a.exercise for a in store.pending] == ["e2", "e3", "e4"]
    filler.unlink()                                          # space comes back
    assert store.flush()
    assert len(ProgressStore(tiny_disk / "progress.db").attempts(include_pending=False)) == 4
