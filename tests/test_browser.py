"""Lessons as a student meets them: JupyterLab in headless Chromium, widgets clicked for real.

One JupyterLab (offline content, cache and progress in a temporary directory) and one Chromium
serve the whole module. The reference answer never comes from the page: the test builds the same
offline ``Lesson`` in its own process from the notebook's parameter cell. Screenshots go to a
temporary folder, or to ``SQLLAB_SCREENSHOTS_DIR`` (``make screenshots`` sets ``docs/screenshots``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyterlab_server import Lab, chromium_page, running_lab
from sqllab.notebook.lesson import Lesson
from sqllab.content.offline import THEMES, theme_labels
from sqllab.notebook.progress import ProgressStore

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
_TEMP_SHOTS: list[Path] = []
WAIT_MS = 60_000  # kernel start + Run All on a busy 2-core machine
WRONG_SQL = "SELECT 1 AS x"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    work = tmp_path_factory.mktemp("lab")
    env = {"SQLLAB_LLM_MODE": "offline", "SQLLAB_CACHE_DIR": str(work / "cache"),
           "SQLLAB_PROGRESS_DB": str(work / "progress.db")}
    with running_lab(work, env=env) as server:
        yield server


def forget_progress(lab: Lab) -> None:
    """Delete the lab's progress file (kernels must be shut down): each notebook starts fresh."""
    for path in (lab.root.parent).glob("progress.db*"):
        path.unlink()


@pytest.fixture(scope="module")
def browser_page(lab: Lab) -> Iterator[Any]:
    with chromium_page((1400, 1000)) as page:
        page.set_default_timeout(WAIT_MS)
        yield page


@pytest.fixture
def page(browser_page: Any, lab: Lab) -> Iterator[Any]:
    """The module's page; kernels and sessions are deleted after each notebook."""
    forget_progress(lab)
    yield browser_page
    browser_page.goto("about:blank")
    lab.shutdown_kernels()


def notebook_parameters(relpath: str) -> dict[str, Any]:
    """The values of the notebook's ``parameters`` cell, as the kernel sees them."""
    nb = json.loads((ROOT / "notebooks" / relpath).read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    values: dict[str, Any] = {}
    exec("".join(cell["source"]), {}, values)  # noqa: S102 - our own notebook's literals
    return values


def open_and_run_all(page: Any, lab: Lab, relpath: str) -> None:
    page.goto(lab.notebook_url(relpath))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    if page.locator("#jp-left-stack").is_visible():
        page.keyboard.press("Control+b")  # hide the file browser: wider cells on screenshots
    lab.wait_kernel(relpath)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()


def shots_dir() -> Path:
    """``SQLLAB_SCREENSHOTS_DIR`` (``make screenshots``: docs/screenshots), else one temporary folder."""
    configured = os.environ.get("SQLLAB_SCREENSHOTS_DIR")
    if configured:
        return Path(configured)
    if not _TEMP_SHOTS:
        _TEMP_SHOTS.append(Path(tempfile.mkdtemp(prefix="sqllab-screenshots-")))
    return _TEMP_SHOTS[0]


def shot(page: Any, name: str, target: Any | None = None) -> Path:
    if target is not None:
        target.evaluate("el => el.scrollIntoView({block: 'start'})")
    shots = shots_dir()
    shots.mkdir(parents=True, exist_ok=True)
    path = shots / name
    page.screenshot(path=str(path))
    return path


def expect_enabled(button: Any) -> None:
    from playwright.sync_api import expect

    expect(button).to_be_enabled(timeout=WAIT_MS)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_lesson01_generate_check_and_hint(page: Any, lab: Lab, lang: str,
                                          tmp_path: Path) -> None:
    relpath = f"{lang}/01_select.ipynb"
    params = notebook_parameters(relpath)
    assert params["lang"] == lang
    new_theme = next(name for name in THEMES if name != params["theme"])
    ref = Lesson("01_select", lang=lang, seed=params["seed"], student_id=params["student_id"],
                 theme=new_theme, difficulty=params["difficulty"], n_exercises=params["n_exercises"],
                 llm="offline", work_dir=tmp_path / "ref", progress=ProgressStore(tmp_path / "ref.db"))
    first = ref.exercises[0]
    new_table = ref.dataset.tables[0].name

    open_and_run_all(page, lab, relpath)
    panel = page.locator(".sqllab-dataset-panel")
    panel.locator("[data-sqllab='dataset-ready']").wait_for()
    cards = page.locator(".sqllab-card")
    cards.nth(params["n_exercises"] - 1).wait_for()
    assert cards.count() == params["n_exercises"]
    html = page.content()
    assert first.reference_sql not in html and "reference_sql" not in html

    # another theme, Generate: new tables in the previews, new exercise cards
    panel.locator(".sqllab-theme select").select_option(label=str(theme_labels(new_theme, lang)))
    panel.locator("button.sqllab-generate").click()
    panel.locator(".sqllab-previews caption", has_text=new_table).first.wait_for()
    page.locator(".sqllab-card [data-sqllab='question']").first.filter(
        has_text=str(first.question)).wait_for()
    expect_enabled(panel.locator("button.sqllab-generate"))
    sources = panel.locator("[data-sqllab^='dataset-source-']").first.get_attribute("data-sqllab")
    assert sources == "dataset-source-muted"  # offline: the bank, and the badge says so
    shot(page, f"lesson01-{lang}-dataset.png", panel)

    card = page.locator(".sqllab-card").first
    editor = card.locator(".sqllab-editor textarea")
    editor.fill(first.reference_sql)
    card.locator("button.sqllab-check").click()
    card.locator(".sqllab-verdict [data-sqllab='verdict-correct']").wait_for()
    card.locator("[data-sqllab='badge-ok']", has_text="✓").first.wait_for()  # solved in the title
    assert card.locator(".sqllab-feedback .jp-OutputArea-output").count() == 0  # no feedback when right
    shot(page, f"lesson01-{lang}.png", card)

    editor.fill(WRONG_SQL)
    card.locator("button.sqllab-check").click()
    wrong = card.locator(".sqllab-verdict [data-sqllab='verdict-wrong_result']")
    wrong.wait_for()
    assert wrong.locator("[data-sqllab='badge-bad']").count() == 1
    assert wrong.inner_text().strip()
    feedback = card.locator(".sqllab-feedback .jp-OutputArea-output").first
    feedback.wait_for()
    assert first.hints[0] in feedback.inner_text()  # offline: the rule-based hint, level 1

    card.locator("button.sqllab-hint").click()
    hint = card.locator(".sqllab-hint-text [data-sqllab='msg-info']")
    hint.wait_for()
    assert first.hints[0] in hint.inner_text()
    assert "Traceback" not in card.inner_text()
    assert "2" in card.locator(".sqllab-attempts").inner_text()  # both checks reached the kernel
    shot(page, f"lesson01-{lang}-wrong.png", card)


def test_start_here_shows_the_llm_status_badge(page: Any, lab: Lab) -> None:
    open_and_run_all(page, lab, "en/00_start_here.ipynb")
    status = page.locator(".sqllab-llm-status")
    badge = status.locator("[data-sqllab^='badge-']").first
    badge.wait_for()
    assert badge.get_attribute("data-sqllab") == "badge-muted"  # SQLLAB_LLM_MODE=offline
    assert status.inner_text().strip() != badge.inner_text().strip()  # the badge comes with its text
    page.locator(".jp-OutputArea-output table").first.wait_for()  # the progress overview, last output
    shot(page, "start-here-en.png", status)


def saved_answers(path: Path, lesson_id: str) -> dict[str, Any]:
    """The answers kept in the notebook file on disk (what JupyterLab saved), by exercise id."""
    from sqllab.notebook.answers import MIME

    deadline = time.monotonic() + 10
    while True:       # JupyterLab may still be writing the file: read again until it parses
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
            break
        except json.JSONDecodeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    found: dict[str, Any] = {}
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(MIME)
            if payload and payload["lesson"] == lesson_id:
                found.update(payload["answers"])
    return found


def background(locator: Any) -> str:
    return locator.evaluate("el => getComputedStyle(el).backgroundColor")


def border_color(locator: Any) -> str:
    return locator.evaluate("el => getComputedStyle(el).borderLeftColor")


def theme_color(page: Any, variable: str) -> str:
    """The colour a JupyterLab theme variable resolves to on the page now."""
    return page.evaluate("""name => { const probe = document.createElement('div');
        probe.style.color = `var(${name})`; document.body.appendChild(probe);
        const c = getComputedStyle(probe).color; probe.remove(); return c; }""", variable)


def set_theme(page: Any, name: str) -> None:
    """Settings > Theme > ``name``, as a student picks it; returns once the theme is applied."""
    page.locator(".lm-MenuBar-item", has_text="Settings").first.click()
    page.locator(".lm-Menu-item", has_text="Theme").first.hover()
    page.locator(".lm-Menu-item", has_text=name).first.click()
    page.wait_for_function("name => document.body.dataset.jpThemeName === name", arg=name)
    page.wait_for_timeout(500)         # the theme's stylesheet is applied after the attribute


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_lesson02_wrong_answer_diff_and_answer_kept_in_the_notebook(page: Any, lab: Lab, lang: str,
                                                                     tmp_path: Path) -> None:
    """A wrong answer shows Expected vs Your result with missing, extra and changed rows marked in
    words and theme colours, verdict and feedback are polite live regions; the answer is in the
    notebook JupyterLab saves, and a fresh kernel (no progress file) shows it again."""
    from playwright.sync_api import expect

    from near_miss import near_miss
    from sqllab import i18n, sandbox

    relpath = f"{lang}/02_where.ipynb"
    params = notebook_parameters(relpath)
    ref = Lesson("02_where", lang=lang, seed=params["seed"], student_id=params["student_id"],
                 theme=params["theme"], difficulty=params["difficulty"], n_exercises=params["n_exercises"],
                 llm="offline", work_dir=tmp_path / "ref", progress=ProgressStore(tmp_path / "ref.db"))
    first = ref.exercises[0]
    expected = sandbox.run_query(ref.db_path, first.reference_sql)
    wrong, changed, missing, extra = near_miss(expected.columns, expected.rows)
    on_disk = lab.root / relpath
    try:
        open_and_run_all(page, lab, relpath)
        card = page.locator(".sqllab-card").first
        card.locator(".sqllab-editor textarea").fill(wrong)
        card.locator("button.sqllab-check").click()
        card.locator(".sqllab-verdict [data-sqllab='verdict-wrong_result']").wait_for()

        diff = card.locator(".sqllab-diff [data-sqllab='diff']")
        diff.wait_for()
        exp_table, got_table = diff.locator("[data-sqllab='diff-expected']"), diff.locator("[data-sqllab='diff-got']")
        assert i18n.t("ui.diff.expected", lang) in exp_table.locator("caption").inner_text()
        assert i18n.t("ui.diff.got", lang) in got_table.locator("caption").inner_text()
        rows = {status: table.locator(f"tr[data-sqllab='row-{status}']")
                for table, status in ((exp_table, "missing"), (got_table, "extra"), (exp_table, "changed"))}
        for status, row in rows.items():
            assert row.count() == 1, status
            assert row.locator("td.sqllab-mark").inner_text().strip() == i18n.t(f"ui.diff.{status}", lang)
            assert background(row.locator("td").last) != "rgba(0, 0, 0, 0)", status    # highlighted
        assert str(missing[0]) in rows["missing"].inner_text()
        assert "<b>zz&</b>" in rows["extra"].inner_text()                 # a value shows as text...
        assert rows["extra"].locator("b").count() == 0                     # ...never as markup
        changed_cells = diff.locator("td.sqllab-cell-changed")
        assert changed_cells.count() == 2 and str(changed[-1]) in changed_cells.last.inner_text()
        assert background(changed_cells.first) != background(rows["changed"].locator("td").first)
        # the colours are the theme's: an extra row's marker border is JupyterLab's error colour
        extra_border = rows["extra"].locator("td.sqllab-mark")
        light = theme_color(page, "--jp-error-color1")
        assert border_color(extra_border) == light
        if lang == "en":                      # and they follow the theme: the same card in JupyterLab Dark
            try:
                set_theme(page, "JupyterLab Dark")
                assert theme_color(page, "--jp-error-color1") != light
                assert border_color(extra_border) == theme_color(page, "--jp-error-color1")
                assert background(rows["missing"].locator("td").last) != "rgba(0, 0, 0, 0)"
                shot(page, "lesson02-en-diff-dark.png", card)
            finally:
                set_theme(page, "JupyterLab Light")
        for live in (card.locator(".sqllab-verdict"), card.locator(".sqllab-feedback")):
            expect(live).to_have_attribute("role", "status")
            expect(live).to_have_attribute("aria-live", "polite")
        assert first.reference_sql not in page.content()
        card.locator(".sqllab-feedback .jp-OutputArea-output").first.wait_for()
        shot(page, f"lesson02-{lang}-diff.png", card)

        # the Check reached the cell's answers output (update_display_data from a widget callback)
        kept = page.locator("[data-sqllab='answers-kept'][data-count='1']")
        kept.wait_for()
        page.locator(".lm-MenuBar-item", has_text="File").first.click()
        page.locator(".lm-Menu-item", has_text="Save Notebook").first.click()
        deadline = time.monotonic() + 20
        while str(first.id) not in saved_answers(on_disk, "02_where") and time.monotonic() < deadline:
            time.sleep(0.3)
        answer = saved_answers(on_disk, "02_where")[str(first.id)]
        assert answer["sql"] == wrong and answer["correct"] is False and answer["status"] == "wrong_result"
        assert first.reference_sql not in on_disk.read_text(encoding="utf-8")

        # reopen: a fresh kernel and no progress file (another machine): Run All restores the answer
        page.goto("about:blank")
        lab.shutdown_kernels()
        forget_progress(lab)
        open_and_run_all(page, lab, relpath)
        card = page.locator(".sqllab-card").first
        expect(card.locator(".sqllab-editor textarea")).to_have_value(wrong, timeout=WAIT_MS)
        expect(card.locator(".sqllab-verdict [data-sqllab='msg-muted']")).to_contain_text(
            i18n.t("ui.card.restored_notebook", lang, verdict=i18n.t("ui.card.not_correct", lang)))
        page.locator("[data-sqllab='answers-kept'][data-count='1']").wait_for()   # and kept again
    finally:
        shutil.copy(ROOT / "notebooks" / relpath, on_disk)   # the next test gets the clean lesson


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_lesson02_guided_step_quiz_mistake_and_expected_result(page: Any, lab: Lab, lang: str,
                                                               tmp_path: Path) -> None:
    """The widgets woven into the lesson text, clicked as a student would: an exercise's expected
    result (open), a guided step checked by sqllab, a quiz answered wrong that explains every
    option, and a mistake that shows the database where it goes wrong."""
    from playwright.sync_api import expect

    from sqllab import sandbox
    from sqllab.content import lesson_text
    from sqllab.content.lesson_text import fill

    relpath = f"{lang}/02_where.ipynb"
    params = notebook_parameters(relpath)
    ref = Lesson("02_where", lang=lang, seed=params["seed"], student_id=params["student_id"],
                 theme=params["theme"], difficulty=params["difficulty"], n_exercises=params["n_exercises"],
                 llm="offline", work_dir=tmp_path / "ref", progress=ProgressStore(tmp_path / "ref.db"))
    text = lesson_text.load("02_where", lang)
    names = ref.names
    open_and_run_all(page, lab, relpath)

    card = page.locator(".sqllab-card").first
    expected = card.locator("[data-sqllab='expected']")
    expected.wait_for()
    assert expected.get_attribute("open") is not None
    first = sandbox.run_query(ref.db_path, ref.exercises[0].reference_sql)
    head = expected.locator("thead").inner_text()
    assert all(str(c) in head for c in first.columns)
    assert ref.exercises[0].reference_sql not in page.content()
    shot(page, f"lesson02-{lang}-expected.png", card)

    n = next(i for i, s in enumerate(text.steps, 1) if s.kind != "run")
    item = text.steps[n - 1]
    step = page.locator(".sqllab-step").nth(n - 1)
    editor = step.locator(".sqllab-editor textarea")
    expect(editor).to_have_value(fill(item.start, names), timeout=WAIT_MS)
    step.locator("button.sqllab-check").click()
    verdict = step.locator(".sqllab-verdict [data-sqllab^='verdict-']")
    verdict.wait_for()
    assert verdict.get_attribute("data-sqllab") != "verdict-correct"
    editor.fill(fill(item.answer, names))
    step.locator("button.sqllab-check").click()
    step.locator(".sqllab-verdict [data-sqllab='verdict-correct']").wait_for()
    assert "Traceback" not in step.inner_text()
    shot(page, f"lesson02-{lang}-step.png", step)

    quiz = page.locator(".sqllab-quiz").first
    options = text.quizzes[0].options
    wrong = next(i for i, o in enumerate(options) if not o.correct)
    quiz.locator(f".sqllab-quiz-option-{wrong}").click()
    quiz.locator("button.sqllab-quiz-answer").click()
    quiz.locator("[data-sqllab='quiz-wrong']").wait_for()
    expect(quiz.locator("[data-sqllab='quiz-why']")).to_have_count(len(options))
    shot(page, f"lesson02-{lang}-quiz.png", quiz)

    mistake = page.locator(".sqllab-mistake").first
    mistake.locator("button.sqllab-mistake-reveal").click()
    shown = mistake.locator("[data-sqllab='mistake-reveal'] [data-sqllab='diff']")
    shown.wait_for()
    assert shown.locator("[data-sqllab='diff-expected'] tbody tr").count() >= 1
    assert fill(text.mistakes[0].fix, names).split()[0] in mistake.inner_text()
    shot(page, f"lesson02-{lang}-mistake.png", mistake)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_explain_shows_a_join_and_a_group_by_clause_by_clause(page: Any, lab: Lab, lang: str,
                                                               tmp_path: Path) -> None:
    """**Explain** on an exercise card: the student's query run step by step on their data, with
    the row count of every step as SQLite gives it (issue: a wrong answer that teaches)."""
    from sqllab.grading.explain import explain

    relpath = f"{lang}/05_joins.ipynb"
    params = notebook_parameters(relpath)
    ref = Lesson("05_joins", lang=lang, seed=params["seed"], student_id=params["student_id"],
                 theme=params["theme"], difficulty=params["difficulty"], n_exercises=params["n_exercises"],
                 llm="offline", work_dir=tmp_path / "ref", progress=ProgressStore(tmp_path / "ref.db"))
    t = ref.names
    join = (f"SELECT p.{t.parent_key}, COUNT(c.{t.child_key}) AS n FROM {t.parent} AS p "
            f"LEFT JOIN {t.child} AS c ON c.{t.fk} = p.{t.parent_key} GROUP BY p.{t.parent_key} "
            f"HAVING COUNT(c.{t.child_key}) >= 1 ORDER BY n DESC, p.{t.parent_key} LIMIT 3")
    expected = explain(ref.db_path, join, lang=lang)
    open_and_run_all(page, lab, relpath)
    card = page.locator(".sqllab-card").first
    card.locator(".sqllab-editor textarea").fill(join)
    card.locator("button.sqllab-explain").click()
    steps = card.locator(".sqllab-explain-output [data-sqllab='explain-step']")
    steps.first.wait_for()
    clauses = [steps.nth(i).get_attribute("data-clause") for i in range(steps.count())]
    assert clauses == [s.clause for s in expected.steps]
    assert {"FROM", "LEFT JOIN", "GROUP BY", "HAVING", "LIMIT"} <= set(clauses)
    assert [int(steps.nth(i).get_attribute("data-rows")) for i in range(steps.count())] == \
        [s.row_count for s in expected.steps]
    assert "Traceback" not in card.inner_text()
    shot(page, f"lesson05-{lang}-explain.png", card.locator(".sqllab-explain-output"))
