"""Offline content speed: dataset generation, load into SQLite, describe, bank exercises.

    .venv/bin/python bench/offline_content.py [--repeat 5]

Per difficulty (all themes, both languages): p50 of each step in ms, side by side, and the ratio
of load_dataset (SQLAlchemy Core, constraints, atomic replace) to a bare sqlite3 executemany of
the same rows, so the cost of the safer path is visible.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqllab.db import describe, load_dataset  # noqa: E402
from sqllab.content.exercises import all_bank_exercises  # noqa: E402
from sqllab.content.offline import DIFFICULTIES, THEMES, generate_offline_dataset  # noqa: E402


def bare_load(ds, path: Path) -> None:
    conn = sqlite3.connect(path)
    for t in ds.tables:
        cols = ", ".join(f'"{c.name}"' for c in t.columns)
        conn.execute(f'CREATE TABLE "{t.name}" ({cols})')
        conn.executemany(f'INSERT INTO "{t.name}" VALUES ({", ".join("?" * len(t.columns))})', t.rows)
    conn.commit()
    conn.close()


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sqllab-bench-"))
    print(f"{'difficulty':<10} {'generate':>9} {'load':>8} {'bare':>8} {'load/bare':>9} {'describe':>9} "
          f"{'bank(73)':>9}   (p50 ms over {len(THEMES)} themes × 2 langs × {args.repeat})")
    for diff in DIFFICULTIES:
        gen, load, bare, desc, bank = [], [], [], [], []
        for r in range(args.repeat):
            for theme in THEMES:
                for lang in ("en", "ja"):
                    holder = {}
                    gen.append(timed(lambda: holder.setdefault(
                        "ds", generate_offline_dataset(theme, lang=lang, seed=r, difficulty=diff))))
                    ds = holder["ds"]
                    db = work / f"{theme}-{lang}-{diff}-{r}.db"
                    load.append(timed(lambda: load_dataset(ds, db)))
                    raw = work / f"bare-{theme}-{lang}-{diff}-{r}.db"
                    bare.append(timed(lambda: bare_load(ds, raw)))
                    desc.append(timed(lambda: describe(db)))
                    bank.append(timed(lambda: all_bank_exercises(ds, seed=r)))
        med = statistics.median
        print(f"{diff:<10} {med(gen):>9.1f} {med(load):>8.1f} {med(bare):>8.1f} {med(load) / med(bare):>9.2f} "
              f"{med(desc):>9.1f} {med(bank):>9.1f}")


if __name__ == "__main__":
    main()
