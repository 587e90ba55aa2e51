"""Lessons with the embedded LLM, with no LLM_* variables set (as `make lab` runs them).

Each kernel starts the embedded llama.cpp server on 127.0.0.1 on demand; the 00 badge turns
green, and in lesson 01 a wrong answer gets its verdict at once, then feedback streamed from
the model (or, when the model's text is unusable, the notice and the rule-based hint) — never
a traceback and never the reference query. SmolLM2's measured profile keeps it from writing
feedback, so this lab gives it a profile with feedback only: the real stream is driven, and the
lesson's background job (which would otherwise swap the bank's cards for SmolLM2's) keeps the bank.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_server import Lab, chromium_page, running_lab
from sqllab.notebook.lesson import Lesson
from sqllab.notebook.progress import ProgressStore
from test_browser import WAIT_MS, notebook_parameters, open_and_run_all, shot

pytestmark = [pytest.mark.browser, pytest.mark.embedded]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, embedded_model: Path) -> Iterator[Lab]:
    work = tmp_path_factory.mktemp("lab-llm")
    caps = work / "capabilities.toml"
    caps.write_text('min_pass_rate = 0.5\n[profiles.feedback-only.pass_rates]\n' + "".join(
        f'"{task}.{lang}" = 0.0\n' for task in ("table_generation", "dataset_text", "problem_generation")
        for lang in ("en", "ja")))
    env = {"SQLLAB_CACHE_DIR": str(work / "cache"), "SQLLAB_PROGRESS_DB": str(work / "progress.db"),
           "SQLLAB_EMBEDDED_MODEL": str(embedded_model), "SQLLAB_LLM_MODE": "",
           "SQLLAB_CAPABILITIES_FILE": str(caps), "SQLLAB_MODEL_PROFILE": "feedback-only",
           "SQLLAB_EMBEDDED_IDLE_S": "300"}
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("LLM_")}
    try:
        with running_lab(work, env=env) as server:
            yield server
    finally:
        os.environ.update(saved)
        # the kernels started the shared embedded server of this lab's cache dir: stop it
        subprocess.run([sys.executable, "-m", "sqllab", "llm", "stop"], env={**os.environ, **env},
                       capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def page(lab: Lab) -> Iterator[Any]:
    with chromium_page((1400, 1000)) as browser_page:
        browser_page.set_default_timeout(WAIT_MS * 2)
        yield browser_page


def test_start_here_shows_a_healthy_embedded_llm(page: Any, lab: Lab) -> None:
    open_and_run_all(page, lab, "en/00_start_here.ipynb")
    status = page.locator(".sqllab-llm-status")
    status.locator("[data-sqllab='badge-ok']").wait_for()       # green: the embedded model answered
    assert "Traceback" not in status.inner_text()
    shot(page, "start-here-en-embedded.png", status)
    page.goto("about:blank")
    lab.shutdown_kernels()


def test_wrong_answer_gets_a_verdict_then_streamed_feedback(page: Any, lab: Lab, tmp_path: Path) -> None:
    relpath = "en/01_select.ipynb"
    params = notebook_parameters(relpath)
    ref = Lesson("01_select", lang="en", seed=params["seed"], student_id=params["student_id"],
                 theme=params["theme"], difficulty=params["difficulty"], n_exercises=params["n_exercises"],
                 llm="offline", work_dir=tmp_path / "ref", progress=ProgressStore(tmp_path / "ref.db"))
    first = ref.exercises[0]     # the embedded model is too small to write exercises: the bank's

    open_and_run_all(page, lab, relpath)
    page.locator(".sqllab-dataset-panel [data-sqllab='dataset-ready']").wait_for()
    card = page.locator(".sqllab-card").first
    card.locator("[data-sqllab='question']", has_text=str(first.question)).wait_for()
    card.locator(".sqllab-editor textarea").fill("SELECT 1 AS x")
    card.locator("button.sqllab-check").click()
    card.locator(".sqllab-verdict [data-sqllab='verdict-wrong_result']").wait_for()
    feedback = card.locator(".sqllab-feedback .jp-OutputArea-output").first
    feedback.wait_for()                                          # the first streamed chunk arrived
    page.wait_for_timeout(8000)                                  # let the stream go on (~3 s here)
    text = card.inner_text()
    assert feedback.inner_text().strip()
    assert "Traceback" not in text and first.reference_sql not in page.content()
    shot(page, "lesson01-en-llm-feedback.png", card)
    page.goto("about:blank")
    lab.shutdown_kernels()
