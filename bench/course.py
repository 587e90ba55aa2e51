"""Course build speed and time to the first widget, printed side by side.

    .venv/bin/python bench/course.py [--students 10] [--lessons 01_select 02_where 05_joins]

1. ``sqllab course build`` (offline content) for N students × the lessons with ``--jobs 2`` and
   ``--jobs 1``; prints both times and the ratio (target ≥ 1.7 on 2 cores).
2. Time to first widget: a lesson executed by nbclient in a fresh kernel, from launching the
   kernel (and from the kernel being ready) until the first cell output holding a widget view.
3. A class on nbgrader (``--class-size 30``, 0 skips it): ``sqllab course nbgrader`` for one lesson,
   ``nbgrader generate_assignment``, one submission per student in ``submitted/`` whose answers
   are drawn from kinds with a known truth (the reference, an equivalent rewrite, the visible
   result typed in as constants, ``>`` for ``>=``, broken SQL, no answer), ``nbgrader autograde``
   and ``export``: scores against the truth (target 100 %), seconds per notebook, and the ratio to
   a practice build's seconds per notebook (part 1, ``--jobs 1``).
"""

from __future__ import annotations

import argparse
import ast
import csv
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def build_time(students: int, lessons: list[Path], jobs: int, work: Path) -> tuple[float, int]:
    """One cold build: its own output and cache directories, so no run reuses another's content."""
    from sqllab import settings
    from sqllab.course.build import Student, build_course

    run = Path(tempfile.mkdtemp(prefix=f"jobs{jobs}-", dir=work))
    os.environ["SQLLAB_CACHE_DIR"] = str(run / "cache")
    os.environ["SQLLAB_PROGRESS_DB"] = str(run / "progress.db")
    settings.reload()
    roster = [Student(f"student{i:02d}") for i in range(students)]
    start = time.perf_counter()
    report = build_course(roster, lessons, run / "build", jobs=jobs, llm="offline", progress=False)
    return time.perf_counter() - start, len(report.failed)


def first_widget(lesson: Path) -> tuple[float, float, float]:
    """(launch → first widget, kernel ready → first widget, whole notebook) in seconds."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(lesson, as_version=4)
    marks: dict[str, float] = {}

    def on_start(**_kw: object) -> None:
        marks.setdefault("ready", time.perf_counter())

    def on_executed(cell: nbformat.NotebookNode, **_kw: object) -> None:
        if "widget" not in marks and any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", [])):
            marks["widget"] = time.perf_counter()

    client = NotebookClient(nb, kernel_name="python3", timeout=600, on_notebook_start=on_start,
                            on_cell_executed=on_executed, resources={"metadata": {"path": str(lesson.parent)}})
    start = time.perf_counter()
    client.execute()
    end = time.perf_counter()
    return marks["widget"] - start, marks["widget"] - marks["ready"], end - start


def _nbgrader(course: Path, *args: str) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=course, env=env,
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{proc.stderr[-3000:]}")


def _literal(v: object) -> str:
    if v is None:
        return "NULL"
    return repr(v) if isinstance(v, (int, float)) else "'" + str(v).replace("'", "''") + "'"


def _answers(db: Path, ref: str, ordered: bool) -> list[tuple[str, str | None, int]]:
    """(kind, answer, truth) for one exercise: None leaves nbgrader's stub in the answer cell."""
    from collections import Counter

    from sqllab.sandbox import run_query

    rows = run_query(db, ref, max_rows=10_000).rows
    kinds = [("right", ref, 1), ("broken", "SELEC " + ref[len("SELECT "):], 0), ("empty", None, 0),
             ("typed_in", "SELECT * FROM (VALUES " + ", ".join(
                 "(" + ", ".join(_literal(v) for v in r) + ")" for r in rows) + ")", 0)]
    if not ordered:
        kinds.append(("rewritten", f"SELECT * FROM ({ref}) AS answer", 1))
    if ">=" in ref:       # `>` for `>=`: wrong, and right on the visible data when no row sits on the boundary
        boundary = ref.replace(">=", ">", 1)
        same = Counter(run_query(db, boundary, max_rows=10_000).rows) == Counter(rows)
        kinds.append(("boundary" if same else "boundary_visible", boundary, 0))
    return kinds


def nbgrader_class(students: int, lesson: Path, work: Path, seed: int = 8) -> dict[str, float]:
    """Autograde a class of ``students`` through nbgrader; scores against the answers' truth."""
    import nbformat

    from sqllab.course.assignments import build_assignments
    from sqllab.course.graded import GradedLesson

    course = work / "nbgrader-course"
    lesson_id = lesson.stem
    build_assignments(lesson, course, llm="offline", seed=seed)
    _nbgrader(course, "generate_assignment", lesson_id, "--force")
    release = course / "release" / lesson_id
    graded = GradedLesson.open(lesson_id, release)
    source = nbformat.read(course / "source" / lesson_id / f"{lesson_id}.ipynb", as_version=4)
    refs = [ast.literal_eval(re.search(r"graded\.grade\(\d+, (.*)\)\n### END", c.source, re.S).group(1))
            for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    options = [_answers(graded.lesson.db_path, r, e.ordered) for r, e in zip(refs, graded.lesson.exercises)]
    rng = random.Random(seed)
    truth: dict[str, list[int]] = {}
    kinds: dict[str, int] = {}
    for i in range(students):
        sid = f"student{i:02d}"
        picks = [rng.choice(opts) for opts in options]
        truth[sid] = [p[2] for p in picks]
        nb = nbformat.read(release / f"{lesson_id}.ipynb", as_version=4)
        for cell in nb.cells:
            m = re.match(r"%%answer (\d+)\n", cell.source)
            if m and picks[int(m.group(1)) - 1][1] is not None:
                cell.source = f"%%answer {m.group(1)}\n{picks[int(m.group(1)) - 1][1]}"
        folder = course / "submitted" / sid / lesson_id
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{lesson_id}.ipynb")
        shutil.copy(release / f"{lesson_id}.sqllab.json", folder)
        for kind, *_ in picks:
            kinds[kind] = kinds.get(kind, 0) + 1
    start = time.perf_counter()
    _nbgrader(course, "autograde", lesson_id, "--force")
    seconds = time.perf_counter() - start
    _nbgrader(course, "export", "--to", str(work / "grades.csv"))
    with (work / "grades.csv").open(newline="", encoding="utf-8") as f:
        scores = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    from nbgrader.api import Gradebook

    cells_ok = 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sid, t in truth.items():
            cells_ok += sum(gb.find_grade(f"ex{n}_test", lesson_id, lesson_id, sid).auto_score == right
                            for n, right in enumerate(t, start=1))
    match = sum(scores.get(sid) == float(sum(t)) for sid, t in truth.items())
    return {"students": students, "exercises": len(refs), "seconds": seconds, "per_notebook": seconds / students,
            "match": match, "cells_ok": cells_ok, "cells": students * len(refs), "kinds": kinds}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=10)
    ap.add_argument("--lessons", nargs="+", default=["01_select", "02_where", "05_joins"])
    ap.add_argument("--lang", default="en")
    ap.add_argument("--rounds", type=int, choices=(1, 2), default=2, help="builds per --jobs value")
    ap.add_argument("--class-size", type=int, default=30, help="students autograded through nbgrader (0: skip)")
    ap.add_argument("--class-lesson", default="06_subqueries",
                    help="with the default seed (8) its Japanese version has an exercise where `>` for `>=` "
                         "is right on the visible data")
    ap.add_argument("--class-lang", default="ja")
    args = ap.parse_args()
    lessons = [ROOT / "notebooks" / args.lang / f"{name}.ipynb" for name in args.lessons]
    with tempfile.TemporaryDirectory(prefix="sqllab-bench-") as tmp:
        work = Path(tmp)
        os.environ["SQLLAB_LLM_MODE"] = "offline"
        n = args.students * len(lessons)
        times: dict[int, list[float]] = {1: [], 2: []}
        failed = 0
        for jobs in [1, 2, 2, 1][: 2 * args.rounds]:  # alternate, so load from others hits both
            seconds, bad = build_time(args.students, lessons, jobs, work)
            times[jobs].append(seconds)
            failed += bad
        t1, t2 = min(times[1]), min(times[2])
        print(f"course build, {args.students} students x {len(lessons)} lessons = {n} notebooks "
              f"(offline, cold cache, {os.cpu_count()} cores, load avg {os.getloadavg()[0]:.2f}, "
              f"best of {len(times[1])})")
        print(f"  --jobs 1: {t1:7.1f} s  ({t1 / n:.2f} s/notebook)   runs: "
              + ", ".join(f"{x:.1f}" for x in times[1]))
        print(f"  --jobs 2: {t2:7.1f} s  ({t2 / n:.2f} s/notebook)   runs: "
              + ", ".join(f"{x:.1f}" for x in times[2]))
        print(f"  ratio jobs1/jobs2: {t1 / t2:.2f}  (target >= 1.7); failed notebooks: {failed}")
        launch, ready, total = first_widget(lessons[0])
        print(f"time to first widget, {lessons[0].parent.name}/{lessons[0].name} (fresh kernel, offline):")
        print(f"  from kernel launch: {launch:5.2f} s   from kernel ready: {ready:5.2f} s   "
              f"whole notebook: {total:5.2f} s")
        if args.class_size:
            lesson = ROOT / "notebooks" / args.class_lang / f"{args.class_lesson}.ipynb"
            r = nbgrader_class(args.class_size, lesson, work)
            practice = t1 / n
            print(f"nbgrader class, {r['students']} students x {lesson.parent.name}/{lesson.name} "
                  f"({r['exercises']} exercises; answers: "
                  + ", ".join(f"{k} {v}" for k, v in sorted(r["kinds"].items())) + "):")
            print(f"  autograde: {r['seconds']:6.1f} s  ({r['per_notebook']:.2f} s/notebook; practice build "
                  f"--jobs 1: {practice:.2f} s/notebook; ratio {r['per_notebook'] / practice:.2f})")
            print(f"  scores matching the truth: {r['match']}/{r['students']} students "
                  f"({100 * r['match'] / r['students']:.0f} %, target 100 %), "
                  f"{r['cells_ok']}/{r['cells']} test cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
