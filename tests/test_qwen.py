"""The default embedded model, Qwen2.5-Coder-1.5B-Instruct, writing real content (marked qwen).

One dataset, one exercise and one feedback per language from the real model through the shared
embedded server, with its measured capability profile. The tests assert what a student is shown
passes verification and says where it came from; never the wording. Each test uses a fresh
response cache, so every answer is a real completion (a few minutes in all on 2 cores).
"""

from __future__ import annotations

import re

from pathlib import Path

import pytest

from sqllab import i18n
from sqllab.llm.capabilities import profile_for
from sqllab.db import load_dataset
from sqllab.content.exercises import bank_exercises
from sqllab.grading.feedback import feedback, opening, reveals_solution
from sqllab.content.generation import check_exercise, dataset_problems, generate_dataset, generate_exercises
from sqllab.grading import grade
from sqllab.llm import LLMClient
from sqllab.content.offline import generate_offline_dataset

pytestmark = [pytest.mark.qwen, pytest.mark.embedded, pytest.mark.slow]

QWEN_PROFILE = "Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf"


@pytest.fixture
def qwen(qwen_llm: str) -> LLMClient:
    """A client of the shared Qwen server, reached by URL as a lesson reaches it."""
    return LLMClient(qwen_llm, "gpt-3.5-turbo", timeout=300, max_retries=1)


def test_the_served_model_gets_its_measured_profile(qwen: LLMClient) -> None:
    profile = profile_for(qwen)
    assert profile.name == QWEN_PROFILE
    assert profile.allows("dataset_text", "en") and profile.allows("problem_generation", "en")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_dataset_written_by_qwen_is_fit_for_the_lesson(qwen: LLMClient, lang: str, tmp_path: Path) -> None:
    dataset = generate_dataset("shop", lang=lang, seed=5, topics=("where",), client=qwen)
    assert dataset.source == "llm", dataset.notice               # the model's job, not the fallback
    assert dataset_problems(dataset, ("where",)) == []
    offline = generate_offline_dataset("shop", lang=lang, seed=5)
    names = {r[1] for r in dataset.table("products").rows} - {r[1] for r in offline.table("products").rows}
    assert names                                                  # some rows carry the model's names
    if lang == "ja":
        assert all(i18n.has_japanese(n) for n in names)
    load_dataset(dataset, tmp_path / "lesson.db")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_exercise_written_by_qwen_passes_verification(qwen: LLMClient, lang: str, tmp_path: Path) -> None:
    dataset = generate_offline_dataset("shop", lang=lang, seed=7)
    db = load_dataset(dataset, tmp_path / "lesson.db")
    assert profile_for(qwen).allows("problem_generation", lang)   # measured: tried, then verified
    shown = generate_exercises(dataset, "where", n=1, lang=lang, seed=7, client=qwen)
    assert len(shown) == 1
    exercise = shown[0]
    if lang == "en":                                              # 6 of 10 first answers pass, repairs more
        assert exercise.source == "llm"
    if exercise.source == "llm":                                  # ja: 4 of 10; else the bank, labelled so
        assert check_exercise(db, exercise, "where") == []        # runs, rows, topic, constants stated...
        assert exercise.id.startswith("llm-")
    else:
        assert not exercise.id.startswith("llm-")
    assert (lang == "ja") == i18n.has_japanese(exercise.question)
    assert grade(db, exercise.reference_sql, exercise.reference_sql, lang=lang).correct


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_feedback_from_qwen_is_shown_guarded_and_in_the_language(qwen: LLMClient, lang: str,
                                                                 tmp_path: Path) -> None:
    dataset = generate_offline_dataset("shop", lang=lang, seed=3)
    db = load_dataset(dataset, tmp_path / "lesson.db")
    exercise = next(e for e in bank_exercises(dataset, "where", n=6, lang=lang, seed=3)
                    if ">=" in e.reference_sql)
    wrong = exercise.reference_sql.replace(">=", ">")
    verdict = grade(db, exercise.reference_sql, wrong, lang=lang)
    assert not verdict.correct
    text = "".join(feedback(verdict, exercise, wrong, lang=lang, level=0, db=db, client=qwen))
    assert not reveals_solution(text, exercise, db) and "```" not in text
    assert (lang == "ja") == i18n.has_japanese(text)
    notices = [i18n.t(f"feedback.{k}", lang) for k in ("withheld", "unavailable", "unusable", "not_capable")]
    if profile_for(qwen).allows("feedback", lang):       # sqllab's opening, then the model's own sentence
        first = opening(verdict, lang)
        assert first and text.startswith(first) and not any(n in text for n in notices)
        assert i18n.has_japanese(text[len(first):]) if lang == "ja" else re.search(r"[A-Za-z]", text[len(first):])
        assert not any(h in text for h in exercise.hints)
    else:                                                         # a model not trusted with the language:
        assert i18n.t("feedback.not_capable", lang) in text       # the rule-based hint with its notice
        assert exercise.hints[0] in text
