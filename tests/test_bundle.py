"""Content travels with the notebook: ``<lesson>.sqllab.json`` beside it (``sqllab.content.bundle``).

The practice build writes each student's content beside the notebook; a student who opens the
notebook with another ``SQLLAB_CACHE_DIR`` (another machine) gets exactly that content, not content
generated anew there.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from sqllab import settings
from sqllab.content.bundle import bundle_path, read_bundle, write_bundle, lesson_params
from sqllab.course.build import Student, build_course, personal_seed
from sqllab.errors import ConfigError
from sqllab.content.exercises import bank_exercises
from sqllab.notebook.lesson import Content, Lesson
from sqllab.content.offline import generate_offline_dataset

ROOT = Path(__file__).resolve().parents[1]
CLOSED_URL = "http://127.0.0.1:9/v1"     # nothing listens: an LLM call fails at once


def _other_content(seed: int) -> Content:
    """Content a lesson would not make by itself for theme "shop": the library theme's data,
    marked as the LLM's (as if an LLM had written it on the instructor's machine)."""
    dataset = generate_offline_dataset("library", lang="en", seed=seed)
    exercises = bank_exercises(dataset, "where", n=3, lang="en", seed=seed, difficulty="easy")
    return Content(dataset, exercises, "shop", "easy", "llm")


def test_a_lesson_loads_matching_content_beside_it_and_ignores_other_parameters(tmp_path: Path) -> None:
    made = Lesson("02_where", lang="en", seed=3, student_id="s1", llm="offline", work_dir=tmp_path / "w1")
    other = _other_content(3)
    write_bundle(bundle_path(tmp_path / "nb", "02_where"), "02_where", lesson_params(made), other)
    again = Lesson("02_where", lang="en", seed=3, student_id="s1", llm="offline", work_dir=tmp_path / "w2",
                   content_dir=tmp_path / "nb")
    assert again.dataset.title == other.dataset.title != made.dataset.title
    assert [e.question for e in again.exercises] == [e.question for e in other.exercises]
    assert again.db_path.name.startswith("lesson-shipped-")
    assert again.check(again.exercises[0], again.exercises[0].reference_sql).verdict.correct
    # other parameters (a seed, a theme picked in the panel) are not this file's content
    seed4 = Lesson("02_where", lang="en", seed=4, student_id="s1", llm="offline", work_dir=tmp_path / "w3",
                   content_dir=tmp_path / "nb")
    assert seed4.dataset.title != other.dataset.title
    again.prepare(theme="school")
    assert again.dataset.theme == "school"


def test_a_damaged_content_file_is_said_and_skipped(tmp_path: Path) -> None:
    path = bundle_path(tmp_path, "02_where")
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_bundle(path, lang="ja")
    assert "読み込めません" in err.value.message
    lesson = Lesson("02_where", lang="en", seed=3, llm="offline", work_dir=tmp_path / "w", content_dir=tmp_path)
    assert lesson.content is not None and lesson.content.key is None    # made as usual


@pytest.mark.slow
def test_practice_notebook_opened_with_another_cache_shows_the_built_content(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_cache: Path) -> None:
    student = "s1"
    seed = personal_seed(student)
    monkeypatch.setenv("LLM_API_URL", CLOSED_URL)
    monkeypatch.setenv("LLM_MAX_RETRIES", "1")
    monkeypatch.setenv("LLM_TIMEOUT", "2")
    settings.reload()
    # the instructor's cache holds LLM content for this student's lesson (same parameters)
    instructor = Lesson("02_where", lang="en", seed=seed, student_id=student, theme="shop", llm="remote",
                        generate=False)
    built = _other_content(seed)
    instructor._save(built, "llm")
    out = tmp_path / "build"
    report = build_course([Student(student)], [ROOT / "notebooks/en/02_where.ipynb"], out, llm="remote",
                          progress=False)
    assert report.ok, report.summary()
    shipped = read_bundle(bundle_path(out / student, "02_where"))
    assert shipped.with_reference and shipped.content.dataset.title == built.dataset.title
    assert [e.reference_sql for e in shipped.content.exercises] == [e.reference_sql for e in built.exercises]

    # the student's laptop: the handed-out folder, another cache, no LLM reachable
    laptop = tmp_path / "laptop"
    shutil.copytree(out / student, laptop)
    monkeypatch.setenv("SQLLAB_CACHE_DIR", str(tmp_path / "student-cache"))
    settings.reload()
    nb = nbformat.read(laptop / "02_where.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import json\nprint('CONTENT ' + json.dumps({'title': lesson.dataset.title, 'questions': "
        "[e.question for e in lesson.exercises], 'job': lesson.job is not None}))"))
    nbformat.write(nb, laptop / "02_where.ipynb")
    import papermill as pm

    pm.execute_notebook(str(laptop / "02_where.ipynb"), str(laptop / "02_where.ipynb"), cwd=str(laptop),
                        progress_bar=False, kernel_name="python3")
    ran = nbformat.read(laptop / "02_where.ipynb", as_version=4)
    text = "".join(o.get("text", "") for o in ran.cells[-1].outputs)
    shown = json.loads(text.split("CONTENT ", 1)[1])
    assert shown == {"title": built.dataset.title, "questions": [e.question for e in built.exercises], "job": False}
    assert not list((tmp_path / "student-cache").glob("lessons/*/02_where/content-*.json"))   # nothing generated there
