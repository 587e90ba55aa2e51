"""Lessons on the default path: who wrote what a student sees, and how long the student waits.

    .venv/bin/python bench/lessons.py [--lessons 02_where 03_order ...] [--langs en ja] [--seed 21]

No ``LLM_*`` variables (the embedded default), a cold response cache (a fresh SQLLAB_CACHE_DIR),
each lesson opened as a student opens it (``Lesson(..., wait=False)``): the bank's exercises at
once, LLM content from the background job. Printed side by side per lesson and language:

- first exercise visible: seconds until the lesson has exercises to show (target <= 3 s);
- LLM content ready: seconds until the job finished (target <= 120 s), its tokens;
- exercises from the LLM / shown, and whether each lesson shows the number asked;
- verified: every exercise shown passes ``check_exercise`` (LLM) or comes from the bank (100%);
- fit: the dataset shown meets the lesson's fitness rules (``dataset_problems``).

Totals at the end: share of exercises written by the LLM per language (targets: en >= 80%,
ja >= 50%). Runs take minutes per lesson on 2 cores; ``--json`` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import default_path  # noqa: E402

default_path.use("sqllab-bench-lessons-")          # no LLM_* variables, a cold cache

from sqllab.content.generation import check_exercise, dataset_problems  # noqa: E402
from sqllab.notebook.lesson import LESSON_TOPICS, Lesson  # noqa: E402

DEFAULT_LESSONS = ["02_where", "03_order", "04_aggregate", "05_joins", "06_subqueries", "07_window"]


def run(lesson_id: str, lang: str, seed: int, n: int, work: Path) -> dict:
    start = time.perf_counter()
    lesson = Lesson(lesson_id, lang=lang, seed=seed, n_exercises=n, llm="auto", wait=False,
                    work_dir=work / f"{lesson_id}-{lang}")
    first = time.perf_counter() - start
    job = lesson.job
    if job is not None:
        job.wait()
    ready = time.perf_counter() - start
    if lesson.pending is not None:
        lesson.accept_pending()
    shown = lesson.exercises
    verified = all(not check_exercise(lesson.db_path, e, e.topic) for e in shown if e.source == "llm")
    fit = lesson.content.dataset_source != "llm" or not dataset_problems(lesson.dataset, LESSON_TOPICS[lesson_id])
    return {"lesson": lesson_id, "lang": lang, "first_s": first, "ready_s": ready,
            "tokens": job.progress.tokens if job else 0, "stage": job.progress.stage if job else "cached",
            "llm": sum(e.source == "llm" for e in shown), "shown": len(shown), "asked": n,
            "dataset": lesson.content.dataset_source, "verified": verified, "fit": fit,
            "notice": lesson.content.fallback_reason or ""}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lessons", nargs="+", default=DEFAULT_LESSONS)
    parser.add_argument("--langs", nargs="+", default=["en", "ja"])
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("-n", type=int, default=3, help="exercises per lesson")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sqllab-bench-lessons-work-"))
    print(f"model: {os.environ.get('SQLLAB_EMBEDDED_MODEL', 'default')}   seed {args.seed}   "
          f"{args.n} exercises per lesson   cold cache\n")
    print(f"{'lesson':<15}{'lang':<5}{'first ex s':>11}{'LLM ready s':>12}{'tokens':>8}{'LLM/shown':>10}"
          f"{'asked':>6}{'dataset':>8}{'verified':>9}{'fit':>5}")
    rows = []
    for lang in args.langs:
        for lesson_id in args.lessons:
            r = run(lesson_id, lang, args.seed, args.n, work)
            rows.append(r)
            print(f"{r['lesson']:<15}{lang:<5}{r['first_s']:>11.2f}{r['ready_s']:>12.1f}{r['tokens']:>8}"
                  f"{r['llm']:>6}/{r['shown']:<3}{r['asked']:>6}{r['dataset']:>8}{str(r['verified']):>9}"
                  f"{str(r['fit']):>5}", flush=True)
    print()
    for lang in args.langs:
        mine = [r for r in rows if r["lang"] == lang]
        llm, shown = sum(r["llm"] for r in mine), sum(r["shown"] for r in mine)
        target = 0.8 if lang == "en" else 0.5
        print(f"{lang}: {llm}/{shown} exercises from the LLM ({llm / max(1, shown):.0%}, target >= {target:.0%}); "
              f"every lesson shows the number asked: {all(r['shown'] == r['asked'] for r in mine)}; "
              f"all verified: {all(r['verified'] for r in mine)}; all fit: {all(r['fit'] for r in mine)}; "
              f"first exercise max {max(r['first_s'] for r in mine):.2f} s; "
              f"LLM ready max {max(r['ready_s'] for r in mine):.0f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    from sqllab.llm.embedded import stop_background

    stop_background()          # the shared server this run started in its own cache dir
    return 0


if __name__ == "__main__":
    sys.exit(main())
