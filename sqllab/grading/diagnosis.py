"""Why a wrong answer's rows differ, worked out by sqllab before the LLM says a word.

A 1.5B model that is given a diff guesses at the cause, and often guesses wrong ("add the
missing row to your query"). :func:`diagnose` reads the student's own SQL next to the rows that
differ and names the likely cause in a few short notes: a condition whose constant equals the
value of the missing (or extra) rows, a comparison with NULL, DISTINCT or repeated rows, the
ORDER BY, a LIMIT that cuts the rows, the columns, a value that changed. The feedback prompt
(``feedback`` v7) hands these notes to the model, which only has to explain them to the learner.

Everything here comes from the student's query and the grader's counterexample rows, never from
the reference query, so a note cannot give the solution away.
"""

from __future__ import annotations

from typing import Any

import sqlglot
from sqlglot import exp

from .. import i18n

MAX_NOTES = 3
_FLIP = {exp.GT: exp.LT, exp.LT: exp.GT, exp.GTE: exp.LTE, exp.LTE: exp.GTE, exp.EQ: exp.EQ, exp.NEQ: exp.NEQ}
_LEAVES_OUT_EQUAL = (exp.GT, exp.LT, exp.NEQ)     # a row whose value equals the constant fails these
_KEEPS_EQUAL = (exp.GTE, exp.LTE, exp.EQ)         # ... and passes these


def _t(key: str, **params: Any) -> tuple[str, dict[str, Any]]:
    """A note not yet written: its message key and parameters (``_render`` writes it in a language)."""
    return key, params


def _render(note: tuple[str, dict[str, Any]], lang: str) -> str:
    return i18n.t(f"feedback.cause.{note[0]}", lang, **note[1])


def _parse(sql: str) -> exp.Expression | None:
    try:
        return sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return None


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
                name = left.name if isinstance(left, exp.Column) else left.sql(dialect="sqlite")
                found.append((name, op, right, node.sql(dialect="sqlite")))
    return found


def _rows(sample: Any) -> list[dict[str, Any]]:
    if sample is None:
        return []
    names = [c.casefold() for c in sample.columns]
    return [dict(zip(names, row)) for row in sample.rows]


def _row_text(row: dict[str, Any]) -> str:
    return "(" + ", ".join(f"{c}: {'NULL' if v is None else v}" for c, v in row.items()) + ")"


def _boundaries(tree: exp.Expression, missing: list[dict], extra: list[dict]) -> list[tuple]:
    notes = []
    for column, op, literal, text in comparisons(tree):
        key = column.casefold()
        value = literal.this
        if issubclass(op, _LEAVES_OUT_EQUAL) and any(_same(r.get(key), literal) for r in missing):
            notes.append(_t("boundary_out", condition=text, column=column, value=value))
        elif issubclass(op, _KEEPS_EQUAL) and op is not exp.EQ and any(_same(r.get(key), literal) for r in extra):
            notes.append(_t("boundary_in", condition=text, column=column, value=value))
    return notes


def _nulls(tree: exp.Expression, missing: list[dict], extra: list[dict]) -> list[tuple]:
    for condition in _conditions(tree):
        for node in condition.find_all(exp.EQ, exp.NEQ):
            if isinstance(node.right, exp.Null) or isinstance(node.left, exp.Null):
                return [_t("null_equals", condition=node.sql(dialect="sqlite"))]
    compared = {column.casefold() for column, *_ in comparisons(tree)}
    notes = []
    for rows, key in ((missing, "null_missing"), (extra, "null_extra")):
        columns = sorted({c for r in rows for c, v in r.items() if v is None})
        if columns:
            in_condition = [c for c in columns if c in compared]
            notes.append(_t(key + ("_compared" if in_condition else ""),
                            columns=", ".join(in_condition or columns)))
    return notes


def _duplicates(tree: exp.Expression, diff: Any, extra: list[dict]) -> list[tuple]:
    distinct = tree.find(exp.Distinct) is not None
    if distinct and diff.got_rows < diff.expected_rows:
        return [_t("distinct_merges")]
    if diff.got_rows > diff.expected_rows:
        return [_t("repeats", row=_row_text(extra[0])) if extra else _t("repeats_some")]
    return [_t("fewer_copies")]


def _ordering(tree: exp.Expression) -> list[tuple]:
    order = tree.find(exp.Order)
    if order is None:
        return [_t("no_order_by")]
    keys = ", ".join(o.sql(dialect="sqlite") for o in order.expressions)
    return [_t("order_by", order=keys)]


def _limit(tree: exp.Expression, diff: Any) -> list[tuple]:
    limit = tree.args.get("limit")
    expression = limit.expression if limit is not None else None
    if isinstance(expression, exp.Literal) and not expression.is_string and diff.got_rows != diff.expected_rows:
        return [_t("limit", n=expression.this, expected=diff.expected_rows)]
    return []


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


def _notes(verdict: Any, student_sql: str) -> list[tuple]:
    diff = getattr(verdict, "diff", None)
    tree = _parse(student_sql)
    if diff is None or tree is None or diff.kind == "error":
        return []
    example = diff.counterexample
    kind = diff.kind
    if kind in ("column_count", "column_order"):
        if example is not None and example.expected.columns and example.got.columns:
            return [_t("columns", expected=", ".join(example.expected.columns),
                       got=", ".join(example.got.columns))]
        return [_t("column_count", expected=diff.expected_columns, got=diff.got_columns)]
    if kind == "ordering":
        return _ordering(tree)
    missing = _rows(example.expected) if example is not None else []
    extra = _rows(example.got) if example is not None else []
    notes = _boundaries(tree, missing, extra) + _nulls(tree, missing, extra)
    if kind == "duplicates" or "duplicates" in diff.kinds:
        notes += _duplicates(tree, diff, extra)
    notes += _limit(tree, diff)
    if kind == "value" or "value" in diff.kinds:
        notes += _values(missing, extra)
    return notes


def diagnose(verdict: Any, student_sql: str, lang: str) -> list[str]:
    """Up to ``MAX_NOTES`` short notes (in ``lang``) on why the student's rows differ; empty when
    nothing specific can be said (the prompt then has the plain facts only)."""
    texts = [_render(note, lang) for note in _notes(verdict, student_sql)]
    return list(dict.fromkeys(texts))[:MAX_NOTES]


def culprit(verdict: Any, student_sql: str, lang: str) -> str:
    """The part of the learner's own query that the first note blames, in words of ``lang``
    (「条件「points > 900」」, "`LIMIT 1`"); "" when the cause is not one part of it. Feedback v10
    starts the model's sentence on why with it."""
    notes = _notes(verdict, student_sql)
    if not notes:
        return ""
    key, params = notes[0]
    if key in ("boundary_out", "boundary_in", "null_equals"):
        return i18n.t("feedback.part.condition", lang, sql=params["condition"])
    if key == "limit":
        return i18n.t("feedback.part.clause", lang, sql=f"LIMIT {params['n']}")
    if key == "distinct_merges":
        return i18n.t("feedback.part.clause", lang, sql="DISTINCT")
    if key == "order_by":
        return i18n.t("feedback.part.clause", lang, sql=f"ORDER BY {params['order']}")
    return ""


#: what to look at next, by the first note's kind (a question for the learner, never the fix)
_NEXT = {"boundary_out": "next.boundary", "boundary_in": "next.boundary", "null_equals": "next.null",
         "null_missing": "next.null", "null_missing_compared": "next.null", "null_extra": "next.null",
         "null_extra_compared": "next.null", "distinct_merges": "next.duplicates", "repeats": "next.duplicates",
         "repeats_some": "next.duplicates", "fewer_copies": "next.duplicates", "no_order_by": "next.order",
         "order_by": "next.order", "limit": "next.limit", "columns": "next.columns",
         "column_count": "next.columns", "value": "next.value"}


def next_step(verdict: Any, student_sql: str, lang: str) -> str:
    """What the learner should look at next, as a question (``""`` when the diff says nothing)."""
    notes = _notes(verdict, student_sql)
    diff = getattr(verdict, "diff", None)
    if notes:
        key, params = _NEXT[notes[0][0]], notes[0][1]
    elif diff is not None and diff.kind != "error" and (diff.missing_rows or diff.extra_rows):
        key, params = ("next.missing" if diff.missing_rows else "next.extra"), {}
    else:
        return ""
    return i18n.t(f"feedback.cause.{key}", lang, **params)
