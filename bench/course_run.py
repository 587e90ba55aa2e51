"""A simulated course on the default path: what a teacher measures of the LLM's exercises.

    .venv/bin/python bench/course_run.py [--langs en ja] [--seeds 31 32] [--minutes 3] [--no-load]

No ``LLM_*`` variables (the embedded default), a cold cache. For each language and seed a student
reads 00_start_here (which starts writing the lessons after it), opens 01_select, then 02_where … 07_window in
order, and spends ``--minutes`` on each one while a
CPU-heavy process runs beside (one core busy, as a browser and JupyterLab are); meanwhile the next
lessons are written ahead (``SQLLAB_WRITE_AHEAD``, the default unless set). Printed side by side per lesson:

- opened with LLM: the lesson's verified LLM content was there when it opened (target >= 90%);
- LLM/shown: exercises from the LLM among those shown after the lesson's minutes;
- round trip: questions whose solve from the question alone graded equal / questions tried;
- hint blank: LLM exercises whose last hint shows SQL with a blank and no hint leaks the answer.

Totals per language, then, with two seeds, the share of query shapes the seeds have in common per
lesson (target <= 1/3). Every LLM question shown is written to ``--questions`` (Markdown) with its
reference and hints, for a person to read.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import default_path  # noqa: E402

default_path.use("sqllab-bench-course-")          # no LLM_* variables, a cold cache
from sqllab.notebook import ahead  # noqa: E402

# a script is an unattended run, where nothing is written ahead: the bench plays a person in a kernel
os.environ.setdefault("SQLLAB_WRITE_AHEAD", str(ahead.DEFAULT_AHEAD))

from sqllab.content.generation import query_shape  # noqa: E402
from sqllab.content.hints import BLANK, hint_sql, leaks  # noqa: E402
from sqllab.notebook.lesson import Lesson  # noqa: E402

LESSONS = ["00_start_here", "01_select", "02_where", "03_order", "04_aggregate", "05_joins", "06_subqueries", "07_window"]
MEASURED = LESSONS[2:]


class RoundTrips(logging.Handler):
    """Counts the round-trip verdicts the exercise writer logs, per (lang, topic)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.tried: Counter[tuple[str, str]] = Counter()
        self.accepted: Counter[tuple[str, str]] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "round_trip"):
            key = (record.lang, record.topic)
            self.tried[key] += 1
            self.accepted[key] += bool(record.round_trip)


def busy_neighbour() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def course(lang: str, seed: int, minutes: float, work: Path, save=lambda rows: None) -> list[dict]:
    """One student's course; ``save(rows)`` after each lesson (a run cut short keeps what it measured)."""
    rows = []
    for lesson_id in LESSONS:
        start = time.perf_counter()
        if lesson_id == "00_start_here":       # the notebook starts writing 01 and 02 while it is read
            Lesson(lesson_id, lang=lang, seed=seed, student_id=f"student-{seed}", n_exercises=3, llm="auto",
                   wait=False, work_dir=work / f"{lang}-{seed}" / lesson_id).write_ahead()
            time.sleep(minutes * 60)
            continue
        lesson = Lesson(lesson_id, lang=lang, seed=seed, student_id=f"student-{seed}", n_exercises=3,
                        llm="auto", wait=False, work_dir=work / f"{lang}-{seed}" / lesson_id)
        opened_llm = lesson.job is None and lesson.content.llm_exercises > 0
        deadline = start + minutes * 60
        while time.perf_counter() < deadline:               # the student works on this lesson
            time.sleep(1)
        if lesson.job is not None:
            lesson.job.wait()                               # the lesson's own job, if it still runs
        if lesson.pending is not None:
            lesson.accept_pending()
        shown = lesson.exercises
        llm = [e for e in shown if e.source == "llm"]
        blanked = sum(1 for e in llm if e.hints and BLANK in (hint_sql(e.hints[-1]) or "")
                      and not any(leaks(lesson.db_path, e.reference_sql, h) for h in e.hints))
        row = {"lesson": lesson_id, "lang": lang, "seed": seed, "opened_llm": opened_llm,
               "written_ahead": bool(lesson.content.written_ahead), "llm": len(llm), "shown": len(shown),
               "hint_blank": blanked, "shapes": [query_shape(e.reference_sql) for e in llm],
               "exercises": [{"question": e.question, "sql": e.reference_sql, "hints": e.hints,
                              "source": e.source} for e in shown],
               "open_s": round(time.perf_counter() - start)}
        rows.append(row)
        save(rows)
        print(f"{lesson_id:<15}{lang:<5}{seed:>5}{str(opened_llm):>12}{len(llm):>6}/{len(shown):<3}"
              f"{blanked:>7}/{len(llm):<3}", flush=True)
    return rows


def write_questions(rows: list[dict], path: Path) -> None:
    """Every LLM question shown, with its reference and hints, as Markdown for a person to read."""
    lines = ["# LLM exercises of a simulated course run (bench/course_run.py)", ""]
    for r in rows:
        lines.append(f"## {r['lesson']} · {r['lang']} · seed {r['seed']}")
        for e in r["exercises"]:
            if e["source"] == "llm":
                lines += [f"- **{e['question']}**", f"  - reference: `{e['sql']}`",
                          *[f"  - hint {i}: {h}" for i, h in enumerate(e["hints"], 1)]]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--langs", nargs="+", default=["en", "ja"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[31])
    parser.add_argument("--minutes", type=float, default=3.0, help="a student's minutes per lesson")
    parser.add_argument("--no-load", action="store_true", help="no CPU-heavy process beside")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--questions", type=Path, default=Path("docs/course_run_questions.md"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")   # the writer's notes on stderr
    logging.getLogger("sqllab.notebook.ahead").setLevel(logging.INFO)
    trips = RoundTrips()
    logging.getLogger("sqllab.content.generation").addHandler(trips)
    logging.getLogger("sqllab.content.generation").setLevel(logging.INFO)
    work = Path(tempfile.mkdtemp(prefix="sqllab-bench-course-work-"))
    neighbour = None if args.no_load else busy_neighbour()
    print(f"model: {os.environ.get('SQLLAB_EMBEDDED_MODEL', 'default')}   {args.minutes} min per lesson   "
          f"write ahead {os.environ['SQLLAB_WRITE_AHEAD']}   busy neighbour: {neighbour is not None}\n")
    print(f"{'lesson':<15}{'lang':<5}{'seed':>5}{'opened LLM':>12}{'LLM/shown':>10}{'hint blank':>11}")
    rows: list[dict] = []

    def save(more: list[dict]) -> None:
        if args.json:
            args.json.write_text(json.dumps(rows + more, indent=2, ensure_ascii=False))
        write_questions(rows + more, args.questions)

    try:
        for lang in args.langs:
            for seed in args.seeds:
                rows += course(lang, seed, args.minutes, work, save)
                ahead.writer().clear()      # what is still being written ahead is for lessons past 07
                ahead.writer().idle(120)
    finally:
        if neighbour is not None:
            neighbour.terminate()
            neighbour.wait(10)
    print()
    for lang in args.langs:
        mine = [r for r in rows if r["lang"] == lang and r["lesson"] in MEASURED]
        opened = sum(r["opened_llm"] for r in mine)
        llm, shown = sum(r["llm"] for r in mine), sum(r["shown"] for r in mine)
        blank = sum(r["hint_blank"] for r in mine)
        tried = sum(n for (lg, _), n in trips.tried.items() if lg == lang)
        accepted = sum(n for (lg, _), n in trips.accepted.items() if lg == lang)
        print(f"{lang}: lessons 02-07 opened with LLM content {opened}/{len(mine)} ({opened / max(1, len(mine)):.0%}, "
              f"target >= 90%); LLM exercises {llm}/{shown} ({llm / max(1, shown):.0%}); round trip accepted "
              f"{accepted}/{tried} questions ({accepted / max(1, tried):.0%}); hints with a blank and no leak "
              f"{blank}/{llm}")
        if len(args.seeds) >= 2:
            a, b = args.seeds[:2]
            for lesson_id in MEASURED:
                sa = set(next(r["shapes"] for r in mine if r["lesson"] == lesson_id and r["seed"] == a))
                sb = set(next(r["shapes"] for r in mine if r["lesson"] == lesson_id and r["seed"] == b))
                share = len(sa & sb) / max(1, min(len(sa), len(sb)))
                print(f"   {lesson_id}: seeds {a} and {b} share {len(sa & sb)} of their LLM query shapes "
                      f"({share:.0%}, target <= 33%)")
    save([])
    print(f"\nquestions written to {args.questions}")
    from sqllab.llm.embedded import stop_background

    stop_background()
    return 0


if __name__ == "__main__":
    sys.exit(main())
