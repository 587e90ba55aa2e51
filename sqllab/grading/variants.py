"""Hidden variant databases: changed copies of a lesson database, valid under its constraints.

Following Zhong, Yu & Klein (EMNLP 2020) and XData, candidates are seeded with the visible
database's values and the reference query's constants, plus the values next to them
(:mod:`sqllab.grading.boundaries`). Every candidate is built by inserting, updating or deleting rows
under the schema's own constraints (PRIMARY KEY, UNIQUE, NOT NULL, CHECK, FOREIGN KEY with
``PRAGMA foreign_keys = ON``) and is dropped unless ``PRAGMA foreign_key_check`` is clean; a
change the constraints refuse is skipped. The grader keeps those that tell the reference apart
from its mutants (:mod:`sqllab.grading.mutants`) and a representative of every kind in :data:`KINDS`:

boundary / near_text / date_boundaries
    rows holding the values next to a constant: ±1, other case, one character more or less,
    spaces, code-point (kana) neighbours, dates on unit boundaries and past open ends
case, nulls (with zeros around them), null_groups (aggregated column NULL in whole groups)
duplicates, duplicate_rows (child rows twice), several_matches (namesakes of filtered rows),
twins (every entity twice: ties at a LIMIT cut), union_shared (a value both branches return),
equal_pairs (``a = b`` for compared columns), ties, unmatched_fk, renumbered_ids, group_sizes
shuffled (columns permuted independently), independent_rows, empty_tables, few_rows
random (small databases, columns drawn independently), search (found for a surviving mutant)
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from .boundaries import (date_neighbours, like_neighbours, number_neighbours, text_format, digit_variants, TIME, text_neighbours, unit_values, with_time_near)
from .neighbours import parse
from ..sandbox import copy_to_memory, quote_ident, user_tables

KINDS = ("boundary", "near_text", "date_boundaries", "case", "nulls", "null_groups", "duplicates",
         "duplicate_rows", "several_matches", "union_shared", "equal_pairs", "ties", "twins", "unmatched_fk",
         "renumbered_ids", "group_sizes", "shuffled", "independent_rows", "empty_tables", "few_rows", "random", "search")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- schema ------------------------------------------------------------------------------

@dataclass
class Column:
    name: str
    type: str
    notnull: bool
    pk: int

    @property
    def affinity(self) -> str:
        t = self.type.upper()
        if "INT" in t:
            return "INTEGER"
        if any(s in t for s in ("CHAR", "CLOB", "TEXT")):
            return "TEXT"
        if not t or "BLOB" in t:
            return "BLOB"
        if any(s in t for s in ("REAL", "FLOA", "DOUB")):
            return "REAL"
        return "NUMERIC"


@dataclass
class ForeignKey:
    columns: list[str]
    parent: str
    parent_columns: list[str]


@dataclass
class Table:
    name: str
    columns: list[Column]
    pk: list[str]
    uniques: list[list[str]]
    fks: list[ForeignKey]
    rowid: bool = True

    def column(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name.lower() == name.lower():
                return c
        return None

    @property
    def rowid_alias(self) -> str | None:
        """The INTEGER PRIMARY KEY column that aliases the rowid, if any."""
        if self.rowid and len(self.pk) == 1:
            col = self.column(self.pk[0])
            if col and col.type.upper() == "INTEGER":
                return col.name
        return None


def read_schema(conn: sqlite3.Connection) -> dict[str, Table]:
    """Tables, columns, keys, UNIQUE sets and foreign keys, read with PRAGMAs."""
    tables: dict[str, Table] = {}
    for name in user_tables(conn):
        q = quote_ident(name)
        cols = [Column(r[1], r[2] or "", bool(r[3]), r[5]) for r in conn.execute(f"PRAGMA table_info({q})")]
        pk = [c.name for c in sorted((c for c in cols if c.pk), key=lambda c: c.pk)]
        uniques = []
        for _, index, unique, *_ in conn.execute(f"PRAGMA index_list({q})"):
            if unique:
                uniques.append([r[2] for r in conn.execute(f"PRAGMA index_info({quote_ident(index)})")])
        fks: dict[int, ForeignKey] = {}
        for fid, _, parent, frm, to, *_ in conn.execute(f"PRAGMA foreign_key_list({q})"):
            fk = fks.setdefault(fid, ForeignKey([], parent, []))
            fk.columns.append(frm)
            fk.parent_columns.append(to)
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0] or ""
        tables[name] = Table(name, cols, pk, uniques, list(fks.values()),
                             rowid="WITHOUT ROWID" not in sql.upper())
    for table in tables.values():
        for fk in table.fks:
            parent = _find(tables, fk.parent)
            if parent and any(c is None for c in fk.parent_columns):
                fk.parent_columns = list(parent.pk)
            if parent:
                fk.parent = parent.name
    return tables


def _find(tables: dict[str, Table], name: str) -> Table | None:
    for t in tables.values():
        if t.name.lower() == name.lower():
            return t
    return None


# --- what the reference uses -------------------------------------------------------------

@dataclass
class Constant:
    table: str
    column: str
    value: Any
    op: str          # "cmp", "like" or "in"


@dataclass
class RefInfo:
    """Tables, columns and constants of a reference query, resolved against the schema."""

    tables: list[str]
    columns: list[tuple[str, str]]
    constants: list[Constant] = field(default_factory=list)
    group_columns: list[tuple[str, str]] = field(default_factory=list)
    having_counts: list[int] = field(default_factory=list)
    order_columns: list[tuple[str, str]] = field(default_factory=list)
    pairs: list[tuple[tuple[str, str], tuple[str, str]]] = field(default_factory=list)   # column vs column
    aggregated: list[tuple[str, str]] = field(default_factory=list)                     # inside SUM/AVG/...
    branches: list[exp.Select] = field(default_factory=list)                            # of a UNION/...
    subquery_tables: list[str] = field(default_factory=list)
    has_limit: bool = False
    aggregate_constants: list[Constant] = field(default_factory=list)   # SUM(col) > 20 and the like


def column_resolver(tree: exp.Expression, schema: dict[str, Table]) -> tuple[
        list[str], Callable[[exp.Column], list[tuple[str, str]]]]:
    """The tables a parsed query reads (every table when it names none) and a function that gives
    the (table, column) pairs a column reference of it may stand for (through aliases; an
    unqualified name: every read table that has it; ``rowid``: the INTEGER PRIMARY KEY it aliases)."""
    aliases: dict[str, str] = {}
    used: list[str] = []
    for node in tree.find_all(exp.Table):
        table = _find(schema, node.name)
        if table:
            aliases[node.alias_or_name.lower()] = table.name
            aliases.setdefault(table.name.lower(), table.name)
            if table.name not in used:
                used.append(table.name)
    if not used:
        used = list(schema)

    def column(table: Table, name: str) -> Column | None:
        found = table.column(name)
        if found is None and name.lower() in ("rowid", "oid", "_rowid_") and table.rowid_alias:
            found = table.column(table.rowid_alias)       # rowid is the INTEGER PRIMARY KEY it aliases
        return found

    def resolve(col: exp.Column) -> list[tuple[str, str]]:
        if col.table:
            name = aliases.get(col.table.lower())
            table = schema.get(name) if name else None
            c = column(table, col.name) if table else None
            return [(table.name, c.name)] if table and c else []
        out = []
        for name in used:
            c = column(schema[name], col.name)
            if c:
                out.append((name, c.name))
        return out

    return used, resolve


def analyse(reference_sql: str, schema: dict[str, Table]) -> RefInfo:
    """What a variant should vary for this reference; every table when sqlglot cannot read it."""
    tree = parse(reference_sql)
    if tree is None:
        return RefInfo(list(schema), [(t.name, c.name) for t in schema.values() for c in t.columns])
    used, resolve = column_resolver(tree, schema)
    info = RefInfo(used, [])
    for col in tree.find_all(exp.Column):
        for pair in resolve(col):
            if pair not in info.columns:
                info.columns.append(pair)
    comparisons = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.EQ, exp.NEQ, exp.NullSafeEQ, exp.NullSafeNEQ, exp.Between,
                   exp.In, exp.Like, exp.Glob)
    for node in tree.find_all(*comparisons):
        if isinstance(node, exp.Between):
            pairs = [(node.this, node.args.get("low")), (node.this, node.args.get("high"))]
        elif isinstance(node, exp.In):
            pairs = [(node.this, e) for e in node.expressions]
            query = node.args.get("query")
            if query is not None and isinstance(node.this, exp.Column):
                inner = query.this if isinstance(query, exp.Subquery) else query
                outs = inner.expressions if isinstance(inner, exp.Select) else []
                if len(outs) == 1 and isinstance(_bare(outs[0]), exp.Column):
                    for a in resolve(node.this):
                        for b in resolve(_bare(outs[0])):
                            info.pairs.append((a, b))
        else:
            pairs = [(node.this, node.expression), (node.expression, node.this)]
        op = "like" if isinstance(node, exp.Like) else "glob" if isinstance(node, exp.Glob) else \
            "in" if isinstance(node, exp.In) else "cmp"
        for col, lit in pairs:
            value = _literal(lit)
            if value is None:
                if isinstance(col, exp.Column) and isinstance(lit, exp.Column) and col is pairs[0][0]:
                    for a in resolve(col):
                        for b in resolve(lit):
                            if a != b:
                                info.pairs.append((a, b))
                continue
            if isinstance(col, exp.Column):
                for table, column in resolve(col):
                    info.constants.append(Constant(table, column, value, op))
            elif isinstance(col, exp.Count) and isinstance(value, int):
                info.having_counts.append(value)
            elif isinstance(col, (exp.Sum, exp.Avg, exp.Min, exp.Max)) and isinstance(value, (int, float)):
                inner_col = col.find(exp.Column)
                if inner_col is not None:
                    for table, column in resolve(inner_col):
                        info.aggregate_constants.append(Constant(table, column, value, "agg"))
            elif isinstance(col, exp.Func) and not isinstance(col, exp.AggFunc):
                inner_col = col.find(exp.Column)
                if inner_col is not None:
                    for table, column in resolve(inner_col):
                        info.constants.append(Constant(table, column, value, "func"))
    for agg in tree.find_all(exp.AggFunc):
        for col in agg.find_all(exp.Column):
            for pair in resolve(col):
                if pair not in info.aggregated:
                    info.aggregated.append(pair)
    if isinstance(tree, exp.SetOperation):
        stack = [tree]
        while stack:
            node = stack.pop()
            for part in (node.this, node.expression):
                if isinstance(part, exp.SetOperation):
                    stack.append(part)
                elif isinstance(part, exp.Subquery) and isinstance(part.this, exp.Select):
                    info.branches.append(part.this)
                elif isinstance(part, exp.Select):
                    info.branches.append(part)
        branch_columns = []
        for branch in info.branches:
            cols = []
            for out in branch.expressions:
                inner = _bare(out)
                found = resolve(inner) if isinstance(inner, exp.Column) else []
                cols.append(found[0] if found else None)
            branch_columns.append(cols)
        for a_cols in branch_columns[:1]:
            for b_cols in branch_columns[1:]:
                for a, b in zip(a_cols, b_cols):
                    if a and b and a != b:
                        info.pairs.append((a, b))
    for sub in tree.find_all(exp.Subquery, exp.Exists):
        for t in sub.find_all(exp.Table):
            table = _find(schema, t.name)
            if table and table.name not in info.subquery_tables:
                info.subquery_tables.append(table.name)
    info.has_limit = tree.args.get("limit") is not None
    group = tree.args.get("group")
    if group:
        for col in group.find_all(exp.Column):
            info.group_columns += resolve(col)
    order = tree.args.get("order")
    if order:
        for col in order.find_all(exp.Column):
            info.order_columns += resolve(col)
    return info


def _bare(node: exp.Expression) -> exp.Expression:
    return node.this if isinstance(node, exp.Alias) else node


def _literal(node: exp.Expression | None) -> Any:
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        value = _literal(node.this)
        return -value if value is not None else None
    if not isinstance(node, exp.Literal):
        return None
    if node.is_string:
        return node.this
    try:
        return int(node.this)
    except ValueError:
        try:
            return float(node.this)
        except ValueError:
            return None


# --- building candidates -----------------------------------------------------------------

@dataclass
class Variant:
    """One hidden database: its kind, an in-memory connection and the rows that were added or changed."""

    kind: str
    conn: sqlite3.Connection
    changed: dict[str, list[int]] = field(default_factory=dict)
    label: str = ""


class _Builder:
    """Copies the base database and changes it row by row, skipping changes the constraints refuse."""

    def __init__(self, base: sqlite3.Connection, schema: dict[str, Table], kind: str, label: str = "") -> None:
        self.schema = schema
        self.conn = copy_to_memory(base)
        self.conn.isolation_level = None
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.variant = Variant(kind, self.conn, {}, label)
        self.count = 0
        self.serial = 0

    def rows(self, table: str, where: str = "", params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        t = self.schema[table]
        rowid = "rowid AS __rowid__, " if t.rowid else ""
        cur = self.conn.execute(f"SELECT {rowid}* FROM {quote_ident(table)} {where}", tuple(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def clone(self, table: str, row: dict[str, Any], overrides: dict[str, Any] | None = None, *,
              keep_parents: bool = False) -> dict[str, Any] | None:
        """Insert a copy of ``row`` with fresh keys and ``overrides``; the inserted row, or None if refused.

        In a composite key holding a foreign key the copy points at another parent, unless
        ``keep_parents``: then the key's other part is made fresh (same parent, e.g. 'East 2').
        """
        t = self.schema[table]
        overrides = {k: v for k, v in (overrides or {}).items()}
        base = {k: v for k, v in row.items() if k != "__rowid__"}
        for attempt in range(4):
            values = dict(base)
            values.update(overrides)
            fresh_sets = [t.pk] + [u for u in t.uniques if u != t.pk]
            for cols in fresh_sets:
                if not cols or any(c in overrides for c in cols):
                    continue
                col = cols[-1]
                linked = [fk for fk in t.fks if len(fk.columns) == 1 and fk.columns[0] in cols]
                if len(cols) > 1 and linked and attempt < 2 and not keep_parents:
                    # a composite key with a foreign key in it: keep the other parts (e.g. the subject),
                    # point the copy at another parent (or at a copy of the parent)
                    key = self._free_parent(t, linked[0], values, cols, clone_parent=attempt == 1)
                    if key is None and attempt == 0:
                        key = self._free_parent(t, linked[0], values, cols, clone_parent=True)
                    if key is not None:
                        values[linked[0].columns[0]] = key
                        continue
                if col == t.rowid_alias:
                    values[col] = None
                else:
                    values[col] = self._fresh(table, col, values.get(col), attempt)
            rowid = self._insert(table, values)
            if rowid is not None:
                if t.rowid_alias:
                    values[t.rowid_alias] = rowid
                return values
        return None

    def _free_parent(self, t: Table, fk: ForeignKey, values: dict[str, Any], cols: list[str],
                     *, clone_parent: bool) -> Any:
        """A parent key for which the composite key ``cols`` of ``values`` is still free."""
        column = fk.columns[0]
        others = [c for c in cols if c != column]
        parent_key = fk.parent_columns[0]
        if clone_parent:
            parents = self.rows(fk.parent, f"WHERE {quote_ident(parent_key)} = ?", (values.get(column),))
            new = self.clone(fk.parent, parents[0]) if parents else None
            return new.get(parent_key) if new else None
        where = " AND ".join(f"{quote_ident(c)} IS ?" for c in others)
        taken = {r[0] for r in self.conn.execute(
            f"SELECT {quote_ident(column)} FROM {quote_ident(t.name)} WHERE {where}", [values.get(c) for c in others])}
        for (key,) in self.conn.execute(f"SELECT {quote_ident(parent_key)} FROM {quote_ident(fk.parent)}"):
            if key not in taken:
                return key
        return None

    def clone_family(self, table: str, row: dict[str, Any], tables: list[str], rng: random.Random,
                     overrides: dict[str, Any] | None = None) -> None:
        """Clone ``row`` and one child row of each used child table, re-pointed at the clone."""
        new = self.clone(table, row, overrides)
        if new is None:
            return
        for child in self.schema.values():
            for fk in child.fks:
                if fk.parent != table or child.name not in tables or len(fk.columns) != 1:
                    continue
                key = fk.parent_columns[0]
                kids = self.rows(child.name, f"WHERE {quote_ident(fk.columns[0])} = ?", (row.get(key),))
                for kid in rng.sample(kids, min(1, len(kids))):
                    self.clone(child.name, kid, {fk.columns[0]: new.get(key)})

    def update(self, table: str, rowid: int, values: dict[str, Any]) -> bool:
        sets = ", ".join(f"{quote_ident(k)} = ?" for k in values)
        try:
            self.conn.execute(f"UPDATE {quote_ident(table)} SET {sets} WHERE rowid = ?", (*values.values(), rowid))
        except sqlite3.Error:
            return False
        self._mark(table, rowid)
        return True

    def _insert(self, table: str, values: dict[str, Any]) -> int | None:
        cols = ", ".join(quote_ident(k) for k in values)
        marks = ", ".join("?" for _ in values)
        try:
            cur = self.conn.execute(f"INSERT INTO {quote_ident(table)} ({cols}) VALUES ({marks})", tuple(values.values()))
        except sqlite3.Error:
            return None
        self.count += 1
        if self.schema[table].rowid:
            self._mark(table, cur.lastrowid)
            return cur.lastrowid
        return 0

    def _mark(self, table: str, rowid: int | None) -> None:
        if rowid is not None:
            rows = self.variant.changed.setdefault(table, [])
            if rowid not in rows:
                rows.append(rowid)
        self.count += 1

    def _fresh(self, table: str, col: str, value: Any, attempt: int) -> Any:
        q = quote_ident(col)
        if isinstance(value, int) or value is None:
            top = self.conn.execute(f"SELECT max({q}) FROM {quote_ident(table)} WHERE typeof({q}) = 'integer'").fetchone()[0]
            return (top or 0) + 1 + attempt
        if isinstance(value, float):
            top = self.conn.execute(f"SELECT max({q}) FROM {quote_ident(table)}").fetchone()[0]
            return float(top or 0) + 1 + attempt
        if isinstance(value, str):
            self.serial += 1
            return f"{value} {self.serial + 1 + attempt}"
        return value

    def finish(self) -> Variant | None:
        """The variant, or ``None`` when nothing changed or a foreign key dangles."""
        if self.count == 0 or self.conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            self.conn.close()
            return None
        return self.variant


def candidate_variants(base: sqlite3.Connection, reference_sql: str, *, seed: int | str = 0,
                       per_kind: int = 4, random_dbs: int = 4) -> list[Variant]:
    """Fuzzed databases for ``reference_sql``, each valid under the constraints of ``base``."""
    schema = read_schema(base)
    if not schema:
        return []
    info = analyse(reference_sql, schema)
    rng = random.Random(f"{seed}:{reference_sql}")
    pools = value_pools(base, schema, info, _with_parents(info.tables, schema))
    makers: list[Callable[[], list[Variant]]] = [
        lambda: _near_values(base, schema, info, rng, 3 * per_kind),
        lambda: _null_groups(base, schema, info, rng, per_kind),
        lambda: _aggregate_boundaries(base, schema, info, rng),
        lambda: _duplicate_rows(base, schema, info, rng),
        lambda: _several_matches(base, schema, info, rng, per_kind),
        lambda: _union_shared(base, schema, info, rng),
        lambda: _equal_pairs(base, schema, info, rng, per_kind),
        lambda: _twins(base, schema, info),
        lambda: _shuffled(base, schema, info, rng),
        lambda: _empty_tables(base, schema, info),
        lambda: _few_rows(base, schema, info),
        lambda: _independent_rows(base, schema, info, rng, pools, 3),
        lambda: _boundary(base, schema, info, rng, per_kind),
        lambda: _nulls(base, schema, info, rng, per_kind + 2),
        lambda: _duplicates(base, schema, info, rng),
        lambda: _ties(base, schema, info, rng, per_kind),
        lambda: _unmatched(base, schema, info, rng, per_kind),
        lambda: _case(base, schema, info, rng, per_kind),
        lambda: _renumbered(base, schema, info),
        lambda: _group_sizes(base, schema, info, rng, per_kind),
        lambda: _random_dbs(base, schema, info, rng, random_dbs, pools),
    ]
    out: list[Variant] = []
    for make in makers:
        try:
            out += make()
        except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            continue           # a kind that does not fit this schema or query is skipped, never fatal
    return out


def _done(builder: _Builder, out: list[Variant]) -> None:
    variant = builder.finish()
    if variant is not None:
        out.append(variant)


def _near(value: Any, delta: int) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value + delta
    if isinstance(value, str) and _DATE.match(value):
        try:
            return (dt.date.fromisoformat(value) + dt.timedelta(days=delta)).isoformat()
        except ValueError:
            return None
    return None


def _fit(value: Any, column: Column) -> Any:
    """The literal as the column would store it (``'600'`` in an INTEGER column is 600)."""
    if isinstance(value, str) and column.affinity in ("INTEGER", "REAL", "NUMERIC"):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    if isinstance(value, float) and column.affinity == "INTEGER" and not value.is_integer():
        return None          # an INTEGER column holds no 599.5
    return value


def _boundary(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
        most: int) -> list[Variant]:
    out: list[Variant] = []
    seen: set[tuple] = set()
    for const in info.constants:
        if const.op == "like" or (const.table, const.column, repr(const.value)) in seen:
            continue
        seen.add((const.table, const.column, repr(const.value)))
        column = schema[const.table].column(const.column)
        exact = _fit(const.value, column)
        if not _in_format(exact, column_format(base, const.table, const.column)):
            continue
        for values, label in (([exact], "="), ([_near(exact, -1), _near(exact, 1)], "±1")):
            values = [_fit(v, column) for v in values if v is not None]
            if not values or any(v is None for v in values):
                continue
            b = _Builder(base, schema, "boundary", f"{const.column} {label} {const.value!r}")
            rows = b.rows(const.table)
            for value in values:
                for row in rng.sample(rows, min(2, len(rows))):
                    b.clone(const.table, row, {const.column: value})
            _done(b, out)
        if len(out) >= 2 * most:
            break
    return out


def _nulls(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
        most: int) -> list[Variant]:
    out: list[Variant] = []
    others = [(t, c.name) for t in info.tables for c in schema[t].columns if (t, c.name) not in info.columns]
    for table, col in info.columns + others:        # the reference's columns first, then the rest of its tables
        t = schema[table]
        c = t.column(col)
        if c is None or c.notnull or c.pk:
            continue
        b = _Builder(base, schema, "nulls", f"{table}.{col} IS NULL")
        rows = b.rows(table)
        preferred = _preferred_rows(b, info, table, col, rng, max(1, len(rows) // 3)) if rows else []
        if t.rowid:
            for row in preferred:
                b.update(table, row["__rowid__"], {col: None})
        zero = 0 if c.affinity in ("INTEGER", "REAL", "NUMERIC") else "" if c.affinity == "TEXT" else None
        for row in preferred[:1]:
            if zero is not None:           # NULL between zeros: COALESCE(col, 0) ties them, the reference does not
                b.clone(table, row, {col: zero})
            b.clone(table, row, {col: None})
            if zero is not None:
                b.clone(table, row, {col: zero})
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _duplicates(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random) -> list[Variant]:
    b = _Builder(base, schema, "duplicates", "cloned rows")
    for table in info.tables:
        rows = b.rows(table)
        for row in rng.sample(rows, min(2, len(rows))):
            b.clone_family(table, row, info.tables, rng)
    out: list[Variant] = []
    _done(b, out)
    return out


def _ties(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
        most: int) -> list[Variant]:
    out: list[Variant] = []
    columns = info.order_columns + [p for p in info.columns if p not in info.order_columns]
    for table, col in columns:
        t = schema[table]
        c = t.column(col)
        if c is None or c.pk or any(col in fk.columns for fk in t.fks) or [col] in t.uniques:
            continue
        b = _Builder(base, schema, "ties", f"{table}.{col}")
        q = quote_ident(col)
        for direction in ("DESC", "ASC"):
            for row in b.rows(table, f"WHERE {q} IS NOT NULL ORDER BY {q} {direction} LIMIT 1"):
                for other in rng.sample(b.rows(table), min(2, len(b.rows(table)))):
                    b.clone(table, other, {col: row[col]})
                b.clone(table, row, keep_parents=True)      # the same value twice under one parent
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _unmatched(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
        most: int) -> list[Variant]:
    out: list[Variant] = []
    for child in schema.values():
        for fk in child.fks:
            if child.name not in info.tables and fk.parent not in info.tables:
                continue
            b = _Builder(base, schema, "unmatched_fk", f"{child.name} -> {fk.parent}")
            parents = b.rows(fk.parent)
            for row in rng.sample(parents, min(2, len(parents))):
                b.clone(fk.parent, row)
            nullable = all(not (child.column(c) and child.column(c).notnull) for c in fk.columns)
            if nullable:
                for row in rng.sample(b.rows(child.name), min(2, len(b.rows(child.name)))):
                    b.clone(child.name, row, {c: None for c in fk.columns})
            _done(b, out)
            if len(out) >= most:
                return out
    return out


def _case(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
        most: int) -> list[Variant]:
    out: list[Variant] = []
    for const in info.constants:
        if not isinstance(const.value, str) or not any(ch.isalpha() for ch in const.value):
            continue
        if column_format(base, const.table, const.column):
            continue                       # dates and times have no case to flip
        b = _Builder(base, schema, "case", f"{const.column} ~ {const.value!r}")
        rows = b.rows(const.table)
        if const.op == "like":
            q = quote_ident(const.column)
            matching = b.rows(const.table, f"WHERE {q} LIKE ?", (const.value,))
            for row in matching[:2]:
                b.clone(const.table, row, {const.column: str(row[const.column]).swapcase()})
        else:
            for variant in {const.value.upper(), const.value.lower(), const.value.swapcase()} - {const.value}:
                for row in rng.sample(rows, min(1, len(rows))):
                    b.clone(const.table, row, {const.column: variant})
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _renumbered(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo) -> list[Variant]:
    """Integer keys remapped (in reverse order, to new numbers) with every foreign key following them."""
    b = _Builder(base, schema, "renumbered_ids", "new ids")
    b.conn.execute("PRAGMA foreign_keys = OFF")
    try:
        for t in schema.values():
            if len(t.pk) != 1 or t.column(t.pk[0]).affinity != "INTEGER":
                continue
            pk = t.pk[0]
            q = quote_ident(pk)
            ids = [r[0] for r in b.conn.execute(f"SELECT {q} FROM {quote_ident(t.name)} WHERE typeof({q}) = 'integer' ORDER BY {q}")]
            if not ids:
                continue
            start = max(ids) + 10
            mapping = {old: start + (len(ids) - i) * 3 for i, old in enumerate(ids)}
            children = [(c, fk) for c in schema.values() for fk in c.fks
                        if fk.parent == t.name and fk.parent_columns == [pk] and len(fk.columns) == 1]
            for old, new in mapping.items():
                b.conn.execute(f"UPDATE {quote_ident(t.name)} SET {q} = ? WHERE {q} = ?", (new, old))
                for child, fk in children:
                    b.conn.execute(f"UPDATE {quote_ident(child.name)} SET {quote_ident(fk.columns[0])} = ? "
                                   f"WHERE {quote_ident(fk.columns[0])} = ?", (new, old))
            b.count += 1
            if t.rowid:
                b.variant.changed[t.name] = [r[0] for r in b.conn.execute(f"SELECT rowid FROM {quote_ident(t.name)}")]
    except sqlite3.Error:
        b.conn.close()
        return []
    b.conn.execute("PRAGMA foreign_keys = ON")
    out: list[Variant] = []
    _done(b, out)
    return out


def _group_sizes(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
        most: int) -> list[Variant]:
    """A group with exactly the count a HAVING compares with (and one more)."""
    out: list[Variant] = []
    if not info.having_counts or not info.group_columns:
        return out
    targets: list[tuple[str, str]] = []          # (table, column) whose equal values form the groups
    for table, col in info.group_columns:
        t = schema[table]
        targets.append((table, col))
        if col in t.pk:                            # grouped by a parent key: grow its children
            for child in schema.values():
                for fk in child.fks:
                    if fk.parent == table and child.name in info.tables and len(fk.columns) == 1:
                        targets.append((child.name, fk.columns[0]))
    for n in sorted(set(info.having_counts)):
        for size in (n, n + 1):
            for table, col in targets:
                if col in schema[table].pk:
                    continue
                b = _Builder(base, schema, "group_sizes", f"{table}.{col}: {size} rows")
                q = quote_ident(col)
                groups = b.conn.execute(f"SELECT {q}, count(*) FROM {quote_ident(table)} WHERE {q} IS NOT NULL "
                                        f"GROUP BY {q} HAVING count(*) < ? ORDER BY count(*) DESC", (size,)).fetchall()
                for value, count in groups[:1]:
                    rows = b.rows(table, f"WHERE {q} = ?", (value,))
                    for i in range(size - count):
                        b.clone(table, rows[i % len(rows)])
                _done(b, out)
                if len(out) >= most:
                    return out
    return out


def _random_dbs(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
                count: int, pools: dict[tuple[str, str], list[Any]] | None = None, *,
                rows: tuple[int, int] = (3, 8), kind: str = "random") -> list[Variant]:
    """Small databases filled from scratch, each column drawn independently from its pool."""
    needed = _with_parents(info.tables, schema)
    order = _parents_first(needed, schema)
    if pools is None:
        pools = value_pools(base, schema, info, order)
    ddl = base.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                       "AND type IN ('table', 'index', 'view') "
                       "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid").fetchall()
    out: list[Variant] = []
    for k in range(count):
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.isolation_level = None
        for (sql,) in ddl:
            conn.execute(sql)
        conn.execute("PRAGMA foreign_keys = ON")
        variant = Variant(kind, conn, {}, f"{kind} #{k + 1}")
        for name in order:
            t = schema[name]
            n_rows = rng.randint(*rows)
            ids = rng.sample(range(1, 4 * n_rows + 1), n_rows)
            for i in range(n_rows):
                for _ in range(5):
                    values = _random_row(conn, t, schema, pools, rng, ids[i])
                    if values is None:
                        break
                    cols = ", ".join(quote_ident(c) for c in values)
                    try:
                        cur = conn.execute(f"INSERT INTO {quote_ident(name)} ({cols}) VALUES "
                                           f"({', '.join('?' for _ in values)})", tuple(values.values()))
                    except sqlite3.Error:
                        continue
                    if t.rowid:
                        variant.changed.setdefault(name, []).append(cur.lastrowid)
                    break
        if variant.changed and conn.execute("PRAGMA foreign_key_check").fetchone() is None:
            out.append(variant)
        else:
            conn.close()
    return out


def _random_row(conn: sqlite3.Connection, t: Table, schema: dict[str, Table], pools: dict[tuple[str, str], list[Any]],
                rng: random.Random, key: int) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    fk_of = {fk.columns[0]: fk for fk in t.fks if len(fk.columns) == 1}
    for c in t.columns:
        if c.name in fk_of:
            fk = fk_of[c.name]
            parents = [r[0] for r in conn.execute(
                f"SELECT {quote_ident(fk.parent_columns[0])} FROM {quote_ident(fk.parent)}")]
            choices: list[Any] = parents + ([None] if not c.notnull else [])
            if not choices:
                return None
            values[c.name] = rng.choice(choices)
        elif len(t.pk) == 1 and c.name == t.pk[0] and c.affinity == "INTEGER":
            if key is None:
                top = conn.execute(f"SELECT max({quote_ident(c.name)}) FROM {quote_ident(t.name)}").fetchone()[0]
                key = (top if isinstance(top, int) else 0) + rng.randint(1, 3)
            values[c.name] = key
        else:
            pool = pools[(t.name, c.name)]
            if not pool:
                return None
            values[c.name] = rng.choice(pool)
    return values


def _with_parents(tables: list[str], schema: dict[str, Table]) -> list[str]:
    out = list(tables)
    i = 0
    while i < len(out):
        for fk in schema[out[i]].fks:
            if fk.parent in schema and fk.parent not in out:
                out.append(fk.parent)
        i += 1
    return out


def _parents_first(tables: list[str], schema: dict[str, Table]) -> list[str]:
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order or name in visiting:
            return
        visiting.add(name)
        for fk in schema[name].fks:
            if fk.parent in tables and fk.parent != name:
                visit(fk.parent)
        order.append(name)

    for name in tables:
        visit(name)
    return order


# --- distillation ------------------------------------------------------------------------

DML_KINDS = ("renumbered_ids", "boundary", "date_boundaries", "near_text", "case", "nulls", "several_matches",
             "shuffled", "twins", "independent_rows", "unmatched_fk", "random")


def select_variants(candidates: list[Variant], kills: list[set[int]], *, most: int = 40,
                    kinds: tuple[str, ...] = KINDS) -> list[int]:
    """Indexes of the candidates to keep: the best of each kind, a greedy cover of the mutants, then the rest.

    ``kills[i]`` holds the mutants candidate ``i`` tells apart from the reference. Kinds no
    mutant exercises (ties under LIMIT 1, hard-coded ids, case) still keep a representative,
    because students make those mistakes although no single mutation does; remaining room is
    filled in the order of :data:`KINDS`, so a class of data is never left out for lack of a mutant.
    """
    chosen: list[int] = []
    covered: set[int] = set()
    for kind in kinds:
        of_kind = [i for i, v in enumerate(candidates) if v.kind == kind]
        if of_kind:
            best = max(of_kind, key=lambda i: (len(kills[i] - covered), -i))
            chosen.append(best)
            covered |= kills[best]
    wanted = set().union(*kills) if kills else set()
    while covered < wanted:
        best = max((i for i in range(len(candidates)) if i not in chosen),
                   key=lambda i: (len(kills[i] - covered), -i))
        if not kills[best] - covered:
            break
        chosen.append(best)
        covered |= kills[best]
    rank = {k: n for n, k in enumerate(kinds)}
    rest = sorted((i for i in range(len(candidates)) if i not in chosen),
                  key=lambda i: (rank.get(candidates[i].kind, len(kinds)), i))
    chosen += rest
    return sorted(chosen[: max(most, 0)])


# --- value pools ---------------------------------------------------------------------------

def _in_format(value: Any, fmt: str | None) -> bool:
    """Whether ``value`` may go into a column whose visible values all have the date/time format ``fmt``."""
    return fmt is None or (isinstance(value, str) and text_format([value]) == fmt)


def column_format(base: sqlite3.Connection, table: str, column: str) -> str | None:
    q = quote_ident(column)
    values = [r[0] for r in base.execute(f"SELECT DISTINCT {q} FROM {quote_ident(table)} WHERE {q} IS NOT NULL LIMIT 50")]
    return text_format(values)


def derived_values(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, table: str,
                   column: str) -> list[Any]:
    """Values next to the reference's constants on this column (and next to its visible dates)."""
    t = schema[table]
    c = t.column(column)
    if c is None:
        return []
    fmt = column_format(base, table, column)
    out: list[Any] = []
    q = quote_ident(column)
    visible = [r[0] for r in base.execute(f"SELECT DISTINCT {q} FROM {quote_ident(table)} WHERE {q} IS NOT NULL "
                                           f"ORDER BY {q} LIMIT 40")] if fmt else []
    for const in info.constants:
        if const.table != table or const.column != column:
            continue
        value = const.value
        if fmt:                                     # dates stay dates: only values in the column's format
            plain = value.strip("%*_?") if isinstance(value, str) and const.op in ("like", "glob") else value
            near = date_neighbours(plain, fmt) if isinstance(plain, str) else []
            if isinstance(plain, str) and TIME.match(plain) and fmt.startswith("datetime") and visible:
                near = [v for base_value in visible[:: max(1, len(visible) // 3)][:3]
                        for v in with_time_near(base_value, plain, fmt)]
            if not near and visible:
                try:
                    number = int(plain)
                except (TypeError, ValueError):
                    number = None
                if number is not None:
                    for v in visible[:: max(1, len(visible) // 3)][:3]:
                        near += unit_values(v, number, fmt)
            out += near
        elif isinstance(value, str):
            if const.op in ("like", "glob"):
                out += like_neighbours(value, glob=const.op == "glob")
            else:
                out += text_neighbours(value)
            fitted = _fit(value, c)
            if not isinstance(fitted, str) and fitted is not None:
                out += number_neighbours(fitted, real=c.affinity == "REAL")
        elif isinstance(value, (int, float)):
            out += number_neighbours(value, real=c.affinity == "REAL" or isinstance(value, float))
    if fmt and visible:
        for v in visible[:: max(1, len(visible) // 8)][:8] + visible[-1:]:
            out += date_neighbours(v, fmt, open_ends=v in (visible[0], visible[-1]))
    elif c.affinity == "TEXT" and not c.pk:
        out += ["", "x"]                            # empty text next to NULL, a text unlike the visible ones
        numbers = [k.value for k in info.constants if isinstance(k.value, int) and not isinstance(k.value, bool)]
        texts = [r[0] for r in base.execute(f"SELECT DISTINCT {q} FROM {quote_ident(table)} "
                                             f"WHERE {q} GLOB '*[0-9]*' LIMIT 3")]
        for text in texts:                          # numbers held in text: other widths compare differently
            out += digit_variants(text, numbers)
    elif c.affinity in ("INTEGER", "REAL", "NUMERIC") and column not in t.pk and not any(
            column in fk.columns for fk in t.fks):
        lo, hi = base.execute(f"SELECT min({q}), max({q}) FROM {quote_ident(table)} "
                              f"WHERE typeof({q}) IN ('integer', 'real')").fetchone()
        if isinstance(hi, (int, float)) and isinstance(lo, (int, float)):
            out += [hi * 10 + 7, hi + 1, lo - 1, 0, type(hi)(1)]
            if c.affinity == "REAL" or isinstance(hi, float):     # fractions that round and truncate differently
                out += [lo + 0.5, hi + 0.25, (lo + hi) / 2 + 0.75]
    fitted = [_fit(v, c) for v in out]
    sample = [r[0] for r in base.execute(f"SELECT {q} FROM {quote_ident(table)} WHERE {q} IS NOT NULL LIMIT 20")]
    if sample and all(isinstance(v, (int, float)) for v in sample):
        fitted = [v for v in fitted if not isinstance(v, str)]      # a number column keeps holding numbers
    fitted = [v for v in fitted if _in_format(v, fmt)]              # a date column keeps holding dates
    return [x for _, x in dict.fromkeys((type(x).__name__, x) for x in fitted if x is not None)]


def value_pools(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo,
                tables: list[str]) -> dict[tuple[str, str], list[Any]]:
    """Per column: visible values, values next to the reference's constants, NULL when allowed.

    Columns the reference compares with each other (joins, ``a > b``, UNION branches, IN
    subqueries) share their pools, so random rows produce equal pairs and shared values.
    """
    pools: dict[tuple[str, str], list[Any]] = {}
    for name in tables:
        t = schema[name]
        for c in t.columns:
            q = quote_ident(c.name)
            pool = [r[0] for r in base.execute(f"SELECT DISTINCT {q} FROM {quote_ident(name)} WHERE {q} IS NOT NULL "
                                                f"LIMIT 30")]
            if (name, c.name) in info.columns:
                derived = [v for v in derived_values(base, schema, info, name, c.name) if v not in pool]
                fmt = column_format(base, name, c.name)
                constants = [_fit(k.value, c) for k in info.constants if k.table == name and k.column == c.name
                             and k.op in ("cmp", "in") and _in_format(_fit(k.value, c), fmt)]
                # visible values and the constants stay as likely as the derived ones
                weight = max(1, len(derived) // max(1, len(pool) + len(constants)))
                pool = (pool + [v for v in constants if v is not None]) * weight + derived
                if c.affinity == "TEXT" and not column_format(base, name, c.name):
                    # texts next to visible ones: other case, a character more in front or less, a trailing space
                    near = [n for v in pool[:3] if isinstance(v, str) and v
                            for n in (v.swapcase(), "x" + v, v[1:], v + " ")]
                    pool += [v for v in dict.fromkeys(near) if v not in pool]
            pools[(name, c.name)] = pool
    for a, b in info.pairs:
        if a in pools and b in pools:
            ca, cb = schema[a[0]].column(a[1]), schema[b[0]].column(b[1])
            if ca and cb and ca.affinity == cb.affinity:
                pa, pb = pools[a], pools[b]
                pools[a] = pa + [v for v in pb if v not in pa]
                pools[b] = pb + [v for v in pa if v not in pb]
    for (name, col), pool in pools.items():
        c = schema[name].column(col)
        if not c.notnull and not c.pk:
            pool += [None] * max(1, len(pool) // 6)
        if not pool and not c.notnull:
            pool.append(None)
    return pools


# --- variants aimed at classes of coincidental answers --------------------------------------

def _matching_rows(b: _Builder, table: str, column: str, value: Any, op: str) -> list[dict[str, Any]]:
    q = quote_ident(column)
    try:
        if op == "like":
            return b.rows(table, f"WHERE {q} LIKE ?", (value,))
        if op == "glob":
            return b.rows(table, f"WHERE {q} GLOB ?", (value,))
        return b.rows(table, f"WHERE {q} = ?", (value,))
    except sqlite3.Error:
        return []


def _preferred_rows(b: _Builder, info: RefInfo, table: str, col: str, rng: random.Random,
                    most: int) -> list[dict[str, Any]]:
    """Some rows that meet the reference's other text conditions on ``table`` (all rows when none do)."""
    rows = b.rows(table)
    for other in info.constants:
        if other.table == table and other.column != col and isinstance(other.value, str):
            matching = {tuple(sorted((k, repr(v)) for k, v in r.items()))
                        for r in _matching_rows(b, table, other.column, other.value, other.op)}
            narrowed = [r for r in rows if tuple(sorted((k, repr(v)) for k, v in r.items())) in matching]
            rows = narrowed or rows
    return rng.sample(rows, min(most, len(rows)))


def _near_values(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
                 most: int) -> list[Variant]:
    """Per constant: rows (with their children) holding the values next to it; per date column its unit boundaries."""
    out: list[Variant] = []
    done: set[tuple] = set()
    targets: list[tuple[str, str, Any, str]] = [(c.table, c.column, c.value, c.op) for c in info.constants]
    for table, col in info.columns:
        if column_format(base, table, col):
            targets.append((table, col, None, "dates"))
    for table, col, value, op in targets:
        key = (table, col, repr(value), op)
        if key in done:
            continue
        done.add(key)
        c = schema[table].column(col)
        fmt = column_format(base, table, col)
        if value is None:
            values = derived_values(base, schema, RefInfo([table], [], []), table, col)
            kind = "date_boundaries"
        else:
            one = RefInfo([table], [(table, col)], [Constant(table, col, value, op)])
            values = derived_values(base, schema, one, table, col)
            if fmt and isinstance(value, str):
                kind = "date_boundaries"
            elif isinstance(value, str) and c.affinity == "TEXT":
                kind = "near_text"
            else:
                kind = "boundary"
        if not values:
            continue
        b = _Builder(base, schema, kind, f"{table}.{col} near {value!r}")
        rows = _matching_rows(b, table, col, value, op) if value is not None else []
        rows = (rows or _preferred_rows(b, info, table, col, rng, 4))[:8]
        if not rows:
            b.conn.close()
            continue
        flips = 3 if isinstance(value, str) and kind == "near_text" else 0
        for v in values[:flips]:               # other case: every matching row, so no other condition hides it
            for row in rows:
                b.clone_family(table, row, info.tables, rng, {col: v})
        constrained = {k.column for k in info.constants if k.table == table} | {col}
        labels = [x.name for x in schema[table].columns if x.affinity == "TEXT" and x.name not in constrained
                  and x.name not in schema[table].pk and not any(x.name in fk.columns for fk in schema[table].fks)]
        for i, v in enumerate(values[flips:40]):
            row = rows[i % len(rows)]
            overrides = {col: v}
            if i % 2 and labels:               # a copy with its own label, so a set result (UNION, DISTINCT) shows it
                overrides.update({x: b._fresh(table, x, row.get(x), 0) for x in labels if isinstance(row.get(x), str)})
            b.clone_family(table, row, info.tables, rng, overrides)
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _aggregate_boundaries(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo,
                          rng: random.Random) -> list[Variant]:
    """For ``SUM(col) > c`` (AVG, MIN, MAX): a new group of one row whose value is c, c - 1 or c + 1."""
    out: list[Variant] = []
    for const in info.aggregate_constants[:4]:
        t = schema[const.table]
        c = t.column(const.column)
        keys = [g for g in info.group_columns if g[0] == const.table]
        if c is None or not keys:
            continue
        b = _Builder(base, schema, "boundary", f"group with {const.column} = {const.value!r}")
        rows = b.rows(const.table)
        for value, row in zip(number_neighbours(const.value, real=c.affinity == "REAL"),
                              rng.sample(rows, min(3, len(rows))) * 3):
            overrides: dict[str, Any] = {const.column: _fit(value, c)}
            for _, key in keys:
                fk = next((f for f in t.fks if f.columns == [key]), None)
                if fk is not None:                        # a new parent, so the group is new
                    parents = b.rows(fk.parent, f"WHERE {quote_ident(fk.parent_columns[0])} = ?", (row.get(key),))
                    twin = b.clone(fk.parent, parents[0]) if parents else None
                    if twin is not None:
                        overrides[key] = twin.get(fk.parent_columns[0])
                elif key not in t.pk:
                    overrides[key] = b._fresh(const.table, key, row.get(key), 0)
            b.clone(const.table, row, overrides)
        _done(b, out)
    return out


def _duplicate_rows(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random) -> list[Variant]:
    """Every row of each used table twice (fresh keys where keys allow it, same parent)."""
    out: list[Variant] = []
    children = [t for t in info.tables if schema[t].fks]
    groups = [children, list(info.tables)] if children and set(children) != set(info.tables) else [list(info.tables)]
    composite = [t for t in children if len(schema[t].pk) > 1]
    for group, keep in [(g, False) for g in groups] + ([(composite, True)] if composite else []):
        b = _Builder(base, schema, "duplicate_rows", ", ".join(group) + (" (same parents)" if keep else ""))
        for table in group:
            for row in b.rows(table)[:60]:
                b.clone(table, row, keep_parents=keep)
        _done(b, out)
    return out


def _twins(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo) -> list[Variant]:
    """Every entity twice: rows of a parent table cloned, and their children cloned and re-pointed at the twin.

    One variant per parent table (the rows' other parents stay the same, so constants on
    them still match): ties everywhere, namesakes, several matches for ``= (subquery)``.
    """
    tables = _parents_first(_with_parents(info.tables, schema), schema)
    roots = [t for t in tables if t in info.tables] or tables
    out: list[Variant] = []
    for root in roots[:3]:
        b = _Builder(base, schema, "twins", f"twins of {root}")
        mapping: dict[str, dict[Any, Any]] = {}
        for name in tables:
            t = schema[name]
            links = [fk for fk in t.fks if len(fk.columns) == 1 and fk.parent in mapping and fk.parent != name]
            if name != root and not links:
                continue
            referenced = {pc for c in schema.values() for fk in c.fks if fk.parent == name for pc in fk.parent_columns}
            for row in b.rows(name)[:60]:
                overrides = {}
                for fk in links:
                    old = row.get(fk.columns[0])
                    if old in mapping[fk.parent]:
                        overrides[fk.columns[0]] = mapping[fk.parent][old]
                if name != root and not overrides:
                    continue
                new = b.clone(name, row, overrides)
                if new is not None:
                    for col in referenced:
                        mapping.setdefault(name, {})[row.get(col)] = new.get(col)
        _done(b, out)
    return out


def _several_matches(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
                     most: int) -> list[Variant]:
    """Rows matching a constant of the reference cloned (with children): namesakes for ``= (subquery)``."""
    out: list[Variant] = []
    by_table: dict[str, list[Constant]] = {}
    for const in info.constants:
        if const.op in ("cmp", "like", "glob", "in"):
            by_table.setdefault(const.table, []).append(const)
    for table in list(dict.fromkeys(info.subquery_tables + list(by_table))):
        b = _Builder(base, schema, "several_matches", table)
        rows: list[dict[str, Any]] = []
        for const in by_table.get(table, []):
            rows += _matching_rows(b, table, const.column, const.value, const.op)[:3]
        if not rows and table in info.subquery_tables:
            rows = rng.sample(b.rows(table), min(3, len(b.rows(table))))
        for row in rows[:4]:
            b.clone_family(table, row, info.tables, rng)
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _null_groups(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
                 most: int) -> list[Variant]:
    """An aggregated column NULL in every row of some groups (SUM is NULL, COUNT(col) 0), or in all rows."""
    out: list[Variant] = []
    for table, col in info.aggregated:
        t = schema[table]
        c = t.column(col)
        if c is None or c.notnull or c.pk or not t.rowid:
            continue
        keys = [g for g in info.group_columns if g[0] == table] + [(table, fk.columns[0]) for fk in t.fks
                                                                    if len(fk.columns) == 1]
        for _table, key in keys[:2]:
            b = _Builder(base, schema, "null_groups", f"{table}.{col} NULL per {key}")
            q = quote_ident(key)
            groups = [r[0] for r in b.conn.execute(f"SELECT DISTINCT {q} FROM {quote_ident(table)} "
                                                    f"WHERE {q} IS NOT NULL ORDER BY {q}")]
            for g in rng.sample(groups, min(2, len(groups))):
                for row in b.rows(table, f"WHERE {q} = ?", (g,)):
                    b.update(table, row["__rowid__"], {col: None})
            _done(b, out)
        b = _Builder(base, schema, "null_groups", f"{table}.{col} all NULL")
        for row in b.rows(table):
            b.update(table, row["__rowid__"], {col: None})
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _equal_pairs(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
                 most: int) -> list[Variant]:
    """For ``a <op> b`` between columns: rows where a equals b (same row, or through a foreign key)."""
    out: list[Variant] = []
    for (ta, ca), (tb, cb) in info.pairs:
        t = schema[ta]
        col_a = t.column(ca)
        if col_a is None or col_a.pk or any(ca in fk.columns for fk in t.fks):
            continue
        b = _Builder(base, schema, "equal_pairs", f"{ta}.{ca} = {tb}.{cb}")
        rows = b.rows(ta)
        if ta == tb:
            for row in rng.sample(rows, min(3, len(rows))):
                b.clone(ta, row, {ca: row.get(cb)})
        links = [fk for fk in t.fks if fk.parent == tb and len(fk.columns) == 1]
        for fk in links:
            for row in rng.sample(rows, min(3, len(rows))):
                parent = b.rows(tb, f"WHERE {quote_ident(fk.parent_columns[0])} = ?", (row.get(fk.columns[0]),))
                if parent:
                    b.clone(ta, row, {ca: parent[0].get(cb)})
        if not links and ta != tb:
            others = [r[0] for r in b.conn.execute(f"SELECT DISTINCT {quote_ident(cb)} FROM {quote_ident(tb)} "
                                                    f"WHERE {quote_ident(cb)} IS NOT NULL LIMIT 20")]
            for row, v in zip(rng.sample(rows, min(3, len(rows))), rng.sample(others, min(3, len(others)))):
                b.clone_family(ta, row, info.tables, rng, {ca: v})
        _done(b, out)
        if len(out) >= most:
            break
    return out


def _union_shared(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random) -> list[Variant]:
    """For UNION/INTERSECT/EXCEPT: rows of one branch's table given values another branch returns."""
    out: list[Variant] = []
    if len(info.branches) < 2:
        return out
    for src, dst in ((0, 1), (1, 0)):
        a, target = info.branches[src], info.branches[dst]
        tables = [t for t in target.find_all(exp.Table) if _find(schema, t.name)]
        if len(tables) != 1:
            continue
        table = _find(schema, tables[0].name).name
        outs = [_bare(o) for o in target.expressions]
        b = _Builder(base, schema, "union_shared", f"{table} shares values")
        try:
            values = b.conn.execute(a.sql(dialect="sqlite")).fetchall()[:6]
        except sqlite3.Error:
            b.conn.close()
            continue
        where = target.args.get("where")
        try:
            rows = b.rows(table, f"WHERE {where.this.sql(dialect='sqlite')}") if where is not None else []
        except sqlite3.Error:
            rows = []
        rows = rows or b.rows(table)
        if not rows:
            b.conn.close()
            continue
        for i, value in enumerate(values):
            overrides = {}
            for j, o in enumerate(outs):
                if isinstance(o, exp.Column) and j < len(value) and schema[table].column(o.name):
                    overrides[schema[table].column(o.name).name] = value[j]
            if not overrides:
                continue
            row = rows[i % len(rows)]
            if i == 0 and "__rowid__" in row:     # the branch's own row takes the other branch's value
                b.update(table, row["__rowid__"], overrides)
            else:                                  # a copy (its keys, e.g. a UNIQUE name, are fresh)
                b.clone_family(table, row, info.tables, rng, overrides)
        _done(b, out)
    return out


def _shuffled(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random) -> list[Variant]:
    """Each non-key column's values permuted independently: breaks correlations between columns."""
    b = _Builder(base, schema, "shuffled", "columns shuffled")
    b.conn.execute("PRAGMA foreign_keys = OFF")
    for name in info.tables:
        t = schema[name]
        if not t.rowid:
            continue
        fk_cols = {c for fk in t.fks for c in fk.columns}
        rows = b.rows(name)
        if len(rows) < 3:
            continue
        cols = [c.name for c in t.columns if c.name not in t.pk and c.name not in fk_cols]
        permuted = [dict(r) for r in rows]
        for col in cols:
            values = [r[col] for r in rows]
            rng.shuffle(values)
            for r, v in zip(permuted, values):
                r[col] = v
        b.conn.execute(f"DELETE FROM {quote_ident(name)}")
        for old, new in zip(rows, permuted):
            values = {k: v for k, v in new.items() if k != "__rowid__"}
            cols_sql = ", ".join(["rowid"] + [quote_ident(k) for k in values])
            marks = ", ".join("?" for _ in range(len(values) + 1))
            try:
                b.conn.execute(f"INSERT INTO {quote_ident(name)} ({cols_sql}) VALUES ({marks})",
                               (old["__rowid__"], *values.values()))
            except sqlite3.Error:
                original = {k: v for k, v in old.items() if k != "__rowid__"}
                b.conn.execute(f"INSERT INTO {quote_ident(name)} ({cols_sql}) VALUES ({marks})",
                               (old["__rowid__"], *original.values()))
                continue
            if new != old:
                b._mark(name, old["__rowid__"])
    b.conn.execute("PRAGMA foreign_keys = ON")
    out: list[Variant] = []
    _done(b, out)
    return out


def _empty_tables(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo) -> list[Variant]:
    """Used tables without rows (children first): aggregates over nothing, groups that vanish."""
    out: list[Variant] = []
    order = list(reversed(_parents_first(list(schema), schema)))
    leaves = [t for t in info.tables if schema[t].fks] or info.tables[-1:]
    for targets in ([t for t in leaves], list(info.tables)):
        b = _Builder(base, schema, "empty_tables", ", ".join(targets))
        doomed = set(targets)
        for name in order:                 # tables whose rows point at an emptied table go too
            if any(fk.parent in doomed for fk in schema[name].fks):
                doomed.add(name)
        for name in order:
            if name in doomed:
                try:
                    deleted = b.conn.execute(f"DELETE FROM {quote_ident(name)}").rowcount
                except sqlite3.Error:
                    deleted = 0
                b.count += deleted
        _done(b, out)
        if set(targets) == set(info.tables):
            break
    return out


def _few_rows(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo) -> list[Variant]:
    """Each used table cut down to one row (children first; a parent row still referenced stays)."""
    b = _Builder(base, schema, "few_rows", "one row per table")
    order = list(reversed(_parents_first(list(schema), schema)))
    doomed = set(info.tables)
    for _ in range(len(schema)):
        doomed |= {t.name for t in schema.values() if any(fk.parent in doomed for fk in t.fks)}
    for name in [t for t in order if t in doomed]:
        if not schema[name].rowid:
            continue
        rowids = [r[0] for r in b.conn.execute(f"SELECT rowid FROM {quote_ident(name)} ORDER BY rowid")]
        for rowid in rowids[1:]:
            try:
                b.conn.execute(f"DELETE FROM {quote_ident(name)} WHERE rowid = ?", (rowid,))
                b.count += 1
            except sqlite3.Error:
                continue
    out: list[Variant] = []
    _done(b, out)
    return out


def _independent_rows(base: sqlite3.Connection, schema: dict[str, Table], info: RefInfo, rng: random.Random,
                      pools: dict[tuple[str, str], list[Any]], count: int) -> list[Variant]:
    """The visible data plus rows whose columns are drawn independently from the pools."""
    out: list[Variant] = []
    order = _parents_first(_with_parents(info.tables, schema), schema)
    for k in range(count):
        b = _Builder(base, schema, "independent_rows", f"independent rows #{k + 1}")
        for name in order:
            if name not in info.tables:
                continue
            t = schema[name]
            for _ in range(rng.randint(2, 5)):
                for _attempt in range(4):
                    values = _random_row(b.conn, t, schema, pools, rng, None)
                    if values is None:
                        break
                    if b._insert(name, values) is not None:
                        break
        _done(b, out)
    return out
