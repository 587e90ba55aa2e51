"""Course build speed and time to the first widget, printed side by side.

    .venv/bin/python bench/course.py [--students 10] [--lessons 01_select 02_where 05_joins]

1. ``sqllab course build`` (offline content) for N students × the lessons with ``--jobs 2`` and
   ``--jobs 1``; prints both times and the ratio (target ≥ 1.7 on 2 cores).
2. Time to first widget: a lesson executed by nbclient in a fresh kernel, from launching the
   kernel (and from the kernel being ready) until the first cell output holding a widget view.
"""

from __future__ import annotations

import argparse
import os
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
    from sqllab.course import Student, build_course

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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=10)
    ap.add_argument("--lessons", nargs="+", default=["01_select", "02_where", "05_joins"])
    ap.add_argument("--lang", default="en")
    ap.add_argument("--rounds", type=int, choices=(1, 2), default=2, help="builds per --jobs value")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
