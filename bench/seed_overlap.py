"""How much two seeds' LLM exercises have in common, per lesson: the share of query shapes
(``query_shape``: a query up to its selected columns, constants and comparison) that both runs
wrote, over the smaller run's shapes (target <= 1/3).

    .venv/bin/python bench/seed_overlap.py RUN_A.json RUN_B.json

The files are ``bench/course_run.py --json`` outputs, one per seed (same language), so the two
seeds can be run at different times (a course run takes half an hour per seed). Shapes are taken
again from the stored reference queries, so both files are read with today's ``query_shape``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sqllab.content.generation import query_shape


def shapes(path: Path) -> dict[tuple[str, str, int], set[str]]:
    out: dict[tuple[str, str, int], set[str]] = {}
    for row in json.loads(path.read_text(encoding="utf-8")):
        out[(row["lesson"], row["lang"], row["seed"])] = {
            query_shape(e["sql"]) for e in row["exercises"] if e["source"] == "llm"}
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    a, b = shapes(Path(argv[0])), shapes(Path(argv[1]))
    print(f"{'lesson':<15}{'lang':<5}{'seeds':>10}{'A':>4}{'B':>4}{'both':>6}{'share':>8}")
    total_both = total_min = 0
    for (lesson, lang, seed_a), sa in sorted(a.items()):
        match = [(seed_b, sb) for (les, lg, seed_b), sb in b.items() if les == lesson and lg == lang and seed_b != seed_a]
        if not match or lesson < "02":
            continue
        seed_b, sb = match[0]
        both, smaller = len(sa & sb), min(len(sa), len(sb))
        total_both, total_min = total_both + both, total_min + smaller
        share = f"{both / smaller:.0%}" if smaller else "-"
        print(f"{lesson:<15}{lang:<5}{f'{seed_a}/{seed_b}':>10}{len(sa):>4}{len(sb):>4}{both:>6}{share:>8}")
    if total_min:
        print(f"\nall lessons: {total_both} of {total_min} shapes in common ({total_both / total_min:.0%}, target <= 33%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
