"""sqllab's own repairs of a candidate reference query, tried before the query goes back to the model.

Most candidate queries the embedded model writes fail for a handful of mechanical reasons (the
writer's logs of 2026-12-01, 110 queries sent back): a name copied from the examples' schema
(``members``, ``member_id``, ``amount``: 30), a constant that matches no row (``'Springfield'``
from the examples, a threshold above every value: 37), ties that no ORDER BY key breaks (16), and
a boundary that no row tells apart from its neighbour (``points >= 950`` where no row has 950 to
999: 12). The model rarely fixes them when told (half its repairs came back unchanged), and each
repair round costs a minute on a busy 2-core machine. sqllab can fix each one itself, from the
lesson's own tables:

- a table or column of the examples' schema becomes the lesson's table or column in the same role
  (the table with the most columns in common; ``member_id`` the foreign key to that table; a
  numeric column the only numeric non-key column there);
- a constant that matches no row becomes a value in that column (the most frequent one for ``=``,
  a value that keeps about a third of the rows for a range);
- a sort gets the primary key (or the group keys, or the shown columns of a DISTINCT) as its last
  key, and so does a ROW_NUMBER() window's ORDER BY;
- a range's constant moves to the nearest value in the data that gives the same rows, so that the
  boundary is a row a student can see (``>= 1000`` when the first value at or above 950 is 1000).

A repair only proposes: the caller checks the repaired query as it checks any candidate
(``check_reference``), so a repair never lets a bad query through, and the question is written
after, for the query as repaired.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlglot
from sqlglot import exp

#: the schema of the exercise_sql prompt's examples (prompts/exercise_sql/examples.toml)
EXAMPLE_TABLES = {"members": ("id", "name", "city", "points", "joined_on"),
                  "orders": ("id", "member_id", "amount", "ordered_on")}
EXAMPLE_NUMERIC = {"points", "amount"}
#: repairs in a row on one query (a rename, then a constant, then a tie, say)
MAX_STEPS = 4

NO_TABLE, NO_COLUMN = "There is no table named", "There is no column named"
NO_ROWS = "must return at least one row"
TIES = "depends on an unspecified row order or on ties"
LOOSE = "does not pin the answer down"
ALIAS_OF = "is the table"           # "“o” is the table orders here, and orders has no column …"


@dataclass
class _Schema:
    columns: dict[str, list[str]] = field(default_factory=dict)       # table -> columns in order
    numeric: dict[str, set[str]] = field(default_factory=dict)        # table -> numeric columns
    keys: dict[str, list[str]] = field(default_factory=dict)          # table -> primary key columns
    refs: dict[str, dict[str, str]] = field(default_factory=dict)     # table -> {fk column: parent}

    def table_of(self, name: str) -> str | None:
        return next((t for t in self.columns if t.casefold() == name.casefold()), None)

    def has(self, table: str, column: str) -> bool:
        return column.casefold() in (c.casefold() for c in self.columns.get(table, []))


def _schema(con: sqlite3.Connection) -> _Schema:
    s = _Schema()
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                                "ORDER BY rowid"):
        info = con.execute(f'PRAGMA table_info("{table}")').fetchall()
        s.columns[table] = [r[1] for r in info]
        s.numeric[table] = {r[1] for r in info if any(k in (r[2] or "").upper() for k in ("INT", "REAL", "NUM", "DEC"))}
        s.keys[table] = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
        s.refs[table] = {r[3]: r[2] for r in con.execute(f'PRAGMA foreign_key_list("{table}")')}
    return s


def _parse(sql: str) -> exp.Expression | None:
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except Exception:  # noqa: BLE001 - sqlglot raises several kinds
        return None
    return tree if isinstance(tree, exp.Select) else None


def _sql(tree: exp.Expression) -> str:
    return tree.sql(dialect="sqlite")


def _aliases(tree: exp.Select) -> dict[str, str]:
    """Alias (or name) of each table the query reads -> its name as written."""
    return {(t.alias_or_name).casefold(): t.name for t in tree.find_all(exp.Table)}


def _select_aliases(tree: exp.Expression) -> set[str]:
    return {e.alias.casefold() for s in tree.find_all(exp.Select) for e in s.expressions if e.alias}


# --- names from the examples' schema ------------------------------------------------------------

def _rename(tree: exp.Select, schema: _Schema) -> exp.Select | None:
    """Tables and columns the lesson lacks, renamed to the lesson's own in the same role."""
    tree = tree.copy()
    mapped: dict[str, str] = {}        # table name as written -> lesson table
    for table in tree.find_all(exp.Table):
        if schema.table_of(table.name) or table.name in mapped:
            continue
        wanted = set(EXAMPLE_TABLES.get(table.name.casefold(), ()))
        alias = table.alias_or_name.casefold()
        alone = len(list(tree.find_all(exp.Table))) == 1
        wanted |= {c.name for c in tree.find_all(exp.Column) if c.table.casefold() == alias or alone and not c.table}
        scored = sorted(((len(wanted & set(cols)), t) for t, cols in schema.columns.items()), reverse=True)
        if not scored or not scored[0][0] or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        if any(v == scored[0][1] for v in mapped.values()):
            return None
        mapped[table.name] = scored[0][1]
    for table in tree.find_all(exp.Table):
        if table.name in mapped:
            table.set("this", exp.to_identifier(mapped[table.name]))
    lesson_of = {a: schema.table_of(mapped.get(n, n)) for a, n in _aliases(tree).items()}
    example_of = {v: k for k, v in mapped.items()}     # lesson table -> example table it stands for
    for key in list(lesson_of):
        for name, lesson in mapped.items():
            if key == name.casefold():
                lesson_of[key] = lesson
    reading = [t for t in lesson_of.values() if t]
    selected = _select_aliases(tree)
    changed = bool(mapped)
    renamed: dict[tuple[str, str], str] = {}        # (lesson table, name as written) -> column
    valid = {c.name.casefold() for c in tree.find_all(exp.Column)
             if any(schema.has(t, c.name) for t in reading)}
    for column in list(tree.find_all(exp.Column)):
        name = column.name
        if not name or name.casefold() in selected and not column.table:
            continue
        if column.table:
            table = lesson_of.get(column.table.casefold())
            if table is None:
                return None
            if schema.has(table, name):
                continue
            homes = [table]
        else:
            if any(schema.has(t, name) for t in reading):
                continue
            homes = [t for t in reading if name in EXAMPLE_TABLES.get(example_of.get(t, t).casefold(), ())]
            if len(homes) != 1:
                homes = reading if len(reading) == 1 else []
            if not homes:
                return None
        new = renamed.get((homes[0], name.casefold())) or _column_in_role(name, homes[0], schema, mapped, valid)
        renamed[(homes[0], name.casefold())] = new
        if new is None:
            return None
        column.set("this", exp.to_identifier(new))
        changed = True
    return tree if changed else None


def _column_in_role(name: str, table: str, schema: _Schema, mapped: dict[str, str],
                    used: set[str]) -> str | None:
    """The column of ``table`` in the role of the examples' column ``name``: a foreign key to the same
    parent, the one numeric non-key column, the one date column (none already used by the query)."""
    folded = name.casefold()
    if folded.endswith("_id"):                       # member_id: the foreign key to members' table
        parent = folded[:-3] + "s"
        parent = mapped.get(parent, parent)
        refs = schema.refs.get(table, {})
        hits = [c for c, p in refs.items() if p.casefold() == parent.casefold()]
        return hits[0] if len(hits) == 1 else (next(iter(refs)) if len(refs) == 1 else None)
    if folded in EXAMPLE_NUMERIC:                   # amount: the table's numeric non-key column
        keys = set(schema.keys.get(table, [])) | set(schema.refs.get(table, {}))
        free = [c for c in schema.columns[table] if c in schema.numeric.get(table, set())
                and c not in keys and not c.endswith("_id") and c.casefold() not in used]
        return free[0] if len(free) == 1 else None
    if folded.endswith(("_on", "_at", "date")):     # ordered_on: the table's date column
        free = [c for c in schema.columns[table] if c.casefold().endswith(("_on", "_at", "date"))
                and c.casefold() not in used]
        return free[0] if len(free) == 1 else None
    return None


# --- constants ------------------------------------------------------------------------------------

def _comparisons(tree: exp.Select) -> list[tuple[exp.Expression, exp.Column, exp.Literal]]:
    """(comparison, column, literal) of the outer query's WHERE: ``col op literal``."""
    where = tree.args.get("where")
    if where is None:
        return []
    out = []
    for node in where.find_all(exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In, exp.Between):
        if node.find_ancestor(exp.Subquery, exp.Exists) is not None:
            continue
        column = node.this if isinstance(node.this, exp.Column) else None
        if column is None:
            continue
        if isinstance(node, exp.In):
            literals = [e for e in node.expressions if isinstance(e, exp.Literal)]
        elif isinstance(node, exp.Between):
            literals = [e for e in (node.args.get("low"), node.args.get("high")) if isinstance(e, exp.Literal)]
        else:
            literals = [node.expression] if isinstance(node.expression, exp.Literal) else []
        out += [(node, column, lit) for lit in literals]
    return out


def _values(con: sqlite3.Connection, tree: exp.Select, column: exp.Column, schema: _Schema) -> list:
    aliases = _aliases(tree)
    tables = ([aliases.get(column.table.casefold())] if column.table else
              [t for t in aliases.values() if schema.table_of(t) and schema.has(schema.table_of(t), column.name)])
    tables = [schema.table_of(t) for t in tables if t and schema.table_of(t)]
    if len(tables) != 1 or not schema.has(tables[0], column.name):
        return []
    rows = con.execute(f'SELECT "{column.name}", COUNT(*) FROM "{tables[0]}" WHERE "{column.name}" IS NOT NULL '
                       f'GROUP BY 1 ORDER BY 2 DESC, 1').fetchall()
    return rows


def _literal(value: object, like: exp.Literal) -> exp.Literal:
    if isinstance(value, (int, float)) and not like.is_string:
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _same_kind(value: object, literal: exp.Literal) -> bool:
    return isinstance(value, str) == literal.is_string


def _matches_nothing(literal: exp.Literal, values: list) -> bool:
    want = literal.this if literal.is_string else _number(literal.this)
    return want not in [v for v, _ in values]


def _number(text: str) -> object:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _with_rows(tree: exp.Select, con: sqlite3.Connection, schema: _Schema) -> exp.Select | None:
    """Constants that match no row replaced by values of the data."""
    tree = tree.copy()
    changed = False
    for node, column, literal in _comparisons(tree):
        values = _values(con, tree, column, schema)
        if not values or not all(_same_kind(v, literal) for v, _ in values):
            continue
        if isinstance(node, (exp.EQ, exp.In)):
            if _matches_nothing(literal, values):
                taken = {lit.this for _, c, lit in _comparisons(tree) if c.name == column.name}
                pick = next((v for v, _ in values if str(v) not in taken), None)
                if pick is not None:
                    literal.replace(_literal(pick, literal))
                    changed = True
            continue
        ordered = sorted(v for v, _ in values)     # distinct values: keep about a third of them
        if len(ordered) < 2:
            continue
        if isinstance(node, exp.GT):
            pick = ordered[min(len(ordered) - 2, (2 * len(ordered)) // 3)]
        elif isinstance(node, exp.GTE) or (isinstance(node, exp.Between) and literal is node.args.get("low")):
            pick = ordered[(2 * len(ordered)) // 3]
        elif isinstance(node, exp.LT):
            pick = ordered[max(1, len(ordered) // 3)]
        else:
            pick = ordered[len(ordered) // 3]
        literal.replace(_literal(pick, literal))
        changed = True
    return tree if changed else None


def _pinned(tree: exp.Select, con: sqlite3.Connection, schema: _Schema) -> exp.Select | None:
    """A range's constant moved to the nearest data value that keeps the same rows."""
    tree = tree.copy()
    changed = False
    for node, column, literal in _comparisons(tree):
        if literal.is_string and not isinstance(node, (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between)):
            continue
        values = sorted(v for v, _ in _values(con, tree, column, schema))
        if not values or not all(_same_kind(v, literal) for v in values):
            continue
        c = literal.this if literal.is_string else _number(literal.this)
        if isinstance(c, str) != isinstance(values[0], str):
            continue
        at_or_above = [v for v in values if v >= c]
        at_or_below = [v for v in values if v <= c]
        low = node.args.get("low") if isinstance(node, exp.Between) else None
        if isinstance(node, (exp.GTE, exp.LT)) or (low is not None and literal is low):
            pick = at_or_above[0] if at_or_above else None
        elif isinstance(node, (exp.GT, exp.LTE, exp.Between)):
            pick = at_or_below[-1] if at_or_below else None
        else:
            continue
        if pick is not None and pick != c:
            literal.replace(_literal(pick, literal))
            changed = True
    return tree if changed else None


# --- ties -----------------------------------------------------------------------------------------

def _in_order(order: exp.Order, candidate: exp.Expression) -> bool:
    text = _sql(candidate).casefold()
    bare = candidate.name.casefold() if isinstance(candidate, exp.Column) else None
    for o in order.expressions:
        key = o.this
        if _sql(key).casefold() == text or (bare and isinstance(key, exp.Column) and key.name.casefold() == bare):
            return True
    return False


def _tie_keys(tree: exp.Select, schema: _Schema) -> list[exp.Expression]:
    if tree.args.get("group") is not None:
        return [g.copy() for g in tree.args["group"].expressions]
    if tree.args.get("distinct") is not None:
        return [exp.column(e.alias) if e.alias else e.copy() for e in tree.expressions]
    source = tree.args.get("from_")
    first = source.this if source is not None else None
    if not isinstance(first, exp.Table):
        return []
    table = schema.table_of(first.name)
    keys = schema.keys.get(table or "", [])
    if not keys:
        return []
    qualify = first.alias or (first.name if tree.args.get("joins") else "")
    return [exp.column(k, table=qualify or None) for k in keys]


def _tie_broken(tree: exp.Select, schema: _Schema) -> exp.Select | None:
    """The primary key (group keys, DISTINCT's columns) as the last key of the sort, and of each
    ROW_NUMBER() window's ORDER BY."""
    tree = tree.copy()
    changed = False
    order = tree.args.get("order")
    if order is not None:
        for key in _tie_keys(tree, schema):
            if not _in_order(order, key):
                order.append("expressions", exp.Ordered(this=key, nulls_first=True))
                changed = True
    for window in tree.find_all(exp.Window):
        if not isinstance(window.this, exp.RowNumber) or window.args.get("order") is None:
            continue
        inner = tree.args.get("from_")
        first = inner.this if inner is not None else None
        if not isinstance(first, exp.Table) or not schema.keys.get(schema.table_of(first.name) or ""):
            continue
        qualify = first.alias or (first.name if tree.args.get("joins") else "")
        for k in schema.keys[schema.table_of(first.name)]:
            key = exp.column(k, table=qualify or None)
            if not _in_order(window.args["order"], key):
                window.args["order"].append("expressions", exp.Ordered(this=key, nulls_first=True))
                changed = True
    return tree if changed else None


# --- the loop -------------------------------------------------------------------------------------

def mend_reference(db: Path, sql: str, topic: str,
                   check: Callable[[Path, str, str], list[str]],
                   problems: list[str] | None = None) -> tuple[str, list[str]] | None:
    """``sql`` repaired by sqllab so that ``check(db, sql, topic)`` finds nothing, and what was
    changed (English, for the log); None when no repair of the kinds above makes it pass."""
    tree = _parse(sql)
    if tree is None:
        return None
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        schema = _schema(con)
        found = problems if problems is not None else check(db, sql, topic)
        done: list[str] = []
        for _ in range(MAX_STEPS):
            if not found:
                return (_sql(tree), done) if done else None
            text = " ".join(found)
            step = None
            if NO_TABLE in text or NO_COLUMN in text or ALIAS_OF in text or "no column named" in text:
                step, what = _rename(tree, schema), "names of the lesson's tables"
            elif NO_ROWS in text:
                step, what = _with_rows(tree, con, schema), "constants that occur in the data"
            elif TIES in text:
                step, what = _tie_broken(tree, schema), "a key that breaks ties"
            elif LOOSE in text:
                step, what = _pinned(tree, con, schema), "a boundary at a value of the data"
            if step is None:
                return None
            tree = step
            done.append(what)
            found = check(db, _sql(tree), topic)
        return (_sql(tree), done) if not found else None
    except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError):
        return None
    finally:
        con.close()

