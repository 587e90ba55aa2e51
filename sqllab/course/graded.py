"""A lesson handed out as an nbgrader assignment: answer cells and test cells.

The notebook that ``sqllab course nbgrader`` writes opens its content (dataset and exercises,
without reference queries) from ``<lesson_id>.sqllab.json`` beside it::

    graded = GradedLesson.open("02_where")     # locked setup cell

Each exercise has an answer cell, where the student writes SQL under ``%%answer N``; running it
shows the query's result on the visible data. Its locked test cell calls ``graded.check(N)``
(the answer runs) and, in nbgrader's hidden tests, ``graded.grade(N, reference_sql)``: sqllab's
grader on the visible data and on hidden variants. A wrong answer raises
:class:`AnswerNotAccepted`, whose message is the verdict (what differs, a counterexample) in the
lesson's language; its traceback shows only that message, never the test cell's code, so
nbgrader's feedback does not show the reference query.
"""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path
from typing import Any

from .. import i18n
from ..content.bundle import bundle_path, read_bundle
from ..errors import ConfigError, SQLLabError

log = logging.getLogger(__name__)

#: what nbgrader puts where the solution was (``ClearSolutions.code_stub``); not SQL
_STUB_LINES = ("raise NotImplementedError()", "raise NotImplementedError")
_PREVIEW_ROWS = 20


class AnswerNotAccepted(AssertionError):
    """A test cell's failure: the verdict, shown without any code (no traceback lines)."""

    def __init__(self, message: str, title: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.title = title

    def _render_traceback_(self) -> list[str]:   # IPython shows these lines instead of a traceback
        head = [f"\x1b[0;31m{self.title}\x1b[0m"] if self.title else []
        return head + self.message.splitlines()


def clean_answer(text: str) -> str:
    """The SQL of an answer cell: without Python-style comment lines and nbgrader's stub."""
    lines = [line for line in text.splitlines()
             if not line.strip().startswith("#") and line.strip() not in _STUB_LINES]
    return "\n".join(lines).strip()


class GradedLesson:
    """The runtime of an assignment notebook: the lesson, the answers given, the checks."""

    def __init__(self, lesson: Any) -> None:
        self.lesson = lesson
        self.lang = lesson.lang
        self.answers: dict[int, str] = {}

    def __repr__(self) -> str:
        return (f"GradedLesson({self.lesson.lesson_id!r}, exercises={len(self.lesson.exercises)}, "
                f"answered={sorted(n for n, a in self.answers.items() if a)})")

    @classmethod
    def open(cls, lesson_id: str, folder: str | Path | None = None, *, shell: Any = None,
             lang: str | None = None) -> "GradedLesson":
        """The lesson in ``<folder>/<lesson_id>.sqllab.json`` (default: the notebook's folder).

        In a notebook it also binds ``%sql`` to the lesson database (``t`` for the examples) and
        registers the ``%%answer`` cell magic.
        """
        from ..notebook.lesson import Lesson

        folder = Path(folder) if folder else Path.cwd()
        path = bundle_path(folder, lesson_id)
        if not path.is_file():
            raise ConfigError(key="graded.no_bundle", lang=lang, path=str(path))
        found = read_bundle(path, lang=lang)
        p = found.params
        lesson = Lesson(found.lesson_id, lang=p["lang"], seed=p["seed"], student_id=p["student_id"],
                        theme=p["theme"], difficulty=p["difficulty"], n_exercises=p["n_exercises"],
                        topics=tuple(p["topics"]), llm="offline", content_dir=folder, wait=False)
        if lesson.content is None or lesson.content.key != found.digest:
            raise ConfigError(key="graded.no_bundle", lang=lesson.lang, path=str(path))
        graded = cls(lesson)
        if shell is None:
            try:
                from IPython import get_ipython

                shell = get_ipython()
            except ImportError:
                shell = None
        if shell:
            lesson.bind_sql(playground="modify" in lesson.topics, shell=shell)
            shell.register_magic_function(graded._answer_magic, magic_kind="cell", magic_name="answer")
        return graded

    # --- what the notebook shows ----------------------------------------------------------

    def _repr_markdown_(self) -> str:
        return self.lesson.describe()._repr_markdown_()

    def exercise(self, n: int) -> Any:
        exercises = self.lesson.exercises
        if not 1 <= int(n) <= len(exercises):
            raise ConfigError(key="graded.bad_number", lang=self.lang, n=n, total=len(exercises))
        return exercises[int(n) - 1]

    def _answer_magic(self, line: str, cell: str) -> Any:
        """``%%answer N``: keep the SQL below as the answer to exercise N and show its result."""
        try:
            n = int(line.split()[0])
            self.exercise(n)
        except (IndexError, ValueError, ConfigError):
            return _Note(i18n.t("graded.bad_magic", self.lang, line=line.strip(),
                                total=len(self.lesson.exercises)), "bad")
        return self.answer(n, cell)

    def answer(self, n: int, sql: str) -> Any:
        """Record ``sql`` as the answer to exercise ``n``; return its result on the visible data."""
        sql = clean_answer(sql)
        self.answers[int(n)] = sql
        if not sql:
            return _Note(i18n.t("graded.unanswered", self.lang, n=n), "muted")
        try:
            with _quiet():
                result = self.lesson.run(sql, max_rows=_PREVIEW_ROWS)
        except SQLLabError as exc:
            return _Note(exc.message_in(self.lang), "bad")
        return _Result(result, self.lang)

    # --- what the test cells call ----------------------------------------------------------

    def _answer_of(self, n: int) -> str:
        self.exercise(n)
        sql = self.answers.get(int(n), "")
        if not sql:
            raise AnswerNotAccepted(i18n.t("graded.no_answer", self.lang, n=n),
                                    i18n.t("graded.failed_title", self.lang, n=n))
        return sql

    def check(self, n: int) -> None:
        """The visible test: exercise ``n`` has an answer and it runs on the visible data."""
        sql = self._answer_of(n)
        try:
            with _quiet():
                self.lesson.run(sql, max_rows=1)
        except SQLLabError as exc:
            raise AnswerNotAccepted(exc.message_in(self.lang), i18n.t("graded.failed_title", self.lang, n=n)) from None
        print(i18n.t("graded.runs", self.lang, n=n))

    def grade(self, n: int, reference_sql: str) -> None:
        """The hidden test: sqllab's verdict on the visible data and the hidden variants.

        Raises :class:`AnswerNotAccepted` with the verdict's message (never the reference)."""
        from ..grading.grader import grade

        sql = self._answer_of(n)
        title = i18n.t("graded.failed_title", self.lang, n=n)
        verdict = None
        with _quiet():             # nothing of it may reach the cell's stderr, nor any SQL the feedback
            try:
                verdict = grade(self.lesson.db_path, reference_sql, sql, lang=self.lang)
            except Exception:      # the reference itself failed: the instructor's error, said plainly
                log.exception("grading exercise %s failed", n)
        if verdict is None:
            raise AnswerNotAccepted(i18n.t("graded.cannot_grade", self.lang, n=n), title)
        if not verdict.correct:
            raise AnswerNotAccepted(verdict.message, title) from None
        print(verdict.message)


@contextlib.contextmanager
def _quiet() -> Any:
    """Keep warnings and log lines off the cell's stderr: nbgrader scores a test cell that wrote
    to stderr 0, whatever else happened."""
    sink = io.StringIO()
    with contextlib.redirect_stderr(sink):
        yield
    if sink.getvalue():
        log.debug("stderr while grading: %s", sink.getvalue()[:500])


class _Note:
    def __init__(self, text: str, kind: str) -> None:
        self.text, self.kind = text, kind

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        import html

        colour = {"bad": "var(--jp-error-color1, #b00020)", "muted": "var(--jp-ui-font-color2, #666)"}[self.kind]
        return f'<div data-sqllab="answer-{self.kind}" style="color:{colour}">{html.escape(self.text)}</div>'


class _Result:
    """A query's result (or the tables after an INSERT/UPDATE/DELETE) as small tables."""

    def __init__(self, result: Any, lang: str) -> None:
        self.result, self.lang = result, lang

    def _tables(self) -> list[tuple[str, Any]]:
        tables = getattr(self.result, "tables", None)
        if tables is not None:
            return list(tables.items())
        return [("", self.result)]

    def __repr__(self) -> str:
        out = []
        for name, res in self._tables():
            out.append((name + ": " if name else "") + i18n.t("ui.card.rows", self.lang, n=len(res.rows)))
            out.append(" | ".join(res.columns))
            out += [" | ".join("NULL" if v is None else str(v) for v in row) for row in res.rows]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        import html

        parts = []
        for name, res in self._tables():
            head = "".join(f"<th>{html.escape(str(c))}</th>" for c in res.columns)
            body = "".join("<tr>" + "".join(
                f"<td>{'<i>NULL</i>' if v is None else html.escape(str(v))}</td>" for v in row) + "</tr>"
                for row in res.rows)
            note = i18n.t("ui.card.rows", self.lang, n=len(res.rows))
            if getattr(res, "truncated", False):
                note += " · " + i18n.t("ui.card.truncated", self.lang, n=len(res.rows))
            caption = html.escape((name + " — " if name else "") + note)
            parts.append(f'<table data-sqllab="answer-result"><caption>{caption}</caption>'
                         f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        return "".join(parts)
