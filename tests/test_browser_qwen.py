"""Lesson 02 as `make lab` gives it: no LLM_* variables, the default model (Qwen2.5-Coder-1.5B).

JupyterLab in headless Chromium. The lesson shows bank exercises at once, then the background
job's progress view in the dataset panel, then the LLM's exercises with their badge; Check gives
the verdict at once and the model's feedback streams after it. In Japanese the model's exercises
too when its questions pass the checks (else the bank's stay, and the panel says why), then
another lesson's job is cancelled from its progress view. Screenshots go to the screenshot folder (``make
screenshots`` writes them into docs/screenshots). Nothing asserts on the model's prose.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sqllab import i18n

from jupyterlab_server import Lab, chromium_page, running_lab
from test_browser import WAIT_MS, notebook_parameters, open_and_run_all, shot

pytestmark = [pytest.mark.browser, pytest.mark.embedded, pytest.mark.qwen, pytest.mark.slow]

LLM_WAIT_MS = 900_000   # the model writes and sqllab verifies in the background: minutes on 2 busy cores


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, qwen_model: Path) -> Iterator[Lab]:
    work = tmp_path_factory.mktemp("lab-qwen")
    env = {"SQLLAB_CACHE_DIR": str(work / "cache"), "SQLLAB_PROGRESS_DB": str(work / "progress.db"),
           "SQLLAB_EMBEDDED_MODEL": str(qwen_model), "SQLLAB_LLM_MODE": "", "SQLLAB_MODEL_PROFILE": "",
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
    with chromium_page((1400, 1100)) as browser_page:
        browser_page.set_default_timeout(WAIT_MS * 2)
        yield browser_page


def test_lesson02_bank_at_once_then_progress_then_llm_exercises_and_feedback(page: Any, lab: Lab) -> None:
    relpath = "en/02_where.ipynb"
    n = notebook_parameters(relpath)["n_exercises"]
    open_and_run_all(page, lab, relpath)
    panel = page.locator(".sqllab-dataset-panel")
    cards = page.locator(".sqllab-card")
    cards.nth(n - 1).wait_for()                                   # exercises before any LLM answer
    assert cards.locator("[data-sqllab='badge-muted']").count() == n      # from the bank, and labelled so
    panel.locator("[data-sqllab='job-running']").wait_for()        # the live progress view
    assert panel.locator("button.sqllab-cancel").is_visible()
    shot(page, "lesson02-en-progress.png", panel)

    # the job finishes and the lesson switches (nothing attempted yet): the LLM's cards first,
    # the bank's after them if the model's did not all pass verification, each with its badge
    panel.locator("[data-sqllab='job-done']").wait_for(timeout=LLM_WAIT_MS)
    cards.nth(n - 1).wait_for()
    llm_cards = page.locator(".sqllab-card:has([data-sqllab='badge-info'])")
    assert cards.count() == n
    assert llm_cards.count() + page.locator(".sqllab-card:has([data-sqllab='badge-muted'])").count() == n
    assert not panel.locator("button.sqllab-cancel").is_visible()
    if llm_cards.count():      # the model's exercises passed every check and the round trip in time
        assert panel.locator("[data-sqllab='exercises-source-ok']").count() == 1
        card = llm_cards.first
    else:   # none passed within the open lesson's budget this run (a cold lesson on 2 cores: the first
        # one comes at ~95 s of 110; lessons written ahead have no budget, bench/course_run.py):
        # the bank's stay, labelled so, and the panel says why
        assert panel.locator("[data-sqllab='exercises-source-muted']").count() == 1
        reason = i18n.t("ui.badge.fallback", "en", reason="|").split("|")[0]
        assert reason in panel.locator("[data-sqllab='dataset-ready']").inner_text()
        card = cards.first
    card.locator(".sqllab-editor textarea").fill("SELECT 1 AS x")
    card.locator("button.sqllab-check").click()
    card.locator(".sqllab-verdict [data-sqllab='verdict-wrong_result']").wait_for()   # at once
    feedback = card.locator(".sqllab-feedback .jp-OutputArea-output").first
    feedback.wait_for(timeout=LLM_WAIT_MS)                         # then the model's first sentence
    page.wait_for_timeout(15_000)                                  # let the stream go on
    assert feedback.inner_text().strip()
    assert "Traceback" not in page.locator(".jp-Notebook").inner_text()
    shot(page, "lesson02-en-llm.png", card)
    page.goto("about:blank")
    lab.shutdown_kernels()


def test_lesson02_ja_llm_exercises_then_cancel_in_another_lesson(page: Any, lab: Lab) -> None:
    relpath = "ja/02_where.ipynb"
    n = notebook_parameters(relpath)["n_exercises"]
    open_and_run_all(page, lab, relpath)
    panel = page.locator(".sqllab-dataset-panel")
    cards = page.locator(".sqllab-card")
    cards.nth(n - 1).wait_for()
    panel.locator("[data-sqllab='job-running']").wait_for()
    page.wait_for_timeout(3000)                                    # seconds tick in the progress view
    shot(page, "lesson02-ja-progress.png", panel)
    panel.locator("[data-sqllab='job-done']").wait_for(timeout=LLM_WAIT_MS)
    cards.nth(n - 1).wait_for()
    llm_cards = page.locator(".sqllab-card:has([data-sqllab='badge-info'])")
    assert cards.count() == n
    assert llm_cards.count() + page.locator(".sqllab-card:has([data-sqllab='badge-muted'])").count() == n
    assert "Traceback" not in page.locator(".jp-Notebook").inner_text()
    if llm_cards.count():                                          # Japanese exercises by the model
        llm_cards.first.scroll_into_view_if_needed()
        shot(page, "lesson02-ja-llm.png", llm_cards.first)
        # a wrong answer: the verdict at once, then sqllab's opening and the model's Japanese sentence
        card = llm_cards.first
        card.locator(".sqllab-editor textarea").fill("SELECT 1 AS x")
        card.locator("button.sqllab-check").click()
        card.locator(".sqllab-verdict [data-sqllab='verdict-wrong_result']").wait_for()
        feedback = card.locator(".sqllab-feedback .jp-OutputArea-output").first
        feedback.wait_for(timeout=LLM_WAIT_MS)
        page.wait_for_timeout(12_000)                              # the model's sentence streams after it
        said = card.locator(".sqllab-feedback").inner_text()
        assert i18n.has_japanese(said) and i18n.t("feedback.not_capable", "ja") not in said
        shot(page, "lesson02-ja-feedback.png", card)
    else:   # its Japanese questions all failed the checks this run (9 to 11 of 18 pass in lessons
        # 02-07, docs/results.md): the bank's stay, labelled so, and the panel says why
        assert panel.locator("[data-sqllab='exercises-source-muted']").count() == 1
        reason = i18n.t("ui.badge.fallback", "ja", reason="|").split("|")[0]
        assert reason in panel.locator("[data-sqllab='dataset-ready']").inner_text()
    page.goto("about:blank")
    lab.shutdown_kernels()

    # another lesson's job, cancelled from its progress view: the bank's exercises stay
    relpath = "ja/03_order.ipynb"
    n = notebook_parameters(relpath)["n_exercises"]
    open_and_run_all(page, lab, relpath)
    panel = page.locator(".sqllab-dataset-panel")
    page.locator(".sqllab-card").nth(n - 1).wait_for()
    panel.locator("[data-sqllab='job-running']").wait_for()
    panel.locator("button.sqllab-cancel").click()
    panel.locator("[data-sqllab='job-cancelled']").wait_for(timeout=LLM_WAIT_MS)
    assert page.locator(".sqllab-card [data-sqllab='badge-muted']").count() == n      # the bank stays
    assert "Traceback" not in page.locator(".jp-Notebook").inner_text()
    page.goto("about:blank")
    lab.shutdown_kernels()
