"""**Practise this** in a lesson: one more exercise aimed at the mistake sqllab diagnosed.

After a wrong answer whose cause the diagnosis names, ``Lesson.practise(item)`` (and the exercise
card's **Practise this** button) makes a practice exercise: sqllab chooses the target, a bank
exercise on the lesson's data whose typical wrong version of that kind the grader catches
(:func:`sqllab.content.mistake_targets.choose_target`), and the model writes its question within
a time budget from the click, verified like every LLM exercise (else the bank's question;
:func:`~sqllab.content.mistake_targets.practice_exercise`). The work runs in a background thread
(:class:`PracticeJob`, with a ``GenerationProgress`` the card shows), never in the kernel's.

A practice exercise is an exercise like the others: its attempts go to the progress file under
its id, ``practice-<cause>-<k>`` (the k-th practice of that cause for this student in this lesson).
The exercises themselves are kept in ``<work_dir>/practice.json`` (per student, per lesson
database), so a new ``Lesson`` for the same student lists them again after a kernel restart;
the lesson's progress line counts them apart from the lesson's exercises.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .. import i18n
from ..content import mistake_targets
from ..content.exercises import Exercise
from ..content.jobs import GenerationProgress
from ..errors import SQLLabError
from ..llm import priority

log = logging.getLogger(__name__)

PRACTICE_FILE = "practice.json"
FILE_VERSION = 1
ID_PREFIX = "practice-"

_lock = threading.RLock()
_reserved: dict[tuple[str, str], set[str]] = {}      # (practice file, student) -> ids being made


@dataclass
class PracticeRecord:
    """A practice exercise of a lesson, and what it practises."""

    exercise: Exercise
    cause: str                 # the diagnosis cause it practises
    number: int                # Practice n of this lesson (this student, this lesson database)
    origin: str | None = None  # the exercise whose wrong answer asked for it
    reason: str = ""           # why its question is the bank's ("" when it is the model's)
    kind: str = ""             # the kind whose feature its reference has (the cause's, or a fallback's)
    template: str = ""         # the bank template of its reference
    mistake: str = ""          # the typical wrong answer it catches
    database: str = ""         # the lesson database it is on (its file name)
    student: str = ""

    def title(self, lang: str) -> str:
        return i18n.t("practise.title", lang, n=self.number)

    def intro(self, lang: str) -> str:
        """What it practises, in ``lang``: "Practice: where a boundary lies (>= or >)."."""
        return i18n.t("practise.intro", lang, what=i18n.t(f"practise.what.{self.cause}", lang))

    def note(self, lang: str) -> str:
        """Why its question is the bank's, in ``lang`` ("" when it is the model's)."""
        return mistake_targets.reason_text(self.reason, lang)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["exercise"] = self.exercise.model_dump(mode="json")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PracticeRecord":
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["exercise"] = Exercise.model_validate(data["exercise"])
        return cls(**fields)


# --- the file --------------------------------------------------------------------------------

def _path(lesson: Any) -> Path:
    return Path(lesson.work_dir) / PRACTICE_FILE


@contextlib.contextmanager
def _file_lock(lesson: Any) -> Iterator[None]:
    """This lesson's practice file, held across threads and processes while it is read and written."""
    path = _path(lesson)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, open(path.with_name(f".{PRACTICE_FILE}.lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read(lesson: Any) -> list[PracticeRecord]:
    path = _path(lesson)
    if not path.is_file():
        return []
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [PracticeRecord.from_json(item) for item in raw.get("practice", [])]
    except (OSError, ValueError, KeyError, TypeError):     # damaged: the attempts stay in the progress file
        log.warning("ignoring unreadable practice file %s", path, exc_info=True)
        return []


def _write(lesson: Any, records: list[PracticeRecord]) -> None:
    path = _path(lesson)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"version": FILE_VERSION, "practice": [r.to_json() for r in records]},
                              ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _database(lesson: Any) -> str:
    return Path(lesson.db_path).name if lesson.db_path is not None else ""


def records(lesson: Any) -> list[PracticeRecord]:
    """The lesson's practice exercises for its student on its current database, in the order made."""
    database = _database(lesson)
    return [r for r in _read(lesson) if r.student == lesson.student_id and r.database == database]


def _taken(lesson: Any) -> set[str]:
    ids = {r.exercise.id for r in _read(lesson) if r.student == lesson.student_id}
    return ids | _reserved.get((str(_path(lesson)), lesson.student_id), set())


def _next_id(lesson: Any, cause: str) -> tuple[str, int]:
    """The next free ``practice-<cause>-<k>`` and how many of that cause were practised before."""
    taken = _taken(lesson)
    before = sum(1 for i in taken if i.startswith(f"{ID_PREFIX}{cause}-"))
    k = before + 1
    while f"{ID_PREFIX}{cause}-{k}" in taken:
        k += 1
    return f"{ID_PREFIX}{cause}-{k}", before


# --- what is practised -----------------------------------------------------------------------

def find_exercise(lesson: Any, exercise_id: str) -> Any:
    """The lesson's exercise (or practice exercise) with this id, or None."""
    for exercise in [*lesson.exercises, *(r.exercise for r in records(lesson))]:
        if str(exercise.id) == exercise_id:
            return exercise
    return None


def resolve(lesson: Any, item: Any) -> tuple[Any, str | None, str | None]:
    """``(cause, exercise id, reference)`` of what ``item`` asks to practise: a diagnosis ``Cause``
    or cause key; a ``Verdict`` or ``CheckResult`` this lesson gave; an exercise or its id (its
    last verdict in this session). A clear :class:`SQLLabError` when there is nothing to practise."""
    from ..grading.diagnosis import CAUSES, Cause
    from ..grading.diagnosis import cause as diagnosed

    lang = lesson.lang
    if isinstance(item, Cause):
        return item, None, None
    if isinstance(item, str) and item in CAUSES and find_exercise(lesson, item) is None:
        return Cause(item), None, None
    verdict = getattr(item, "verdict", item)
    if hasattr(verdict, "correct"):
        key = next((k for k, v in lesson.verdicts.items() if v is verdict), None)
    else:
        key = str(getattr(item, "id", item))
        verdict = lesson.verdicts.get(key)
    if verdict is None or key is None or key not in lesson.checked_sql:
        raise SQLLabError(key="practise.no_verdict", lang=lang, exercise=key or "?")
    if verdict.correct:
        raise SQLLabError(key="practise.correct", lang=lang)
    exercise = find_exercise(lesson, key)
    reference = getattr(exercise, "reference_sql", None)
    found = diagnosed(verdict, lesson.checked_sql[key], reference)
    if found is None or not mistake_targets.supported(found):
        raise SQLLabError(key="practise.no_cause", lang=lang)
    return found, key, reference


def offers_practice(verdict: Any, sql: str, reference_sql: str | None) -> bool:
    """Whether a card offers Practise this after ``verdict``: a wrong answer whose cause sqllab names."""
    from ..grading.diagnosis import cause as diagnosed

    if verdict is None or getattr(verdict, "correct", True):
        return False
    try:
        found = diagnosed(verdict, sql, reference_sql)
    except Exception:  # noqa: BLE001 - a diagnosis that fails offers nothing; the verdict stands
        log.warning("diagnosis failed", exc_info=True)
        return False
    return found is not None and mistake_targets.supported(found)


# --- the job ---------------------------------------------------------------------------------

class PracticeJob:
    """One practice exercise made in a background thread: the target, then the model's question
    within the budget (``progress``, started at the click), then saved. ``record`` when done, or
    ``error`` (the student's message)."""

    def __init__(self, lesson: Any, item: Any, *, budget_s: float | None = None) -> None:
        self.lesson = lesson
        self.budget_s = mistake_targets.PRACTICE_BUDGET_S if budget_s is None else float(budget_s)
        self.progress = GenerationProgress(budget_s=self.budget_s, priority=priority.LESSON)
        self.cause, self.origin, self.reference = resolve(lesson, item)     # errors here: at once
        self.record: PracticeRecord | None = None
        self.practice: mistake_targets.Practice | None = None
        self.error: str | None = None                  # the student's message when it failed
        self.failure: SQLLabError | None = None
        self._thread = threading.Thread(target=self._run, name="sqllab-practice", daemon=True)

    def __repr__(self) -> str:
        state = "done" if self.record else ("failed" if self.error else self.progress.stage)
        return f"PracticeJob(cause={self.cause.key!r}, state={state!r})"

    def start(self) -> "PracticeJob":
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """True when the job has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        lesson = self.lesson
        try:
            self.record = self._make()
        except SQLLabError as exc:
            self.failure = exc
        except Exception as exc:  # a bug: logged; the student gets a short apology, never a traceback
            log.exception("Practise this failed")
            self.failure = SQLLabError(key="ui.unexpected", lang=lesson.lang, kind=type(exc).__name__)
        if self.failure is not None:
            self.error = self.failure.message_in(lesson.lang)
        if self.progress.running:
            self.progress.set("done" if self.record is not None else "failed")

    def _make(self) -> PracticeRecord:
        lesson, cause = self.lesson, self.cause
        path_key = (str(_path(lesson)), lesson.student_id)
        with _file_lock(lesson):
            exercise_id, before = _next_id(lesson, cause.key)
            _reserved.setdefault(path_key, set()).add(exercise_id)
        try:
            self.progress.set("checking", 1, 1)
            target = _target(lesson, cause, before, self.reference)
            if target is None:
                raise SQLLabError(key="practise.none", lang=lesson.lang)
            offline = lesson.llm_mode == "offline"
            self.practice = practice = mistake_targets.practice_exercise(
                target, lesson.db_path, exercise_id=exercise_id, lang=lesson.lang, seed=lesson.seed + before,
                difficulty=lesson.difficulty, client_factory=None if offline else lesson._client,
                offline=offline, budget_s=self.budget_s, progress=self.progress)
            with _file_lock(lesson):
                saved = _read(lesson)
                number = 1 + sum(1 for r in saved if r.student == lesson.student_id and r.database == _database(lesson))
                record = PracticeRecord(practice.exercise, cause.key, number, self.origin, practice.reason,
                                        target.kind, target.template, target.mistake, _database(lesson),
                                        lesson.student_id)
                _write(lesson, [*saved, record])
            return record
        finally:
            with _lock:
                _reserved.get(path_key, set()).discard(exercise_id)


def _target(lesson: Any, cause: Any, before: int, reference: str | None) -> mistake_targets.Target | None:
    seen = [*lesson.exercises, *(r.exercise for r in records(lesson))]
    return mistake_targets.choose_target(
        lesson.dataset, lesson.db_path, cause, lang=lesson.lang, seed=lesson.seed, student=lesson.student_id,
        count=before, seen=seen, topics=lesson.topics, reference_sql=reference)


def next_target(lesson: Any, item: Any) -> mistake_targets.Target | None:
    """What Practise this would practise ``item`` on now (the same choice the next job makes)."""
    cause, _origin, reference = resolve(lesson, item)
    with _file_lock(lesson):
        _id, before = _next_id(lesson, cause.key)
    return _target(lesson, cause, before, reference)


def start(lesson: Any, item: Any, *, budget_s: float | None = None) -> PracticeJob:
    """Start making a practice exercise for ``item`` (see :func:`resolve`) in the background."""
    return PracticeJob(lesson, item, budget_s=budget_s).start()


def solved_count(lesson: Any) -> tuple[int, int]:
    """``(solved, total)`` of the lesson's practice exercises (past sessions included)."""
    status = lesson.status()
    ids = [r.exercise.id for r in records(lesson)]
    return sum(1 for i in ids if i in status and status[i].solved), len(ids)
