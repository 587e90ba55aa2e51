"""Decide whether a student's SQL is correct: on the visible database and on hidden variants.

``grade(db, reference_sql, student_sql)`` returns a :class:`Verdict`; it never raises for a
bad student query. A :class:`Grader` builds the variant databases once per (database checksum,
reference) and is cached, so grading a whole class (``grade_many``) pays for them once.
The verdict's ``diff`` says what differs, on which kind of data, with a small counterexample,
so LLM feedback can be grounded in it; nothing in a verdict contains the reference query.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from . import i18n
from .compare import Difference, Expected, OrderSpec, compare, make_expected, order_spec
from .errors import ForbiddenQueryError, QueryError, QueryTimeoutError, SQLLabError
from .neighbours import DIALECT, neighbour_queries, parse
from .sandbox import (
    WRITE_KEYWORDS,
    _connection,
    copy_to_memory,
    main_keyword,
    modify,
    quote_ident,
    run_query,
    snapshot,
)
from .variants import KINDS, Variant, candidate_variants, read_schema, select_variants

Status = Literal["correct", "wrong_result", "error", "timeout", "forbidden"]
MAX_ROWS = 20_000
SAMPLE_ROWS = 5


# --- public models -----------------------------------------------------------------------

class TableSample(BaseModel):
    """A few rows shown to a student (values made printable)."""

    name: str | None = None
    columns: list[str]
    rows: list[list[Any]]


class Counterexample(BaseModel):
    """Rows of the variant that matter, and the rows on which expected and got differ."""

    inputs: list[TableSample] = Field(default_factory=list)
    expected: TableSample
    got: TableSample


class Diff(BaseModel):
    """What differs, grounded in data: the LLM feedback is built from this, never from the reference."""

    kind: str = Field(description="main difference: row_count, missing_rows, extra_rows, column_count, "
                                  "column_order, ordering, duplicates, null_handling, value")
    kinds: list[str]
    variant: str = Field(description="'visible' or the kind of hidden data that exposed it")
    expected_rows: int
    got_rows: int
    expected_columns: int
    got_columns: int
    missing_rows: int = 0
    extra_rows: int = 0
    table: str | None = Field(None, description="for INSERT/UPDATE/DELETE: the table whose state differs")
    error_key: str | None = Field(None, description="kind 'error': the answer fails on this variant")
    error_params: dict[str, Any] = Field(default_factory=dict)
    counterexample: Counterexample | None = None


class Verdict(BaseModel):
    correct: bool
    status: Status
    message: str
    lang: str = "en"
    diff: Diff | None = None
    error_key: str | None = None
    error_params: dict[str, Any] = Field(default_factory=dict)
    variants_checked: int = 0

    def message_in(self, lang: str) -> str:
        """The same verdict explained in another language."""
        if self.error_key:
            return i18n.t(self.error_key, lang, **self.error_params)
        if self.diff is not None:
            return render_message(self.diff, lang)
        if not self.correct:
            return self.message
        return i18n.t("sql.grade.correct", lang, variants=self.variants_checked)


# --- the grader --------------------------------------------------------------------------

@dataclass
class _Case:
    name: str                       # "visible" or the variant kind
    conn: sqlite3.Connection
    expected: Expected | dict[str, Expected]
    variant: Variant | None = None


class Grader:
    """The visible database and the hidden variants for one reference, with expected results."""

    def __init__(self, db: Any, reference_sql: str, *, timeout_s: float = 2.0, max_variants: int = 12,
                 seed: int | str = 0) -> None:
        self.reference_sql = reference_sql
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        with _connection(db, lang="en") as src:
            self.visible = copy_to_memory(src)
        self.checksum = hashlib.sha256(self.visible.serialize()).hexdigest()
        self.dml = main_keyword(reference_sql) in WRITE_KEYWORDS
        self.spec = None if self.dml else order_spec(reference_sql)
        try:
            visible_expected = self._expected(self.visible)
        except SQLLabError as exc:
            if self.spec is not None and self.spec.key_sql != reference_sql:
                self.spec = OrderSpec(key_sql=reference_sql, strict=True)   # key query did not run
                visible_expected = self._expected(self.visible)
            else:
                raise QueryError(key="sql.grade.reference_failed", lang=exc.lang,
                                 detail=exc.message_in("en")) from None
        self.cases = [_Case("visible", self.visible, visible_expected)]
        if max_variants > 0:
            self.cases += self._build_variants(max_variants, seed)

    # building ----------------------------------------------------------------------------

    def _expected(self, conn: sqlite3.Connection) -> Expected | dict[str, Expected]:
        if self.dml:
            return {name: Expected(r.columns, r.rows) for name, r in _dml_state(conn, self.reference_sql,
                                                                               self.timeout_s).items()}
        spec = self.spec
        result = run_query(conn, spec.key_sql if spec else self.reference_sql, timeout_s=self.timeout_s,
                           max_rows=MAX_ROWS)
        full = None
        if spec is not None and spec.full_sql:
            full = run_query(conn, spec.full_sql, timeout_s=self.timeout_s, max_rows=MAX_ROWS).rows
        return make_expected(result.columns, result.rows, spec, full)

    def _build_variants(self, most: int, seed: int | str) -> list[_Case]:
        candidates = candidate_variants(self.visible, self.reference_sql, seed=seed)
        schema = read_schema(self.visible)
        count_schema = {t.name: t.pk + [c.name for c in t.columns if not c.notnull and not c.pk]
                        for t in schema.values()}
        neighbours = self._useful_neighbours(neighbour_queries(self.reference_sql, schema=count_schema))
        cases: list[_Case] = []
        kills: list[set[int]] = []
        for variant in candidates:
            try:
                expected = self._expected(variant.conn)
            except SQLLabError:
                variant.conn.close()
                continue
            case = _Case(variant.kind, variant.conn, expected, variant)
            killed = {i for i, sql in enumerate(neighbours) if self._differs(case, sql)}
            cases.append(case)
            kills.append(killed)
        keep = set(select_variants([c.variant for c in cases], kills, most=most))
        for i, case in enumerate(cases):
            if i not in keep:
                case.conn.close()
        return [c for i, c in enumerate(cases) if i in keep]

    def _useful_neighbours(self, neighbours: list[str]) -> list[str]:
        """Neighbours that run and that the visible database does not already tell apart."""
        visible = self.cases[0]
        tree = parse(self.reference_sql)
        if tree is None or self._differs(visible, tree.sql(dialect=DIALECT)):
            return []           # sqlglot's round trip changes the meaning: its neighbours are unreliable
        return [sql for sql in neighbours if not self._differs(visible, sql)]

    def distinguishes(self, sql: str) -> bool:
        """Whether the visible database or a hidden variant tells ``sql`` apart from the reference."""
        with self._lock:
            return any(self._differs(case, sql) for case in self.cases)

    def _differs(self, case: _Case, sql: str) -> bool:
        try:
            outcome = self._outcome(case.conn, sql, timeout_s=min(self.timeout_s, 0.5))
        except SQLLabError:
            return True
        return _diff(case.expected, outcome) is not None

    def _outcome(self, conn: sqlite3.Connection, sql: str, *, timeout_s: float,
                 lang: str | None = None) -> tuple[list[str], list[tuple]] | dict[str, tuple[list[str], list[tuple]]]:
        if self.dml:
            return {n: (r.columns, r.rows) for n, r in _dml_state(conn, sql, timeout_s, lang).items()}
        result = run_query(conn, sql, timeout_s=timeout_s, max_rows=MAX_ROWS, lang=lang)
        return result.columns, result.rows

    # grading -----------------------------------------------------------------------------

    def grade(self, student_sql: str, *, lang: str = "en", timeout_s: float | None = None) -> Verdict:
        """The verdict on one student query; never raises for anything the student wrote."""
        lang = i18n.normalize_lang(lang)
        timeout = timeout_s or self.timeout_s
        found: list[tuple[_Case, Difference | tuple[str, Difference], Any]] = []
        with self._lock:
            for case in self.cases:
                try:
                    outcome = self._outcome(case.conn, student_sql, timeout_s=timeout, lang=lang)
                except Exception as exc:  # noqa: BLE001 - a verdict, never a crash
                    if not isinstance(exc, SQLLabError):
                        exc = QueryError(key="sql.error", lang=lang, detail=str(exc))
                    if case.name == "visible" or isinstance(exc, QueryTimeoutError):
                        return _error_verdict(exc, lang, len(self.cases) - 1)
                    found.append((case, exc, None))    # runs on the visible data, fails on a variant
                    continue
                difference = _diff(case.expected, outcome)
                if difference is not None:
                    found.append((case, difference, outcome))
                    if case.name == "visible":
                        break
            if not found:
                return Verdict(correct=True, status="correct", lang=lang, variants_checked=len(self.cases) - 1,
                               message=i18n.t("sql.grade.correct", lang, variants=len(self.cases) - 1))
            case, difference, outcome = min(found, key=_explanatory)
            diff = self._describe(case, difference, outcome, student_sql)
        return Verdict(correct=False, status="wrong_result", lang=lang, diff=diff,
                       variants_checked=len(self.cases) - 1, message=render_message(diff, lang))

    def _describe(self, case: _Case, difference: Any, outcome: Any, student_sql: str) -> Diff:
        if isinstance(difference, SQLLabError):
            expected = case.expected if isinstance(case.expected, Expected) else None
            inputs = _input_samples(case.variant, self.reference_sql, student_sql, None) if case.variant else []
            return Diff(kind="error", kinds=["error"], variant=case.name,
                        expected_rows=len(expected.rows) if expected else 0, got_rows=0,
                        expected_columns=len(expected.columns) if expected else 0, got_columns=0,
                        error_key=difference.key, error_params=dict(difference.params),
                        counterexample=Counterexample(inputs=inputs, expected=_sample(None, [], []),
                                                      got=_sample(None, [], [])) if inputs else None)
        table = None
        if isinstance(difference, tuple):
            table, difference = difference
            columns = case.expected[table].columns
        else:
            columns = case.expected.columns
        got_columns = outcome[table][0] if table else outcome[0]
        inputs: list[TableSample] = []
        if case.variant is not None:
            inputs = _input_samples(case.variant, self.reference_sql, student_sql, difference)
        example = None
        if difference.kind == "ordering":
            expected_rows = case.expected[table].rows if table else case.expected.rows
            got_rows = outcome[table][1] if table else outcome[1]
            example = Counterexample(inputs=inputs, expected=_sample(None, columns, expected_rows),
                                     got=_sample(None, got_columns, got_rows))
        elif difference.kind != "column_count" or case.variant is not None:
            if difference.kind == "column_count":
                example = Counterexample(inputs=inputs,
                                         expected=_sample(None, columns, (case.expected[table] if table else case.expected).rows),
                                         got=_sample(None, got_columns, outcome[table][1] if table else outcome[1]))
            else:
                example = Counterexample(inputs=inputs, expected=_sample(None, columns, difference.missing),
                                         got=_sample(None, got_columns, difference.extra))
        return Diff(kind=difference.kind, kinds=difference.kinds, variant=case.name,
                    expected_rows=difference.expected_rows, got_rows=difference.got_rows,
                    expected_columns=difference.expected_columns, got_columns=difference.got_columns,
                    missing_rows=len(difference.missing), extra_rows=len(difference.extra),
                    table=table, counterexample=example)

    def close(self) -> None:
        for case in self.cases:
            case.conn.close()

    @property
    def variant_kinds(self) -> list[str]:
        return [c.name for c in self.cases[1:]]


def _explanatory(item: tuple[_Case, Any, Any]) -> tuple:
    """Prefer the visible database, then wrong results over errors, the most telling kind, the smallest change."""
    case, difference, _ = item
    if case.name == "visible":
        return (-1, 0, 0)
    size = sum(len(v) for v in case.variant.changed.values()) if case.variant else 0
    return (isinstance(difference, SQLLabError), KINDS.index(case.name) if case.name in KINDS else len(KINDS), size)


def _diff(expected: Expected | dict[str, Expected], outcome: Any) -> Difference | tuple[str, Difference] | None:
    if isinstance(expected, dict):
        for name, want in expected.items():
            columns, rows = outcome.get(name, ([], []))
            d = compare(want, columns, rows)
            if d is not None:
                return name, d
        return None
    columns, rows = outcome
    return compare(expected, columns, rows)


def _dml_state(conn: sqlite3.Connection, sql: str, timeout_s: float, lang: str | None = None) -> dict:
    copy = copy_to_memory(conn)
    try:
        modify(copy, sql, timeout_s=timeout_s, lang=lang)
        return snapshot(copy)
    finally:
        copy.close()


def _error_verdict(exc: SQLLabError, lang: str, variants: int) -> Verdict:
    status: Status = ("timeout" if isinstance(exc, QueryTimeoutError) else
                      "forbidden" if isinstance(exc, ForbiddenQueryError) else "error")
    key = exc.key
    return Verdict(correct=False, status=status, lang=lang, message=exc.message_in(lang),
                   error_key=key, error_params=dict(exc.params) if key else {}, variants_checked=variants)


# --- counterexamples ---------------------------------------------------------------------

def _printable(value: Any) -> Any:
    if isinstance(value, (bytes, memoryview)):
        data = bytes(value)
        return f"x'{data[:16].hex()}{'…' if len(data) > 16 else ''}'"
    if isinstance(value, str) and len(value) > 60:
        return value[:57] + "…"
    return value


def _sample(name: str | None, columns: list[str], rows: Iterable[tuple]) -> TableSample:
    rows = list(rows)[:SAMPLE_ROWS]
    return TableSample(name=name, columns=list(columns), rows=[[_printable(v) for v in r] for r in rows])


def _tables_of(sql: str) -> set[str]:
    from sqlglot import exp

    tree = parse(sql)
    return {t.name.lower() for t in tree.find_all(exp.Table)} if tree is not None else set()


def _input_samples(variant: Variant, reference_sql: str, student_sql: str,
                   difference: Difference | None) -> list[TableSample]:
    """The changed rows of the tables either query reads, those sharing values with the differing rows first."""
    wanted = _tables_of(reference_sql) | _tables_of(student_sql)
    rows_that_differ = difference.missing + difference.extra if difference else []
    interesting = {v for row in rows_that_differ for v in row if v is not None}
    samples = []
    for table, rowids in variant.changed.items():
        if wanted and table.lower() not in wanted:
            continue
        marks = ",".join("?" for _ in rowids[:500])
        try:
            cur = variant.conn.execute(f"SELECT * FROM {quote_ident(table)} WHERE rowid IN ({marks})",
                                       tuple(rowids[:500]))
        except sqlite3.Error:
            continue
        rows = cur.fetchall()
        rows.sort(key=lambda r: -sum(1 for v in r if v in interesting))
        samples.append(_sample(table, [d[0] for d in cur.description], rows))
    return samples[:3]


def markdown_table(sample: TableSample, lang: str) -> str:
    """A small Markdown table (JupyterLab renders it); NULL shown as NULL."""
    if not sample.rows:
        return i18n.t("sql.grade.empty_table", lang)

    def cell(v: Any) -> str:
        return "NULL" if v is None else str(v).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in sample.columns) + " |"
    rule = "|" + "|".join("---" for _ in sample.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in sample.rows]
    return "\n".join([head, rule, *body])


def render_message(diff: Diff, lang: str) -> str:
    """The rule-based explanation of ``diff`` in ``lang`` (Markdown)."""
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    lines: list[str] = []
    if diff.kind == "error":
        lines.append(t("sql.grade.fails_on_variant", kind=t(f"sql.variant.{diff.variant}")))
        if diff.error_key:
            lines.append(t(diff.error_key, **diff.error_params))
    elif diff.table:
        lines.append(t("sql.grade.table_changed", table=diff.table, missing=diff.missing_rows, extra=diff.extra_rows))
    elif diff.kind == "column_count":
        lines.append(t("sql.grade.column_count", got=diff.got_columns, expected=diff.expected_columns))
    elif diff.kind == "column_order":
        lines.append(t("sql.grade.column_order"))
    elif diff.kind == "ordering":
        lines.append(t("sql.grade.ordering"))
    else:
        if diff.expected_rows != diff.got_rows:
            lines.append(t("sql.grade.row_count", got=diff.got_rows, expected=diff.expected_rows))
        if "value" in diff.kinds:
            lines.append(t("sql.grade.value", count=diff.missing_rows))
        else:
            if diff.missing_rows:
                lines.append(t("sql.grade.missing_rows", count=diff.missing_rows))
            if diff.extra_rows:
                lines.append(t("sql.grade.extra_rows", count=diff.extra_rows))
    if "duplicates" in diff.kinds:
        lines.append(t("sql.grade.duplicates"))
    if "null_handling" in diff.kinds:
        lines.append(t("sql.grade.null_handling"))
    if diff.variant != "visible" and diff.kind != "error":
        lines.append(t("sql.grade.hidden", kind=t(f"sql.variant.{diff.variant}")))
    ex = diff.counterexample
    if ex is not None:
        lines += ["", t("sql.grade.example_intro")]
        for sample in ex.inputs:
            lines += ["", t("sql.grade.example_input", table=sample.name), "", markdown_table(sample, lang)]
        if diff.kind != "error":
            first = "_first" if diff.kind in ("ordering", "column_count") else ""
            lines += ["", t(f"sql.grade.example_expected{first}"), "", markdown_table(ex.expected, lang),
                      "", t(f"sql.grade.example_got{first}"), "", markdown_table(ex.got, lang)]
    return "\n".join(lines)


# --- cache and the contract functions ----------------------------------------------------

_CACHE: OrderedDict[tuple, Grader] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 16


def _checksum(db: Any) -> str:
    with _connection(db, lang="en") as conn:
        return hashlib.sha256(conn.serialize()).hexdigest()


def grader_for(db: Any, reference_sql: str, *, timeout_s: float = 2.0, max_variants: int = 12) -> Grader:
    """A cached :class:`Grader`, keyed by the database's checksum and the reference text."""
    key = (_checksum(db), reference_sql.strip(), timeout_s, max_variants)
    with _CACHE_LOCK:
        grader = _CACHE.get(key)
        if grader is not None:
            _CACHE.move_to_end(key)
            return grader
    grader = Grader(db, reference_sql, timeout_s=timeout_s, max_variants=max_variants)
    with _CACHE_LOCK:
        _CACHE[key] = grader
        while len(_CACHE) > CACHE_SIZE:
            _, old = _CACHE.popitem(last=False)
            old.close()
    return grader


def clear_cache() -> None:
    with _CACHE_LOCK:
        while _CACHE:
            _CACHE.popitem()[1].close()


def grade(db: Any, reference_sql: str, student_sql: str, *, lang: str = "en", timeout_s: float = 2.0) -> Verdict:
    """Grade one answer. Raises only when the reference itself cannot run (an instructor's error)."""
    try:
        grader = grader_for(db, reference_sql, timeout_s=timeout_s)
    except QueryError:
        raise
    return grader.grade(student_sql, lang=lang)


def grade_many(db: Any, reference_sql: str, answers: Iterable[str], *, lang: str = "en",
               timeout_s: float = 2.0) -> list[Verdict]:
    """Grade many answers to one exercise; the variants are built once."""
    grader = grader_for(db, reference_sql, timeout_s=timeout_s)
    return [grader.grade(answer, lang=lang) for answer in answers]
