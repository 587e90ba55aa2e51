"""The side-by-side diff in the exercise card after Check, driven as a student would (no browser)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from near_miss import near_miss
from sqllab import sandbox
from sqllab.notebook import widgets
from sqllab.grading import grade
from sqllab.notebook.lesson import Lesson
from sqllab.notebook.progress import ProgressStore
from sqllab.grading.resultdiff import from_verdict, side_by_side


def make_lesson(tmp_path: Path, lang: str) -> Lesson:
    return Lesson("02_where", lang=lang, seed=0, student_id="amy", n_exercises=3, llm="offline",
                  progress=ProgressStore(tmp_path / "progress.db"), work_dir=tmp_path / "work")


def rows_of(fragment: str, side: str) -> list[str]:
    """The data-sqllab markers of one table's rows (diff-expected or diff-got)."""
    table = re.search(rf'<table[^>]*data-sqllab="diff-{side}".*?</table>', fragment, re.S)
    assert table, f"no {side} table"
    return re.findall(r'<tr class="sqllab-row-\w+" data-sqllab="(row-\w+)"', table.group(0))


@pytest.mark.parametrize("lang,labels", [("en", ("missing", "extra", "changed")),
                                         ("ja", ("不足", "余分", "違い"))])
def test_a_wrong_answer_shows_expected_and_your_result_side_by_side(tmp_path: Path, lang: str,
                                                                    labels: tuple[str, str, str]) -> None:
    lesson = make_lesson(tmp_path, lang)
    card = widgets.exercises(lesson).cards[0]
    ref = sandbox.run_query(lesson.db_path, card.exercise.reference_sql)
    sql, changed, missing, extra = near_miss(ref.columns, ref.rows)
    card.editor.value = sql
    card.check_button.click()

    assert 'data-sqllab="verdict-wrong_result"' in card.verdict.value
    diff = card.diff.value
    assert rows_of(diff, "expected")[:2] == ["row-changed", "row-missing"]
    assert rows_of(diff, "got")[:2] == ["row-changed", "row-extra"]
    assert all(label in diff for label in labels)            # the kind of each row in words
    assert 'class="sqllab-cell-changed"' in diff             # the one changed cell is marked
    assert diff.count('class="sqllab-cell-changed"') == 2    # ... on both sides, and only it
    assert "&lt;b&gt;zz&amp;&lt;/b&gt;" in diff and "<b>zz" not in diff   # values are text, escaped
    assert str(missing[0]) in diff and str(changed[-1]) in diff
    assert card.exercise.reference_sql not in diff + card.verdict.value
    assert "| ---" not in card.verdict.value and "|---|" not in card.verdict.value  # no Markdown tables twice

    card.editor.value = card.exercise.reference_sql
    card.check_button.click()
    assert 'data-sqllab="verdict-correct"' in card.verdict.value
    assert card.diff.value == ""                             # a right answer has nothing to compare


def test_verdict_and_feedback_are_live_regions(tmp_path: Path) -> None:
    card = widgets.exercises(make_lesson(tmp_path, "en")).cards[0]
    assert "sqllab-live" in card.verdict._dom_classes and "sqllab-live" in card.feedback._dom_classes
    assert any(isinstance(c, widgets.LiveRegions) for c in card.children)
    assert 'setAttribute("role", "status")' in widgets.LiveRegions._esm
    assert 'setAttribute("aria-live", "polite")' in widgets.LiveRegions._esm


def test_values_are_escaped_and_nulls_shown() -> None:
    view = side_by_side(["id", "note"], [(1, "<script>alert(1)</script>"), (2, None)],
                        ["id", "note"], [(1, "<img src=x onerror=alert(1)>"), (2, None)])
    out = widgets.diff_html(view, "en")
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "<i>NULL</i>" in out
    assert rows_of(out, "expected") == ["row-changed", "row-same"]


def test_a_hidden_database_is_named_and_its_rows_shown(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL);"
                       "INSERT INTO items VALUES (1,'pen',120),(2,'ink',700),(3,'cup',950),(4,'mug',300);")
    conn.commit()
    conn.close()
    verdict = grade(db, "SELECT name FROM items WHERE price >= 600", "SELECT name FROM items WHERE price > 600",
                    lang="ja")
    view = from_verdict(verdict)
    assert view is not None and view.variant != "visible"
    out = widgets.diff_html(view, "ja", verdict.diff.counterexample.inputs)
    assert "隠しテスト用データベース" in out and 'data-variant="visible"' not in out
    assert "テーブル items の行" in out                      # the hidden rows where the results differ
    assert "price >= 600" not in out and "SELECT" not in out
