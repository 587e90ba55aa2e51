"""The widgets woven into a lesson's text: guided steps, quiz questions and common mistakes.

Their texts come from the lesson's data file (:mod:`sqllab.content.lesson_text`), with the
student's table and column names filled in. A guided step is checked by sqllab's grader like an
exercise; a mistake asks the grader for a database on which a query that looks right differs
from its fix. Steps and quiz answers are recorded in the student's progress (ids ``step-N`` and
``quiz-N``), so they survive a restart; they do not count as exercises.
"""

from __future__ import annotations

import html
import json
import logging
from types import SimpleNamespace
from typing import Any

import ipywidgets as W
import mistune

from .. import i18n
from ..content import lesson_text
from ..content.exercises import has_top_level_order_by
from ..content.lesson_text import Mistake, Quiz, Step, fill
from ..errors import SQLLabError
from ..grading import resultdiff
from . import widgets as _w
from .progress import Attempt

log = logging.getLogger(__name__)

_markdown = mistune.create_markdown(escape=True, plugins=["table"])


def markdown_html(text: str) -> str:
    """Markdown → HTML with raw HTML escaped (lesson files are data, not markup to trust)."""
    return str(_markdown(text))


def markdown_inline(text: str) -> str:
    """Like :func:`markdown_html`, without the paragraph around a one-paragraph text (for a line
    that starts with a badge or a button)."""
    out = markdown_html(text).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        return out[3:-4]
    return out


def _text_of(lesson: Any) -> lesson_text.LessonText:
    return lesson_text.load(lesson.lesson_id, lesson.lang)


def _names(lesson: Any) -> Any:
    try:
        return lesson.names
    except Exception:                    # a broken dataset: show the text with its {t.…} names
        log.warning("example names unavailable", exc_info=True)
        return None


def _code(sql: str) -> str:
    return f'<pre class="sqllab-code"><code>{html.escape(sql)}</code></pre>'


def _item(lesson: Any, kind: str, n: int) -> Any:
    """Item ``n`` of the lesson's text, or a message widget when the text cannot give it
    (a notebook built from another version of the text, a malformed file): never a traceback."""
    try:
        text = _text_of(lesson)
    except SQLLabError as exc:
        return W.HTML(_w._message(exc.message_in(lesson.lang), "bad"))
    items = {"step": text.steps, "quiz": text.quizzes, "mistake": text.mistakes}[kind]
    if not 1 <= n <= len(items):
        return W.HTML(_w._message(i18n.t("ui.practice.missing", lesson.lang, kind=kind, n=n,
                                         lesson=lesson.lesson_id), "bad"))
    return items[n - 1]


# --- guided step -----------------------------------------------------------------------------

class StepCard(_w.ExerciseCard):
    """A guided step: the task, an editor that starts with the step's query, Run / Check / Hint.

    Checked like an exercise (the visible data and hidden variants), with sqllab's own verdict and
    counterexample; no LLM feedback (the step's hint is there instead)."""

    def __init__(self, lesson: Any, step: Step, number: int) -> None:
        self.step = step
        names = _names(lesson)
        answer = fill(step.answer, names)
        exercise = SimpleNamespace(
            id=f"step-{number}", question=fill(step.task, names), reference_sql=answer,
            hints=[fill(step.hint, names)] if step.hint else [], source="step",
            ordered=has_top_level_order_by(answer), topic=(getattr(lesson, "topics", None) or [""])[0])
        super().__init__(lesson, exercise, number, answers=None, show_expected=False)
        if not self.editor.value.strip():
            self.editor.value = fill(step.first_sql, names)
        self.remove_class("sqllab-card")          # an exercise card is an exercise; this is practice
        self.add_class("sqllab-step")
        self.children = (_w.STYLE, *self.children)

    def __repr__(self) -> str:
        return f"StepCard(step={self.number}, kind={self.step.kind!r}, attempts={self.attempts}, solved={self.solved})"

    def _question_html(self) -> str:
        kind = i18n.t(f"ui.step.kind.{self.step.kind}", self.lang)
        return (f'<div data-sqllab="step-kind"><small>{html.escape(kind)}</small></div>'
                f'<div data-sqllab="question">{markdown_html(str(self.exercise.question))}</div>')

    def _refresh_title(self) -> None:
        parts = [f"<b>{html.escape(i18n.t('ui.step.title', self.lang, n=self.number))}</b>"]
        if self.solved:
            parts.append(_w.badge("✓ " + i18n.t("ui.card.solved", self.lang), "ok"))
        self.title.value = " ".join(parts)
        self.attempts_label.value = i18n.t("ui.card.attempts", self.lang, n=self.attempts)

    def _start_feedback(self, verdict: Any, sql: str) -> None:
        """A step's help is its hint and sqllab's verdict; the shared LLM is kept for exercises."""


def step(lesson: Any, n: int) -> StepCard:
    """Guided step ``n`` (from 1) of the lesson's text."""
    item = _item(lesson, "step", n)
    return StepCard(lesson, item, n) if not isinstance(item, W.HTML) else item


# --- quiz --------------------------------------------------------------------------------------

class QuizCard(W.VBox):
    """One quiz question: choose (or tick) options, **Answer**, then every option says why."""

    def __init__(self, lesson: Any, quiz: Quiz, number: int) -> None:
        self.lesson, self.quiz, self.number, self.lang = lesson, quiz, number, lesson.lang
        names = _names(lesson)
        t = lambda key, **kw: i18n.t(key, self.lang, **kw)  # noqa: E731
        head = f"<b>{html.escape(t('ui.quiz.title', n=number))}</b>"
        how = t("ui.quiz.tick" if quiz.multiple else "ui.quiz.choose")
        body = markdown_html(fill(quiz.question, names))
        if quiz.sql:
            body += _code(fill(quiz.sql, names))
        self.question = W.HTML(f'{head}<div data-sqllab="quiz-question">{body}</div><small>{html.escape(how)}</small>')
        self.toggles: list[W.ToggleButton] = []
        self.whys: list[W.HTML] = []
        rows = []
        for i, option in enumerate(quiz.options):
            toggle = W.ToggleButton(description=chr(ord("A") + i), layout=W.Layout(width="3em"))
            toggle.observe(self._on_toggle, names="value")
            text = W.HTML(f'<div data-sqllab="quiz-option">{markdown_inline(fill(option.text, names))}</div>')
            why = W.HTML()
            self.toggles.append(toggle)
            self.whys.append(why)
            rows.append(W.VBox([W.HBox([toggle, text]), why]))
        self.answer_button = W.Button(description=t("ui.quiz.answer"), icon="check", button_style="primary",
                                      layout=W.Layout(width="auto"))
        self.answer_button.on_click(self._on_answer)
        self.verdict = W.HTML()
        self.verdict.add_class("sqllab-live")
        _w._hooks({self.answer_button: "quiz-answer", self.verdict: "quiz-verdict"})
        for i, toggle in enumerate(self.toggles):
            toggle.add_class(f"sqllab-quiz-option-{i}")
        super().__init__([_w.STYLE, self.question, *rows, self.answer_button, self.verdict, _w.LiveRegions()],
                         layout=W.Layout(border="1px solid var(--jp-border-color2, #ddd)", padding="6px",
                                         margin="6px 0"))
        self.add_class("sqllab-quiz")
        self._restore()

    def __repr__(self) -> str:
        return f"QuizCard(quiz={self.number}, options={len(self.quiz.options)}, answered={bool(self.verdict.value)})"

    @property
    def chosen(self) -> list[int]:
        return [i for i, tg in enumerate(self.toggles) if tg.value]

    def choose(self, *indexes: int) -> None:
        """Select options by index (as clicking them would)."""
        for i, tg in enumerate(self.toggles):
            tg.value = i in indexes

    def _on_toggle(self, change: dict) -> None:
        if self.quiz.multiple or not change["new"]:
            return
        for tg in self.toggles:                  # one choice: choosing one clears the others
            if tg is not change["owner"]:
                tg.value = False

    def _restore(self) -> None:
        try:
            progress = self.lesson.status().get(f"quiz-{self.number}")
            last = json.loads(progress.last_sql) if progress and progress.last_sql else None
        except (ValueError, AttributeError):
            last = None
        if isinstance(last, list) and all(isinstance(i, int) for i in last):
            self.choose(*last)
            self._show(record=False)

    @_w._safe(lambda self, text: setattr(self.verdict, "value", text))
    def _on_answer(self, _button: Any = None) -> None:
        self._show(record=True)

    def _show(self, *, record: bool) -> None:
        t = lambda key, **kw: i18n.t(key, self.lang, **kw)  # noqa: E731
        chosen = set(self.chosen)
        if not chosen:
            self.verdict.value = _w._message(t("ui.quiz.none"), "muted")
            return
        right = {i for i, o in enumerate(self.quiz.options) if o.correct}
        correct = chosen == right
        names = _names(self.lesson)
        for i, (option, why) in enumerate(zip(self.quiz.options, self.whys)):
            mark = _w.badge("✓ " + t("ui.quiz.right_option"), "ok") if option.correct else \
                _w.badge("✗ " + t("ui.quiz.wrong_option"), "bad" if i in chosen else "muted")
            why.value = (f'<div data-sqllab="quiz-why" style="margin:0 0 6px 3.5em">{mark} '
                         f"{markdown_inline(fill(option.why, names))}</div>")
        head = t("ui.quiz.correct") if correct else t("ui.quiz.not_correct")
        self.verdict.value = (f'<div data-sqllab="quiz-{"correct" if correct else "wrong"}">'
                              + _w.badge(head, "ok" if correct else "bad") + "</div>")
        if record:
            self.lesson.progress.record(Attempt(self.lesson.student_id, self.lesson.lesson_id,
                                                f"quiz-{self.number}", json.dumps(sorted(chosen)),
                                                "correct" if correct else "wrong", correct))


def quiz(lesson: Any, n: int) -> QuizCard:
    """Quiz question ``n`` (from 1) of the lesson's text."""
    item = _item(lesson, "quiz", n)
    return QuizCard(lesson, item, n) if not isinstance(item, W.HTML) else item


# --- common mistake ------------------------------------------------------------------------------

class MistakeCard(W.VBox):
    """A query that looks right, run on the student's data; then the database where it goes wrong.

    **Show where it goes wrong** asks sqllab's grader to compare the query with its fix on the
    visible data and on hidden variants, and shows the first database where they differ, the two
    results side by side, the fix and why."""

    def __init__(self, lesson: Any, mistake: Mistake, number: int) -> None:
        self.lesson, self.mistake, self.number, self.lang = lesson, mistake, number, lesson.lang
        names = _names(lesson)
        self.query, self.fix = fill(mistake.query, names), fill(mistake.fix, names)
        t = lambda key, **kw: i18n.t(key, self.lang, **kw)  # noqa: E731
        self.head = W.HTML(f"<b>{html.escape(t('ui.mistake.title', n=number))}: "
                           f"{html.escape(fill(mistake.title, names))}</b>"
                           f"<div>{html.escape(t('ui.mistake.looks_right'))}</div>{_code(self.query)}")
        self.run_button = W.Button(description=t("ui.mistake.run"), icon="play", layout=W.Layout(width="auto"))
        self.reveal_button = W.Button(description=t("ui.mistake.reveal"), icon="search", button_style="warning",
                                      layout=W.Layout(width="auto"))
        self.result = W.HTML()
        self.reveal = W.HTML()
        self.reveal.add_class("sqllab-live")
        self.run_button.on_click(self._on_run)
        self.reveal_button.on_click(self._on_reveal)
        _w._hooks({self.run_button: "mistake-run", self.reveal_button: "mistake-reveal",
                   self.result: "mistake-result", self.reveal: "mistake-where"})
        super().__init__([_w.STYLE, self.head, W.HBox([self.run_button, self.reveal_button]), self.result,
                          self.reveal,
                          _w.LiveRegions()],
                         layout=W.Layout(border="1px solid var(--jp-border-color2, #ddd)", padding="6px",
                                         margin="6px 0"))
        self.add_class("sqllab-mistake")
        self.verdict: Any = None

    def __repr__(self) -> str:
        return f"MistakeCard(mistake={self.number}, revealed={self.verdict is not None})"

    @_w._safe(lambda self, text: setattr(self.result, "value", text))
    def _on_run(self, _button: Any = None) -> None:
        self.result.value = _w._result_html(self.lesson.run(self.query, max_rows=_w.RESULT_ROWS), self.lang)

    @_w._safe(lambda self, text: setattr(self.reveal, "value", text))
    def _on_reveal(self, _button: Any = None) -> None:
        from ..grading.grader import grade

        t = lambda key, **kw: i18n.t(key, self.lang, **kw)  # noqa: E731
        self.verdict = grade(self.lesson.db_path, self.fix, self.query, lang=self.lang)
        view = resultdiff.from_verdict(self.verdict)
        if view is None:          # the grader found no database where they differ (lesson_check prevents it)
            found = _w._message(t("ui.mistake.not_found"), "muted")
        else:
            example = self.verdict.diff.counterexample
            found = _w.diff_html(view, self.lang, example.inputs, left_out=example.rows_left_out,
                                 labels=("ui.mistake.fix_result", "ui.mistake.query_result"))
        why = markdown_inline(fill(self.mistake.why, _names(self.lesson)))
        self.reveal.value = (f'<div data-sqllab="mistake-reveal">{found}'
                             f"<div><b>{html.escape(t('ui.mistake.why'))}</b> {why}</div>"
                             f"<div>{html.escape(t('ui.mistake.fix'))}</div>{_code(self.fix)}</div>")


def mistake(lesson: Any, n: int) -> MistakeCard:
    """Common mistake ``n`` (from 1) of the lesson's text."""
    item = _item(lesson, "mistake", n)
    return MistakeCard(lesson, item, n) if not isinstance(item, W.HTML) else item

