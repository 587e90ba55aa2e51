"""Answers kept in the notebook (``sqllab.notebook.answers``): the output's JSON, and a real kernel that
updates it by ``display_id`` from a Check click and reads it back from a saved notebook."""

from __future__ import annotations

import json
import os
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import nbformat

from sqllab.notebook import answers
from sqllab.notebook.answers import MIME, NotebookAnswers, SavedAnswer, read_notebook
from sqllab.notebook.lesson import Lesson
from sqllab.notebook.progress import Attempt, ProgressStore


def notebook_with(*payloads: dict, path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    for payload in payloads:
        cell = nbformat.v4.new_code_cell("widgets.exercises(lesson)")
        cell.outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "x", MIME: payload})]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def payload(lesson: str, **answers_: tuple[str, bool, str]) -> dict:
    return {"version": 1, "lesson": lesson, "student": "amy",
            "answers": {k: {"sql": sql, "status": "correct" if ok else "wrong_result", "correct": ok, "at": at}
                        for k, (sql, ok, at) in answers_.items()}}


def test_read_the_answers_of_one_lesson_latest_first(tmp_path: Path) -> None:
    path = notebook_with(payload("02_where", a=("SELECT 1", False, "2026-01-01T10:00:00+00:00")),
                         payload("03_order", a=("SELECT 'other lesson'", True, "2026-01-02T10:00:00+00:00")),
                         payload("02_where", a=("SELECT 2", True, "2026-01-01T11:00:00+00:00"),
                                 b=("SELECT '東京'", False, "2026-01-01T09:00:00+00:00")),
                         path=tmp_path / "nb.ipynb")
    found = read_notebook(path, "02_where")
    assert {k: (v.sql, v.correct) for k, v in found.items()} == {"a": ("SELECT 2", True), "b": ("SELECT '東京'", False)}
    assert read_notebook(path, "05_joins") == {}
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert read_notebook(tmp_path / "broken.ipynb", "02_where") == {}


def test_the_bundle_carries_the_answers_and_says_so() -> None:
    store = NotebookAnswers("02_where", "amy", "ja")
    store.record("where-01", "SELECT name FROM t -- <b>", "wrong_result", False, 2)   # not shown: no display
    bundle = store.bundle()
    assert bundle[MIME]["answers"]["where-01"]["sql"] == "SELECT name FROM t -- <b>"
    assert bundle[MIME]["lesson"] == "02_where" and bundle[MIME]["answers"]["where-01"]["attempts"] == 2
    assert "1 問" in bundle["text/plain"] and "<b>" not in bundle["text/html"]
    json.dumps(bundle)                                       # nbformat stores it as JSON


def test_the_newer_of_notebook_and_progress_file_wins(tmp_path: Path) -> None:
    lesson = Lesson("02_where", lang="en", seed=0, student_id="amy", n_exercises=2, llm="offline",
                    progress=ProgressStore(tmp_path / "p.db"), work_dir=tmp_path / "work")
    first, second = (str(e.id) for e in lesson.exercises)
    now = datetime.now(timezone.utc)
    path = notebook_with(payload("02_where", **{first: ("SELECT 'from the notebook'", True, now.isoformat()),
                                                second: ("SELECT 'old'", False, (now - timedelta(hours=1)).isoformat())}),
                         path=tmp_path / "nb.ipynb")
    lesson.progress.record(Attempt("amy", "02_where", second, "SELECT 'newer, crash before save'", "error", False,
                                   created_at=now - timedelta(minutes=5)))
    lesson.progress.record(Attempt("amy", "02_where", first, "SELECT 'older than the notebook'", "error", False,
                                   created_at=now - timedelta(days=1)))
    store = answers.for_lesson(lesson, path)
    assert store.restore(first).sql == "SELECT 'from the notebook'"
    assert store.restore(second).sql == "SELECT 'newer, crash before save'"


# --- a real kernel --------------------------------------------------------------------------

CELL = """
from sqllab.notebook import widgets
from sqllab import Lesson
lesson = Lesson("02_where", lang="en", seed=0, student_id="amy", n_exercises=3, llm="offline")
view = widgets.exercises(lesson)
view
"""


def run_cell(kc: Any, code: str) -> list[dict]:
    """IOPub messages of one execution (display, update and error messages)."""
    seen: list[dict] = []
    reply = kc.execute_interactive(code, timeout=120, output_hook=seen.append)
    errors = [m["content"] for m in seen if m["msg_type"] == "error"]
    assert reply["content"]["status"] == "ok", errors
    return seen


def kernel(env: dict[str, str], cwd: Path) -> tuple[Any, Any]:
    from jupyter_client.manager import start_new_kernel

    return start_new_kernel(kernel_name="python3", env=env, cwd=str(cwd))


def test_a_check_updates_the_output_by_display_id_and_a_fresh_kernel_reads_it_back(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}
    env.update(SQLLAB_CACHE_DIR=str(tmp_path / "cache"), SQLLAB_PROGRESS_DB=str(tmp_path / "a.db"),
               SQLLAB_LLM_MODE="offline")
    wrong = "SELECT name, points FROM customers WHERE points > 1 -- mine"
    km, kc = kernel(env, tmp_path)
    try:
        shown = run_cell(kc, CELL)
        displays = [m for m in shown if m["msg_type"] == "display_data" and MIME in m["content"]["data"]]
        assert len(displays) == 1
        display_id = displays[0]["content"]["transient"]["display_id"]
        assert displays[0]["content"]["data"][MIME]["answers"] == {}
        assert any("application/vnd.jupyter.widget-view+json" in m["content"]["data"]
                   for m in shown if m["msg_type"] == "display_data")     # the cards are still shown
        clicked = run_cell(kc, f"card = view.cards[0]\ncard.editor.value = {wrong!r}\ncard.check_button.click()\n"
                               "print(card.exercise.id)")
        updates = [m for m in clicked if m["msg_type"] == "update_display_data"]
        assert [u["content"]["transient"]["display_id"] for u in updates] == [display_id]
        data = updates[0]["content"]["data"]
        exercise_id = "".join(m["content"]["text"] for m in clicked if m["msg_type"] == "stream").strip()
        assert data[MIME]["answers"][exercise_id]["sql"] == wrong
        assert data[MIME]["answers"][exercise_id]["correct"] is False
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)

    # what JupyterLab saves: the cell with the updated output; then another machine opens it
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(CELL)
    cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    nb.cells.append(cell)
    path = tmp_path / "02_where.ipynb"
    nbformat.write(nb, path)
    env.update(JPY_SESSION_NAME=str(path), SQLLAB_PROGRESS_DB=str(tmp_path / "another-machine.db"),
               SQLLAB_CACHE_DIR=str(tmp_path / "another-cache"))
    km, kc = kernel(env, tmp_path)
    try:
        again = run_cell(kc, CELL)
        shown = [m for m in again if m["msg_type"] == "display_data" and MIME in m["content"]["data"]]
        assert shown[0]["content"]["data"][MIME]["answers"][exercise_id]["sql"] == wrong   # kept on re-run
        card = run_cell(kc, "print(repr(view.cards[0].editor.value))\nprint(view.cards[0].verdict.value)")
        text = "".join(m["content"]["text"] for m in card if m["msg_type"] == "stream")
        assert repr(wrong) in text
        assert "Restored from this notebook" in text
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
