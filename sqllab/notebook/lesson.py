"""``Lesson``: what a lesson notebook talks to.

A lesson builds (or loads from its cache) a practice dataset and exercises for one student,
writes the dataset to a SQLite file in the student's work directory, runs and checks the
student's SQL, logs every attempt to the progress file and tells where the student stopped.
It never imports widgets: ``sqllab.notebook.widgets`` draws a Lesson.

Where content comes from: first ``<lesson_id>.sqllab.json`` beside the notebook when it was built
for these parameters (``sqllab course build`` and ``sqllab course nbgrader`` write it; see
:mod:`sqllab.content.bundle`), so a handed-out notebook shows the same content on any machine. Otherwise
the ``llm`` parameter decides:

- ``offline``: the built-in generator and exercise bank, no LLM at all (CI, nbval).
- ``embedded`` / ``remote`` / ``auto``: ``sqllab.generation`` (LLM + verification, the bank
  filling what the LLM could not write); ``fallback_reason`` says why content is not the LLM's.
- ``auto`` first defers to ``SQLLAB_LLM_MODE`` when that is set (CI sets ``offline``). Any
  other value is explicit and wins over the environment, e.g. one injected by papermill.

A lesson never waits for the LLM when a person is working in it: the first exercises come at
once (cached LLM content, else the bank) while a background job (``Lesson.job``, with a
``GenerationProgress``) writes and verifies LLM content. When it is ready the lesson switches to
it if the student has attempted nothing yet, else keeps it in ``pending`` for one click
(``accept_pending``). Runs without a person (papermill, ``sqllab course build``, scripts)
wait for the job with a progress bar instead (``waits_for_llm``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import sys
import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from ..content import bundle
from ..content.bundle import Content
from .. import i18n
from ..errors import ConfigError, SQLLabError
from ..content.jobs import GenerationCancelled, GenerationProgress
from .progress import Attempt, ExerciseProgress, ProgressStore

log = logging.getLogger(__name__)

LLM_MODES = ("auto", "embedded", "remote", "offline")
CONTENT_VERSION = 3   # 3: round-trip verified questions, sqllab's hints
PLAYGROUND_LOCK_S = 5.0   # how long reset_playground() waits for a lock another connection holds

#: lesson id -> the exercise topics it draws from
LESSON_TOPICS: dict[str, tuple[str, ...]] = {
    "00_start_here": (),
    "01_select": ("select",),
    "02_where": ("where",),
    "03_order": ("order",),
    "04_aggregate": ("aggregate",),
    "05_joins": ("joins",),
    "06_subqueries": ("subqueries",),
    "07_window": ("window",),
    "08_modify": ("modify",),
    "09_capstone": ("joins", "aggregate", "subqueries", "window"),
}


def resolve_llm_mode(llm: str | None, *, lang: str | None = None) -> str:
    """``auto`` defers to ``SQLLAB_LLM_MODE`` when set; other values are explicit."""
    value = (llm or "auto").strip().lower()
    if value == "auto":
        value = (os.environ.get("SQLLAB_LLM_MODE") or "auto").strip().lower()
    if value not in LLM_MODES:
        raise ConfigError(key="ui.lesson.bad_llm_mode", lang=lang, value=llm)
    return value


_UNATTENDED = ("papermill", "nbclient", "nbconvert", "pytest", "nbval")


def waits_for_llm() -> bool:
    """Whether lessons in this process wait for LLM content instead of showing the bank first.

    ``SQLLAB_WAIT_FOR_LLM`` decides when set (``sqllab course build`` sets it). Otherwise a
    person is assumed only in a Jupyter kernel whose parent is not a notebook runner (papermill,
    nbclient, nbconvert, pytest/nbval): scripts and unattended runs wait.
    """
    configured = os.environ.get("SQLLAB_WAIT_FOR_LLM", "").strip().lower()
    if configured:
        return configured in ("1", "true", "yes", "on")
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if type(shell).__name__ != "ZMQInteractiveShell":
        return True   # not a Jupyter kernel: a script, a terminal IPython, a test
    try:
        args = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return False  # cannot tell (not Linux): a kernel is most likely a person's
    return _runner(args) in _UNATTENDED


def _runner(args: list[str]) -> str:
    """The program a command line runs: ``pytest`` for ``python -m pytest …`` or ``.venv/bin/pytest``
    (not words inside its arguments, such as a /tmp/pytest-of-… folder)."""
    args = [a for a in args if a]
    names = [Path(a).name for a in args[:3]]
    if len(args) > 2 and args[1] == "-m":
        return args[2].split(".")[0]
    script = names[1] if len(names) > 1 and names[0].startswith("python") else names[0] if names else ""
    return script.removesuffix(".py").split("-")[0]


def default_work_dir(student_id: str, lesson_id: str) -> Path:
    from ..settings import sqllab_settings

    return Path(sqllab_settings().cache_dir) / "lessons" / student_folder_name(student_id) / lesson_id


def personal_seed(student_id: str) -> int:
    """A seed derived from the student id: stable across runs, machines and Python versions."""
    return int.from_bytes(hashlib.sha256(student_id.encode("utf-8")).digest()[:4], "big") % 2**31


def student_folder_name(student_id: str) -> str:
    """A folder name for ``student_id`` (only letters, digits, ``-_.``; its seed when none is left)."""
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in student_id).strip(".")
    return keep or str(personal_seed(student_id))


@dataclass
class CheckResult:
    """A verdict plus whether the attempt reached the progress file."""

    verdict: Any
    saved: bool
    save_error: str | None = None
    progress: ExerciseProgress = field(default_factory=ExerciseProgress)


class Lesson:
    """One lesson for one student: content, database, checking, progress."""

    def __init__(self, lesson_id: str, *, lang: str = "en", seed: int = 0,
                 student_id: str = "student", theme: str | None = None,
                 difficulty: str = "easy", n_exercises: int = 3, llm: str = "auto",
                 topics: tuple[str, ...] | None = None, work_dir: str | Path | None = None,
                 progress: ProgressStore | None = None, generate: bool = True,
                 wait: bool | None = None, content_dir: str | Path | None = None) -> None:
        self.lang = i18n.normalize_lang(lang)
        if topics is None and lesson_id not in LESSON_TOPICS:
            raise ConfigError(key="config.invalid", lang=self.lang, name="lesson",
                              value=lesson_id, reason=", ".join(LESSON_TOPICS))
        self.lesson_id = lesson_id
        self.topics = topics if topics is not None else LESSON_TOPICS[lesson_id]
        self.seed = int(seed)
        self.student_id = str(student_id)
        self.theme = theme or _default_theme()
        self.difficulty = difficulty
        self.n_exercises = int(n_exercises)
        self.llm_mode = resolve_llm_mode(llm, lang=self.lang)
        self.work_dir = Path(work_dir) if work_dir else default_work_dir(self.student_id, lesson_id)
        self.content_dir = Path(content_dir) if content_dir else None   # None: the notebook's folder (cwd)
        self.progress = progress or ProgressStore(lang=self.lang)
        self.content: Content | None = None
        self.db_path: Path | None = None
        self.wait_for_llm = waits_for_llm() if wait is None else bool(wait)
        self.job: GenerationJob | None = None
        self.pending: Content | None = None     # verified LLM content offered after attempts began
        self.verdicts: dict[str, Any] = {}       # exercise id -> its last verdict in this session
        self.checked_sql: dict[str, str] = {}    # exercise id -> the SQL of that verdict
        self.graders_ready: threading.Event | None = None   # set once the hidden databases are built
        self._listeners: list[Callable[[Lesson], None]] = []
        self._status_listeners: list[Callable[[Lesson], None]] = []
        self._lock = threading.RLock()
        if generate and self.topics:
            self.prepare()

    def __repr__(self) -> str:
        content = self.content
        n = len(content.exercises) if content else 0
        source = f"{content.dataset_source}/{content.exercise_source}" if content else "-"
        return (f"Lesson({self.lesson_id!r}, student_id={self.student_id!r}, lang={self.lang!r}, "
                f"theme={self.theme!r}, llm={self.llm_mode!r}, exercises={n}, source={source!r})")

    # --- content ---------------------------------------------------------------------

    def prepare(self, *, theme: str | None = None, difficulty: str | None = None,
                wait: bool | None = None) -> Content:
        """Show content for these parameters at once (cached LLM content, else the bank) and,
        unless it is the LLM's already, start generating LLM content in the background. With
        ``wait`` (default: ``wait_for_llm``) return only when that job has finished."""
        with self._lock:
            if theme:
                self.theme = theme
            if difficulty:
                self.difficulty = difficulty
            self.cancel_generation()
            self.pending = None
            shipped = self._shipped()          # built for this notebook: exactly that, no LLM job
            bank = self._load("bank") if shipped is None else None
            llm = self._load("llm") if shipped is None and self.llm_mode != "offline" else None
            if shipped is not None:
                content = shipped
            elif llm is not None and bank is not None and self._attempted(bank) and not self._attempted(llm):
                content, self.pending = bank, llm     # the student was working on these: offer, don't swap
            else:
                content = llm or bank or self._generate_bank()
            self._apply(content)
            job = None
            if shipped is None and llm is None and self.llm_mode != "offline":
                job = self.job = GenerationJob(self)
        self._notify(self._listeners)
        if job is not None:
            job.start()                # (its priority holds from here: the writer ahead waits for it)
            self._notify(self._status_listeners)
        try:
            self.write_ahead()
        except Exception:  # writing ahead is a bonus: it never breaks opening a lesson
            log.exception("could not queue the next lessons to write ahead")
        if job is not None:
            if self.wait_for_llm if wait is None else wait:
                job.wait_with_bar()
        return self.content

    def _apply(self, content: Content) -> None:
        self.content = content
        self.db_path = self._build_db(content)
        ship_to = os.environ.get(bundle.SHIP_ENV)
        if ship_to:                            # a course build: the content goes beside the notebook
            bundle.write_bundle(bundle.bundle_path(ship_to, self.lesson_id), self.lesson_id,
                                bundle.lesson_params(self), content)
        else:
            self.graders_ready = _build_graders_ahead(self.db_path, [e.reference_sql for e in content.exercises])

    def _shipped(self) -> Content | None:
        """The content in ``<lesson_id>.sqllab.json`` beside the notebook when it was built for
        these parameters (not during a build, which writes that file)."""
        if os.environ.get(bundle.SHIP_ENV):
            return None
        path = bundle.bundle_path(self.content_dir or Path.cwd(), self.lesson_id)
        if not path.is_file():
            return None
        try:
            found = bundle.read_bundle(path, lang=self.lang)
        except (OSError, SQLLabError):
            log.warning("ignoring unreadable content file %s", path, exc_info=True)
            return None
        if found.lesson_id != self.lesson_id or found.params != bundle.lesson_params(self):
            return None                        # other parameters (another theme, seed, student)
        return found.content

    def _notify(self, listeners: list[Callable[["Lesson"], None]]) -> None:
        for listener in list(listeners):
            try:
                listener(self)
            except Exception:  # a broken view must not break the lesson
                log.exception("lesson listener failed")

    def on_change(self, listener: Callable[[Lesson], None]) -> None:
        """Call ``listener(lesson)`` whenever the content shown changes."""
        self._listeners.append(listener)

    def on_status(self, listener: Callable[[Lesson], None]) -> None:
        """Call ``listener(lesson)`` when a generation job starts or ends, or content is offered."""
        self._status_listeners.append(listener)

    def cancel_generation(self) -> None:
        """Stop the background job, if any (the content shown stays)."""
        job = self.job
        if job is not None and job.progress.running:
            job.progress.cancel()

    def accept_pending(self) -> bool:
        """Switch to the LLM content offered in ``pending``; False when there is none."""
        with self._lock:
            if self.pending is None:
                return False
            content, self.pending = self.pending, None
            self._apply(content)
        self._notify(self._listeners)
        self._notify(self._status_listeners)
        return True

    def _attempted(self, content: Content) -> bool:
        ids = {str(e.id) for e in content.exercises}
        return any(p.attempts for i, p in self.status().items() if i in ids)

    def _generated(self, job: "GenerationJob", content: Content | None, reason: str | None) -> None:
        """The background job's result: switch, offer, or keep the bank and say why."""
        with self._lock:
            if job is not self.job:
                return  # superseded by a new prepare()
            if content is None or (content.dataset_source != "llm" and not content.llm_exercises):
                if self.content is not None:
                    self.content.fallback_reason = reason or (content.fallback_reason if content else None)
                changed = True
            elif self.content is not None and self._attempted(self.content):
                self.pending, changed = content, False
            else:
                self._apply(content)
                changed = True
        if changed:
            self._notify(self._listeners)
        self._notify(self._status_listeners)

    @property
    def exercises(self) -> list[Any]:
        return list(self.content.exercises) if self.content else []

    @property
    def dataset(self) -> Any:
        return self.content.dataset if self.content else None

    def _key(self, source: str) -> str:
        params = {"v": CONTENT_VERSION, "lesson": self.lesson_id, "topics": self.topics,
                  "lang": self.lang, "seed": self.seed, "theme": self.theme,
                  "difficulty": self.difficulty, "n": self.n_exercises, "source": source}
        return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]

    def _content_file(self, source: str) -> Path:
        return self.work_dir / f"content-{self._key(source)}.json"

    def content_key(self, source: str = "llm") -> str:
        """What names this lesson's content for its parameters (and ``source``: llm or bank)."""
        return self._key(source)

    def has_llm_content(self) -> bool:
        """Whether verified LLM content for these parameters is saved already."""
        return self._content_file("llm").is_file()

    @contextlib.contextmanager
    def writing_lock(self) -> Iterator[None]:
        """Held while this lesson's LLM content is written, across threads and processes (a
        kernel writing it ahead, the student's kernel opening it): the second one waits and
        then reads what the first one saved."""
        import fcntl

        self.work_dir.mkdir(parents=True, exist_ok=True)
        with open(self.work_dir / f".writing-{self._key('llm')}.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- the next lessons, written ahead ---------------------------------------------------

    def next_lessons(self, k: int) -> list[str]:
        """The ``k`` lessons after this one in course order that have exercises."""
        ids = list(LESSON_TOPICS)
        after = ids[ids.index(self.lesson_id) + 1:] if self.lesson_id in ids else []
        return [i for i in after if LESSON_TOPICS[i]][:k]

    def sibling(self, lesson_id: str) -> "Lesson":
        """Lesson ``lesson_id`` for the same student and parameters, not prepared (``generate=False``),
        with the work folder it will have when the student opens it."""
        name = self.work_dir.name
        work = self.work_dir.parent / (name.replace(self.lesson_id, lesson_id) if self.lesson_id in name else lesson_id)
        return Lesson(lesson_id, lang=self.lang, seed=self.seed, student_id=self.student_id, theme=self.theme,
                      difficulty=self.difficulty, n_exercises=self.n_exercises, llm=self.llm_mode,
                      work_dir=work, progress=self.progress, generate=False, wait=False,
                      content_dir=self.content_dir)

    def write_ahead(self, k: int | None = None) -> list[str]:
        """Queue the next lessons' LLM content for the background writer (``sqllab.notebook.ahead``);
        returns their ids. By default (``SQLLAB_WRITE_AHEAD``, else the rest of the course) only when a person works in
        the lesson with an LLM: never offline, never in an unattended run (papermill, a build)."""
        from . import ahead

        if k is None:
            k = ahead.ahead_count()
            if k is None:
                k = ahead.DEFAULT_AHEAD if not waits_for_llm() else 0   # a person in a Jupyter kernel
        if k <= 0 or self.llm_mode == "offline" or os.environ.get(bundle.SHIP_ENV):
            return []
        folder = self.content_dir or Path.cwd()
        lessons = [self.sibling(i) for i in self.next_lessons(k)
                   if not bundle.bundle_path(folder, i).is_file()]
        lessons = [x for x in lessons if not x.has_llm_content()]
        ahead.writer().add(lessons)
        return [x.lesson_id for x in lessons]

    def _load(self, source: str) -> Content | None:
        path = self._content_file(source)
        if not path.exists():
            return None
        try:
            from ..dataset import Dataset
            from ..content.exercises import Exercise

            raw = json.loads(path.read_text(encoding="utf-8"))
            return Content(dataset=Dataset.model_validate(raw["dataset"]),
                           exercises=TypeAdapter(list[Exercise]).validate_python(raw["exercises"]),
                           theme=raw["theme"], difficulty=raw["difficulty"],
                           dataset_source=raw["dataset_source"], fallback_reason=raw.get("notice"),
                           written_ahead=bool(raw.get("written_ahead", False)))
        except (OSError, ValueError, KeyError, TypeError, SQLLabError):  # stale or damaged: rebuilt
            log.warning("ignoring unreadable lesson cache %s", path, exc_info=True)
            return None

    def _save(self, content: Content, source: str) -> None:
        from ..content.exercises import Exercise

        raw = {"dataset": content.dataset.model_dump(mode="json"),
               "exercises": TypeAdapter(list[Exercise]).dump_python(content.exercises, mode="json"),
               "theme": content.theme, "difficulty": content.difficulty,
               "dataset_source": content.dataset_source, "notice": content.fallback_reason,
               "written_ahead": content.written_ahead}
        path = self._content_file(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def _generate_bank(self) -> Content:
        from ..content.exercises import bank_exercises
        from ..content.offline import generate_offline_dataset

        dataset = generate_offline_dataset(self.theme, lang=self.lang, seed=self.seed,
                                           difficulty=self.difficulty)
        exercises = self._spread(lambda topic, n: bank_exercises(
            dataset, topic, n=n, lang=self.lang, seed=self.seed, difficulty=self.difficulty))
        content = Content(dataset, exercises, self.theme, self.difficulty, "bank")
        self._save(content, "bank")
        return content

    def _generate_llm(self, progress: GenerationProgress, *,
                      written_ahead: bool = False) -> tuple[Content | None, str | None]:
        """LLM content for the current parameters (saved when any of it is the LLM's), or None
        and the reason in the student's language. ``GenerationCancelled`` escapes."""
        from ..content import generation

        try:
            progress.set("server")
            client = self._client()
            made = generation.generate_content(self.theme, self._counts(), lang=self.lang, seed=self.seed,
                                               difficulty=self.difficulty, client=client, progress=progress)
        except SQLLabError as exc:
            return None, exc.message_in(self.lang)
        source = "llm" if made.dataset.source == "llm" else "bank"
        content = Content(made.dataset, made.exercises, self.theme, self.difficulty, source, made.notice or None,
                          written_ahead=written_ahead)
        if content.dataset_source == "llm" or content.llm_exercises:
            self._save(content, "llm")
        return content, content.fallback_reason

    def _client(self) -> Any:
        """The LLM client for this mode (made once per lesson): None lets generation and feedback
        use the process's shared default client."""
        if self.llm_mode == "auto":
            return None
        client = getattr(self, "_llm_client", None)
        if client is not None:
            return client
        from ..llm import default_client
        from ..settings import llm_settings

        if self.llm_mode == "embedded":
            from ..llm.embedded import ensure_running

            client = default_client(base_url=ensure_running())
        elif llm_settings().embedded:  # remote asked for, but no LLM_API_URL given
            raise ConfigError(key="ui.lesson.no_remote", lang=self.lang)
        else:
            client = default_client()
        self._llm_client = client
        return client

    def _counts(self) -> dict[str, int]:
        """``n_exercises`` in all, shared between the lesson's topics."""
        k = len(self.topics)
        return {topic: self.n_exercises // k + (1 if i < self.n_exercises % k else 0)
                for i, topic in enumerate(self.topics)}

    def _spread(self, make: Callable[[str, int], list[Any]]) -> list[Any]:
        out: list[Any] = []
        for topic, n in self._counts().items():
            if n:
                out += make(topic, n)
        return out

    def _build_db(self, content: Content) -> Path:
        from ..db import load_dataset

        source = "llm" if content.dataset_source == "llm" else "bank"
        name = f"shipped-{content.key}" if content.key else self._key(source)
        path = self.work_dir / f"lesson-{name}.db"
        if not path.exists():
            load_dataset(content.dataset, path)  # atomic: a half-written file is never seen
        return path

    # --- the database ----------------------------------------------------------------

    def describe(self) -> Any:
        """Schema, row counts and Mermaid ER diagram of the lesson database."""
        from ..db import describe

        return describe(self.db_path)

    @property
    def names(self) -> "ExampleNames":
        """Table and column names of this dataset for the worked examples (``{t.table}``)."""
        return ExampleNames.from_db(self.db_path)

    @property
    def playground_path(self) -> Path:
        return self.work_dir / "playground.db"

    def reset_playground(self) -> Path:
        """A fresh practice copy of the lesson database (for INSERT/UPDATE/DELETE by hand).

        Copied in place (a ``%sql`` connection to the copy sees the fresh rows). When another
        connection holds the copy's lock for longer than a few seconds (a transaction left open),
        a clear :class:`~sqllab.errors.ConfigError` says so instead of waiting for ever."""
        src = sqlite3.connect(self.db_path)
        try:
            self._write_playground(src)
        finally:
            src.close()
        return self.playground_path

    def _write_playground(self, src: sqlite3.Connection) -> None:
        """Copy the database ``src`` over the practice copy, in place (never the lesson database)."""
        dst = sqlite3.connect(self.playground_path, timeout=PLAYGROUND_LOCK_S)
        try:
            try:
                dst.execute("BEGIN IMMEDIATE")       # waits for the lock at most PLAYGROUND_LOCK_S
                dst.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                raise ConfigError(key="ui.lesson.playground_locked", lang=self.lang,
                                  path=str(self.playground_path), reason=str(exc)) from None
            src.backup(dst)
        finally:
            dst.close()

    def try_counterexample(self, item: Any, *, shell: Any = None) -> Any:
        """Load the small database where a wrong answer differs into the practice copy (**Try it**).

        ``item``: a ``Verdict`` (or ``CheckResult``), an exercise or an exercise id (its last
        verdict in this session). The practice copy then holds exactly the counterexample's rows
        (the lesson's schema; tables it does not show are empty) and, in IPython, ``%sql`` and
        ``%%explain`` run on it. Returns a :class:`~sqllab.notebook.tryit.TriedExample` (what was
        loaded, and the student's message: which tables, how to go back with
        :meth:`reset_playground`). The lesson database is never changed."""
        from . import tryit

        return tryit.load(self, tryit.counterexample_of(self, item), shell=shell)

    def bind_sql(self, *, playground: bool = False, shell: Any = None) -> str:
        """Point ``%sql`` / ``%%sql`` (and ``%%explain``) at the lesson database, read-only (or its practice copy).

        Also puts ``t`` (see ``names``) in the notebook namespace for ``{t.table}`` in
        ``%%sql`` cells. Returns a one-line message for the student.
        """
        from . import explainmagic, sqlmagic

        if shell is None:
            from IPython import get_ipython

            shell = get_ipython()
        path = self.reset_playground() if playground else self.db_path
        sqlmagic.bind(path, shell=shell, read_only=not playground, lang=self.lang)
        explainmagic.register(shell, path, lang=self.lang)     # %%explain: the same database
        shell.user_ns["t"] = self.names
        if not hasattr(self, "_sql_shell"):   # follow the lesson when its content changes
            self.on_change(lambda lesson: lesson._sql_shell and lesson.bind_sql(shell=lesson._sql_shell))
        self._sql_shell = None if playground else shell
        key = "ui.lesson.playground" if playground else "ui.lesson.bound"
        return i18n.t(key, self.lang, path=path)

    def run(self, sql: str, *, max_rows: int = 20, playground: bool = False) -> Any:
        """Run the student's SQL for a preview (read-only; DML on a throwaway copy), on the lesson
        database or (``playground``) on the practice copy."""
        from .. import sandbox

        db = self.playground_path if playground else self.db_path
        if "modify" in self.topics and sandbox.main_keyword(sql) in sandbox.WRITE_KEYWORDS:
            return sandbox.run_modification(db, sql, lang=self.lang)
        return sandbox.run_query(db, sql, max_rows=max_rows, lang=self.lang)

    def explain(self, sql: str, *, playground: bool = False) -> Any:
        """``sql`` run clause by clause on the lesson database or (``playground``) the practice copy
        (an ``Explanation``: ``steps``, shown as tables in a notebook); a query it cannot split gives
        a message, never an error."""
        from ..grading.explain import explain

        return explain(self.playground_path if playground else self.db_path, sql, lang=self.lang)

    # --- checking and progress -------------------------------------------------------

    def check(self, exercise: Any, sql: str) -> CheckResult:
        """Grade ``sql`` against the exercise, log the attempt; never raises for bad SQL."""
        from ..grading.grader import grade

        verdict = grade(self.db_path, exercise.reference_sql, sql, lang=self.lang)
        self.verdicts[str(exercise.id)] = verdict
        self.checked_sql[str(exercise.id)] = sql
        saved = self.progress.record(Attempt(self.student_id, self.lesson_id, str(exercise.id),
                                             sql, verdict.status, bool(verdict.correct)))
        err = self.progress.last_error
        return CheckResult(verdict, saved, err.message_in(self.lang) if err and not saved else None,
                           self.status().get(str(exercise.id), ExerciseProgress()))

    def status(self) -> dict[str, ExerciseProgress]:
        """Per exercise id of this lesson: attempts and whether solved (includes past sessions)."""
        try:
            return self.progress.summary(self.student_id, self.lesson_id)
        except SQLLabError:
            log.warning("progress unreadable", exc_info=True)
            return {}

    def solved_count(self) -> tuple[int, int]:
        status = self.status()
        ids = [str(e.id) for e in self.exercises]
        return sum(1 for i in ids if i in status and status[i].solved), len(ids)

    def resume_message(self) -> str:
        """Where the student stopped, in their language."""
        status = self.status()
        ids = {str(e.id) for e in self.exercises}
        attempts = sum(p.attempts for i, p in status.items() if i in ids)
        solved, total = self.solved_count()
        key = "ui.progress.resume" if attempts else "ui.progress.new"
        return i18n.t(key, self.lang, student=self.student_id, solved=solved, total=total,
                      attempts=attempts)

    # --- Practise this -------------------------------------------------------------------

    def practise(self, item: Any, *, budget_s: float | None = None) -> Any:
        """One more exercise aimed at the mistake sqllab diagnosed in a wrong answer (**Practise this**).

        ``item``: an exercise id or exercise (its last verdict in this session), a ``Verdict`` or
        ``CheckResult`` of this lesson, or a diagnosis cause (``"boundary_out"``). sqllab picks a bank
        exercise on this lesson's data whose typical wrong version of that kind the grader catches;
        the model words its question when it passes sqllab's checks and the round trip within
        ``budget_s`` seconds (``PRACTICE_BUDGET_S``), else the bank's question stands. Returns the new
        exercise (id ``practice-<cause>-<k>``), recorded with the lesson's practice exercises
        (``practice_exercises``). Blocks until it is made; the exercise card runs it in the background
        (:func:`sqllab.notebook.practise_this.start`). A clear ``SQLLabError`` when there is nothing
        to practise (a correct answer, no cause named, no exercise fits the data)."""
        from . import practise_this

        job = practise_this.PracticeJob(self, item, budget_s=budget_s)
        job.start().wait()
        if job.record is None:
            raise job.failure or SQLLabError(key="practise.none", lang=self.lang)
        return job.record.exercise

    @property
    def practice_exercises(self) -> list[Any]:
        """The practice exercises made in this lesson for this student (past sessions included)."""
        from . import practise_this

        return [r.exercise for r in practise_this.records(self)]

    def practice_count(self) -> tuple[int, int]:
        """``(solved, total)`` of the practice exercises, counted apart from ``solved_count``."""
        from . import practise_this

        return practise_this.solved_count(self)

    def hint(self, exercise: Any, level: int) -> str:
        hints = list(getattr(exercise, "hints", []) or [])
        if not hints:
            return ""
        level = max(1, min(level, len(hints)))
        return i18n.t("ui.card.hint_n", self.lang, level=level, total=len(hints),
                      text=hints[level - 1])


class GenerationJob:
    """A lesson's LLM content, made in a background thread with visible ``progress``."""

    def __init__(self, lesson: Lesson) -> None:
        self.lesson = lesson
        self.progress = GenerationProgress()
        self.reason: str | None = None
        self._thread = threading.Thread(target=self._run, name=f"sqllab-{lesson.lesson_id}", daemon=True)

    def __repr__(self) -> str:
        p = self.progress
        return f"GenerationJob(stage={p.stage!r}, step={p.step}/{p.steps}, tokens={p.tokens})"

    def start(self) -> None:
        """Start the job; the open lesson's priority holds from now until it ends, so a writer
        ahead that starts at the same moment does not send a request before the lesson's first."""
        self._level = _lesson_level()
        self._level.__enter__()
        try:
            self._thread.start()
        except BaseException:
            self._level.__exit__(None, None, None)
            raise

    def wait(self, timeout: float | None = None) -> bool:
        """True when the job has finished."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def wait_with_bar(self) -> None:
        """Wait, showing a terminal progress bar (tqdm on stderr) of the job's stages."""
        from tqdm.auto import tqdm

        lang = self.lesson.lang
        with tqdm(total=None, desc=i18n.t("ui.job.title", lang), unit=" tok", file=sys.stderr,
                  leave=False, dynamic_ncols=True) as bar:
            while not self.wait(0.5):
                p = self.progress
                bar.set_postfix_str(stage_text(p, lang), refresh=False)
                bar.update(p.tokens - bar.n)

    def _run(self) -> None:
        lesson, progress = self.lesson, self.progress
        content = None
        try:
            content, self.reason = self._written_or_generated()
        except GenerationCancelled:
            self.reason = i18n.t("ui.job.cancelled", lesson.lang)
        except Exception as exc:  # a bug: logged, and the student keeps the bank with a reason
            log.exception("LLM generation failed")
            self.reason = i18n.t("ui.job.failed", lesson.lang, kind=type(exc).__name__)
        progress.set("cancelled" if progress.cancelled else ("done" if content is not None else "failed"))
        try:
            lesson._generated(self, content, self.reason)
        finally:
            self._level.__exit__(None, None, None)

    def _written_or_generated(self) -> tuple[Content | None, str | None]:
        """This lesson's content: what the writer ahead is writing for it (promoted to this
        lesson's priority; we wait for it), else generated here, at the open lesson's priority."""
        from . import ahead

        lesson, progress = self.lesson, self.progress
        key = lesson.content_key("llm")
        ahead.writer().drop(key)
        ahead.writer().promote(key)
        with _lesson_level(), lesson.writing_lock():
            if lesson.has_llm_content():
                written = lesson._load("llm")
                if written is not None:
                    return written, written.fallback_reason
            return lesson._generate_llm(progress)


def _build_graders_ahead(db: Path, references: list[str]) -> threading.Event:
    """Build each exercise's hidden databases in the background as the lesson opens, so that the
    student's first Check finds its grader ready (``grader_for`` caches it) instead of building it
    (about 100 ms, up to 0.5 s on a busy machine: bench/grading.py). The event is set when done."""
    from ..grading.grader import grader_for

    done = threading.Event()

    def build() -> None:
        try:
            for sql in references:
                try:
                    grader_for(db, sql)
                except Exception:  # noqa: BLE001 - a reference that cannot run is reported at Check
                    log.debug("building the grader ahead failed", exc_info=True)
        finally:
            done.set()

    threading.Thread(target=build, name="sqllab-graders-ahead", daemon=True).start()
    return done


def _lesson_level() -> Any:
    from ..llm import priority

    return priority.active(priority.LESSON)


def stage_text(progress: GenerationProgress, lang: str) -> str:
    """The job's stage in words: "exercise 2 of 3 — checking", tokens and seconds."""
    p = progress
    stage = i18n.t(f"ui.job.stage.{p.stage}", lang, step=p.step, steps=p.steps)
    return i18n.t("ui.job.status", lang, stage=stage, tokens=p.tokens, seconds=round(p.elapsed))


@dataclass(frozen=True)
class ExampleNames:
    """Names the worked examples use, picked from whatever dataset was generated.

    Single-table examples use ``table`` (the table with text, numbers and NULLs) and its
    columns ``key``, ``text``, ``number``, ``nullable`` (has NULLs when any column does) and
    ``group`` (few distinct values). Join examples use ``child`` (a table with a foreign key,
    primary key ``child_key``, numeric ``child_number``) whose ``fk`` references
    ``parent.parent_key``; ``parent_text`` is a text column of the parent. ``insert_columns`` /
    ``insert_values`` / ``new_key`` make a valid new row of ``table`` (INSERT examples);
    ``pattern`` is a LIKE pattern (``'X%'``) that matches some values of ``text``; ``low`` and
    ``high`` are values of ``number`` around its quartiles (for BETWEEN).
    """

    table: str
    key: str
    text: str
    number: str
    nullable: str
    group: str
    child: str
    child_key: str
    child_number: str
    fk: str
    parent: str
    parent_key: str
    parent_text: str
    new_key: int
    insert_columns: str
    insert_values: str
    pattern: str
    low: str
    high: str

    @classmethod
    def from_db(cls, db: str | Path | None) -> "ExampleNames":
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return _pick_names(conn)
        finally:
            conn.close()

    def _repr_markdown_(self) -> str:
        rows = "\n".join(f"| `{{t.{k}}}` | `{v}` |" for k, v in self.__dict__.items())
        return "| | |\n|---|---|\n" + rows


_TEXT = ("CHAR", "TEXT", "CLOB")
_NUMBER = ("INT", "REAL", "NUM", "DEC", "FLOA", "DOUB")


def _pick_names(conn: sqlite3.Connection) -> ExampleNames:
    q = lambda s: '"' + s.replace('"', '""') + '"'  # noqa: E731
    one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    info = {tb: conn.execute(f"PRAGMA table_info({q(tb)})").fetchall() for tb in tables}
    fks = {tb: conn.execute(f"PRAGMA foreign_key_list({q(tb)})").fetchall() for tb in tables}
    pk = {tb: next((c[1] for c in info[tb] if c[5]), info[tb][0][1]) for tb in tables}
    fk_cols = {tb: {f[3] for f in fks[tb]} for tb in tables}

    def cols(tb: str, kinds: tuple[str, ...]) -> list[str]:
        return [c[1] for c in info[tb] if c[1] != pk[tb] and c[1] not in fk_cols[tb]
                and any(k in (c[2] or "").upper() for k in kinds)]

    def nulls(tb: str, c: str) -> int:
        return one(f"SELECT COUNT(*) FROM {q(tb)} WHERE {q(c)} IS NULL")

    def distinct(tb: str, c: str) -> int:
        return one(f"SELECT COUNT(DISTINCT {q(c)}) FROM {q(tb)}")

    def score(tb: str) -> tuple:
        with_nulls = any(nulls(tb, c[1]) for c in info[tb])
        return (bool(cols(tb, _TEXT)) and bool(cols(tb, _NUMBER)), with_nulls, len(cols(tb, _TEXT)),
                one(f"SELECT COUNT(*) FROM {q(tb)}"))

    table = max(tables, key=score)
    key = pk[table]
    texts, numbers = cols(table, _TEXT), cols(table, _NUMBER)
    text = texts[0] if texts else key
    number = numbers[0] if numbers else key
    others = [c[1] for c in info[table] if c[1] != key]
    nullable = max(others or [key], key=lambda c: (nulls(table, c), c in texts))
    groupable = [c for c in others if distinct(table, c) > 1]
    group = min(groupable, key=lambda c: (distinct(table, c), c not in texts)) if groupable else key

    with_fk = [tb for tb in tables if fks[tb]]
    child = max(with_fk, key=lambda tb: one(f"SELECT COUNT(*) FROM {q(tb)}")) if with_fk else table
    if fks[child]:
        f = fks[child][0]
        parent, fk = f[2], f[3]
        parent_key = f[4] or pk[parent]
    else:
        parent, fk, parent_key = child, pk[child], pk[child]
    parent_text = (cols(parent, _TEXT) or [parent_key])[0]
    child_number = (cols(child, _NUMBER) or [pk[child]])[0]

    new_key = one(f"SELECT MAX({q(key)}) FROM {q(table)}")
    new_key = new_key + 1 if isinstance(new_key, int) else 1
    unique = set()
    for idx in conn.execute(f"PRAGMA index_list({q(table)})").fetchall():
        if idx[2]:
            unique |= {r[2] for r in conn.execute(f"PRAGMA index_info({q(idx[1])})").fetchall()}
    columns, values = [], []
    for c in info[table]:
        name, ctype, notnull, default, is_pk = c[1], (c[2] or "").upper(), c[3], c[4], c[5]
        if not (is_pk or notnull or name in (text, number)) or (default is not None and not is_pk):
            continue
        sample = conn.execute(f"SELECT {q(name)} FROM {q(table)} WHERE {q(name)} IS NOT NULL "
                              "LIMIT 1").fetchone()
        sample = sample[0] if sample else None
        if is_pk or name == key:
            value = str(new_key)
        elif isinstance(sample, (int, float)) and name not in unique:
            value = repr(sample)
        elif isinstance(sample, (int, float)):
            value = str(one(f"SELECT MAX({q(name)}) FROM {q(table)}") + 1)
        elif any(k in ctype for k in _NUMBER) and sample is None:
            value = "0"
        elif sample is not None and name not in unique:
            value = "'" + f"{sample}".replace("'", "''") + "'"
        else:
            value = f"'new {new_key}'"
        columns.append(_ident(name))
        values.append(value)
    return ExampleNames(*(_ident(n) for n in (table, key, text, number, nullable, group, child,
                                              pk[child], child_number, fk, parent, parent_key,
                                              parent_text)),
                        new_key, ", ".join(columns), ", ".join(values), _pattern(conn, table, text),
                        *_quartiles(conn, table, number))


def _quartiles(conn: sqlite3.Connection, table: str, column: str) -> tuple[str, str]:
    q = lambda s: '"' + s.replace('"', '""') + '"'  # noqa: E731
    values = [r[0] for r in conn.execute(f"SELECT {q(column)} FROM {q(table)} WHERE {q(column)} IS NOT NULL "
                                         f"ORDER BY {q(column)}")]
    if not values:
        return "0", "0"
    lo, hi = values[len(values) // 4], values[(3 * len(values)) // 4]
    fmt = lambda v: repr(v) if isinstance(v, (int, float)) else "'" + str(v).replace("'", "''") + "'"  # noqa: E731
    return fmt(lo), fmt(hi)


def _pattern(conn: sqlite3.Connection, table: str, column: str) -> str:
    q = lambda s: '"' + s.replace('"', '""') + '"'  # noqa: E731
    row = conn.execute(f"SELECT substr({q(column)}, 1, 1) AS c, COUNT(*) AS n FROM {q(table)} "
                       f"WHERE {q(column)} IS NOT NULL GROUP BY c ORDER BY n DESC, c LIMIT 1").fetchone()
    first = str(row[0]) if row and row[0] not in (None, "", "%", "_") else ""
    return "'" + first.replace("'", "''") + "%'"


def _ident(name: str) -> str:
    """``name`` as SQL: bare when it can be, quoted otherwise."""
    from ..dataset import sql_keywords

    if name.isidentifier() and name.upper() not in sql_keywords():
        return name
    return '"' + name.replace('"', '""') + '"'



def overview(student_id: str, lang: str = "en", *, progress: ProgressStore | None = None) -> "Overview":
    """Attempts and solved exercises per lesson for one student (shown in 00 start here)."""
    store = progress or ProgressStore(lang=lang)
    try:
        attempts = store.attempts(student=student_id)
    except SQLLabError as exc:
        return Overview(student_id, i18n.normalize_lang(lang), {}, exc.message_in(lang))
    per: dict[str, dict[str, ExerciseProgress]] = {}
    for a in attempts:
        p = per.setdefault(a.lesson, {}).setdefault(a.exercise, ExerciseProgress())
        p.attempts += 1
        p.solved = p.solved or a.correct
    return Overview(student_id, i18n.normalize_lang(lang), per)


@dataclass
class Overview:
    student_id: str
    lang: str
    lessons: dict[str, dict[str, ExerciseProgress]]
    error: str | None = None

    def _repr_markdown_(self) -> str:
        if self.error:
            return self.error
        head = i18n.t("ui.overview.header", self.lang)
        rows = []
        for lesson_id in LESSON_TOPICS:
            ex = self.lessons.get(lesson_id, {})
            if lesson_id == "00_start_here":
                continue
            rows.append(f"| {lesson_id} | {sum(p.solved for p in ex.values())} | "
                        f"{sum(p.attempts for p in ex.values())} |")
        return f"**{self.student_id}**\n\n{head}\n|---|---|---|\n" + "\n".join(rows)

    def __repr__(self) -> str:
        total = sum(p.attempts for ex in self.lessons.values() for p in ex.values())
        return f"Overview(student_id={self.student_id!r}, lessons={len(self.lessons)}, attempts={total})"


def _default_theme() -> str:
    from ..content.offline import THEMES

    return next(iter(THEMES))
