"""Hints from sqllab's own reading of a reference query, never from the model.

Three levels, each a step closer and none the answer:

1. where to look: the tables and the columns the query reads;
2. what to write: the clauses it needs, in the order SQLite evaluates them, and the kind of each
   part (a condition, an aggregate function, a window function, a subquery), never which one;
3. the query itself with its key parts blanked: the constants, the aggregate functions, the join
   conditions, the window's PARTITION BY / ORDER BY; when a query has none of those, its
   conditions, then its sort keys, then its columns. There is always at least one blank.

Since every hint is derived from the reference, a hint cannot name a clause or a function the
reference lacks, and ``leaks`` proves for a hint that it does not grade equal to the reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from .. import i18n

BLANK = "___"

_AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.GroupConcat)


def _parse(sql: str) -> exp.Expression | None:
    try:
        return sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return None


def _blank() -> exp.Expression:
    return exp.Var(this=BLANK)


def tables_and_columns(tree: exp.Expression) -> tuple[list[str], list[str]]:
    """The base tables a query reads (not its CTEs) and the columns it names, in order of appearance."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    tables: list[str] = []
    for table in tree.find_all(exp.Table):
        if table.name and table.name not in ctes and table.name not in tables:
            tables.append(table.name)
    aliases = {a.alias for a in tree.find_all(exp.Alias)}
    columns: list[str] = []
    for column in tree.find_all(exp.Column):
        name = column.name
        if name and name != "*" and name not in aliases and name not in columns:
            columns.append(name)
    return tables, columns


def clauses(tree: exp.Expression) -> list[str]:
    """The clause keys the outermost query uses, in SQLite's logical order of evaluation."""
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    found: list[str] = []
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        return [type(tree).__name__.lower()]
    if tree.find(exp.CTE) is not None:
        found.append("with")
    if select is None:
        return found
    joins = select.args.get("joins") or []
    found.append("from")
    for join in joins:
        side = (join.side or "").upper()
        found.append("left_join" if side == "LEFT" else "join")
    if select.args.get("where") is not None:
        found.append("where")
    if select.args.get("group") is not None:
        found.append("group")
    if select.args.get("having") is not None:
        found.append("having")
    if select.find(exp.Window) is not None:
        found.append("window")
    elif any(isinstance(e, _AGGREGATES) for p in select.expressions for e in p.walk()):
        found.append("aggregate")
    elif select.args.get("distinct") is not None:
        found.append("distinct")
    else:
        found.append("select")
    if any(isinstance(s, exp.Subquery) or (isinstance(s, exp.Select) and s is not select)
           for s in select.walk()):
        found.append("subquery")
    order = tree.args.get("order") if isinstance(tree, (exp.Select, exp.SetOperation)) else None
    if order is not None:
        found.append("order")
    if (tree.args.get("limit") if isinstance(tree, (exp.Select, exp.SetOperation)) else None) is not None:
        found.append("limit")
    if isinstance(tree, exp.SetOperation):
        found.append("set_operation")
    return found


def skeleton(sql: str) -> str | None:
    """``sql`` with its key parts blanked (always at least one blank), or None if it does not parse."""
    tree = _parse(sql)
    if tree is None:
        return None
    tree = tree.copy()
    blanked = 0

    def blank_constants(node: exp.Expression) -> exp.Expression:
        nonlocal blanked
        if isinstance(node, exp.Literal):
            blanked += 1
            return _blank()
        if isinstance(node, exp.Null) and isinstance(node.parent, (exp.EQ, exp.NEQ)):
            blanked += 1
            return _blank()
        return node

    def blank_functions(node: exp.Expression) -> exp.Expression:
        nonlocal blanked
        if isinstance(node, _AGGREGATES):
            blanked += 1
            inner = node.this if node.this is not None else exp.Star()
            if isinstance(inner, exp.Distinct):
                inner = exp.Distinct(expressions=[_blank()])
            return exp.Anonymous(this=BLANK, expressions=[inner])
        if isinstance(node, exp.Window):
            if node.args.get("partition_by"):
                node.set("partition_by", [_blank()])
                blanked += 1
            if node.args.get("order") is not None:
                node.set("order", exp.Order(expressions=[exp.Ordered(this=_blank(), nulls_first=True)]))
                blanked += 1
        if isinstance(node, exp.Join) and node.args.get("on") is not None:
            node.set("on", _blank())
            blanked += 1
        return node

    tree = tree.transform(blank_constants).transform(blank_functions)
    if not blanked:
        for select in tree.find_all(exp.Select):
            for key in ("where", "having"):
                clause = select.args.get(key)
                if clause is not None:
                    clause.set("this", _blank())
                    blanked += 1
    if not blanked:
        order = tree.args.get("order")
        if order is not None:
            order.set("expressions", [exp.Ordered(this=_blank(), nulls_first=True)])
            blanked += 1
    if not blanked:
        select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
        if select is not None and select.expressions:
            select.set("expressions", [_blank() if not isinstance(e, exp.Star) else e for e in select.expressions])
            blanked += sum(not isinstance(e, exp.Star) for e in select.expressions)
    if not blanked:
        return None
    return tree.sql(dialect="sqlite")


def hints_for(sql: str, lang: str) -> list[str]:
    """The three hint levels for reference ``sql`` in ``lang`` (fewer when it does not parse)."""
    lang = i18n.normalize_lang(lang)
    tree = _parse(sql)
    if tree is None:
        return [i18n.t("gen.hint_generic", lang)]
    tables, columns = tables_and_columns(tree)
    sep = "、" if lang == "ja" else ", "
    first = (i18n.t("hint.tables_columns", lang, tables=sep.join(tables), columns=sep.join(columns))
             if columns else i18n.t("hint.tables", lang, tables=sep.join(tables)))
    steps = [i18n.t(f"hint.clause.{key}", lang) for key in clauses(tree)]
    arrow = " → "
    out = [first, i18n.t("hint.clauses", lang, clauses=arrow.join(steps))]
    blanked = skeleton(sql)
    if blanked is not None:
        out.append(i18n.t("gen.hint_skeleton", lang, skeleton=blanked))
    return out


def hint_sql(hint: str) -> str | None:
    """The SQL a hint shows (its text after the last colon, when that parses as SQL), if any."""
    for marker in (": ", "："):
        if marker in hint:
            tail = hint.rsplit(marker, 1)[1].strip()
            if tail.upper().startswith(("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")) and _parse(tail):
                return tail
    return None


def leaks(db: Any, reference_sql: str, hint: str) -> bool:
    """True when ``hint`` gives the answer away: it shows the reference itself, or SQL with no
    blank, or SQL that grades equal to the reference."""
    from ..grading import grade

    shown = hint_sql(hint)
    if shown is None:
        return " ".join(reference_sql.split()).casefold() in " ".join(hint.split()).casefold()
    if BLANK not in shown:
        return True
    if isinstance(db, (str, Path)) and not Path(db).exists():
        return False
    return bool(grade(db, reference_sql, shown).correct)
