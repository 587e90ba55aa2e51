"""``sqllab course build`` and ``sqllab grades export`` as an instructor runs them."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from sqllab.course.build import personal_seed, plan, read_roster, Student
from sqllab.errors import ConfigError
from sqllab.notebook.progress import Attempt, ProgressStore

ROOT = Path(__file__).resolve().parents[1]
SQLLAB = [sys.executable, "-m", "sqllab"]


def _roster(tmp_path: Path, ids: list[str]) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name\n" + "".join(f"{i},Name {i}\n" for i in ids), encoding="utf-8")
    return path


def test_personal_seed_is_stable_and_differs_between_students() -> None:
    assert personal_seed("alice") == personal_seed("alice")
    seeds = {personal_seed(f"s{i}") for i in range(200)}
    assert len(seeds) == 200
    # a fixed value: the seed must not depend on PYTHONHASHSEED or the machine
    out = subprocess.run([sys.executable, "-c", "from sqllab.course import personal_seed;"
                          "print(personal_seed('alice'))"], capture_output=True, text=True,
                         env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin"}, cwd=ROOT)
    assert int(out.stdout) == personal_seed("alice")


def test_roster_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nAlice\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_roster(bad)
    assert "student_id" in str(err.value) and "name" in str(err.value)
    dup = tmp_path / "dup.csv"
    dup.write_text("student_id\na\nb\na\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        read_roster(dup)
    assert [s.student_id for s in read_roster(_roster(tmp_path, ["x", "y"]))] == ["x", "y"]


def test_plan_injects_personal_parameters(tmp_path: Path) -> None:
    lesson = ROOT / "notebooks/en/01_select.ipynb"
    items = plan([Student("a"), Student("b", lang="ja")], [lesson], tmp_path, llm="offline")
    assert [i.parameters for i in items] == [
        {"student_id": "a", "seed": personal_seed("a"), "llm": "offline"},
        {"student_id": "b", "seed": personal_seed("b"), "lang": "ja", "llm": "offline"},
    ]
    assert items[1].output == tmp_path / "b" / "01_select.ipynb"


@pytest.mark.slow
def test_course_build_reports_a_broken_lesson_and_builds_the_others(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(ROOT / "notebooks/en/01_select.ipynb", lessons)
    broken = nbformat.read(ROOT / "notebooks/en/02_where.ipynb", as_version=4)
    broken.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('deliberately broken')"))
    nbformat.write(broken, lessons / "02_broken.ipynb")
    roster = _roster(tmp_path, ["amy", "bo", "chen"])
    out = tmp_path / "build"
    env = {**__import__("os").environ, "SQLLAB_CACHE_DIR": str(tmp_path / "cache"),
           "SQLLAB_PROGRESS_DB": str(tmp_path / "progress.db")}
    proc = subprocess.run([*SQLLAB, "course", "build", "--roster", str(roster), "--lessons", str(lessons),
                           "--out", str(out), "--jobs", "2", "--llm", "offline"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=900)
    assert proc.returncode == 1, proc.stderr
    assert "3 of 6 notebooks built" in proc.stdout
    assert proc.stdout.count("FAILED") == 3 and "deliberately broken" in proc.stdout
    assert "100%" in proc.stderr  # the tqdm bar ran to the end
    for sid in ("amy", "bo", "chen"):
        nb = nbformat.read(out / sid / "01_select.ipynb", as_version=4)
        injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert f'student_id = "{sid}"' in injected.source
        assert f"seed = {personal_seed(sid)}" in injected.source
        texts = json.dumps(nb.cells)
        assert "DatasetPanel(lesson='01_select'" in texts and "ExercisesView(lesson='01_select', cards=3" in texts
        assert (out / sid / "02_broken.ipynb").exists()  # kept for the instructor to inspect
    # content was generated and cached per student during the build
    cached = list((tmp_path / "cache" / "lessons").glob("*/01_select/content-*.json"))
    assert len(cached) == 3


def test_grades_export_csv(tmp_path: Path) -> None:
    db = tmp_path / "progress.db"
    store = ProgressStore(db)
    store.record(Attempt("amy", "01_select", "e1", "SELECT 1", "correct", True))
    store.record(Attempt("bo", "02_where", "e2", "SELECT, 2", "wrong_result", False))
    env = {**__import__("os").environ, "SQLLAB_PROGRESS_DB": str(db)}
    proc = subprocess.run([*SQLLAB, "grades", "export", "--format", "csv"], capture_output=True,
                          text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [(r["student"], r["lesson"], r["correct"], r["sql"]) for r in rows] == [
        ("amy", "01_select", "1", "SELECT 1"), ("bo", "02_where", "0", "SELECT, 2")]
    out = tmp_path / "g.csv"
    proc = subprocess.run([*SQLLAB, "grades", "export", "--format", "csv", "--out", str(out),
                           "--lesson", "02_where"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0 and "1 attempt" in proc.stderr
    assert [r["student"] for r in csv.DictReader(out.open())] == ["bo"]


@pytest.mark.slow
def test_course_build_without_expected_results(tmp_path: Path) -> None:
    """``--no-expected``: an assessment build whose exercise cards show no expected result; the
    default build shows it (the widgets' state saved in the notebook holds what the student saw)."""
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(ROOT / "notebooks/ja/04_aggregate.ipynb", lessons)
    env = {**__import__("os").environ, "SQLLAB_CACHE_DIR": str(tmp_path / "cache"),
           "SQLLAB_PROGRESS_DB": str(tmp_path / "progress.db")}
    shown = {}
    for flag in ([], ["--no-expected"]):
        out = tmp_path / ("test" if flag else "practice")
        proc = subprocess.run([*SQLLAB, "course", "build", "--roster", str(_roster(tmp_path, ["amy"])),
                               "--lessons", str(lessons), "--out", str(out), "--llm", "offline", *flag],
                              capture_output=True, text=True, cwd=tmp_path, env=env, timeout=900)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        nb = nbformat.read(out / "amy" / "04_aggregate.ipynb", as_version=4)
        injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert ("show_expected = False" in injected.source) == bool(flag)
        state = json.dumps(nb.metadata.get("widgets", {}), ensure_ascii=False)
        assert "data-sqllab=\\\"question\\\"" in state            # the cards are in the saved state
        shown[bool(flag)] = "data-sqllab=\\\"expected\\\"" in state
    assert shown == {False: True, True: False}
