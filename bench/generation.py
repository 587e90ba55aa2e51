"""Generation with a real model: how often its output passes verification, per task and language.

    .venv/bin/python bench/generation.py [--samples 6] [--json out.json]
        [--tasks problem_generation feedback] [--langs ja]
        [--versions problem_generation=v2,v3 feedback=v2,v3] [--max-tokens table_generation=1800]

Uses the configured LLM (the embedded model by default, ``SQLLAB_EMBEDDED_MODEL`` picks the GGUF).
Every task is forced on the model (``SQLLAB_MODEL_PROFILE=all``) so its pass rate can be
measured; the figures belong in ``models/capabilities.toml``, which decides what the model is
given in lessons. ``--versions`` runs the listed prompt versions of a task side by side (same
seeds, interleaved, through ``SQLLAB_PROMPT_VERSIONS``), so a candidate can be compared with the
registry's ``current`` before ``current`` moves.

Per cell (task x language x prompt version): the pass rate of the first answer, for
problem_generation also after repair rounds, mean seconds, answer tokens (mean / max, and how
many answers hit ``max_tokens``), and the reasons answers failed. Then, unless ``--no-lesson``:
the lesson path (real profile, repair, bank), tokens/s through sqllab vs a raw httpx call to the
same server for the same prompt, cache-hit latency, and feedback's first sentence vs the whole.

What passes:
- table_generation: ``Dataset`` validates, ``generation.dataset_problems`` is empty, the data loads,
  and the lesson fitness rules below hold (``fitness_problems``).
- dataset_text: ``generation.names_problems`` is empty.
- problem_generation: the lesson's exercise writer (queries first, then a question per verified
  query) gives one exercise on a topic of lessons 02-07 (rotating with the seed), its
  ``generation.check_exercise`` is empty and every constant of the reference (text, number, date)
  is stated in the question (``missing_constants``). "First answers" = nothing was sent back.
- feedback: ``feedback_problems`` is empty: shown (not the fallback), second person, 2-4
  sentences, no SQL or code, no echoed diff tables, grounded (names a column, table, value or
  count of this exercise), in the language, and not revealing (sqllab.grading.feedback's guard). From
  feedback v8 on, sqllab writes the first sentence and the model must add at least one of its own;
  the "first sentence" time is the model's (sqllab's shows at once). The check is mechanical: read
  the texts (``--texts``) to judge whether the model's sentence names the real cause.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import logging
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path
from typing import Any

from sqllab.llm.embedded import find_model  # noqa: E402  (before the cache dir moves)

_model = find_model()
if _model is not None:
    os.environ.setdefault("SQLLAB_EMBEDDED_MODEL", str(_model))
os.environ["SQLLAB_MODEL_PROFILE"] = "all"
os.environ["SQLLAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="sqllab-bench-gen-")   # no cache hits from earlier runs
from sqllab.settings import reload as _reload_settings  # noqa: E402

_reload_settings()

import httpx  # noqa: E402
import sqlglot  # noqa: E402
from sqlglot import exp  # noqa: E402

from sqllab.content import generation as gen  # noqa: E402
from sqllab.llm import prompts  # noqa: E402
from sqllab.llm.capabilities import profile_name_for  # noqa: E402
from sqllab.dataset import ColumnType, Dataset  # noqa: E402
from sqllab.db import load_dataset  # noqa: E402
from sqllab.errors import LLMError, SQLLabError  # noqa: E402
from sqllab.content.exercises import bank_exercises  # noqa: E402
from sqllab.grading import grade  # noqa: E402
from sqllab.llm import LLMClient, default_client, run_sync  # noqa: E402
from sqllab.grading import feedback as feedback_module  # noqa: E402
from sqllab.grading.feedback import writes_sql  # noqa: E402
from sqllab.content.offline import THEMES, generate_offline_dataset, theme_labels  # noqa: E402
from sqllab.llm.prompts import get_template  # noqa: E402

TASKS = ["table_generation", "dataset_text", "problem_generation", "feedback"]
# max_tokens per task in this bench (what generation.py / feedback.py use unless --max-tokens)
MAX_TOKENS = {"table_generation": 3000, "dataset_text": 300, "problem_generation": 1200}
TABLE_ROWS = 6


def pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


# --- what the server said (tokens, finish reason) -------------------------------------------

class Usage:
    """Records completion tokens and finish reasons of the client's non-streamed answers."""

    def __init__(self, client: LLMClient) -> None:
        self.answers: list[tuple[int, str]] = []
        original = client._parse

        def parse(raw: bytes) -> dict[str, Any]:
            data = original(raw)
            try:
                body = json.loads(raw)
                reason = str(body["choices"][0].get("finish_reason") or "")
            except (ValueError, KeyError, IndexError, TypeError):
                reason = ""
            usage = data.get("usage") or {}
            self.answers.append((int(usage.get("completion_tokens") or 0), reason))
            return data

        client._parse = parse  # type: ignore[method-assign]

    def take(self) -> list[tuple[int, str]]:
        taken, self.answers = self.answers, []
        return taken


# --- the checks -------------------------------------------------------------------------------

def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _constant_forms(value: str, is_string: bool) -> list[str]:
    """How a constant may be written in a question (NFKC, case-folded)."""
    forms = [value]
    if is_string:
        core = value.strip("%_")
        if core != value and core:
            forms = [core]                        # LIKE patterns: the text around the wildcards
        date = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value)
        if date:
            y, m, d = date.group(1), int(date.group(2)), date.group(3)
            forms.append(f"{y}年{m}月" + (f"{int(d)}日" if d else ""))
            months = ["january", "february", "march", "april", "may", "june", "july", "august",
                      "september", "october", "november", "december"]
            if d:
                forms += [f"{months[m - 1]} {int(d)}, {y}", f"{int(d)} {months[m - 1]} {y}"]
            else:
                forms.append(f"{months[m - 1]} {y}")
    else:
        try:
            number = float(value)
            forms.append(f"{number:,.0f}" if number.is_integer() else f"{number:g}")
            if number.is_integer():
                forms.append(str(int(number)))
        except ValueError:
            pass
    return [_squash(f) for f in forms if f]


def missing_constants(question: str, reference_sql: str) -> list[str]:
    """Constants (texts, numbers, dates) of ``reference_sql`` that ``question`` does not state.

    strftime format strings and the LIMIT 1 / 0 / 1 of structure (``COUNT(*) > 0``) are exempt.
    """
    try:
        tree = sqlglot.parse_one(reference_sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return []
    text = _squash(question)
    missing = []
    for literal in tree.find_all(exp.Literal):
        value = str(literal.this)
        if literal.is_string and "%" in value and re.search(r"%[a-zA-Z]", value.strip("%")):
            continue                              # a strftime format such as '%Y-%m'
        if not literal.is_string and value in ("0", "1"):
            continue
        if literal.is_string and not value.strip("%_ "):
            continue
        forms = _constant_forms(value, literal.is_string)
        if not literal.is_string:
            found = any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d])", text) for f in forms)
        else:
            found = any(f in text for f in forms)
        if not found:
            missing.append(value)
    return missing


def fitness_problems(dataset: Dataset, n_rows: int = TABLE_ROWS) -> list[str]:
    """The lesson fitness rules (a subset of the offline themes'): rows per table, a number, a text
    and a date column, some NULLs, repeated values in a text column (categories), a child table."""
    found = []
    for t in dataset.tables:
        if len(t.rows) < min(n_rows, 5):
            found.append(f"fitness: {t.name} has {len(t.rows)} rows")
    types = {c.type for t in dataset.tables for c in t.columns}
    non_key_numbers = any(c.type in (ColumnType.INTEGER, ColumnType.REAL)
                          and c.name not in t.primary_key
                          and not any(c.name in fk.columns for fk in t.foreign_keys)
                          for t in dataset.tables for c in t.columns)
    if not non_key_numbers:
        found.append("fitness: no number column (besides keys)")
    if ColumnType.TEXT not in types:
        found.append("fitness: no text column")
    if ColumnType.DATE not in types:
        found.append("fitness: no date column")
    if not any(v is None for t in dataset.tables for r in t.rows for v in r):
        found.append("fitness: no NULL")
    repeated = False
    for t in dataset.tables:
        for i, c in enumerate(t.columns):
            values = [r[i] for r in t.rows if i < len(r) and isinstance(r[i], str)]
            if c.type == ColumnType.TEXT and len(values) > len(set(values)):
                repeated = True
    if not repeated:
        found.append("fitness: no repeated text values (categories)")
    if not any(t.foreign_keys for t in dataset.tables):
        found.append("fitness: no child table")
    return found


_SECOND_PERSON = {"en": re.compile(r"\b(you|your|yours|you're|you've)\b", re.I), "ja": re.compile(r"あなた")}
_THIRD_PERSON = {"en": re.compile(r"\b(the student|the learner|the user)('s)?\b", re.I),
                 "ja": re.compile(r"生徒|学生|学習者|ユーザー")}


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?。！？])\s*|\n+", text.strip())
    return [p for p in parts if re.search(r"\w", p)]


def feedback_problems(text: str, exercise: Any, verdict: Any, db: Path, lang: str, prompt: str,
                      student_sql: str) -> list[str]:
    """Why ``text`` is not useful feedback (empty list: useful)."""
    from sqllab import i18n
    from sqllab.grading.feedback import reveals_solution

    if not text.strip():
        return ["empty"]
    notices = [i18n.t(f"feedback.{k}", lang) for k in ("withheld", "unavailable", "unusable", "not_capable")]
    if any(n in text for n in notices):
        return ["fallback hint shown"]
    found = []
    if reveals_solution(text, exercise, db, student_sql=student_sql):
        found.append("reveals the reference")
    if gen.language_problem(text, lang) is not None:
        found.append("wrong language")
    if not _SECOND_PERSON[lang].search(text) or _THIRD_PERSON[lang].search(text):
        found.append("not second person")
    n = len(sentences(text))
    if not 2 <= n <= 4:
        found.append(f"{n} sentences")
    if writes_sql(text, student_sql):
        found.append("SQL or code")
    lines = [x.strip() for x in text.splitlines()]
    if any(x.startswith("|") and x.count("|") >= 3 for x in lines):
        found.append("echoes a table")
    squashed, source = _squash(text), _squash(prompt)
    if any(squashed[i:i + 40] in source for i in range(0, max(0, len(squashed) - 40), 5)) or any(
            len(_squash(s)) >= 12 and _squash(s) in source for s in sentences(text)):
        found.append("copies the prompt")
    tree = sqlglot.parse_one(exercise.reference_sql, read="sqlite")
    names = {c.name.casefold() for c in tree.find_all(exp.Column)} | {t.name.casefold() for t in tree.find_all(exp.Table)}
    diff = verdict.diff
    values: set[str] = set()
    if diff is not None:
        values |= {str(v) for v in (diff.expected_rows, diff.got_rows, diff.missing_rows, diff.extra_rows)}
        example = diff.counterexample
        if example is not None:
            for sample in [example.expected, example.got, *example.inputs]:
                values |= {_squash(str(v)) for row in sample.rows for v in row if v is not None and len(str(v)) > 1}
    words = set(re.findall(r"\w+", squashed))
    if not (names & words or values & words or any(len(v) > 2 and v in squashed for v in values)
            or ("null" in words and "null" in _squash(str(verdict.diff)))):
        found.append("not grounded")
    return found


# --- one answer per task ----------------------------------------------------------------------

async def table_generation(client: LLMClient, lang: str, seed: int, max_tokens: int) -> list[str]:
    variables = {"theme": theme_labels("library", lang).title, "n_tables": 3, "n_rows": TABLE_ROWS,
                 "difficulty": "easy"}
    try:
        data = await gen._ask_json(client, "table_generation", lang, variables, Dataset.llm_json_schema(),
                                   seed=seed, temperature=0.3, max_tokens=max_tokens)
        dataset = Dataset.parse_llm_json(data, theme="library", lang=lang)
        problems = gen.dataset_problems(dataset)
        if not problems:
            with tempfile.TemporaryDirectory() as tmp:
                load_dataset(dataset, Path(tmp) / "check.db")
        return problems + fitness_problems(dataset)
    except SQLLabError as exc:
        return [type(exc).__name__ + ": " + " ".join(gen._problems_of(exc))[:120]]


async def dataset_text(client: LLMClient, lang: str, seed: int, max_tokens: int) -> list[str]:
    spec = THEMES["shop"]
    category = spec.categories[lang][seed % len(spec.categories[lang])]
    variables = {"theme": theme_labels("shop", lang).title, "table": theme_labels("shop", lang).table_labels["items"],
                 "category": category, "n": 3, "examples": ", ".join(spec.item_names[lang][0][:2])}
    try:
        data = await gen._ask_json(client, "dataset_text", lang, variables, gen._names_schema(3), seed=seed,
                                   temperature=0.7, max_tokens=max_tokens)
        names = [str(x).strip() for x in data.get("names", [])]
        request = get_template("dataset_text", lang).format(**variables)
        return gen.names_problems(names, 3, lang, {c.casefold() for c in spec.categories[lang]}, request)
    except SQLLabError as exc:
        return [type(exc).__name__]


def exercise_problems(db: Path, exercise: Any, lang: str, topic: str = "where") -> list[str]:
    found = gen.check_exercise(db, exercise, topic)
    missing = missing_constants(exercise.question, exercise.reference_sql)
    if missing:
        found.append("the question must state every constant the reference uses, exactly as in the data; "
                     f"missing: {', '.join(missing)}")
    return found


PROBLEM_TOPICS = ["where", "order", "aggregate", "joins", "subqueries", "window"]


async def problem_generation(client: LLMClient, lang: str, seed: int, db: Path,
                             max_tokens: int, rounds: int = gen.REPAIR_ROUNDS) -> tuple[list[str], bool]:
    """The lesson's exercise writer (``generation._llm_exercises``: queries, then a question per
    verified query) asked for one exercise on a topic that rotates with the seed (lessons 02-07).
    Returns (problems of the first answers, an exercise passed after repair): the first answers
    pass when the first query answer and the first question both passed."""
    topic = PROBLEM_TOPICS[seed % len(PROBLEM_TOPICS)]
    sent: list[str] = []
    handler = _ProblemLog(sent)
    gen.log.addHandler(handler)
    try:
        exercises = await gen._llm_exercises(client, db, topic, 1, lang, seed, "easy")
    except LLMError as exc:
        return [type(exc).__name__], False
    finally:
        gen.log.removeHandler(handler)
    if exercises:
        LAST_ANSWER[:] = [exercises[0].question, exercises[0].reference_sql]
        problems = exercise_problems(db, exercises[0], lang, topic)
        if problems:                     # the writer kept something the bench rejects: a bug
            return problems, False
    first = [REASONS.get(_reason(p), _reason(p)) for p in sent[:1]]
    if not exercises and not first:
        first = ["no exercise"]          # nothing came out, and nothing was logged as sent back
    return first, bool(exercises)


class _ProblemLog(logging.Handler):
    """Collects the reasons the writer sent a query or a question back (its INFO log)."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if "sent back" in record.msg:
            self.sink.extend(str(record.args[2]).split("; ") if len(record.args) > 2 else [])


LAST_ANSWER: list[str] = []       # question and reference of the last first answer (for --texts)


def _reason(problem: str) -> str:
    """A short label for a checker problem (for the failure tally)."""
    for key in ("pin the answer", "every constant", "topic", "fails", "at least one row", "SQL", "Japanese", "English",
                "trivial", "row order", "parses"):
        if key in problem:
            return key
    return problem[:60]


REASONS = {"pin the answer": "ambiguous (a neighbour constant/operator gives the same result)",
           "every constant": "constant missing from the question"}

MUTATIONS = [  # (label, pattern, replacement): the kinds of wrong answers feedback must explain
    ("boundary", r">=", ">"),
    ("boundary", r"(?<![<>!])<(?![=>])", "<="),
    ("null", r"\w+ IS NULL OR ", ""),
    ("null", r"IS NULL", "= NULL"),
    ("duplicates", r"COUNT\(DISTINCT (\w+)\)", r"COUNT(\1)"),
    ("duplicates", r"SELECT DISTINCT", "SELECT"),
    ("missing rows", r"LEFT JOIN", "JOIN"),
    ("extra rows", r" AND [\w.]+ (?:>=|<=|=|>|<) [^ )]+$", ""),
    ("extra rows", r"HAVING COUNT\(\*\) >= 2", "HAVING COUNT(*) >= 1"),
]


def feedback_cases(dataset: Dataset, db: Path, lang: str, n: int) -> list[tuple[Any, str, Any, str]]:
    """``n`` (exercise, wrong query, verdict, kind) cases, cycling topics and kinds of mistake."""
    cases: list[tuple[Any, str, Any, str]] = []
    seen: set[str] = set()
    seed = 0
    while len(cases) < n and seed < 200:
        topic = ("where", "aggregate", "joins")[seed % 3]
        exercise = bank_exercises(dataset, topic, n=1, lang=lang, seed=seed)[0]
        seed += 1
        order = MUTATIONS[seed % len(MUTATIONS):] + MUTATIONS[:seed % len(MUTATIONS)]
        for label, pattern, replacement in order + [("limit", r"$", " LIMIT 1")]:
            wrong = re.sub(pattern, replacement, exercise.reference_sql, count=1)
            if wrong == exercise.reference_sql or wrong in seen:
                continue
            verdict = grade(db, exercise.reference_sql, wrong, lang=lang)
            if not verdict.correct and verdict.status == "wrong_result":
                cases.append((exercise, wrong, verdict, label))
                seen.add(wrong)
                break
    return cases


def feedback_case(client: LLMClient, lang: str, case: tuple[Any, str, Any, str],
                  db: Path) -> tuple[list[str], float, float, str]:
    """(problems, seconds to the first sentence, seconds in all, text) for one wrong answer."""
    from sqllab.grading.feedback import build_prompt, feedback

    from sqllab.grading.feedback import opening

    exercise, wrong, verdict, _label = case
    template, prompt = build_prompt(verdict, exercise, wrong, lang=lang, level=0)
    own = opening(verdict, lang) if template.answer_opening else ""   # v8: sqllab's first sentence
    start = time.perf_counter()
    first = None
    chunks = []
    for chunk in feedback(verdict, exercise, wrong, lang=lang, level=0, db=db, client=client):
        if first is None and not (own and not chunks and chunk == own):
            first = time.perf_counter() - start       # the model's first sentence, not sqllab's opening
        chunks.append(chunk)
    total = time.perf_counter() - start
    text = "".join(chunks)
    problems = feedback_problems(text, exercise, verdict, db, lang, prompt, wrong)
    if own and chunks and chunks[0] == own:
        model_part = text[len(own):]
        if not sentences(model_part):       # the checks above hold for the whole text the learner reads
            problems.append("the model wrote nothing after sqllab's opening")
    return problems, first or total, total, text


class BusyServer:
    """Keeps one generation request in flight on the server (what a lesson's background job does
    while the student checks an answer) until stopped: ``--busy``."""

    def __init__(self, base_url: str, schema: str) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.prompt = ("Write 12 different SQLite queries for a SQL course on this schema, one per line, "
                       "each with a short comment saying what it shows:\n" + schema)
        self.stopped = threading.Event()
        self.requests = 0
        self.thread = threading.Thread(target=self._run, name="busy-server", daemon=True)

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                httpx.post(self.url, json={"messages": [{"role": "user", "content": self.prompt}],
                                           "max_tokens": 400, "temperature": 0.8, "seed": self.requests},
                           timeout=600)
                self.requests += 1
            except httpx.HTTPError:
                self.stopped.wait(1.0)

    def __enter__(self) -> "BusyServer":
        self.thread.start()
        time.sleep(2.0)                         # the background request is being read
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stopped.set()
        self.thread.join(timeout=600)


def count_tokens(client: LLMClient, text: str) -> int:
    """Tokens of ``text`` by the server's tokenizer (llama.cpp ``/tokenize``), 0 when unavailable."""
    try:
        reply = httpx.post(client.base_url.removesuffix("/v1") + "/tokenize", json={"content": text}, timeout=30)
        return len(reply.json()["tokens"])
    except (httpx.HTTPError, ValueError, KeyError):
        return 0


# --- overhead ---------------------------------------------------------------------------------

def throughput(client: LLMClient, rounds: int, max_tokens: int = 96) -> dict[str, float]:
    """Tokens/s through sqllab (complete and stream, cache off) vs a raw httpx call with the same
    body to the same server, rounds alternating; and the cache-hit latency."""
    tpl = get_template("feedback", "en")
    prompt = tpl.template.format(**{v: f"({v})" for v in tpl.variables})
    messages = [{"role": "system", "content": tpl.system_prompt}, {"role": "user", "content": prompt}]
    body = {"model": client.model, "messages": messages, "temperature": 0.0, "max_tokens": max_tokens, "seed": 1}
    raw_s, ours_s, raw_stream_s, ours_stream_s, tokens = [], [], [], [], []
    kw = dict(system_prompt=tpl.system_prompt, temperature=0.0, max_tokens=max_tokens, seed=1, use_cache=False)
    with httpx.Client(timeout=300) as http:
        http.post(f"{client.base_url}/chat/completions", json=body).raise_for_status()   # warm-up
        for _ in range(rounds):
            t = time.perf_counter()
            reply = http.post(f"{client.base_url}/chat/completions", json=body)
            raw_s.append(time.perf_counter() - t)
            reply.raise_for_status()
            tokens.append(int(reply.json()["usage"]["completion_tokens"]))
            t = time.perf_counter()
            client.sync.complete(prompt, **kw)
            ours_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            with http.stream("POST", f"{client.base_url}/chat/completions", json={**body, "stream": True}) as r:
                for _ in r.iter_lines():
                    pass
            raw_stream_s.append(time.perf_counter() - t)
            t = time.perf_counter()
            for _ in client.sync.stream(prompt, **kw):
                pass
            ours_stream_s.append(time.perf_counter() - t)
    n = statistics.median(tokens)
    kw["use_cache"] = True
    client.sync.complete(prompt, **kw)
    hits = []
    for _ in range(rounds * 10):
        t = time.perf_counter()
        client.sync.complete(prompt, **kw)
        hits.append(time.perf_counter() - t)
    raw_tps, ours_tps = n / statistics.median(raw_s), n / statistics.median(ours_s)
    raw_stps, ours_stps = n / statistics.median(raw_stream_s), n / statistics.median(ours_stream_s)
    return {"tokens": n, "raw_tps": raw_tps, "sqllab_tps": ours_tps, "ratio": raw_tps / ours_tps,
            "raw_stream_tps": raw_stps, "sqllab_stream_tps": ours_stps, "stream_ratio": raw_stps / ours_stps,
            "cache_hit_s": statistics.median(hits), "miss_s": statistics.median(ours_s)}


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


# --- the run ----------------------------------------------------------------------------------

def measure_language(args: argparse.Namespace, client: LLMClient, usage: "Usage", texts: Any, figures: dict,
                     versions: dict[str, list[str]], max_tokens: dict[str, int], lang: str, db: Path,
                     cases: list, seeds: range) -> None:
    """Every task's cells for one language (printed as they finish, kept in ``figures``)."""
    for task in args.tasks:
        if task == "problem_generation" and not versions.get(task):     # the two-step writer's own prompts
            task_versions = ["2step"]   # exercise_sql and exercise_question at the registry's versions
        else:
            task_versions = versions.get(task) or [prompts.current_version(task)]
        cells = {v: {"ok": 0, "repaired": 0, "secs": [], "first": [], "total": [], "tokens": [],
                     "at_max": 0, "failures": collections.Counter()} for v in task_versions}
        for seed in seeds:
            for version in task_versions:        # interleaved: the versions share the machine's state
                prompt_version, _, temperature = version.partition("@")    # feedback=v7@0.2: at temperature 0.2
                if prompt_version != "2step":
                    os.environ["SQLLAB_PROMPT_VERSIONS"] = f"{task}={prompt_version}"
                feedback_module.TEMPERATURE = float(temperature) if temperature else None
                cell = cells[version]
                usage.take()
                t = time.perf_counter()
                repaired = None
                text = ""
                LAST_ANSWER.clear()
                if task == "table_generation":
                    problems = run_sync(table_generation(client, lang, seed, max_tokens[task]))
                elif task == "dataset_text":
                    problems = run_sync(dataset_text(client, lang, seed, max_tokens[task]))
                elif task == "problem_generation":
                    problems, repaired = run_sync(problem_generation(client, lang, seed, db, max_tokens[task],
                                                                     args.repair_rounds))
                else:
                    problems, f, a, text = feedback_case(client, lang, cases[seed % len(cases)], db)
                    cell["first"].append(f)
                    cell["total"].append(a)
                    usage.answers.append((count_tokens(client, text), ""))
                cell["secs"].append(time.perf_counter() - t)
                answers = usage.take()
                if answers:                      # the first answer's length (repairs come after)
                    cell["tokens"].append(answers[0][0])
                    cell["at_max"] += answers[0][1] == "length"
                cell["ok"] += not problems
                cell["repaired"] += bool(repaired) if repaired is not None else not problems
                cell["failures"].update(problems)
                if texts is not None:
                    texts.write(json.dumps({"task": task, "lang": lang, "version": version, "seed": seed,
                                            "problems": problems, "text": text or " || ".join(LAST_ANSWER),
                                            "case": cases[seed % len(cases)][3] if text else None},
                                           ensure_ascii=False) + "\n")
                    texts.flush()
        os.environ.pop("SQLLAB_PROMPT_VERSIONS", None)
        feedback_module.TEMPERATURE = None
        for version, cell in cells.items():
            n = len(seeds)
            entry = {"version": version, "pass_rate": cell["ok"] / n, "after_repair": cell["repaired"] / n,
                     "passed": cell["ok"], "n": n, "mean_s": statistics.mean(cell["secs"]),
                     "tokens_mean": statistics.mean(cell["tokens"]) if cell["tokens"] else None,
                     "tokens_max": max(cell["tokens"]) if cell["tokens"] else None,
                     "at_max_tokens": cell["at_max"], "failures": dict(cell["failures"].most_common())}
            if cell["first"]:
                entry.update(first_sentence_s=statistics.median(cell["first"]),
                             total_s=statistics.median(cell["total"]))
            figures["tasks"][f"{task}.{lang}.{version}"] = entry
            toks = (f"{entry['tokens_mean']:.0f}/{entry['tokens_max']}" if cell["tokens"] else "-")
            fails = "; ".join(f"{k} x{v}" for k, v in cell["failures"].most_common(4))
            print(f"{task:<20}{lang:<5}{version:<8}{cell['ok']:>4}/{n:<4}{cell['repaired']:>4}/{n:<4}"
                  f"{entry['mean_s']:>8.1f}{toks:>14}{cell['at_max']:>7}  {fails[:110]}", flush=True)


def parse_pairs(items: list[str], what: str) -> dict[str, str]:
    out = {}
    for item in items:
        task, sep, value = item.partition("=")
        if not sep or task not in TASKS + ["repair"]:
            raise SystemExit(f"{what}: expected task=value with a task of {', '.join(TASKS)}, got {item!r}")
        out[task] = value
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=6, help="answers per task, language and version")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--tasks", nargs="+", default=TASKS, choices=TASKS, help="tasks to measure")
    parser.add_argument("--langs", nargs="+", default=["en", "ja"], choices=["en", "ja"])
    parser.add_argument("--versions", nargs="*", default=[], metavar="TASK=V1,V2",
                        help="prompt versions to compare side by side (default: the registry's current); "
                             "feedback=v7@0.2 also sets feedback's temperature")
    parser.add_argument("--max-tokens", nargs="*", default=[], metavar="TASK=N", help="max_tokens per task")
    parser.add_argument("--texts", type=Path, help="write every feedback text and problem list here (JSON lines)")
    parser.add_argument("--repair-rounds", type=int, default=gen.REPAIR_ROUNDS,
                        help="repair rounds after a failed problem_generation answer (for 'repaired')")
    parser.add_argument("--busy", action="store_true",
                        help="keep one generation request in flight meanwhile (a lesson's background job)")
    parser.add_argument("--no-lesson", action="store_true", help="skip the lesson-path run")
    parser.add_argument("--no-overhead", action="store_true", help="skip the tokens/s and cache-hit run")
    args = parser.parse_args()
    versions = {task: value.split(",") for task, value in parse_pairs(args.versions, "--versions").items()}
    max_tokens = {**MAX_TOKENS, **{t: int(v) for t, v in parse_pairs(args.max_tokens, "--max-tokens").items()}}
    try:
        client = default_client(timeout=600)
    except LLMError as exc:
        print(f"no LLM: {exc}")
        return 1
    os.environ["SQLLAB_MODEL_PROFILE"] = ""
    model = profile_name_for(client)
    os.environ["SQLLAB_MODEL_PROFILE"] = "all"
    usage = Usage(client)
    texts = args.texts.open("w", encoding="utf-8") if args.texts else None
    print(f"model profile: {model}   server: {client.base_url}   samples per cell: {args.samples}   "
          f"max_tokens: {max_tokens}\n", flush=True)
    figures: dict = {"model": model, "samples": args.samples, "max_tokens": max_tokens, "tasks": {}}
    tmp = Path(tempfile.mkdtemp(prefix="sqllab-bench-db-"))
    seeds = range(args.samples)
    header = (f"{'task':<20}{'lang':<5}{'prompt':<8}{'pass 1st':>9}{'repaired':>9}{'mean s':>8}"
              f"{'tok mean/max':>14}{'at max':>7}  failures")
    print(header, flush=True)
    for lang in args.langs:
        dataset = generate_offline_dataset("shop", lang=lang, seed=1)
        db = load_dataset(dataset, tmp / f"shop-{lang}.db")
        cases = feedback_cases(dataset, db, lang, args.samples) if "feedback" in args.tasks else []
        schema = "\n".join(f"{t.name}({', '.join(c.name for c in t.columns)})" for t in dataset.tables)
        busy = BusyServer(client.base_url, schema) if args.busy else contextlib.nullcontext()
        with busy:
            measure_language(args, client, usage, texts, figures, versions, max_tokens, lang, db, cases, seeds)
        if args.busy:
            print(f"  (meanwhile {busy.requests} background generation requests finished)", flush=True)
    fb = {k: v for k, v in figures["tasks"].items() if k.startswith("feedback")}
    for key, v in fb.items():
        print(f"{key}: first sentence {v['first_sentence_s']:.2f} s vs whole feedback {v['total_s']:.2f} s "
              f"(medians)")
    if texts is not None:
        texts.close()

    if not args.no_lesson:
        print("\nlesson path (the model's real profile, repair rounds and bank fallback included):")
        print(f"{'lang':<6}{'dataset by LLM':>16}{'exercises by LLM':>18}{'by bank':>9}{'p50 s':>8}")
        for lang in args.langs:
            n = min(3, args.samples)
            served = end_to_end(client, lang, range(n))
            figures[f"lesson.{lang}"] = served
            total_ex = served["exercises_llm"] + served["exercises_bank"]
            print(f"{lang:<6}{served['dataset_llm']:>13}/{n:<2}{served['exercises_llm']:>15}/{total_ex:<2}"
                  f"{served['exercises_bank'] / total_ex:>9.0%}{served['p50_s']:>8.2f}")
    if not args.no_overhead:
        tp = throughput(client, rounds=max(3, min(args.samples, 5)))
        figures["throughput"] = tp
        print(f"\nsame prompt, same body, {tp['tokens']:.0f} tokens:  raw httpx tok/s  sqllab tok/s  "
              f"ratio (target <= 1.05)")
        print(f"  complete()                        {tp['raw_tps']:>12.2f} {tp['sqllab_tps']:>13.2f} "
              f"{tp['ratio']:>8.3f}")
        print(f"  stream()                          {tp['raw_stream_tps']:>12.2f} {tp['sqllab_stream_tps']:>13.2f} "
              f"{tp['stream_ratio']:>8.3f}")
        print(f"cache hit: {tp['cache_hit_s'] * 1e6:.0f} us  ({tp['cache_hit_s'] / tp['miss_s']:.5f} of a miss)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    from sqllab.llm.embedded import stop_background

    stop_background()          # the shared server this run started in its own cache dir
    return 0


if __name__ == "__main__":
    sys.exit(main())
