"""Hidden databases derived from the student's query together with the reference: the second pass.

The first pass (:mod:`sqllab.grading.variants`) is built once per exercise from the reference and
the visible data. An answer can agree with the reference on all of those databases only because of
what the *answer* adds: its own constant (``WHERE person_id > 0``, and no hidden row has an id of 0),
a comparison of two columns that goes wrong only where one column is NULL and two others are equal,
a LIKE whose pattern comes from another column. As XData and mutation testing look at the *pair* of
queries, :func:`answer_variants` reads both and builds databases aimed at where they may part
(the kinds of :data:`ANSWER_KINDS`, in the order they are built):

answer_constants  rows on and next to each constant the student's query has and the reference lacks
column_pairs      for ``a <op> b`` in either query: a = b, a just below and above b, each also with
                  another column the queries use NULL, and a or b NULL
like_patterns     for LIKE in either query: matching text in other case; for a pattern built from
                  columns (``a LIKE b || '%'``), those columns in other case and with ``_`` or ``%``
calendar_edges    for a date column either query compares or passes to a date function: Feb 28 and 29
                  of a leap year, Mar 1, the 30th and 31st, month and year ends
open_ranges       for each bound of a comparison in either query: values far past it on both sides
kana_voicing      for kana in either query's constants: the texts with か/が, は/ば/ぱ, つ/っ/づ changed
answer_columns    columns only one of the queries uses: NULL, 0, -1, values past the visible ones, ''
answer_search     small random databases whose value pools hold both queries' constants and neighbours

Every database is built with the first pass's row machinery (``_Builder``: inserts and updates under
the schema's constraints, ``PRAGMA foreign_key_check`` clean), each value fits its column (numbers
stay numbers, dates keep the column's format), the number of databases is bounded, and the random
choices are seeded by both queries: the same answer always gets the same databases.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from .boundaries import calendar_edges, far_values, kana_family, like_instances, voicing_neighbours
from .neighbours import DIALECT, parse
from .variants import (Constant, RefInfo, Table, Variant, _Builder, _done, _fit, _in_format, _independent_rows,
                       _literal, _matching_rows, _near, _preferred_rows, _random_dbs, _with_parents, analyse,
                       column_format, column_resolver, derived_values, value_pools)
from ..sandbox import quote_ident

ANSWER_KINDS = ("answer_constants", "column_pairs", "like_patterns", "calendar_edges", "open_ranges",
                "kana_voicing", "answer_columns", "answer_search")
ANSWER_VARIANTS = 24       # databases built for one answer, at most
PER_TARGET = 24            # rows added for one constant, column or pair, at most
_ERRORS = (sqlite3.Error, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


# --- what the two queries use --------------------------------------------------------------

@dataclass
class LikeUse:
    """One LIKE of either query: the column it tests and its pattern (a literal, or the columns it is built of)."""

    target: tuple[str, str]
    pattern: str | None = None
    pattern_columns: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PairInfo:
    """What the reference and the student's query use, side by side."""

    reference: RefInfo
    student: RefInfo
    merged: RefInfo                                   # tables, columns, constants and pairs of both
    own_constants: list[Constant] = field(default_factory=list)   # the student's, not the reference's
    only_columns: list[tuple[str, str]] = field(default_factory=list)  # used by one query only
    likes: list[LikeUse] = field(default_factory=list)
    condition_columns: list[tuple[str, str]] = field(default_factory=list)  # compared, tested or in a function
    bounds: list[Constant] = field(default_factory=list)   # constants of comparisons, both queries


def _key(const: Constant) -> tuple:
    return const.table, const.column, type(const.value).__name__, const.value


def analyse_pair(reference_sql: str, student_sql: str, schema: dict[str, Table]) -> PairInfo:
    """Both queries read against the schema; a query sqlglot cannot read contributes nothing."""
    trees = [parse(reference_sql), parse(student_sql)]
    infos = [analyse(sql, schema) if tree is not None else RefInfo([], []) for sql, tree in
             zip((reference_sql, student_sql), trees)]
    ref, stu = infos
    merged = RefInfo(list(dict.fromkeys(stu.tables + ref.tables)) or list(schema),
                     list(dict.fromkeys(stu.columns + ref.columns)))
    seen: set[tuple] = set()
    for const in stu.constants + ref.constants:
        if _key(const) not in seen:
            seen.add(_key(const))
            merged.constants.append(const)
    merged.pairs = list(dict.fromkeys(stu.pairs + ref.pairs))
    merged.aggregated = list(dict.fromkeys(stu.aggregated + ref.aggregated))
    merged.group_columns = list(dict.fromkeys(stu.group_columns + ref.group_columns))
    ref_keys = {_key(c) for c in ref.constants}
    pair = PairInfo(ref, stu, merged)
    own: set[tuple] = set()
    for const in stu.constants:
        if _key(const) not in ref_keys and _key(const) not in own:
            own.add(_key(const))
            pair.own_constants.append(const)
    if trees[1] is not None:
        pair.only_columns = ([c for c in stu.columns if c not in ref.columns]
                             + [c for c in ref.columns if c not in stu.columns])
    pair.bounds = [c for c in merged.constants if c.op == "cmp"]
    for tree in trees:
        if tree is None:
            continue
        _, resolve = column_resolver(tree, schema)
        for node in tree.find_all(exp.Like):
            if not isinstance(node.this, exp.Column):
                continue
            pattern = _literal(node.expression)
            columns = [] if isinstance(pattern, str) else [
                found for col in node.expression.find_all(exp.Column) for found in resolve(col)]
            for target in resolve(node.this):
                pair.likes.append(LikeUse(target, pattern if isinstance(pattern, str) else None, columns))
        for col in tree.find_all(exp.Column):
            if _in_condition(col):
                for found in resolve(col):
                    if found not in pair.condition_columns:
                        pair.condition_columns.append(found)
    return pair


def _in_condition(col: exp.Column) -> bool:
    """Whether a column is compared, tested or passed to a function (not only shown or sorted by)."""
    node = col.parent
    while node is not None and not isinstance(node, (exp.Select, exp.Subquery)):
        if isinstance(node, (exp.Predicate, exp.Between, exp.In, exp.Func, exp.Binary, exp.Not, exp.Case)):
            return True
        if isinstance(node, (exp.Where, exp.Having, exp.Join)):
            return True
        node = node.parent
    return False


# --- building ------------------------------------------------------------------------------

class _Values:
    """Which values may go into a column: fitted to its type, in its date format, numbers where it holds numbers."""

    def __init__(self, base: sqlite3.Connection, schema: dict[str, Table]) -> None:
        self.base = base
        self.schema = schema
        self._formats: dict[tuple[str, str], str | None] = {}
        self._numeric: dict[tuple[str, str], bool] = {}

    def format(self, table: str, column: str) -> str | None:
        key = (table, column)
        if key not in self._formats:
            self._formats[key] = column_format(self.base, table, column)
        return self._formats[key]

    def numeric(self, table: str, column: str) -> bool:
        key = (table, column)
        if key not in self._numeric:
            q = quote_ident(column)
            sample = [r[0] for r in self.base.execute(
                f"SELECT {q} FROM {quote_ident(table)} WHERE {q} IS NOT NULL LIMIT 20")]
            c = self.schema[table].column(column)
            self._numeric[key] = (all(isinstance(v, (int, float)) for v in sample) if sample
                                  else c is not None and c.affinity in ("INTEGER", "REAL", "NUMERIC"))
        return self._numeric[key]

    def fit(self, table: str, column: str, values: list[Any]) -> list[Any]:
        """``values`` as ``column`` holds them, those it cannot hold left out (NULL kept where allowed)."""
        c = self.schema[table].column(column)
        if c is None:
            return []
        fmt = self.format(table, column)
        numeric = self.numeric(table, column)
        out: list[Any] = []
        for value in values:
            if value is None:
                if not c.notnull and not c.pk:
                    out.append(None)
                continue
            fitted = _fit(value, c)
            if fitted is None or (numeric and isinstance(fitted, str)) or not _in_format(fitted, fmt):
                continue
            if not numeric and not isinstance(fitted, str) and c.affinity == "TEXT":
                continue
            out.append(fitted)
        unique: list[Any] = []
        seen: set[tuple] = set()
        for v in out:
            key = (type(v).__name__, v)
            if key not in seen:
                seen.add(key)
                unique.append(v)
        return unique


def _has_parent(b: _Builder, table: str, column: str, value: Any) -> bool:
    """For a foreign-key column: a parent row with key ``value`` exists (made by cloning a parent when not)."""
    t = b.schema[table]
    fk = next((f for f in t.fks if f.columns == [column]), None)
    if fk is None or value is None or fk.parent not in b.schema:
        return True
    key = fk.parent_columns[0]
    q = quote_ident(key)
    if b.conn.execute(f"SELECT 1 FROM {quote_ident(fk.parent)} WHERE {q} = ?", (value,)).fetchone():
        return True
    parents = b.rows(fk.parent, "LIMIT 1")
    return bool(parents) and b.clone(fk.parent, parents[0], {key: value}) is not None


def _place(b: _Builder, merged: RefInfo, table: str, row: dict[str, Any], overrides: dict[str, Any],
           rng: random.Random) -> None:
    """A copy of ``row`` (and a child row of each used child table) with ``overrides``; parents made as needed."""
    if all(_has_parent(b, table, col, value) for col, value in overrides.items()):
        b.clone_family(table, row, merged.tables, rng, overrides)


def _fill(b: _Builder, merged: RefInfo, table: str, column: str, values: list[Any], rows: list[dict[str, Any]],
          rng: random.Random) -> None:
    """Each value on a copy of one of ``rows`` (taken in turn), at most ``PER_TARGET``."""
    if not rows:
        return
    for i, value in enumerate(values[:PER_TARGET]):
        _place(b, merged, table, rows[i % len(rows)], {column: value}, rng)


def _rows(b: _Builder, pair: PairInfo, table: str, column: str, rng: random.Random, most: int = 4) -> list[dict[str, Any]]:
    """Rows to copy: those meeting the queries' other text conditions on ``table`` first."""
    return _preferred_rows(b, pair.merged, table, column, rng, most) if b.rows(table, "LIMIT 1") else []


def _answer_constants(base: sqlite3.Connection, schema: dict[str, Table], pair: PairInfo, rng: random.Random,
        fits: _Values, most: int) -> list[Variant]:
    """The student's own constants: rows holding each and the values next to it."""
    out: list[Variant] = []
    for const in pair.own_constants:
        c = schema[const.table].column(const.column)
        if c is None:
            continue
        one = RefInfo([const.table], [(const.table, const.column)], [const])
        exact = [const.value] if const.op in ("cmp", "in") else []
        values = fits.fit(const.table, const.column, exact + derived_values(base, schema, one, const.table, const.column))
        if not values:
            continue
        b = _Builder(base, schema, "answer_constants", f"{const.table}.{const.column} near {const.value!r}")
        rows = (_matching_rows(b, const.table, const.column, const.value, const.op)[:4]
                or _rows(b, pair, const.table, const.column, rng))
        _fill(b, pair.merged, const.table, const.column, values, rows, rng)
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _step(value: Any, delta: int) -> Any:
    """A value just below (``delta`` -1) or above (+1) ``value``: a number ±1, a date ±1 day, a text
    one character shorter or longer."""
    if isinstance(value, str) and _near(value, delta) is None:
        return (value[:-1] if value else None) if delta < 0 else value + "~"
    return _near(value, delta)


def _column_pairs(base: sqlite3.Connection, schema: dict[str, Table], pair: PairInfo, rng: random.Random,
        fits: _Values, most: int) -> list[Variant]:
    """For ``a <op> b``: rows where a equals b, or is just below or above it, each also with another
    used column of the row NULL (one at a time), and rows with a or b NULL."""
    out: list[Variant] = []
    done: set[frozenset] = set()
    for (ta, ca), (tb, cb) in pair.merged.pairs:
        key = frozenset([(ta, ca), (tb, cb)])
        if key in done:
            continue
        done.add(key)
        t = schema[ta]
        col_a = t.column(ca)
        if col_a is None or col_a.pk or any(ca in fk.columns for fk in t.fks):
            continue
        link = None
        if ta != tb:
            link = next((fk for fk in t.fks if fk.parent == tb and len(fk.columns) == 1), None)
            if link is None:
                continue
        nullable = [n for tn, n in pair.merged.columns if tn == ta and n != ca and t.column(n) is not None
                    and not t.column(n).notnull and not t.column(n).pk]
        b = _Builder(base, schema, "column_pairs", f"{ta}.{ca} vs {tb}.{cb}")
        for row in _rows(b, pair, ta, ca, rng, 2):
            if link is None:
                other = row.get(cb)
            else:
                parent = b.rows(tb, f"WHERE {quote_ident(link.parent_columns[0])} = ?", (row.get(link.columns[0]),))
                other = parent[0].get(cb) if parent else None
            if other is None:
                continue
            for target in fits.fit(ta, ca, [other, _step(other, -1), _step(other, 1)]):
                for nulled in [None] + nullable:
                    overrides = {ca: target} if nulled is None else {ca: target, nulled: None}
                    _place(b, pair.merged, ta, row, overrides, rng)
            for nulled in [ca] + ([cb] if link is None else []):
                c = t.column(nulled)
                if c is not None and not c.notnull and not c.pk:
                    _place(b, pair.merged, ta, row, {nulled: None}, rng)
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _text_column(schema: dict[str, Table], fits: _Values, table: str, column: str) -> bool:
    t = schema[table]
    c = t.column(column)
    return (c is not None and c.affinity == "TEXT" and not c.pk and not any(column in fk.columns for fk in t.fks)
            and not fits.format(table, column) and not fits.numeric(table, column))


def _like_patterns(base: sqlite3.Connection, schema: dict[str, Table], pair: PairInfo, rng: random.Random,
        fits: _Values, most: int) -> list[Variant]:
    """LIKE ignores ASCII case and reads ``_`` and ``%`` as wildcards: text that matches only because of that."""
    out: list[Variant] = []
    done: set[tuple] = set()
    for like in pair.likes:
        table, column = like.target
        key = (table, column, like.pattern, tuple(like.pattern_columns))
        if key in done:
            continue
        done.add(key)
        if like.pattern is not None:
            if not _text_column(schema, fits, table, column):
                continue
            b = _Builder(base, schema, "like_patterns", f"{table}.{column} LIKE {like.pattern!r}")
            for row in _matching_rows(b, table, column, like.pattern, "like")[:4]:
                value = row.get(column)
                if isinstance(value, str) and value.swapcase() != value:
                    _place(b, pair.merged, table, row, {column: value.swapcase()}, rng)
            instances = like_instances(like.pattern)
            values = fits.fit(table, column, [f(v) for v in instances for f in (str.swapcase, str.upper, str.lower)])
            _fill(b, pair.merged, table, column, values, _rows(b, pair, table, column, rng), rng)
            _done(b, out)
            continue
        changes: list[tuple[str, str, Callable[[str], str]]] = [(table, column, str.swapcase)]
        for pt, pc in like.pattern_columns:
            if (pt, pc) != (table, column):
                changes += [(pt, pc, str.swapcase), (pt, pc, _wildcard_one), (pt, pc, _wildcard_many)]
        for ct, cc, change in changes:
            if not _text_column(schema, fits, ct, cc) or not schema[ct].rowid:
                continue
            b = _Builder(base, schema, "like_patterns", f"{ct}.{cc} {change.__name__} (pattern of {table}.{column})")
            q = quote_ident(cc)
            for row in b.rows(ct, f"WHERE {q} IS NOT NULL ORDER BY rowid LIMIT 40"):
                value = row.get(cc)
                new = change(value) if isinstance(value, str) else value
                if new != value:
                    b.update(ct, row["__rowid__"], {cc: new})
            _done(b, out)
        if len(out) >= most:
            break
    return out[:most]


def _wildcard_one(text: str) -> str:
    """The text with its second character made ``_`` (a LIKE pattern built from it matches any character there)."""
    return text[:1] + "_" + text[2:] if len(text) >= 2 else text


def _wildcard_many(text: str) -> str:
    """The text with ``%`` after its first character (a LIKE pattern built from it matches more)."""
    return text[:1] + "%" + text[1:] if text else text


def _calendar_edges(base: sqlite3.Connection, schema: dict[str, Table], pair: PairInfo, rng: random.Random,
        fits: _Values, most: int) -> list[Variant]:
    """Leap days and month ends on each date column the queries compare or pass to a date function."""
    out: list[Variant] = []
    for table, column in pair.condition_columns:
        fmt = fits.format(table, column)
        if not fmt or fmt.startswith("time"):
            continue
        q = quote_ident(column)
        lo, hi = base.execute(f"SELECT min({q}), max({q}) FROM {quote_ident(table)} WHERE {q} IS NOT NULL").fetchone()
        constants = [str(c.value).strip("%*_?") for c in pair.merged.constants
                     if c.table == table and c.column == column and isinstance(c.value, str)]
        values = fits.fit(table, column, calendar_edges(constants + [v for v in (lo, hi) if isinstance(v, str)], fmt))
        if not values:
            continue
        _values_in_rows(base, schema, pair, "calendar_edges", f"{table}.{column} leap days and month ends", table, column, values, rng, out)
        if len(out) >= most:
            break
    return out


def _values_in_rows(base: sqlite3.Connection, schema: dict[str, Table], pair: PairInfo, kind: str, label: str,
                    table: str, column: str, values: list, rng: random.Random, out: list[Variant]) -> None:
    """One variant where rows of ``table`` (those the queries read) take ``values`` in ``column``."""
    b = _Builder(base, schema, kind, label)
    rows = _rows(b, pair, table, column, rng)
    if rows:
        for i, value in enumerate(values[:2 * PER_TARGET]):
            _place(b, pair.merged, table, rows[i % len(rows)], {column: value}, rng)
    _done(b, out)


def _open_ranges(base: sqlite3.Connection, schema: dict[str, Table], pair: PairInfo, rng: random.Random,
        fits: _Values, most: int) -> list[Variant]:
    """Values far past each bound of a comparison: an open range and a bounded one part there."""
    out: list[Variant] = []
    done: set[tuple] = set()
    for const in pair.bounds:
        c = schema[const.table].column(const.column)
        if c is None or _key(const) in done:
            continue
        done.add(_key(const))
        fitted = _fit(const.value, c)
        fmt = fits.format(const.table, const.column)
        values = fits.fit(const.table, const.column, far_values(fitted, fmt, real=c.affinity == "REAL"))
        if not values:
            continue
        b = _Builder(base, schema, "open_ranges", f"{const.table}.{const.column} far from {const.value!r}")
        _fill(b, pair.merged, const.table, const.column, values, _rows(b, pair, const.table, const.column, rng), rng)
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _has_kana(text: Any) -> bool:
    return isinstance(text, str) and any(kana_family(ch) for ch in text)


def _kana_voicing(base: sqlite3.Connection, schema: dict[str, Table], pair: PairInfo, rng: random.Random,
        fits: _Values, most: int) -> list[Variant]:
    """Texts that differ from a kana constant, or from the visible values it is compared with, only in
    voicing marks or kana size (か/が, は/ば/ぱ, つ/っ/づ)."""
    out: list[Variant] = []
    columns: dict[tuple[str, str], list[str]] = {}
    for const in pair.merged.constants:
        if _has_kana(const.value) and const.op != "agg":
            texts = like_instances(const.value) if const.op == "like" else [const.value]
            columns.setdefault((const.table, const.column), []).extend(texts)
    for (table, column), texts in columns.items():
        if not _text_column(schema, fits, table, column):
            continue
        q = quote_ident(column)
        visible = [r[0] for r in base.execute(f"SELECT DISTINCT {q} FROM {quote_ident(table)} WHERE {q} IS NOT NULL "
                                               f"ORDER BY {q} LIMIT 6")]
        values = fits.fit(table, column, [v for text in texts + [v for v in visible if _has_kana(v)]
                                          for v in voicing_neighbours(text, most=12)])
        if not values:
            continue
        _values_in_rows(base, schema, pair, "kana_voicing", f"{table}.{column} voicing", table, column, values, rng, out)
        if len(out) >= most:
            break
    return out


def _answer_columns(base: sqlite3.Connection, schema: dict[str, Table], pair: PairInfo, rng: random.Random,
        fits: _Values, most: int) -> list[Variant]:
    """A column only one query uses: rows where it holds NULL, 0, -1, values past the visible ones, empty text."""
    out: list[Variant] = []
    for table, column in pair.only_columns:
        t = schema[table]
        c = t.column(column)
        if c is None:
            continue
        q = quote_ident(column)
        lo, hi = base.execute(f"SELECT min({q}), max({q}) FROM {quote_ident(table)} WHERE {q} IS NOT NULL").fetchone()
        fmt = fits.format(table, column)
        values: list[Any] = [None]
        if fits.numeric(table, column):
            values += [0, -1] + [v for v in (lo, hi) if isinstance(v, (int, float))
                                 for v in (v - 1, v + 1)]
        elif fmt:
            values += [v for edge in (lo, hi) if isinstance(edge, str) for v in far_values(edge, fmt)[:2]]
        elif c.affinity == "TEXT" or isinstance(hi, str):
            values += ["", " "] + [v.swapcase() for v in (lo, hi) if isinstance(v, str) and v.swapcase() != v]
        values = fits.fit(table, column, values)
        if not values:
            continue
        b = _Builder(base, schema, "answer_columns", f"{table}.{column} edge values")
        _fill(b, pair.merged, table, column, values, _rows(b, pair, table, column, rng, 2), rng)
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _answer_search(base: sqlite3.Connection, schema: dict[str, Table], pair: PairInfo, rng: random.Random,
        fits: _Values, most: int) -> list[Variant]:
    """Small databases drawn from value pools that hold both queries' constants and their neighbours."""
    tables = _with_parents(pair.merged.tables, schema)
    pools = value_pools(base, schema, pair.merged, tables)
    made = _random_dbs(base, schema, pair.merged, rng, max(1, most - 1), pools, rows=(1, 4), kind="answer_search")
    made += _independent_rows(base, schema, pair.merged, rng, pools, 1)
    for variant in made:
        variant.kind = "answer_search"
    return made[:most]


_MAKERS: tuple[tuple[Callable[..., list[Variant]], int], ...] = (
    (_answer_constants, 6), (_column_pairs, 4), (_like_patterns, 4), (_calendar_edges, 3), (_open_ranges, 4),
    (_kana_voicing, 3), (_answer_columns, 4), (_answer_search, 3))


def answer_shape(sql: str) -> str:
    """An answer's text as sqlglot writes it back (spacing, keyword case and comments do not count),
    or its words joined by single spaces when sqlglot cannot read it: the key its databases are kept under."""
    tree = parse(sql)
    if tree is not None:
        try:
            return tree.sql(dialect=DIALECT, comments=False)
        except Exception:  # noqa: BLE001 - sqlglot fails to write some trees back
            pass
    return " ".join(sql.split()).rstrip(";").strip()


def answer_variants(base: sqlite3.Connection, schema: dict[str, Table], reference_sql: str, student_sql: str, *,
                    seed: int | str = 0, most: int = ANSWER_VARIANTS) -> list[Variant]:
    """At most ``most`` databases valid under the schema of ``base``, aimed at where the student's query
    may part from the reference (see the module's kinds). Deterministic for the same two queries."""
    if most <= 0 or not schema:
        return []
    pair = analyse_pair(reference_sql, student_sql, schema)
    rng = random.Random(f"answer:{seed}:{reference_sql}\n{answer_shape(student_sql)}")
    fits = _Values(base, schema)
    out: list[Variant] = []
    for make, share in _MAKERS:
        room = min(share, most - len(out))
        if room <= 0:
            break
        try:
            out += make(base, schema, pair, rng, fits, room)[:room]
        except _ERRORS:
            continue           # a kind that does not fit this schema or these queries is skipped
    return out
