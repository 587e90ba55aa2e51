"""A wrong answer that differs from the expected rows in every way the diff view shows.

``near_miss(columns, rows)`` writes a literal query (``SELECT … UNION ALL SELECT …``) whose rows
are the expected ones with one cell changed in the first row (a *changed* row), the second row
left out (a *missing* row) and one row added that shares nothing with any (an *extra* row).
The test computes the expected rows itself from the reference it knows; the page never gives them.
"""

from __future__ import annotations

from typing import Any, Sequence


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def near_miss(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[str, tuple, tuple, tuple]:
    """(sql, changed row as the student gives it, missing row, extra row); needs ≥ 2 columns and ≥ 2 rows."""
    assert len(columns) >= 2 and len(rows) >= 2, "a near miss needs two columns and two rows"
    first = list(rows[0])
    last = first[-1]
    first[-1] = last + 1000 if isinstance(last, (int, float)) else f"{last}?"
    extra = tuple("<b>zz&</b>" if not isinstance(v, (int, float)) else 987654 for v in rows[0])
    kept = [tuple(first)] + [tuple(r) for r in rows[2:]] + [extra]
    selects = [", ".join(f'{literal(v)} AS "c{i}"' for i, v in enumerate(row)) for row in kept]
    sql = "\nUNION ALL ".join(f"SELECT {s}" for s in selects)
    return sql, tuple(first), tuple(rows[1]), extra
