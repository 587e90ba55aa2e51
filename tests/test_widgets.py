"""Widgets driven as a student would, by clicking their buttons (no browser needed)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sqllab import settings
from sqllab.notebook import widgets
from sqllab.notebook.lesson import Lesson
from sqllab.notebook.progress import ProgressStore


@pytest.fixture
def lesson(tmp_path: Path) -> Lesson:
    return Lesson("02_where", lang="en", seed=11, student_id="amy", n_exercises=3, llm="offline",
                  progress=ProgressStore(tmp_path / "progress.db"), work_dir=tmp_path / "work")


def _attempts(tmp_path: Path) -> list:
    return ProgressStore(tmp_path / "progress.db").attempts(student="amy", lesson="02_where")


def test_check_a_correct_answer_records_it(lesson: Lesson, tmp_path: Path) -> None:
    view = widgets.exercises(lesson)
    card = view.cards[0]
    card.editor.value = card.exercise.reference_sql
    card.check_button.click()
    assert 'data-sqllab="verdict-correct"' in card.verdict.value
    assert card.solved and card.attempts == 1
    assert "Attempts: 1" in card.attempts_label.value
    [attempt] = _attempts(tmp_path)
    assert attempt.correct and attempt.status == "correct" and attempt.exercise == str(card.exercise.id)
    assert view.progress.bar.value == 1 and "1/3" in view.progress.label.value


def test_check_a_wrong_answer(lesson: Lesson, tmp_path: Path) -> None:
    card = widgets.exercises(lesson).cards[1]
    card.editor.value = "SELECT 1 AS x"
    card.check_button.click()
    assert 'data-sqllab="verdict-wrong_result"' in card.verdict.value
    assert not card.solved
    [attempt] = _attempts(tmp_path)
    assert not attempt.correct and attempt.sql == "SELECT 1 AS x"


def test_syntax_error_is_a_friendly_message(lesson: Lesson, tmp_path: Path) -> None:
    card = widgets.exercises(lesson).cards[0]
    card.editor.value = "SELEC * FORM nowhere"
    card.check_button.click()  # must not raise
    assert 'data-sqllab="verdict-error"' in card.verdict.value
    assert "Traceback" not in card.verdict.value
    card.run_button.click()
    assert 'data-sqllab="msg-bad"' in card.result.value
    assert [a.status for a in _attempts(tmp_path)] == ["error"]


def test_run_shows_a_preview_table(lesson: Lesson) -> None:
    card = widgets.exercises(lesson).cards[0]
    card.editor.value = card.exercise.reference_sql
    card.run_button.click()
    assert 'data-sqllab="result"' in card.result.value and "<table" in card.result.value
    card.editor.value = "   "
    card.run_button.click()
    assert "Write a query first" in card.result.value


def test_errors_speak_the_student_language(tmp_path: Path) -> None:
    lesson = Lesson("01_select", lang="ja", seed=2, llm="offline", work_dir=tmp_path / "w",
                    progress=ProgressStore(tmp_path / "p.db"))
    card = widgets.exercises(lesson).cards[0]
    assert card.check_button.description == "採点"
    card.editor.value = "DELETE FROM x"
    card.run_button.click()
    assert 'data-sqllab="msg-bad"' in card.result.value
    assert any("\u3040" <= ch <= "\u30ff" for ch in card.result.value)  # kana: a Japanese message


def test_hint_cycles_through_levels(lesson: Lesson) -> None:
    card = widgets.exercises(lesson).cards[0]
    n = len(card.exercise.hints)
    seen = []
    for _ in range(n + 1):
        card.hint_button.click()
        seen.append(card.hint_level)
    assert seen == [*range(1, n + 1), 1]
    assert f"Hint 1/{n}" in card.hint.value


def test_restart_restores_the_card(lesson: Lesson, tmp_path: Path) -> None:
    card = widgets.exercises(lesson).cards[0]
    card.editor.value = card.exercise.reference_sql
    card.check_button.click()
    again = Lesson("02_where", lang="en", seed=11, student_id="amy", n_exercises=3, llm="offline",
                   progress=ProgressStore(tmp_path / "progress.db"), work_dir=tmp_path / "work")
    view = widgets.exercises(again)
    restored = view.cards[0]
    assert restored.solved and restored.attempts == 1
    assert restored.editor.value == card.exercise.reference_sql
    assert "Restored" in restored.verdict.value and "1 of 3" in view.resume.value


def test_dataset_panel_shows_tables_er_and_regenerates(lesson: Lesson) -> None:
    panel = widgets.dataset_panel(lesson)
    view = widgets.exercises(lesson)
    assert 'data-sqllab="dataset-source-muted"' in panel.badge.value  # bank
    assert "<table" in panel.previews.value
    [er] = panel.er.outputs
    assert er["data"]["text/markdown"].startswith("```mermaid")
    old_db, old_ids = lesson.db_path, [c.exercise.id for c in view.cards]
    other = next(v for _label, v in panel.theme.options if v != lesson.theme)
    panel.theme.value = other
    panel.difficulty.value = "medium"
    panel.generate_button.click()
    panel.wait(120)
    assert lesson.theme == other and lesson.difficulty == "medium" and lesson.db_path != old_db
    assert panel.working.layout.visibility == "hidden" and not panel.generate_button.disabled
    assert [c.exercise.id for c in view.cards] != old_ids  # cards rebuilt for the new content
    assert f"DatasetPanel(lesson='02_where'" in repr(panel)


def test_save_failure_shows_a_message_and_keeps_the_verdict(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    lesson = Lesson("01_select", lang="en", llm="offline", work_dir=tmp_path / "w",
                    progress=ProgressStore(blocker / "p.db", lang="en"))
    card = widgets.exercises(lesson).cards[0]
    card.editor.value = card.exercise.reference_sql
    card.check_button.click()
    assert 'data-sqllab="verdict-correct"' in card.verdict.value
    assert "could not be saved" in card.verdict.value


def test_llm_badge_offline_and_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    badge = widgets.LLMStatusBadge("en", "offline")
    assert "Offline mode" in badge.html.value and "mode='offline'" in repr(badge)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("LLM_API_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("LLM_MAX_RETRIES", "1")
    monkeypatch.setenv("LLM_TIMEOUT", "2")
    settings.reload()
    down = widgets.LLMStatusBadge("ja", "remote", background=False)
    assert down.health["status"] == "unhealthy"
    assert 'data-sqllab="badge-bad"' in down.html.value and "sqllab llm serve" in down.html.value


def test_feedback_streams_after_the_verdict_even_when_the_llm_is_down(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("LLM_API_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("LLM_MAX_RETRIES", "1")
    monkeypatch.setenv("LLM_TIMEOUT", "2")
    settings.reload()
    lesson = Lesson("01_select", lang="en", seed=4, llm="remote", work_dir=tmp_path / "w",
                    progress=ProgressStore(tmp_path / "p.db"))
    card = widgets.exercises(lesson).cards[0]
    card.editor.value = "SELECT 1 AS x"
    card.check_button.click()
    assert 'data-sqllab="verdict-wrong_result"' in card.verdict.value  # shown before any feedback
    card.wait(120)
    streamed = "".join(o.get("text", "") for o in card.feedback.outputs)
    assert streamed.strip()  # a notice and the bank hint instead of LLM text; no traceback
    assert "Traceback" not in streamed
