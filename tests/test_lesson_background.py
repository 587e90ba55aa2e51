"""A lesson never waits for the LLM: bank exercises at once, LLM content from a background job.

The LLM is a real HTTP server on 127.0.0.1 that answers like a capable model (scripted JSON,
some answers slow on purpose), so the switching rules can be checked deterministically; the
real model's part is in ``test_qwen.py``. Nothing asserts on prose.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sqllab import settings
from sqllab.db import load_dataset
from sqllab.content.generation import check_exercise
from sqllab.notebook.lesson import Lesson, waits_for_llm
from sqllab.notebook.progress import ProgressStore

from llm_servers import LLMTestServer, exercise_writer, ok

EXERCISES = [
    ("Show the names of customers with at least 100 points.", "SELECT name FROM customers WHERE points >= 100"),
    ("Show the names of customers whose city is missing.", "SELECT name FROM customers WHERE city IS NULL"),
    ("Show the ids of customers with fewer than 700 points whose city is known.",
     "SELECT id FROM customers WHERE points < 700 AND city IS NOT NULL"),
]
NAMES = ["Alpha Desk", "Beta Lamp", "Gamma Chair", "Delta Shelf", "Echo Rug", "Foxtrot Vase"]


def _answer(body: dict, delay: float):
    writer = exercise_writer(EXERCISES, delay=delay)      # the query step is the slow one
    schema = json.dumps((body.get("response_format") or {}).get("json_schema", {}).get("schema", {}))
    if '"names"' in schema:
        n = body["response_format"]["json_schema"]["schema"]["properties"]["names"]["minItems"]
        return ok(json.dumps({"names": NAMES[:n]}))
    return writer(body)


@pytest.fixture
def capable_llm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A loopback LLM that writes valid names and WHERE exercises; ``server.delay`` slows the
    exercise answer. Its profile gives it every job but whole tables (like the embedded model)."""
    caps = tmp_path / "capabilities.toml"
    caps.write_text('min_pass_rate = 0.5\n[profiles.default]\n[profiles.default.pass_rates]\n'
                    '"table_generation.en" = 0.0\n"table_generation.ja" = 0.0\n')
    monkeypatch.setenv("SQLLAB_CAPABILITIES_FILE", str(caps))
    state = {"delay": 0.0}
    server = LLMTestServer(responder=lambda body: _answer(body, state["delay"]))
    server.delay = state
    with server:
        monkeypatch.setenv("LLM_API_URL", server.url)
        settings.reload()
        yield server
    settings.reload()


def _lesson(tmp_path: Path, **kw) -> Lesson:
    kw.setdefault("progress", ProgressStore(tmp_path / "progress.db"))
    kw.setdefault("work_dir", tmp_path / "work")
    return Lesson("02_where", lang="en", seed=3, n_exercises=3, llm="remote", **kw)


def test_bank_first_then_the_lesson_switches_to_verified_llm_content(capable_llm, tmp_path) -> None:
    capable_llm.delay["delay"] = 1.0
    changes = []
    lesson = _lesson(tmp_path, wait=False)
    lesson.on_change(lambda _l: changes.append(lesson.content.exercise_source))
    assert lesson.content.exercise_source == "bank" and len(lesson.exercises) == 3   # at once
    assert lesson.job is not None and lesson.job.progress.running
    assert lesson.job.wait(60)
    assert lesson.job.progress.stage == "done" and lesson.job.progress.tokens > 0
    assert changes == ["llm"] and lesson.pending is None
    assert [e.source for e in lesson.exercises] == ["llm"] * 3
    assert lesson.content.dataset_source == "llm"                   # the shop shape, named by the LLM
    for exercise in lesson.exercises:                               # what is shown passes verification
        assert check_exercise(lesson.db_path, exercise, "where") == []
    again = _lesson(tmp_path, wait=False)                           # reopened: from the cache, no job
    assert again.job is None and [e.id for e in again.exercises] == [e.id for e in lesson.exercises]


def test_after_an_attempt_llm_content_is_offered_not_swapped(capable_llm, tmp_path) -> None:
    capable_llm.delay["delay"] = 1.5
    lesson = _lesson(tmp_path, wait=False)
    bank_ids = [e.id for e in lesson.exercises]
    lesson.check(lesson.exercises[0], "SELECT 1")                  # the student started working
    assert lesson.job.wait(60)
    assert [e.id for e in lesson.exercises] == bank_ids             # nothing moved under the student
    assert lesson.pending is not None and lesson.pending.llm_exercises == 3
    assert lesson.accept_pending()
    assert [e.source for e in lesson.exercises] == ["llm"] * 3 and lesson.pending is None
    assert lesson.status()[bank_ids[0]].attempts == 1               # the attempt stays recorded


def test_cancel_stops_a_request_in_flight_and_keeps_the_bank_with_a_reason(capable_llm, tmp_path) -> None:
    capable_llm.delay["delay"] = 30.0                               # the model "thinks" for a long time
    lesson = _lesson(tmp_path, wait=False)
    deadline = time.monotonic() + 20
    while lesson.job.progress.stage != "exercises" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lesson.job.progress.stage == "exercises"
    lesson.cancel_generation()
    assert lesson.job.wait(10)                                      # well before the 30 s answer
    assert lesson.job.progress.stage == "cancelled"
    assert lesson.content.exercise_source == "bank" and lesson.content.fallback_reason
    assert len(lesson.exercises) == 3


def test_unattended_runs_wait_for_the_llm(capable_llm, tmp_path, capsys) -> None:
    lesson = _lesson(tmp_path, wait=True)
    assert lesson.job.progress.stage == "done"
    assert [e.source for e in lesson.exercises] == ["llm"] * 3


def test_llm_down_keeps_the_bank_and_says_why(tmp_path, monkeypatch) -> None:
    from llm_servers import closed_port_url

    monkeypatch.setenv("LLM_API_URL", closed_port_url())
    monkeypatch.setenv("LLM_MAX_RETRIES", "1")
    settings.reload()
    lesson = _lesson(tmp_path, wait=True)
    assert lesson.job.progress.stage == "done"
    assert lesson.content.exercise_source == "bank" and len(lesson.exercises) == 3
    assert lesson.content.fallback_reason


def test_who_waits(monkeypatch) -> None:
    monkeypatch.setenv("SQLLAB_WAIT_FOR_LLM", "0")
    assert waits_for_llm() is False
    monkeypatch.setenv("SQLLAB_WAIT_FOR_LLM", "1")
    assert waits_for_llm() is True
    monkeypatch.delenv("SQLLAB_WAIT_FOR_LLM")
    assert waits_for_llm() is True          # pytest, no kernel: a script waits


def test_sql_magic_follows_the_switch_to_llm_content(capable_llm, tmp_path) -> None:
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()   # starts the shared test shell, or returns it
    capable_llm.delay["delay"] = 3.0
    lesson = _lesson(tmp_path, wait=False)
    bank_db = lesson.db_path
    lesson.bind_sql(shell=shell)                                  # loading the extension takes a while
    assert lesson.job.wait(60) and lesson.db_path != bank_db
    names = [r[0] for r in shell.run_cell("%sql SELECT name FROM products ORDER BY id").result]
    assert set(names) & set(NAMES)                               # the LLM names: the new database
    assert shell.user_ns["t"] == lesson.names


def test_dataset_panel_shows_live_progress_cancel_and_the_offer(capable_llm, tmp_path) -> None:
    from sqllab.notebook import widgets

    capable_llm.delay["delay"] = 1.5
    lesson = _lesson(tmp_path, wait=False)
    panel = widgets.dataset_panel(lesson)
    view = widgets.exercises(lesson)
    assert 'data-sqllab="job-running"' in panel.job_status.value
    assert panel.cancel_button.layout.display is None and panel.accept_button.layout.display == "none"
    view.cards[0].editor.value = "SELECT 1"
    view.cards[0].check_button.click()                              # an attempt: the offer, no swap
    assert lesson.job.wait(60)
    time.sleep(0.2)
    assert panel.cancel_button.layout.display == "none"
    assert panel.accept_button.layout.display is None and 'data-sqllab="msg-info"' in panel.job_status.value
    assert all(c.exercise.source == "bank" for c in view.cards)
    panel.accept_button.click()
    assert [c.exercise.source for c in view.cards] == ["llm"] * 3   # cards rebuilt with LLM badges
    assert "LLM" in view.cards[0].title.value
    assert panel.accept_button.layout.display == "none"
    assert 'data-sqllab="exercises-source-ok"' in panel.badge.value


def test_the_runner_is_read_from_the_program_not_its_arguments() -> None:
    from sqllab.notebook.lesson import _runner

    assert _runner(["/usr/bin/python3", "-m", "papermill", "a.ipynb", "b.ipynb", ""]) == "papermill"
    assert _runner(["/work/.venv/bin/python", "/work/.venv/bin/pytest", "--nbval-lax"]) == "pytest"
    assert _runner(["/work/.venv/bin/pytest", "-q"]) == "pytest"
    lab = ["/work/.venv/bin/python", "-m", "jupyterlab", "--ServerApp.root_dir=/tmp/pytest-of-root/lab0"]
    assert _runner(lab) == "jupyterlab"                           # a person's lab, even when a test starts it
    assert _runner(["/usr/bin/python3", "/usr/local/bin/jupyter-lab", "--notebook-dir=notebooks"]) == "jupyter"
