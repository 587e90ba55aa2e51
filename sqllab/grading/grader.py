"""Decide whether a student's SQL is correct: on the visible database and on hidden variants.

``grade(db, reference_sql, student_sql)`` returns a :class:`Verdict`; it never raises for a
bad student query. A :class:`Grader` builds the hidden databases once per (database content,
reference) and is cached, so grading a whole class (``grade_many``) pays for them once:

1. candidates from :mod:`sqllab.grading.variants` (aimed at classes of coincidentally right answers,
   plus random rows whose columns are drawn independently);
2. mutants of the reference (:mod:`sqllab.grading.mutants`) that the visible data does not tell apart;
   each candidate's kills are recorded and a few per kind plus a greedy cover are kept;
3. for each mutant still alive, a time-boxed search of small random databases drawn from the
   value pools; a database that tells it apart is shrunk to the fewest rows and kept;
4. for an answer that agrees with the reference on all of them, a second pass before it is accepted:
   databases derived from the answer *and* the reference together (:mod:`sqllab.grading.student_variants`:
   the answer's own constants and their neighbours, columns only one query uses, column pairs with
   NULLs, LIKE's case and wildcards, leap days and month ends, far bounds, kana voicing), a bounded
   count, kept per answer shape (``answer_shape``), so checking the same answer again builds nothing.

The verdict says how strong it is (``strength``: the visible data and N hidden databases, and
the share of mutants they tell apart). Its ``diff`` says what differs, on which kind of data,
with a counterexample, so LLM feedback can be grounded in it; nothing in a verdict contains the
reference query. A hidden database that exposes an answer is shrunk (ddmin over every row of the
tables either query reads, a count of attempts, foreign keys kept valid) to a complete small
database: its counterexample lists every row of it, so both queries differ on exactly the rows
shown (``Counterexample.to_sqlite`` builds it again, :mod:`sqllab.grading.exampledb`).
"""

from __future__ import annotations

import hashlib
import logging
import random
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from .. import i18n
from . import exampledb
from .compare import Difference, Expected, OrderSpec, compare, make_expected, order_spec
from ..errors import ForbiddenQueryError, QueryError, QueryTimeoutError, SQLLabError
from .neighbours import DIALECT, parse
from ..sandbox import (MAX_RESULT_BYTES, OTHER_KEYWORDS, WRITE_KEYWORDS, _connection, _execute, check_sql, copy_to_memory, main_keyword, modify, quote_ident, snapshot)
from .mutants import Mutant, mutants
from .student_variants import ANSWER_KINDS, ANSWER_VARIANTS, answer_shape, answer_variants
from .variants import (DML_KINDS, KINDS, Variant, _independent_rows, _random_dbs, _with_parents, analyse, candidate_variants, read_schema, select_variants, value_pools)

log = logging.getLogger(__name__)

Status = Literal["correct", "wrong_result", "error", "timeout", "forbidden"]
MAX_ROWS = 20_000
SAMPLE_ROWS = 5
MAX_VARIANTS = 40          # hidden databases kept per exercise
DML_VARIANTS = 12          # ... for INSERT/UPDATE/DELETE exercises
SEARCH_SECONDS = 1.0       # budget of the search for databases that tell surviving mutants apart
SEARCH_TRIES = 30          # random databases tried per surviving mutant
SHRINK_ATTEMPTS = 48       # deletions tried to make a counterexample smaller (a count, not a time:
                           # the same answer gets the same counterexample on a busy machine)
SHRINK_TIMEOUT_S = 0.5     # a query that needs longer on a shrinking database stops the shrinking
EXAMPLE_ROWS = 40          # rows of a counterexample's database shown at most (its tables together)
DML_ANSWER_VARIANTS = 8    # databases built from an INSERT/UPDATE/DELETE answer (each run copies one)
ANSWER_SHAPES = 8          # answer shapes whose second-pass databases a grader keeps (each a few
                           # in-memory copies of the lesson database; a repeated Check is the common case)


# --- public models -----------------------------------------------------------------------

class TableSample(BaseModel):
    """A few rows shown to a student (values made printable)."""

    name: str | None = None
    columns: list[str]
    rows: list[list[Any]]


class Counterexample(BaseModel):
    """A small database on which the two queries differ, and the rows where their results differ.

    ``inputs`` hold *every* row of that database's tables that either query reads, plus the parent
    rows their foreign keys need (a table with no rows left is shown empty; other tables are empty
    and left out): run both queries on exactly these rows and they differ. :meth:`to_sqlite` builds
    that database with ``schema_sql``, the lesson database's own CREATE statements. ``expected`` and
    ``got`` are the rows that one result has and the other lacks on that database (for a difference
    in order or in the number of columns: the first rows of each result). A database larger than
    ``EXAMPLE_ROWS`` rows is not shown whole: then ``complete`` is False and ``rows_left_out`` says
    how many rows the inputs leave out. No ``inputs``: the difference shows on the visible database.
    """

    inputs: list[TableSample] = Field(default_factory=list)
    expected: TableSample
    got: TableSample
    schema_sql: list[str] = Field(default_factory=list, description="CREATE statements of the lesson database")
    complete: bool = Field(True, description="False: the database has more rows than inputs show")
    rows_left_out: int = 0

    @property
    def rebuildable(self) -> bool:
        """Whether :meth:`to_sqlite` can build this database (a hidden one, with its schema)."""
        return bool(self.inputs and self.schema_sql)

    def to_sqlite(self, target: str | Path | sqlite3.Connection | None = None) -> sqlite3.Connection | Path:
        """Build this small database: the lesson's schema, then exactly the rows of ``inputs``.

        ``target`` is an empty SQLite file (path, returned once written and closed) or an open
        connection to an empty database (returned); ``None`` gives a new in-memory connection.
        Raises :class:`~sqllab.errors.SQLLabError` when there is nothing to build (a difference on
        the visible data) or ``target`` already has tables."""
        if not self.rebuildable:
            raise SQLLabError(key="sql.grade.example_visible")
        conn, opened = exampledb.open_target(":memory:" if target is None else target)
        try:
            exampledb.build(self.schema_sql, self.inputs, conn)
        except ValueError:
            raise SQLLabError(key="sql.grade.example_target_used", target=str(target)) from None
        except sqlite3.Error as exc:
            raise SQLLabError(key="sql.grade.example_failed", reason=str(exc)) from None
        finally:
            if opened and target is not None:
                conn.close()
        return conn if target is None or not opened else Path(target)


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


class Strength(BaseModel):
    """How strong a verdict is: on how many databases the answer was checked."""

    hidden_databases: int = Field(description="hidden variant databases the answer was run on (besides the visible one)")
    mutants: int = Field(0, description="small changes of the solution that the visible data does not tell apart")
    mutants_told_apart: int = Field(0, description="of those, how many the hidden databases tell apart")
    answer_databases: int = Field(0, description="databases built from this answer and the solution together "
                                                 "(the second pass), besides the hidden ones")
    text: str = ""


class Verdict(BaseModel):
    correct: bool
    status: Status
    message: str
    lang: str = "en"
    diff: Diff | None = None
    error_key: str | None = None
    error_params: dict[str, Any] = Field(default_factory=dict)
    variants_checked: int = 0
    strength: Strength | None = None

    def message_in(self, lang: str, *, example: bool = True) -> str:
        """The same verdict explained in another language (``example=False``: without the
        counterexample's tables, for a view that draws them itself)."""
        if self.error_key:
            return i18n.t(self.error_key, lang, **self.error_params)
        if self.diff is not None:
            return _with_strength(render_message(self.diff, lang, example=example), self.variants_checked, lang)
        if not self.correct:
            return self.message
        return _with_strength(i18n.t("sql.grade.correct", lang, variants=self.variants_checked),
                              self.variants_checked, lang)


# --- the grader --------------------------------------------------------------------------

@dataclass
class _Case:
    name: str                       # "visible" or the variant kind
    conn: sqlite3.Connection
    expected: Expected | dict[str, Expected]
    variant: Variant | None = None


class Grader:
    """The visible database and the hidden variants for one reference, with expected results."""

    def __init__(self, db: Any, reference_sql: str, *, timeout_s: float = 2.0, max_variants: int = MAX_VARIANTS,
                 seed: int | str = 0, answer_variants: int = ANSWER_VARIANTS) -> None:
        self.reference_sql = reference_sql
        self.timeout_s = timeout_s
        self.seed = seed
        self._answer_cases: OrderedDict[str, list[_Case]] = OrderedDict()   # answer shape -> its databases
        self._shapes: dict[str, str] = {}                                     # answer text -> its shape
        self.answer_builds = 0             # second passes that built databases (not from the cache)
        self._digests: set[bytes] | None = None
        self._lock = threading.Lock()
        self._checked: set[str] = set()
        self._reference_checked: dict[str, str] = {}     # reference query text -> its checked text
        self._reference_tables: list[str] | None = None  # the names the reference reads (parsed once)
        with _connection(db, lang="en") as src:
            self.visible = copy_to_memory(src)
        self.checksum = hashlib.sha256(self.visible.serialize()).hexdigest()
        self.schema = read_schema(self.visible)
        self.schema_sql = exampledb.schema_statements(self.visible)
        self.has_views = self.visible.execute("SELECT 1 FROM sqlite_master WHERE type = 'view'").fetchone() is not None
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
        if self.dml:               # each run copies the database: fewer variants keep grading fast
            max_variants = min(max_variants, DML_VARIANTS)
            answer_variants = min(answer_variants, DML_ANSWER_VARIANTS)
        self.answer_variants = max(0, answer_variants) if max_variants > 0 else 0   # none: the visible data only
        self.live_mutants: list[Mutant] = []
        self.mutants_killed: list[int] = []
        if max_variants > 0:
            self.cases += self._build_variants(max_variants, seed)

    # building ----------------------------------------------------------------------------

    def _expected(self, conn: sqlite3.Connection) -> Expected | dict[str, Expected]:
        if self.dml:
            return {name: Expected(r.columns, r.rows) for name, r in _dml_state(conn, self.reference_sql,
                                                                               self.timeout_s).items()}
        spec = self.spec
        result = self._run_reference(conn, spec.key_sql if spec else self.reference_sql)
        full = None
        if spec is not None and spec.full_sql:
            full = self._run_reference(conn, spec.full_sql).rows
        return make_expected(result.columns, result.rows, spec, full)

    def _run_reference(self, conn: sqlite3.Connection, sql: str) -> Any:
        """``run_query(conn, sql)`` for one of the reference's queries: checked the first time only (the
        checks tokenize the text, which costs more than running it on a small database)."""
        checked = self._reference_checked.get(sql)
        if checked is None:
            checked = check_sql(sql)
            keyword = main_keyword(checked)
            if keyword in WRITE_KEYWORDS | OTHER_KEYWORDS:
                raise ForbiddenQueryError(key="sql.not_a_query", keyword=keyword)
            self._reference_checked[sql] = checked
        return _execute(conn, checked, mode="read", timeout_s=self.timeout_s, max_rows=MAX_ROWS,
                        max_result_bytes=MAX_RESULT_BYTES, lang=None)

    def _build_variants(self, most: int, seed: int | str) -> list[_Case]:
        """Targeted and random candidates, the mutants they kill, a search for the rest; keep the killers."""
        candidates = candidate_variants(self.visible, self.reference_sql, seed=seed)
        schema = self.schema
        count_schema = {t.name: t.pk + [c.name for c in t.columns if not c.notnull and not c.pk]
                        for t in schema.values()}
        try:
            live = self._live_mutants(mutants(self.reference_sql, schema=count_schema))
        except Exception:  # noqa: BLE001 - mutants only guide the choice of variants
            live = []
        cases: list[_Case] = []
        kills: list[set[int]] = []
        seen: set[bytes] = set()
        hits = [0] * len(live)
        for variant in candidates:
            digest = hashlib.sha256(variant.conn.serialize()).digest()
            if digest in seen:
                variant.conn.close()
                continue
            seen.add(digest)
            try:
                expected = self._expected(variant.conn)
            except SQLLabError:
                variant.conn.close()
                continue
            case = _Case(variant.kind, variant.conn, expected, variant)
            killed = {i for i, m in enumerate(live) if hits[i] < 3 and self._differs(case, m.sql)}
            for i in killed:
                hits[i] += 1
            cases.append(case)
            kills.append(killed)
        keep = select_variants([c.variant for c in cases], kills, most=most, kinds=DML_KINDS if self.dml else KINDS)
        covered = set().union(*(kills[i] for i in keep)) if keep else set()
        for i, case in enumerate(cases):
            if i not in keep:
                case.conn.close()
        kept = [c for i, c in enumerate(cases) if i in keep]
        missing = [i for i in range(len(live)) if i not in covered]
        try:
            found = self._search(live, missing, schema, seed, room=max(0, most - len(kept)))
        except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError):
            found = []
        for case, killed in found:
            kept.append(case)
            covered |= killed
        self.mutants_killed = sorted(covered)
        self.live_mutants = live
        return kept

    def _live_mutants(self, candidates: list[Mutant]) -> list[Mutant]:
        """Mutants that run and that the visible database does not tell apart (the ones worth a variant)."""
        visible = self.cases[0]
        tree = parse(self.reference_sql)
        if self.dml or tree is None or self._differs(visible, tree.sql(dialect=DIALECT)):
            return []           # sqlglot's round trip changes the meaning: its mutants are unreliable
        return [m for m in candidates if not self._differs(visible, m.sql, errors_differ=True)]

    def _search(self, live: list[Mutant], missing: list[int], schema: dict, seed: int | str,
                room: int) -> list[tuple[_Case, set[int]]]:
        """Guided fuzzing: small valid databases drawn from the value pools until a mutant differs."""
        if not missing or room <= 0:
            return []
        info = analyse(self.reference_sql, schema)
        rng = random.Random(f"search:{seed}:{self.reference_sql}")
        tables = _with_parents(info.tables, schema)
        pools = value_pools(self.visible, schema, info, tables)
        deadline = time.monotonic() + SEARCH_SECONDS
        out: list[tuple[_Case, set[int]]] = []
        alive = list(missing)
        done: set[int] = set()
        while alive and time.monotonic() < deadline and len(out) < room:
            target = alive[0]
            hit = None
            for attempt in range(SEARCH_TRIES):
                if time.monotonic() > deadline:
                    break
                small = attempt % 2 == 0
                made = (_random_dbs(self.visible, schema, info, rng, 1, pools, rows=(1, 4), kind="search") if small
                        else _independent_rows(self.visible, schema, info, rng, pools, 1))
                if not made:
                    continue
                variant = made[0]
                variant.kind = "search"
                try:
                    expected = self._expected(variant.conn)
                except SQLLabError:
                    variant.conn.close()
                    continue
                case = _Case("search", variant.conn, expected, variant)
                if self._differs(case, live[target].sql):
                    hit = case
                    break
                variant.conn.close()
            alive.remove(target)
            if hit is None:
                continue
            if hit.variant is not None and hit.variant.label.startswith("search"):
                self._minimize(hit, live[target].sql)
            killed = {i for i in missing if i not in done and self._differs(hit, live[i].sql)} | {target}
            done |= killed
            alive = [i for i in alive if i not in killed]
            out.append((hit, killed))
        return out

    def _minimize(self, case: _Case, mutant_sql: str) -> None:
        """Delete rows of a small search database while the mutant still differs (fewest rows)."""
        conn = case.conn
        for table, rowids in list(case.variant.changed.items()):
            for rowid in list(rowids):
                conn.execute("SAVEPOINT shrink")
                try:
                    conn.execute(f"DELETE FROM {quote_ident(table)} WHERE rowid = ?", (rowid,))
                    ok = conn.execute("PRAGMA foreign_key_check").fetchone() is None
                except sqlite3.Error:
                    ok = False
                if ok:
                    try:
                        expected = self._expected(conn)
                    except SQLLabError:
                        ok = False
                if ok:
                    saved = case.expected
                    case.expected = expected
                    if self._differs(case, mutant_sql):
                        conn.execute("RELEASE shrink")
                        rowids.remove(rowid)
                        continue
                    case.expected = saved
                conn.execute("ROLLBACK TO shrink")
                conn.execute("RELEASE shrink")

    def distinguishes(self, sql: str) -> bool:
        """Whether the visible database or a hidden variant tells ``sql`` apart from the reference."""
        with self._lock:
            return any(self._differs(case, sql) for case in self.cases)

    def _differs(self, case: _Case, sql: str, *, errors_differ: bool = True) -> bool:
        try:
            outcome = self._outcome(case.conn, sql, timeout_s=min(self.timeout_s, 0.5))
        except SQLLabError:
            return errors_differ
        return _diff(case.expected, outcome) is not None

    def _outcome(self, conn: sqlite3.Connection, sql: str, *, timeout_s: float,
                 lang: str | None = None) -> tuple[list[str], list[tuple]] | dict[str, tuple[list[str], list[tuple]]]:
        if self.dml:
            return {n: (r.columns, r.rows) for n, r in _dml_state(conn, sql, timeout_s, lang).items()}
        if sql not in self._checked:            # the same checks as run_query, once per text
            check_sql(sql, lang=lang)
            keyword = main_keyword(sql)
            if keyword in WRITE_KEYWORDS | OTHER_KEYWORDS:
                raise ForbiddenQueryError(key="sql.not_a_query", lang=lang, keyword=keyword)
            if len(self._checked) > 1024:
                self._checked.clear()
            self._checked.add(sql)
        result = _execute(conn, sql, mode="read", timeout_s=timeout_s, max_rows=MAX_ROWS,
                          max_result_bytes=MAX_RESULT_BYTES, lang=lang)
        return result.columns, result.rows

    # grading -----------------------------------------------------------------------------

    def grade(self, student_sql: str, *, lang: str = "en", timeout_s: float | None = None,
              answer_variants: bool = True) -> Verdict:
        """The verdict on one student query; never raises for anything the student wrote.

        An answer that agrees with the reference on the visible and every hidden database meets the
        second pass before it is accepted: databases built from it and the reference together
        (cached per answer shape). ``answer_variants=False`` leaves that pass out."""
        lang = i18n.normalize_lang(lang)
        timeout = timeout_s or self.timeout_s
        found: list[tuple[_Case, Difference | tuple[str, Difference], Any]] = []
        with self._lock:
            hidden = len(self.cases) - 1
            failed = self._run_cases(self.cases, student_sql, timeout, lang, found, hidden)
            if failed is not None:
                return failed
            second: list[_Case] = []
            if not found and answer_variants and self.answer_variants > 0:
                second = self._cases_for_answer(student_sql)
                failed = self._run_cases(second, student_sql, timeout, lang, found, hidden)
                if failed is not None:
                    return failed
            if not found:
                return Verdict(correct=True, status="correct", lang=lang, variants_checked=hidden,
                               strength=self.strength(hidden, lang, len(second)),
                               message=_with_strength(i18n.t("sql.grade.correct", lang, variants=hidden), hidden, lang))
            case, difference, outcome = min(found, key=_explanatory)
            shown: list[str] = []
            shrunk = None
            if case.variant is not None and not isinstance(difference, QueryTimeoutError):
                try:
                    shrunk = self._shrink(case, student_sql, timeout, difference, outcome)
                except Exception:  # noqa: BLE001 - the unshrunk database still makes a verdict
                    log.warning("counterexample not shrunk", exc_info=True)
            if shrunk is not None:
                case, difference, outcome, shown = shrunk
            elif case.variant is not None:
                shown = self._example_tables(student_sql)
            try:
                diff = self._describe(case, difference, outcome, shown)
            finally:
                if shrunk is not None:
                    case.conn.close()
        checked = 0 if case.name == "visible" else hidden
        return Verdict(correct=False, status="wrong_result", lang=lang, diff=diff, variants_checked=checked,
                       strength=self.strength(checked, lang, len(second)),
                       message=_with_strength(render_message(diff, lang), checked, lang))

    def _run_cases(self, cases: list[_Case], student_sql: str, timeout: float, lang: str,
                   found: list[tuple[_Case, Any, Any]], hidden: int) -> Verdict | None:
        """Run the answer on ``cases``, adding each difference to ``found``; the error verdict when it
        fails on the visible data or runs out of time (``hidden``: the count that verdict names)."""
        for case in cases:
            try:
                outcome = self._outcome(case.conn, student_sql, timeout_s=timeout, lang=lang)
            except Exception as exc:  # noqa: BLE001 - a verdict, never a crash
                if not isinstance(exc, SQLLabError):
                    exc = QueryError(key="sql.error", lang=lang, detail=str(exc))
                if case.name == "visible" or isinstance(exc, QueryTimeoutError):
                    return _error_verdict(exc, lang, hidden)
                found.append((case, exc, None))    # runs on the visible data, fails on a variant
                continue
            difference = _diff(case.expected, outcome)
            if difference is not None:
                found.append((case, difference, outcome))
                if case.name == "visible":
                    break
        return None

    def _cases_for_answer(self, student_sql: str) -> list[_Case]:
        """The second pass's databases for this answer, built once per answer shape (then from the cache)."""
        shape = self._shapes.get(student_sql)
        if shape is None:                       # sqlglot reads an answer once, not on every Check
            if len(self._shapes) > 1024:
                self._shapes.clear()
            shape = self._shapes[student_sql] = answer_shape(student_sql)
        cases = self._answer_cases.get(shape)
        if cases is not None:
            self._answer_cases.move_to_end(shape)
            return cases
        cases = self._build_answer_cases(student_sql)
        self.answer_builds += 1
        self._answer_cases[shape] = cases
        while len(self._answer_cases) > ANSWER_SHAPES:
            for case in self._answer_cases.popitem(last=False)[1]:
                case.conn.close()
        return cases

    def _build_answer_cases(self, student_sql: str) -> list[_Case]:
        """Databases from the answer and the reference (:func:`answer_variants`) with the reference's
        results there; those equal to a hidden database or on which the reference fails left out."""
        try:
            made = answer_variants(self.visible, self.schema, self.reference_sql, student_sql, seed=self.seed,
                                   most=self.answer_variants)
        except Exception:  # noqa: BLE001 - the second pass only adds databases; the verdict stands without it
            log.warning("databases from the answer not built", exc_info=True)
            return []
        if self._digests is None:
            self._digests = {hashlib.sha256(case.conn.serialize()).digest() for case in self.cases}
        seen = set(self._digests)
        out: list[_Case] = []
        for variant in made:
            digest = hashlib.sha256(variant.conn.serialize()).digest()
            expected = None
            if digest not in seen:
                seen.add(digest)
                try:
                    expected = self._expected(variant.conn)
                except Exception:  # noqa: BLE001 - a database the reference fails on is no test
                    expected = None
            if expected is None:
                variant.conn.close()
                continue
            out.append(_Case(variant.kind, variant.conn, expected, variant))
        return out

    def _example_tables(self, student_sql: str) -> list[str]:
        """The tables a counterexample shows: those either query reads (the reference's first), then the
        parent tables their foreign keys point at. Every table when a query cannot be read."""
        if self._reference_tables is None:
            self._reference_tables = _tables_in_order(self.reference_sql)
        names = {t.lower(): t for t in self.schema}
        read: list[str] = []
        for found in (self._reference_tables, _tables_in_order(student_sql)):
            if found is None or self.has_views:
                return list(self.schema)
            read += [names[t.lower()] for t in found if t.lower() in names and names[t.lower()] not in read]
        return _with_parents(read, self.schema)

    def _shrink(self, case: _Case, student_sql: str, timeout: float, difference: Any,
                outcome: Any) -> tuple[_Case, Any, Any, list[str]]:
        """A copy of the failing database with as few rows as still show the difference, and the tables
        to show. Delete-based ddmin over every row of the tables either query reads, at most
        ``SHRINK_ATTEMPTS`` runs of both queries; a parent row that a kept row references stays.
        Tables neither query reads (nor needs as parents) are emptied first."""
        conn = copy_to_memory(case.conn)
        conn.isolation_level = None
        conn.execute("PRAGMA foreign_keys = OFF")     # the row graph keeps every parent a kept row needs
        tables = self._example_tables(student_sql)
        tries = [0]
        best: list[Any] = [case.expected, difference, outcome]

        def still_differs(delete: Any) -> bool:
            tries[0] += 1
            conn.execute("SAVEPOINT shrink")
            found = None
            try:
                delete()
                found = self._difference(conn, student_sql, min(timeout, SHRINK_TIMEOUT_S), difference)
            except QueryTimeoutError:          # a query this slow on fewer rows: stop shrinking, keep what is found
                tries[0] = SHRINK_ATTEMPTS
            except Exception:  # noqa: BLE001 - a deletion that breaks a query is just not kept
                found = None
            if found is None:
                conn.execute("ROLLBACK TO shrink")
                conn.execute("RELEASE shrink")
                return False
            conn.execute("RELEASE shrink")
            best[:] = found
            return True

        def empty(names: list[str]) -> None:
            for name in names:
                conn.execute(f"DELETE FROM {quote_ident(name)}")

        others = [t for t in self.schema if t not in tables and
                  conn.execute(f"SELECT 1 FROM {quote_ident(t)} LIMIT 1").fetchone()]
        if others and not still_differs(lambda: empty(others)):
            tables = list(self.schema)                 # something reads them after all (a view, a trigger)
        graph = exampledb.RowGraph(conn, self.schema, tables)
        rows = graph.rows
        changed = {(t, r) for t, ids in case.variant.changed.items() for r in ids} if case.variant else set()
        if changed:                                    # the changed rows alone (and their parents) first
            unchanged = graph.deletable([r for r in rows if r not in changed], rows)
            if unchanged and len(unchanged) < len(rows) and still_differs(lambda: exampledb.delete_rows(conn, unchanged)):
                gone = set(unchanged)
                rows = [r for r in rows if r not in gone]
            rows = [r for r in rows if r not in changed] + [r for r in rows if r in changed]
        size = max(1, len(rows) // 2)
        while rows and tries[0] < SHRINK_ATTEMPTS:
            removed = False
            for start in range(0, len(rows), size):
                chunk = graph.deletable(rows[start:start + size], rows)
                if not chunk:
                    continue
                if tries[0] >= SHRINK_ATTEMPTS:
                    break
                if still_differs(lambda: exampledb.delete_rows(conn, chunk)):
                    gone = set(chunk)
                    rows = [r for r in rows if r not in gone]
                    removed = True
                    break
            if not removed:
                if size == 1:
                    break
                size = max(1, size // 2)
        expected, difference, outcome = best
        variant = Variant(case.variant.kind, conn, {}, case.variant.label) if case.variant else None
        return _Case(case.name, conn, expected, variant), difference, outcome, tables

    def _difference(self, conn: sqlite3.Connection, student_sql: str, timeout: float,
                    like: Any) -> list[Any] | None:
        """``[expected, difference, outcome]`` on ``conn`` when the student's query still differs from
        the reference there (for a query that failed: fails with the same error), else ``None``."""
        try:
            expected = self._expected(conn)
        except SQLLabError:
            return None
        if isinstance(like, SQLLabError):
            try:
                self._outcome(conn, student_sql, timeout_s=timeout)
            except QueryTimeoutError:
                raise
            except SQLLabError as exc:
                return [expected, exc, None] if exc.key == like.key else None
            return None
        outcome = self._outcome(conn, student_sql, timeout_s=timeout)
        difference = _diff(expected, outcome)
        return None if difference is None else [expected, difference, outcome]

    def strength(self, hidden: int, lang: str, answer_databases: int = 0) -> Strength:
        """The strength of a verdict that ran on the visible data and ``hidden`` hidden databases (and
        ``answer_databases`` built from the answer itself)."""
        return Strength(hidden_databases=hidden, mutants=len(self.live_mutants),
                        mutants_told_apart=len(self.mutants_killed), answer_databases=answer_databases,
                        text=_strength_text(hidden, lang))

    def _describe(self, case: _Case, difference: Any, outcome: Any, tables: list[str]) -> Diff:
        """The diff of one failing case; ``tables``: the tables its counterexample database shows
        (none for the visible database, which the student has)."""
        database = self._example_database(case.conn, tables) if case.variant is not None and tables else {}
        if isinstance(difference, SQLLabError):
            expected = case.expected if isinstance(case.expected, Expected) else None
            return Diff(kind="error", kinds=["error"], variant=case.name,
                        expected_rows=len(expected.rows) if expected else 0, got_rows=0,
                        expected_columns=len(expected.columns) if expected else 0, got_columns=0,
                        error_key=difference.key, error_params=dict(difference.params),
                        counterexample=Counterexample(expected=_sample(None, [], []), got=_sample(None, [], []),
                                                      **database) if database else None)
        table = None
        if isinstance(difference, tuple):
            table, difference = difference
            columns = case.expected[table].columns
        else:
            columns = case.expected.columns
        got_columns = outcome[table][0] if table else outcome[0]
        example = None
        if difference.kind == "ordering":
            expected_rows = case.expected[table].rows if table else case.expected.rows
            got_rows = outcome[table][1] if table else outcome[1]
            example = Counterexample(expected=_sample(None, columns, expected_rows),
                                     got=_sample(None, got_columns, got_rows), **database)
        elif difference.kind != "column_count" or case.variant is not None:
            if difference.kind == "column_count":
                example = Counterexample(expected=_sample(None, columns, (case.expected[table] if table else case.expected).rows),
                                         got=_sample(None, got_columns, outcome[table][1] if table else outcome[1]),
                                         **database)
            else:
                example = Counterexample(expected=_sample(None, columns, difference.missing),
                                         got=_sample(None, got_columns, difference.extra), **database)
        return Diff(kind=difference.kind, kinds=difference.kinds, variant=case.name,
                    expected_rows=difference.expected_rows, got_rows=difference.got_rows,
                    expected_columns=difference.expected_columns, got_columns=difference.got_columns,
                    missing_rows=len(difference.missing), extra_rows=len(difference.extra),
                    table=table, counterexample=example)

    def _example_database(self, conn: sqlite3.Connection, tables: list[str]) -> dict[str, Any]:
        """The ``Counterexample`` fields that hold its database: every row of ``tables`` (at most
        ``EXAMPLE_ROWS`` in all, shared out between the tables), the schema, and what is left out."""
        contents = [(name, *exampledb.table_rows(conn, self.schema[name])) for name in tables]
        room = _share(EXAMPLE_ROWS, [len(rows) for _, _, rows in contents])
        inputs = [TableSample(name=name, columns=columns, rows=[[_exact(v) for v in r] for r in rows[:n]])
                  for (name, columns, rows), n in zip(contents, room)]
        left_out = sum(len(rows) for _, _, rows in contents) - sum(room)
        return {"inputs": inputs, "schema_sql": list(self.schema_sql), "complete": left_out == 0,
                "rows_left_out": left_out}

    def close(self) -> None:
        for case in self.cases:
            case.conn.close()
        while self._answer_cases:
            for case in self._answer_cases.popitem()[1]:
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
    order = KINDS + ANSWER_KINDS
    return (isinstance(difference, SQLLabError), order.index(case.name) if case.name in order else len(order), size)


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


def _strength_text(hidden: int, lang: str) -> str:
    if hidden <= 0:
        return i18n.t("sql.grade.strength_visible", lang)
    return i18n.t("sql.grade.strength", lang, hidden=hidden)


def _with_strength(message: str, hidden: int, lang: str) -> str:
    """The verdict's message with its strength as last line ("checked on the visible data and N hidden databases")."""
    return f"{message}\n\n{_strength_text(hidden, lang)}"


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


def _exact(value: Any) -> Any:
    """A database value as a counterexample keeps it: exact, except a BLOB (shown as hex text)."""
    return _printable(value) if isinstance(value, (bytes, memoryview)) else value


def _share(total: int, sizes: list[int]) -> list[int]:
    """How many rows of each table to show when at most ``total`` fit: small tables whole, the rest
    shared out evenly (the first tables get the odd rows)."""
    room = [0] * len(sizes)
    left = total
    open_ = [i for i, n in enumerate(sizes) if n > 0]
    while open_ and left > 0:
        each = max(1, left // len(open_))
        for i in list(open_):
            take = min(each, sizes[i] - room[i], left)
            room[i] += take
            left -= take
            if room[i] == sizes[i]:
                open_.remove(i)
            if left == 0:
                break
    return room


def _tables_in_order(sql: str) -> list[str] | None:
    """The names in ``sql`` that may be tables, in the order they appear; ``None`` when sqlglot
    cannot read it."""
    from sqlglot import exp

    tree = parse(sql)
    if tree is None:
        return None
    return list(dict.fromkeys(t.name for t in tree.find_all(exp.Table, bfs=False) if t.name))


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


def render_message(diff: Diff, lang: str, *, example: bool = True) -> str:
    """The rule-based explanation of ``diff`` in ``lang`` (Markdown); ``example=False`` leaves
    out the counterexample's tables."""
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
    ex = diff.counterexample if example else None
    if ex is not None:
        lines += ["", t("sql.grade.example_intro_error" if diff.kind == "error" else "sql.grade.example_intro")]
        if ex.inputs:                   # a hidden database: all of its rows, or how many are left out
            lines.append(t("sql.grade.example_incomplete", n=ex.rows_left_out) if not ex.complete
                         else t("sql.grade.example_database"))
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
CACHE_SIZE = 32          # graders (each with its hidden databases) kept in memory


def _checksum(db: Any) -> str:
    with _connection(db, lang="en") as conn:
        return hashlib.sha256(conn.serialize()).hexdigest()


def grader_for(db: Any, reference_sql: str, *, timeout_s: float = 2.0, max_variants: int = MAX_VARIANTS) -> Grader:
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
