"""Generation with a real model: how often its output passes verification, per task and language.

    .venv/bin/python bench/generation.py [--samples 6] [--json out.json]

Uses the configured LLM (the embedded SmolLM2 by default). Every task is forced on the model
(``SQLLAB_MODEL_PROFILE=all``) so its pass rate can be measured; the figures belong in
``models/capabilities.toml``, which decides what the model is given in lessons. Prints, side
by side: pass rate at the first answer and after repair rounds, the share the bank served,
end-to-end latency of a verified generation vs the raw server call for the same prompt, cache
hit latency, and time to the first feedback chunk vs the whole feedback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqllab.llm.embedded import find_model  # noqa: E402  (before the cache dir moves)

_model = find_model()
if _model is not None:
    os.environ.setdefault("SQLLAB_EMBEDDED_MODEL", str(_model))
os.environ["SQLLAB_MODEL_PROFILE"] = "all"
os.environ["SQLLAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="sqllab-bench-gen-")   # no cache hits from earlier runs
from sqllab.settings import reload as _reload_settings  # noqa: E402

_reload_settings()

import httpx  # noqa: E402

from sqllab import generation as gen  # noqa: E402
from sqllab.capabilities import profile_name_for  # noqa: E402
from sqllab.dataset import Dataset  # noqa: E402
from sqllab.db import load_dataset  # noqa: E402
from sqllab.errors import LLMError, SQLLabError  # noqa: E402
from sqllab.exercises import bank_exercises  # noqa: E402
from sqllab.grading import grade  # noqa: E402
from sqllab.llm import LLMClient, default_client, run_sync  # noqa: E402
from sqllab.offline import THEMES, generate_offline_dataset, theme_labels  # noqa: E402
from sqllab.prompts import get_template  # noqa: E402


def pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


async def table_generation(client: LLMClient, lang: str, seed: int) -> bool:
    variables = {"theme": theme_labels("library", lang).title, "n_tables": 3, "n_rows": 6, "difficulty": "easy"}
    try:
        data = await gen._ask_json(client, "table_generation", lang, variables, Dataset.llm_json_schema(),
                                   seed=seed, temperature=0.3, max_tokens=3000)
        dataset = Dataset.parse_llm_json(data, theme="library", lang=lang)
        return not gen.dataset_problems(dataset)
    except SQLLabError:
        return False


async def dataset_text(client: LLMClient, lang: str, seed: int) -> bool:
    spec = THEMES["shop"]
    category = spec.categories[lang][seed % len(spec.categories[lang])]
    variables = {"theme": theme_labels("shop", lang).title, "table": theme_labels("shop", lang).table_labels["items"],
                 "category": category, "n": 3, "examples": ", ".join(spec.item_names[lang][0][:2])}
    try:
        data = await gen._ask_json(client, "dataset_text", lang, variables, gen._names_schema(3), seed=seed,
                                   temperature=0.7, max_tokens=300)
        names = [str(x).strip() for x in data.get("names", [])]
        request = get_template("dataset_text", lang).format(**variables)
        return not gen.names_problems(names, 3, lang, {c.casefold() for c in spec.categories[lang]}, request)
    except SQLLabError:
        return False


async def problem_generation(client: LLMClient, lang: str, seed: int, db: Path) -> bool:
    variables = {"schema": gen._schema_text(db), "topic": gen.TOPIC_WORDS["where"], "n": 1,
                 "difficulty": "beginner"}
    try:
        batch = await gen._ask_json(client, "problem_generation", lang, variables, gen.ProposedExercises,
                                    seed=seed, temperature=0.3, max_tokens=1200)
    except SQLLabError:
        return False
    exercise = gen._exercise(batch.exercises[0], "where", lang, "easy")
    return not await asyncio.to_thread(gen.check_exercise, db, exercise, "where")


def feedback_case(client: LLMClient, lang: str, seed: int, dataset: Dataset, db: Path) -> tuple[bool, float, float]:
    """(passes, seconds to first chunk, seconds in all) for one wrong answer."""
    from sqllab.feedback import feedback, reveals_solution

    exercise = bank_exercises(dataset, "where", n=1, lang=lang, seed=seed)[0]
    wrong = exercise.reference_sql.replace(">=", ">") if ">=" in exercise.reference_sql else \
        exercise.reference_sql + " LIMIT 1"
    verdict = grade(db, exercise.reference_sql, wrong, lang=lang)
    start = time.perf_counter()
    first = None
    chunks = []
    for chunk in feedback(verdict, exercise, wrong, lang=lang, level=0, db=db, client=client):
        if first is None:
            first = time.perf_counter() - start
        chunks.append(chunk)
    total = time.perf_counter() - start
    text = "".join(chunks)
    return feedback_passes(text, exercise, verdict, db, lang), first or total, total


def feedback_passes(text: str, exercise, verdict, db: Path, lang: str) -> bool:
    """Useful LLM feedback: shown (not the fallback hint), safe, in the language, grounded in the
    exercise or the diff (names a column/table or a count), and no code of its own."""
    import re

    import sqlglot
    from sqlglot import exp

    from sqllab.feedback import reveals_solution

    if not text.strip() or any(h in text for h in exercise.hints) or "```" in text:
        return False
    if reveals_solution(text, exercise, db) or gen.language_problem(text, lang) is not None:
        return False
    tree = sqlglot.parse_one(exercise.reference_sql, read="sqlite")
    names = {c.name for c in tree.find_all(exp.Column)} | {t.name for t in tree.find_all(exp.Table)}
    diff = verdict.diff
    counts = {str(v) for v in (diff.expected_rows, diff.got_rows, diff.missing_rows, diff.extra_rows)} if diff else set()
    words = set(re.findall(r"\w+", text))
    return bool(names & words or counts & words)


def overhead(client: LLMClient, rounds: int) -> tuple[float, float, float]:
    """(sqllab complete_json p50, raw HTTP p50, cache-hit p50) for the same dataset_text prompt."""
    tpl = get_template("dataset_text", "en")
    prompt = tpl.format(theme="Online shop", table="products", category="Home", n=3, examples="Desk Lamp, Umbrella")
    schema = gen._names_schema(3)
    body = {"model": client.model, "messages": [{"role": "system", "content": tpl.system_prompt},
                                                {"role": "user", "content": prompt}],
            "temperature": 0.0, "max_tokens": 120, "seed": 1,
            "response_format": {"type": "json_schema", "json_schema": {"name": "names", "schema": schema,
                                                                        "strict": True}}}
    ours, raw, hits = [], [], []
    with httpx.Client(timeout=120) as http:
        http.post(f"{client.base_url}/chat/completions", json=body)   # warm-up
        for _ in range(rounds):
            t = time.perf_counter()
            http.post(f"{client.base_url}/chat/completions", json=body).raise_for_status()
            raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            client.sync.complete_json(prompt, schema, system_prompt=tpl.system_prompt, temperature=0.0,
                                      max_tokens=120, seed=1, use_cache=False)
            ours.append(time.perf_counter() - t)
    client.sync.complete_json(prompt, schema, system_prompt=tpl.system_prompt, temperature=0.0, max_tokens=120,
                              seed=1)
    for _ in range(rounds * 10):
        t = time.perf_counter()
        client.sync.complete_json(prompt, schema, system_prompt=tpl.system_prompt, temperature=0.0,
                                  max_tokens=120, seed=1)
        hits.append(time.perf_counter() - t)
    return statistics.median(ours), statistics.median(raw), statistics.median(hits)


def end_to_end(client: LLMClient, lang: str, seeds: range) -> dict:
    """generate_dataset + generate_exercises as a lesson calls them: who served what, how long."""
    served = {"dataset_llm": 0, "exercises_llm": 0, "exercises_bank": 0}
    times = []
    os.environ["SQLLAB_MODEL_PROFILE"] = ""      # the model's real profile decides, as in a lesson
    try:
        for seed in seeds:
            t = time.perf_counter()
            dataset = gen.generate_dataset("shop", lang=lang, seed=seed, client=client)
            exercises = gen.generate_exercises(dataset, "where", n=2, lang=lang, seed=seed, client=client)
            times.append(time.perf_counter() - t)
            served["dataset_llm"] += dataset.source == "llm"
            for e in exercises:
                served["exercises_llm" if e.source == "llm" else "exercises_bank"] += 1
    finally:
        os.environ["SQLLAB_MODEL_PROFILE"] = "all"
    served["p50_s"] = statistics.median(times)
    return served


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=6, help="answers per task and language")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--tasks", nargs="+", default=["table_generation", "dataset_text", "problem_generation",
                                                       "feedback"], help="tasks to measure")
    parser.add_argument("--no-lesson", action="store_true", help="skip the lesson-path and overhead runs")
    args = parser.parse_args()
    try:
        client = default_client(timeout=120)
    except LLMError as exc:
        print(f"no LLM: {exc}")
        return 1
    os.environ["SQLLAB_MODEL_PROFILE"] = ""
    model = profile_name_for(client)
    os.environ["SQLLAB_MODEL_PROFILE"] = "all"
    print(f"model profile: {model}   server: {client.base_url}   samples per cell: {args.samples}\n")
    figures: dict = {"model": model, "samples": args.samples, "tasks": {}}
    tmp = Path(tempfile.mkdtemp(prefix="sqllab-bench-db-"))
    seeds = range(args.samples)
    print(f"{'task':<20}{'lang':<6}{'pass (1st answer)':>19}{'mean s':>9}")
    for lang in ("en", "ja"):
        dataset = generate_offline_dataset("shop", lang=lang, seed=1)
        db = load_dataset(dataset, tmp / f"shop-{lang}.db")
        for task in args.tasks:
            ok, secs, first, total = 0, [], [], []
            for seed in seeds:
                t = time.perf_counter()
                if task == "table_generation":
                    passed = run_sync(table_generation(client, lang, seed))
                elif task == "dataset_text":
                    passed = run_sync(dataset_text(client, lang, seed))
                elif task == "problem_generation":
                    passed = run_sync(problem_generation(client, lang, seed, db))
                else:
                    passed, f, a = feedback_case(client, lang, seed, dataset, db)
                    first.append(f)
                    total.append(a)
                secs.append(time.perf_counter() - t)
                ok += passed
            rate = ok / len(seeds)
            figures["tasks"][f"{task}.{lang}"] = {"pass_rate": rate, "mean_s": statistics.mean(secs)}
            if first:
                figures["tasks"][f"{task}.{lang}"].update(first_chunk_s=statistics.median(first),
                                                          total_s=statistics.median(total))
            print(f"{task:<20}{lang:<6}{pct(rate):>19}{statistics.mean(secs):>9.2f}")

    if args.no_lesson:
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        return 0
    print("\nlesson path (the model's real profile, repair rounds and bank fallback included):")
    print(f"{'lang':<6}{'dataset by LLM':>16}{'exercises by LLM':>18}{'by bank':>9}{'p50 s':>8}")
    for lang in ("en", "ja"):
        served = end_to_end(client, lang, range(min(3, args.samples)))
        figures[f"lesson.{lang}"] = served
        n = min(3, args.samples)
        total_ex = served["exercises_llm"] + served["exercises_bank"]
        print(f"{lang:<6}{served['dataset_llm']:>13}/{n:<2}{served['exercises_llm']:>15}/{total_ex:<2}"
              f"{served['exercises_bank'] / total_ex:>9.0%}{served['p50_s']:>8.2f}")

    ours, raw, hit = overhead(client, rounds=max(3, args.samples))
    figures["overhead"] = {"sqllab_p50_s": ours, "raw_p50_s": raw, "ratio": ours / raw, "cache_hit_p50_s": hit}
    print("\nsame prompt, same body:            sqllab complete_json   raw HTTP    ratio (target <= 1.1)")
    print(f"                                   {ours * 1000:>14.1f} ms {raw * 1000:>9.1f} ms {ours / raw:>8.3f}")
    print(f"cache hit: {hit * 1e6:.0f} us  ({hit / ours:.5f} of a miss)")
    fb = {k: v for k, v in figures["tasks"].items() if k.startswith("feedback")}
    for key, v in fb.items():
        print(f"{key}: first chunk {v['first_chunk_s']:.2f} s vs whole feedback {v['total_s']:.2f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
