"""LLM-generated datasets and exercises, verified by executing them before a student sees them.

The LLM proposes; sqllab checks. A dataset must validate (``Dataset``) and load into SQLite; an
exercise is kept only when its reference runs in the sandbox, returns rows, is not trivial, uses
the lesson's topic, does not depend on unspecified row order, is pinned down by the question
(no comparison or literal neighbour of the reference is indistinguishable on the hidden
variants), and its text is in the requested language without the SQL in it. What fails goes
back to the LLM with the checker's problems (``repair`` prompt, bounded rounds); what still
fails is replaced by the offline generator / exercise bank, and ``Dataset.notice`` says so.

Which jobs a model gets follows its measured capability (``sqllab.llm.capabilities``): a small model
such as the embedded SmolLM2 only names the rows of a fixed offline schema; a larger one writes
whole datasets and exercises.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import hashlib
import json
import logging
import re
import sqlite3
import tempfile
import time
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlglot
from pydantic import BaseModel, Field
from sqlglot import exp

from .. import i18n
from ..i18n import has_japanese, language_problem  # noqa: F401 - language_problem: part of this module's API
from ..llm.capabilities import allows
from ..dataset import Dataset
from ..db import load_dataset
from ..errors import DatasetError, LLMError, QueryError, SQLLabError
from ..grading.feedback import WHOLE_STATEMENT
from .exercises import TOPICS, Exercise, bank_exercises, has_top_level_order_by
from .hints import hints_for
from .mend import mend_reference
from .jobs import READY_BUDGET_S, GenerationCancelled, GenerationProgress
from .offline import THEMES, generate_offline_dataset, theme_labels
from ..llm import priority
from ..llm.prompts import get_template
from ..sandbox import run_modification, run_query

log = logging.getLogger(__name__)

REPAIR_ROUNDS = 2
#: answer length per task: enough for the longest valid answer, no more (a runaway answer costs
#: minutes on 2 cores). Measured answers: names <= 47 tokens, one exercise 100-181 tokens.
MAX_TOKENS = {"table_generation": 2000, "dataset_text": 120}


def _exercise_tokens(n: int) -> int:
    return 150 + 200 * n
#: seconds one generation request may take: it runs in the background while the student works,
#: and a small model on 2 busy cores reads a schema-sized prompt at ~20 tokens/s (LLM_TIMEOUT,
#: 30 s by default, stays the limit for requests a student waits on)
GENERATION_TIMEOUT_S = 300.0
ROWS_PER_TABLE = {"easy": 6, "medium": 10, "hard": 16}
PROBLEM_LEVEL = {"easy": "beginner", "medium": "intermediate", "hard": "advanced"}
_SQL_IN_TEXT = WHOLE_STATEMENT     # a whole SQL statement written in prose
_NAME_OK = re.compile(r"^[^\"'`;\\\n\r\t<>{}]{2,30}$")


# --- helpers ------------------------------------------------------------------------------

def _client(client: Any) -> Any:
    if client is not None:
        return client
    from ..llm import shared_client

    return shared_client()


def _run(coro: Any) -> Any:
    from ..llm import run_sync

    return run_sync(coro)


async def _ask_json(client: Any, task: str, lang: str, variables: dict[str, Any], schema: Any, *,
                    seed: int, temperature: float, max_tokens: int,
                    previous: str | None = None, problems: list[str] | None = None,
                    progress: GenerationProgress | None = None) -> Any:
    """One JSON answer for prompt ``task``; with ``previous``/``problems`` it is a repair round.
    With ``progress`` the answer is streamed and every piece counted (and Cancel honoured)."""
    if progress is not None and progress.priority > priority.FEEDBACK:
        await priority.wait_turn(progress.priority)        # feedback (and the open lesson) first
    tpl = get_template(task, lang)
    prompt, system, version = tpl.format(**variables), tpl.system_prompt, tpl.ref
    history = None
    if problems is not None:
        repair = get_template("repair", lang)
        listed = "\n".join(f"- {p}" for p in problems[:20])
        version = f"{tpl.ref}+{repair.ref}"
        if "request" in repair.variables:       # repair v1: the whole request again, in one message
            prompt = repair.format(request=prompt, previous=(previous or "")[:6000], problems=listed)
            system = repair.system_prompt
        else:                                   # the next turn of the first request's conversation
            history = [{"role": "user", "content": prompt},
                       {"role": "assistant", "content": (previous or "")[:6000]}]
            prompt = repair.format(problems=listed)
    timeout = max(GENERATION_TIMEOUT_S, float(getattr(client, "timeout", 0) or 0))
    if progress is None:
        return await client.complete_json(prompt, schema, system_prompt=system, temperature=temperature,
                                          max_tokens=max_tokens, seed=seed, prompt_version=version,
                                          prompt_type=task, timeout=timeout, history=history)
    progress.check()
    request = asyncio.ensure_future(client.complete_json(
        prompt, schema, system_prompt=system, temperature=temperature, max_tokens=max_tokens, seed=seed,
        prompt_version=version, prompt_type=task, timeout=timeout, history=history,
        on_chunk=lambda _chunk: progress.token()))
    loop = asyncio.get_running_loop()
    forget = progress.on_cancel(lambda: loop.call_soon_threadsafe(request.cancel))  # even before a token
    try:
        return await request
    except asyncio.CancelledError:
        if progress.cancelled:
            raise GenerationCancelled() from None
        raise
    finally:
        forget()


def _raw(exc: Exception) -> str:
    return str(getattr(exc, "raw_text", "") or "")


def _problems_of(exc: Exception) -> list[str]:
    errors = getattr(exc, "validation_errors", None)
    if errors:
        return [str(e) for e in errors][:20]
    if hasattr(exc, "problem_texts"):
        return exc.problem_texts("en")  # type: ignore[no-any-return]
    return [exc.message_in("en") if isinstance(exc, SQLLabError) else str(exc)]


def _notice(key: str, lang: str, **params: Any) -> str:
    return i18n.t(key, lang, **params)


# --- datasets -----------------------------------------------------------------------------

def generate_dataset(theme: str, *, lang: str, seed: int, difficulty: str = "easy",
                     client: Any = None, topics: tuple[str, ...] | list[str] = (),
                     progress: GenerationProgress | None = None) -> Dataset:
    """A practice dataset on ``theme``: by the LLM when it can, else offline; never unverified.

    The result's ``source`` is ``"llm"`` when the LLM wrote (part of) it and ``notice`` says what
    happened in ``lang``. A whole LLM dataset must also make a good lesson for ``topics``
    (``dataset_problems``); when it does not, the model gets the smaller job (names for the rows
    of the offline shape) rather than a thin table. LLM errors never escape: they end in the
    offline dataset. ``GenerationCancelled`` (``progress.cancel()``) does escape.
    """
    lang = i18n.normalize_lang(lang)
    try:
        client = _client(client)
    except SQLLabError as exc:
        return _offline(theme, lang, seed, difficulty, _notice("gen.llm_unavailable", lang,
                                                                reason=exc.message_in(lang)))
    if progress is not None:
        progress.set("dataset")
    notice = _notice("gen.model_too_small", lang)
    try:
        if allows(client, "table_generation", lang):
            dataset = _run(_llm_dataset(client, theme, lang, seed, difficulty, tuple(topics), progress))
            if dataset is not None:
                return dataset
            notice = _notice("gen.dataset_rejected", lang, rounds=REPAIR_ROUNDS)
        return _named_or_offline(client, theme, lang, seed, difficulty, progress, notice)
    except LLMError as exc:
        return _offline(theme, lang, seed, difficulty, _notice("gen.llm_unavailable", lang,
                                                                reason=exc.message_in(lang)))


def _named_or_offline(client: Any, theme: str, lang: str, seed: int, difficulty: str,
                      progress: GenerationProgress | None, notice: str) -> Dataset:
    """The offline shape (which the bank always fits), its rows named by the LLM when it can."""
    if allows(client, "dataset_text", lang):
        base = theme if theme in THEMES else _theme_for(theme, seed)
        dataset = _run(_llm_named_dataset(client, base, lang, seed, difficulty, progress))
        if dataset is not None:
            return dataset
        notice = _notice("gen.names_rejected", lang)
    return _offline(theme, lang, seed, difficulty, notice)


def _offline(theme: str, lang: str, seed: int, difficulty: str, notice: str) -> Dataset:
    base = theme if theme in THEMES else _theme_for(theme, seed)
    dataset = generate_offline_dataset(base, lang=lang, seed=seed, difficulty=difficulty)
    return dataset.model_copy(update={"source": "bank", "notice": notice})


def _theme_for(theme: str, seed: int) -> str:
    """An offline theme for a free-form theme name (deterministic)."""
    names = sorted(THEMES)
    digest = hashlib.sha256(f"{theme}:{seed}".encode()).digest()
    return names[digest[0] % len(names)]


#: the smallest dataset that makes a lesson: rows per table, and rows in the largest table
MIN_ROWS, MIN_ROWS_LARGEST = 5, 8
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _is_key(table: Any, column: str) -> bool:
    fk_cols = {c.lower() for fk in table.foreign_keys for c in fk.columns}
    return column.lower() in {c.lower() for c in table.primary_key} or column.lower() in fk_cols


def dataset_problems(dataset: Dataset, topics: tuple[str, ...] | list[str] = ()) -> list[str]:
    """What makes a (valid) LLM dataset unfit for a lesson on ``topics`` (English, for the repair
    prompt): the fitness rules the offline themes meet by construction — enough rows, related
    tables, a number, a text and a date column, NULLs where the lesson teaches NULL, repeated
    categories for grouping, parents without children for joins, text in the lesson's language."""
    found = []
    tables = dataset.tables
    if len(tables) < 2:
        found.append("give at least 2 tables")
    if not any(t.foreign_keys for t in tables):
        found.append("link the tables with at least one foreign key (references)")
    for t in tables:
        if len(t.rows) < MIN_ROWS:
            found.append(f"table {t.name}: give at least {MIN_ROWS} rows")
    if tables and max(len(t.rows) for t in tables) < MIN_ROWS_LARGEST:
        found.append(f"give one table at least {MIN_ROWS_LARGEST} rows")
    plain = [(t, c, t.values(c.name)) for t in tables for c in t.columns if not _is_key(t, c.name)]

    def has(kind: Any) -> bool:
        return any(kind(c, vals) for _t, c, vals in plain)

    numeric = lambda c, vals: c.type.value in ("INTEGER", "REAL") and len(  # noqa: E731
        {v for v in vals if isinstance(v, (int, float))}) >= 3
    text = lambda c, vals: c.type.value == "TEXT" and not all(  # noqa: E731
        isinstance(v, str) and _DATE.match(v) for v in vals if v is not None)
    date = lambda c, vals: (c.type.value == "DATE" or c.type.value == "TEXT") and sum(  # noqa: E731
        isinstance(v, str) and bool(_DATE.match(v)) for v in vals) >= max(2, len(vals) // 2)
    if not has(numeric):
        found.append("give a table a number column (quantity, price, score...) with varied values")
    if not has(text):
        found.append("give a table a text column other than keys (name, city, category...)")
    if not has(date):
        found.append("give a table a date column (YYYY-MM-DD)")
    if {"where", "aggregate"} & set(topics) and not any(None in vals for _t, _c, vals in plain):
        found.append("leave some values of a nullable column empty (null), e.g. a missing city")
    if {"aggregate", "window", "order"} & set(topics):
        repeated = lambda c, vals: c.type.value == "TEXT" and 2 <= len(  # noqa: E731
            {v for v in vals if v is not None}) < len([v for v in vals if v is not None])
        if not has(repeated):
            found.append("give a text column with repeated values (a category or city shared by several rows)")
    if "joins" in topics and not _has_childless_parent(dataset):
        found.append("let at least one referenced row have no rows pointing to it (so LEFT JOIN differs)")
    texts = [str(v) for t in tables for r in t.rows for v in r if isinstance(v, str) and not _DATE.match(v)]
    if dataset.lang == "ja" and texts and sum(has_japanese(x) for x in texts) < len(texts) / 4:
        found.append("write the text values (names, cities, titles...) in Japanese")
    return found


def _has_childless_parent(dataset: Dataset) -> bool:
    for child in dataset.tables:
        for fk in child.foreign_keys:
            try:
                parent = dataset.table(fk.ref_table)
                used = {tuple(r[child.index(c)] for c in fk.columns) for r in child.rows}
                keys = {tuple(r[parent.index(c)] for c in fk.ref_columns) for r in parent.rows}
            except (DatasetError, StopIteration, KeyError):
                continue
            if keys - used:
                return True
    return False


def bank_fits(dataset: Dataset, topic: str) -> bool:
    """Whether the exercise bank can write exercises for ``dataset`` (an offline theme's shape)."""
    try:
        return bool(bank_exercises(dataset, topic, n=1))
    except (DatasetError, KeyError, StopIteration, IndexError, ValueError):
        return False


async def _llm_dataset(client: Any, theme: str, lang: str, seed: int, difficulty: str,
                       topics: tuple[str, ...] = (), progress: GenerationProgress | None = None) -> Dataset | None:
    label = theme_labels(theme, lang).title if theme in THEMES else theme
    variables = {"theme": label, "n_tables": 3, "n_rows": ROWS_PER_TABLE.get(difficulty, 8),
                 "difficulty": difficulty}
    previous, problems = None, None
    for round_no in range(REPAIR_ROUNDS + 1):
        if progress is not None and round_no:
            progress.set("repair", round_no, REPAIR_ROUNDS)
        try:
            data = await _ask_json(client, "table_generation", lang, variables, Dataset.llm_json_schema(),
                                   seed=seed + round_no, temperature=0.3, max_tokens=MAX_TOKENS["table_generation"],
                                   previous=previous, problems=problems, progress=progress)
            previous = json.dumps(data, ensure_ascii=False)
            dataset = Dataset.parse_llm_json(data, theme=theme, lang=lang)
            problems = dataset_problems(dataset, topics)
            if not problems:
                with tempfile.TemporaryDirectory() as tmp:
                    load_dataset(dataset, Path(tmp) / "check.db")   # it loads: constraints hold
                notice = _notice("gen.dataset_llm", lang, rounds=round_no)
                return dataset.model_copy(update={"source": "llm", "notice": notice})
        except (DatasetError, QueryError) as exc:
            problems = _problems_of(exc)
        except LLMError as exc:
            if not hasattr(exc, "raw_text"):
                raise        # the server is down or failing: no point repairing
            previous, problems = _raw(exc), _problems_of(exc)
        log.info("dataset rejected (round %d): %s", round_no, "; ".join(problems or [])[:300])
    return None


def _names_schema(n: int) -> dict[str, Any]:
    return {"type": "object", "properties": {"names": {
        "type": "array", "items": {"type": "string", "minLength": 2, "maxLength": 30},
        "minItems": n, "maxItems": n}}, "required": ["names"], "additionalProperties": False}


def names_problems(names: list[str], n: int, lang: str, reserved: set[str], prompt: str = "") -> list[str]:
    """Why a list of row names from the LLM cannot be used (``reserved``: casefolded words not
    allowed; a name copied from the ``prompt`` itself, e.g. an example or the theme, is refused)."""
    prompt = prompt.casefold()
    found = []
    if len(names) != n:
        found.append(f"give exactly {n} names")
    seen: set[str] = set()
    for name in names:
        key = name.strip().casefold()
        if not _NAME_OK.match(name.strip()):
            found.append(f"{name!r}: 2 to 30 characters, no quotes or special characters")
        elif key in seen:
            found.append(f"{name!r} is repeated")
        elif key in reserved:
            found.append(f"{name!r} is a category, not a name")
        elif key in prompt:
            found.append(f"{name!r} is copied from the request: write new names")
        elif sum(ch.isalpha() for ch in name) < 2 or sum(ch.isdigit() for ch in name) > len(name) / 3:
            found.append(f"{name!r}: a name is mostly letters")
        elif problem := language_problem(name, lang):
            found.append(f"{name!r}: {problem}")
        seen.add(key)
    return found


async def _llm_named_dataset(client: Any, theme: str, lang: str, seed: int, difficulty: str,
                             progress: GenerationProgress | None = None) -> Dataset | None:
    """The offline dataset with the items' names written by the LLM (a small model's job)."""
    base = generate_offline_dataset(theme, lang=lang, seed=seed, difficulty=difficulty)
    spec, labels = THEMES[theme], theme_labels(theme, lang)
    items = base.table(spec.tables["items"])
    name_i, cat_i = items.index(spec.columns["items"]["name"]), items.index(spec.columns["items"]["category"])
    by_category: dict[str, list[int]] = collections.defaultdict(list)
    for row_no, row in enumerate(items.rows):
        by_category[str(row[cat_i])].append(row_no)

    async def names_for(category: str, rows: list[int], offset: int) -> list[str] | None:
        examples = ", ".join(str(items.rows[r][name_i]) for r in rows[:2])
        variables = {"theme": labels.title, "table": labels.table_labels["items"], "category": category,
                     "n": len(rows), "examples": examples}
        previous, problems = None, None
        for round_no in range(REPAIR_ROUNDS + 1):
            try:
                data = await _ask_json(client, "dataset_text", lang, variables, _names_schema(len(rows)),
                                       seed=seed + offset + 97 * round_no, temperature=0.7,
                                       max_tokens=MAX_TOKENS["dataset_text"],
                                       previous=previous, problems=problems, progress=progress)
                names = [str(x).strip() for x in data.get("names", [])]
                previous = json.dumps(data, ensure_ascii=False)
                request = get_template("dataset_text", lang).format(**variables)
                problems = names_problems(names, len(rows), lang, reserved, request)
                if not problems:
                    return names
            except LLMError as exc:
                if not hasattr(exc, "raw_text"):
                    raise
                previous, problems = _raw(exc), _problems_of(exc)
        return None

    categories = sorted(by_category)
    reserved = {c.casefold() for c in spec.categories[lang]}
    answers = await asyncio.gather(*(names_for(c, by_category[c], i) for i, c in enumerate(categories)))
    rows = [list(r) for r in items.rows]
    used: set[str] = set()
    replaced = 0
    for category, names in zip(categories, answers):
        if names is None or any(n.casefold() in used for n in names):
            continue
        for row_no, name in zip(by_category[category], names):
            rows[row_no][name_i] = name
        used |= {n.casefold() for n in names}
        replaced += 1
    if replaced == 0:
        return None
    tables = [t.model_copy(update={"rows": rows}) if t.name == items.name else t for t in base.tables]
    try:
        dataset = Dataset(**{**base.model_dump(exclude={"tables", "source", "notice"}), "tables": tables})
    except DatasetError:
        return None
    notice = _notice("gen.dataset_names_llm", lang, done=replaced, total=len(categories))
    return dataset.model_copy(update={"source": "llm", "notice": notice})


# --- exercises ----------------------------------------------------------------------------

class ProposedExercise(BaseModel):
    question: str = Field(min_length=5, max_length=600)
    reference_sql: str = Field(min_length=8, max_length=2000)
    hints: list[str] = Field(default_factory=list, max_length=4)
    difficulty: str = "beginner"


class ProposedExercises(BaseModel):
    exercises: list[ProposedExercise] = Field(min_length=1, max_length=12)


TOPIC_WORDS = {
    "select": "SELECT: choosing columns and computed expressions",
    "where": "WHERE: filtering rows, comparisons, AND/OR, IN, BETWEEN, LIKE and NULL",
    "order": "ORDER BY, LIMIT and DISTINCT",
    "aggregate": "aggregates (COUNT, SUM, AVG, MIN, MAX) with GROUP BY and HAVING",
    "joins": "joins (INNER JOIN and LEFT JOIN) across related tables",
    "subqueries": "subqueries and common table expressions (WITH)",
    "window": "window functions (ROW_NUMBER, RANK, SUM OVER, LAG) with OVER (PARTITION BY ... ORDER BY ...)",
    "modify": "INSERT, UPDATE and DELETE statements",
}


def _schema_text(db: Path) -> str:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        parts = []
        for name, sql in con.execute("SELECT name, sql FROM sqlite_master WHERE type='table' "
                                     "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"):
            parts.append(sql + ";")
            cur = con.execute(f'SELECT * FROM "{name}" LIMIT 3')
            cols = [d[0] for d in cur.description]
            parts.append(f"-- sample rows of {name} ({', '.join(cols)}): "
                         + "; ".join(repr(tuple(r)) for r in cur.fetchall()))
        return "\n".join(parts)
    finally:
        con.close()


def _tree(sql: str) -> exp.Expression | None:
    try:
        trees = sqlglot.parse(sql, read="sqlite")
    except Exception:  # noqa: BLE001 - sqlglot raises several error kinds
        return None
    trees = [t for t in trees if t is not None]
    return trees[0] if len(trees) == 1 else None


def uses_topic(tree: exp.Expression, topic: str) -> bool:
    """Whether the statement exercises ``topic`` (checked on the parse tree, not by regex)."""
    if topic == "modify":
        return isinstance(tree, (exp.Insert, exp.Update, exp.Delete))
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        return False
    checks = {
        "select": lambda: True,
        "where": lambda: tree.find(exp.Where) is not None,
        "order": lambda: any(tree.find(k) is not None for k in (exp.Order, exp.Limit, exp.Distinct)),
        "aggregate": lambda: tree.find(exp.AggFunc) is not None or tree.find(exp.Group) is not None,
        "joins": lambda: tree.find(exp.Join) is not None,
        "subqueries": lambda: tree.find(exp.Subquery) is not None or tree.find(exp.CTE) is not None
        or any(isinstance(s, exp.Select) for s in tree.find_all(exp.Select) if s is not tree),
        "window": lambda: tree.find(exp.Window) is not None,
    }
    return checks[topic]()


def _order_independent(db: Path, sql: str, ordered: bool) -> bool:
    """Same answer when SQLite scans tables in reverse (``PRAGMA reverse_unordered_selects``)."""
    con = sqlite3.connect(":memory:")
    try:
        src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        src.backup(con)
        src.close()
        first = run_query(con, sql, max_rows=5000).rows
        con.execute("PRAGMA reverse_unordered_selects = ON")
        second = run_query(con, sql, max_rows=5000).rows
    finally:
        con.close()
    if ordered:
        return first == second
    return collections.Counter(map(repr, first)) == collections.Counter(map(repr, second))


def _limit_cuts_a_tie(db: Path, sql: str) -> bool:
    """True when LIMIT/OFFSET cuts between rows that tie on every ORDER BY key."""
    from ..grading.compare import _key_getters, canon, order_spec

    spec = order_spec(sql)
    if spec is None or not spec.has_limit or spec.full_sql is None:
        return False
    tree = _tree(sql)
    offset_node = tree.args.get("offset") if tree is not None else None
    try:
        offset = int(offset_node.expression.name) if offset_node is not None else 0
    except (AttributeError, ValueError):
        return False
    shown = run_query(db, spec.key_sql, max_rows=5000).rows
    full = run_query(db, spec.full_sql, max_rows=5000)
    n = len(full.columns) - spec.extra
    getters = _key_getters(spec, full.columns[:n], n)

    def key(row: tuple) -> tuple:
        return tuple(canon(g(row)) for g in getters)

    cuts = [(offset - 1, offset)] if offset else []
    end = offset + len(shown)
    cuts.append((end - 1, end))
    return any(0 <= a and b < len(full.rows) and key(full.rows[a]) == key(full.rows[b]) for a, b in cuts)


def _whole_table(db: Path, result: Any) -> bool:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"):
            rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
            same_width = bool(rows) and len(result.columns) == len(rows[0])
            if same_width and sorted(map(repr, rows)) == sorted(map(repr, result.rows)):
                return True
    finally:
        con.close()
    return False


_COMPARISONS = {"GT", "GTE", "LT", "LTE", "EQ", "NEQ"}


def _one_token_change(a: str, b: str) -> bool:
    """True when ``b`` differs from ``a`` in exactly one comparison operator, or in one literal
    that is an operand of a comparison or BETWEEN (not, say, ``SELECT 1`` inside EXISTS)."""
    try:
        ta = [(t.token_type.name, t.text) for t in sqlglot.tokenize(a, read="sqlite")]
        tb = [(t.token_type.name, t.text) for t in sqlglot.tokenize(b, read="sqlite")]
    except Exception:  # noqa: BLE001
        return False
    if len(ta) != len(tb):
        return False
    diffs = [i for i, (x, y) in enumerate(zip(ta, tb)) if x != y]
    if len(diffs) != 1:
        return False
    i = diffs[0]
    kind_a, kind_b = ta[i][0], tb[i][0]
    if kind_a in _COMPARISONS and kind_b in _COMPARISONS:
        return True
    if kind_a in ("NUMBER", "STRING") and kind_b in ("NUMBER", "STRING"):
        around = {ta[j][0] for j in (i - 1, i + 1) if 0 <= j < len(ta)}
        between = any(ta[j][0] == "BETWEEN" for j in range(max(0, i - 3), i))
        return bool(around & _COMPARISONS) or between
    return False


def ambiguous_neighbours(db: Path, reference_sql: str) -> list[str]:
    """Comparison/literal neighbours of the reference that no test database tells apart from it."""
    from ..grading.grader import grader_for
    from ..grading.neighbours import neighbour_queries

    grader = grader_for(db, reference_sql)
    base = _tree(reference_sql)
    if base is None:
        return []
    canonical = base.sql(dialect="sqlite")
    out = []
    for sql in neighbour_queries(reference_sql):
        if _one_token_change(canonical, sql) and not grader.distinguishes(sql):
            out.append(sql)
    return out


_NUMBER_WORDS = {
    "en": {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
           10: "ten", 0: "zero", 1: "one"},
    "ja": {2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十", 0: "ゼロ", 1: "一"},
}
_FIRST_WORDS = {"en": {"top", "first", "highest", "lowest", "largest", "smallest", "most", "least", "best"},
                "ja": {"最も", "一番", "トップ", "最高", "最大", "最小", "最安", "最新", "最初"}}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_COMPARED = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.In, exp.Like,
             exp.ILike, exp.Glob, exp.Limit)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _spellings(value: str, is_string: bool, lang: str) -> list[str]:
    """Ways a question may state the constant ``value`` (each is searched for, folded)."""
    if not is_string:
        try:
            number = float(value)
        except ValueError:
            return [value]
        forms = {value}
        if number == int(number):
            n = int(number)
            forms |= {str(n), f"{n:,}"}
            if n in _NUMBER_WORDS[lang]:
                forms.add(_NUMBER_WORDS[lang][n])
            if n == 1:                      # rank 1 / the first row: "the highest", 最も高い
                forms |= _FIRST_WORDS[lang]
        return sorted(forms)
    core = value.strip("%_*")
    if not core:
        return []
    forms = [core]
    date = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", core)
    if date:
        y, m, d = date.group(1), int(date.group(2)), date.group(3)
        if 1 <= m <= 12:
            month = _MONTHS[m - 1]
            if d:
                forms += [f"{y}年{m}月{int(d)}日", f"{month} {int(d)}, {y}", f"{int(d)} {month} {y}",
                          f"{month} {int(d)} {y}"]
            else:
                forms += [f"{y}年{m}月", f"{month} {y}"]
    return forms


def _compared_literals(tree: exp.Expression | None) -> Iterator[tuple[exp.Literal, exp.Expression]]:
    """Each literal ``tree`` compares with (or LIMITs by), with its operand (the literal, or its
    ``-``/parentheses); an argument of a function (a strftime format...) is not compared."""
    for literal in tree.find_all(exp.Literal, bfs=False) if tree is not None else ():
        operand = literal.parent if isinstance(literal.parent, (exp.Neg, exp.Paren)) else literal
        if isinstance(operand.parent, _COMPARED):
            yield literal, operand


def compared_constants(sql: str) -> list[tuple[str, bool]]:
    """The constants ``sql`` compares with (text, numbers, dates, patterns, LIMIT counts), each
    once, as ``(value, is_string)``: what a question for it must state."""
    found: list[tuple[str, bool]] = []
    for literal, operand in _compared_literals(_tree(sql)):
        value = ("-" if isinstance(operand, exp.Neg) and not literal.is_string else "") + literal.this
        if (literal.this, literal.is_string) not in found and (value, literal.is_string) not in found:
            found.append((literal.this, literal.is_string))
    return found


def compared_conditions(sql: str, lang: str = "en") -> list[str]:
    """The comparisons (and LIMIT) in which ``sql`` uses a constant, as SQL text: what a question
    must put into words (``points >= 850``, ``city = '墨田区'``, ``LIMIT 3``)."""
    tree = _tree(sql)
    if tree is None:
        return []
    found: list[str] = []
    for literal, operand in _compared_literals(tree):
        text = operand.parent.sql("sqlite")
        if isinstance(operand.parent, exp.Limit):
            text = f"{text} ({i18n.t('gen.limit_words', lang, n=literal.this)})"
        elif (words := _condition_words(operand.parent, lang) or _between_words(operand.parent, lang)):
            text = f"{text} ({words})"      # the words to write: a small model copies what it is given
        if text not in found:
            found.append(text)
    if isinstance(tree, exp.Select) and tree.args.get("distinct") is not None:
        found.insert(0, f"DISTINCT ({i18n.t('gen.distinct_words', lang)})")
    return found


def unstated_constants(question: str, sql: str, lang: str) -> list[str]:
    """Constants the reference compares with (text, numbers, dates, patterns, LIMIT counts)
    that the question never states: no student could know them, so the question is repaired."""
    text = _fold(question)
    missing = []
    for value, is_string in compared_constants(sql):
        forms = _spellings(value, is_string, lang)
        if forms and not any(_fold(f) in text for f in forms):
            shown = repr(value) if is_string else value
            if shown not in missing:
                missing.append(shown)
    return missing


_ROW_COUNT_WORDS = re.compile(r"\b(?:first|top|only|at most)\s+(\d+)\b|(\d+)\s+(?:results|rows)\b"
                              r"|(?:最初の|上位|先頭の?)\s*(\d+)|(\d+)\s*(?:件|行)(?:だけ|まで)", re.I)


def foreign_numbers(question: str, sql: str) -> list[str]:
    """Row counts ``question`` asks for ("the first 10 results", 「上位 5 件」) that appear nowhere
    in ``sql`` (no LIMIT 10): the question asks for something the answer does not do."""
    used = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", unicodedata.normalize("NFKC", sql))}
    found = []
    for match in _ROW_COUNT_WORDS.finditer(unicodedata.normalize("NFKC", _QUOTED.sub(" ", question))):
        number = next(g for g in match.groups() if g)
        if float(number) not in used and number not in found:
            found.append(number)
    return found


def unkept_order_columns(sql: str) -> list[str]:
    """Columns a grouped query sorts by that are neither grouped nor aggregated (``GROUP BY city
    ORDER BY id``): SQLite takes one row's value per group, so the order is arbitrary."""
    tree = _tree(sql)
    if tree is None or not isinstance(tree, exp.Select) or tree.args.get("group") is None or not tree.args.get("order"):
        return []
    grouped = {g.name.casefold() if isinstance(g, exp.Column) else g.sql(dialect="sqlite").casefold()
               for g in tree.args["group"].expressions}
    aliases = {e.alias.casefold() for e in tree.expressions if e.alias}
    out = []
    for ordered in tree.args["order"].expressions:
        for column in ordered.find_all(exp.Column):
            if column.find_ancestor(exp.AggFunc) is not None or column.find_ancestor(exp.Window) is not None:
                continue
            name = column.name.casefold()
            if name not in grouped and name not in aliases and column.name not in out:
                out.append(column.name)
    return out


def check_reference(db: Path, sql: str, topic: str) -> list[str]:
    """Every reason (in English, for the repair prompt and logs) not to make ``sql`` an exercise's
    reference on ``topic``: it must parse, practise the topic, run, return (or change) rows, not be
    trivial, not depend on row order or ties, and pin its answer down."""
    found: list[str] = []
    sql = sql.strip().rstrip(";").strip()
    tree = _tree(sql)
    if tree is None:
        return ["reference_sql must be exactly one SQLite statement that parses"]
    if not uses_topic(tree, topic):
        found.append(f"reference_sql must practise the topic: {TOPIC_WORDS[topic]}")
    if isinstance(tree, exp.Select) and tree.args.get("distinct") is not None and tree.args.get("limit") is not None:
        found.append("reference_sql has DISTINCT and LIMIT: a question can hardly say whether the limit counts "
                     "rows or distinct values (a reader wrote 'the dates of the first 5 orders'): write another query")
    if pointless_order(tree):
        found.append("reference_sql returns a single row (an aggregate without GROUP BY): an ORDER BY or "
                     "LIMIT there means nothing, leave it out")
    try:
        if topic == "modify":
            result = run_modification(db, sql, lang="en")
            if result.changes < 1:
                found.append("reference_sql must change at least one row")
        else:
            result = run_query(db, sql, lang="en", max_rows=5000)
            if not result.rows:
                found.append("reference_sql must return at least one row on this data")
            elif tree.find(exp.From) is None:
                found.append("reference_sql must read from a table (not only constants)")
            elif _whole_table(db, result):
                found.append("the answer must not be a whole table unchanged (too trivial)")
            elif (not _order_independent(db, sql, has_top_level_order_by(sql)) or _limit_cuts_a_tie(db, sql)
                  or unkept_order_columns(sql)):
                found.append("the result depends on an unspecified row order or on ties: "
                             "add ORDER BY keys that break every tie")
            else:
                loose = ambiguous_neighbours(db, sql)
                if loose:
                    found.append("the question does not pin the answer down: a query with one comparison "
                                 "or constant changed gives the same result; state the boundary exactly")
    except QueryError as exc:
        found.append(f"reference_sql fails: {exc.message_in('en')}")
    return found


def pointless_order(tree: exp.Expression) -> bool:
    """An ORDER BY or LIMIT on a query that always returns one row (aggregates, no GROUP BY): the
    model copies the ordering habit of other queries ("Order the results by customer ID"), and a
    student is asked for a sort that does nothing."""
    if not isinstance(tree, exp.Select) or tree.args.get("group") is not None:
        return False
    if tree.args.get("order") is None and tree.args.get("limit") is None:
        return False
    if tree.find(exp.Window) is not None:
        return False
    return bool(tree.expressions) and all(
        any(isinstance(n, exp.AggFunc) for n in e.walk()) for e in tree.expressions)


def check_question(exercise: Exercise, db: Path | None = None) -> list[str]:
    """Every reason not to show ``exercise``'s text: wrong language, a constant of the reference
    left unstated, a value the answer does not use (``db``: values of its result and of the data
    count as used), no order or the wrong boundary or direction, SQL in the question or hints."""
    found: list[str] = []
    if problem := language_problem(exercise.question, exercise.lang):
        found.append(f"question: {problem}")
    for constant in unstated_constants(exercise.question, exercise.reference_sql, exercise.lang):
        found.append(f"the question must state the constant {constant} exactly as the reference uses it "
                     "(otherwise no student can know it)")
    for number in foreign_numbers(exercise.question, exercise.reference_sql):
        found.append(f"the question states the number {number}, which the answer does not use: "
                     "state only what this answer does")
    for value in foreign_values(exercise.question, exercise.reference_sql, _known_values(db, exercise)):
        found.append(f"the question states {value}, which the answer does not use: "
                     "write the question for this answer only")
    if has_top_level_order_by(exercise.reference_sql) and not _ORDER_WORDS[exercise.lang].search(exercise.question):
        found.append("the answer orders its rows: the question must say in which order")
    if db is not None:
        for column in unnamed_columns(exercise.question, exercise.reference_sql, db, exercise.lang):
            found.append(f"the question must name the column {column} (as written in the table) that the answer uses")
    found += unshown_columns_asked(exercise.question, exercise.reference_sql, db, exercise.lang)
    found += boundary_mismatches(exercise.question, exercise.reference_sql, exercise.lang)
    found += direction_mismatches(exercise.question, exercise.reference_sql, exercise.lang)
    found += order_sequence_mismatches(exercise.question, exercise.reference_sql, exercise.lang)
    for aggregate in unstated_aggregates(exercise.question, exercise.reference_sql, exercise.lang):
        found.append(f"the answer uses the {aggregate} of a column (shown, compared or sorted by): the question "
                     f"must say so in words ({_AGGREGATE_NAMES[aggregate]}); a number of rows, or 'a certain "
                     "value', is another thing")
    if _SQL_IN_TEXT.search(exercise.question):
        found.append("the question must not contain SQL")
    if ("ORDER BY" not in " ".join(exercise.reference_sql.upper().split())        # (a window's order is said too)
            and _ASKS_ORDER[exercise.lang].search(exercise.question)):
        found.append("the question asks for an order of the rows, but the answer has no ORDER BY: "
                     "leave the order out of the question")
    found += task_problems(exercise.question, exercise.lang)
    return found


#: a question asking for a row order in so many words (the answer then needs a top-level ORDER BY)
_ASKS_ORDER = {
    "en": re.compile(r"\b(?:ordered|sorted|order(?:ed)? by|sort(?:ed)? by|in (?:ascending|descending) order"
                     r"|(?:highest|lowest|largest|smallest|earliest|latest|newest|oldest) first)\b", re.I),
    "ja": re.compile(r"(?:大きい|小さい|高い|低い|多い|少ない|新しい|古い|早い|遅い|安い)順|並べ替え|並び順|昇順|降順"),
}


_ALIAS = re.compile(r"(?<![\w.])[A-Za-z_]\w*\.[A-Za-z_]\w*")
_DESCRIPTION = {
    "en": re.compile(r"^\s*(?:this|the|a|an)\s+(?:sql\s+)?(?:query|statement)\b|\bquery\s+(?:that\s+)?"
                     r"(?:returns|selects|retrieves|calculates|computes|shows|lists|finds)\b"
                     r"|\b(?:the following|this|below) (?:sql|query)\b|\b(?:the )?(?:given|specified) conditions?\b", re.I),
    "ja": re.compile(r"(?:クエリ|SQL|ＳＱＬ)(?:文)?(?:です|である|になります|となります)|(?:する|した)(?:クエリ|SQL)(?:[。.]|$)"
                     r"|(?:以下|次|下記)の(?:クエリ|SQL|ＳＱＬ)|指定(?:した|された)条件"),
}
_VAGUE = {
    "en": re.compile(r"\b(?:a certain|certain|a specific|specific|a given|given|some specified)\s+"
                     r"(?:value|number|amount|customer|city|user|person|item|product|book|date|category|group)", re.I),
    "ja": re.compile(r"特定の|(?:^|(?<=[、。\s「（]))ある(?:値|数|顧客|都市|人|商品|本|日付|カテゴリ)"),
}


#: an SQL keyword in capitals inside the question (「…LIMIT 3 行だけ表示します」); NULL is a word
#: students learn and may stay
_SQL_KEYWORD = re.compile(r"(?<![A-Za-z_`])(?:SELECT|WHERE|GROUP BY|ORDER BY|HAVING|LIMIT|OFFSET|JOIN|DISTINCT"
                          r"|PARTITION BY|BETWEEN|LIKE|IS NOT NULL|IS NULL|(?:COUNT|SUM|AVG|MAX|MIN)\s*\()(?![A-Za-z_`])")
#: a condition written as SQL inside the question (「…平均値を表示してください。points >= 1000」)
_SQL_CONDITION = re.compile(r"(?<![\w`])[A-Za-z_][A-Za-z_0-9]*\s*(?:>=|<=|<>|!=|=|<|>)\s*(?:'[^']*'|-?\d+(?:\.\d+)?|[A-Za-z_]\w*)")


def task_problems(question: str, lang: str) -> list[str]:
    """What keeps ``question`` from being a task a student can carry out: a table alias or
    qualified SQL name (``c.id``), the description of a query instead of an instruction
    (「…を計算するクエリです。」), a vague value (「特定の顧客」, "a certain city") where the answer
    has a definite one."""
    found = []
    for alias in dict.fromkeys(m.group(0) for m in _ALIAS.finditer(question)):
        if not re.fullmatch(r"e\.g|i\.e", alias, re.I):
            found.append(f"the question shows {alias}: no table aliases or qualified SQL names, "
                         "name the column in words (and as written in the table)")
    if _DESCRIPTION[lang].search(question):
        found.append("the question describes a query: write it as an instruction to the learner "
                     + ("(「…を表示してください。」)" if lang == "ja" else '("Show ...", "List ...")'))
    if keyword := _SQL_KEYWORD.search(question):
        found.append(f"the question shows the SQL keyword {keyword.group(0)}: say it in words "
                     + ("(「先頭の 3 行だけ」, 「重複を除いて」)" if lang == "ja" else '("only the first 3 rows", "each ... once")'))
    if fragment := _SQL_CONDITION.search(question):
        found.append(f"the question shows the SQL condition {fragment.group(0)!r}: say it in words")
    if match := _VAGUE[lang].search(question):
        found.append(f"the question says {match.group(0)!r}: no value in the answer is vague, state it "
                     "(or leave the phrase out when the answer has no such condition)")
    return found


_QUOTED = re.compile(r"「([^」]{1,40})」|\"([^\"]{1,40})\"|(?<!\w)'([^']{1,40})'(?!\w)")
_ORDER_WORDS = {
    "en": re.compile(r"order|sort|first|last|highest|lowest|largest|smallest|ascending|descending|earliest"
                     r"|latest|newest|oldest|alphabetical|top|rank|most|least|then by", re.I),
    "ja": re.compile(r"順|並べ|並び|上位|下位|最も|ソート"),
}


#: words that state a boundary, by the comparison they mean ({n}: the number, as a regex)
_BOUNDARY_WORDS = {
    "ja": {">=": [r"{n}\s*(?:点|円|個|件|人|回|歳|分|日)?\s*以上"], "<=": [r"{n}\s*(?:点|円|個|件|人|回|歳|分|日)?\s*以下"],
           ">": [r"{n}\s*(?:点|円|個|件|人|回|歳|分|日)?\s*(?:より大きい|より多い|を超え|超)"],
           "<": [r"{n}\s*(?:点|円|個|件|人|回|歳|分|日)?\s*(?:未満|より小さい|より少ない)"]},
    "en": {">=": [r"at least\s+{n}", r"{n}\s+or (?:more|higher|greater|above|over)", r"minimum of\s+{n}"],
           "<=": [r"at most\s+{n}", r"{n}\s+or (?:less|fewer|lower|below|under)", r"maximum of\s+{n}"],
           ">": [r"(?:more|greater|higher|larger) than\s+{n}", r"(?:over|above|exceeds?|exceeding)\s+{n}"],
           "<": [r"(?:less|fewer|lower|smaller) than\s+{n}", r"(?:under|below)\s+{n}"]},
}
_BOUND_OPS = {exp.GTE: ">=", exp.LTE: "<=", exp.GT: ">", exp.LT: "<"}


def boundary_mismatches(question: str, sql: str, lang: str) -> list[str]:
    """Comparisons whose number the question states with the wrong boundary word (``> 500`` asked
    as "500 以上" / "at least 500"): the student would write the other query."""
    tree = _tree(sql)
    if tree is None:
        return []
    text = _fold(question)
    found = []
    for node in tree.find_all(*_BOUND_OPS):
        bound, flipped = _bound_of(node.expression), False
        if bound is None and _bound_of(node.this) is not None:
            bound, flipped = _bound_of(node.this), True  # 500 < points: the same as points > 500
        if bound is None:
            continue
        op = _BOUND_OPS[type(node)]
        if flipped:
            op = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}[op]
        n, shown = bound
        said = {other for other, patterns in _BOUNDARY_WORDS[lang].items()
                if any(re.search(p.format(n=n), text) for p in patterns)}
        if said and op not in said:
            found.append(f"the question states the boundary of {node.sql('sqlite')} with the wrong words "
                         f"(it reads like {' or '.join(sorted(said))} {shown})")
    return found


#: how a question names a subquery's aggregate it compares with ("平均以上" is >= AVG(...))
_AGGREGATE_WORDS = {"avg": r"(?:平均(?:値)?(?:[^。]{0,15}?その値)?|(?:the )?average|(?:the )?mean)",  # 「平均値を計算し、その値以上」
                    "max": r"(?:最大(?:値)?|(?:the )?maximum)",
                    "min": r"(?:最小(?:値)?|(?:the )?minimum)"}


_AGGREGATE_NAMES = {"AVG": "the average", "MAX": "the maximum, the highest", "MIN": "the minimum, the lowest",
                    "SUM": "the total, the sum", "COUNT": "the number"}
#: how a question says which aggregate a subquery's bound is (「平均より高い」, "the highest")
_AGGREGATE_SAID = {
    "avg": re.compile(r"平均|average|mean", re.I),
    "max": re.compile(r"最大|最高|最多|最も(?:高|多|大|長|遅|新)|一番(?:高|多|大)|max|highest|largest|most|greatest|top|latest|newest|most recent|last|longest|最新|最後", re.I),
    "min": re.compile(r"最小|最低|最少|最も(?:低|少|小|短|早|古)|一番(?:低|少|小)|min|lowest|smallest|least|fewest|earliest|oldest|first|cheapest|shortest|最古|最初|最安", re.I),
    "sum": re.compile(r"合計|総|累計|足し|sum|total", re.I),
    "count": re.compile(r"数|count|number|how many", re.I),
}


def unstated_aggregates(question: str, sql: str, lang: str = "en") -> list[str]:
    """Aggregates (AVG, MAX, MIN, SUM, COUNT) of a one-value subquery that a condition compares
    with, which ``question`` never mentions: "customers above a certain number of points" for
    ``points > (SELECT AVG(points) ...)`` cannot be answered."""
    tree = _tree(sql)
    if tree is None:
        return []
    names = {exp.Avg: "avg", exp.Max: "max", exp.Min: "min", exp.Sum: "sum", exp.Count: "count"}
    found = []
    for node in tree.find_all(*_BOUND_OPS, exp.EQ, exp.NEQ):
        for side in (node.this, node.expression):
            select = side.this if isinstance(side, exp.Subquery) else None
            if isinstance(select, exp.Select) and len(select.expressions) == 1:
                key = names.get(type(select.expressions[0].unalias()))
                if key and not _AGGREGATE_SAID[key].search(question) and key.upper() not in found:
                    found.append(key.upper())
    # the outer query's own aggregates (a column it shows, HAVING, ORDER BY), COUNT aside ("at least
    # 10 orders" says COUNT(*) >= 10): "at least 10 orders" for HAVING SUM(quantity) >= 10 asks a count
    if isinstance(tree, exp.Select):
        parts = [*tree.expressions, tree.args.get("having"), tree.args.get("order")]
        for part in filter(None, parts):
            for node in part.find_all(exp.Avg, exp.Max, exp.Min, exp.Sum):
                if node.find_ancestor(exp.Subquery) is not None:
                    continue
                key = names[type(node)]
                if not _AGGREGATE_SAID[key].search(question) and key.upper() not in found:
                    found.append(key.upper())
    return found


def _bound_of(node: exp.Expression) -> tuple[str, str] | None:
    """(regex for how a question states it, display text) of a comparison's bound: a number, or
    a subquery of one aggregate (AVG/MAX/MIN); None for anything else."""
    if isinstance(node, exp.Literal):
        return None if node.is_string else (re.escape(node.this), node.this)
    if isinstance(node, exp.Subquery):
        select = node.this
        if isinstance(select, exp.Select) and len(select.expressions) == 1:
            aggregate = select.expressions[0].unalias()
            key = {exp.Avg: "avg", exp.Max: "max", exp.Min: "min"}.get(type(aggregate))
            if key:
                return _AGGREGATE_WORDS[key], key.upper() + "(...)"
    return None


_DESCENDING = {"ja": re.compile(r"降順|高い順|大きい順|多い順|新しい順|遅い順"),
               "en": re.compile(r"descending|highest first|largest first|most first|newest first|latest first"
                                r"|from (?:the )?highest|from (?:the )?largest")}
_ASCENDING = {"ja": re.compile(r"昇順|低い順|小さい順|少ない順|古い順|早い順|五十音順|アルファベット順"),
              "en": re.compile(r"ascending|lowest first|smallest first|least first|oldest first|earliest first"
                               r"|alphabetical|from (?:the )?lowest|from (?:the )?smallest|a to z")}


def direction_mismatches(question: str, sql: str, lang: str) -> list[str]:
    """The question asks only for one direction (descending) while every ORDER BY key of the
    answer goes the other way, or the reverse."""
    tree = _tree(sql)
    order = tree.args.get("order") if tree is not None else None
    if order is None:
        return []
    directions = {bool(key.args.get("desc")) for key in order.expressions}
    down, up = bool(_DESCENDING[lang].search(question)), bool(_ASCENDING[lang].search(question))
    if directions == {False} and down and not up:
        return ["the question asks for a descending order but the answer sorts ascending"]
    if directions == {True} and up and not down:
        return ["the question asks for an ascending order but the answer sorts descending"]
    return []


_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?=\s|$)")


def _mentions(text: str, column: str, lang: str) -> list[tuple[int, int]]:
    """Where folded ``text`` names ``column`` (spans): as written, spaced, or by a word for it (an
    ASCII name only as a whole word: ``id`` is not in "provide")."""
    names = {column, column.replace("_", " ")} | set(_column_words(lang).get(column, ()))
    out: list[tuple[int, int]] = []
    for name in filter(None, map(_fold, names)):
        if name.isascii():
            out += [m.span() for m in re.finditer(rf"(?<![a-z0-9_]){re.escape(name)}s?(?![a-z0-9_])", text)]
        else:
            out += [m.span() for m in re.finditer(re.escape(name), text)]
    return out


#: words that tie a sort key to the order ("sorted by name and then city": "then" ties city)
_ORDER_KEY_WORDS = {"en": re.compile(rf"(?:{_ORDER_WORDS['en'].pattern})|\bthen\b", re.I), "ja": _ORDER_WORDS["ja"]}


def order_sequence_mismatches(question: str, sql: str, lang: str) -> list[str]:
    """A sentence that gives the sort keys in another sequence than the answer's ORDER BY
    (「名前は昇順で並び、同じ名前なら都市は昇順」 for ``ORDER BY city, name``): a student who follows
    it is marked wrong. Each order word is tied to the key it speaks of (in Japanese the one named
    just before it, 「都市の昇順」; in English the one just after, "sorted by city"). Sentences are
    read one by one, so sqllab's own order sentence, which follows the answer, never counts."""
    tree = _tree(sql)
    order = tree.args.get("order") if tree is not None else None
    if order is None:
        return []
    keys = list(dict.fromkeys(k.this.name for k in order.expressions if isinstance(k.this, exp.Column)))
    if len(keys) < 2:
        return []
    tables = {t.name for t in tree.find_all(exp.Table)}
    for sentence in _SENTENCE_END.split(question):
        text = _fold(sentence)
        spans = sorted((span, key) for key in keys for span in _mentions(text, key, lang))
        mentions = [(start, key) for (start, _), key in spans]
        names = [span for span, _ in spans] + [span for t in tables for span in _mentions(text, t, lang)]
        said: list[str] = []
        for word in _ORDER_KEY_WORDS[lang].finditer(text):
            if any(a < word.end() and word.start() < b for a, b in names):
                continue                      # "order" in "order date" or in the table "orders"
            if lang == "ja":
                before = [key for i, key in mentions if i < word.start()]
                key = before[-1] if before else None
            else:
                after = [key for i, key in mentions if i >= word.end()]
                key = after[0] if after else None
            if key is not None and key not in said:
                said.append(key)
        expected = [key for key in keys if key in said]
        if len(said) >= 2 and said != expected:
            return [f"the question sorts by {', then '.join(said)}, but the answer sorts by "
                    f"{', then '.join(expected)}: give the sort keys in the answer's sequence"]
    return []


def _table_columns(db: Path) -> set[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                            "AND name NOT LIKE 'sqlite_%'")]
        return {row[1] for t in tables for row in con.execute(f'PRAGMA table_info("{t}")')}
    finally:
        con.close()


def used_columns(sql: str, db: Path) -> list[str]:
    """Table columns whose values the answer shows, filters, groups, aggregates or sorts by: keys
    (``id``, ``*_id``) and join conditions left out. A question must name each of them, or it may
    be a question about other data (``points`` asked, ``quantity`` summed)."""
    tree = _tree(sql)
    if tree is None:
        return []
    columns = _table_columns(db)
    out: list[str] = []
    for column in tree.find_all(exp.Column):
        name = column.name
        if (name not in columns or name == "id" or name.endswith("_id") or name in out
                or column.find_ancestor(exp.Join) is not None):
            continue
        out.append(name)
    return out


def shown_columns_text(sql: str, db: Path, names: list[str] | None = None) -> str:
    """The answer's columns as the question writer is told them: a plain column by its name, a
    computed one with what it computes (``total = SUM(o.quantity)``), so that the question asks
    for every column, the computed ones in words. ``names``: the result's column names, when the
    caller has run the query already."""
    if names is None:
        names = run_query(db, sql, lang="en", max_rows=1).columns
    tree = _tree(sql)
    select = tree if isinstance(tree, exp.Select) else (tree.find(exp.Select) if tree is not None else None)
    if select is None or len(select.expressions) != len(names) or any(
            isinstance(e, exp.Star) for e in select.expressions):
        return ", ".join(names)
    out = []
    for name, expression in zip(names, select.expressions):
        inner = expression.this if isinstance(expression, exp.Alias) else expression
        if isinstance(inner, exp.Column):
            out.append(name)
            continue
        computed = inner.sql(dialect="sqlite")
        same = "".join(name.split()).casefold() == "".join(computed.split()).casefold()
        out.append(computed if same else f"{name} = {computed}")
    return ", ".join(out)


def named_columns_text(sql: str, db: Path, lang: str) -> str:
    """The columns a question must name (``used_columns``), written the way it should name them:
    in Japanese a word with the identifier in brackets (「数量（quantity）」), in English the
    identifier. Built from the answer itself: a fixed example in the prompt was copied."""
    columns = used_columns(sql, db)
    if lang != "ja":
        return ", ".join(columns)
    words = _column_words(lang)
    out = []
    for column in columns:
        if column in _JA_COLUMN_WORDS:
            word = _JA_COLUMN_WORDS[column][0]
        elif len(words.get(column, ())) == 1:      # one theme's label (joined_on: 登録日)
            (word,) = words[column]
        else:
            out.append(f"「{column}」")
            continue
        out.append(f"「{word}（{column}）」")
    return "、".join(out)


#: everyday Japanese words for common column identifiers (besides the offline themes' labels)
_JA_COLUMN_WORDS = {"name": ("名前", "名称", "氏名", "名"), "city": ("都市", "市", "地域", "住所", "地"),
                    "points": ("ポイント", "点"), "price": ("価格", "値段", "金額", "円"),
                    "quantity": ("数量", "個数", "数"), "category": ("カテゴリ", "分類", "種類", "部門"),
                    "stock": ("在庫",), "score": ("点", "得点", "スコア"), "title": ("題", "名", "タイトル"),
                    "salary": ("給", "給与"), "fare": ("運賃", "料金"), "fee": ("料", "料金")}


@functools.lru_cache(maxsize=None)
def _column_words(lang: str) -> dict[str, frozenset[str]]:
    """Words that name a column identifier in ``lang``: the offline themes' labels (and, in
    Japanese, everyday words for common identifiers)."""
    words: dict[str, set[str]] = collections.defaultdict(set)
    for spec in THEMES.values():
        for role, columns in spec.columns.items():
            for column_role, identifier in columns.items():
                words[identifier].add(spec.column_labels[role][column_role][lang])
    if lang == "ja":
        for identifier, extra in _JA_COLUMN_WORDS.items():
            words[identifier].update(extra)
    return {identifier: frozenset(names) for identifier, names in words.items()}


@functools.lru_cache(maxsize=None)
def _column_labels() -> frozenset[str]:
    """Every word that names a column, in both languages, folded (for ``foreign_values``)."""
    return frozenset(_fold(w) for lang in ("en", "ja") for words in _column_words(lang).values() for w in words)


def _columns_with_stated_values(sql: str, folded_question: str) -> set[str]:
    tree = _tree(sql)
    out: set[str] = set()
    for node in (tree.find_all(exp.EQ, exp.In, exp.Like) if tree is not None else ()):
        column = node.this if isinstance(node.this, exp.Column) else None
        values = [v for v in node.find_all(exp.Literal) if v.is_string]
        if column is not None and values and all(_fold(v.this.strip("%_")) in folded_question for v in values):
            out.add(column.name)
    return out


def unnamed_columns(question: str, sql: str, db: Path, lang: str = "en") -> list[str]:
    """Columns ``sql`` uses that ``question`` does not name: by identifier (``joined_on`` or
    "joined on"), or by a known label of it; a Japanese question is only held to the
    identifiers it has words for."""
    text = _fold(question)
    words = _column_words(lang)
    missing = []
    stated = _columns_with_stated_values(sql, text)
    for column in used_columns(sql, db):
        names = {column, column.replace("_", " ")} | words.get(column, set())
        if column in stated:
            continue                          # 「墨田区」の顧客: the value names its column
        if any(_fold(n) in text for n in names):
            continue
        if lang == "ja" and column not in words:
            continue
        missing.append(column)
    return missing


def _known_values(db: Path | None, exercise: Exercise) -> str:
    """The text of the lesson data and of the answer's result, folded (for ``foreign_values``)."""
    if db is None:
        return ""
    parts: list[str] = []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"):
            parts += [str(v) for row in con.execute(f'SELECT * FROM "{name}" LIMIT 500') for v in row]
    finally:
        con.close()
    if exercise.topic != "modify":
        try:
            parts += [str(v) for row in run_query(db, exercise.reference_sql, max_rows=200).rows for v in row]
        except QueryError:
            pass
    return _fold("\n".join(parts))


#: words that describe a computed result column (a rank, a total, an average), not a data value
_COMPUTED_WORDS = re.compile(r"順位|順番|番号|合計|平均|件数|個数|累計|差|最大|最小|ランク|rank|total|average|count|sum"
                             r"|difference|running|position|number", re.I)


def _computes_a_column(sql: str) -> bool:
    """Whether the answer shows a computed column: a window function, an aggregate or arithmetic."""
    tree = _tree(sql)
    if not isinstance(tree, exp.Select):
        return False
    return any(not isinstance(e.unalias(), exp.Column) for e in tree.expressions)


def foreign_values(question: str, sql: str, known: str = "") -> list[str]:
    """Values quoted in ``question`` that ``sql`` never mentions (neither as a constant nor as a
    name) and that are not in ``known`` (the data, the result): the sign of a question copied from
    an example or written for another query."""
    text = _fold(sql)
    labels = _column_labels()
    computed = _computes_a_column(sql)
    out = []
    for match in _QUOTED.finditer(question):
        value = next(g for g in match.groups() if g is not None).strip()
        folded = _fold(value).strip("%_ ")
        after = question[match.end():match.end() + 6].lstrip()
        if folded in labels or re.match(r"(?:列|カラム|テーブル|表|column|table)", after, re.I):
            continue                       # 「名前」列: the name of a column, not a value
        if computed and _COMPUTED_WORDS.search(value):
            continue                       # 「都市内でのポイント順位」: names a computed result column
        if value and folded not in text and folded not in known and not re.fullmatch(r"[\w\s]*以上|[\w\s]*以下|[\w\s]*未満"
                                                                            r"|より大きい|ちょうど", value):
            out.append(match.group(0))
    return out


def check_exercise(db: Path, exercise: Exercise, topic: str) -> list[str]:
    """Every reason (in English, for the repair prompt and logs) not to show ``exercise``."""
    return check_reference(db, exercise.reference_sql, topic) + check_question(exercise, db)


def query_shape(sql: str) -> str:
    """``sql`` up to its selected columns, constants and comparison operators (spacing and case
    folded): two exercises of one lesson must not share a shape, or they teach the same thing twice."""
    tree = _tree(sql)
    if isinstance(tree, exp.Select) and tree.expressions:
        tree = tree.copy()      # plain columns shown do not count; what is computed (COUNT, RANK ...) does
        computed = [e for e in tree.expressions if not isinstance(e.unalias(), (exp.Column, exp.Star))]
        plain = len(computed) < len(tree.expressions)
        for e in computed:
            if isinstance(e, exp.Alias):
                e.set("alias", None)
        tree.set("expressions", ([exp.Var(this="_columns_")] if plain else []) + [e.unalias() for e in computed])
        sql = tree.sql(dialect="sqlite")
    shape = re.sub(r"\s*(?:>=|<=|<>|!=|>|<|=)\s*", " ~ ", _skeleton(sql))
    return " ".join(shape.casefold().split())



def _skeleton(sql: str) -> str:
    """A near-solution hint: the reference with its constants blanked."""
    masked = re.sub(r"'(?:[^']|'')*'", "'___'", sql)
    return re.sub(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", "___", masked)


def _exercise(p: ProposedExercise, topic: str, lang: str, difficulty: str) -> Exercise:
    """An LLM exercise; its hints are sqllab's, derived from the reference (``hints_for``): the
    model's hints named clauses the query lacked and their last level was often the whole query."""
    sql = p.reference_sql.strip().rstrip(";").strip()
    hints = hints_for(sql, lang)
    digest = hashlib.sha1(sql.encode()).hexdigest()[:8]
    return Exercise(id=f"llm-{topic}-{digest}", topic=topic, question=p.question.strip(), reference_sql=sql,
                    difficulty=difficulty, hints=hints, ordered=has_top_level_order_by(sql),
                    source="llm", lang=lang)


def generate_exercises(dataset: Dataset, topic: str, *, n: int, lang: str, seed: int,
                       difficulty: str = "easy", client: Any = None,
                       progress: GenerationProgress | None = None) -> list[Exercise]:
    """Up to ``n`` verified exercises on ``topic`` for ``dataset``: the LLM's first, the bank's
    for the rest. Every exercise returned passes ``check_exercise`` or comes from the bank.

    Never raises for lack of exercises: when neither the LLM nor the bank (which fits only the
    offline shapes, see ``bank_fits``) can fill all ``n``, fewer are returned and the caller
    (``generate_content``) picks a dataset the bank fits. ``GenerationCancelled`` escapes.
    """
    lang = i18n.normalize_lang(lang)
    if topic not in TOPICS:
        raise DatasetError(key="dataset.unknown_topic", topic=topic, topics=", ".join(TOPICS))
    kept: list[Exercise] = []
    try:
        client = _client(client)
        if n > 0 and allows(client, "problem_generation", lang):
            with tempfile.TemporaryDirectory() as tmp:
                db = load_dataset(dataset, Path(tmp) / "lesson.db")
                kept = _run(_llm_exercises(client, db, topic, n, lang, seed, difficulty, progress))
    except SQLLabError as exc:
        log.info("exercise generation fell back to the bank: %s", exc.message_in("en"))
    kept = sorted(kept[:n], key=lambda e: complexity(e.reference_sql))      # easier first
    if len(kept) >= n or not bank_fits(dataset, topic):
        return kept
    bank = bank_exercises(dataset, topic, n=n + len(kept) + 2, lang=lang, seed=seed, difficulty=difficulty)
    taken = {query_shape(e.reference_sql) for e in kept}       # the bank does not repeat what the LLM wrote
    return kept + [e for e in bank if query_shape(e.reference_sql) not in taken][: n - len(kept)]


def complexity(sql: str) -> int:
    """How much a query asks of a student, roughly: its clauses, joins, subqueries and functions."""
    tree = _tree(sql)
    if tree is None:
        return len(sql)
    score = 0
    for node in tree.walk():
        if isinstance(node, (exp.Where, exp.Group, exp.Having, exp.Order, exp.Limit, exp.Join, exp.Distinct)):
            score += 2
        elif isinstance(node, (exp.Subquery, exp.CTE, exp.Window, exp.AggFunc)):
            score += 3
        elif isinstance(node, (exp.And, exp.Or, exp.Func)):
            score += 1
    return score


class ProposedQuery(BaseModel):
    sql: str = Field(min_length=8, max_length=1000)


class ProposedQueries(BaseModel):
    queries: list[ProposedQuery] = Field(min_length=1, max_length=12)


class ProposedQuestion(BaseModel):
    question: str = Field(min_length=5, max_length=600)


class ProposedSolve(BaseModel):
    sql: str = Field(min_length=8, max_length=1000)


#: candidates asked beyond ``n`` in the query step: a spare query costs ~40 tokens, a repair round
#: a whole new answer
SPARE_QUERIES = 2
#: batches of queries asked for one lesson written ahead (no time budget) when the questions for
#: the first batch do not all pass: the second asks for what is missing, with other examples
QUERY_PASSES = 2
QUESTION_TOKENS = 160      # one question, no hints (sqllab writes those: content/hints.py)
SOLVE_TOKENS = 200         # one query written from the question alone
#: solves asked per question in the round-trip check; the question passes when one grades correct
#: (1: in the first course runs every accepted question passed on its first solve, 13 of 13 en and
#: 5 of 5 ja, and a second solve never rescued one; it cost a request in every rejected round)
SOLVE_TRIES = 1
#: rounds of writing a question for one query (the first answer, then repairs with the checker's
#: or the round trip's problems)
QUESTION_ROUNDS = 3
_EXAMPLES: dict[str, dict[str, dict[str, list[str]]]] = {}   # version -> lang -> topic -> queries


EXAMPLES_SHOWN = 3


def topic_examples(topic: str, lang: str, seed: int | None = None) -> list[str]:
    """Example queries of ``topic`` on another schema, for the current exercise_sql version:
    prompts/exercise_sql/examples.<version>.toml, else examples.toml (v1). With ``seed``, the
    ``EXAMPLES_SHOWN`` the lesson's seed picks (in the file's order, easier first): the model copies
    its examples' shapes, so students with other seeds get other exercises, not only other data.
    Without, the whole list."""
    from ..llm.prompts import current_version, prompts_dir

    version = current_version("exercise_sql")
    if version not in _EXAMPLES:
        directory = prompts_dir() / "exercise_sql"
        path = directory / f"examples.{version}.toml"
        _EXAMPLES[version] = tomllib.loads((path if path.exists() else directory / "examples.toml").read_text("utf-8"))
    examples = list(_EXAMPLES[version][lang][topic])
    if seed is None or len(examples) <= EXAMPLES_SHOWN:
        return examples
    import random

    chosen = random.Random(f"{seed}:{topic}").sample(range(len(examples)), EXAMPLES_SHOWN)
    return [examples[i] for i in sorted(chosen)]


def _append(question: str, sentence: str) -> str:
    """``question`` with sqllab's ``sentence`` after it, once: a model that copied the sentence from
    its previous answer does not get it twice."""
    if sentence.strip() in question:
        return question
    return f"{question.rstrip()}{sentence}"


def _order_words(sql: str, lang: str) -> str:
    """How a question must say the rows are ordered (from the top-level ORDER BY), ja or en."""
    tree = _tree(sql)
    order = tree.args.get("order") if tree is not None else None
    if order is None:
        return i18n.t("gen.order_any", lang)
    keys = []
    for key in order.expressions:
        desc = bool(key.args.get("desc"))
        keys.append(i18n.t("gen.order_desc" if desc else "gen.order_asc", lang, key=key.this.sql("sqlite")))
    return i18n.t("gen.order_then", lang).join(keys)


def with_order(question: str, sql: str, lang: str) -> str:
    """``question`` with the answer's row order stated by sqllab when the question leaves it out
    (no order words, or an ORDER BY key such as the ``id`` tie-break unnamed): the bank's
    questions say it the same way, and without it no student can match an ordered answer."""
    tree = _tree(sql)
    order = tree.args.get("order") if tree is not None else None
    if order is None:
        return question
    text = _fold(question)
    keys = [key.this for key in order.expressions]
    named = all(isinstance(k, exp.Column) and _names_column(text, k.name) for k in keys)
    if (_ORDER_WORDS[lang].search(question) and named) or direction_mismatches(question, sql, lang):
        return question            # stated already, or stated wrong (check_question sends it back)
    return _append(question, i18n.t('gen.order_stated', lang, order=_order_words(sql, lang)))


def _names_column(text: str, column: str) -> bool:
    """Whether folded ``text`` names ``column``: as written, or in words ("join date" for
    joined_on). A wrong guess only leaves out sqllab's order sentence; the round trip still checks
    that the question leads to the answer's order."""
    name = _fold(column)
    if name in text or name.replace("_", " ") in text:
        return True
    words = [w for w in name.split("_") if len(w) >= 4 and w not in ("date", "name")]
    return bool(words) and all(w[:4] in text for w in words)


def with_constants(question: str, sql: str, lang: str) -> str:
    """``question`` with a wrong number put right by sqllab: when exactly one number constant of the
    answer is unstated and the question has exactly one number the answer does not use, that
    number is the constant misspelt (Qwen wrote 「1000点以上」 for ``points >= 950`` three rounds in
    a row). The round trip still checks the question that results."""
    missing = [m for m in unstated_constants(question, sql, lang) if re.fullmatch(r"-?\d+(?:\.\d+)?", m)]
    if len(missing) != 1:
        return question
    used = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", unicodedata.normalize("NFKC", sql))}
    numbers = list(re.finditer(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", question))     # (full-width digits too)
    strays = [m for m in numbers if float(unicodedata.normalize("NFKC", m.group(0))) not in used]
    if len(strays) != 1 or len(numbers) > 3:
        return question
    stray = strays[0]
    return question[:stray.start()] + missing[0] + question[stray.end():]


#: a simple condition in words, by comparison (``{col}``: the column as written, ``{v}``: the value)
_CONDITION_WORDS = {
    "en": {">=": "{col} is at least {v}", ">": "{col} is more than {v}", "<=": "{col} is at most {v}",
           "<": "{col} is less than {v}", "=": "{col} is {v}", "!=": "{col} is not {v}"},
    "ja": {">=": "{col} が {v} 以上", ">": "{col} が {v} より大きい", "<=": "{col} が {v} 以下",
           "<": "{col} が {v} 未満", "=": "{col} が {v}", "!=": "{col} が {v} 以外"},
}
_DATE_WORDS = {
    "en": {">=": "{col} is on or after {v}", ">": "{col} is after {v}", "<=": "{col} is on or before {v}",
           "<": "{col} is before {v}"},
    "ja": {">=": "{col} が {v} 以降", ">": "{col} が {v} より後", "<=": "{col} が {v} 以前", "<": "{col} が {v} より前"},
}
_CONDITION_OPS = {exp.GTE: ">=", exp.GT: ">", exp.LTE: "<=", exp.LT: "<", exp.EQ: "=", exp.NEQ: "!="}
_FLIPPED = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "=", "!=": "!="}
#: the vague phrase a question used for conditions sqllab now states (「指定された条件で」)
_VAGUE_CONDITIONS = {"en": re.compile(r"(?:the )?(?:given|specified) conditions?", re.I),
                     "ja": re.compile(r"指定(?:した|された)条件")}
_VAGUE_REPLACEMENT = {"en": "the condition below", "ja": "次の条件"}


def _condition_words(node: exp.Expression, lang: str) -> str | None:
    """``points >= 100`` as "points at least 100" (「points が 100 以上」): a column compared
    with one constant, else None."""
    op = _CONDITION_OPS.get(type(node))
    if op is None:
        return None
    left, right = node.this, node.expression
    if isinstance(left, exp.Literal) and isinstance(right, exp.Column):
        left, right, op = right, left, _FLIPPED[op]
    if not isinstance(left, exp.Column) or not isinstance(right, exp.Literal):
        return None
    value = right.this
    if right.is_string:
        if "%" in value or "_" in value and op not in ("=", "!="):
            return None
        dated = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", value)) and op in _DATE_WORDS[lang]
        words = _DATE_WORDS[lang] if dated else _CONDITION_WORDS[lang]
        shown = value if dated else f"「{value}」" if lang == "ja" else f"'{value}'"
    else:
        words, shown = _CONDITION_WORDS[lang], value
    return words[op].format(col=left.name, v=shown)


def _between_words(node: exp.Expression, lang: str) -> str | None:
    """``points BETWEEN 650 AND 1000`` as "points is at least 650 and at most 1000"."""
    if not isinstance(node, exp.Between) or not isinstance(node.this, exp.Column):
        return None
    low, high = node.args.get("low"), node.args.get("high")
    if not isinstance(low, exp.Literal) or not isinstance(high, exp.Literal):
        return None
    words = _CONDITION_WORDS[lang]
    joined = (words[">="].format(col=node.this.name, v=low.this) + ("、かつ " if lang == "ja" else " and ")
              + (words["<="].format(col=node.this.name, v=high.this).split(" is ", 1)[-1] if lang == "en"
                 else words["<="].format(col=node.this.name, v=high.this)))
    return joined


def with_conditions(question: str, sql: str, lang: str) -> str:
    """``question`` with the conditions whose constants it never states put into words by sqllab
    (Qwen wrote 「指定された条件で注文された製品の数」 for ``quantity >= 10`` three rounds in a
    row). Only simple conditions (a column against one constant), only when every unstated
    constant is covered and the question gives no number the answer lacks (that one is a wrong
    number: ``with_constants``, else the checks); the round trip checks what results."""
    missing = unstated_constants(question, sql, lang)
    tree = _tree(sql)
    if not missing or tree is None or foreign_numbers(question, sql):
        return question
    said: list[str] = []
    covered: set[str] = set()
    for literal, operand in _compared_literals(tree):
        shown = repr(literal.this) if literal.is_string else literal.this
        if shown not in missing:
            continue
        words = _condition_words(operand.parent, lang)
        if words is None:
            return question
        if words not in said:
            said.append(words)
        covered.add(shown)
    if covered != set(missing):
        return question
    text = _VAGUE_CONDITIONS[lang].sub(_VAGUE_REPLACEMENT[lang], question.rstrip())
    joined = ("、" if lang == "ja" else " and ").join(said)
    return _append(text, i18n.t('gen.conditions_stated', lang, conditions=joined))


#: an order phrase a question may carry for an answer that has none ("…, ordered by points in
#: descending order", 「ポイントの降順で」): sqllab takes it out (``without_order``)
_ORDER_PHRASE = {
    "en": re.compile(r",?\s*(?:and\s+)?(?:ordered|sorted|arranged|listed)\s+(?:by|in)\s+[^.;,]*?"
                     r"(?:\s+(?:in\s+)?(?:ascending|descending|alphabetical)\s+order)?(?=[.;]|$)", re.I),
    "ja": re.compile(r"、?[^、。をが]{0,20}?の?(?:昇順|降順|(?:大きい|小さい|高い|低い|多い|少ない|新しい|古い|早い|遅い|安い)順)"
                     r"(?:に|で)(?:並べ(?:替え)?て)?"),
}


def without_order(question: str, sql: str, lang: str) -> str:
    """``question`` without an order phrase when the answer has no ORDER BY at all: Qwen added
    "…, ordered by points in descending order" to a query without one three rounds in a row, and a
    student who follows it is not wrong, but is told to do what the answer does not."""
    if "ORDER BY" in " ".join(sql.upper().split()) or not _ASKS_ORDER[lang].search(question):
        return question
    cut = _ORDER_PHRASE[lang].sub("", question)
    if _ASKS_ORDER[lang].search(cut) or len(cut) < len(question) / 2:
        return question                     # not the simple phrase: the checks send it back
    return cut


def with_hidden_keys(question: str, sql: str, lang: str) -> str:
    """``question`` with a note by sqllab when the answer orders by a column it does not show: a
    reader told "then by customer ID" shows the id too (seen in the round trip on the embedded
    model, three rounds in a row), and the grader counts columns."""
    tree = _tree(sql)
    order = tree.args.get("order") if isinstance(tree, exp.Select) else None
    if order is None:
        return question
    shown = {e.alias_or_name for e in tree.expressions}
    hidden = list(dict.fromkeys(k.this.name for k in order.expressions if isinstance(k.this, exp.Column)
                                and "*" not in shown and k.this.name not in shown))
    if not hidden:
        return question
    return _append(question, i18n.t('gen.order_key_hidden', lang, keys=', '.join(hidden)))


def with_limit(question: str, sql: str, lang: str) -> str:
    """``question`` with the answer's row count stated by sqllab when it leaves out the LIMIT's
    number (a small model often writes "the top customers" for ``LIMIT 3``); the bank says it the
    same way. A LIMIT with an OFFSET (a page of rows) is left to the model and the checks."""
    tree = _tree(sql)
    limit = tree.args.get("limit") if tree is not None else None
    count = limit.expression if limit is not None else None
    offset = tree.args.get("offset") if tree is not None else None
    skip = offset.expression if offset is not None else None
    if (not isinstance(count, exp.Literal) or count.is_string
            or count.this not in unstated_constants(question, sql, lang)):
        return question
    if skip is not None:           # a page of rows: "3 rows after the first 3" (the model wrote "from the 4th")
        if not isinstance(skip, exp.Literal) or skip.is_string or not skip.is_int or not count.is_int:
            return question
        first, last = int(skip.this) + 1, int(skip.this) + int(count.this)
        numbers = set(re.findall(r"\d+", unicodedata.normalize("NFKC", question)))
        if {str(first), str(last)} <= numbers:
            return question        # "rows 4 to 6": the page is stated in the question's own words
        return _append(question, i18n.t('gen.page_stated', lang, n=count.this, skip=skip.this))
    return _append(question, i18n.t('gen.limit_stated', lang, n=count.this))


#: how a question says that rows without a match are kept ("customers with no orders", 「注文のない顧客も」)
_UNMATCHED_SAID = {
    "en": re.compile(r"\b(?:with no|without|have no|has no|haven't|hasn't|never|even (?:if|those|when)|"
                     r"includ\w*|also those|as well|zero|0)\b", re.I),
    "ja": re.compile(r"(?:ない|無い)[^。]{0,12}も|含め|含む|0 ?件|ゼロ|0 ?(?:個|人|回|冊|本)"),
}


def _table_label(db: Path, table: str, lang: str) -> str:
    """A lesson table's label in ``lang`` (「顧客」 for customers on the shop), else its name."""
    names = set(_schema_tables(db))
    for theme in THEMES:
        labels = theme_labels(theme, lang)
        if set(labels.tables.values()) == names:
            for role, name in labels.tables.items():
                if name == table:
                    return labels.table_labels[role]
    return table


def _schema_tables(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                          "AND name NOT LIKE 'sqlite_%'")]
    finally:
        con.close()


_SHOW_ONE = re.compile(r"([^。、がでより]{1,20}（[A-Za-z_][A-Za-z_0-9]*）)を表示してください。")


def one_instruction(question: str, lang: str) -> str:
    """A Japanese question's run of one-column instructions made one: the embedded model writes
    「名前（name）を表示してください。都市（city）を表示してください。…」 for the columns it is told to
    name; a teacher writes 「名前（name）、都市（city）を表示してください。」. Only a run of two or more
    sentences that each show one labelled column; the rest of the question is kept as written."""
    if lang != "ja":
        return question
    out, pos = [], 0
    for run in re.finditer(r"(?:" + _SHOW_ONE.pattern + r"){2,}", question):
        labels = [m.group(1) for m in _SHOW_ONE.finditer(run.group(0))]
        out += [question[pos:run.start()], "、".join(labels) + "を表示してください。"]
        pos = run.end()
    return "".join(out) + question[pos:] if out else question


_PATTERN_WORDS = {"en": {"start": "starting with '{x}'", "end": "ending with '{x}'", "in": "containing '{x}'"},
                  "ja": {"start": "「{x}」で始まる", "end": "「{x}」で終わる", "in": "「{x}」を含む"}}


def with_pattern_words(question: str, sql: str, lang: str) -> str:
    """A LIKE pattern the question quotes as it is (「名前が '佐%' の顧客」: a student may compare
    with '佐%' itself) put into words by sqllab (「名前が「佐」で始まる顧客」, "starting with 'A'")."""
    tree = _tree(sql)
    if tree is None:
        return question
    for like in tree.find_all(exp.Like):
        pattern = like.expression
        if not isinstance(pattern, exp.Literal) or not pattern.is_string:
            continue
        value = pattern.this
        core = value.strip("%")
        if not core or "%" in core or "_" in core or value == core:
            continue
        kind = "in" if value.startswith("%") and value.endswith("%") else "end" if value.startswith("%") else "start"
        words = _PATTERN_WORDS[lang][kind].format(x=core)
        lead = (r"\s*" if lang == "ja" else
                r"(?:\b(?:is |are )?(?:like|matching|matches|that match(?:es)?|contains?|containing|starts? with|"
                r"starting with|ends? with|ending with)\s+)?")
        quoted = re.compile(lead + r"(?:'|「|\"|“)" + re.escape(value) + r"(?:'|」|\"|”)" + (r"\s*の?" if lang == "ja" else ""))
        finite = {"start": "starts with '{x}'", "end": "ends with '{x}'", "in": "contains '{x}'"}[kind].format(x=core)

        def worded(match: re.Match) -> str:      # "whose name contains '%A%'" keeps its verb's form
            lead_text = match.group(0).split("'")[0].split('"')[0].strip().lower()
            verb = lead_text.split()[0] if lead_text else ""
            return finite if lang == "en" and verb in ("is", "are", "contains", "contain", "starts", "start",
                                                        "ends", "end", "matches", "match", "that") else words

        question = quoted.sub(worded, question)
    return question


_COUNT_WORDS = frozenset({"件数", "人数", "個数", "合計", "平均", "総数", "行数"})
#: the part of a Japanese question that says what to show (「山武市の顧客の名前、ポイント、都市を表示してください」)
_SHOWN_SEGMENT = re.compile(r"([^。]*?)を表示してください")


def unshown_columns_asked(question: str, sql: str, db: Path | None, lang: str) -> list[str]:
    """Columns a Japanese question asks to show that the answer does not show: 「…名前、ポイント、都市を
    表示してください。…表示する列は name, points（この順）です。」 asks for a city the answer leaves out
    (the round trip's reader followed sqllab's sentence; a student who follows the first one is
    marked wrong). Only items that name a column of the lesson's tables count."""
    if lang != "ja" or db is None:
        return []
    try:
        shown = {c.casefold() for c in run_query(db, sql, lang="en", max_rows=1).columns}
    except QueryError:
        return []
    tree = _tree(sql)       # a column a computed one shows (COALESCE(city, '不明') AS city_label) counts too
    if isinstance(tree, exp.Select):
        shown |= {c.name.casefold() for e in tree.expressions for c in e.find_all(exp.Column)}
    columns = _table_columns(db)
    words = _column_words(lang)
    by_word: dict[str, set[str]] = collections.defaultdict(set)
    for column in columns:
        by_word[_fold(column)].add(column)
        for word in words.get(column, ()):
            by_word[_fold(word)].add(column)
    found = []
    for segment in _SHOWN_SEGMENT.finditer(question):
        listed = re.split(r"の", segment.group(1))[-1]
        for item in re.split(r"[、,，・]|と", listed):
            item = re.sub(r"（[^）]*）|\([^)]*\)", "", item).strip()
            if len(item) < 2 or item in _COUNT_WORDS:       # 「その数を表示」: a count, not quantity
                continue
            hits = by_word.get(_fold(item), set())
            if len(hits) == 1 and not (hits & shown) and (hit := next(iter(hits))).casefold() not in shown:
                found.append(f"the question asks to show {item} ({hit}), which the answer does not show: "
                             "ask only for the columns it shows")
    return list(dict.fromkeys(found))


def with_unmatched(question: str, sql: str, db: Path, lang: str) -> str:
    """``question`` with a sentence by sqllab when the answer is a LEFT JOIN that keeps rows without
    a match and the question never says so: "the names of customers and the number of orders they
    have placed" reads fairly as an inner join (a reader on the embedded model wrote one, two rounds
    in a row, and the third round's reader let the question through). Only when the inner join
    gives other rows on the lesson's data; the round trip checks what results."""
    tree = _tree(sql)
    if not isinstance(tree, exp.Select) or _UNMATCHED_SAID[lang].search(question):
        return question
    joins = [j for j in tree.args.get("joins") or [] if (j.side or "").upper() == "LEFT"]
    source = tree.args.get("from_")
    if len(joins) != 1 or source is None or not isinstance(source.this, exp.Table) \
            or not isinstance(joins[0].this, exp.Table):
        return question
    inner = tree.copy()
    for j in inner.args.get("joins") or []:
        if (j.side or "").upper() == "LEFT":
            j.set("side", None)
    try:
        kept = run_query(db, sql, lang="en", max_rows=5000).rows
        dropped = run_query(db, inner.sql(dialect="sqlite"), lang="en", max_rows=5000).rows
    except QueryError:
        return question
    if collections.Counter(map(repr, kept)) == collections.Counter(map(repr, dropped)):
        return question
    left = _table_label(db, source.this.name, lang)
    right = _table_label(db, joins[0].this.name, lang)
    counted = any(isinstance(n, exp.Count) for e in tree.expressions for n in e.walk())
    key = "gen.unmatched_counted" if counted else "gen.unmatched_kept"
    return _append(question, i18n.t(key, lang, left=left, right=right))


def with_columns(question: str, sql: str, db: Path, lang: str) -> str:
    """``question`` with the answer's columns listed by sqllab when it leaves one of them unnamed
    (a small model writes "the customers below the average" for ``SELECT name, points``). A SELECT
    of plain table columns and named computed ones (``COUNT(o.id) AS orders``) is completed; a
    column used elsewhere (a condition, an aggregate) is left to the model and the checks, and the
    round trip checks what results."""
    tree = _tree(sql)
    if not isinstance(tree, exp.Select) or not tree.expressions:
        return question
    shown, plain = [], []
    for expression in tree.expressions:
        if isinstance(expression, exp.Column) and expression.name != "*":
            shown.append(expression.name)
            plain.append(expression.name)
        elif isinstance(expression, exp.Alias) and not isinstance(expression.this, exp.Column):
            shown.append(expression.alias)      # a computed column, by its name (COUNT(o.id) AS orders)
        else:
            return question
    missing = unnamed_columns(question, sql, db, lang)
    if not missing or not set(missing) <= set(plain):
        return question
    return _append(question, i18n.t('gen.columns_stated', lang, columns=', '.join(shown)))


def with_used_columns(question: str, sql: str, db: Path, lang: str) -> str:
    """``question`` with the columns it leaves unnamed but the answer filters, groups or sorts by
    listed by sqllab (「所在地」 for ``city`` is fine for a reader who sees the tables, but no check
    can tell it from a question about another column); sending it back cost the model a whole
    round. The round trip checks what results."""
    missing = unnamed_columns(question, sql, db, lang)
    if not missing:
        return question
    return _append(question, i18n.t('gen.columns_used', lang, columns=', '.join(missing)))


QUERY_ROUND_S = 30.0       # a round of reference queries on 2 cores (about 300 tokens)
QUESTION_S = 12.0          # one question and its hints (about 80 tokens)


class _Clock:
    """Seconds left before the job's budget (``progress.budget_s``, READY_BUDGET_S for the open
    lesson): on the lesson job's clock when there is one. Content written ahead has no budget."""

    def __init__(self, progress: GenerationProgress | None) -> None:
        self.progress = progress
        self.started = time.monotonic()
        self.budget = progress.budget_s if progress is not None else READY_BUDGET_S

    def allows(self, seconds: float) -> bool:
        if self.budget is None:
            return True
        elapsed = self.progress.elapsed if self.progress is not None else time.monotonic() - self.started
        if elapsed + seconds <= self.budget:
            return True
        log.info("no time for another request (%.0f s elapsed, about %.0f s more needed, budget %.0f s)",
                 elapsed, seconds, self.budget)
        return False


async def _llm_exercises(client: Any, db: Path, topic: str, n: int, lang: str, seed: int,
                         difficulty: str, progress: GenerationProgress | None = None) -> list[Exercise]:
    """Exercises in two steps, each checked before the next: the reference queries first (sqllab
    runs them: topic, rows, ties, ambiguity), then one question per query that passed, told the
    constants, columns and order it must state. A small model translates a query into a question
    far more reliably than it invents both at once (docs/results.md). Repairs and further questions
    stop when they would end past READY_BUDGET_S."""
    clock = _Clock(progress)
    kept: list[Exercise] = []
    tried: set[str] = set()         # shapes of the queries that got a question (or failed to)
    # content written ahead (no budget) asks for more queries when questions fail on the first ones
    passes = 1 if clock.budget is not None else QUERY_PASSES
    k = 0
    for pass_no in range(passes):
        if pass_no and not clock.allows(QUERY_ROUND_S):
            break
        queries = await _reference_queries(client, db, topic, n - len(kept) if pass_no else n, lang,
                                           seed + 1000 * pass_no, difficulty, progress, clock, avoid=tried)
        for sql in queries:
            if len(kept) >= n or not clock.allows(QUESTION_S):
                break
            k += 1
            tried.add(query_shape(sql))
            if progress is not None:
                progress.set("questions", len(kept) + 1, n)
            exercise = await _question_for(client, db, sql, topic, lang, seed + k, difficulty, progress, clock)
            if exercise is not None:
                kept.append(exercise)
        if len(kept) >= n or not queries or pass_no + 1 == passes:
            break
        log.info("%d of %d questions on %s passed: asking for other queries", len(kept), n, topic)
    return kept


async def _reference_queries(client: Any, db: Path, topic: str, n: int, lang: str, seed: int,
                             difficulty: str, progress: GenerationProgress | None,
                             clock: _Clock | None = None, avoid: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Up to ``n + SPARE_QUERIES`` distinct queries on ``topic`` that pass ``check_reference``,
    none of the same shape as another or as one in ``avoid`` (``query_shape``)."""
    variables = {"schema": _schema_text(db), "topic": TOPIC_WORDS[topic],
                 "examples": "\n".join(topic_examples(topic, lang, seed)), "n": n + SPARE_QUERIES,
                 "difficulty": PROBLEM_LEVEL.get(difficulty, difficulty)}
    good: list[str] = []
    seen: set[str] = set(avoid)     # shapes of the kept queries (and of those to avoid)
    failed: dict[str, str] = {}     # queries sent back, and why
    previous, problems = None, None
    rounds = REPAIR_ROUNDS if clock is None or clock.budget is not None else REPAIR_ROUNDS + 1
    for round_no in range(rounds):
        if round_no and clock is not None and not clock.allows(QUERY_ROUND_S):
            break
        if progress is not None:
            progress.set("repair" if round_no else "exercises", round_no, n)
        if round_no and problems is None:   # a new request: only what is missing (and a spare), other examples
            request = {**variables, "n": n - len(good) + 1,
                       "examples": "\n".join(topic_examples(topic, lang, seed + round_no))}
        elif not round_no:
            request = variables
        # (a repair continues the conversation of the request it repairs: the same request text)
        try:
            batch = await _ask_json(client, "exercise_sql", lang, request, ProposedQueries, seed=seed + round_no,
                                    temperature=0.3 + 0.2 * round_no,
                                    max_tokens=_exercise_tokens(min(request["n"], n - len(good) + 1)),
                                    previous=previous, problems=problems, progress=progress)
        except LLMError as exc:
            if not hasattr(exc, "raw_text"):
                raise
            previous, problems = _raw(exc), _problems_of(exc)
            continue
        problems, sent_back, changed = [], [], False
        for proposal in batch.queries:
            sql = proposal.sql.strip().rstrip(";").strip()
            shape = query_shape(sql)
            if shape in seen:       # the same query as a kept one up to columns, constants, comparison
                sent_back.append(sql)
                problems.append(f"query {len(sent_back)} repeats an earlier query with another constant "
                                "or comparison: write another query")
                continue
            if sql in failed:       # sent back already, unchanged
                sent_back.append(sql)
                problems.append(f"query {len(sent_back)} is unchanged: {failed[sql]}")
                continue
            changed = True
            if progress is not None:
                progress.set("checking", len(good) + 1, n)
            found = await asyncio.to_thread(check_reference, db, sql, topic)
            if found:               # sqllab's own repair first: a minute saved per round it spares
                mended = await asyncio.to_thread(mend_reference, db, sql, topic, check_reference, found)
                if mended is not None and query_shape(mended[0]) not in seen:
                    log.info("query on %s mended by sqllab (%s): %s -> %s", topic, ", ".join(mended[1]),
                             sql[:160], mended[0][:160], extra={"mended": True, "topic": topic})
                    seen.add(query_shape(mended[0]))
                    good.append(mended[0])
                    continue
            if found:               # (its repair, another constant say, may come back with the same shape)
                failed[sql] = found[0]
                sent_back.append(sql)
                problems += [f"query {len(sent_back)}: {p}" for p in found]
            else:
                seen.add(shape)
                good.append(sql)
        if len(good) >= n:
            break
        log.info("queries on %s sent back (round %d): %s", topic, round_no, "; ".join(problems)[:600])
        if not changed or not sent_back:
            # the model gave back what it had (or nothing to repair): a new request, not a repair
            previous, problems = None, None
            continue
        # the repair shows only the queries sent back; the kept ones are not written again
        previous = json.dumps({"queries": [{"sql": q} for q in sent_back]}, ensure_ascii=False)
        problems.append(f"{n - len(good)} more queries are needed: fix these or write new ones, unlike "
                        "the ones already kept (other columns, other conditions, another idea of the topic)")
    return good


async def _question_for(client: Any, db: Path, sql: str, topic: str, lang: str, seed: int, difficulty: str,
                        progress: GenerationProgress | None, clock: _Clock | None = None) -> Exercise | None:
    """The question for one verified ``sql``, or None when it never passes.

    A question passes sqllab's checks on what it says (``check_question``) and then the round trip
    (``round_trip``): a query written from the tables and the question alone must grade equal to
    ``sql``. What fails goes back with the problems, for up to ``QUESTION_ROUNDS`` rounds."""
    names = [] if topic == "modify" else run_query(db, sql, lang="en", max_rows=1).columns
    columns = ", ".join(names) if names else "-"
    variables = {"schema": _schema_text(db), "sql": sql,      # the opening every exercise prompt shares
                 "columns": shown_columns_text(sql, db, names) if names else "-",
                 "used": named_columns_text(sql, db, lang) or i18n.t("gen.no_constants", lang),
                 "constants": "; ".join(compared_conditions(sql, lang)) or i18n.t("gen.no_constants", lang),
                 "order": _order_words(sql, lang)}
    previous, problems = None, None
    asked: dict[str, list[str]] = {}    # each question tried (with sqllab's additions), and why it failed
    for round_no in range(QUESTION_ROUNDS):
        if round_no and clock is not None and not clock.allows(QUESTION_S + SOLVE_S):
            break
        try:
            proposal = await _ask_json(client, "exercise_question", lang, variables, ProposedQuestion,
                                       seed=seed + round_no, temperature=0.2 + 0.3 * round_no,
                                       max_tokens=QUESTION_TOKENS,
                                       previous=previous, problems=problems, progress=progress)
        except LLMError as exc:
            if not hasattr(exc, "raw_text"):
                raise
            previous, problems = _raw(exc), _problems_of(exc)
            continue
        question = with_pattern_words(one_instruction(proposal.question, lang), sql, lang)
        question = with_conditions(with_constants(without_order(question, sql, lang), sql, lang), sql, lang)
        question = with_hidden_keys(with_columns(with_limit(with_order(question, sql, lang), sql, lang),
                                                 sql, db, lang), sql, lang)
        question = with_unmatched(with_used_columns(question, sql, db, lang), sql, db, lang)
        if question in asked:       # the same question again: the same checks and the same reader
            problems = asked[question] + ["this is the question you wrote before, word for word: write it "
                                          "differently, so that it says what the answer does"]
            log.info("question for %s came back unchanged (round %d)", sql[:80], round_no)
            previous = json.dumps({"question": question}, ensure_ascii=False)
            continue
        exercise = _exercise(ProposedExercise(question=question, reference_sql=sql, difficulty=difficulty),
                             topic, lang, difficulty)
        problems = await asyncio.to_thread(check_question, exercise, db)
        if not problems:
            trip = await round_trip(client, db, exercise, seed=seed + 100 * round_no, progress=progress,
                                    clock=clock)
            if trip.accepted:
                return exercise
            if columns != "-" and (columns_only(trip.solves)
                                   or await asyncio.to_thread(rows_right, db, sql, trip.solves)):
                # the reader got the rows right but not the columns: sqllab lists them, and asks again
                listed = _append(question, i18n.t('gen.columns_stated', lang, columns=columns))
                exercise = exercise.model_copy(update={"question": listed})
                if not await asyncio.to_thread(check_question, exercise, db):
                    trip = await round_trip(client, db, exercise, seed=seed + 100 * round_no + 50,
                                            progress=progress, clock=clock)
                    if trip.accepted:
                        return exercise
            problems = trip.problems
        asked[question] = problems
        log.info("question for %s sent back (round %d): %s [%s]", sql[:80], round_no,
                 "; ".join(problems)[:400], question[:200])
        previous = json.dumps({"question": question}, ensure_ascii=False)
    return None


SOLVE_S = 15.0             # one solve in the round trip (about 60 tokens after the schema)


@dataclass
class RoundTrip:
    """The round-trip check of one question: the queries a reader wrote from it and their verdicts."""

    accepted: bool
    solves: list[tuple[str, Any]]          # (sql, Verdict) per try; an unusable answer is left out
    problems: list[str]                    # for the repair prompt (English), when not accepted


async def round_trip(client: Any, db: Path, exercise: Exercise, *, seed: int, tries: int | None = None,
                     progress: GenerationProgress | None = None, clock: _Clock | None = None) -> RoundTrip:
    """Does ``exercise.question`` mean ``exercise.reference_sql``? The model, told the tables (with
    sample rows) and the question only, never the reference, writes the query that answers it;
    sqllab grades that query against the reference on the visible and the hidden databases. The
    question passes when one of ``tries`` solves is accepted. Otherwise the problems say what a
    reader wrote and where it differs, for the question's repair. (This is the cycle-consistency
    filter of text-to-SQL data synthesis, made exact by the grader.)"""
    from ..grading import grade

    variables = {"schema": _schema_text(db), "question": exercise.question}
    solves: list[tuple[str, Any]] = []
    for k in range(SOLVE_TRIES if tries is None else tries):
        if clock is not None and not clock.allows(SOLVE_S):
            break
        try:
            answer = await _ask_json(client, "exercise_solve", exercise.lang, variables, ProposedSolve,
                                     seed=seed + k, temperature=0.0 if k == 0 else 0.6,
                                     max_tokens=SOLVE_TOKENS, progress=progress)
        except LLMError as exc:
            if not hasattr(exc, "raw_text"):
                raise
            continue
        solved = answer.sql.strip().rstrip(";").strip()
        verdict = await asyncio.to_thread(grade, db, exercise.reference_sql, solved, lang="en")
        solves.append((solved, verdict))
        if verdict.correct:
            log.info("round trip accepted (%s, %s) after %d solve(s)", exercise.lang, exercise.topic, len(solves),
                     extra={"round_trip": True, "lang": exercise.lang, "topic": exercise.topic})
            return RoundTrip(True, solves, [])
    log.info("round trip rejected (%s, %s): %s", exercise.lang, exercise.topic,
             " | ".join(" ".join(sql.split())[:120] for sql, _ in solves) or "no usable solve",
             extra={"round_trip": False, "lang": exercise.lang, "topic": exercise.topic})
    return RoundTrip(False, solves, _round_trip_problems(solves))


def columns_only(solves: list[tuple[str, Any]]) -> bool:
    """Did the readers get the rows right but not the columns? At least one solve differs only in
    its columns (their number or order) and none differs otherwise (a solve that fails to run,
    say on a column it invented, does not count against it)."""
    kinds = [v.diff.kind if v.diff is not None else None for _, v in solves if v.status == "wrong_result"]
    return bool(kinds) and all(k in ("column_count", "column_order") for k in kinds)


def rows_right(db: Path, reference_sql: str, solves: list[tuple[str, Any]]) -> bool:
    """Did a reader pick the right rows but show other columns (``city, points`` for ``id, city``,
    ``points`` for ``points * 2 AS double_points``)? True when a wrong solve, given the reference's
    SELECT list in place of its own, grades equal to the reference: sqllab then lists the columns
    and the reader reads again (one solve), instead of a whole round for the question."""
    from ..grading import grade

    reference = _tree(reference_sql)
    if not isinstance(reference, exp.Select):
        return False
    for sql, verdict in solves:
        if verdict.status != "wrong_result":
            continue
        tree = _tree(sql)
        if not isinstance(tree, exp.Select) or tree.args.get("group") is not None \
                or reference.args.get("group") is not None:
            continue
        swapped = tree.copy()
        swapped.set("expressions", [e.copy() for e in reference.expressions])
        swapped.set("distinct", reference.args.get("distinct"))
        if reference.args.get("order") is None:
            swapped.set("order", None)
        try:
            if grade(db, reference_sql, swapped.sql(dialect="sqlite"), lang="en").correct:
                return True
        except SQLLabError:
            continue
    return False


def _round_trip_problems(solves: list[tuple[str, Any]]) -> list[str]:
    wrong = [(sql, v) for sql, v in solves if v.status == "wrong_result"]
    if not wrong:
        return ["a reader who saw only the tables and this question could not write a query for it: "
                "write it as one plain instruction that says what to show, from which rows, in which order"]
    sql, verdict = wrong[0]
    differs = " ".join(verdict.message_in("en", example=False).split())[:400]
    return [f"a reader who saw only the tables and this question wrote: {' '.join(sql.split())[:300]} - "
            f"its result differs from the answer's: {differs} Say in the question what the answer does "
            "that the question does not (a condition, a column, the order, DISTINCT, NULL, a rank or a count), "
            "and nothing the answer does not do"]


# --- a lesson's content -----------------------------------------------------------------------

@dataclass
class GeneratedContent:
    """A lesson's dataset and exercises as generated, and what the student is told about them."""

    dataset: Dataset
    exercises: list[Exercise]
    notice: str

    @property
    def llm_exercises(self) -> int:
        return sum(e.source == "llm" for e in self.exercises)


def generate_content(theme: str, counts: dict[str, int], *, lang: str, seed: int, difficulty: str = "easy",
                     client: Any = None, progress: GenerationProgress | None = None) -> GeneratedContent:
    """A dataset and ``counts[topic]`` exercises per topic: always the number asked.

    LLM exercises first, the bank fills the rest and the notice says so. When the LLM wrote a
    whole dataset of its own shape but not every exercise for it, the bank cannot fill in, so
    the lesson uses a dataset of the offline shape (named by the LLM when it can) instead.
    """
    lang = i18n.normalize_lang(lang)
    topics = tuple(t for t, k in counts.items() if k > 0)
    dataset = generate_dataset(theme, lang=lang, seed=seed, difficulty=difficulty, client=client,
                               topics=topics, progress=progress)
    exercises = _exercises_for(dataset, counts, lang, seed, difficulty, client, progress)
    wanted = sum(counts.values())
    if len(exercises) < wanted:
        log.info("the bank cannot fill %s: using a dataset of the offline shape", dataset.title)
        try:
            dataset = _named_or_offline(_client(client), theme, lang, seed, difficulty, progress,
                                        _notice("gen.dataset_unfillable", lang))
        except SQLLabError:
            dataset = _offline(theme, lang, seed, difficulty, _notice("gen.dataset_unfillable", lang))
        exercises = _exercises_for(dataset, counts, lang, seed, difficulty, client, progress)
    llm = sum(e.source == "llm" for e in exercises)
    notice = dataset.notice
    if llm < len(exercises):
        key = "gen.exercises_bank_filled" if llm else "gen.exercises_bank"
        notice = " ".join(x for x in (notice, _notice(key, lang, llm=llm, total=len(exercises))) if x)
    return GeneratedContent(dataset, exercises, notice)


def _exercises_for(dataset: Dataset, counts: dict[str, int], lang: str, seed: int, difficulty: str,
                   client: Any, progress: GenerationProgress | None) -> list[Exercise]:
    out: list[Exercise] = []
    for topic, n in counts.items():
        if n > 0:
            out += generate_exercises(dataset, topic, n=n, lang=lang, seed=seed, difficulty=difficulty,
                                      client=client, progress=progress)
    return out


def question_for_query(db: str | Path, sql: str, topic: str, *, lang: str, seed: int = 0, difficulty: str = "easy",
                       client: Any = None, progress: GenerationProgress | None = None) -> Exercise | None:
    """The model's question for a reference query sqllab chose (``sql``, on ``db``), verified as
    every LLM exercise is: sqllab's checks of what it says and the round trip (``_question_for``);
    None when it never passes. ``progress.budget_s`` bounds the repair rounds (Practise this)."""
    return _run(_question_for(_client(client), Path(db), sql, topic, i18n.normalize_lang(lang), seed, difficulty,
                              progress, _Clock(progress)))
