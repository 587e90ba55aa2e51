"""Compare two query results the way DESIGN.md's "What correct means" asks.

Rows compare as multisets; order matters only when the reference has a top-level ORDER BY,
and rows tying on its keys may come in any order (with LIMIT, any of the tied rows at the cut
will do). Column names are ignored, column count and order are not. NULL equals NULL, floats
compare with a tolerance (rel 1e-9, abs 1e-6), text is case-sensitive.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from .neighbours import DIALECT, parse

KEY_PREFIX = "__sqllab_k"
REL_TOL = 1e-9
ABS_TOL = 1e-6


# --- values ------------------------------------------------------------------------------

def canon(value: Any) -> Any:
    """A hashable value equal for values the grader treats as equal (3 == 3.0, floats rounded)."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return value
        r = round(value, 6) if abs(value) < 1e6 else float(f"{value:.10g}")
        return int(r) if r.is_integer() and abs(r) < 2**53 else r
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def canon_row(row: tuple) -> tuple:
    return tuple(canon(v) for v in row)


def _sort_key(row: tuple) -> tuple:
    return tuple((0, 0) if v is None else (1, v) if isinstance(v, (int, float)) else
                 (2, v) if isinstance(v, str) else (3, bytes(v)) for v in row)


def _close(a: tuple, b: tuple) -> bool:
    for x, y in zip(a, b):
        if isinstance(x, (int, float)) and isinstance(y, (int, float)) and not isinstance(x, bool):
            if not math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL):
                return False
        elif x != y:
            return False
    return len(a) == len(b)


def same_multiset(expected: list[tuple], got: list[tuple]) -> bool:
    """Multiset equality with float tolerance."""
    if len(expected) != len(got):
        return False
    a, b = Counter(map(canon_row, expected)), Counter(map(canon_row, got))
    if a == b:
        return True
    if not any(isinstance(v, float) for row in expected + got for v in row):
        return False
    sa = sorted(a.elements(), key=_sort_key)
    sb = sorted(b.elements(), key=_sort_key)
    return all(_close(x, y) for x, y in zip(sa, sb))


# --- ordering ----------------------------------------------------------------------------

@dataclass
class OrderSpec:
    """How to find the ORDER BY keys of a reference's rows.

    ``positions``/``names`` point at output columns; ``extra`` key columns were appended to
    ``key_sql`` (the reference with its keys as last columns); ``strict`` means the keys could
    not be found, so whole rows act as keys. ``full_sql`` is ``key_sql`` without LIMIT/OFFSET.
    """

    key_sql: str
    positions: list[int | str] = field(default_factory=list)
    extra: int = 0
    strict: bool = False
    has_limit: bool = False
    has_offset: bool = False
    full_sql: str | None = None


def order_spec(reference_sql: str) -> OrderSpec | None:
    """The reference's top-level ORDER BY, or ``None`` when its rows form a multiset."""
    tree = parse(reference_sql)
    if tree is None:
        return _order_spec_from_tokens(reference_sql)
    order = tree.args.get("order")
    if not isinstance(tree, (exp.Select, exp.SetOperation)) or not order:
        return None
    limit, offset = tree.args.get("limit"), tree.args.get("offset")
    outputs = tree.expressions if isinstance(tree, exp.Select) else []
    spec = OrderSpec(key_sql=reference_sql, has_limit=bool(limit), has_offset=bool(offset))
    missing: list[exp.Expression] = []
    for ordered in order.expressions:
        key = ordered.this
        pos = _resolve(key, outputs)
        if pos is None:
            missing.append(key)
            spec.positions.append(-1)
        else:
            spec.positions.append(pos)
    augmented = tree.copy()
    if missing:
        if not isinstance(tree, exp.Select) or tree.args.get("distinct"):
            spec.strict = True
            spec.positions = []
        else:
            for i, key in enumerate(missing):
                augmented.select(exp.alias_(key.copy(), f"{KEY_PREFIX}{i}"), copy=False)
            spec.extra = len(missing)
            spec.key_sql = augmented.sql(dialect=DIALECT)
            it = iter(range(len(missing)))
            spec.positions = [p if p != -1 else ("extra", next(it)) for p in spec.positions]  # type: ignore[misc]
    if spec.has_limit or spec.has_offset:
        full = augmented.copy()
        full.set("limit", None)
        full.set("offset", None)
        spec.full_sql = full.sql(dialect=DIALECT)
    return spec


def _resolve(key: exp.Expression, outputs: list[exp.Expression]) -> int | str | None:
    if not outputs and isinstance(key, exp.Column):
        return key.name              # compound SELECT: its ORDER BY names an output column
    if isinstance(key, exp.Literal) and not key.is_string:
        try:
            return int(key.this) - 1
        except ValueError:
            return None
    if isinstance(key, exp.Column) and not key.table:
        for i, out in enumerate(outputs):
            if isinstance(out, exp.Alias) and out.alias.lower() == key.name.lower():
                return i
    text = key.sql(dialect=DIALECT).lower()
    for i, out in enumerate(outputs):
        inner = out.this if isinstance(out, exp.Alias) else out
        if inner.sql(dialect=DIALECT).lower() == text:
            return i
    if isinstance(key, exp.Column):
        hits = [i for i, out in enumerate(outputs)
                if isinstance(out.this if isinstance(out, exp.Alias) else out, exp.Column)
                and (out.this if isinstance(out, exp.Alias) else out).name.lower() == key.name.lower()
                and not isinstance(out, exp.Alias)]
        if len(hits) == 1:
            return hits[0]
        if any(isinstance(o, exp.Star) or (isinstance(o, exp.Column) and isinstance(o.this, exp.Star))
               for o in outputs):
            return key.name          # SELECT * ... ORDER BY col: found by name at run time
    return None


def _order_spec_from_tokens(sql: str) -> OrderSpec | None:
    """Fallback when sqlglot cannot parse: ORDER BY at parenthesis depth 0 means strict order."""
    from ..sandbox import _tokens

    depth = 0
    tokens = _tokens(sql) or []
    for tok in tokens:
        text = tok.text.upper()
        depth += text == "("
        depth -= text == ")"
        if depth == 0 and text in ("ORDER", "ORDER BY"):
            return OrderSpec(key_sql=sql, strict=True)
    return None


@dataclass
class Expected:
    """The reference's rows (without appended key columns) and each row's ordering key."""

    columns: list[str]
    rows: list[tuple]
    keys: list[tuple] | None = None          # None: unordered
    full_groups: dict[tuple, Counter] | None = None   # key -> all rows with it, ignoring LIMIT


def make_expected(columns: list[str], rows: list[tuple], spec: OrderSpec | None,
                  full_rows: list[tuple] | None = None) -> Expected:
    if spec is None:
        return Expected(columns, rows)
    n = len(columns) - spec.extra
    getters = _key_getters(spec, columns[:n], n)
    plain = [r[:n] for r in rows]
    keys = [tuple(canon(g(r)) for g in getters) for r in rows]
    groups = None
    if full_rows is not None:
        groups = {}
        for r in full_rows:
            k = tuple(canon(g(r)) for g in getters)
            groups.setdefault(k, Counter())[canon_row(r[:n])] += 1
    return Expected(columns[:n], plain, keys, groups)


def _key_getters(spec: OrderSpec, columns: list[str], n: int) -> list:
    if spec.strict:
        return [lambda r, i=i: r[i] for i in range(n)]
    getters = []
    for p in spec.positions:
        if isinstance(p, tuple):
            getters.append(lambda r, i=n + p[1]: r[i])
        elif isinstance(p, int) and 0 <= p < n:
            getters.append(lambda r, i=p: r[i])
        elif isinstance(p, str):
            hits = [i for i, c in enumerate(columns) if c.lower() == p.lower()]
            if len(hits) != 1:
                return [lambda r, i=i: r[i] for i in range(n)]
            getters.append(lambda r, i=hits[0]: r[i])
        else:
            return [lambda r, i=i: r[i] for i in range(n)]
    return getters


# --- the comparison ----------------------------------------------------------------------

@dataclass
class Difference:
    """What differs between the expected result and the student's (``None`` from compare = equal)."""

    kind: str
    kinds: list[str]
    expected_rows: int
    got_rows: int
    expected_columns: int
    got_columns: int
    missing: list[tuple] = field(default_factory=list)
    extra: list[tuple] = field(default_factory=list)


def compare(expected: Expected, got_columns: list[str], got_rows: list[tuple]) -> Difference | None:
    """``None`` when the student's result counts as the expected one, else what differs."""
    ne, ng = len(expected.columns), len(got_columns)
    base = dict(expected_rows=len(expected.rows), got_rows=len(got_rows), expected_columns=ne, got_columns=ng)
    if ne != ng:
        return Difference("column_count", ["column_count"], **base)
    if expected.keys is not None and _ordered_ok(expected, got_rows):
        return None
    if expected.keys is None and same_multiset(expected.rows, got_rows):
        return None
    if expected.keys is not None and same_multiset(expected.rows, got_rows):
        return Difference("ordering", ["ordering"], **base)
    exp_c = Counter(map(canon_row, expected.rows))
    got_c = Counter(map(canon_row, got_rows))
    missing = list((exp_c - got_c).elements())
    extra = list((got_c - exp_c).elements())
    kinds: list[str] = []
    if ne > 1 and _permuted(expected.rows, got_rows, ne):
        return Difference("column_order", ["column_order"], **base, missing=missing, extra=extra)
    if set(exp_c) == set(got_c):
        kinds.append("duplicates")
    pairs = _pairs(missing, extra, ne)
    if any((a is None) != (b is None) for m, x in pairs for a, b in zip(m, x) if a != b):
        kinds.append("null_handling")
    if missing and extra and len(pairs) == len(missing) == len(extra):
        kinds.append("value")
    else:
        if missing:
            kinds.append("missing_rows")
        if extra:
            kinds.append("extra_rows")
    if len(expected.rows) != len(got_rows):
        kinds.append("row_count")
    return Difference(kinds[0] if kinds else "value", kinds or ["value"], **base, missing=missing, extra=extra)


def _ordered_ok(expected: Expected, got: list[tuple]) -> bool:
    if len(got) != len(expected.rows):
        return False
    keys = expected.keys or []
    i, n = 0, len(keys)
    while i < n:
        j = i
        while j < n and keys[j] == keys[i]:
            j += 1
        want = Counter(map(canon_row, expected.rows[i:j]))
        have = Counter(map(canon_row, got[i:j]))
        cut = expected.full_groups is not None and (j == n or i == 0)
        if cut:
            allowed = expected.full_groups.get(keys[i], want)
            if have - allowed:
                if not same_multiset(expected.rows[i:j], got[i:j]):
                    return False
        elif have != want and not same_multiset(expected.rows[i:j], got[i:j]):
            return False
        i = j
    return True


def _pairs(missing: list[tuple], extra: list[tuple], n: int) -> list[tuple[tuple, tuple]]:
    """Missing rows matched to extra rows that are the *same* rows with some values changed: they
    agree on at least half of the columns (and on one at least). Rows that share nothing are other
    rows, not a wrong value: a reversed sort under LIMIT gives other rows."""
    if n < 2:
        return []
    need = max(1, (n + 1) // 2)
    left = list(extra)
    out = []
    for m in missing:
        best = max(left, key=lambda x: sum(a == b for a, b in zip(m, x)), default=None)
        if best is None or sum(a == b for a, b in zip(m, best)) < need:
            continue
        left.remove(best)
        out.append((m, best))
    return out


def _permuted(expected: list[tuple], got: list[tuple], n: int) -> bool:
    """True when some other column order of ``got`` gives the expected rows."""
    if len(expected) != len(got):
        return False
    exp_cols = [Counter(canon(r[i]) for r in expected) for i in range(n)]
    got_cols = [Counter(canon(r[i]) for r in got) for i in range(n)]
    perm: list[int] = []
    used: set[int] = set()
    for i in range(n):
        match = next((j for j in range(n) if j not in used and got_cols[j] == exp_cols[i] and j == i), None)
        if match is None:
            match = next((j for j in range(n) if j not in used and got_cols[j] == exp_cols[i]), None)
        if match is None:
            return False
        perm.append(match)
        used.add(match)
    if perm == list(range(n)):
        return False
    return same_multiset(expected, [tuple(r[j] for j in perm) for r in got])
