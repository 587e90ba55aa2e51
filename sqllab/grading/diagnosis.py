"""Why a wrong answer's rows differ, worked out by sqllab before the LLM says a word.

A 1.5B model that is given a diff guesses at the cause, and often guesses wrong ("add the
missing row to your query", "ties in the price column" for a reversed sort). :func:`diagnose`
reads the student's own SQL next to the rows that differ and names the likely cause in a few
short notes; :func:`cause` gives the first of them when it names a cause, and :func:`because`
writes sqllab's own sentence on why from the message catalog (``feedback.because.*``, en and ja).
The causes it knows:

- a boundary: a condition whose constant equals the value of the missing (or extra) rows
  (``>`` for ``>=``, ``BETWEEN`` keeping both ends); a comparison with NULL (``= NULL``), or a
  condition that drops (or lets through) the rows with NULL;
- DISTINCT left out (with the reference: it has DISTINCT, the student's repeated rows are extra)
  or one too many (the student's DISTINCT merges rows that should repeat), also inside an
  aggregate (``COUNT(DISTINCT x)`` against ``COUNT(x)``);
- COUNT(col) against COUNT(*): NULLs not counted, NULL rows counted, or a LEFT JOIN's unmatched
  row counted as 1 instead of 0; another aggregate of the same column (AVG where MAX is asked);
- the JOIN type: an inner JOIN that drops the rows a LEFT JOIN keeps, and the reverse;
- the ORDER BY: none, the direction reversed (also under LIMIT, where the rows differ rather than
  their order), rows that tie on the student's keys, another sort column;
- a LIMIT that cuts the rows, also through rows that tie on the sort key;
- the columns: their number or their order.

Observations that are not a cause (a changed value, NULLs in the differing rows, rows repeated
more often) stay notes for the prompt only. The notes and sentences are made from the student's
query and the grader's counterexample rows; the reference query, when given, only decides between
causes (its DISTINCT, its join type, its ORDER BY direction, its aggregates) and never shows in a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp

from .. import i18n

MAX_NOTES = 3
_FLIP = {exp.GT: exp.LT, exp.LT: exp.GT, exp.GTE: exp.LTE, exp.LTE: exp.GTE, exp.EQ: exp.EQ, exp.NEQ: exp.NEQ}
_LEAVES_OUT_EQUAL = (exp.GT, exp.LT, exp.NEQ)     # a row whose value equals the constant fails these
_KEEPS_EQUAL = (exp.GTE, exp.LTE, exp.EQ)         # ... and passes these
_AGGREGATES = (exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max)

#: what each cause talks about: a model's sentence after sqllab's may speak of these and nothing else
#: (``sqllab.grading.feedback.cause_problem``)
FAMILIES: dict[str, frozenset[str]] = {key: frozenset(value.split()) for key, value in {
    "boundary_out": "boundary condition", "boundary_in": "boundary condition",
    "boundary_out2": "boundary condition",
    "null_equals": "null condition", "null_missing_compared": "null condition",
    "null_extra_compared": "null condition",
    "distinct_merges": "duplicates", "distinct_missing": "duplicates",
    "agg_distinct": "duplicates count aggregate", "agg_repeats": "duplicates count aggregate",
    "agg_function": "aggregate",
    "count_column": "count null", "count_star": "count null", "count_star_join": "count null join",
    "join_inner": "join null", "join_left": "join null",
    "no_order_by": "order", "sort_direction": "order direction", "sort_direction_tie": "order direction tie",
    "sort_direction_limit": "order direction limit", "order_tie": "order tie", "sort_tiebreak": "order tie",
    "sort_column": "order",
    "limit": "limit", "limit_tie": "limit order tie", "limit_tie_cut": "limit order tie",
    "column_order": "columns", "columns_fewer": "columns", "columns_more": "columns",
}.items()}
CAUSES = frozenset(FAMILIES)


@dataclass(frozen=True)
class Cause:
    """The cause sqllab names for a wrong answer: the note's key and parameters, and what it talks about."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def families(self) -> frozenset[str]:
        return FAMILIES[self.key]

    def sentence(self, lang: str) -> str:
        """sqllab's sentence on why, in ``lang`` (``feedback.because.<key>``)."""
        return i18n.t(f"feedback.because.{self.key}", lang, **_localized(self.params, lang))

    def note(self, lang: str) -> str:
        return _render((self.key, self.params), lang)


def _t(key: str, **params: Any) -> tuple[str, dict[str, Any]]:
    """A note not yet written: its message key and parameters (``_render`` writes it in a language)."""
    return key, params


def _localized(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Parameters that depend on the language: a direction (``yours_dir``, ``expected_dir``: asc or
    desc) becomes words; ``rows`` (a count) becomes "1 row" / "3 rows" in English."""
    out = {k: v.text(lang) if isinstance(v, RowLabel) else v for k, v in params.items()}
    for name in ("yours", "expected"):
        direction = params.get(f"{name}_dir")
        if direction in ("asc", "desc"):
            out[name] = i18n.t(f"feedback.direction.{direction}", lang)
    if params.get("function") in ("count", "sum", "avg", "min", "max"):
        out["what"] = i18n.t(f"feedback.function.{params['function']}", lang)
    if isinstance(params.get("count"), int):
        n = params["count"]
        out["rows"] = f"{n} row{'s' * (n != 1)}" if lang == "en" else f"{n} 行"
    return out


def _render(note: tuple[str, dict[str, Any]], lang: str) -> str:
    return i18n.t(f"feedback.cause.{note[0]}", lang, **_localized(note[1], lang))


def _parse(sql: str | None) -> exp.Expression | None:
    if not sql:
        return None
    try:
        return sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return None


def _sql(node: exp.Expression) -> str:
    return node.sql(dialect="sqlite")


def _same(value: Any, literal: exp.Literal) -> bool:
    if value is None:
        return False
    if literal.is_string:
        return isinstance(value, str) and value == literal.this
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return float(literal.this) == float(value)
        except ValueError:
            return False
    return False


def _conditions(tree: exp.Expression) -> list[exp.Expression]:
    return [node for kind in (exp.Where, exp.Having, exp.Join) for node in tree.find_all(kind)]


def comparisons(tree: exp.Expression) -> list[tuple[str, type, exp.Literal, str]]:
    """``(column, operator class, constant, condition text)`` for each ``column <op> constant`` in
    the query's conditions, written with the column on the left. ``column`` is a column's name, or
    the text of another expression (``COUNT(*)``), as a result column of that expression is named."""
    found = []
    for condition in _conditions(tree):
        for node in condition.find_all(*_FLIP):
            left, right = node.left, node.right
            op = type(node)
            if isinstance(left, exp.Literal) and not isinstance(right, exp.Literal):
                left, right, op = right, left, _FLIP[op]
            if isinstance(right, exp.Literal) and not isinstance(left, (exp.Literal, exp.Null)):
                name = left.name if isinstance(left, exp.Column) else _sql(left)
                found.append((name, op, right, _sql(node)))
    return found


def _rows(sample: Any) -> list[dict[str, Any]]:
    if sample is None:
        return []
    names = [c.casefold() for c in sample.columns]
    return [dict(zip(names, row)) for row in sample.rows]


def _lists(sample: Any) -> list[list[Any]]:
    return [list(r) for r in sample.rows] if sample is not None else []


def _row_text(row: dict[str, Any]) -> str:
    return "(" + ", ".join(f"{c}: {'NULL' if v is None else v}" for c, v in row.items()) + ")"


@dataclass(frozen=True)
class RowLabel:
    """A row as sqllab's sentences name it: its values, "(a, b)", or one value quoted ("a" / 「a」)."""

    values: tuple[Any, ...]

    def text(self, lang: str) -> str:
        values = ["NULL" if v is None else str(v) for v in self.values]
        if len(values) == 1:
            return f"「{values[0]}」" if lang == "ja" else f'"{values[0]}"'
        return "(" + ", ".join(values) + ")"

    def __str__(self) -> str:
        return self.text("en")


def _row_label(row: list[Any]) -> RowLabel:
    return RowLabel(tuple(row))


def _shown(value: Any) -> str:
    return "NULL" if value is None else str(value)


# --- reading a query -----------------------------------------------------------------------

def _top(tree: exp.Expression | None) -> exp.Select | None:
    return tree if isinstance(tree, exp.Select) else None


def _bare(node: exp.Expression) -> exp.Expression:
    return node.this if isinstance(node, exp.Alias) else node


def _plain(node: exp.Expression) -> str:
    """An expression's text without table qualifiers, lowercased (``p.points`` and ``points`` agree)."""
    def strip(n: exp.Expression) -> exp.Expression:
        return exp.column(n.name) if isinstance(n, exp.Column) and n.table else n
    return _sql(node.copy().transform(strip)).lower()


def _output_index(key: exp.Expression, outputs: list[exp.Expression]) -> int | None:
    """The result column an ORDER BY key sorts by: ``ORDER BY 2``, an alias, or the same expression."""
    if isinstance(key, exp.Literal) and not key.is_string:
        try:
            index = int(key.this) - 1
        except ValueError:
            return None
        return index if 0 <= index < len(outputs) else None
    if isinstance(key, exp.Column) and not key.table:
        for i, out in enumerate(outputs):
            if isinstance(out, exp.Alias) and out.alias.lower() == key.name.lower():
                return i
    text = _plain(key)
    for i, out in enumerate(outputs):
        if _plain(_bare(out)) == text:
            return i
    return None


@dataclass
class _Key:
    text: str            # the student's own words for it ("points DESC")
    expr: str            # the expression alone ("points")
    ident: tuple         # ("pos", i) or ("expr", text): equal for the same sort key in two queries
    desc: bool
    index: int | None    # the result column it sorts by, when there is one


def _order_keys(tree: exp.Expression | None) -> list[_Key]:
    select = _top(tree)
    order = select.args.get("order") if select is not None else None
    if order is None:
        return []
    outputs = list(select.expressions)
    keys = []
    for ordered in order.expressions:
        key = ordered.this
        index = _output_index(key, outputs)
        keys.append(_Key(text=_sql(ordered), expr=_sql(key), desc=bool(ordered.args.get("desc")),
                         ident=("pos", index) if index is not None else ("expr", _plain(key)), index=index))
    return keys


def _column_of(key: _Key, columns: list[str]) -> int | None:
    """The column of the counterexample a key sorts by (its result column, or one named like it)."""
    if key.index is not None and key.index < len(columns):
        return key.index
    name = key.expr.rsplit(".", 1)[-1].strip('"`[]').casefold()
    hits = [i for i, c in enumerate(columns) if c.casefold() == name]
    return hits[0] if len(hits) == 1 else None


def _limit_value(tree: exp.Expression | None) -> int | None:
    select = _top(tree)
    limit = select.args.get("limit") if select is not None else None
    expression = limit.expression if limit is not None else None
    if isinstance(expression, exp.Literal) and not expression.is_string:
        try:
            return int(expression.this)
        except ValueError:
            return None
    return None


def _table_name(node: exp.Expression | None) -> str:
    return node.name if isinstance(node, exp.Table) else ""


def _from_table(select: exp.Select) -> exp.Expression | None:
    source = select.args.get("from_") or select.args.get("from")
    return source.this if source is not None else None


def _joins(tree: exp.Expression | None) -> list[tuple[str, str, str]]:
    """``(table, alias, side)`` per JOIN of the top-level query; side "" (inner), LEFT, RIGHT, FULL, CROSS."""
    select = _top(tree)
    if select is None:
        return []
    found = []
    for join in select.args.get("joins") or []:
        table = join.this
        if not isinstance(table, exp.Table):
            continue
        side = (join.side or "").upper() or ("CROSS" if (join.kind or "").upper() == "CROSS" else "")
        found.append((table.name.lower(), (table.alias_or_name or "").lower(), side))
    return found


def _aggregate(node: exp.Expression) -> tuple[str, str, bool] | None:
    """``(function, argument, distinct)`` of an aggregate result column (``("count", "*", False)``)."""
    inner = _bare(node)
    if not isinstance(inner, _AGGREGATES):
        return None
    argument = inner.this
    distinct = isinstance(argument, exp.Distinct)
    if distinct:
        argument = argument.expressions[0] if argument.expressions else None
    if argument is None or isinstance(argument, exp.Star):
        text = "*"
    else:
        text = _plain(argument)
    return type(inner).__name__.lower(), text, distinct


def _changed(missing: list[list], extra: list[list], index: int) -> list[tuple[Any, Any]]:
    """``(expected, got)`` values of result column ``index`` in rows that agree on every other column."""
    pairs = []
    for want in missing:
        for got in extra:
            if len(want) == len(got) and index < len(want) and want[index] != got[index] and all(
                    a == b for i, (a, b) in enumerate(zip(want, got)) if i != index):
                pairs.append((want[index], got[index]))
                break
    return pairs


def _less(a: Any, b: Any) -> bool | None:
    try:
        return a < b
    except TypeError:
        return None


# --- the causes ----------------------------------------------------------------------------

def _boundaries(tree: exp.Expression, missing: list[dict], extra: list[dict]) -> list[tuple]:
    notes = []
    for column, op, literal, text in comparisons(tree):
        key = column.casefold()
        value = literal.this
        if issubclass(op, _LEAVES_OUT_EQUAL) and any(_same(r.get(key), literal) for r in missing):
            notes.append(_t("boundary_out", condition=text, column=column, value=value))
        elif issubclass(op, _KEEPS_EQUAL) and op is not exp.EQ and any(_same(r.get(key), literal) for r in extra):
            notes.append(_t("boundary_in", condition=text, column=column, value=value))
    for condition in _conditions(tree):
        for between in condition.find_all(exp.Between):
            target = between.this
            column = target.name if isinstance(target, exp.Column) else _sql(target)
            for end in (between.args.get("low"), between.args.get("high")):
                if isinstance(end, exp.Literal) and any(_same(r.get(column.casefold()), end) for r in extra):
                    notes.append(_t("boundary_in", condition=_sql(between), column=column, value=end.this))
                    break
    outs = [n for n in notes if n[0] == "boundary_out"]
    if len(outs) >= 2 and outs[0][1]["column"] == outs[1][1]["column"]:   # both ends of a range
        first, second = outs[0][1], outs[1][1]
        notes.insert(0, _t("boundary_out2", condition=first["condition"], value=first["value"],
                           condition2=second["condition"], value2=second["value"], column=first["column"]))
    return notes


def _null_equals(tree: exp.Expression) -> list[tuple]:
    for condition in _conditions(tree):
        for node in condition.find_all(exp.EQ, exp.NEQ):
            if isinstance(node.right, exp.Null) or isinstance(node.left, exp.Null):
                return [_t("null_equals", condition=_sql(node))]
    return []


def _nulls(tree: exp.Expression, missing: list[dict], extra: list[dict]) -> list[tuple]:
    compared = {column.casefold() for column, *_ in comparisons(tree)}
    notes = []
    for rows, key in ((missing, "null_missing"), (extra, "null_extra")):
        columns = sorted({c for r in rows for c, v in r.items() if v is None})
        if columns:
            in_condition = [c for c in columns if c in compared]
            notes.append(_t(key + ("_compared" if in_condition else ""),
                            columns=", ".join(in_condition or columns)))
    return notes


def _joins_differ(tree: exp.Expression, reference: exp.Expression | None, diff: Any,
                  missing: list[list], extra: list[list]) -> list[tuple]:
    """An inner JOIN where the reference keeps the unmatched rows (LEFT JOIN), or the reverse."""
    select = _top(tree)
    if select is None:
        return []
    left = _table_name(_from_table(select))
    theirs = {table: side for table, _alias, side in _joins(reference)}
    outputs = list(select.expressions)
    for table, alias, side in _joins(tree):
        if table not in theirs:
            if reference is not None:
                continue
            theirs_side = None           # no reference: the rows alone must show it
        else:
            theirs_side = theirs[table]
        from_right = [i for i, out in enumerate(outputs)
                      if any(c.table.lower() == alias for c in _bare(out).find_all(exp.Column) if c.table)]
        if side == "" and missing and (theirs_side == "LEFT" or (
                theirs_side is None and any(row[i] is None for row in missing for i in from_right
                                            if i < len(row)))):
            return [_t("join_inner", left=left, right=table, row=_row_label(missing[0]))]
        if side == "LEFT" and extra and (theirs_side == "" or (
                theirs_side is None and any(row[i] is None for row in extra for i in from_right
                                            if i < len(row)))):
            return [_t("join_left", left=left, right=table, row=_row_label(extra[0]))]
    return []


def _aggregates(tree: exp.Expression, reference: exp.Expression | None, missing: list[list],
                extra: list[list]) -> list[tuple]:
    """COUNT(col) against COUNT(*), and DISTINCT inside an aggregate, at the same result column."""
    select = _top(tree)
    if select is None:
        return []
    mine = list(select.expressions)
    theirs = list(_top(reference).expressions) if _top(reference) is not None else []
    left_join = any(side == "LEFT" for *_, side in _joins(tree))
    single = len(mine) == 1
    for i, out in enumerate(mine):
        agg = _aggregate(out)
        if agg is None:
            continue
        function, argument, distinct = agg
        call = _sql(_bare(out))
        pairs = _changed(missing, extra, i) if not single else [
            (m[0], x[0]) for m, x in zip(missing, extra)]
        if not pairs:
            continue
        lower = [_less(got, want) for want, got in pairs]
        ref = _aggregate(theirs[i]) if i < len(theirs) else None
        if function == "count" and argument == "*" and not distinct and left_join and any(
                want == 0 and got == 1 for want, got in pairs):
            right = next((t for t, _a, side in _joins(tree) if side == "LEFT"), "")
            return [_t("count_star_join", call=call, left=_table_name(_from_table(select)), right=right)]
        if ref is not None and ref[0] != function and ref[1] == argument and not distinct and not ref[2]:
            want, got = pairs[0]          # another aggregate of the same column (AVG where MAX is asked)
            return [_t("agg_function", call=call, function=function, column=argument,
                       expected=_shown(want), got=_shown(got))]
        if ref is None or ref[0] != function:
            continue
        if function == "count" and ref[2] == distinct == False:  # noqa: E712 - both without DISTINCT
            if argument != "*" and ref[1] == "*" and all(lower):
                column = argument
                return [_t("count_column", call=call, column=column)]
            if argument == "*" and ref[1] != "*" and not any(lower):
                return [_t("count_star", call=call)]
        if distinct and not ref[2] and ref[1] == argument:
            return [_t("agg_distinct", call=call)]
        if not distinct and ref[2] and ref[1] == argument:
            return [_t("agg_repeats", call=call)]
    return []


def _distinct(tree: exp.Expression, reference: exp.Expression | None, diff: Any, extra: list[list]) -> list[tuple]:
    select = _top(tree)
    mine = select is not None and select.args.get("distinct") is not None
    ref = _top(reference)
    theirs = ref is not None and ref.args.get("distinct") is not None
    if mine and diff.got_rows < diff.expected_rows and not (ref is not None and theirs):
        return [_t("distinct_merges")]
    if theirs and not mine and extra and diff.got_rows > diff.expected_rows:
        return [_t("distinct_missing", row=_row_label(extra[0]))]
    return []


def _direction_notes(mine: list[_Key], theirs: list[_Key], *, limit: int | None) -> list[tuple]:
    """The reference sorts by the same keys in another direction (from the reference: never shown)."""
    for i, (a, b) in enumerate(zip(mine, theirs)):
        if a.ident != b.ident:
            return []
        if a.desc != b.desc:
            dirs = {"yours_dir": "desc" if a.desc else "asc", "expected_dir": "desc" if b.desc else "asc"}
            order = ", ".join(k.text for k in mine)
            if i > 0:
                return [_t("sort_direction_tie", order=order, column=a.expr,
                           tied=", ".join(k.expr for k in mine[:i]), **dirs)]
            if limit is not None:
                return [_t("sort_direction_limit", order=order, column=a.expr, n=limit, **dirs)]
            return [_t("sort_direction", order=order, column=a.expr, **dirs)]
    return []


def _monotone(values: list[Any], desc: bool) -> bool:
    """Values sorted in the direction ``desc`` (not all equal)."""
    steps = [_less(b, a) if desc else _less(a, b) for a, b in zip(values, values[1:]) if a != b]
    return bool(steps) and all(s is True for s in steps)


def _agree(mine: list[_Key], theirs: list[_Key]) -> int:
    """How many leading sort keys the two queries share (same key, same direction)."""
    n = 0
    for a, b in zip(mine, theirs):
        if a.ident != b.ident or a.desc != b.desc:
            break
        n += 1
    return n


def _ordering(tree: exp.Expression, reference: exp.Expression | None, example: Any) -> list[tuple]:
    mine, theirs = _order_keys(tree), _order_keys(reference)
    if not mine:
        return [_t("no_order_by")] if _top(tree) is not None else []
    order = ", ".join(k.text for k in mine)
    if theirs:
        notes = _direction_notes(mine, theirs, limit=None)
        if notes:
            return notes
        agreed = _agree(mine, theirs)
        if agreed == len(mine) < len(theirs):         # the reference breaks the ties, yours does not
            return [_t("order_tie", order=order, columns=", ".join(k.expr for k in mine))]
        if 0 < agreed < len(mine):                    # the ties are broken by another key
            return [_t("sort_tiebreak", order=order, tied=", ".join(k.expr for k in mine[:agreed]),
                       column=mine[agreed].expr)]
    expected, got = (_lists(example.expected), _lists(example.got)) if example is not None else ([], [])
    columns = list(example.expected.columns) if example is not None else []
    first = _column_of(mine[0], columns)
    values = [row[first] for row in expected if first is not None and first < len(row)]
    if first is not None and reference is None and _monotone(values, not mine[0].desc):
        dirs = {"yours_dir": "desc" if mine[0].desc else "asc", "expected_dir": "asc" if mine[0].desc else "desc"}
        return [_t("sort_direction", order=order, column=mine[0].expr, **dirs)]   # the expected rows go the other way
    indexes = [_column_of(k, columns) for k in mine]
    if None not in indexes and expected and got and (reference is None or not theirs):
        for want, have in zip(expected, got):
            if want != have:
                if all(want[i] == have[i] for i in indexes):      # the first rows that differ tie on every key
                    return [_t("order_tie", order=order, columns=", ".join(k.expr for k in mine))]
                break
    if theirs and mine[0].ident != theirs[0].ident and first is not None:
        if len(set(map(repr, values))) > 1 and not _monotone(values, mine[0].desc) and not _monotone(
                values, not mine[0].desc):
            return [_t("sort_column", order=order, column=mine[0].expr)]
    return [_t("order_by", order=order)]


def _limits(tree: exp.Expression, reference: exp.Expression | None, diff: Any, example: Any,
            missing: list[list], extra: list[list]) -> list[tuple]:
    """A LIMIT that takes the rows from the wrong end, cuts through tied rows, or cuts at all."""
    n = _limit_value(tree)
    mine = _order_keys(tree)
    if n is None:
        return []
    columns = list(example.expected.columns) if example is not None else []
    theirs = _order_keys(reference)
    if mine and missing and extra:
        notes = _direction_notes(mine, theirs, limit=n) if theirs else []
        if notes:
            return notes
        indexes = [_column_of(k, columns) for k in mine]
        if None not in indexes and (not theirs or _agree(mine, theirs) == len(mine) < len(theirs)):
            keys = {tuple(repr(row[i]) for i in indexes) for row in extra}
            if all(tuple(repr(row[i]) for i in indexes) in keys for row in missing):
                tie = missing[0]
                other = next(row for row in extra if [row[i] for i in indexes] == [tie[i] for i in indexes])
                return [_t("limit_tie", order=", ".join(k.text for k in mine), n=n,
                           column=", ".join(k.expr for k in mine),
                           value=", ".join(_shown(tie[i]) for i in indexes),
                           missing=_row_label(tie), extra=_row_label(other))]
        first = indexes[0] if indexes else None
        if first is not None and not theirs:
            smaller = [_less(x[first], m[first]) for x in extra for m in missing]
            if smaller and all(s is (not mine[0].desc) for s in smaller):   # yours from one end, expected from the other
                dirs = {"yours_dir": "desc" if mine[0].desc else "asc",
                        "expected_dir": "asc" if mine[0].desc else "desc"}
                return [_t("sort_direction_limit", order=", ".join(k.text for k in mine), column=mine[0].expr,
                           n=n, **dirs)]
    if not (diff.got_rows == n < diff.expected_rows):
        return []
    if mine and missing and not extra and _ties_by_condition(reference, mine[0]):
        index = _column_of(mine[0], columns)
        value = _shown(missing[0][index]) if index is not None else ""
        if value:
            return [_t("limit_tie_cut", n=n, count=n, column=mine[0].expr, value=value, row=_row_label(missing[0]))]
    return [_t("limit", n=n, expected=diff.expected_rows)]


def _ties_by_condition(reference: exp.Expression | None, key: _Key) -> bool:
    """Whether every row of the reference has one value of ``key``'s column: its WHERE says
    ``column = (SELECT MAX(...))`` or ``column = constant`` (so the rows a LIMIT cuts off tie)."""
    select = _top(reference)
    where = select.args.get("where") if select is not None else None
    if where is None or _limit_value(reference) is not None:
        return False
    name = key.expr.rsplit(".", 1)[-1].casefold()
    condition = where.this
    parts = list(condition.flatten()) if isinstance(condition, exp.And) else [condition]
    for part in parts:
        if isinstance(part, exp.EQ):
            for side, other in ((part.left, part.right), (part.right, part.left)):
                if isinstance(side, exp.Column) and side.name.casefold() == name and (
                        isinstance(other, exp.Literal) or (isinstance(other, exp.Subquery) and other.find(exp.Max, exp.Min))):
                    return True
    return False


def _duplicates(tree: exp.Expression, diff: Any, extra: list[dict]) -> list[tuple]:
    select = _top(tree)
    distinct = select is not None and select.args.get("distinct") is not None
    if distinct and diff.got_rows < diff.expected_rows:
        return [_t("distinct_merges")]
    if diff.got_rows > diff.expected_rows:
        return [_t("repeats", row=_row_text(extra[0])) if extra else _t("repeats_some")]
    return [_t("fewer_copies")]


def _values(missing: list[dict], extra: list[dict]) -> list[tuple]:
    """A missing and an extra row that agree on all columns but some: the changed value."""
    for want in missing:
        for got in extra:
            if want.keys() != got.keys():
                continue
            changed = [c for c in want if want[c] != got[c]]
            if 0 < len(changed) <= max(1, len(want) // 2) and len(changed) < len(want):
                same = {c: want[c] for c in want if c not in changed}
                column = changed[0]
                return [_t("value", row=_row_text(same), column=column,
                           expected="NULL" if want[column] is None else want[column],
                           got="NULL" if got[column] is None else got[column])]
    return []


def _own_columns(tree: exp.Expression, example: Any) -> str:
    if example is not None and example.got.columns:
        return ", ".join(example.got.columns)
    select = _top(tree)
    if select is None:
        return ""
    return ", ".join("*" if isinstance(o, exp.Star) else (o.alias_or_name or _sql(o)) for o in select.expressions)


def _notes(verdict: Any, student_sql: str, reference_sql: str | None = None) -> list[tuple]:
    diff = getattr(verdict, "diff", None)
    tree = _parse(student_sql)
    if diff is None or tree is None or diff.kind == "error":
        return []
    reference = _parse(reference_sql)
    example = diff.counterexample
    kind = diff.kind
    if kind == "column_order":
        if example is not None and example.expected.columns and example.got.columns:
            return [_t("column_order", expected=", ".join(example.expected.columns),
                       got=", ".join(example.got.columns))]
        return []
    if kind == "column_count":
        got = _own_columns(tree, example)
        key = "columns_fewer" if diff.got_columns < diff.expected_columns else "columns_more"
        notes = [_t(key, got=got, got_n=diff.got_columns, expected_n=diff.expected_columns)] if got else []
        if example is not None and example.expected.columns and example.got.columns:
            notes.append(_t("columns", expected=", ".join(example.expected.columns), got=", ".join(example.got.columns)))
        return notes + [_t("column_count", expected=diff.expected_columns, got=diff.got_columns)]
    if kind == "ordering":
        return _ordering(tree, reference, example)
    missing = _rows(example.expected) if example is not None else []
    extra = _rows(example.got) if example is not None else []
    missing_rows, extra_rows = _lists(example.expected if example else None), _lists(example.got if example else None)
    notes = _boundaries(tree, missing, extra) + _null_equals(tree)
    notes += _joins_differ(tree, reference, diff, missing_rows, extra_rows)
    notes += _aggregates(tree, reference, missing_rows, extra_rows)
    notes += _distinct(tree, reference, diff, extra_rows)
    notes += _limits(tree, reference, diff, example, missing_rows, extra_rows)
    notes += _nulls(tree, missing, extra)
    if kind == "duplicates" or "duplicates" in diff.kinds:
        notes += _duplicates(tree, diff, extra)
    if kind == "value" or "value" in diff.kinds:
        notes += _values(missing, extra)
    return notes


def diagnose(verdict: Any, student_sql: str, lang: str, reference_sql: str | None = None) -> list[str]:
    """Up to ``MAX_NOTES`` short notes (in ``lang``) on why the student's rows differ; empty when
    nothing specific can be said (the prompt then has the plain facts only). ``reference_sql``, when
    given, decides between causes (never written into a note)."""
    texts = [_render(note, lang) for note in _notes(verdict, student_sql, reference_sql)]
    return list(dict.fromkeys(texts))[:MAX_NOTES]


def cause(verdict: Any, student_sql: str, reference_sql: str | None = None) -> Cause | None:
    """The cause sqllab names for this wrong answer (the first note, when it names one), or None."""
    notes = _notes(verdict, student_sql, reference_sql)
    if notes and notes[0][0] in CAUSES:
        return Cause(notes[0][0], notes[0][1])
    return None


def because(verdict: Any, student_sql: str, lang: str, reference_sql: str | None = None) -> str:
    """sqllab's own sentence on why the answer is wrong, in ``lang`` ("" when it names no cause)."""
    found = cause(verdict, student_sql, reference_sql)
    return found.sentence(lang) if found is not None else ""


def culprit(verdict: Any, student_sql: str, lang: str, reference_sql: str | None = None) -> str:
    """The part of the learner's own query that the first note blames, in words of ``lang``
    (「条件「points > 900」」, "`LIMIT 1`"); "" when the cause is not one part of it. Feedback v10
    starts the model's sentence on why with it."""
    notes = _notes(verdict, student_sql, reference_sql)
    if not notes:
        return ""
    key, params = notes[0]
    if key in ("boundary_out", "boundary_in", "boundary_out2", "null_equals"):
        return i18n.t("feedback.part.condition", lang, sql=params["condition"])
    if key in ("limit", "limit_tie_cut"):
        return i18n.t("feedback.part.clause", lang, sql=f"LIMIT {params['n']}")
    if key == "distinct_merges":
        return i18n.t("feedback.part.clause", lang, sql="DISTINCT")
    if key in ("order_by", "sort_direction", "sort_direction_tie", "sort_direction_limit", "order_tie",
               "sort_tiebreak", "sort_column", "limit_tie"):
        return i18n.t("feedback.part.clause", lang, sql=f"ORDER BY {params['order']}")
    if key in ("count_column", "count_star", "count_star_join", "agg_distinct", "agg_repeats", "agg_function"):
        return i18n.t("feedback.part.clause", lang, sql=params["call"])
    if key == "join_inner":
        return i18n.t("feedback.part.clause", lang, sql="JOIN")
    if key == "join_left":
        return i18n.t("feedback.part.clause", lang, sql="LEFT JOIN")
    return ""


#: what to look at next, by the first note's kind (a question for the learner, never the fix)
_NEXT = {"boundary_out": "next.boundary", "boundary_in": "next.boundary", "boundary_out2": "next.boundary",
         "null_equals": "next.null", "null_missing": "next.null", "null_missing_compared": "next.null",
         "null_extra": "next.null", "null_extra_compared": "next.null", "distinct_merges": "next.duplicates",
         "distinct_missing": "next.duplicates", "agg_distinct": "next.duplicates", "agg_repeats": "next.duplicates",
         "repeats": "next.duplicates", "repeats_some": "next.duplicates", "fewer_copies": "next.duplicates",
         "agg_function": "next.value", "count_column": "next.count", "count_star": "next.count", "count_star_join": "next.count",
         "join_inner": "next.join", "join_left": "next.join",
         "no_order_by": "next.order", "order_by": "next.order", "sort_direction": "next.order",
         "sort_direction_tie": "next.order", "sort_direction_limit": "next.order", "sort_column": "next.order",
         "order_tie": "next.tie", "sort_tiebreak": "next.tie", "limit_tie": "next.tie", "limit_tie_cut": "next.tie", "limit": "next.limit",
         "columns": "next.columns", "column_count": "next.columns", "column_order": "next.columns",
         "columns_fewer": "next.columns", "columns_more": "next.columns", "value": "next.value"}


def next_step(verdict: Any, student_sql: str, lang: str, reference_sql: str | None = None) -> str:
    """What the learner should look at next, as a question (``""`` when the diff says nothing)."""
    notes = _notes(verdict, student_sql, reference_sql)
    diff = getattr(verdict, "diff", None)
    if notes:
        key, params = _NEXT.get(notes[0][0], "next.missing"), notes[0][1]
        if key == "next.boundary" and "value" not in params:
            key = "next.missing"
    elif diff is not None and diff.kind != "error" and (diff.missing_rows or diff.extra_rows):
        key, params = ("next.missing" if diff.missing_rows else "next.extra"), {}
    else:
        return ""
    return i18n.t(f"feedback.cause.{key}", lang, **_localized(params, lang))
