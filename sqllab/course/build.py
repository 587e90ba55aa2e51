"""Build a course: run every lesson notebook for every student with papermill.

Each student gets a personal seed (a stable hash of the student id), so datasets and exercises
differ between students but are the same every time the course is rebuilt. Running the
notebook generates and caches the lesson content, so class time does not wait on the LLM.
Notebooks run in parallel worker processes, each papermill run in its own kernel; a failed
notebook is reported and the others go on.
"""

from __future__ import annotations

import csv
import logging
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..notebook.lesson import personal_seed, student_folder_name

log = logging.getLogger(__name__)

LLM_MODES = ("auto", "embedded", "remote", "offline")


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str = ""
    lang: str | None = None


@dataclass(frozen=True)
class BuildItem:
    """One notebook to run: a lesson for a student, with its papermill parameters."""

    student: str
    lesson: Path
    output: Path
    parameters: dict[str, Any]


@dataclass
class BuildResult:
    item: BuildItem
    ok: bool
    seconds: float
    error: str = ""


@dataclass
class CourseReport:
    results: list[BuildResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[BuildResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self, lang: str | None = None) -> str:
        from ..i18n import t

        lines = [t("course.failed_item", lang, student=r.item.student, lesson=r.item.lesson.stem,
                   error=r.error) for r in self.failed]
        lines.append(t("course.summary", lang, ok=len(self.results) - len(self.failed),
                       total=len(self.results), failed=len(self.failed), seconds=self.seconds))
        return "\n".join(lines)


def read_roster(path: str | Path, *, lang: str | None = None) -> list[Student]:
    """Students from a CSV file with a ``student_id`` column (optional ``name``, ``lang``)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        fields = [c.strip() for c in (reader.fieldnames or [])]
        if "student_id" not in fields:
            raise ConfigError(key="course.roster.missing_column", lang=lang, path=str(path),
                              found=", ".join(fields) or "-")
        students: list[Student] = []
        seen: set[str] = set()
        for row in reader:
            row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
            sid = row.get("student_id", "")
            if not sid:
                continue
            if sid in seen:
                raise ConfigError(key="course.roster.duplicate", lang=lang, path=str(path), student=sid)
            seen.add(sid)
            students.append(Student(sid, row.get("name", ""), row.get("lang") or None))
    if not students:
        raise ConfigError(key="course.roster.empty", lang=lang, path=str(path))
    return students


def lesson_notebooks(lessons: str | Path | Sequence[str | Path], *, lang: str | None = None) -> list[Path]:
    """The lesson notebooks: a directory's ``*.ipynb`` (sorted) or the given files."""
    if isinstance(lessons, (str, Path)) and Path(lessons).is_dir():
        found = sorted(p for p in Path(lessons).glob("*.ipynb") if not p.name.startswith("."))
        if not found:
            raise ConfigError(key="course.no_lessons", lang=lang, path=str(lessons))
        return found
    items = [lessons] if isinstance(lessons, (str, Path)) else list(lessons)
    return [Path(p) for p in items]


def plan(students: Sequence[Student], lessons: Sequence[Path], out: str | Path, *,
         llm: str | None = None, lang: str | None = None,
         extra: dict[str, Any] | None = None) -> list[BuildItem]:
    """One item per student × lesson; output ``<out>/<student_id>/<lesson>.ipynb``."""
    items = []
    for s in students:
        for lesson in lessons:
            params: dict[str, Any] = {"student_id": s.student_id, "seed": personal_seed(s.student_id)}
            if s.lang or lang:
                params["lang"] = s.lang or lang
            if llm:
                params["llm"] = llm
            params.update(extra or {})
            items.append(BuildItem(s.student_id, lesson, Path(out) / student_folder_name(s.student_id)
                                   / lesson.name, params))
    return items


def build_course(roster: str | Path | Sequence[Student], lessons: str | Path | Sequence[str | Path],
                 out: str | Path, *, jobs: int = 1, llm: str | None = None, lang: str | None = None,
                 kernel_name: str | None = None, timeout_s: float = 600.0, progress: bool = True,
                 on_result: Callable[[BuildResult], None] | None = None,
                 show_expected: bool = True) -> CourseReport:
    """Run every lesson for every student; never stops at a failed notebook.

    ``show_expected=False`` builds notebooks whose exercises do not show their expected result
    (a test rather than practice).

    Worker output (kernel chatter, tracebacks) goes to ``<out>/.logs/``.
    """
    if llm is not None and llm not in LLM_MODES:
        raise ConfigError(key="ui.lesson.bad_llm_mode", lang=lang, value=llm)
    students = read_roster(roster, lang=lang) if isinstance(roster, (str, Path)) else list(roster)
    items = plan(students, lesson_notebooks(lessons, lang=lang), out, llm=llm, lang=lang,
                 extra=None if show_expected else {"show_expected": False})
    report = CourseReport()
    start = time.perf_counter()
    from tqdm.auto import tqdm
    from ..i18n import t

    bar = tqdm(total=len(items), desc=t("course.progress", lang), unit="nb", disable=not progress)
    ctx = multiprocessing.get_context("spawn")
    logs = Path(out) / ".logs"
    logs.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx, initializer=_quiet_worker,
                             initargs=(str(logs),)) as pool:
        futures = {pool.submit(run_one, item, kernel_name=kernel_name, timeout_s=timeout_s): item
                   for item in items}
        for fut in as_completed(futures):
            try:
                result = fut.result()
            except Exception as exc:  # the worker process itself died
                result = BuildResult(futures[fut], False, 0.0, f"{type(exc).__name__}: {exc}")
            report.results.append(result)
            if on_result:
                on_result(result)
            bar.update(1)
    bar.close()
    report.results.sort(key=lambda r: (r.item.student, r.item.lesson.name))
    report.seconds = time.perf_counter() - start
    return report


def _quiet_worker(log_dir: str) -> None:
    """Send a worker's (and its kernels') stdout/stderr to ``<out>/.logs/worker-<pid>.log``.

    Kernels print shutdown chatter to the inherited stderr; the instructor's terminal keeps
    only the progress bar and the summary, and the log keeps the rest for when a build fails.
    """
    import os

    fd = os.open(os.path.join(log_dir, f"worker-{os.getpid()}.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def run_one(item: BuildItem, *, kernel_name: str | None = None, timeout_s: float = 600.0) -> BuildResult:
    """Execute one notebook with papermill in its own kernel; failures become a result."""
    import papermill as pm

    import os

    os.environ.setdefault("SQLLAB_WAIT_FOR_LLM", "1")   # no one is in these kernels: wait for LLM content
    from ..content.bundle import SHIP_ENV

    start = time.perf_counter()
    item.output.parent.mkdir(parents=True, exist_ok=True)
    # the kernel inherits this: its lesson writes <lesson>.sqllab.json beside the notebook, so the
    # student gets this content on any machine (sqllab.content.bundle)
    saved = os.environ.get(SHIP_ENV)
    os.environ[SHIP_ENV] = str(item.output.parent.resolve())
    try:
        kwargs: dict[str, Any] = {"kernel_name": kernel_name} if kernel_name else {}
        pm.execute_notebook(str(item.lesson), str(item.output), parameters=item.parameters,
                            progress_bar=False, cwd=str(item.output.parent),
                            execution_timeout=timeout_s, **kwargs)
    except pm.PapermillExecutionError as exc:
        return BuildResult(item, False, time.perf_counter() - start, f"{exc.ename}: {exc.evalue}")
    except Exception as exc:  # nbclient/jupyter_client raise many kinds; report, don't stop
        log.exception("course build of %s failed", item.lesson)
        return BuildResult(item, False, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    finally:
        if saved is None:
            os.environ.pop(SHIP_ENV, None)
        else:
            os.environ[SHIP_ENV] = saved
    return BuildResult(item, True, time.perf_counter() - start)
