"""Answers kept in the notebook itself: the last answer checked in each card of a lesson.

The mechanism (chosen after trying it in JupyterLab 4 with Chromium, see README): the exercises
cell shows, beside the cards, one small ``display_data`` output with a ``display_id``. Its bundle
holds the answers as JSON under :data:`MIME` (no renderer draws it; the output shows one line of
text). Every Check *updates* that output by its ``display_id`` (``update_display_data``);
JupyterLab routes such an update to the cell that first displayed the id even when it comes from
a widget callback, so the answer is in the notebook model at once, is written with the next save
or autosave, survives a kernel crash and travels with the ``.ipynb`` (nbconvert, nbgrader and
``json.load`` can read it).

When the lesson runs again (a fresh kernel, Run All) the kernel *reads* the notebook file it
runs in (``JPY_SESSION_NAME``, which jupyter-server sets for every kernel it starts for a
notebook) and the cards start from the answers found there, or from the progress file when its
attempt is newer. sqllab never writes the notebook file: the open editor owns it.
"""

from __future__ import annotations

import html
import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import i18n

log = logging.getLogger(__name__)

MIME = "application/vnd.sqllab.answers+json"
VERSION = 1


@dataclass
class SavedAnswer:
    """The last answer checked for one exercise."""

    sql: str
    status: str
    correct: bool
    at: str                      # ISO 8601, UTC
    attempts: int = 0

    @property
    def when(self) -> datetime:
        try:
            moment = datetime.fromisoformat(self.at)
        except ValueError:
            return datetime.min.replace(tzinfo=timezone.utc)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def notebook_path() -> Path | None:
    """The notebook this kernel runs for, when the frontend says so (jupyter-server's
    ``JPY_SESSION_NAME``, ipykernel's ``__session__``, VS Code's ``__vsc_ipynb_file__``)."""
    names = [os.environ.get("JPY_SESSION_NAME")]
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            names += [shell.user_ns.get("__session__"), shell.user_ns.get("__vsc_ipynb_file__")]
    except ImportError:
        pass
    for name in names:
        if isinstance(name, str) and name.endswith(".ipynb") and Path(name).is_file():
            return Path(name)
    return None


def read_notebook(path: str | Path, lesson_id: str) -> dict[str, SavedAnswer]:
    """The answers saved for ``lesson_id`` in the notebook at ``path`` ({} when none or unreadable).

    Every output carrying :data:`MIME` for this lesson counts; for one exercise the latest wins."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("cannot read answers from %s", path, exc_info=True)
        return {}
    found: dict[str, SavedAnswer] = {}
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        for output in cell.get("outputs", []) or []:
            payload = (output.get("data") or {}).get(MIME) if isinstance(output, dict) else None
            if not isinstance(payload, dict) or payload.get("lesson") != lesson_id:
                continue
            for exercise, raw in (payload.get("answers") or {}).items():
                try:
                    answer = SavedAnswer(sql=str(raw["sql"]), status=str(raw.get("status", "")),
                                         correct=bool(raw.get("correct")), at=str(raw.get("at", "")),
                                         attempts=int(raw.get("attempts", 0)))
                except (KeyError, TypeError, ValueError):
                    continue
                old = found.get(str(exercise))
                if old is None or answer.when >= old.when:
                    found[str(exercise)] = answer
    return found


class NotebookAnswers:
    """One lesson's answers as a display output of the cell that shows the cards."""

    def __init__(self, lesson_id: str, student_id: str, lang: str,
                 answers: dict[str, SavedAnswer] | None = None) -> None:
        self.lesson_id = lesson_id
        self.student_id = student_id
        self.lang = i18n.normalize_lang(lang)
        self.answers: dict[str, SavedAnswer] = dict(answers or {})
        self.display_id = f"sqllab-answers-{lesson_id}-{uuid.uuid4().hex[:12]}"
        self.shown = False

    def __repr__(self) -> str:
        return f"NotebookAnswers(lesson={self.lesson_id!r}, answers={len(self.answers)})"

    def payload(self) -> dict[str, Any]:
        return {"version": VERSION, "lesson": self.lesson_id, "student": self.student_id,
                "answers": {k: asdict(v) for k, v in sorted(self.answers.items())}}

    def bundle(self) -> dict[str, Any]:
        text = i18n.t("ui.answers.kept", self.lang, n=len(self.answers))
        return {"text/plain": text,
                "text/html": f'<small data-sqllab="answers-kept" data-count="{len(self.answers)}">'
                             f"{html.escape(text)}</small>",
                MIME: self.payload()}

    def show(self) -> None:
        """Display the output (in the cell being run); later records update it in place."""
        from IPython.display import display

        display(self.bundle(), raw=True, display_id=self.display_id)
        self.shown = True

    def record(self, exercise_id: str, sql: str, status: str, correct: bool, attempts: int = 0) -> None:
        self.answers[str(exercise_id)] = SavedAnswer(
            sql=sql, status=status, correct=bool(correct), attempts=int(attempts),
            at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        if self.shown:
            from IPython.display import update_display

            update_display(self.bundle(), raw=True, display_id=self.display_id)

    def restore(self, exercise_id: str) -> SavedAnswer | None:
        return self.answers.get(str(exercise_id))


def for_lesson(lesson: Any, notebook: str | Path | None = None) -> NotebookAnswers:
    """The answers of ``lesson``: those saved in the notebook (``notebook`` or the kernel's own),
    and, where the progress file holds a newer attempt (a crash before the notebook was
    saved), that one."""
    path = Path(notebook) if notebook else notebook_path()
    saved = read_notebook(path, lesson.lesson_id) if path else {}
    try:
        attempts = lesson.progress.attempts(student=lesson.student_id, lesson=lesson.lesson_id)
    except Exception:  # noqa: BLE001 - an unreadable progress file must not hide the notebook's answers
        log.warning("progress unreadable", exc_info=True)
        attempts = []
    counts: dict[str, int] = {}
    for a in attempts:                     # oldest first: the last one per exercise wins
        counts[a.exercise] = counts.get(a.exercise, 0) + 1
        mine = SavedAnswer(a.sql, a.status, a.correct, a.created_at.isoformat(timespec="seconds"),
                           counts[a.exercise])
        theirs = saved.get(a.exercise)
        if theirs is None or mine.when > theirs.when:
            saved[a.exercise] = mine
    return NotebookAnswers(lesson.lesson_id, lesson.student_id, lesson.lang, saved)
