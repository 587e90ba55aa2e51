"""A class on nbgrader, end to end with the real parts: ``sqllab course nbgrader`` writes the
source assignments of two lessons (English and Japanese), ``nbgrader generate_assignment``
releases them, students' notebooks go to ``submitted/``, ``nbgrader autograde`` runs them in real
kernels, ``nbgrader export`` writes the CSV and ``nbgrader generate_feedback`` the HTML.

The truth of every answer is known by construction (the reference itself, an equivalent
rewrite, the visible result typed in as constants, ``>`` for ``>=`` where no visible row sits on
the boundary, broken SQL, no answer, tampered tests), never computed by the grader under test.
"""

from __future__ import annotations

import ast
import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from sqllab.course.graded import GradedLesson, clean_answer
from sqllab.sandbox import run_query

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SQLLAB = [sys.executable, "-m", "sqllab"]
LESSONS = {"02_where": ROOT / "notebooks/en/02_where.ipynb", "06_subqueries": ROOT / "notebooks/ja/06_subqueries.ipynb"}
SEED = 8   # 06_subqueries (ja) then has an exercise with `>=` where no visible row sits on the boundary
POINTS = 2


def _env(cache: Path) -> dict[str, str]:
    # nbgrader runs `alembic` from PATH: the venv's bin, as in an activated environment
    return {**os.environ, "SQLLAB_CACHE_DIR": str(cache), "SQLLAB_LLM_MODE": "offline",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _nbgrader(course: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _references(source_nb: Path) -> list[str]:
    """The reference queries, read from the hidden tests of the source notebook."""
    refs = []
    for cell in nbformat.read(source_nb, as_version=4).cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            call = next(node for node in ast.walk(ast.parse(cell.source))
                        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "grade")
            refs.append(ast.literal_eval(call.args[1]))
    return refs


def _sql_literal(v: object) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def _typed_in(db: Path, ref: str) -> str:
    """The visible result as constants: right on the visible data only."""
    rows = run_query(db, ref, max_rows=10_000).rows
    return "SELECT * FROM (VALUES " + ", ".join("(" + ", ".join(_sql_literal(v) for v in r) + ")" for r in rows) + ")"


def _boundary(ref: str) -> str | None:
    return ref.replace(">=", ">", 1) if ">=" in ref else None


def _same_on_visible(db: Path, a: str, b: str, ordered: bool) -> bool:
    ra, rb = run_query(db, a, max_rows=10_000).rows, run_query(db, b, max_rows=10_000).rows
    return ra == rb if ordered else Counter(ra) == Counter(rb)


STUDENTS = ("s01_right", "s02_rewritten", "s03_typed_in", "s04_mixed", "s05_broken", "s06_empty", "s07_tampered")


def _plan(release: Path, lesson_id: str, refs: list[str]) -> tuple[dict[str, list[str | None]], dict[str, list[int]]]:
    """Per student, the answer to each exercise (None: leave nbgrader's stub; "": empty the cell)
    and the truth (1 right, 0 wrong)."""
    graded = GradedLesson.open(lesson_id, release)
    db, exercises = graded.lesson.db_path, graded.lesson.exercises
    n = len(refs)
    answers: dict[str, list[str | None]] = {}
    truth: dict[str, list[int]] = {}
    answers["s01_right"], truth["s01_right"] = list(refs), [1] * n
    answers["s02_rewritten"] = [r if e.ordered else f"SELECT *\nFROM ({r}) AS answer" for r, e in zip(refs, exercises)]
    truth["s02_rewritten"] = [1] * n
    typed = [_typed_in(db, r) for r in refs]
    for t, r, e in zip(typed, refs, exercises):       # precondition: right on the visible data
        assert _same_on_visible(db, t, r, e.ordered)
    answers["s03_typed_in"], truth["s03_typed_in"] = typed, [0] * n
    mixed, mixed_truth = [refs[0], typed[1]] + [None] * (n - 2), [1, 0] + [0] * (n - 2)
    if n > 2:
        mixed[2], mixed_truth[2] = "SELEC " + refs[2][len("SELECT "):], 0
    for i, (r, e) in enumerate(zip(refs, exercises)):   # `>` for `>=`, right on the visible data
        b = _boundary(r)
        if i > 0 and b and _same_on_visible(db, b, r, e.ordered):
            mixed[i], mixed_truth[i] = b, 0
    answers["s04_mixed"], truth["s04_mixed"] = mixed, mixed_truth
    answers["s05_broken"] = ["SELEC " + r[len("SELECT "):] for r in refs]
    truth["s05_broken"] = [0] * n
    answers["s06_empty"] = [None, ""] + list(refs[2:])
    truth["s06_empty"] = [0, 0] + [1] * (n - 2)
    answers["s07_tampered"] = [refs[0]] + ["SELECT 1"] * (n - 1)     # its test of exercise 1 is deleted
    truth["s07_tampered"] = [1] + [0] * (n - 1)
    return answers, truth


def _submit(release: Path, submitted: Path, lesson_id: str, student: str, answers: list[str | None]) -> None:
    nb = nbformat.read(release / f"{lesson_id}.ipynb", as_version=4)
    for cell in nb.cells:
        m = re.match(r"%%answer (\d+)\n", cell.source)
        if m and answers[int(m.group(1)) - 1] is not None:
            answer = answers[int(m.group(1)) - 1]
            cell.source = f"%%answer {m.group(1)}\n{answer}" if answer else ""
    folder = submitted / student / lesson_id
    folder.mkdir(parents=True)
    shutil.copy(release / f"{lesson_id}.sqllab.json", folder)
    if student == "s07_tampered":
        nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "ex1_test"]
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                cell.source = "pass  # tests? what tests"
            elif meta.get("grade_id") == "setup":
                cell.source = ("class Fake:\n    def check(self, n): pass\n    def grade(self, n, ref): pass\n"
                               "graded = Fake()\nfrom sqllab.course.graded import GradedLesson\n"
                               f"lesson = GradedLesson.open('{lesson_id}').lesson")
        content = json.loads((folder / f"{lesson_id}.sqllab.json").read_text(encoding="utf-8"))
        content["dataset"]["tables"][0]["rows"] = content["dataset"]["tables"][0]["rows"][:1]
        (folder / f"{lesson_id}.sqllab.json").write_text(json.dumps(content), encoding="utf-8")
    nbformat.write(nb, folder / f"{lesson_id}.ipynb")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One class, run once for the tests below: build, release, submit, autograde, export, feedback."""
    tmp = tmp_path_factory.mktemp("class")
    course = tmp / "course"
    env = _env(tmp / "cache")
    proc = subprocess.run([*SQLLAB, "course", "nbgrader", "--lessons", *map(str, LESSONS.values()),
                           "--course-dir", str(course), "--llm", "offline", "--seed", str(SEED),
                           "--points", str(POINTS)], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    for lesson_id in LESSONS:
        _nbgrader(course, env, "generate_assignment", lesson_id, "--force")
    truth: dict[tuple[str, str], list[int]] = {}
    answers: dict[tuple[str, str], list[str | None]] = {}
    refs = {lesson_id: _references(course / "source" / lesson_id / f"{lesson_id}.ipynb") for lesson_id in LESSONS}
    for lesson_id in LESSONS:
        release = course / "release" / lesson_id
        plan, plan_truth = _plan(release, lesson_id, refs[lesson_id])
        for student in STUDENTS:
            _submit(release, course / "submitted", lesson_id, student, plan[student])
            truth[student, lesson_id] = plan_truth[student]
            answers[student, lesson_id] = plan[student]
    for lesson_id in LESSONS:
        _nbgrader(course, env, "autograde", lesson_id, "--force")
    _nbgrader(course, env, "export", "--to", str(tmp / "grades.csv"))
    for lesson_id in LESSONS:
        _nbgrader(course, env, "generate_feedback", lesson_id, "--force")
    return {"course": course, "truth": truth, "answers": answers, "refs": refs, "csv": tmp / "grades.csv",
            "cli": proc.stdout, "env": env}


def _all_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_source_assignment_has_nbgrader_cells_and_content_without_references(course: dict) -> None:
    for lesson_id, refs in course["refs"].items():
        source = course["course"] / "source" / lesson_id
        nb = nbformat.read(source / f"{lesson_id}.ipynb", as_version=4)
        metas = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
        assert all(m["schema_version"] == 3 for m in metas)
        tests = [m for m in metas if m["grade"]]
        answers = [m for m in metas if m["solution"]]
        assert len(tests) == len(answers) == len(refs) == 3
        assert all(m["locked"] and m["points"] == POINTS for m in tests)
        assert not any(m["locked"] for m in answers)
        assert [m for m in metas if m["grade_id"] == "setup"][0]["locked"]
        content = json.loads((source / f"{lesson_id}.sqllab.json").read_text(encoding="utf-8"))
        assert all("reference_sql" not in e and "hints" not in e for e in content["exercises"])
        # the reference is in the hidden tests and nowhere else in the notebook
        for ref in refs:
            holders = [c for c in nb.cells if ref in c.source]
            assert len(holders) == 1 and "### BEGIN HIDDEN TESTS" in holders[0].source
    assert "06_subqueries" in course["cli"] and "nbgrader generate_assignment" in course["cli"]
    config = (course["course"] / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "ClearHiddenTests" in config and "add_missing_cells = True" in config


def test_release_holds_no_reference_sql_in_any_file(course: dict) -> None:
    release = course["course"] / "release"
    files = _all_files(release)
    assert {p.suffix for p in files} == {".ipynb", ".json"}
    texts = {p: p.read_text(encoding="utf-8") for p in files}
    for refs in course["refs"].values():
        for ref in refs:
            for path, text in texts.items():
                assert ref not in text, path
                assert ref not in json.dumps(json.loads(text), ensure_ascii=False), path   # escaped forms too
    for lesson_id in LESSONS:
        nb = nbformat.read(release / lesson_id / f"{lesson_id}.ipynb", as_version=4)
        assert "HIDDEN TESTS" not in json.dumps(nb.cells)
        assert "graded.check(1)" in json.dumps(nb.cells)
        # the lesson's guided steps and quiz come along; no exercise shows its expected result
        assert "widgets.exercises" not in json.dumps(nb.cells) and "show_expected" not in json.dumps(nb.cells)


def test_exported_csv_matches_the_truth_cell_by_cell(course: dict) -> None:
    with course["csv"].open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    got = {(r["student_id"], r["assignment"]): (float(r["score"]), float(r["max_score"])) for r in rows}
    expected = {key: (float(POINTS * sum(t)), float(POINTS * len(t))) for key, t in course["truth"].items()}
    assert got == expected
    # some answers of each kind are right and some wrong: the truth is not all zeros or all full marks
    assert {s for s, _ in got.values()} >= {0.0, 2.0, 6.0}


def test_every_test_cell_scores_its_truth(course: dict) -> None:
    from nbgrader.api import Gradebook

    db = f"sqlite:///{course['course'] / 'gradebook.db'}"
    with Gradebook(db) as gb:
        for (student, lesson_id), truth in course["truth"].items():
            for n, right in enumerate(truth, start=1):
                grade = gb.find_grade(f"ex{n}_test", lesson_id, lesson_id, student)
                assert grade.auto_score == POINTS * right, (student, lesson_id, n, course["answers"][student, lesson_id][n - 1])


def test_coincidentally_right_answers_score_zero_through_the_hidden_tests(course: dict) -> None:
    """`>` for `>=` passes the visible test and fails the hidden one; so do typed-in constants."""
    mixed = course["answers"]["s04_mixed", "06_subqueries"]
    assert any(a and ">" in a and ">=" not in a for a in mixed), "the seed no longer gives a boundary exercise"
    for student in ("s04_mixed", "s03_typed_in"):
        for lesson_id in LESSONS:
            nb = nbformat.read(course["course"] / "autograded" / student / lesson_id / f"{lesson_id}.ipynb", as_version=4)
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                n = int(meta["grade_id"][2:].split("_")[0]) if meta.get("grade") else 0
                if not n or course["truth"][student, lesson_id][n - 1]:
                    continue
                answer = course["answers"][student, lesson_id][n - 1]
                if answer and not answer.startswith("SELEC "):   # runs: the visible check passed
                    text = json.dumps(cell.outputs, ensure_ascii=False)
                    assert any(o["output_type"] == "stream" and o["name"] == "stdout" for o in cell.outputs), text
                    assert any(o["output_type"] == "error" and o["ename"] == "AnswerNotAccepted" for o in cell.outputs)


def test_tampered_tests_setup_and_content_are_restored(course: dict) -> None:
    for lesson_id in LESSONS:
        folder = course["course"] / "autograded" / "s07_tampered" / lesson_id
        nb = nbformat.read(folder / f"{lesson_id}.ipynb", as_version=4)
        text = json.dumps([c.source for c in nb.cells])
        assert "tests? what tests" not in text and "class Fake" not in text
        assert "graded.check(1)" in text          # the deleted test cell is back (and scored: see the CSV)
        assert "### BEGIN HIDDEN TESTS" in text and "GradedLesson.open" in text
        source = (course["course"] / "source" / lesson_id / f"{lesson_id}.sqllab.json").read_text(encoding="utf-8")
        assert (folder / f"{lesson_id}.sqllab.json").read_text(encoding="utf-8") == source


def test_feedback_shows_verdicts_and_counterexamples_never_the_reference(course: dict) -> None:
    def text(student: str, lesson_id: str) -> str:
        page = (course["course"] / "feedback" / student / lesson_id / f"{lesson_id}.html").read_text(encoding="utf-8")
        return html.unescape(re.sub(r"<[^>]+>", "", page))

    en, ja = text("s04_mixed", "02_where"), text("s04_mixed", "06_subqueries")
    # exercise 2 is typed-in constants (en); in 06 (ja) one exercise is `>` for `>=`: both are right
    # on the visible data, so the verdict names the hidden data and shows a counterexample
    assert "Exercise 2 is not accepted" in en
    assert "Your query gives the right result on the visible data, but not on data with" in en
    assert "A small example where the results differ:" in en and "Expected (rows that differ):" in en
    assert "問題 2 は正解になりませんでした" in ja
    assert "見えているデータでは正しい結果になりますが" in ja and "結果が違う小さな例:" in ja
    assert "most recent call last" not in en and "graded.grade" not in en
    for student in STUDENTS:
        for lesson_id, refs in course["refs"].items():
            page = text(student, lesson_id)
            assert "HIDDEN TESTS" not in page
            for n, ref in enumerate(refs):
                if ref not in (course["answers"][student, lesson_id][n] or ""):   # a student's own answer may hold it
                    assert ref not in page, (student, lesson_id, n)
    # the other files students get back with their feedback (the content file) hold no reference either
    others = [p for p in _all_files(course["course"] / "feedback") if p.suffix != ".html"]
    assert others and all(ref not in p.read_text(encoding="utf-8") for p in others
                          for refs in course["refs"].values() for ref in refs)
    # a right answer is said to be right, with the verdict's strength
    assert "hidden" in text("s01_right", "02_where")


def test_answer_cells_show_results_and_say_when_empty(course: dict) -> None:
    """The released notebook's cells run: an answer shows its rows; the stub says what to do."""
    nb = nbformat.read(course["course"] / "autograded" / "s06_empty" / "02_where" / "02_where.ipynb", as_version=4)
    outputs = {c.source.split("\n")[0]: c.outputs for c in nb.cells if c.source.startswith("%%answer")}
    assert "no answer yet" in json.dumps(outputs["%%answer 1"])
    assert 'data-sqllab=\\"answer-result\\"' in json.dumps(outputs["%%answer 3"])
    # the lesson's worked examples and the dataset view run too: no errors outside the test cells
    for lesson_id in LESSONS:
        nb = nbformat.read(course["course"] / "autograded" / "s01_right" / lesson_id / f"{lesson_id}.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code" and not c.metadata.get("nbgrader", {}).get("grade")]
        assert sum(1 for c in code if c.source.startswith("%%sql")) >= 2
        assert all(c.outputs for c in code if c.source.strip())
        assert not [o for c in code for o in c.outputs
                    if o.output_type == "error" or (o.output_type == "stream" and o.name == "stderr")]


def test_students_validate_the_released_notebook(course: dict, tmp_path: Path) -> None:
    """`nbgrader validate`, as a student runs it on the released notebook: the visible tests pass
    for answers that run, and fail with sqllab's message for a missing answer."""
    lesson_id = "02_where"
    release = course["course"] / "release" / lesson_id
    refs = course["refs"][lesson_id]
    for name, answers, ok in (("done", list(refs), True), ("first_missing", [None, *refs[1:]], False)):
        folder = tmp_path / name
        _submit(release, folder, lesson_id, "me", answers)
        nb = folder / "me" / lesson_id / f"{lesson_id}.ipynb"
        proc = subprocess.run([str(BIN / "nbgrader"), "validate", str(nb)], cwd=nb.parent, env=course["env"],
                              capture_output=True, text=True, timeout=600)
        out = proc.stdout + proc.stderr
        assert ("Success! Your notebook passes all the tests." in out) is ok, out[-2000:]
        if not ok:
            assert "No answer to exercise 1" in out and "NotImplementedError" not in out


def test_exchange_round_trip_carries_the_content_file(course: dict, tmp_path: Path) -> None:
    """release → fetch → submit → collect → autograde through a local exchange (every user is this
    OS user here): the content file travels with the notebook and the answers score full marks."""
    import pwd

    lesson_id = "02_where"
    instructor = tmp_path / "course"
    shutil.copytree(course["course"], instructor, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    (instructor / "gradebook.db").unlink()
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    with (instructor / "nbgrader_config.py").open("a", encoding="utf-8") as f:
        f.write(f'\nc.CourseDirectory.course_id = "sql101"\nc.Exchange.root = "{exchange}"\n')
    env, opts = course["env"], ["--course", "sql101", f"--Exchange.root={exchange}"]
    _nbgrader(instructor, env, "generate_assignment", lesson_id, "--force")
    _nbgrader(instructor, env, "release_assignment", lesson_id)
    home = tmp_path / "student-home"
    home.mkdir()
    _nbgrader(home, env, "fetch_assignment", lesson_id, *opts)
    fetched = home / lesson_id
    assert (fetched / f"{lesson_id}.sqllab.json").is_file()
    nb = nbformat.read(fetched / f"{lesson_id}.ipynb", as_version=4)
    refs = course["refs"][lesson_id]
    for cell in nb.cells:
        m = re.match(r"%%answer (\d+)\n", cell.source)
        if m:
            cell.source = f"%%answer {m.group(1)}\n{refs[int(m.group(1)) - 1]}"
    nbformat.write(nb, fetched / f"{lesson_id}.ipynb")
    _nbgrader(home, env, "submit", lesson_id, *opts)
    _nbgrader(instructor, env, "collect", lesson_id)
    student = pwd.getpwuid(os.getuid()).pw_name      # nbgrader names the submission after the real uid
    assert (instructor / "submitted" / student / lesson_id / f"{lesson_id}.sqllab.json").is_file()
    _nbgrader(instructor, env, "autograde", lesson_id, "--force")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{instructor / 'gradebook.db'}") as gb:
        submission = gb.find_submission(lesson_id, student)
        assert submission.score == submission.max_score == POINTS * len(refs)


def test_nbgrader_config_block_is_added_once_and_the_rest_kept(tmp_path: Path) -> None:
    from sqllab.course.assignments import CONFIG_BEGIN, write_nbgrader_config

    path = tmp_path / "nbgrader_config.py"
    path.write_text('c = get_config()\nc.CourseDirectory.course_id = "sql101"\n', encoding="utf-8")
    write_nbgrader_config(tmp_path)
    first = path.read_text(encoding="utf-8")
    path.write_text(first.replace("c.Execute.timeout = 300", "c.Execute.timeout = 1"), encoding="utf-8")
    write_nbgrader_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text == first and text.count(CONFIG_BEGIN) == 1
    assert text.startswith('c = get_config()\nc.CourseDirectory.course_id = "sql101"\n')


def test_test_cell_calls_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """check/grade as the test cells call them: verdicts in the lesson's language, nothing on
    stderr (nbgrader scores a cell that wrote to stderr 0), no SQL in a failure."""
    from sqllab.course.graded import AnswerNotAccepted
    from sqllab.notebook.lesson import Lesson

    lesson = Lesson("02_where", lang="ja", seed=8, llm="offline", work_dir=tmp_path)
    graded = GradedLesson(lesson)
    ref = lesson.exercises[0].reference_sql
    with pytest.raises(AnswerNotAccepted) as no_answer:
        graded.check(1)
    assert "問題 1 の解答がありません" in str(no_answer.value)
    graded.answer(1, "# YOUR CODE HERE\n" + ref)
    graded.check(1)
    graded.grade(1, ref)
    out = capsys.readouterr()
    assert "正解です" in out.out and out.err == ""
    graded.answer(2, "SELECT 1")
    with pytest.raises(AnswerNotAccepted) as broken_ref:
        graded.grade(2, "SELECT secret_column FROM nowhere")
    lines = broken_ref.value._render_traceback_()
    assert "採点できませんでした" in "\n".join(lines) and "secret_column" not in "\n".join(lines)
    assert capsys.readouterr().err == ""


def test_clean_answer_drops_the_nbgrader_stub() -> None:
    assert clean_answer("# YOUR CODE HERE\nraise NotImplementedError()") == ""
    assert clean_answer("# YOUR CODE HERE\nSELECT 1\n") == "SELECT 1"


def test_missing_nbgrader_is_said_in_both_languages(tmp_path: Path) -> None:
    code = ("import importlib.util, sys\n"
            "real = importlib.util.find_spec\n"
            "importlib.util.find_spec = lambda name, *a: None if name == 'nbgrader' else real(name, *a)\n"
            "from sqllab.cli import main\nsys.exit(main(sys.argv[1:]))\n")
    for lang, words in (("en", 'pip install "sqllab[class]"'), ("ja", "インストールされていません")):
        proc = subprocess.run([sys.executable, "-c", code, "--lang", lang, "course", "nbgrader", "--lessons",
                               str(LESSONS["02_where"]), "--course-dir", str(tmp_path / "c")],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and words in proc.stderr, proc.stderr
        assert not (tmp_path / "c").exists()
