"""Hostile single calls vs the sandbox's time limit: how long ``run_query`` really ran.

    .venv/bin/python bench/sandbox_limits.py [--timeout 2] [--json]

Each input does its work inside one SQLite call, where the progress handler cannot stop it; the
sandbox's SQLite limits (``sandbox.LIMITS``) and its printf check must refuse it instead. Each row
shows the seconds ``run_query`` took, the ratio to the timeout (target: <= 1.1) and the outcome
(the error class, or "finished"). ``--unguarded`` runs the same inputs on a plain read-only
connection with only the old sandbox's 1 MB value cap, for comparison (SQLite 3.40 spends seconds in the printf one).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOSTILE = {
    "printf precision": "SELECT printf('%.*c', 900000000, 'x')",
    "printf width": "SELECT printf('%900000000c', 'x')",
    "format precision": "SELECT format('%!.*c', 900000000, 'x')",
    "huge blob": "SELECT zeroblob(900000000)",
    "replace growth": "SELECT replace(hex(zeroblob(400000)), '0', '00000')",
    "function args": "SELECT char(" + ", ".join(["65"] * 120) + ")",
    "LIKE pattern": "SELECT printf('%.*c', 20000, 'a') LIKE replace(printf('%.*c', 20000, 'x'), 'x', '%a') || 'b'",
    "expression depth": "SELECT " + " + ".join(["1"] * 900),
    "compound select": " UNION ALL ".join(["SELECT 1"] * 400),
    "recursive CTE": "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
}


def run(db: Path, timeout: float, unguarded: bool) -> list[dict]:
    from sqllab.errors import SQLLabError
    from sqllab.sandbox import run_query

    rows = []
    for name, sql in HOSTILE.items():
        if unguarded and name == "recursive CTE":      # never ends without the progress handler
            continue
        start = time.perf_counter()
        try:
            if unguarded:
                conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1_000_000)   # the old sandbox's only cap
                conn.execute(sql).fetchall()
                conn.close()
            else:
                run_query(db, sql, timeout_s=timeout)
            outcome = "finished"
        except (SQLLabError, sqlite3.Error) as exc:
            outcome = f"{type(exc).__name__}: {str(exc)[:60]}"
        elapsed = time.perf_counter() - start
        rows.append({"input": name, "elapsed_s": elapsed, "ratio": elapsed / timeout, "outcome": outcome})
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--unguarded", action="store_true", help="also run the inputs without the sandbox")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "lesson.db"
        sqlite3.connect(db).execute("CREATE TABLE t (a)").connection.commit()
        result = {"sqlite": sqlite3.sqlite_version, "timeout_s": args.timeout,
                  "sandbox": run(db, args.timeout, False)}
        if args.unguarded:
            result["unguarded"] = run(db, args.timeout, True)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"SQLite {result['sqlite']}, timeout {args.timeout:g} s (target ratio <= 1.1)")
    for label in ("sandbox", "unguarded"):
        if label not in result:
            continue
        print(f"\n{label:18}{'ran s':>9}{'ratio':>8}  outcome")
        for row in result[label]:
            print(f"{row['input']:18}{row['elapsed_s']:>9.3f}{row['ratio']:>8.3f}  {row['outcome']}")
    worst = max(r["ratio"] for r in result["sandbox"])
    print(f"\nworst sandbox ratio: {worst:.3f} ({'ok' if worst <= 1.1 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
