"""Feedback on typical wrong answers, for a person to read: does the "why" name the real cause?

    .venv/bin/python bench/feedback_causes.py [--langs en ja] [--level 0] [--cases where-01 ...]
        [--json out.json] [--scripted | --offline]

Issue 21, item 4: the cause of a wrong answer comes from sqllab, the model only words it. Each case
below is a typical wrong answer to a bank exercise of the offline ``shop`` lesson (seed 1, en and
ja), listed with the cause it has. For each one the script grades it (the real grader), asks for
the feedback through the real path (``sqllab.grading.feedback.feedback``: the current ``feedback``
prompt, v12, level 0) and prints the wrong answer, the cause sqllab diagnosed (and whether it is
the listed one), whether the model's added sentence was kept or dropped (and why), and the whole
feedback text, then counts per language: diagnosed as listed, sqllab's own sentence on why shown,
the model's text kept / dropped / none / fallback.

The "why" is judged by reading: it names the real cause when sqllab's sentence does (every case
where it diagnosed the listed cause) or, without a diagnosis, when the model's sentence does; a
kept model sentence must not state anything false either. Cases without a listed cause show the
model's sentence as before v12.

Modes:
- default: the configured LLM on the default path (no ``LLM_*`` variables: the embedded model,
  a cold response cache), every language asked of it (``SQLLAB_MODEL_PROFILE=all``). Minutes on
  2 cores.
- ``--scripted``: a loopback server (tests/llm_servers.py) that answers like llama.cpp with canned
  sentences, one on the cause and one on another cause by turns, to check the plumbing
  (kept / dropped) without a model.
- ``--offline``: no LLM at all: what the lesson shows offline (``offline_feedback``).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "tests"))
import default_path  # noqa: E402

default_path.use("sqllab-bench-causes-")          # no LLM_* variables, a cold cache
os.environ["SQLLAB_MODEL_PROFILE"] = "all"         # measure the model in both languages

from sqllab.content.exercises import all_bank_exercises  # noqa: E402
from sqllab.content.offline import generate_offline_dataset  # noqa: E402
from sqllab.db import load_dataset  # noqa: E402
from sqllab.grading import grade  # noqa: E402
from sqllab.grading.diagnosis import cause as diagnosed_cause  # noqa: E402
from sqllab.grading.feedback import feedback, offline_feedback  # noqa: E402
from sqllab.llm.prompts import current_version  # noqa: E402


@dataclass(frozen=True)
class Case:
    exercise: str        # the bank exercise (id without its hash), e.g. "where-01"
    pattern: str         # regex on the exercise's reference ...
    replacement: str     # ... and what makes it the wrong answer
    mistake: str         # the mistake, in words
    cause: str | None    # the cause it has (a diagnosis key), None: sqllab names none


CASES = [
    Case("where-01", r">=", ">", "a boundary: > for >=", "boundary_out"),
    Case("where-04", r"(\w+) BETWEEN (\S+) AND (\S+)", r"\1 > \2 AND \1 < \3", "a range without its ends", "boundary_out2"),
    Case("where-07", r">=", ">", "a date boundary: > for >=", "boundary_out"),
    Case("aggregate-07", r">= (\d+)", r"> \1", "a boundary in HAVING COUNT(*)", "boundary_out"),
    Case("where-03", r"IS NULL", "= NULL", "= NULL for IS NULL", "null_equals"),
    Case("where-08", r"\w+ IS NULL OR ", "", "the NULL rows left out of a comparison", "null_missing_compared"),
    Case("where-09", r"\w+ IS NULL OR ", "", "the NULL rows left out of <>", "null_missing_compared"),
    Case("order-02", r"DISTINCT ", "", "DISTINCT left out", "distinct_missing"),
    Case("order-04", r"DISTINCT ", "", "DISTINCT left out (with a WHERE)", "distinct_missing"),
    Case("joins-09", r"DISTINCT ", "", "DISTINCT left out after a join", "distinct_missing"),
    Case("where-03", r"^SELECT ", "SELECT DISTINCT ", "an extra DISTINCT (two customers share a name)", "distinct_merges"),
    Case("joins-07", r"^SELECT ", "SELECT DISTINCT ", "an extra DISTINCT after joins", "distinct_merges"),
    Case("aggregate-09", r"COUNT\(DISTINCT (\w+)\)", r"COUNT(\1)", "DISTINCT left out of COUNT", "agg_repeats"),
    Case("aggregate-04", r"COUNT\((\w+)\)", r"COUNT(DISTINCT \1)", "an extra DISTINCT in COUNT", "agg_distinct"),
    Case("aggregate-06", r"SUM\((\w+)\)", r"SUM(DISTINCT \1)", "an extra DISTINCT in SUM", "agg_distinct"),
    Case("order-03", r"(\w+) DESC", r"\1 ASC", "ASC for DESC with a LIMIT", "sort_direction_limit"),
    Case("order-05", r"(\w+) DESC, id DESC", r"\1, id", "ASC for DESC with a LIMIT (dates)", "sort_direction_limit"),
    Case("order-07", r"ORDER BY (\w+), id", r"ORDER BY \1 DESC, id", "DESC for ASC with LIMIT and OFFSET", "sort_direction_limit"),
    Case("order-01", r"(\w+) DESC", r"\1", "ASC for DESC", "sort_direction"),
    Case("order-08", r" DESC$", "", "ASC for DESC (DISTINCT values)", "sort_direction"),
    Case("order-05", r", id DESC", "", "the tie-break left out", "order_tie"),
    Case("order-06", r"(\w+), name, id", r"\1, id", "another tie-break", "sort_tiebreak"),
    Case("joins-03", r"LEFT JOIN", "JOIN", "JOIN for LEFT JOIN (with COUNT)", "join_inner"),
    Case("joins-04", r"LEFT JOIN", "JOIN", "JOIN for LEFT JOIN (rows without a match)", "join_inner"),
    Case("joins-05", r"LEFT JOIN", "JOIN", "JOIN for LEFT JOIN (products never ordered)", "join_inner"),
    Case("joins-03", r"COUNT\(\w+\.\w+\)", "COUNT(*)", "COUNT(*) over a LEFT JOIN", "count_star_join"),
    Case("aggregate-04", r"COUNT\((\w+)\)", "COUNT(*)", "COUNT(*) for COUNT(col)", "count_star"),
    Case("aggregate-01", r"COUNT\(\*\)", "COUNT(city)", "COUNT(col) for COUNT(*)", "count_column"),
    Case("aggregate-03", r"COUNT\(\*\)", "COUNT(city)", "COUNT(col) for COUNT(*) per group", "count_column"),
    Case("subqueries-02", r"WHERE (\w+) = \(SELECT MAX\(\1\) FROM \w+\)", r"ORDER BY \1 DESC LIMIT 1",
         "LIMIT 1 through a tie for the maximum", "limit_tie_cut"),
    Case("where-01", r"^SELECT (\w+), (\w+)", r"SELECT \1", "a missing column", "columns_fewer"),
    Case("where-01", r"^SELECT (\w+), (\w+)", r"SELECT \2, \1", "the columns in the wrong order", "column_order"),
    Case("select-03", r"(\w+), (\w+) FROM", r"\2, \1 FROM", "the last two columns swapped", "column_order"),
    Case("aggregate-05", r"MAX\((\w+)\)", r"AVG(\1)", "AVG for MAX", "agg_function"),
    Case("aggregate-02", r"AVG\((\w+)\)", r"SUM(\1)", "SUM for AVG", "agg_function"),
    Case("where-05", r" AND \w+ >= \S+$", "", "a condition left out (no cause sqllab names)", None),
]

SCRIPTED = {  # (a sentence on the cause that is true for any case, one on another cause)
    "en": (" Look at the expected rows again and ask which of yours differ.",
           " Also, your ORDER BY and your JOIN put the rows together the wrong way."),
    "ja": ("期待される行をもう一度見て、どの行が違うか確かめましょう。",
           "また、ORDER BY と JOIN の使い方が正しくないからです。"),
}


UNDIAGNOSED = {"en": " your result differs from the expected rows shown above.",
               "ja": "結果が上の期待される行と違うからです。"}


def lesson(lang: str, work: Path, seed: int) -> tuple[Path, dict[str, Any]]:
    dataset = generate_offline_dataset("shop", lang=lang, seed=seed)
    db = load_dataset(dataset, work / f"shop-{lang}.db")
    return db, {e.id.rsplit("-", 1)[0]: e for e in all_bank_exercises(dataset, lang=lang, seed=seed)}


def scripted_client(lang: str):
    """A loopback server answering like llama.cpp: the cause sentence and another cause by turns."""
    from llm_servers import LLMTestServer, ok

    from sqllab.llm import LLMClient

    turn = [0]

    def reply(body: dict) -> Any:
        started = body["messages"][-1]["content"] if body["messages"][-1]["role"] == "assistant" else ""
        if started.endswith(("This is because", "その理由は、")):      # no diagnosis: the model says why
            return ok(UNDIAGNOSED[lang])
        turn[0] += 1
        return ok(SCRIPTED[lang][turn[0] % 2 == 0])

    server = LLMTestServer(responder=reply, props={"model_path": "/scripted/model.gguf"}).__enter__()
    return server, LLMClient(server.url, "gpt-3.5-turbo", timeout=10.0, max_retries=1)


def run_case(case: Case, lang: str, db: Path, exercises: dict[str, Any], mode: str, level: int,
             client: Any) -> dict[str, Any] | None:
    exercise = exercises.get(case.exercise)
    if exercise is None:
        return None
    wrong = re.sub(case.pattern, case.replacement, exercise.reference_sql, count=1)
    if wrong == exercise.reference_sql:
        return {"exercise": case.exercise, "mistake": case.mistake, "skipped": "the pattern does not apply"}
    verdict = grade(db, exercise.reference_sql, wrong, lang=lang)
    if verdict.correct or verdict.status != "wrong_result":
        return {"exercise": case.exercise, "mistake": case.mistake, "wrong": wrong,
                "skipped": f"graded {verdict.status}, not a wrong result"}
    found = diagnosed_cause(verdict, wrong, exercise.reference_sql)
    outcome: dict[str, Any] = {}
    start = time.perf_counter()
    if mode == "offline":
        text = offline_feedback(verdict, exercise, wrong, lang=lang, level=level)
        outcome = {"model": "none (offline)", "dropped": [], "model_text": ""}
    else:
        text = "".join(feedback(verdict, exercise, wrong, lang=lang, level=level, db=db, client=client,
                                outcome=outcome))
    return {"exercise": exercise.id, "question": exercise.question, "mistake": case.mistake,
            "wrong": wrong, "listed": case.cause, "diagnosed": found.key if found else None,
            "because": found.sentence(lang) if found else "", "model": outcome.get("model"),
            "dropped": outcome.get("dropped", []), "model_text": outcome.get("model_text", ""),
            "feedback": text, "seconds": round(time.perf_counter() - start, 2)}


def show(n: int, lang: str, row: dict[str, Any]) -> None:
    head = f"[{lang} {n:02d}] {row['exercise']}: {row['mistake']}"
    print(head)
    if "skipped" in row:
        print(f"  SKIPPED: {row['skipped']}" + (f"  ({row['wrong']})" if row.get("wrong") else ""))
        print()
        return
    listed, diagnosed = row["listed"], row["diagnosed"]
    verdict = "as listed" if listed == diagnosed else f"LISTED {listed}"
    print(f"  question:  {row['question']}")
    print(f"  wrong:     {row['wrong']}")
    print(f"  diagnosed: {diagnosed or '(none: the model says why)'} ({verdict})")
    model = row["model"]
    reasons = "; ".join(f"{reason}: {text!r}" for text, reason in row["dropped"])
    print(f"  model:     {model}" + (f"  [{reasons}]" if reasons else ""))
    if row["model_text"].strip():
        print(f"  model wrote: {row['model_text'].strip()!r}")
    print("  feedback:")
    for line in row["feedback"].rstrip().splitlines() or [""]:
        print(f"    | {line}")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--langs", nargs="+", default=["en", "ja"], choices=["en", "ja"])
    parser.add_argument("--level", type=int, default=0, help="hint level 0..2 (default 0, a nudge)")
    parser.add_argument("--seed", type=int, default=1, help="the offline shop lesson's seed (default 1)")
    parser.add_argument("--cases", nargs="+", metavar="EXERCISE", help="only the cases of these exercises")
    parser.add_argument("--json", type=Path, help="write every case and the counts here")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--scripted", action="store_true", help="a loopback server with canned replies, no model")
    mode.add_argument("--offline", action="store_true", help="no LLM: the offline lesson's feedback")
    args = parser.parse_args()
    run_mode = "scripted" if args.scripted else "offline" if args.offline else "model"
    cases = [c for c in CASES if not args.cases or c.exercise in args.cases]
    work = Path(tempfile.mkdtemp(prefix="sqllab-bench-causes-db-"))
    print(f"feedback prompt {current_version('feedback')}, mode {run_mode}, level {args.level}, "
          f"{len(cases)} cases per language\n")
    results: dict[str, list[dict[str, Any]]] = {}
    for lang in args.langs:
        db, exercises = lesson(lang, work, args.seed)
        server = client = None
        if run_mode == "scripted":
            server, client = scripted_client(lang)
        try:
            rows = []
            for n, case in enumerate(cases, 1):
                row = run_case(case, lang, db, exercises, run_mode, args.level, client)
                if row is not None:
                    rows.append(row)
                    show(n, lang, row)
                    sys.stdout.flush()
            results[lang] = rows
        finally:
            if server is not None:
                server.__exit__(None, None, None)
    counts = {}
    print("counts (per language):")
    for lang, rows in results.items():
        done = [r for r in rows if "skipped" not in r]
        listed = [r for r in done if r["listed"]]
        tally = collections.Counter(r["model"] for r in done)
        counts[lang] = {"cases": len(done), "skipped": len(rows) - len(done),
                        "with a listed cause": len(listed),
                        "diagnosed as listed": sum(r["diagnosed"] == r["listed"] for r in listed),
                        "diagnosed otherwise": sum(r["diagnosed"] not in (None, r["listed"]) for r in done),
                        "sqllab's sentence on why": sum(bool(r["because"]) for r in done),
                        "no diagnosis (the model says why)": sum(r["diagnosed"] is None for r in done),
                        **{f"model {k}": v for k, v in sorted(tally.items())}}
        print(f"  {lang}: " + ", ".join(f"{k} {v}" for k, v in counts[lang].items()))
    if args.json:
        args.json.write_text(json.dumps({"mode": run_mode, "prompt": current_version("feedback"),
                                         "level": args.level, "counts": counts, "cases": results},
                                        ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
