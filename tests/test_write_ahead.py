"""Content written ahead: while a student works on a lesson, the next lessons' LLM content is
written in the background, after anything the student waits for, and a lesson opens with it.

The LLM is a real HTTP server on 127.0.0.1 answering like a capable model; nothing asserts on prose.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sqllab import settings
from sqllab.llm import priority
from sqllab.notebook import ahead
from sqllab.notebook.lesson import Lesson
from sqllab.notebook.progress import ProgressStore

from llm_servers import LLMTestServer, exercise_writer, ok

EXERCISES = [
    ("Show the names of customers with at least 100 points.", "SELECT name FROM customers WHERE points >= 100"),
    ("Show the names of customers whose city is missing.", "SELECT name FROM customers WHERE city IS NULL"),
    ("Show the ids of customers with fewer than 700 points whose city is known.",
     "SELECT id FROM customers WHERE points < 700 AND city IS NOT NULL"),
    ("Show the name and points of every customer, highest points first.",
     "SELECT name, points FROM customers ORDER BY points DESC, id"),
    ("Show the name and join date (joined_on) of every customer, earliest first.",
     "SELECT name, joined_on FROM customers ORDER BY joined_on, id"),
    ("Show the name and price of every product, cheapest first.", "SELECT name, price FROM products ORDER BY price, id"),
]
NAMES = ["Alpha Desk", "Beta Lamp", "Gamma Chair", "Delta Shelf", "Echo Rug", "Foxtrot Vase"]


def _answer(body: dict):
    schema = json.dumps((body.get("response_format") or {}).get("json_schema", {}).get("schema", {}))
    if '"names"' in schema:
        n = body["response_format"]["json_schema"]["schema"]["properties"]["names"]["minItems"]
        return ok(json.dumps({"names": NAMES[:n]}))
    return exercise_writer(EXERCISES)(body)


@pytest.fixture
def capable_llm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    caps = tmp_path / "capabilities.toml"
    caps.write_text('min_pass_rate = 0.5\n[profiles.default]\n[profiles.default.pass_rates]\n'
                    '"table_generation.en" = 0.0\n"table_generation.ja" = 0.0\n')
    monkeypatch.setenv("SQLLAB_CAPABILITIES_FILE", str(caps))
    monkeypatch.setenv("SQLLAB_WRITE_AHEAD", "1")
    monkeypatch.setattr(ahead, "_writer", None)           # a writer of this test's own
    with LLMTestServer(responder=_answer) as server:
        monkeypatch.setenv("LLM_API_URL", server.url)
        settings.reload()
        yield server
        ahead.writer().idle(60)                           # nothing left running past the test
    settings.reload()


def _lesson(tmp_path: Path, lesson_id: str, **kw) -> Lesson:
    return Lesson(lesson_id, lang="en", seed=3, n_exercises=3, llm="remote",
                  progress=ProgressStore(tmp_path / "progress.db"), work_dir=tmp_path / "lessons" / lesson_id, **kw)


def test_the_next_lesson_opens_with_its_llm_content_written_ahead(capable_llm, tmp_path, monkeypatch) -> None:
    first = _lesson(tmp_path, "02_where", wait=True)
    assert [e.source for e in first.exercises] == ["llm"] * 3
    assert ahead.writer().idle(60)
    assert len(ahead.writer().written) == 1
    requests = capable_llm.chat_count
    monkeypatch.setenv("SQLLAB_WRITE_AHEAD", "0")               # (else opening 03 writes 04 ahead)
    nxt = _lesson(tmp_path, "03_order", wait=False)
    assert nxt.job is None                                       # nothing left to write: shown at once
    assert nxt.content.written_ahead and [e.source for e in nxt.exercises] == ["llm"] * 3
    assert all(e.topic == "order" for e in nxt.exercises)
    time.sleep(0.2)
    assert capable_llm.chat_count == requests                   # opening it asked the model nothing
    assert not first.content.written_ahead
    from sqllab import i18n
    from sqllab.notebook import widgets

    said = i18n.t("ui.panel.written_ahead", "en")
    assert said in widgets.dataset_panel(nxt).status.value         # the panel says so
    assert said not in widgets.dataset_panel(first).status.value


def test_the_open_lessons_job_goes_before_the_writer_ahead_from_its_first_request(capable_llm, tmp_path,
                                                                                   monkeypatch) -> None:
    """Opening a lesson queues the next one to write ahead: by then the lesson's job already holds
    its priority, so the writer cannot slip a request in before the job's first (on 2 busy cores
    that one request cost the lesson its time budget)."""
    writer = ahead.writer()
    queued_while_lesson_held = []
    add = writer.add

    def recording_add(lessons):
        queued_while_lesson_held.append(priority.busy_above(priority.AHEAD))
        add(lessons)

    monkeypatch.setattr(writer, "add", recording_add)
    lesson = _lesson(tmp_path, "02_where", wait=False)
    assert lesson.job is not None and queued_while_lesson_held == [True]
    lesson.job.wait(60)
    assert writer.idle(60)
    assert not priority.busy_above(priority.AHEAD)            # the job let go of its priority


def test_the_writer_waits_while_a_student_waits_for_feedback(capable_llm, tmp_path) -> None:
    lesson = _lesson(tmp_path, "02_where", generate=False)
    with priority.active(priority.FEEDBACK):
        assert lesson.write_ahead() == ["03_order"]
        time.sleep(1.5)
        assert capable_llm.chat_count == 0                       # not one request while feedback runs
    assert ahead.writer().idle(60)
    assert capable_llm.chat_count > 0 and lesson.sibling("03_order").has_llm_content()


def test_opening_the_lesson_being_written_waits_for_it_instead_of_writing_it_twice(capable_llm, tmp_path) -> None:
    lesson = _lesson(tmp_path, "02_where", generate=False)
    with priority.active(priority.FEEDBACK):                    # hold the writer at its first request
        lesson.write_ahead()
        deadline = time.monotonic() + 10
        while ahead.writer().current is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ahead.writer().current is not None
        opened = _lesson(tmp_path, "03_order", wait=False)      # the student opens it meanwhile
        assert opened.job is not None
    assert opened.job.wait(60)
    assert [e.source for e in opened.exercises] == ["llm"] * 3
    queries = [r for r in capable_llm.chat_requests
               if "queries" in json.dumps((r.body.get("response_format") or {}).get("json_schema", {}))]
    assert len(queries) == 1                                     # one writer wrote it: the other waited


def test_nothing_is_written_ahead_offline_or_unattended(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SQLLAB_WRITE_AHEAD", raising=False)
    offline = _lesson(tmp_path, "02_where", generate=False)
    offline.llm_mode = "offline"
    assert offline.write_ahead(2) == []
    remote = _lesson(tmp_path, "02_where", generate=False)
    assert remote.write_ahead() == []                           # under pytest: an unattended run
    assert remote.next_lessons(3) == ["03_order", "04_aggregate", "05_joins"]
    assert _lesson(tmp_path, "09_capstone", generate=False).next_lessons(2) == []


def test_a_lesson_waits_while_another_kernel_writes_its_content(capable_llm, tmp_path, monkeypatch) -> None:
    """The lock file per lesson content: held here as another process would hold it."""
    monkeypatch.setenv("SQLLAB_WRITE_AHEAD", "0")
    other = _lesson(tmp_path, "03_order", generate=False)
    with other.writing_lock():
        opened = _lesson(tmp_path, "03_order", wait=False)
        assert opened.job is not None
        time.sleep(1.0)
        assert capable_llm.chat_count == 0 and opened.job.progress.running     # waiting for the other writer
    assert opened.job.wait(60)
    assert capable_llm.chat_count > 0 and [e.source for e in opened.exercises] == ["llm"] * 3


def test_clear_stops_the_writer(capable_llm, tmp_path) -> None:
    lesson = _lesson(tmp_path, "02_where", generate=False)
    with priority.active(priority.FEEDBACK):                    # the writer waits at its first request
        lesson.write_ahead(2)
        ahead.writer().clear()
    assert ahead.writer().idle(30)
    assert not lesson.sibling("03_order").has_llm_content() and not lesson.sibling("04_aggregate").has_llm_content()
