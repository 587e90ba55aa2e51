"""**Practise this**: which exercise practises a diagnosed mistake, decided by sqllab, and its wording.

After a wrong answer whose cause sqllab's diagnosis names (:func:`sqllab.grading.diagnosis.cause`),
the student can practise that kind of mistake once more on their own data. sqllab decides the
exercise: :func:`choose_target` takes a bank template (``bank/*.toml``, filled in on the lesson's
dataset) whose reference has the feature the mistake is about — a ``>=`` bound for a boundary,
``IS NULL`` for ``= NULL``, DISTINCT, ``ORDER BY … DESC`` with a tie-break and a LIMIT, a LEFT
JOIN, ``COUNT(col)`` over a column with NULLs, an aggregate, several columns — and where the
*typical wrong version* of that kind (the mistake made again: ``>`` for ``>=``, ``= NULL``, no
DISTINCT, ASC for DESC, JOIN for LEFT JOIN, ``COUNT(*)`` for ``COUNT(col)`` …, see ``KINDS``)
really gives another result, on the lesson's data or on the grader's hidden databases, so the
practice catches the same mistake again. Among those it prefers templates of the lesson's topics
(or earlier ones) that the student has not seen, then a mistake that shows on the student's own
data and that sqllab's diagnosis names as the same cause. The choice is deterministic for the
lesson's seed, the student, the cause and how many times it was practised before.

The model writes only the wording: :func:`practice_exercise` asks the exercise writer's question
step for the chosen reference (``generation.question_for_query``: sqllab's checks of the question
and the round trip, as for every LLM exercise), within a time budget measured from the click
(``PRACTICE_BUDGET_S``). When the LLM is off, not trusted with the language, down, slow, or its
question never passes, the bank template's own question is used (source "bank") and ``reason``
says why.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from .. import i18n
from ..errors import SQLLabError
from ..llm import priority
from .exercises import TOPICS, Exercise, all_bank_exercises
from .jobs import GenerationCancelled, GenerationProgress

log = logging.getLogger(__name__)

#: seconds from the click within which the model's question must have passed (else: the bank's)
PRACTICE_BUDGET_S = 60.0
#: candidates graded per preference tier (each one: a grader on the lesson's data and its hidden variants)
TIER_CANDIDATES = 8
DIALECT = "sqlite"

_AGG_CLASSES = {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}
_CMP_LOOSE = {exp.GTE: exp.GT, exp.LTE: exp.LT}      # a bound that keeps the equal rows, made strict
_CMP_TIGHT = {exp.GT: exp.GTE, exp.LT: exp.LTE}


# --- reading and changing a query ------------------------------------------------------------

def _parse(sql: str) -> exp.Expression | None:
    try:
        return sqlglot.parse_one(sql, read=DIALECT)
    except sqlglot.errors.SqlglotError:
        return None


def _text(tree: exp.Expression) -> str:
    return tree.sql(dialect=DIALECT)


def _nth(tree: exp.Expression, index: int) -> exp.Expression:
    for i, node in enumerate(tree.walk()):
        if i == index:
            return node
    raise IndexError(index)


def _changed(tree: exp.Expression, wanted: Callable[[exp.Expression], bool],
             change: Callable[[exp.Expression], exp.Expression | list[exp.Expression] | None]) -> list[str]:
    """The query with one node that ``wanted`` picks changed by ``change`` (which returns the new
    node, or several alternatives, or None), once per such node and alternative."""
    out: list[str] = []
    for index, node in enumerate(tree.walk()):
        if not wanted(node):
            continue
        probe = change(_nth(tree.copy(), index))
        alternatives = probe if isinstance(probe, list) else [probe]
        for k in range(len(alternatives)):
            copy = tree.copy()
            target = _nth(copy, index)
            made = change(target)
            made = made[k] if isinstance(made, list) else made
            if made is None:
                continue
            if made is not target:
                if target is copy:
                    copy = made
                else:
                    target.replace(made)
            out.append(_text(copy))
    return out


def _top(tree: exp.Expression) -> exp.Select | None:
    return tree if isinstance(tree, exp.Select) else None


def _with_top(tree: exp.Expression, change: Callable[[exp.Select], bool]) -> list[str]:
    """The query with its top-level SELECT changed in place by ``change`` (False: not applicable)."""
    if _top(tree) is None:
        return []
    copy = tree.copy()
    return [_text(copy)] if change(copy) else []


def _in_condition(node: exp.Expression) -> bool:
    return node.find_ancestor(exp.Where, exp.Having, exp.Join) is not None


def _constant(node: exp.Expression | None) -> bool:
    return isinstance(node, (exp.Literal, exp.Subquery)) or (
        isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal))


def _bound(node: exp.Expression, ops: Iterable[type]) -> bool:
    """A comparison with a constant (or a scalar subquery) in a condition, of one of ``ops``."""
    return type(node) in tuple(ops) and _in_condition(node) and (
        _constant(node.expression) or _constant(node.this))


def _in_window(node: exp.Expression) -> bool:
    return node.find_ancestor(exp.Window) is not None or isinstance(node.parent, exp.Window)


def _order_keys(select: exp.Select) -> list[exp.Ordered]:
    order = select.args.get("order")
    return list(order.expressions) if order is not None else []


def _limit(select: exp.Select) -> int | None:
    limit = select.args.get("limit")
    value = limit.expression if limit is not None else None
    if isinstance(value, exp.Literal) and not value.is_string:
        try:
            return int(value.this)
        except ValueError:
            return None
    return None


def _outputs(select: exp.Select) -> list[exp.Expression]:
    return [] if any(isinstance(o, exp.Star) for o in select.expressions) else list(select.expressions)


def _plain_columns(select: exp.Select) -> list[exp.Column]:
    return [o for o in select.expressions if isinstance(o, exp.Column)]


def _same_key(a: exp.Expression, b: exp.Expression) -> bool:
    return _text(a).lower() == _text(b).lower() or (
        isinstance(a, exp.Column) and isinstance(b, exp.Column) and a.name.lower() == b.name.lower())


def _set_direction(key: exp.Ordered, desc: bool) -> None:
    key.set("desc", desc)
    key.set("nulls_first", not desc)    # SQLite's own default: NULLs first ascending, last descending


@dataclass(frozen=True)
class _Schema:
    """The lesson database's tables: column names, and those that may hold NULL."""

    columns: dict[str, list[str]]
    nullable: dict[str, list[str]]

    @classmethod
    def read(cls, db: str | Path) -> "_Schema":
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            columns, nullable = {}, {}
            for name in names:
                info = conn.execute(f"PRAGMA table_info(\"{name.replace(chr(34), chr(34) * 2)}\")").fetchall()
                columns[name.lower()] = [c[1] for c in info]
                nullable[name.lower()] = [c[1] for c in info if not c[3] and not c[5]]
            return cls(columns, nullable)
        finally:
            conn.close()


def _tables_read(select: exp.Select) -> list[tuple[str, str]]:
    """``(table, alias or "")`` of the top-level FROM and its JOINs."""
    found = []
    source = select.args.get("from_") or select.args.get("from")
    items = ([source.this] if source is not None else []) + [j.this for j in select.args.get("joins") or []]
    for item in items:
        if isinstance(item, exp.Table):
            found.append((item.name.lower(), item.alias or ""))
    return found


# --- the kinds of mistake: the feature a target needs, and the typical wrong version --------

Mistakes = Callable[[exp.Expression, _Schema, dict[str, Any]], list[str]]


def _boundary_out(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """``>=`` made ``>`` (``<=`` made ``<``), ``BETWEEN`` without its ends: the equal rows are lost."""
    strict = _changed(tree, lambda n: _bound(n, _CMP_LOOSE),
                      lambda n: _CMP_LOOSE[type(n)](this=n.this, expression=n.expression))
    return _between_exclusive(tree, _s, _p) + strict


def _between_exclusive(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    return _changed(tree, lambda n: isinstance(n, exp.Between) and _in_condition(n),
                    lambda n: exp.and_(exp.GT(this=n.this.copy(), expression=n.args["low"].copy()),
                                       exp.LT(this=n.this.copy(), expression=n.args["high"].copy())))


def _boundary_in(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """``>`` made ``>=`` (``<`` made ``<=``): the rows equal to the constant come in."""
    return _changed(tree, lambda n: _bound(n, _CMP_TIGHT),
                    lambda n: _CMP_TIGHT[type(n)](this=n.this, expression=n.expression))


def _is_null(node: exp.Expression) -> bool:
    return isinstance(node, exp.Is) and isinstance(node.expression, exp.Null)


def _null_equals(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """``IS NULL`` written ``= NULL``, ``IS NOT NULL`` written ``<> NULL`` (true for no row)."""
    plain = _changed(tree, lambda n: _is_null(n) and not isinstance(n.parent, exp.Not),
                     lambda n: exp.EQ(this=n.this.copy(), expression=exp.Null()))
    negated = _changed(tree, lambda n: isinstance(n, exp.Not) and _is_null(n.this),
                       lambda n: exp.NEQ(this=n.this.this.copy(), expression=exp.Null()))
    return plain + negated


def _null_missing(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """``col IS NULL OR <comparison>`` without its ``IS NULL``: the rows with NULL are dropped."""
    def keep_other(node: exp.Expression) -> exp.Expression | None:
        if _is_null(node.this):
            return node.expression.copy()
        if _is_null(node.expression):
            return node.this.copy()
        return None
    return _changed(tree, lambda n: isinstance(n, exp.Or) and _in_condition(n), keep_other)


def _drop_condition(node: exp.Expression) -> exp.Expression | None:
    """``node`` (a condition) taken out of its AND, or its WHERE dropped when it is all of it."""
    parent = node.parent
    if isinstance(parent, exp.And):
        other = parent.expression if parent.this is node else parent.this
        parent.replace(other.copy())
        return node
    if isinstance(parent, exp.Where):
        parent.pop()
        return node
    return None


def _null_extra(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """``col IS NOT NULL`` left out: the rows with NULL come in."""
    out = []
    for index, node in enumerate(tree.walk()):
        if isinstance(node, exp.Not) and _is_null(node.this) and _in_condition(node):
            copy = tree.copy()
            if _drop_condition(_nth(copy, index)) is not None:
                out.append(_text(copy))
    return out


def _distinct_missing(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """DISTINCT left out: rows repeat."""
    def drop(select: exp.Select) -> bool:
        if select.args.get("distinct") is None:
            return False
        select.set("distinct", None)
        return True
    return _with_top(tree, drop)


def _distinct_merges(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """DISTINCT added where rows must repeat: repeated rows merge."""
    def add(select: exp.Select) -> bool:
        if select.args.get("distinct") is not None or select.args.get("group") is not None:
            return False
        select.set("distinct", exp.Distinct())
        return True
    return _with_top(tree, add)


def _plain_aggregate(node: exp.Expression, classes: tuple[type, ...]) -> bool:
    return (isinstance(node, classes) and not _in_window(node) and node.this is not None
            and not isinstance(node.this, (exp.Star, exp.Distinct)))


def _agg_repeats(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """``COUNT(DISTINCT x)`` (or SUM, AVG) without its DISTINCT: repeated values are counted."""
    return _changed(tree, lambda n: isinstance(n, (exp.Count, exp.Sum, exp.Avg)) and isinstance(n.this, exp.Distinct)
                    and len(n.this.expressions) == 1,
                    lambda n: type(n)(this=n.this.expressions[0].copy()))


def _agg_distinct(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """DISTINCT put inside ``COUNT(x)`` (or SUM, AVG): repeated values count once."""
    return _changed(tree, lambda n: _plain_aggregate(n, (exp.Count, exp.Sum, exp.Avg)),
                    lambda n: type(n)(this=exp.Distinct(expressions=[n.this.copy()])))


def _agg_function(tree: exp.Expression, _s: _Schema, params: dict[str, Any]) -> list[str]:
    """Another aggregate of the same column (the student's own, when the diagnosis names it)."""
    own = _AGG_CLASSES.get(str(params.get("function", "")).lower())

    def others(node: exp.Expression) -> list[exp.Expression]:
        choices = [own] if own is not None and not isinstance(node, own) else [
            c for c in _AGG_CLASSES.values() if not isinstance(node, c)]
        return [c(this=node.this.copy()) for c in choices]
    return _changed(tree, lambda n: _plain_aggregate(n, tuple(_AGG_CLASSES.values())), others)


def _count_column(tree: exp.Expression, schema: _Schema, _p: dict[str, Any]) -> list[str]:
    """``COUNT(*)`` made ``COUNT(col)`` of a column with NULLs: the rows with NULL are not counted."""
    select = _top(tree)
    if select is None:
        return []
    tables = _tables_read(select)
    columns = []
    for table, alias in tables:
        for name in schema.nullable.get(table, []):
            columns.append(exp.column(name, table=alias or (table if len(tables) > 1 else None)))
    grouped = [g for g in (select.args["group"].expressions if select.args.get("group") else [])
               if isinstance(g, exp.Column)]
    columns.sort(key=lambda c: not any(c.name.lower() == g.name.lower() for g in grouped))  # COUNT(city) per city first
    return _changed(tree, lambda n: isinstance(n, exp.Count) and isinstance(n.this, exp.Star) and not _in_window(n),
                    lambda n: [exp.Count(this=c.copy()) for c in columns] or None)


def _count_star(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """``COUNT(col)`` made ``COUNT(*)``: the rows with NULL (or a LEFT JOIN's unmatched row) count."""
    return _changed(tree, lambda n: _plain_aggregate(n, (exp.Count,)), lambda n: exp.Count(this=exp.Star()))


def _left_join(tree: exp.Expression) -> bool:
    select = _top(tree)
    return select is not None and any((j.side or "").upper() == "LEFT" for j in select.args.get("joins") or [])


def _count_star_join(tree: exp.Expression, schema: _Schema, params: dict[str, Any]) -> list[str]:
    """``COUNT(right.col)`` over a LEFT JOIN made ``COUNT(*)``: a row without a match counts 1, not 0."""
    return _count_star(tree, schema, params) if _left_join(tree) else []


def _join_inner(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """LEFT JOIN made JOIN: the rows without a match are lost."""
    def inner(node: exp.Expression) -> exp.Expression:
        node.set("side", None)
        return node
    return _changed(tree, lambda n: isinstance(n, exp.Join) and (n.side or "").upper() == "LEFT", inner)


def _join_left(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """JOIN made LEFT JOIN: rows without a match come in (with NULLs)."""
    def left(node: exp.Expression) -> exp.Expression:
        node.set("side", "LEFT")
        return node
    return _changed(tree, lambda n: isinstance(n, exp.Join) and not n.side and not n.kind
                    and n.args.get("on") is not None, left)


def _no_order_by(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """ORDER BY left out: the rows come in any order."""
    def drop(select: exp.Select) -> bool:
        if select.args.get("order") is None:
            return False
        select.set("order", None)
        return True
    return _with_top(tree, drop)


def _flip_key(position: Callable[[int], bool]) -> Mistakes:
    def flip(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
        select = _top(tree)
        out = []
        for i, _key in enumerate(_order_keys(select) if select is not None else []):
            if not position(i):
                continue
            copy = tree.copy()
            key = _order_keys(copy)[i]
            _set_direction(key, not key.args.get("desc"))
            out.append(_text(copy))
        return out
    return flip


_sort_direction = _flip_key(lambda i: i == 0)          # ASC for DESC (or the reverse) on the first key
_sort_direction_tie = _flip_key(lambda i: i > 0)       # ... on a tie-break


def _sort_direction_limit(tree: exp.Expression, schema: _Schema, params: dict[str, Any]) -> list[str]:
    """The first key's direction turned round under a LIMIT: the rows come from the other end."""
    select = _top(tree)
    return _sort_direction(tree, schema, params) if select is not None and _limit(select) is not None else []


def _first_key_only(tree: exp.Expression) -> list[str]:
    def cut(select: exp.Select) -> bool:
        keys = _order_keys(select)
        if len(keys) < 2:
            return False
        select.args["order"].set("expressions", [keys[0]])
        return True
    return _with_top(tree, cut)


def _order_tie(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """The tie-break left out: rows that tie on the first key come in any order."""
    return _first_key_only(tree)


def _sort_tiebreak(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """Ties broken by another key: a middle key left out, or a tie-break made another column shown."""
    select = _top(tree)
    if select is None:
        return []
    keys, out = _order_keys(select), []
    for i in range(1, len(keys)):
        if i + 1 < len(keys):               # (city, name, id) -> (city, id)
            copy = tree.copy()
            order = copy.args["order"]
            order.set("expressions", [k for j, k in enumerate(_order_keys(copy)) if j != i])
            out.append(_text(copy))
        for column in _plain_columns(select):
            if any(_same_key(column, k.this) for k in keys):
                continue
            copy = tree.copy()
            _order_keys(copy)[i].set("this", column.copy())
            out.append(_text(copy))
    return out


def _sort_column(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """The rows sorted by another column shown (in the same direction)."""
    select = _top(tree)
    keys = _order_keys(select) if select is not None else []
    if not keys:
        return []
    out = []
    for column in _plain_columns(select):
        if any(_same_key(column, k.this) for k in keys):
            continue
        copy = tree.copy()
        _order_keys(copy)[0].set("this", column.copy())
        out.append(_text(copy))
    return out


def _limit_off(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """A LIMIT one row short (or one too many)."""
    select = _top(tree)
    n = _limit(select) if select is not None else None
    if n is None:
        return []
    out = []
    for other in (n - 1, n + 1):
        if other < 1:
            continue
        copy = tree.copy()
        copy.args["limit"].set("expression", exp.Literal.number(other))
        out.append(_text(copy))
    return out


def _limit_tie(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """The tie-break left out under a LIMIT: the cut goes through rows that tie."""
    select = _top(tree)
    return _first_key_only(tree) if select is not None and _limit(select) is not None else []


def _limit_tie_cut(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """``WHERE col = (SELECT MAX(col) …)`` written ``ORDER BY col DESC LIMIT 1``: of the rows that
    tie for the maximum (or minimum), only one is kept."""
    select = _top(tree)
    where = select.args.get("where") if select is not None else None
    if where is None or not isinstance(where.this, exp.EQ) or select.args.get("order") is not None:
        return []
    condition = where.this
    column, sub = condition.this, condition.expression
    if isinstance(column, exp.Subquery):
        column, sub = sub, column
    inner = sub.this if isinstance(sub, exp.Subquery) else None
    if not isinstance(column, exp.Column) or not isinstance(inner, exp.Select) or inner.args.get("where") is not None:
        return []
    aggregates = [e for e in inner.expressions if isinstance(e, (exp.Max, exp.Min))]
    if len(inner.expressions) != 1 or not aggregates:
        return []
    copy = tree.copy()
    copy.set("where", None)
    copy.set("order", exp.Order(expressions=[exp.Ordered(this=column.copy(), desc=isinstance(aggregates[0], exp.Max),
                                                         nulls_first=not isinstance(aggregates[0], exp.Max))]))
    copy.set("limit", exp.Limit(expression=exp.Literal.number(1)))
    return [_text(copy)]


def _column_order(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """Two neighbouring columns swapped."""
    select = _top(tree)
    outputs = _outputs(select) if select is not None else []
    out = []
    for i in range(len(outputs) - 1):
        copy = tree.copy()
        columns = list(copy.expressions)
        columns[i], columns[i + 1] = columns[i + 1], columns[i]
        copy.set("expressions", columns)
        out.append(_text(copy))
    return out


def _columns_fewer(tree: exp.Expression, _s: _Schema, _p: dict[str, Any]) -> list[str]:
    """One column left out."""
    select = _top(tree)
    outputs = _outputs(select) if select is not None else []
    if len(outputs) < 2:
        return []
    out = []
    for i in reversed(range(len(outputs))):
        copy = tree.copy()
        copy.set("expressions", [c for j, c in enumerate(copy.expressions) if j != i])
        out.append(_text(copy))
    return out


def _columns_more(tree: exp.Expression, schema: _Schema, _p: dict[str, Any]) -> list[str]:
    """One more column of the table read, shown after the others."""
    select = _top(tree)
    outputs = _outputs(select) if select is not None else []
    tables = _tables_read(select) if select is not None else []
    if not outputs or not tables or select.args.get("group") is not None or select.args.get("distinct") is not None \
            or any(o.find(exp.AggFunc) for o in outputs):
        return []
    table, alias = tables[0]
    shown = {c.name.lower() for o in outputs for c in o.find_all(exp.Column)}
    out = []
    for name in schema.columns.get(table, []):
        if name.lower() in shown:
            continue
        copy = tree.copy()
        column = exp.column(name, table=alias or (table if len(tables) > 1 else None))
        copy.set("expressions", [*copy.expressions, column])
        out.append(_text(copy))
        if len(out) >= 2:
            break
    return out


def _several_columns(tree: exp.Expression) -> bool:
    select = _top(tree)
    return select is not None and len(_outputs(select)) >= 3


def _has_limit(tree: exp.Expression) -> bool:
    select = _top(tree)
    return select is not None and _limit(select) is not None


def _desc_tiebreak(tree: exp.Expression) -> bool:
    select = _top(tree)
    keys = _order_keys(select) if select is not None else []
    return len(keys) >= 2 and any(k.args.get("desc") for k in keys)


def _has_between(tree: exp.Expression) -> bool:
    return any(_in_condition(n) for n in tree.find_all(exp.Between))


@dataclass(frozen=True)
class Kind:
    """A kind of mistake (a diagnosis cause): the typical wrong version of a query, which only a
    query with the kind's feature has; a target is a query whose wrong version the grader catches."""

    key: str
    mistakes: Mistakes
    #: among the targets, those with this go first (e.g. a LIMIT for a LIMIT's mistake)
    prefer: Callable[[exp.Expression], bool] | None = None
    #: kinds whose targets come next when no query has this kind's own feature on the data
    fallback: tuple[str, ...] = ()

    def wrong_versions(self, sql: str, schema: _Schema, params: dict[str, Any] | None = None) -> list[str]:
        """The typical wrong versions of ``sql`` for this kind (none: ``sql`` lacks the feature)."""
        tree = _parse(sql)
        if tree is None:
            return []
        try:
            found = self.mistakes(tree, schema, dict(params or {}))
        except Exception:  # noqa: BLE001 - a tree this kind cannot change is no target
            log.debug("kind %s cannot change %s", self.key, sql, exc_info=True)
            return []
        base = _text(tree)
        return [s for s in dict.fromkeys(found) if s != base]


#: every diagnosis cause (``sqllab.grading.diagnosis.CAUSES``) and how its typical mistake is made
KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("boundary_out", _boundary_out),
    Kind("boundary_in", _boundary_in, fallback=("boundary_out",)),
    Kind("boundary_out2", _boundary_out, prefer=_has_between),
    Kind("null_equals", _null_equals),
    Kind("null_missing_compared", _null_missing, fallback=("null_equals",)),
    Kind("null_extra_compared", _null_extra, fallback=("null_missing_compared", "null_equals")),
    Kind("distinct_missing", _distinct_missing),
    Kind("distinct_merges", _distinct_merges),
    Kind("agg_repeats", _agg_repeats, fallback=("distinct_missing",)),
    Kind("agg_distinct", _agg_distinct),
    Kind("agg_function", _agg_function),
    Kind("count_column", _count_column),
    Kind("count_star", _count_star, prefer=lambda tree: not _left_join(tree)),
    Kind("count_star_join", _count_star_join, fallback=("count_star",)),
    Kind("join_inner", _join_inner),
    Kind("join_left", _join_left, fallback=("join_inner",)),
    Kind("no_order_by", _no_order_by),
    Kind("sort_direction", _sort_direction, prefer=lambda tree: not _has_limit(tree)),
    Kind("sort_direction_tie", _sort_direction_tie, fallback=("sort_direction",)),
    Kind("sort_direction_limit", _sort_direction_limit, fallback=("sort_direction",)),
    Kind("order_tie", _order_tie, prefer=_desc_tiebreak, fallback=("sort_tiebreak",)),
    Kind("sort_tiebreak", _sort_tiebreak, fallback=("order_tie",)),
    Kind("sort_column", _sort_column, fallback=("sort_direction",)),
    Kind("limit", _limit_off),
    Kind("limit_tie", _limit_tie, fallback=("limit_tie_cut", "order_tie")),
    Kind("limit_tie_cut", _limit_tie_cut, fallback=("limit_tie",)),
    Kind("column_order", _column_order, prefer=_several_columns),
    Kind("columns_fewer", _columns_fewer, prefer=_several_columns),
    Kind("columns_more", _columns_more),
)}


def supported(cause: Any) -> bool:
    """Whether Practise this knows the kind of ``cause`` (a ``Cause`` or its key)."""
    return str(getattr(cause, "key", cause)) in KINDS


# --- the target ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """The exercise sqllab chose to practise one cause on, and the mistake it catches."""

    cause: str               # the diagnosis cause practised
    kind: str                # the kind whose feature the reference has (the cause's, or a fallback's)
    exercise: Exercise       # the bank's exercise on the lesson's data (reference, question, hints)
    template: str            # its bank template key ("where-01")
    mistake: str             # the typical wrong answer of that kind, which the grader grades wrong
    visible: bool            # the mistake shows on the lesson's own data (not only on hidden ones)
    diagnosed: str | None    # what sqllab's diagnosis names for that mistake on this exercise


def template_key(exercise: Any) -> str:
    """A bank exercise's template key ("where-01" of "where-01-1a2b3c4d"); "" for others."""
    ident = str(getattr(exercise, "id", ""))
    return ident.rsplit("-", 1)[0] if getattr(exercise, "source", "bank") == "bank" and "-" in ident else ""


def _topic_rank(topic: str, topics: tuple[str, ...]) -> int:
    """0: a topic of the lesson; 1: one the course taught before; 2: one still to come."""
    if not topics or topic in topics:
        return 0
    first = min(TOPICS.index(t) for t in topics if t in TOPICS) if any(t in TOPICS for t in topics) else len(TOPICS)
    return 1 if TOPICS.index(topic) < first else 2


def choose_target(dataset: Any, db: str | Path, cause: Any, *, lang: str, seed: int = 0, student: str = "",
                  count: int = 0, seen: Iterable[Any] = (), topics: Iterable[str] = (),
                  reference_sql: str | None = None) -> Target | None:
    """The bank exercise on ``dataset`` (loaded in ``db``) that practises ``cause`` (a diagnosis
    ``Cause`` or its key), or None when no template has the feature with a mistake the grader
    catches on this data. ``seen``: exercises (or template keys, or SQL) the student has had;
    ``topics``: the lesson's; ``count``: how many times this cause was practised before. The same
    arguments give the same target."""
    from ..grading import grader_for
    from ..grading.diagnosis import cause as diagnose_cause

    key = str(getattr(cause, "key", cause))
    if key not in KINDS:
        return None
    params = dict(getattr(cause, "params", {}) or {})
    if reference_sql and key == "agg_function":
        params.setdefault("expected", _reference_aggregates(reference_sql, params.get("function")))
    topics = tuple(topics)
    try:
        bank = all_bank_exercises(dataset, lang=lang, seed=seed + 7919 * (count + 1))
    except SQLLabError as exc:           # not an offline theme's shape: no template fits these tables
        log.info("no bank templates for this dataset: %s", exc.message_in("en"))
        return None
    modify = "modify" in topics
    bank = [e for e in bank if (e.topic == "modify") == modify]
    seen_keys, seen_sql = set(), set()
    for item in seen:
        if isinstance(item, str):
            seen_keys.add(item)
            seen_sql.add(" ".join(item.split()).lower())
        else:
            seen_keys.add(template_key(item))
            seen_sql.add(" ".join(str(getattr(item, "reference_sql", "")).split()).lower())
    schema = _Schema.read(db)
    rng = random.Random(f"sqllab-practise:{seed}:{student}:{key}:{count}")
    kinds = [key, *KINDS[key].fallback]
    candidates = []
    for rank, kind_key in enumerate(kinds):
        kind = KINDS[kind_key]
        for exercise in bank:
            wrong = kind.wrong_versions(exercise.reference_sql, schema, params if kind_key == key else {})
            if not wrong:
                continue
            tree = _parse(exercise.reference_sql)
            template = template_key(exercise)
            was_seen = template in seen_keys or " ".join(exercise.reference_sql.split()).lower() in seen_sql
            topic = _topic_rank(exercise.topic, topics)
            preferred = kind.prefer is None or bool(tree is not None and kind.prefer(tree))
            expected = params.get("expected") if kind_key == "agg_function" else None
            aimed = not expected or any(f"{f.upper()}(" in exercise.reference_sql.upper() for f in expected)
            tier = (rank, topic == 2, was_seen, topic, not preferred, not aimed)
            candidates.append((tier, rng.random(), kind_key, exercise, template, wrong))
    candidates.sort(key=lambda c: (c[0], c[1]))
    done: set[str] = set()
    tiers: dict[tuple, list] = {}
    for c in candidates:
        if c[3].reference_sql not in done:
            done.add(c[3].reference_sql)
            tiers.setdefault(c[0], []).append(c)
    for tier in sorted(tiers):
        found = []
        for _tier, _r, kind_key, exercise, template, wrong in tiers[tier][:TIER_CANDIDATES]:
            try:
                grader = grader_for(db, exercise.reference_sql)
            except SQLLabError:
                continue
            for sql in wrong:
                verdict = grader.grade(sql, lang=lang)
                if verdict.correct or verdict.status != "wrong_result":
                    continue
                diagnosed = diagnose_cause(verdict, sql, exercise.reference_sql)
                diff = verdict.diff
                target = Target(key, kind_key, exercise, template, sql,
                                visible=diff is not None and diff.variant == "visible",
                                diagnosed=diagnosed.key if diagnosed is not None else None)
                found.append(target)
                if target.diagnosed == key and target.visible:
                    break
        if found:
            return min(found, key=lambda t: (t.diagnosed != key, not t.visible))
    return None


def _reference_aggregates(reference_sql: str, student_function: Any) -> list[str]:
    """The aggregate functions (sum, avg, min, max) the exercise's reference uses, other than the student's."""
    tree = _parse(reference_sql)
    if tree is None:
        return []
    names = {name for name, cls in _AGG_CLASSES.items() if any(not _in_window(n) for n in tree.find_all(cls))}
    return sorted(names - {str(student_function or "").lower()})


# --- the wording -------------------------------------------------------------------------------

@dataclass
class Practice:
    """A practice exercise made for a target: the model's verified question, else the bank's."""

    exercise: Exercise
    target: Target
    reason: str = ""                  # why the bank's question: offline, not_trusted, unavailable, timeout, rejected
    detail: str = ""                  # the error or what happened, in words (for logs and benches)
    seconds: float = 0.0
    llm_question: str = ""            # the model's question when used

    @property
    def source(self) -> str:
        return self.exercise.source


REASONS = ("offline", "not_trusted", "unavailable", "timeout", "rejected", "cancelled", "failed")


def practice_exercise(target: Target, db: str | Path, *, exercise_id: str, lang: str, seed: int = 0,
                      difficulty: str = "easy", client: Any = None, client_factory: Callable[[], Any] | None = None,
                      offline: bool = False, budget_s: float = PRACTICE_BUDGET_S,
                      progress: GenerationProgress | None = None) -> Practice:
    """The practice exercise for ``target`` with id ``exercise_id``: its question written by the
    model (through the writer's question step: sqllab's checks and the round trip) when that passes
    within ``budget_s`` seconds of ``progress.started`` (the click), else the bank template's.
    ``client_factory`` makes the client inside the budget (starting a server may take long). Never
    raises for the LLM; ``progress.cancel()`` stops the model's part (the bank's question then)."""
    progress = progress or GenerationProgress(budget_s=budget_s, priority=priority.LESSON)
    progress.budget_s = budget_s
    bank = target.exercise.model_copy(update={"id": exercise_id, "source": "bank", "lang": lang})
    if offline:
        return Practice(bank, target, "offline", seconds=progress.elapsed)
    box: dict[str, Any] = {}

    def write() -> None:
        from ..llm.capabilities import allows
        from . import generation

        try:
            with priority.active(priority.LESSON):
                made = client if client is not None else (client_factory() if client_factory is not None else None)
                made = generation._client(made)
                if not allows(made, "problem_generation", lang):
                    box["reason"] = "not_trusted"
                    return
                progress.set("questions", 1, 1)
                box["exercise"] = generation.question_for_query(
                    db, target.exercise.reference_sql, target.exercise.topic, lang=lang, seed=seed,
                    difficulty=difficulty, client=made, progress=progress)
                if box["exercise"] is None:
                    box["reason"] = "rejected"
        except GenerationCancelled:
            box["reason"] = "timeout" if progress.elapsed >= budget_s - 0.5 else "cancelled"
        except SQLLabError as exc:
            box["reason"], box["detail"] = "unavailable", exc.message_in(lang)
        except Exception as exc:  # noqa: BLE001 - a bug: logged, and the student gets the bank's question
            log.exception("the practice question failed")
            box["reason"], box["detail"] = "failed", type(exc).__name__

    worker = threading.Thread(target=write, name="sqllab-practise", daemon=True)
    worker.start()
    worker.join(max(0.0, budget_s - progress.elapsed))
    if worker.is_alive():                    # out of time: the writer stops at its next step or token
        progress.cancel()
        worker.join(2.0)
        box["reason"] = "timeout"
    written = box.get("exercise")
    if written is not None and box.get("reason") is None:
        exercise = bank.model_copy(update={"question": written.question, "source": "llm", "hints": written.hints})
        return Practice(exercise, target, seconds=progress.elapsed, llm_question=written.question)
    reason = box.get("reason") or "rejected"
    detail = box.get("detail", "")
    log.info("practice question from the bank (%s%s) for %s", reason, f": {detail}" if detail else "",
             target.template, extra={"practice": True, "reason": reason, "lang": lang})
    return Practice(bank, target, reason, detail, seconds=progress.elapsed)


def reason_text(reason: str, lang: str) -> str:
    """Why a practice exercise has the bank's question, in ``lang`` ("" when it has the model's)."""
    return i18n.t(f"practise.reason.{reason}", lang) if reason in REASONS else ""
