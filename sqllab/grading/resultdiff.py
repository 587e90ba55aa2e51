"""Expected vs the student's result, side by side: which rows are missing, extra or changed.

Pure Python (no widgets): ``side_by_side`` lines up two small results the way the grader
compares them (``sqllab.grading.compare``: rows as multisets unless order matters, NULL equals NULL,
floats with a tolerance, column names ignored) and marks every row:

- ``same``: the row is in both results (at the same place when order matters);
- ``missing``: expected, but not in the student's result;
- ``extra``: in the student's result, not expected;
- ``changed``: a row of one side paired with a row of the other that agrees on most cells;
  ``changed_cells`` holds the positions of the cells that differ.

Changed pairs come first and at the same index on both sides, then missing/extra rows, then
rows that agree; each side is capped at ``max_rows`` (``more`` counts what was left out) and
long text is shortened. ``from_verdict`` builds it from a ``Verdict``'s counterexample (the
visible database or the hidden variant where the answers differ); the reference query is
never part of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

from .compare import _close, canon, canon_row

RowStatus = Literal["same", "missing", "extra", "changed"]
MAX_ROWS = 8          # rows per side
MAX_CELL_CHARS = 60   # longer text is cut with "…"


@dataclass(frozen=True)
class DiffRow:
    """One row of one side, with what it is and, when changed, which cells differ."""

    status: RowStatus
    values: tuple
    changed_cells: tuple[int, ...] = ()


@dataclass
class Side:
    """One table: its columns, the rows shown, how many more there are."""

    columns: list[str]
    rows: list[DiffRow] = field(default_factory=list)
    total: int = 0          # rows this side has in the counterexample (or the whole result)
    more: int = 0           # rows that differ but are not shown (cap, or not in the sample)

    def count(self, status: RowStatus) -> int:
        return sum(1 for r in self.rows if r.status == status)


@dataclass
class SideBySide:
    expected: Side
    got: Side
    ordered: bool = False
    columns_differ: bool = False
    variant: str = "visible"          # "visible" or the kind of hidden database
    kind: str = ""                    # the grader's main kind of difference
    table: str | None = None          # INSERT/UPDATE/DELETE: the table whose rows differ

    @property
    def differs(self) -> bool:
        return self.columns_differ or any(r.status != "same" for r in self.expected.rows + self.got.rows) \
            or bool(self.expected.more or self.got.more)


def _short(value: Any, limit: int = MAX_CELL_CHARS) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return f"x'{data[:16].hex()}{'…' if len(data) > 16 else ''}'"
    if isinstance(value, str) and len(value) > limit:
        return value[:limit - 1] + "…"
    return value


def _equal(a: Any, b: Any) -> bool:
    """Cells equal as the grader sees them (NULL = NULL, 3 = 3.0, floats with a tolerance)."""
    if a is None or b is None:
        return a is None and b is None
    return canon(a) == canon(b) or _close((a,), (b,))


def _changed_cells(a: Sequence[Any], b: Sequence[Any]) -> tuple[int, ...]:
    return tuple(i for i, (x, y) in enumerate(zip(a, b)) if not _equal(x, y))


def _pairs(missing: list[tuple], extra: list[tuple]) -> list[tuple[int, int]]:
    """Pair missing and extra rows that agree on at least half of their cells (at least one),
    best matches first, the first column (often a key) breaking ties."""
    scored = []
    for i, a in enumerate(missing):
        for j, b in enumerate(extra):
            n = len(a)
            same = n - len(_changed_cells(a, b))
            if same >= max(1, (n + 1) // 2) and same < n:
                scored.append((-same, not _equal(a[0], b[0]), i, j))
    scored.sort()
    used_i: set[int] = set()
    used_j: set[int] = set()
    out = []
    for _, _, i, j in scored:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            out.append((i, j))
    return sorted(out)


def side_by_side(expected_columns: Sequence[str], expected_rows: Sequence[Sequence[Any]],
                 got_columns: Sequence[str], got_rows: Sequence[Sequence[Any]], *,
                 ordered: bool = False, max_rows: int = MAX_ROWS) -> SideBySide:
    """Mark each row of both results as same, missing, extra or changed (see the module doc).

    ``ordered``: rows are compared place by place (the reference orders its rows and the
    student's rows are the right ones in another order); otherwise as multisets.
    """
    exp_rows = [tuple(r) for r in expected_rows]
    got_rows_ = [tuple(r) for r in got_rows]
    expected = Side(list(expected_columns), total=len(exp_rows))
    got = Side(list(got_columns), total=len(got_rows_))
    out = SideBySide(expected, got, ordered=ordered)
    if len(expected_columns) != len(got_columns):
        out.columns_differ = True
        exp_marked = [DiffRow("same", r) for r in exp_rows]
        got_marked = [DiffRow("same", r) for r in got_rows_]
    elif ordered:
        exp_marked, got_marked = [], []
        for i in range(max(len(exp_rows), len(got_rows_))):
            a = exp_rows[i] if i < len(exp_rows) else None
            b = got_rows_[i] if i < len(got_rows_) else None
            if a is not None and b is not None:
                cells = _changed_cells(a, b)
                status: RowStatus = "changed" if cells else "same"
                exp_marked.append(DiffRow(status, a, cells))
                got_marked.append(DiffRow(status, b, cells))
            elif a is not None:
                exp_marked.append(DiffRow("missing", a))
            else:
                got_marked.append(DiffRow("extra", b))
    else:
        exp_marked, got_marked = _unordered(exp_rows, got_rows_)
    expected.rows, expected.more = _cap(exp_marked, max_rows)
    got.rows, got.more = _cap(got_marked, max_rows)
    return out


def _unordered(exp_rows: list[tuple], got_rows: list[tuple]) -> tuple[list[DiffRow], list[DiffRow]]:
    left = list(range(len(got_rows)))
    same_exp: list[int] = []
    same_got: list[int] = []
    missing: list[int] = []
    for i, row in enumerate(exp_rows):
        key = canon_row(row)
        j = next((j for j in left if canon_row(got_rows[j]) == key or
                  (len(got_rows[j]) == len(row) and not _changed_cells(row, got_rows[j]))), None)
        if j is None:
            missing.append(i)
        else:
            left.remove(j)
            same_exp.append(i)
            same_got.append(j)
    pairs = _pairs([exp_rows[i] for i in missing], [got_rows[j] for j in left])
    paired_i = {missing[a] for a, _ in pairs}
    paired_j = {left[b] for _, b in pairs}
    exp_marked: list[DiffRow] = []
    got_marked: list[DiffRow] = []
    for a, b in pairs:
        i, j = missing[a], left[b]
        cells = _changed_cells(exp_rows[i], got_rows[j])
        exp_marked.append(DiffRow("changed", exp_rows[i], cells))
        got_marked.append(DiffRow("changed", got_rows[j], cells))
    exp_marked += [DiffRow("missing", exp_rows[i]) for i in missing if i not in paired_i]
    got_marked += [DiffRow("extra", got_rows[j]) for j in left if j not in paired_j]
    exp_marked += [DiffRow("same", exp_rows[i]) for i in same_exp]
    got_marked += [DiffRow("same", got_rows[j]) for j in same_got]
    return exp_marked, got_marked


def _cap(rows: list[DiffRow], most: int) -> tuple[list[DiffRow], int]:
    """At most ``most`` rows, with printable (shortened) values; how many differing rows were cut."""
    shown = [DiffRow(r.status, tuple(_short(v) for v in r.values), r.changed_cells) for r in rows[:most]]
    return shown, sum(1 for r in rows[most:] if r.status != "same")


def from_verdict(verdict: Any, *, max_rows: int = MAX_ROWS) -> SideBySide | None:
    """The side-by-side view of a wrong answer's counterexample, or ``None`` when there is
    nothing to show (a right answer, an error, no counterexample)."""
    diff = getattr(verdict, "diff", None)
    if verdict is None or getattr(verdict, "correct", False) or diff is None or diff.kind == "error":
        return None
    example = diff.counterexample
    if example is None:
        return None
    ordered = diff.kind == "ordering"
    out = side_by_side(example.expected.columns, example.expected.rows, example.got.columns,
                       example.got.rows, ordered=ordered, max_rows=max_rows)
    if diff.kind in ("ordering", "column_count"):       # the first rows of each result
        out.expected.total, out.got.total = diff.expected_rows, diff.got_rows
    else:                                               # only the rows that differ
        out.expected.more += max(0, diff.missing_rows - len(example.expected.rows))
        out.got.more += max(0, diff.extra_rows - len(example.got.rows))
    out.variant, out.kind, out.table = diff.variant, diff.kind, diff.table
    return out
