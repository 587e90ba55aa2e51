"""Practise this, for every diagnosis kind in both languages: the target sqllab chose, and whose question.

    .venv/bin/python bench/practice.py [--langs en ja] [--kinds boundary_out ...] [--budget 60]
        [--theme shop] [--seed 0] [--json out.json] [--offline]

Issue 21, item 3: after a wrong answer whose cause sqllab diagnosed, **Practise this** gives one
more exercise aimed at that kind of mistake; sqllab chooses the target (a bank exercise on the
lesson's data whose typical wrong version of that kind the grader catches), the model writes its
question within a budget from the click (``PRACTICE_BUDGET_S``, 60 s), verified as every LLM
exercise is (sqllab's question checks and the round trip); otherwise the bank's question stands.

For each diagnosis cause (``sqllab.grading.diagnosis.CAUSES``) and each language the script opens
the lesson where a student makes that mistake (02_where for boundaries and NULL, 03_order for
ORDER BY, DISTINCT and LIMIT, 04_aggregate, 05_joins, 06_subqueries for a LIMIT through a tie for
the maximum, 01_select for the columns; the lesson's own exercises from the bank, so no content job
competes) and calls ``Lesson.practise(cause)``, the path the card's button takes. It prints per
kind: the target query, the typical mistake it catches (where the grader catches it, what sqllab's
diagnosis names it), whether the model's question was used (and the question) or why the bank's
(not trusted, unavailable, timeout, rejected by sqllab's checks or the round trip), and the seconds
from the click; then per language "model's question used k/n" and the reasons.

Modes:
- default: the default path (no ``LLM_*`` variables: the embedded model, a cold response cache),
  with the model's real capability profile. Up to a minute per kind on 2 cores (58 of them).
- ``--offline``: no model at all: the targets and the bank's questions (seconds in all).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import default_path  # noqa: E402

default_path.use("sqllab-bench-practice-")        # no LLM_* variables, a cold cache

from sqllab.content import mistake_targets  # noqa: E402
from sqllab.errors import SQLLabError  # noqa: E402
from sqllab.grading.diagnosis import CAUSES  # noqa: E402
from sqllab.notebook import practise_this  # noqa: E402
from sqllab.notebook.lesson import Lesson  # noqa: E402
from sqllab.notebook.progress import ProgressStore  # noqa: E402

#: the order the kinds are shown in (every cause the diagnosis names)
KINDS = [k for k in mistake_targets.KINDS if k in CAUSES]


def lesson_of(kind: str) -> str:
    """The lesson whose topic a student makes this mistake in."""
    if kind.startswith(("boundary", "null")):
        return "02_where"
    if kind in ("agg_repeats", "agg_distinct", "agg_function", "count_column", "count_star"):
        return "04_aggregate"
    if kind in ("count_star_join", "join_inner", "join_left"):
        return "05_joins"
    if kind == "limit_tie_cut":
        return "06_subqueries"
    if kind.startswith("column"):
        return "01_select"
    return "03_order"


def open_lesson(lesson_id: str, lang: str, work: Path, args: argparse.Namespace) -> Lesson:
    """The lesson with its exercises from the bank (no content job), then, unless offline, on the
    default path for Practise this (``llm="auto"``: the shared client, the embedded model)."""
    lesson = Lesson(lesson_id, lang=lang, seed=args.seed, student_id="bench", theme=args.theme, n_exercises=3,
                    llm="offline", work_dir=work / f"{lesson_id}-{lang}", progress=ProgressStore(work / "progress.db"),
                    wait=False)
    if not args.offline:
        lesson.llm_mode = "auto"
    return lesson


def run_kind(lesson: Lesson, kind: str, budget: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        exercise = lesson.practise(kind, budget_s=budget)
    except SQLLabError as exc:
        return {"kind": kind, "lesson": lesson.lesson_id, "error": exc.message_in("en"),
                "seconds": round(time.perf_counter() - started, 1)}
    record = next(r for r in practise_this.records(lesson) if r.exercise.id == exercise.id)
    return {"kind": kind, "lesson": lesson.lesson_id, "id": exercise.id, "practised_as": record.kind,
            "template": record.template, "target": exercise.reference_sql, "mistake": record.mistake,
            "source": exercise.source, "question": exercise.question, "reason": record.reason,
            "seconds": round(time.perf_counter() - started, 1), **_caught(lesson, exercise.reference_sql, record)}


def _caught(lesson: Lesson, reference: str, record: Any) -> dict[str, Any]:
    """Where the grader catches the mistake, and the cause sqllab's diagnosis names for it."""
    from sqllab.grading import grade
    from sqllab.grading.diagnosis import cause

    verdict = grade(lesson.db_path, reference, record.mistake, lang="en")
    found = cause(verdict, record.mistake, reference)
    where = "-" if verdict.diff is None else ("the lesson's data" if verdict.diff.variant == "visible"
                                              else f"a hidden database ({verdict.diff.variant})")
    return {"caught": not verdict.correct, "caught_on": where, "diagnosed": found.key if found else None}


def show(lang: str, n: int, row: dict[str, Any]) -> None:
    print(f"[{lang} {n:02d}] {row['kind']} ({row['lesson']})")
    if "error" in row:
        print(f"  NONE: {row['error']}  ({row['seconds']} s)\n")
        return
    fallback = "" if row["practised_as"] == row["kind"] else f"  (practised as {row['practised_as']})"
    print(f"  target:   {row['template']}: {row['target']}{fallback}")
    print(f"  mistake:  {row['mistake']}")
    print(f"            graded {'wrong' if row['caught'] else 'RIGHT'} on {row['caught_on']}; "
          f"diagnosed {row['diagnosed'] or '(no cause named)'}")
    if row["source"] == "llm":
        print(f"  question: the model's: {row['question']}")
    else:
        print(f"  question: the bank's ({row['reason']}): {row['question']}")
    print(f"  seconds:  {row['seconds']}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--langs", nargs="+", default=["en", "ja"], choices=["en", "ja"])
    parser.add_argument("--kinds", nargs="+", default=KINDS, choices=KINDS, metavar="KIND")
    parser.add_argument("--budget", type=float, default=mistake_targets.PRACTICE_BUDGET_S,
                        help="seconds from the click for the model's question (default %(default)s)")
    parser.add_argument("--theme", default="shop")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write every row to this file")
    parser.add_argument("--offline", action="store_true", help="no model: the targets and the bank's questions")
    args = parser.parse_args()
    mode = "offline (no model)" if args.offline else "the default path (embedded model)"
    print(f"Practise this, {len(args.kinds)} kinds x {len(args.langs)} languages, {mode}, "
          f"budget {args.budget:.0f} s, theme {args.theme}, seed {args.seed}\n")
    if not args.offline:                 # the server is up before the first click, as in a lesson
        from sqllab.llm import run_sync, shared_client
        from sqllab.llm.health import check_llm_health

        started = time.perf_counter()
        health = run_sync(check_llm_health(shared_client()))
        print(f"LLM {health.get('status')} ({health.get('model')}) after {time.perf_counter() - started:.0f} s\n")
    rows: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="sqllab-bench-practice-work-") as tmp:
        work = Path(tmp)
        for lang in args.langs:
            lessons: dict[str, Lesson] = {}
            rows[lang] = []
            for n, kind in enumerate(args.kinds, start=1):
                lesson_id = lesson_of(kind)
                if lesson_id not in lessons:
                    lessons[lesson_id] = open_lesson(lesson_id, lang, work, args)
                row = run_kind(lessons[lesson_id], kind, args.budget)
                rows[lang].append(row)
                show(lang, n, row)
    print("Totals")
    for lang, found in rows.items():
        made = [r for r in found if "error" not in r]
        used = sum(r["source"] == "llm" for r in made)
        reasons = collections.Counter(r["reason"] for r in made if r["source"] == "bank")
        caught = sum(r["caught"] for r in made)
        fallback = sum(r["practised_as"] != r["kind"] for r in made)
        seconds = sorted(r["seconds"] for r in made)
        median = seconds[len(seconds) // 2] if seconds else 0
        print(f"  {lang}: model's question used {used}/{len(made)}"
              + (f"; the bank's: {', '.join(f'{k} {v}' for k, v in reasons.most_common())}" if reasons else "")
              + f"; mistake graded wrong {caught}/{len(made)}; practised as another kind {fallback}; "
              f"no target {len(found) - len(made)}; median {median} s from the click")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nrows written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
