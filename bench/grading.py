"""Grading speed with hidden variants vs a plain one-database compare, and runaway queries vs their timeout.

    .venv/bin/python bench/grading.py [--repeat 5] [--json]

1. Every (reference, answer) of the labeled corpus (``tests/data/grading_cases.yaml`` and
   ``grading_corpus.yaml``, five lesson-sized schemas) graded by ``grade()`` with its variants
   (built once per reference, as for a class) and by a plain compare on the visible database
   only: p50/p95 per grade and the ratio (target: p95 of grade() under 50 ms). The one-off
   variant build time per exercise (reference) is printed too.
2. Coverage by mutation: per class of mutant (Taipalus et al. 2018 classes, ``sqllab.grading.mutants``),
   the share of the mutants that the visible data does not tell apart which the hidden
   databases do (equivalent mutants cannot be told apart, so 100% is not always reachable).
   Catch rates of the labeled traps per class are printed beside it.
3. The second pass (databases built from the answer and the reference together, run only for an
   answer every other database accepts): how many labeled traps and surviving mutants (those no
   hidden database tells apart) it rejects, false rejections of correct answers (must be 0), and
   its extra time on the first Check of an answer shape (building included; a repeated Check takes
   its databases from the cache, and the grade() figures of 1. are repeated Checks).
4. Runaway queries (an endless recursive CTE, a huge cross join) under several timeouts:
   how long ``run_query`` really ran against its timeout (target: ratio ≤ 1.1).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data"

RUNAWAY = {
    "recursive CTE": "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
    "cross join": "SELECT count(*) FROM employees a, employees b, employees c, employees d, employees e, "
                  "employees f, employees g, employees h, employees i, employees j, employees k",
}


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


SCHEMAS = ("hr", "shop_ja", "school", "events", "library_ja", "clinic_ja", "inventory")


def _lessons(work: Path) -> dict[str, Path]:
    out = {}
    for name in SCHEMAS:
        path = work / f"{name}.db"
        conn = sqlite3.connect(path)
        conn.executescript((DATA / f"{name}.sql").read_text(encoding="utf-8"))
        conn.commit()
        conn.close()
        out[name] = path
    return out


def _cases() -> list[dict]:
    import yaml

    return (yaml.safe_load((DATA / "grading_cases.yaml").read_text(encoding="utf-8"))
            + yaml.safe_load((DATA / "grading_corpus.yaml").read_text(encoding="utf-8")))


def grading_times(dbs: dict[str, Path], repeat: int) -> dict:
    from sqllab.grading import Grader
    from sqllab.grading.mutants import CLASSES

    cases = _cases()
    with_variants: list[float] = []
    plain: list[float] = []
    builds: list[float] = []
    variants: list[int] = []
    mutants = {c: [0, 0] for c in CLASSES}          # class -> [told apart, not told apart by the visible data]
    traps: dict[str, list[int]] = {}
    false_rejections = 0
    second = {"traps_left": 0, "traps_caught": 0, "traps_first_pass": 0, "mutants_left": 0, "mutants_caught": 0,
              "false_rejections": 0, "databases": []}
    second_ms: list[float] = []

    def first_check(grader, sql: str):
        """The first Check of an answer: the verdict without and with the second pass, and its extra time."""
        t0 = time.perf_counter()
        first = grader.grade(sql, answer_variants=False)
        t1 = time.perf_counter()
        verdict = grader.grade(sql)
        t2 = time.perf_counter()
        if first.correct:                               # the second pass ran (built and ran its databases)
            second_ms.append(1000 * max(0.0, (t2 - t1) - (t1 - t0)))
            second["databases"].append(verdict.strength.answer_databases if verdict.strength else 0)
        return first, verdict
    for case in cases:
        start = time.perf_counter()
        full = Grader(dbs[case["schema"]], case["reference"])
        builds.append(time.perf_counter() - start)
        variants.append(len(full.cases) - 1)
        killed = set(full.mutants_killed)
        for i, m in enumerate(full.live_mutants):
            mutants[m.cls][1] += 1
            mutants[m.cls][0] += i in killed
        one = Grader(dbs[case["schema"]], case["reference"], max_variants=0)
        for i, m in enumerate(full.live_mutants):
            if i in killed:
                continue
            first, verdict = first_check(full, m.sql)
            if first.correct:
                second["mutants_left"] += 1
                second["mutants_caught"] += not verdict.correct
        for answer in case["answers"]:
            first, verdict = first_check(full, answer["sql"])
            if answer["correct"]:
                second["false_rejections"] += not verdict.correct
            else:
                second["traps_first_pass"] += not first.correct
                if first.correct:
                    second["traps_left"] += 1
                    second["traps_caught"] += not verdict.correct
            for k in range(repeat):
                t0 = time.perf_counter()
                verdict = full.grade(answer["sql"])
                t1 = time.perf_counter()
                one.grade(answer["sql"])
                t2 = time.perf_counter()
                with_variants.append(t1 - t0)
                plain.append(t2 - t1)
                if k == 0 and answer["correct"]:
                    false_rejections += not verdict.correct
                elif k == 0:
                    hit = traps.setdefault(answer.get("class", "legacy"), [0, 0])
                    hit[0] += not verdict.correct
                    hit[1] += 1
        full.close()
        one.close()
    return {
        "references": len(cases), "grades": len(plain),
        "variants_mean": statistics.mean(variants),
        "with_variants_ms": {"p50": 1000 * _pct(with_variants, .5), "p95": 1000 * _pct(with_variants, .95)},
        "plain_ms": {"p50": 1000 * _pct(plain, .5), "p95": 1000 * _pct(plain, .95)},
        "build_ms": {"p50": 1000 * _pct(builds, .5), "p95": 1000 * _pct(builds, .95), "max": 1000 * max(builds)},
        "mutants": {c: {"told_apart": k, "live": n} for c, (k, n) in mutants.items()},
        "traps": {c: {"caught": k, "total": n} for c, (k, n) in sorted(traps.items())},
        "false_rejections": false_rejections,
        "second_pass": {
            "traps": {"caught_by_first_pass": second["traps_first_pass"], "left_for_second": second["traps_left"],
                      "caught_by_second": second["traps_caught"]},
            "surviving_mutants": {"left_for_second": second["mutants_left"], "caught_by_second": second["mutants_caught"]},
            "false_rejections": second["false_rejections"],
            "extra_ms": {"p50": _pct(second_ms, .5), "p95": _pct(second_ms, .95), "max": max(second_ms)}
            if second_ms else {"p50": 0.0, "p95": 0.0, "max": 0.0},
            "runs": len(second_ms),
            "databases_mean": statistics.mean(second["databases"]) if second["databases"] else 0.0,
        },
    }


def runaway_times(db: Path, timeouts: list[float]) -> list[dict]:
    from sqllab.errors import QueryTimeoutError
    from sqllab.sandbox import run_query

    rows = []
    for name, sql in RUNAWAY.items():
        for timeout in timeouts:
            start = time.perf_counter()
            try:
                run_query(db, sql, timeout_s=timeout)
                outcome = "finished"
            except QueryTimeoutError:
                outcome = "stopped"
            elapsed = time.perf_counter() - start
            rows.append({"query": name, "timeout_s": timeout, "elapsed_s": elapsed,
                         "ratio": elapsed / timeout, "outcome": outcome})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="grades per answer (default 5)")
    ap.add_argument("--timeouts", type=float, nargs="+", default=[0.25, 0.5, 1.0, 2.0])
    ap.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dbs = _lessons(Path(tmp))
        grading = grading_times(dbs, args.repeat)
        runaway = runaway_times(dbs["hr"], args.timeouts)
    if args.json:
        print(json.dumps({"grading": grading, "runaway": runaway}, indent=2))
        return 0
    w, p, b = grading["with_variants_ms"], grading["plain_ms"], grading["build_ms"]
    print(f"grading: {grading['grades']} grades of {grading['references']} references "
          f"(mean {grading['variants_mean']:.1f} hidden variants each)")
    print(f"{'':24}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'grade() with variants':24}{w['p50']:>10.2f}{w['p95']:>10.2f}   target p95 < 50 ms: "
          f"{'ok' if w['p95'] < 50 else 'MISSED'}")
    print(f"{'plain one-DB compare':24}{p['p50']:>10.2f}{p['p95']:>10.2f}")
    print(f"{'ratio':24}{w['p50'] / p['p50']:>10.1f}{w['p95'] / p['p95']:>10.1f}")
    print(f"{'variant build (once)':24}{b['p50']:>10.1f}{b['p95']:>10.1f}   max {b['max']:.0f} ms per exercise")
    print()
    print(f"{'mutant class':16}{'told apart':>12}{'share':>8}   (mutants the visible data does not tell apart)")
    for cls, row in grading["mutants"].items():
        share = f"{row['told_apart'] / row['live']:.0%}" if row["live"] else "-"
        print(f"{cls:16}{row['told_apart']:>6}/{row['live']:<5}{share:>8}")
    print()
    print(f"{'labeled traps':16}{'caught':>12}{'share':>8}   false rejections of correct answers: "
          f"{grading['false_rejections']}")
    for cls, row in grading["traps"].items():
        print(f"{cls:16}{row['caught']:>6}/{row['total']:<5}{row['caught'] / row['total']:>8.0%}")
    print()
    sp = grading["second_pass"]
    tr, mu, ex = sp["traps"], sp["surviving_mutants"], sp["extra_ms"]
    print("second pass: databases built from the answer and the reference (only for answers every other "
          "database accepts)")
    print(f"  labeled traps caught by it: {tr['caught_by_second']}/{tr['left_for_second']} left by the first pass "
          f"(which caught {tr['caught_by_first_pass']})")
    print(f"  surviving mutants rejected by it: {mu['caught_by_second']}/{mu['left_for_second']} "
          "(mutants no hidden database tells apart; most are equivalent)")
    print(f"  false rejections of correct answers: {sp['false_rejections']}")
    print(f"  extra time on the first Check of an answer shape: p50 {ex['p50']:.1f} ms, p95 {ex['p95']:.1f} ms, "
          f"max {ex['max']:.0f} ms over {sp['runs']} runs ({sp['databases_mean']:.1f} databases each); "
          "a repeated Check takes them from the cache")
    print()
    print(f"{'runaway query':16}{'timeout s':>10}{'ran s':>10}{'ratio':>8}  outcome   (target ratio <= 1.1)")
    for row in runaway:
        print(f"{row['query']:16}{row['timeout_s']:>10.2f}{row['elapsed_s']:>10.3f}{row['ratio']:>8.3f}  "
              f"{row['outcome']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
