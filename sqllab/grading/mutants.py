"""Mutants of a reference query, labeled with the class of mistake each one imitates.

A mutant is the reference with one small change a student could make. The classes follow
the logical-error categories of Taipalus, Siponen & Vartiainen (2018), "Errors and
complications in SQL query formulation" (operator, expression, join, nesting, projection and
function errors), split finer, plus operators on set operations, NULL handling,
LIMIT/ORDER, grouping and text functions:

==============  =====================================================================
class           changes
==============  =====================================================================
comparison      ``>``↔``>=``, ``<``↔``<=``, ``=``↔``!=``, BETWEEN made exclusive/half-open
logic           AND↔OR, one conjunct of an AND dropped, NOT dropped
constant        a number ±1, a date ±1 day, a text in other case
text            LIKE↔GLOB/``=``, ``=``→LIKE, lower()/upper()/trim() dropped, ``x%``→``%x%``
null            IS NULL↔IS NOT NULL, IS NOT→``<>``, COALESCE/IFNULL dropped, TOTAL→SUM,
                AVG(x)→SUM(x)/COUNT(*)
join            INNER↔LEFT JOIN, a join condition dropped from ON
nesting         IN (subquery)↔``=`` (subquery), EXISTS's correlation dropped
aggregate       SUM↔AVG, MIN↔MAX, COUNT(*)↔COUNT(col), DISTINCT inside COUNT
grouping        a GROUP BY key dropped or added
duplicates      DISTINCT added or dropped
set_operation   UNION↔UNION ALL, INTERSECT↔EXCEPT
ordering        ORDER BY direction, a key dropped, LIMIT ±1, ORDER BY or LIMIT dropped
==============  =====================================================================
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlglot import exp

from .neighbours import DIALECT, _nth, _shift_limit, parse

CLASSES = ("comparison", "logic", "constant", "text", "null", "join", "nesting", "aggregate", "grouping",
           "duplicates", "set_operation", "ordering")
_FLIP = {exp.GT: exp.GTE, exp.GTE: exp.GT, exp.LT: exp.LTE, exp.LTE: exp.LT, exp.EQ: exp.NEQ, exp.NEQ: exp.EQ}
_SWAP_AGG = {exp.Sum: exp.Avg, exp.Avg: exp.Sum, exp.Min: exp.Max, exp.Max: exp.Min}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
Op = Callable[[exp.Expression], exp.Expression | None]


@dataclass(frozen=True)
class Mutant:
    cls: str
    sql: str
    change: str


def mutants(sql: str, *, schema: dict[str, list[str]] | None = None, limit: int = 160) -> list[Mutant]:
    """Distinct mutants of ``sql`` (never ``sql`` itself); ``[]`` when sqlglot cannot parse it."""
    tree = parse(sql)
    if tree is None:
        return []
    try:
        base = tree.sql(dialect=DIALECT)
    except Exception:  # noqa: BLE001
        return []
    count_columns = _count_columns(tree, schema)
    seen = {base}
    out: list[Mutant] = []
    nodes = list(tree.walk())
    for index, node in enumerate(nodes):
        for cls, change, op in _operators(node, count_columns):
            copy = tree.copy()
            target = _nth(copy, index)
            try:
                replacement = op(target)
            except Exception:  # noqa: BLE001 - an operator that does not fit this node
                continue
            if replacement is None:
                continue
            if replacement is not target:
                if target is copy:
                    copy = replacement
                else:
                    target.replace(replacement)
            try:
                text = copy.sql(dialect=DIALECT)
            except Exception:  # noqa: BLE001
                continue
            if text not in seen:
                seen.add(text)
                out.append(Mutant(cls, text, change))
            if len(out) >= limit:
                return out
    return out


def _operators(node: exp.Expression, count_columns: list[exp.Column]) -> Iterator[tuple[str, str, Op]]:
    kind = type(node)
    if kind in _FLIP:
        yield "comparison", f"{kind.__name__}->{_FLIP[kind].__name__}", \
            lambda n, new=_FLIP[kind]: new(this=n.this, expression=n.expression)
    if isinstance(node, exp.Between):
        yield "comparison", "BETWEEN exclusive", lambda n: exp.and_(
            exp.GT(this=n.this.copy(), expression=n.args["low"].copy()),
            exp.LT(this=n.this.copy(), expression=n.args["high"].copy()))
        yield "comparison", "BETWEEN half-open", lambda n: exp.and_(
            exp.GTE(this=n.this.copy(), expression=n.args["low"].copy()),
            exp.LT(this=n.this.copy(), expression=n.args["high"].copy()))
    if isinstance(node, exp.NullSafeNEQ):
        yield "null", "IS NOT -> <>", lambda n: exp.NEQ(this=n.this, expression=n.expression)
    if isinstance(node, exp.NullSafeEQ):
        yield "null", "IS -> =", lambda n: exp.EQ(this=n.this, expression=n.expression)
    if isinstance(node, exp.And):
        yield "logic", "AND->OR", lambda n: exp.Or(this=n.this, expression=n.expression)
        if not isinstance(node.parent, exp.Join):
            yield "logic", "drop right conjunct", lambda n: n.this
            yield "logic", "drop left conjunct", lambda n: n.expression
        else:
            yield "join", "drop join condition", lambda n: n.this
            yield "join", "drop join condition", lambda n: n.expression
    if isinstance(node, exp.Or):
        yield "logic", "OR->AND", lambda n: exp.And(this=n.this, expression=n.expression)
    if isinstance(node, exp.Not) and not isinstance(node.this, exp.Is):
        yield "logic", "drop NOT", lambda n: n.this
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        yield "null", "IS NULL->IS NOT NULL", \
            lambda n: exp.Not(this=n.copy()) if not isinstance(n.parent, exp.Not) else None
    if isinstance(node, exp.Not) and isinstance(node.this, exp.Is):
        yield "null", "IS NOT NULL->IS NULL", lambda n: n.this
    if isinstance(node, exp.Coalesce) and node.this is not None:
        yield "null", "drop COALESCE", lambda n: n.this
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "total" and node.expressions:
        yield "null", "TOTAL->SUM", lambda n: exp.Sum(this=n.expressions[0])
    if isinstance(node, exp.Sum):
        yield "null", "SUM->TOTAL", lambda n: exp.Anonymous(this="total", expressions=[n.this])
    if isinstance(node, exp.Avg) and not isinstance(node.this, exp.Distinct):
        yield "null", "AVG->SUM/COUNT(*)", lambda n: exp.Div(
            this=exp.Mul(this=exp.Sum(this=n.this.copy()), expression=exp.Literal.number("1.0")),
            expression=exp.Count(this=exp.Star()))
    if isinstance(node, (exp.Like, exp.Glob)):
        yield from _text_pattern_operators(node)
    if isinstance(node, exp.EQ) and _string(node.expression) is not None:
        yield "text", "= -> LIKE", lambda n: exp.Like(this=n.this, expression=n.expression)
    if isinstance(node, (exp.Lower, exp.Upper, exp.Trim)) and node.this is not None:
        yield "text", f"drop {type(node).__name__.lower()}()", lambda n: n.this
    if isinstance(node, exp.Join):
        yield from _join_operators(node)
    if isinstance(node, exp.In) and node.args.get("query") is not None:
        yield "nesting", "IN (subquery) -> = (subquery)", \
            lambda n: exp.EQ(this=n.this, expression=n.args["query"]) if not isinstance(n.parent, exp.Not) else None
    if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Subquery):
        yield "nesting", "= (subquery) -> IN (subquery)", lambda n: exp.In(this=n.this, query=n.expression)
    if isinstance(node, exp.Exists):
        yield "nesting", "drop correlation", _drop_correlation
    if kind in _SWAP_AGG:
        yield "aggregate", f"{kind.__name__}->{_SWAP_AGG[kind].__name__}", \
            lambda n, new=_SWAP_AGG[kind]: new(this=n.this)
    if isinstance(node, exp.Count):
        yield from _count_operators(node, count_columns)
    if isinstance(node, exp.Group):
        if len(node.expressions) > 1:
            for i in range(len(node.expressions)):
                yield "grouping", "drop GROUP BY key", lambda n, i=i: _without(n, i)
    if isinstance(node, exp.Select) and not _set_semantics(node):
        yield "duplicates", "toggle DISTINCT", _toggle_distinct
        if node.args.get("group") is not None and node.args["group"].expressions:
            yield "grouping", "group by every output column", _group_by_outputs
    if isinstance(node, exp.Union):
        yield "set_operation", "toggle UNION ALL", lambda n: _set(n, "distinct", not n.args.get("distinct"))
    if isinstance(node, exp.Intersect):
        yield "set_operation", "INTERSECT->EXCEPT", lambda n: exp.Except(**n.args)
    if isinstance(node, exp.Except):
        yield "set_operation", "EXCEPT->INTERSECT", lambda n: exp.Intersect(**n.args)
    if isinstance(node, exp.Ordered):
        yield "ordering", "flip direction", lambda n: _set(n, "desc", not n.args.get("desc"))
    if isinstance(node, exp.Order):
        if len(node.expressions) > 1:
            for i in range(len(node.expressions)):
                yield "ordering", "drop ORDER BY key", lambda n, i=i: _without(n, i)
        if isinstance(node.parent, (exp.Select, exp.SetOperation)) and node.parent.args.get("limit"):
            yield "ordering", "drop ORDER BY", lambda n: _drop_arg(n.parent, "order")
    if isinstance(node, exp.Limit) and isinstance(node.expression, exp.Literal):
        yield "ordering", "LIMIT +1", lambda n: _shift_limit(n, 1)
        yield "ordering", "LIMIT -1", lambda n: _shift_limit(n, -1)
        yield "ordering", "drop LIMIT", lambda n: _drop_arg(n.parent, "limit")
    if isinstance(node, exp.Literal) and not _positional(node):
        yield from _literal_operators(node)


def _string(node: exp.Expression | None) -> str | None:
    return node.this if isinstance(node, exp.Literal) and node.is_string else None


def _text_pattern_operators(node: exp.Expression) -> Iterator[tuple[str, str, Op]]:
    pattern = _string(node.expression)
    if pattern is None:
        return
    if isinstance(node, exp.Like):
        glob = pattern.replace("*", "[*]").replace("?", "[?]").replace("%", "*").replace("_", "?")
        yield "text", "LIKE->GLOB", lambda n, g=glob: exp.Glob(this=n.this, expression=exp.Literal.string(g))
        plain = pattern.replace("%", "").replace("_", "")
        yield "text", "LIKE->=", lambda n, p=plain: exp.EQ(this=n.this, expression=exp.Literal.string(p))
        if pattern.endswith("%") and not pattern.startswith("%"):
            yield "text", "prefix->contains", \
                lambda n, p="%" + pattern: exp.Like(this=n.this, expression=exp.Literal.string(p))
        if pattern.startswith("%") and pattern.endswith("%") and len(pattern) > 2:
            yield "text", "contains->prefix", \
                lambda n, p=pattern[1:]: exp.Like(this=n.this, expression=exp.Literal.string(p))
    else:
        like = pattern.replace("%", r"\%").replace("*", "%").replace("?", "_")
        yield "text", "GLOB->LIKE", lambda n, p=like: exp.Like(this=n.this, expression=exp.Literal.string(p))


def _join_operators(node: exp.Join) -> Iterator[tuple[str, str, Op]]:
    if not (node.args.get("on") or node.args.get("using")):
        return
    side = (node.args.get("side") or "").upper()
    if side == "LEFT":
        yield "join", "LEFT->INNER", lambda n: _set(_set(n, "side", None), "kind", None)
    elif not side and (node.args.get("kind") or "").upper() in ("", "INNER"):
        yield "join", "INNER->LEFT", lambda n: _set(_set(n, "kind", None), "side", "LEFT")


def _drop_correlation(node: exp.Exists) -> exp.Expression | None:
    inner = node.this
    if not isinstance(inner, exp.Select) or not inner.args.get("where"):
        return None
    local = {t.alias_or_name.lower() for t in inner.find_all(exp.Table)}
    cond = inner.args["where"].this
    parts = list(cond.flatten()) if isinstance(cond, exp.And) else [cond]
    keep = [p for p in parts if all((c.table or "").lower() in local or not c.table for c in p.find_all(exp.Column))]
    if len(keep) == len(parts):
        return None
    inner.set("where", exp.Where(this=exp.and_(*keep)) if keep else None)
    return node


def _count_operators(node: exp.Count, count_columns: list[exp.Column]) -> Iterator[tuple[str, str, Op]]:
    arg = node.this
    if isinstance(arg, exp.Star):
        for column in count_columns:
            yield "aggregate", "COUNT(*)->COUNT(col)", lambda n, c=column: exp.Count(this=c.copy())
    elif isinstance(arg, exp.Distinct):
        yield "aggregate", "drop DISTINCT in COUNT", \
            lambda n: exp.Count(this=n.this.expressions[0].copy()) if n.this.expressions else None
    else:
        yield "aggregate", "COUNT(col)->COUNT(*)", lambda n: exp.Count(this=exp.Star())
        yield "aggregate", "COUNT(col)->COUNT(DISTINCT col)", \
            lambda n: exp.Count(this=exp.Distinct(expressions=[n.this.copy()]))


def _literal_operators(node: exp.Literal) -> Iterator[tuple[str, str, Op]]:
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
            yield "constant", f"{delta:+d}", lambda n, v=value + delta: exp.Literal.number(v)
        return
    if _DATE.match(text):
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return
        for delta in (1, -1):
            yield "constant", f"{delta:+d} day", \
                lambda n, d=day + dt.timedelta(days=delta): exp.Literal.string(d.isoformat())
        return
    for variant in sorted({text.upper(), text.lower()} - {text}):
        yield "constant", "case", lambda n, v=variant: exp.Literal.string(v)


def _count_columns(tree: exp.Expression, schema: dict[str, list[str]] | None, most: int = 6) -> list[exp.Column]:
    columns: list[exp.Column] = []
    if schema:
        lower = {k.lower(): v for k, v in schema.items()}
        for table in tree.find_all(exp.Table):
            for name in lower.get(table.name.lower(), []):
                columns.append(exp.column(name, table=table.alias_or_name, quoted=True))
    else:
        columns = [c.copy() for c in tree.find_all(exp.Column)]
    unique: dict[str, exp.Column] = {}
    for column in columns:
        unique.setdefault(column.sql(dialect=DIALECT), column)
    return list(unique.values())[:most]


def _set(node: exp.Expression, arg: str, value: object) -> exp.Expression:
    node.set(arg, value)
    return node


def _drop_arg(node: exp.Expression | None, arg: str) -> exp.Expression | None:
    if node is None:
        return None
    node.set(arg, None)
    return node


def _without(node: exp.Expression, i: int) -> exp.Expression:
    items = list(node.expressions)
    del items[i]
    node.set("expressions", items)
    return node


def _set_semantics(node: exp.Select) -> bool:
    """A SELECT whose duplicates cannot matter: the subquery of IN/EXISTS, a branch of UNION/INTERSECT/EXCEPT."""
    parent = node.parent
    if isinstance(parent, exp.Subquery):
        parent = parent.parent
    if isinstance(parent, exp.Exists) or (isinstance(parent, exp.In) and parent.args.get("query") is not None):
        return True
    return isinstance(parent, (exp.Intersect, exp.Except)) or (
        isinstance(parent, exp.Union) and bool(parent.args.get("distinct")))


def _toggle_distinct(node: exp.Select) -> exp.Expression:
    node.set("distinct", None if node.args.get("distinct") else exp.Distinct())
    return node


def _group_by_outputs(node: exp.Select) -> exp.Expression | None:
    outputs = [o.this if isinstance(o, exp.Alias) else o for o in node.expressions]
    plain = [o.copy() for o in outputs if isinstance(o, exp.Column)]
    group = node.args["group"]
    have = {g.sql(dialect=DIALECT) for g in group.expressions}
    new = [c for c in plain if c.sql(dialect=DIALECT) not in have]
    if not new:
        return None
    group.set("expressions", list(group.expressions) + new)
    return node


def _positional(node: exp.Literal) -> bool:
    """ORDER BY 2, GROUP BY 1, LIMIT numbers and the ``SELECT 1`` of an EXISTS are not values to shift."""
    parent = node.parent
    if isinstance(parent, exp.Select) and isinstance(parent.parent, exp.Exists):
        return True
    return isinstance(parent, (exp.Ordered, exp.Group, exp.Limit, exp.Offset)) and not node.is_string
