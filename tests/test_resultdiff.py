"""The side-by-side diff of expected vs the student's result (``sqllab.grading.resultdiff``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sqllab.grading import grade
from sqllab.grading.resultdiff import MAX_CELL_CHARS, from_verdict, side_by_side

COLS = ["id", "name", "price"]


def statuses(side) -> list[str]:
    return [r.status for r in side.rows]


def test_same_rows_in_another_order_do_not_differ_when_unordered() -> None:
    rows = [(1, "pen", 1.5), (2, "ink", 3.0)]
    out = side_by_side(COLS, rows, COLS, list(reversed(rows)))
    assert statuses(out.expected) == statuses(out.got) == ["same", "same"]
    assert not out.differs


def test_missing_and_extra_rows() -> None:
    out = side_by_side(COLS, [(1, "pen", 1.5), (2, "ink", 3.0)], COLS, [(1, "pen", 1.5), (9, "cup", 7.0)])
    assert statuses(out.expected) == ["missing", "same"]
    assert out.expected.rows[0].values == (2, "ink", 3.0)
    assert statuses(out.got) == ["extra", "same"]
    assert out.got.rows[0].values == (9, "cup", 7.0)
    assert out.differs


def test_changed_rows_are_paired_and_their_cells_marked() -> None:
    out = side_by_side(COLS, [(1, "pen", 1.5), (2, "ink", 3.0)], COLS, [(2, "ink", 4.0), (1, "pen", 1.5)])
    assert statuses(out.expected) == ["changed", "same"] and statuses(out.got) == ["changed", "same"]
    assert out.expected.rows[0].values == (2, "ink", 3.0) and out.got.rows[0].values == (2, "ink", 4.0)
    assert out.expected.rows[0].changed_cells == out.got.rows[0].changed_cells == (2,)


def test_rows_that_share_too_little_are_missing_and_extra_not_changed() -> None:
    out = side_by_side(COLS, [(1, "pen", 1.5)], COLS, [(2, "cup", 1.5)])
    assert statuses(out.expected) == ["missing"] and statuses(out.got) == ["extra"]
    one = side_by_side(["n"], [(1,)], ["n"], [(2,)])       # one column: nothing to pair on
    assert statuses(one.expected) == ["missing"] and statuses(one.got) == ["extra"]


def test_the_best_match_is_paired_first() -> None:
    out = side_by_side(COLS, [(1, "pen", 1.5), (2, "ink", 3.0)], COLS, [(2, "ink", 9.0), (1, "pencil", 1.5)])
    pairs = {r.values[0]: r.changed_cells for r in out.expected.rows}
    assert pairs == {1: (1,), 2: (2,)}
    assert [r.values[0] for r in out.expected.rows] == [r.values[0] for r in out.got.rows]  # aligned


def test_ordered_rows_compare_place_by_place() -> None:
    exp = [(1, "pen", 1.5), (2, "ink", 3.0), (3, "cup", 2.0)]
    got = [(1, "pen", 1.5), (3, "cup", 2.0), (2, "ink", 3.0)]
    ordered = side_by_side(COLS, exp, COLS, got, ordered=True)
    assert statuses(ordered.expected) == ["same", "changed", "changed"]
    assert ordered.expected.rows[1].changed_cells == (0, 1, 2)
    assert not side_by_side(COLS, exp, COLS, got).differs       # the same rows as a multiset
    longer = side_by_side(COLS, exp[:2], COLS, exp, ordered=True)
    assert statuses(longer.got) == ["same", "same", "extra"]
    shorter = side_by_side(COLS, exp, COLS, exp[:1], ordered=True)
    assert statuses(shorter.expected) == ["same", "missing", "missing"]


def test_null_equals_null_and_null_differs_from_a_value() -> None:
    out = side_by_side(COLS, [(1, None, 2.0), (2, "ink", None)], COLS, [(1, None, 2.0), (2, "ink", 0)])
    assert statuses(out.expected) == ["changed", "same"]
    assert out.expected.rows[0].values == (2, "ink", None) and out.expected.rows[0].changed_cells == (2,)


def test_floats_compare_with_the_graders_tolerance() -> None:
    out = side_by_side(["x"], [(0.1 + 0.2,), (3,)], ["x"], [(0.3,), (3.0,)])
    assert not out.differs


def test_japanese_text() -> None:
    exp = [(1, "東京都", "りんご"), (2, "稲城市", "みかん")]
    got = [(1, "東京都", "リンゴ"), (2, "稲城市", "みかん")]
    out = side_by_side(["番号", "市", "果物"], exp, ["番号", "市", "果物"], got)
    assert out.expected.rows[0].values == (1, "東京都", "りんご") and out.expected.rows[0].changed_cells == (2,)
    assert out.got.rows[0].values == (1, "東京都", "リンゴ")
    assert out.expected.columns == ["番号", "市", "果物"]


def test_values_stay_data_markup_is_not_interpreted_here() -> None:
    out = side_by_side(["x"], [("<script>alert(1)</script>",)], ["x"], [("&amp;",)])
    assert out.expected.rows[0].values == ("<script>alert(1)</script>",)   # escaping is the renderer's job
    assert out.got.rows[0].values == ("&amp;",)


def test_size_is_capped_and_what_was_cut_is_counted() -> None:
    exp = [(i, f"n{i}", i * 1.0) for i in range(30)]
    out = side_by_side(COLS, exp, COLS, exp[:3], max_rows=5)
    assert len(out.expected.rows) == 5 and len(out.got.rows) == 3
    assert statuses(out.expected) == ["missing"] * 5          # what differs comes first
    assert out.expected.more == 27 - 5 and out.expected.total == 30
    long = side_by_side(["t"], [("x" * 500,)], ["t"], [])
    assert len(long.expected.rows[0].values[0]) == MAX_CELL_CHARS
    assert long.expected.rows[0].values[0].endswith("…")


def test_column_count_differs() -> None:
    out = side_by_side(["a", "b"], [(1, 2)], ["a"], [(1,)])
    assert out.columns_differ and out.differs
    assert statuses(out.expected) == ["same"] and statuses(out.got) == ["same"]


# --- from a real verdict -------------------------------------------------------------------

@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL);
        INSERT INTO items VALUES (1, 'pen', 120), (2, 'ink', 700), (3, 'cup', 950), (4, 'mug', 300),
                                 (5, 'bag', 820);
    """)
    conn.commit()
    conn.close()
    return path


def test_from_a_wrong_answer_on_the_visible_data(db: Path) -> None:
    verdict = grade(db, "SELECT name, price FROM items WHERE price >= 700",
                    "SELECT name, price + 1 FROM items WHERE price >= 800")
    out = from_verdict(verdict)
    assert out is not None and out.variant == "visible"
    assert {r.values for r in out.expected.rows} == {("ink", 700), ("cup", 950), ("bag", 820)}
    assert {r.status for r in out.expected.rows} == {"changed", "missing"}
    changed = [r for r in out.got.rows if r.status == "changed"]
    assert {r.values for r in changed} == {("cup", 951), ("bag", 821)}
    assert all(r.changed_cells == (1,) for r in changed)


def test_from_a_hidden_variant_that_exposes_the_answer(db: Path) -> None:
    verdict = grade(db, "SELECT name FROM items WHERE price >= 600", "SELECT name FROM items WHERE price > 600")
    assert not verdict.correct
    out = from_verdict(verdict)
    assert out is not None and out.variant != "visible"        # the visible data cannot tell them apart
    assert "missing" in statuses(out.expected) or "extra" in statuses(out.got)
    assert "SELECT" not in str(out) and ">=" not in str(out)   # rows only, never the reference


def test_nothing_to_show_for_a_right_answer_or_an_error(db: Path) -> None:
    assert from_verdict(grade(db, "SELECT name FROM items", "SELECT name FROM items")) is None
    assert from_verdict(grade(db, "SELECT name FROM items", "SELEC name FROM items")) is None


def test_from_a_modification_names_the_table_whose_rows_differ(db: Path) -> None:
    verdict = grade(db, "UPDATE items SET price = price + 10 WHERE price < 500",
                    "UPDATE items SET price = price + 10 WHERE price < 200")
    out = from_verdict(verdict)
    assert out is not None and out.table == "items"
    changed = {r.values: r.changed_cells for r in out.expected.rows if r.status == "changed"}
    assert changed == {(4, "mug", 310): (2,)}                 # the row the answer did not update
    assert [r.values for r in out.got.rows if r.status == "changed"] == [(4, "mug", 300)]
