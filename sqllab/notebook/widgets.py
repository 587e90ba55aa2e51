"""The lesson's widgets; the only module of sqllab that imports ipywidgets.

- ``llm_status(lang, llm)``: a badge saying whether the LLM answers (and how to start it).
- ``dataset_panel(lesson)``: theme and difficulty, Generate, a working indicator, a badge
  LLM/bank, small table previews and the ER diagram.
- ``exercises(lesson)``: a progress bar, where the student stopped, and one card per exercise
  (question, SQL editor, Run, Check, Hint, attempt count, verdict, streamed feedback).

Callbacks never raise into the notebook: sqllab errors show their message in the student's
language, anything else shows a short apology and goes to the log. Buttons work without a
browser (``card.check_button.click()``); background work can be awaited with ``wait()``.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import anywidget
import ipywidgets as W

from .. import i18n, sandbox
from ..grading import resultdiff
from .answers import NotebookAnswers
from .answers import for_lesson as answers_for_lesson
from ..errors import SQLLabError

log = logging.getLogger(__name__)

PREVIEW_ROWS = 5
RESULT_ROWS = 20

# Colours come from JupyterLab's theme variables (light and dark themes), with the light
# theme's values as fallbacks; a row's kind is also written in words, never only coloured.
STYLE = W.HTML(
    "<style>"
    ".sqllab-editor textarea{font-family:var(--jp-code-font-family,monospace);font-size:13px}"
    ".sqllab-badge{display:inline-block;padding:1px 8px;border-radius:9px;color:#fff;font-size:12px}"
    ".sqllab-ok{background:var(--jp-success-color0,#2e7d32)}.sqllab-bad{background:var(--jp-error-color0,#c62828)}"
    ".sqllab-info{background:var(--jp-brand-color0,#1565c0)}.sqllab-muted{background:#757575}"
    "table.sqllab-table{border-collapse:collapse;font-size:12px;margin:4px 0;color:var(--jp-ui-font-color1)}"
    "table.sqllab-table td,table.sqllab-table th{border:1px solid var(--jp-border-color2,#ccc);padding:2px 6px}"
    "table.sqllab-table th{background:var(--jp-layout-color2)}"
    "table.sqllab-table caption{text-align:left;font-weight:bold;padding:2px 0}"
    ".sqllab-diff{margin:4px 0;color:var(--jp-ui-font-color1)}"
    ".sqllab-diff-sides{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}"
    ".sqllab-diff-sides>div{overflow-x:auto;max-width:100%}"
    ".sqllab-diff-note{font-size:12px;color:var(--jp-ui-font-color2)}"
    "td.sqllab-mark{font-size:11px;white-space:nowrap;color:var(--jp-ui-font-color1)}"
    "tr.sqllab-row-missing>td{background:color-mix(in srgb,var(--jp-success-color1,#388e3c) 22%,transparent)}"
    "tr.sqllab-row-missing>td.sqllab-mark{border-left:4px solid var(--jp-success-color1,#388e3c)}"
    "tr.sqllab-row-extra>td{background:color-mix(in srgb,var(--jp-error-color1,#d32f2f) 22%,transparent)}"
    "tr.sqllab-row-extra>td.sqllab-mark{border-left:4px solid var(--jp-error-color1,#d32f2f)}"
    "tr.sqllab-row-changed>td{background:color-mix(in srgb,var(--jp-warn-color1,#f57c00) 14%,transparent)}"
    "tr.sqllab-row-changed>td.sqllab-mark{border-left:4px solid var(--jp-warn-color1,#f57c00)}"
    "tr.sqllab-row-changed>td.sqllab-cell-changed{background:color-mix(in srgb,var(--jp-warn-color1,#f57c00) 45%,transparent);"
    "font-weight:bold;text-decoration:underline dotted}"
    "pre.sqllab-code{background:var(--jp-cell-editor-background,#f7f7f7);padding:4px 8px;margin:4px 0;"
    "font-family:var(--jp-code-font-family,monospace);font-size:13px;white-space:pre-wrap}"
    ".sqllab-quiz .widget-toggle-button{margin-right:8px}"
    "</style>")

# Screen readers announce a change only inside a live region that was already on the page, so
# ``role=status``/``aria-live`` go on the verdict's and the feedback's own elements (which stay
# while their content changes), not into the HTML they show. ipywidgets cannot set attributes;
# this invisible anywidget sets them on the ``.sqllab-live`` elements of its card.
_LIVE_REGIONS_JS = """
function mark(card) {
  for (const node of card.querySelectorAll(".sqllab-live")) {
    if (node.getAttribute("role") !== "status") {
      node.setAttribute("role", "status");
      node.setAttribute("aria-live", "polite");
    }
  }
}
export default {
  render({ el }) {
    el.style.display = "none";
    let observer = null, tries = 0, timer = null;
    const start = () => {
      const card = el.closest(".sqllab-card, .sqllab-step, .sqllab-quiz, .sqllab-mistake");
      if (!card) {
        if (tries++ < 400) timer = setTimeout(start, 50);
        return;
      }
      mark(card);
      observer = new MutationObserver(() => mark(card));
      observer.observe(card, { childList: true, subtree: true });
    };
    start();
    return () => { clearTimeout(timer); if (observer) observer.disconnect(); };
  },
};
"""


class LiveRegions(anywidget.AnyWidget):
    """Invisible; makes the ``.sqllab-live`` elements of its card polite live regions."""

    _esm = _LIVE_REGIONS_JS

    def __repr__(self) -> str:
        return "LiveRegions()"


# --- helpers -----------------------------------------------------------------------------

def badge(text: str, kind: str = "info", title: str = "") -> str:
    """An inline badge; ``kind`` is ok, bad, info or muted."""
    t = f' title="{html.escape(title)}"' if title else ""
    return f'<span class="sqllab-badge sqllab-{kind}" data-sqllab="badge-{kind}"{t}>{html.escape(text)}</span>'


def table_html(columns: Sequence[str], rows: Iterable[Sequence[Any]], *, caption: str = "") -> str:
    """A small HTML table; NULL shows as NULL."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join("<tr>" + "".join(
        f"<td>{'<i>NULL</i>' if v is None else html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="sqllab-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: Any) -> str:
    return "<i>NULL</i>" if value is None else html.escape(str(value))


def diff_html(view: Any, lang: str, inputs: Sequence[Any] = (),
              labels: tuple[str, str] = ("ui.diff.expected", "ui.diff.got"), *, left_out: int = 0) -> str:
    """Two small tables, expected and the student's result, from a ``resultdiff.SideBySide``:
    each row says in words whether it is missing, extra or changed (and is coloured by the
    theme), changed cells are marked; ``inputs`` are the tables of the small hidden database where
    the results differ, every row of it (``TableSample``; ``left_out``: rows of it not in
    ``inputs``). Every value is escaped."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    where = (t("ui.diff.visible") if view.variant == "visible"
             else t("ui.diff.hidden", kind=i18n.t(f"sql.variant.{view.variant}", lang)))
    parts = [f'<div class="sqllab-diff-note" data-sqllab="diff-where">{html.escape(where)}</div>']
    if inputs:
        whole = t("ui.diff.database_part", n=left_out) if left_out else t("ui.diff.database")
        parts.append(f'<div class="sqllab-diff-note" data-sqllab="diff-database">{html.escape(whole)}</div>')
    for sample in inputs:
        parts.append(table_html(sample.columns, sample.rows, caption=t("ui.diff.input", table=sample.name)))
    if view.columns_differ:
        parts.append(f'<div class="sqllab-diff-note">{html.escape(t("ui.diff.columns", expected=len(view.expected.columns), got=len(view.got.columns)))}</div>')
    which = t("ui.diff.first") if view.kind in ("ordering", "column_count") else t("ui.diff.differing")
    table = t("ui.diff.table", table=view.table) + " — " if view.table else ""
    sides = []
    for name, side, label in (("expected", view.expected, labels[0]), ("got", view.got, labels[1])):
        caption = f"{table}{t(label)} ({which})"
        head = (f'<th scope="col">{html.escape(t("ui.diff.status"))}</th>'
                + "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in side.columns))
        body = []
        for row in side.rows:
            mark = "" if row.status == "same" else html.escape(t(f"ui.diff.{row.status}"))
            cells = []
            for i, value in enumerate(row.values):
                if i in row.changed_cells:
                    cells.append(f'<td class="sqllab-cell-changed" title="{html.escape(t("ui.diff.cell_changed"))}">'
                                 f"{_cell(value)}</td>")
                else:
                    cells.append(f"<td>{_cell(value)}</td>")
            body.append(f'<tr class="sqllab-row-{row.status}" data-sqllab="row-{row.status}">'
                        f'<td class="sqllab-mark">{mark}</td>{"".join(cells)}</tr>')
        if not side.rows:
            body.append(f'<tr data-sqllab="no-rows"><td colspan="{len(side.columns) + 1}">'
                        f'<i>{html.escape(t("ui.diff.no_rows"))}</i></td></tr>')
        more = (f'<div class="sqllab-diff-note">{html.escape(t("ui.diff.more", n=side.more))}</div>'
                if side.more else "")
        sides.append(f'<div><table class="sqllab-table sqllab-diff-table" data-sqllab="diff-{name}">'
                     f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
                     f'<tbody>{"".join(body)}</tbody></table>{more}</div>')
    parts.append(f'<div class="sqllab-diff-sides">{"".join(sides)}</div>')
    return f'<div class="sqllab-diff" data-sqllab="diff" data-variant="{html.escape(view.variant)}">{"".join(parts)}</div>'


def _message(text: str, kind: str) -> str:
    color = {"ok": "#2e7d32", "bad": "#c62828", "info": "#1565c0", "muted": "#616161"}[kind]
    return f'<div style="color:{color}" data-sqllab="msg-{kind}">{html.escape(text)}</div>'


def _safe(show: Callable[[Any, str], None]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap a callback: errors become a message via ``show(self, html)``, never a traceback."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(self, *args, **kwargs)
            except SQLLabError as exc:
                show(self, _message(exc.message_in(self.lang), "bad"))
            except Exception as exc:
                log.exception("widget callback %s failed", fn.__name__)
                show(self, _message(i18n.t("ui.unexpected", self.lang, kind=type(exc).__name__), "bad"))
            return None

        return wrapper

    return deco


def _hooks(widgets: dict[W.DOMWidget, str]) -> None:
    """Stable CSS classes (``sqllab-<name>``) that browser tests and custom styles select on."""
    for widget, name in widgets.items():
        widget.add_class(f"sqllab-{name}")


def _in_thread(target: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


# --- LLM status --------------------------------------------------------------------------

def check_health() -> dict[str, Any]:
    """``check_llm_health`` on the configured LLM; never raises (errors become 'unhealthy')."""
    try:
        from ..llm import check_llm_health, default_client, run_sync

        async def go() -> dict[str, Any]:
            client = default_client()
            try:
                return await check_llm_health(client)
            finally:
                await client.close()

        return run_sync(go())
    except SQLLabError as exc:
        return {"status": "unhealthy", "model": "", "response_time": None, "error": exc.message}
    except Exception as exc:
        log.warning("LLM health check failed", exc_info=True)
        return {"status": "unhealthy", "model": "", "response_time": None,
                "error": f"{type(exc).__name__}: {exc}"}


class LLMStatusBadge(W.VBox):
    """Green when the LLM answers, red with how to start it when not, grey when offline."""

    def __init__(self, lang: str = "en", llm: str = "auto", *, background: bool = True) -> None:
        from .lesson import resolve_llm_mode

        self.lang = i18n.normalize_lang(lang)
        self.mode = resolve_llm_mode(llm, lang=self.lang)
        self.html = W.HTML()
        self.pull_bar = W.FloatProgress(min=0.0, max=1.0, value=0.0, bar_style="info",
                                        layout=W.Layout(display="none"))
        self.health: dict[str, Any] | None = None
        self._thread: threading.Thread | None = None
        super().__init__([STYLE, self.html, self.pull_bar])
        self.add_class("sqllab-llm-status")
        self.refresh(background=background)

    def __repr__(self) -> str:
        status = (self.health or {}).get("status", "offline" if self.mode == "offline" else "checking")
        return f"LLMStatusBadge(mode={self.mode!r}, status={status!r})"

    def refresh(self, *, background: bool = True) -> None:
        if self.mode == "offline":
            self.html.value = badge("offline", "muted") + " " + html.escape(i18n.t("ui.llm.offline", self.lang))
            return
        self.html.value = badge("LLM", "info") + " " + html.escape(i18n.t("ui.llm.checking", self.lang))
        if background:
            self._thread = _in_thread(self._check)
        else:
            self._check()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread:
            self._thread.join(timeout)

    def _check(self) -> None:
        from ..settings import llm_settings

        if llm_settings().embedded:
            _in_thread(self._watch_embedded)
        self.health = h = check_health()
        self.pull_bar.layout.display = "none"
        if h.get("status") == "healthy":
            ms = round(1000 * float(h.get("response_time") or 0))
            self.html.value = badge("LLM", "ok") + " " + html.escape(
                i18n.t("ui.llm.healthy", self.lang, model=h.get("model", "?"), ms=ms))
        else:
            self.html.value = (badge("LLM", "bad") + " " + html.escape(
                i18n.t("ui.llm.unhealthy", self.lang, error=h.get("error", "?")))
                + "<br>" + i18n.t("ui.llm.how_to_start", self.lang))


    def _watch_embedded(self) -> None:
        """While the health check waits on the shared embedded server: what it is doing (the
        first start downloads the model, 1.1 GB, then loads it), with a bar for the download."""
        import time

        from ..llm import embedded

        while self.health is None:
            state = embedded.status()
            stage, progress = state.get("status"), state.get("progress") or {}
            if stage == "pulling" and progress.get("total"):
                self.pull_bar.layout.display = None
                self.pull_bar.value = min(1.0, progress.get("done", 0) / progress["total"])
                self.html.value = badge("LLM", "info") + " " + html.escape(i18n.t(
                    "ui.llm.pulling", self.lang, pct=round(100 * self.pull_bar.value)))
            elif stage == "loading":
                self.pull_bar.layout.display = "none"
                self.html.value = badge("LLM", "info") + " " + html.escape(i18n.t("ui.llm.loading", self.lang))
            time.sleep(1.0)


def llm_status(lang: str = "en", llm: str = "auto") -> LLMStatusBadge:
    return LLMStatusBadge(lang, llm)


# --- dataset panel -----------------------------------------------------------------------

class DatasetPanel(W.VBox):
    """Theme, difficulty, Generate; what was generated, table previews and the ER diagram."""

    def __init__(self, lesson: Any) -> None:
        self.lesson = lesson
        self.lang = lesson.lang
        themes, difficulties = _choices(self.lang)
        if lesson.theme not in dict((v, k) for k, v in themes).keys():
            themes.append((lesson.theme, lesson.theme))
        self.theme = W.Dropdown(options=themes, value=lesson.theme,
                                description=i18n.t("ui.panel.theme", self.lang))
        if lesson.difficulty not in [v for _, v in difficulties]:
            difficulties.append((lesson.difficulty, lesson.difficulty))
        self.difficulty = W.Dropdown(options=difficulties, value=lesson.difficulty,
                                     description=i18n.t("ui.panel.difficulty", self.lang))
        self.generate_button = W.Button(description=i18n.t("ui.panel.generate", self.lang),
                                        button_style="primary", icon="refresh")
        self.working = W.IntProgress(value=0, min=0, max=1, bar_style="info",
                                     description=i18n.t("ui.panel.working", self.lang),
                                     style={"description_width": "initial"},
                                     layout=W.Layout(visibility="hidden"))
        self.badge = W.HTML()
        self.status = W.HTML()
        self.job_status = W.HTML()
        self.cancel_button = W.Button(description=i18n.t("ui.job.cancel", self.lang), icon="stop",
                                      layout=W.Layout(display="none"))
        self.accept_button = W.Button(description=i18n.t("ui.job.accept", self.lang), icon="magic",
                                      button_style="info", layout=W.Layout(display="none"))
        self.previews = W.HTML()
        self.er = W.Output()
        self._thread: threading.Thread | None = None
        self.shown: dict[str, Any] = {"tables": 0, "rows": 0, "exercises": 0, "source": "-"}
        self.generate_button.on_click(self._on_generate)
        self.cancel_button.on_click(lambda _b: self.lesson.cancel_generation())
        self.accept_button.on_click(self._on_accept)
        self._ticking: Any = None
        _hooks({self.theme: "theme", self.difficulty: "difficulty", self.generate_button: "generate",
                self.status: "dataset-status", self.previews: "previews", self.job_status: "job-status",
                self.cancel_button: "cancel", self.accept_button: "accept"})
        super().__init__([
            STYLE,
            W.HTML(f"<b>{html.escape(i18n.t('ui.panel.title', self.lang))}</b>"),
            W.HBox([self.theme, self.difficulty, self.generate_button]),
            self.working, W.HBox([self.badge, self.status]),
            W.HBox([self.job_status, self.cancel_button, self.accept_button]),
            W.Accordion([self.previews, self.er],
                        titles=(i18n.t("ui.panel.tables", self.lang), i18n.t("ui.panel.er", self.lang)),
                        selected_index=0),
        ])
        self.add_class("sqllab-dataset-panel")
        lesson.on_change(lambda _lesson: self.show_content())
        lesson.on_status(lambda _lesson: self.show_job())
        self.show_content()
        self.show_job()

    def __repr__(self) -> str:
        s = self.shown
        return (f"DatasetPanel(lesson={self.lesson.lesson_id!r}, tables={s['tables']}, rows={s['rows']}, "
                f"exercises={s['exercises']}, source={s['source']!r})")

    def _show_error(self, text: str) -> None:
        self.status.value = text

    @_safe(_show_error)
    def show_job(self) -> None:
        """The background job's live progress with Cancel, or the offer of finished LLM content."""
        lesson, job = self.lesson, self.lesson.job
        running = job is not None and job.progress.running
        self.cancel_button.layout.display = None if running else "none"
        pending = lesson.pending
        self.accept_button.layout.display = None if pending is not None else "none"
        if pending is not None:
            self.job_status.value = _message(i18n.t("ui.job.offer", self.lang, n=pending.llm_exercises), "info")
        elif running:
            if self._ticking is not job:
                self._ticking = job
                _in_thread(lambda: self._tick(job))
            self._show_progress(job.progress)
        elif job is not None:
            self._show_progress(job.progress)
        else:
            self.job_status.value = ""

    def _show_progress(self, progress: Any) -> None:
        from .lesson import stage_text

        state = "running" if progress.running else progress.stage
        intro = html.escape(i18n.t("ui.job.working", self.lang)) + "<br>" if progress.running else ""
        self.job_status.value = (f'<div data-sqllab="job-{state}"><small>{intro}'
                                 + badge(i18n.t("ui.job.title", self.lang), "info") + " "
                                 + html.escape(stage_text(progress, self.lang)) + "</small></div>")

    def _tick(self, job: Any) -> None:
        """Refresh the elapsed time while the job runs (stages without tokens included)."""
        while job.progress.running and self.lesson.job is job:
            self._show_progress(job.progress)
            job.wait(1.0)
        self.show_job()

    @_safe(_show_error)
    def _on_accept(self, _button: Any = None) -> None:
        self.lesson.accept_pending()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a Generate started by a click (tests, scripts)."""
        if self._thread:
            self._thread.join(timeout)

    def _on_generate(self, _button: Any = None) -> None:
        if self._thread and self._thread.is_alive():
            return
        self.generate_button.disabled = True
        self.working.layout.visibility = "visible"
        self.working.value = 0
        self.status.value = ""
        self._thread = _in_thread(self._generate)

    @_safe(_show_error)
    def _generate(self) -> None:
        try:
            self.lesson.prepare(theme=self.theme.value, difficulty=self.difficulty.value, wait=False)
        finally:
            self.working.value = 1
            self.working.layout.visibility = "hidden"
            self.generate_button.disabled = False

    @_safe(_show_error)
    def show_content(self) -> None:
        content = self.lesson.content
        if content is None:
            return
        t = lambda key, **kw: i18n.t(key, self.lang, **kw)  # noqa: E731
        badges = []
        for what, source in (("dataset", content.dataset_source), ("exercises", content.exercise_source)):
            label = t("ui.badge.llm") if source == "llm" else t("ui.badge.bank")
            title = t("ui.badge.llm_title") if source == "llm" else t("ui.badge.bank_title")
            badges.append(badge(label, "ok" if source == "llm" else "muted", title)
                          .replace('data-sqllab="badge-', f'data-sqllab="{what}-source-'))
        self.badge.value = " ".join(badges)
        desc = self.lesson.describe()
        tables = _tables(desc)
        rows = sum(n for _, n in tables)
        note = t("ui.panel.ready", tables=len(tables), rows=rows, n=len(content.exercises))
        if getattr(content, "written_ahead", False) and content.llm_exercises:
            note += " — " + t("ui.panel.written_ahead")
        if content.fallback_reason and self.lesson.llm_mode != "offline":
            note += " — " + t("ui.badge.fallback", reason=content.fallback_reason)
        self.status.value = f'<span data-sqllab="dataset-ready">{html.escape(note)}</span>'
        self.previews.value = self._previews(tables)
        self.shown = {"tables": len(tables), "rows": rows, "exercises": len(content.exercises),
                      "source": f"{content.dataset_source}/{content.exercise_source}"}
        diagram = f"```mermaid\n{desc.mermaid}\n```"  # the bundle is explicit: no formatter needed
        self.er.outputs = ({"output_type": "display_data", "metadata": {},
                            "data": {"text/markdown": diagram, "text/plain": desc.mermaid}},)

    def _previews(self, tables: list[tuple[str, int]]) -> str:
        from .. import sandbox

        parts = []
        for name, total in tables:
            res = sandbox.run_query(self.lesson.db_path,
                                    f"SELECT * FROM {sandbox.quote_ident(name)} LIMIT {PREVIEW_ROWS}",
                                    lang=self.lang)
            caption = i18n.t("ui.panel.rows_of", self.lang, table=name, shown=len(res.rows), total=total)
            parts.append(table_html(res.columns, res.rows, caption=caption))
        return "".join(parts)


def _tables(desc: Any) -> list[tuple[str, int]]:
    """(name, row count) of each table of a ``DatabaseDescription``."""
    out = []
    for tb in getattr(desc, "tables", []):
        name = getattr(tb, "name", None) or tb
        count = getattr(tb, "row_count", None)
        if count is None:
            count = getattr(tb, "rows", 0)
        out.append((str(name), int(count if isinstance(count, int) else len(count or []))))
    return out


def _choices(lang: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    from ..content.offline import DIFFICULTIES, THEMES, theme_labels

    themes = [(str(theme_labels(name, lang)), name) for name in THEMES]
    difficulties = [(i18n.t(f"ui.difficulty.{d}", lang), d) for d in DIFFICULTIES]
    return themes, difficulties


def dataset_panel(lesson: Any) -> DatasetPanel:
    return DatasetPanel(lesson)


# --- exercise card -----------------------------------------------------------------------

class ExerciseCard(W.VBox):
    """One exercise: question, SQL editor, Run / Check / Hint, verdict and feedback."""

    def __init__(self, lesson: Any, exercise: Any, number: int,
                 on_checked: Callable[[ExerciseCard], None] | None = None,
                 answers: NotebookAnswers | None = None, *, show_expected: bool = True,
                 practice: Any = None, on_practise: Callable[[ExerciseCard, Any], None] | None = None) -> None:
        self.lesson = lesson
        self.exercise = exercise
        self.lang = lesson.lang
        self.number = number
        self.on_checked = on_checked
        self.answers = answers
        self.show_expected = show_expected
        self.practice = practice              # a PracticeRecord when this card is a practice exercise
        self.on_practise = on_practise        # where a new practice card goes (else: below this card)
        t = lambda key, **kw: i18n.t(key, self.lang, **kw)  # noqa: E731
        progress = lesson.status().get(str(exercise.id))
        saved = answers.restore(exercise.id) if answers is not None else None
        self.attempts = progress.attempts if progress else 0
        self.solved = bool(progress and progress.solved) or bool(saved and saved.correct)
        self.hint_level = 0
        self.title = W.HTML()
        self.question = W.HTML(self._question_html())
        self.expected = W.HTML(expected_html(lesson, exercise) if show_expected else "")
        start = saved.sql if saved is not None else (progress.last_sql if progress else "")
        self.editor = W.Textarea(value=start,
                                 placeholder=t("ui.card.placeholder"),
                                 layout=W.Layout(width="100%", height="7em"))
        self.editor.add_class("sqllab-editor")
        self.run_button = W.Button(description=t("ui.card.run"), icon="play")
        self.check_button = W.Button(description=t("ui.card.check"), icon="check", button_style="success")
        self.hint_button = W.Button(description=t("ui.card.hint"), icon="lightbulb-o")
        self.attempts_label = W.Label()
        self.result = W.HTML()
        self.verdict = W.HTML()
        self.diff = W.HTML()
        self.hint = W.HTML()
        self.feedback = W.Output()
        self.verdict.add_class("sqllab-live")
        self.feedback.add_class("sqllab-live")
        self._thread: threading.Thread | None = None
        self.run_button.on_click(self._on_run)
        self.check_button.on_click(self._on_check)
        self.hint_button.on_click(self._on_hint)
        self.explain_button = W.Button(description=t("explain.button"), icon="search")
        self.explanation = W.HTML()
        self.explain_button.on_click(self._on_explain)
        _hooks({self.explain_button: "explain", self.explanation: "explain-output"})
        # Try it: the small database of the last wrong answer, in the practice copy (shown only then)
        self.try_button = W.Button(description=t("ui.try.button"), icon="flask", tooltip=t("ui.try.tooltip"),
                                   layout=W.Layout(width="auto", display="none"))
        self.tried = W.HTML()
        self.try_button.on_click(self._on_try)
        _hooks({self.try_button: "try-counterexample", self.tried: "try-output"})
        # Practise this: one more exercise aimed at the diagnosed mistake (shown only after one)
        self.practise_button = W.Button(description=t("practise.button"), icon="repeat",
                                        tooltip=t("practise.tooltip"), layout=W.Layout(width="auto", display="none"))
        self.practise_status = W.HTML()
        self.practice_area = W.VBox()        # practice cards of a card shown on its own (no list of cards)
        self.practise_button.on_click(self._on_practise)
        self.practice_job: Any = None
        self._practice_thread: threading.Thread | None = None
        _hooks({self.practise_button: "practise", self.practise_status: "practise-status",
                self.practice_area: "practice-area"})
        self.last_verdict: Any = None
        self.last_sql = ""
        _hooks({self.run_button: "run", self.check_button: "check", self.hint_button: "hint",
                self.result: "result", self.verdict: "verdict", self.diff: "diff", self.hint: "hint-text",
                self.feedback: "feedback", self.attempts_label: "attempts"})
        self._refresh_title()
        if progress and progress.attempts:
            self.verdict.value = _message(t("ui.card.restored", n=progress.attempts), "muted")
        elif saved is not None:      # nothing in this machine's progress file: the notebook kept it
            verdict = t("ui.card.correct" if saved.correct else "ui.card.not_correct")
            self.verdict.value = _message(t("ui.card.restored_notebook", verdict=verdict), "muted")
        super().__init__([
            self.title, self.question, self.expected, self.editor,
            W.HBox([self.run_button, self.check_button, self.hint_button, self.explain_button, self.attempts_label]),
            self.hint, self.result, self.explanation, self.verdict, self.diff,
            W.HBox([self.try_button, self.practise_button]), self.tried,
            self.feedback, self.practise_status, self.practice_area, LiveRegions(),
        ], layout=W.Layout(border="1px solid var(--jp-border-color2, #ddd)", padding="6px", margin="6px 0"))
        self.add_class("sqllab-card")
        if practice is not None:
            self.add_class("sqllab-practice-card")

    def __repr__(self) -> str:
        return (f"ExerciseCard(exercise={str(self.exercise.id)!r}, attempts={self.attempts}, "
                f"solved={self.solved})")

    def _question_html(self) -> str:
        ex = self.exercise
        extra = []
        intro = ""
        if self.practice is not None:        # what it practises, and why its question is the bank's
            intro = f'<div data-sqllab="practice-intro"><i>{html.escape(self.practice.intro(self.lang))}</i></div>'
            note = self.practice.note(self.lang) if self.lesson.llm_mode != "offline" else ""
            if note:
                intro += f'<div data-sqllab="practice-note"><small>{html.escape(note)}</small></div>'
        if getattr(ex, "ordered", False):
            extra.append(i18n.t("ui.card.ordered", self.lang))
        if getattr(ex, "topic", "") == "modify":
            extra.append(i18n.t("ui.card.modify_note", self.lang))
        note = "".join(f"<div><small>{html.escape(e)}</small></div>" for e in extra)
        return f'{intro}<div data-sqllab="question">{html.escape(str(ex.question))}</div>{note}'

    def _refresh_title(self) -> None:
        t = lambda key, **kw: i18n.t(key, self.lang, **kw)  # noqa: E731
        source = getattr(self.exercise, "source", "bank")
        heading = self.practice.title(self.lang) if self.practice is not None else t("ui.card.title", n=self.number)
        parts = [f"<b>{html.escape(heading)}</b>",
                 badge(t("ui.badge.llm") if source == "llm" else t("ui.badge.bank"),
                       "info" if source == "llm" else "muted")]
        if self.solved:
            parts.append(badge("✓ " + t("ui.card.solved"), "ok"))
        self.title.value = " ".join(parts)
        self.attempts_label.value = t("ui.card.attempts", n=self.attempts)

    def _show_result(self, text: str) -> None:
        self.result.value = text

    def _show_verdict(self, text: str) -> None:
        self.verdict.value = text

    def wait(self, timeout: float | None = None) -> None:
        """Wait for streamed feedback to finish (tests, scripts)."""
        if self._thread:
            self._thread.join(timeout)

    @_safe(_show_result)
    def _on_run(self, _button: Any = None) -> None:
        sql = self.editor.value
        if not sql.strip():
            self.result.value = _message(i18n.t("ui.card.empty", self.lang), "muted")
            return
        res = self.lesson.run(sql, max_rows=RESULT_ROWS)
        self.result.value = _result_html(res, self.lang)

    @_safe(_show_verdict)
    def _on_check(self, _button: Any = None) -> None:
        sql = self.editor.value
        if not sql.strip():
            self.verdict.value = _message(i18n.t("ui.card.empty", self.lang), "muted")
            return
        checked = self.lesson.check(self.exercise, sql)
        v = checked.verdict
        self.attempts = checked.progress.attempts or self.attempts + 1
        self.solved = self.solved or bool(v.correct)
        head = i18n.t("ui.card.correct" if v.correct else "ui.card.not_correct", self.lang)
        kind = "ok" if v.correct else "bad"
        view = resultdiff.from_verdict(v)
        # the tables below say what the counterexample says: the text keeps only the explanation
        message = v.message_in(self.lang, example=False) if view is not None else str(v.message or "")
        text = (f'<div data-sqllab="verdict-{html.escape(str(v.status))}">'
                + badge(head, kind) + " " + re.sub(r"\n+", "<br>", html.escape(message)) + "</div>")
        if checked.save_error:
            text += _message(checked.save_error, "bad")
        self.verdict.value = text
        if self.answers is not None:          # kept in the notebook too (see sqllab.notebook.answers)
            self.answers.record(str(self.exercise.id), sql, str(v.status), bool(v.correct), self.attempts)
        example = v.diff.counterexample if v.diff is not None else None
        self.diff.value = (diff_html(view, self.lang, example.inputs, left_out=example.rows_left_out)
                           if view is not None else "")
        self.last_verdict, self.last_sql = v, sql
        self.try_button.layout.display = None if example is not None and example.rebuildable else "none"
        self.tried.value = ""
        self._offer_practice(v, sql)
        self._refresh_title()
        self.feedback.outputs = ()
        if self.on_checked:
            self.on_checked(self)
        self._start_feedback(v, sql)

    def _start_feedback(self, verdict: Any, sql: str) -> None:
        """Stream LLM feedback into ``self.feedback`` from a thread; the verdict never waits."""
        if verdict.correct:
            return
        level = max(0, self.hint_level - 1)  # 0 nudge, 1 concept, 2 near-solution
        if self.lesson.llm_mode == "offline":
            self._rule_feedback(verdict, sql, level)
            return
        from ..grading.feedback import feedback

        def stream() -> None:
            try:
                client = self.lesson._client()
                for chunk in feedback(verdict, self.exercise, sql, lang=self.lang, level=level,
                                      db=self.lesson.db_path, client=client):
                    self.feedback.append_stdout(chunk)
            except Exception:
                log.warning("feedback failed", exc_info=True)
                self.feedback.append_stdout("\n" + i18n.t("ui.card.feedback_failed", self.lang))

        self._thread = _in_thread(stream)

    def _rule_feedback(self, verdict: Any, sql: str, level: int) -> None:
        """Offline: sqllab's own sentences on what differs and why (when its diagnosis names the
        cause), then the exercise's rule-based hint at ``level``, instead of LLM text."""
        from ..grading.feedback import offline_feedback

        text = offline_feedback(verdict, self.exercise, sql, lang=self.lang, level=level)
        if text:
            self.feedback.append_stdout(text)

    @_safe(_show_result)
    def _on_hint(self, _button: Any = None) -> None:
        hints = list(getattr(self.exercise, "hints", []) or [])
        if not hints:
            return
        self.hint_level = self.hint_level % len(hints) + 1
        self.hint.value = _message(self.lesson.hint(self.exercise, self.hint_level), "info")

    def _show_tried(self, text: str) -> None:
        self.tried.value = text

    @_safe(_show_tried)
    def _on_try(self, _button: Any = None) -> None:
        """Load the last wrong answer's small database into the practice copy (``Lesson.try_counterexample``),
        say what was loaded and how to go back, and show the checked query's result there."""
        if self.last_verdict is None:
            self.tried.value = _message(i18n.t("ui.try.no_verdict", self.lang, exercise=self.number), "muted")
            return
        tried = self.lesson.try_counterexample(self.last_verdict)
        parts = [f'<div data-sqllab="try-loaded">{_message(tried.message, "info")}</div>']
        try:
            res = self.lesson.run(self.last_sql, max_rows=RESULT_ROWS, playground=True)
        except SQLLabError as exc:            # e.g. the error the answer gives on these rows
            body = _message(exc.message_in(self.lang), "bad")
        else:
            body = _result_html(res, self.lang)
        parts.append(f"<div><b>{html.escape(i18n.t('ui.try.your_result', self.lang))}</b></div>"
                     f'<div data-sqllab="try-result">{body}</div>')
        self.tried.value = "".join(parts)

    # --- Practise this ---------------------------------------------------------------------

    def _offer_practice(self, verdict: Any, sql: str) -> None:
        """Show **Practise this** after a wrong answer whose cause sqllab names, hide it otherwise."""
        from . import practise_this

        offered = practise_this.offers_practice(verdict, sql, getattr(self.exercise, "reference_sql", None))
        self.practise_button.layout.display = None if offered else "none"
        if not (self._practice_thread and self._practice_thread.is_alive()):
            self.practise_status.value = ""

    def _show_practise_status(self, text: str) -> None:
        self.practise_status.value = text

    @_safe(_show_practise_status)
    def _on_practise(self, _button: Any = None) -> None:
        """Make a practice exercise for the last wrong answer in the background (its progress on the
        card), then add its card below."""
        from . import practise_this

        if self._practice_thread and self._practice_thread.is_alive():
            return
        job = self.practice_job = practise_this.start(self.lesson, str(self.exercise.id))
        self.practise_button.disabled = True
        self._show_practice_progress(job)
        self._practice_thread = _in_thread(lambda: self._follow_practice(job))

    def _show_practice_progress(self, job: Any) -> None:
        from .lesson import stage_text

        text = html.escape(i18n.t("practise.working", self.lang))
        if self.lesson.llm_mode != "offline":     # the model's part: its stage, tokens and seconds
            text += (f" {badge(i18n.t('ui.job.title', self.lang), 'info')} "
                     + html.escape(stage_text(job.progress, self.lang)))
        self.practise_status.value = f'<div data-sqllab="practise-running"><small>{text}</small></div>'

    @_safe(_show_practise_status)
    def _follow_practice(self, job: Any) -> None:
        try:
            while not job.wait(0.5):
                self._show_practice_progress(job)
        finally:
            self.practise_button.disabled = False
        if job.record is None:
            failed = _message(job.error or "", "muted")
            self.practise_status.value = f'<div data-sqllab="practise-failed">{failed}</div>'
            return
        self.add_practice(job.record)
        added = _message(i18n.t("practise.added", self.lang, n=job.record.number), "info")
        self.practise_status.value = f'<div data-sqllab="practise-added">{added}</div>'

    def add_practice(self, record: Any) -> "ExerciseCard":
        """A card for the practice exercise ``record``: in the list of cards after this one, or below
        this card when it stands alone."""
        if self.on_practise is not None:
            return self.on_practise(self, record)
        card = practice_card(self.lesson, record, on_checked=self.on_checked, answers=self.answers,
                             show_expected=self.show_expected)
        self.practice_area.children = (*self.practice_area.children, card)
        return card

    def wait_practice(self, timeout: float | None = None) -> None:
        """Wait for a practice exercise started by **Practise this** (tests, scripts)."""
        if self._practice_thread:
            self._practice_thread.join(timeout)

    def _show_explanation(self, text: str) -> None:
        self.explanation.value = text

    @_safe(_show_explanation)
    def _on_explain(self, _button: Any = None) -> None:
        """The editor's SQL run clause by clause (``Lesson.explain``), under the result."""
        sql = self.editor.value
        if not sql.strip():
            self.explanation.value = _message(i18n.t("ui.card.empty", self.lang), "muted")
            return
        self.explanation.value = self.lesson.explain(sql)._repr_html_()


def practice_card(lesson: Any, record: Any, *, on_checked: Callable[[ExerciseCard], None] | None = None,
                  answers: NotebookAnswers | None = None, show_expected: bool = True,
                  on_practise: Callable[[ExerciseCard, Any], None] | None = None) -> ExerciseCard:
    """The exercise card of a practice exercise (a ``PracticeRecord``): titled "Practice n", with
    what it practises above its question."""
    return ExerciseCard(lesson, record.exercise, record.number, on_checked=on_checked, answers=answers,
                        show_expected=show_expected, practice=record, on_practise=on_practise)


EXPECTED_ROWS = 5


def expected_html(lesson: Any, exercise: Any, max_rows: int = EXPECTED_ROWS) -> str:
    """The reference's result on the visible data (columns and first rows), in a toggle that starts open.

    The hidden variants keep a student who types these rows in as constants from passing."""
    lang = lesson.lang
    try:
        if getattr(exercise, "topic", "") == "modify":
            res = sandbox.run_modification(lesson.db_path, exercise.reference_sql, lang=lang)
        else:
            res = sandbox.run_query(lesson.db_path, exercise.reference_sql, max_rows=max_rows + 1, lang=lang)
    except SQLLabError:
        log.warning("expected result of %s did not run", getattr(exercise, "id", "?"), exc_info=True)
        return ""
    if hasattr(res, "tables"):
        body = "".join(table_html(t.columns, t.rows[:max_rows], caption=name) for name, t in res.tables.items())
    else:
        more = res.truncated or len(res.rows) > max_rows
        caption = i18n.t("ui.card.expected_first" if more else "ui.card.rows", lang,
                         n=max_rows if more else len(res.rows))
        body = (table_html(res.columns, res.rows[:max_rows], caption=caption) if res.rows
                else _message(i18n.t("ui.card.no_rows", lang), "muted"))
    return (f'<details open data-sqllab="expected"><summary>{html.escape(i18n.t("ui.card.expected", lang))}'
            f"</summary>{body}</details>")


def _result_html(res: Any, lang: str) -> str:
    if hasattr(res, "tables"):  # a modification on a throwaway copy
        parts = [_message(i18n.t("ui.card.rows", lang, n=res.changes) + " — "
                          + i18n.t("ui.card.modify_note", lang), "info")]
        for name, table in res.tables.items():
            parts.append(table_html(table.columns, table.rows[:RESULT_ROWS], caption=name))
        return '<div data-sqllab="result">' + "".join(parts) + "</div>"
    if not res.rows:
        return '<div data-sqllab="result">' + _message(i18n.t("ui.card.no_rows", lang), "muted") + "</div>"
    caption = i18n.t("ui.card.rows", lang, n=len(res.rows))
    if res.truncated:
        caption = i18n.t("ui.card.truncated", lang, n=len(res.rows))
    return '<div data-sqllab="result">' + table_html(res.columns, res.rows, caption=caption) + "</div>"


# --- lesson progress and the list of cards -----------------------------------------------

class LessonProgress(W.HBox):
    """``solved/total`` as a bar."""

    def __init__(self, lesson: Any) -> None:
        self.lesson = lesson
        self.bar = W.IntProgress(min=0, max=1, value=0, bar_style="success")
        self.label = W.Label()
        super().__init__([self.bar, self.label])
        self.refresh()

    def __repr__(self) -> str:
        return f"LessonProgress(solved={self.bar.value}, total={self.bar.max})"

    def refresh(self) -> None:
        solved, total = self.lesson.solved_count()
        self.bar.max = max(1, total)
        self.bar.value = solved
        label = i18n.t("ui.progress.label", self.lesson.lang, solved=solved, total=total)
        practice_count = getattr(self.lesson, "practice_count", None)
        done, made = practice_count() if practice_count is not None else (0, 0)
        if made:                              # practice exercises are counted apart
            label += " · " + i18n.t("practise.progress", self.lesson.lang, solved=done, total=made)
        self.label.value = label


class ExercisesView(W.VBox):
    """Progress bar, where the student stopped, and the cards; rebuilt when content changes."""

    def __init__(self, lesson: Any, *, show_expected: bool = True) -> None:
        self.lesson = lesson
        self.lang = lesson.lang
        self.show_expected = show_expected
        self.progress = LessonProgress(lesson)
        self.resume = W.HTML()
        self.cards: list[ExerciseCard] = []
        self.answers = answers_for_lesson(lesson)
        super().__init__()
        lesson.on_change(lambda _lesson: self.rebuild())
        self.rebuild()

    def __repr__(self) -> str:
        solved, _total = self.lesson.solved_count()
        return f"ExercisesView(lesson={self.lesson.lesson_id!r}, cards={len(self.cards)}, solved={solved})"

    def _ipython_display_(self) -> None:
        """The cards, then the output that keeps the checked answers in the notebook."""
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)
        self.answers.show()

    def rebuild(self) -> None:
        from . import practise_this

        self.cards = [ExerciseCard(self.lesson, ex, i + 1, on_checked=lambda _c: self.progress.refresh(),
                                   answers=self.answers, show_expected=self.show_expected,
                                   on_practise=self._add_practice)
                      for i, ex in enumerate(self.lesson.exercises)]
        for record in practise_this.records(self.lesson):     # this student's practice, past sessions too
            self._place(self._practice_card(record))
        self.resume.value = f'<div data-sqllab="resume">{html.escape(self.lesson.resume_message())}</div>'
        self.progress.refresh()
        self.children = [STYLE, self.progress, self.resume, *self.cards]

    @property
    def practice_cards(self) -> list[ExerciseCard]:
        return [c for c in self.cards if c.practice is not None]

    def _practice_card(self, record: Any) -> ExerciseCard:
        return practice_card(self.lesson, record, on_checked=lambda _c: self.progress.refresh(), answers=self.answers,
                             show_expected=self.show_expected, on_practise=self._add_practice)

    def _place(self, card: ExerciseCard) -> None:
        """Put a practice card after the card it came from (and that card's earlier practice), else last."""
        origin = card.practice.origin
        after = [i for i, c in enumerate(self.cards)
                 if str(c.exercise.id) == origin or (c.practice is not None and c.practice.origin == origin)]
        self.cards.insert(after[-1] + 1 if origin and after else len(self.cards), card)

    def _add_practice(self, _from: ExerciseCard, record: Any) -> ExerciseCard:
        card = self._practice_card(record)
        self._place(card)
        self.progress.refresh()
        self.children = [STYLE, self.progress, self.resume, *self.cards]
        return card


def exercises(lesson: Any, *, show_expected: bool = True) -> ExercisesView:
    """The lesson's exercise cards; ``show_expected=False`` hides each one's expected result."""
    return ExercisesView(lesson, show_expected=show_expected)
