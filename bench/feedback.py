"""Benchmark of LLM feedback (``sqllab.grading.feedback``), printed side by side in one run.

1. ``feedback()`` (prompt building, sentence release, the guard grading SQL snippets) vs a raw
   ``client.sync.stream`` of the same prompt, both reading the same canned reply from the loopback
   test server (tests/llm_servers.py). Target: ratio <= 1.1 for prose; a reply with SQL in it
   costs a grading run per snippet (shown separately).
2. ``reveals_solution`` on one paragraph: text only vs with the lesson database (grader warm).
3. Against the embedded model (when present): time to the first released chunk vs the whole
   feedback, per hint level.

Run: ``.venv/bin/python bench/feedback.py [--quick]``. Rounds alternate between the contenders
and the median is reported.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from llm_servers import LLMTestServer, ok  # noqa: E402

from sqllab.grading.feedback import build_prompt, feedback, reveals_solution  # noqa: E402
from sqllab.llm import LLMClient  # noqa: E402

PROSE = ("Compare the expected rows with yours. One of them has no stock recorded! What does a comparison "
         "with NULL return? Look at the WHERE clause again and think about rows whose value is missing. "
         "A condition that is neither true nor false drops the row. ") * 3


def lesson(directory: Path):  # the same lesson the tests use
    from test_feedback import Lesson

    return Lesson("en", directory)


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def side_by_side(a: Callable[[], object], b: Callable[[], object], rounds: int) -> tuple[float, float]:
    ta, tb = [], []
    for _ in range(rounds):
        for fn, bucket in ((a, ta), (b, tb)):
            start = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - start)
    return statistics.median(ta) * 1000, statistics.median(tb) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 7 if args.quick else 25
    les = lesson(Path(tempfile.mkdtemp()))
    template, prompt = build_prompt(les.verdict, les.exercise, les.wrong, lang="en", level=1)

    print("1. feedback() vs raw stream of the same prompt (loopback server, canned reply, cache off)")
    for label, reply in (("prose", PROSE), ("prose + SQL block", PROSE + f"\n```sql\n{les.wrong}\n```\n")):
        with LLMTestServer(default=ok(reply), chunk_size=8) as server:
            client = LLMClient(server.url, "gpt-3.5-turbo")

            def raw() -> object:
                return "".join(client.sync.stream(prompt, system_prompt=template.system_prompt, max_tokens=200))

            def guarded() -> object:
                return "".join(feedback(les.verdict, les.exercise, les.wrong, lang="en", level=1, db=les.db,
                                        client=client))

            guarded()  # warm: grader variants built once per (db, reference)
            t_raw, t_fb = side_by_side(raw, guarded, rounds)
            print(f"   {label:18s} raw {t_raw:7.1f} ms | feedback {t_fb:7.1f} ms | ratio {t_fb / t_raw:.2f}")

    print("2. reveals_solution on one paragraph with the student's query in it")
    text = PROSE + f"\nYour query {les.wrong} misses a row."
    t_text = median_ms(lambda: reveals_solution(text, les.exercise, student_sql=les.wrong), rounds)
    t_db = median_ms(lambda: reveals_solution(text, les.exercise, les.db, student_sql=les.wrong), rounds)
    print(f"   text only {t_text:.2f} ms | with db (snippets graded) {t_db:.2f} ms | ratio {t_db / t_text:.1f}")

    print("3. embedded model (every job forced on it): first released chunk vs whole feedback")
    from sqllab.llm import embedded

    if embedded.find_model() is None:
        print("   skipped: the embedded model is not on this machine (sqllab llm pull)")
        return
    import os

    os.environ["SQLLAB_MODEL_PROFILE"] = "all"   # measure the model, whatever its profile allows
    url = embedded.ensure_running()
    try:
        client = LLMClient(url, "gpt-3.5-turbo")
        for level in ((1,) if args.quick else (0, 1, 2)):
            start = time.perf_counter()
            first = None
            chunks = 0
            for _ in feedback(les.verdict, les.exercise, les.wrong, lang="en", level=level, db=les.db,
                              client=client):
                first = first or time.perf_counter() - start
                chunks += 1
            total = time.perf_counter() - start
            print(f"   level {level}: first chunk {first:.2f} s | whole {total:.2f} s | {chunks} chunks")
    finally:
        embedded.stop()


if __name__ == "__main__":
    main()
