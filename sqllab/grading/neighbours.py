"""Neighbour queries: the reference with one small, typical mistake (sqlglot mutations).

Zhong, Yu & Klein (EMNLP 2020) keep the test databases that tell a query apart from such
neighbours. Each neighbour changes exactly one thing: a comparison (``>``↔``>=``, ``<``↔``<=``,
``=``↔``!=``), an aggregate (``COUNT(*)``↔``COUNT(col)``, ``SUM``↔``AVG``, ``MIN``↔``MAX``,
DISTINCT inside COUNT), the join kind (INNER↔LEFT), a literal (±1, ±1 day, letter case),
DISTINCT, ``AND``↔``OR``, ``IS NULL``↔``IS NOT NULL``, LIMIT ±1 or an ORDER BY direction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import sqlglot
from sqlglot import exp

DIALECT = "sqlite"
Mutation = Callable[[exp.Expression], exp.Expression | None]

_FLIP = {exp.GT: exp.GTE, exp.GTE: exp.GT, exp.LT: exp.LTE, exp.LTE: exp.LT, exp.EQ: exp.NEQ, exp.NEQ: exp.EQ}
_SWAP_AGG = {exp.Sum: exp.Avg, exp.Avg: exp.Sum, exp.Min: exp.Max, exp.Max: exp.Min}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse(sql: str) -> exp.Expression | None:
    """The sqlglot tree of one SQLite statement, or ``None`` when sqlglot cannot read it."""
    try:
        tree = sqlglot.parse_one(sql, read=DIALECT)
    except Exception:  # noqa: BLE001 - sqlglot raises several kinds of errors
        return None
    return tree


def neighbour_queries(sql: str, *, schema: dict[str, list[str]] | None = None, limit: int = 80) -> list[str]:
    """Distinct SQL texts, each the reference with one mutation; ``[]`` when sqlglot cannot parse it.

    ``schema`` (table -> columns) lets ``COUNT(*)`` become ``COUNT(col)`` for the columns of the
    tables in the query; without it the columns the query itself mentions are used.
    """
    tree = parse(sql)
    if tree is None:
        return []
    base = tree.sql(dialect=DIALECT)
    count_columns = _count_columns(tree, schema)
    seen = {base}
    out: list[str] = []
    for index, node in enumerate(tree.walk()):
        for mutation in _mutations(node, count_columns):
            copy = tree.copy()
            target = _nth(copy, index)
            replacement = mutation(target)
            if replacement is None:
                continue
            if replacement is not target:
                if target is copy:
                    copy = replacement
                else:
                    target.replace(replacement)
            try:
                text = copy.sql(dialect=DIALECT)
            except Exception:  # noqa: BLE001 - a mutation sqlglot cannot print is skipped
                continue
            if text not in seen:
                seen.add(text)
                out.append(text)
            if len(out) >= limit:
                return out
    return out


def _nth(tree: exp.Expression, index: int) -> exp.Expression:
    for i, node in enumerate(tree.walk()):
        if i == index:
            return node
    raise IndexError(index)


def _mutations(node: exp.Expression, count_columns: list[exp.Column]) -> Iterator[Mutation]:
    kind = type(node)
    if kind in _FLIP:
        yield lambda n, new=_FLIP[kind]: new(this=n.this, expression=n.expression)
    if kind in _SWAP_AGG:
        yield lambda n, new=_SWAP_AGG[kind]: new(this=n.this)
    if isinstance(node, exp.Count):
        yield from _count_mutations(node, count_columns)
    if isinstance(node, exp.And):
        yield lambda n: exp.Or(this=n.this, expression=n.expression)
    if isinstance(node, exp.Or):
        yield lambda n: exp.And(this=n.this, expression=n.expression)
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        yield lambda n: exp.Not(this=n.copy()) if not isinstance(n.parent, exp.Not) else None
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Is):
        yield lambda n: n.this
    if isinstance(node, exp.Join) and (node.args.get("on") or node.args.get("using")):
        yield _toggle_left_join
    if isinstance(node, exp.Select):
        yield _toggle_distinct
    if isinstance(node, exp.Ordered):
        yield lambda n: _set(n, "desc", not n.args.get("desc"))
    if isinstance(node, exp.Limit) and isinstance(node.expression, exp.Literal):
        yield lambda n: _shift_limit(n, 1)
        yield lambda n: _shift_limit(n, -1)
    if isinstance(node, exp.Literal) and not _positional(node):
        yield from _literal_mutations(node)


def _set(node: exp.Expression, arg: str, value: object) -> exp.Expression:
    node.set(arg, value)
    return node


def _toggle_left_join(node: exp.Expression) -> exp.Expression | None:
    side = (node.args.get("side") or "").upper()
    if side == "LEFT":
        node.set("side", None)
        return node
    if side or (node.args.get("kind") or "").upper() not in ("", "INNER"):
        return None
    node.set("kind", None)
    node.set("side", "LEFT")
    return node


def _toggle_distinct(node: exp.Expression) -> exp.Expression:
    node.set("distinct", None if node.args.get("distinct") else exp.Distinct())
    return node


def _shift_limit(node: exp.Expression, delta: int) -> exp.Expression | None:
    try:
        value = int(node.expression.this)
    except ValueError:
        return None
    if value + delta < 0:
        return None
    node.set("expression", exp.Literal.number(value + delta))
    return node


def _positional(node: exp.Literal) -> bool:
    """``ORDER BY 2``, ``GROUP BY 1`` and LIMIT/OFFSET numbers are not values to shift."""
    parent = node.parent
    return isinstance(parent, (exp.Ordered, exp.Group, exp.Limit, exp.Offset)) and not node.is_string


def _literal_mutations(node: exp.Literal) -> Iterator[Mutation]:
    text = node.this
    if not node.is_string:
        try:
            value: int | float = int(text)
        except ValueError:
            try:
                value = float(text)
            except ValueError:
                return
        for delta in (1, -1):
            yield lambda n, v=value + delta: exp.Literal.number(v)
        return
    if _DATE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return
        for delta in (1, -1):
            yield lambda n, d=day + dt.timedelta(days=delta): exp.Literal.string(d.isoformat())
        return
    for variant in {text.upper(), text.lower()} - {text}:
        yield lambda n, v=variant: exp.Literal.string(v)


def _count_mutations(node: exp.Count, count_columns: list[exp.Column]) -> Iterator[Mutation]:
    arg = node.this
    if isinstance(arg, exp.Star):
        for column in count_columns:
            yield lambda n, c=column: exp.Count(this=c.copy())
    elif isinstance(arg, exp.Distinct):
        yield lambda n: exp.Count(this=n.this.expressions[0].copy()) if n.this.expressions else None
    else:
        yield lambda n: exp.Count(this=exp.Star())
        yield lambda n: exp.Count(this=exp.Distinct(expressions=[n.this.copy()]))


def _count_columns(tree: exp.Expression, schema: dict[str, list[str]] | None, most: int = 6) -> list[exp.Column]:
    """Columns ``COUNT(*)`` may become: the schema's columns of the query's tables, else its own."""
    columns: list[exp.Column] = []
    if schema:
        lower = {k.lower(): v for k, v in schema.items()}
        for table in tree.find_all(exp.Table):
            qualifier = table.alias_or_name
            for name in lower.get(table.name.lower(), []):
                columns.append(exp.column(name, table=qualifier, quoted=True))
    else:
        columns = [c.copy() for c in tree.find_all(exp.Column)]
    unique: dict[str, exp.Column] = {}
    for column in columns:
        unique.setdefault(column.sql(dialect=DIALECT), column)
    return list(unique.values())[:most]
