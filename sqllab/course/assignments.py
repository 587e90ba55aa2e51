"""Lessons as nbgrader assignments (``sqllab course nbgrader``).

For each lesson notebook this writes an nbgrader *source* assignment,
``<course_dir>/source/<lesson_id>/``:

- ``<lesson_id>.ipynb``: the lesson's explanations and worked examples, then per exercise the
  question, an answer cell (nbgrader solution cell, ``%%answer N``) and a locked, autograded
  test cell (``points`` each). The visible part of a test checks that the answer runs; the
  hidden part (``### BEGIN HIDDEN TESTS``) runs sqllab's grader with the reference query, on the
  visible data and on hidden variants, and fails with the verdict in the lesson's language
  (:mod:`sqllab.course.graded`).
- ``<lesson_id>.sqllab.json``: the dataset and the exercises, fixed now and shipped with the
  assignment, **without** reference queries (:mod:`sqllab.content.bundle`). The hidden databases are
  derived from this dataset at autograde time.

So the reference SQL is only inside hidden tests, which ``nbgrader generate_assignment`` strips
from the release. ``<course_dir>/nbgrader_config.py`` gets a block that gives grading time and
keeps hidden tests out of ``generate_feedback``'s HTML.

nbgrader itself is an optional extra: ``pip install "sqllab[class]"``.
"""

from __future__ import annotations

import ast
import importlib.util
import logging
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import i18n
from ..content.bundle import bundle_path, write_bundle
from ..errors import ConfigError

log = logging.getLogger(__name__)

NBGRADER_VERSION = "0.9.6"
#: the student id of assignment content: one assignment for the whole class
CLASS_STUDENT = "class"
SCHEMA_VERSION = 3

CONFIG_BEGIN = "# --- sqllab: begin (written by `sqllab course nbgrader`; this block is replaced on each run) ---"
CONFIG_END = "# --- sqllab: end ---"
CONFIG_BLOCK = '''c = get_config()  # noqa: F821
# sqllab grades each answer on hidden variant databases built at autograde time: give cells time
c.Execute.timeout = 300
# a test cell the student deleted is put back and run, so its points follow the answer
c.OverwriteCells.add_missing_cells = True
# feedback shows the verdicts and counterexamples, never the hidden tests (they hold the reference SQL)
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]'''


@dataclass
class BuiltAssignment:
    name: str
    notebook: Path
    bundle: Path
    exercises: int
    points: float
    source: str        # "llm" or "bank": where the exercises came from
    notice: str | None = None   # why the content is not (all) the LLM's, when it is not


@dataclass
class AssignmentReport:
    course_dir: Path
    config: Path | None = None
    assignments: list[BuiltAssignment] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    def summary(self, lang: str | None = None) -> str:
        t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
        lines = []
        for a in self.assignments:
            lines.append(t("assignments.written", name=a.name, path=a.notebook, n=a.exercises,
                           points=_points(a.points), source=a.source))
            if a.notice:
                lines.append("  " + a.notice)
        lines += [t("assignments.skipped", lesson=p.name, reason=r) for p, r in self.skipped]
        if self.config:
            lines.append(t("assignments.config", path=self.config))
        if self.assignments:
            lines.append(t("assignments.next", course_dir=self.course_dir, name=self.assignments[0].name))
        return "\n".join(lines)


def nbgrader_available() -> bool:
    return importlib.util.find_spec("nbgrader") is not None


def require_nbgrader(lang: str | None = None) -> None:
    """Raise a ja/en :class:`ConfigError` that says how to install nbgrader when it is missing."""
    if not nbgrader_available():
        raise ConfigError(key="assignments.nbgrader_missing", lang=lang, version=NBGRADER_VERSION)


def notebook_parameters(path: str | Path) -> dict[str, Any]:
    """The defaults of a notebook's ``parameters`` cell (papermill's inspection), as values."""
    import papermill as pm

    out: dict[str, Any] = {}
    for name, info in pm.inspect_notebook(str(path)).items():
        try:
            out[name] = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            continue
    return out


def build_assignments(lessons: str | Path | Sequence[str | Path], course_dir: str | Path, *,
                      llm: str | None = None, lang: str | None = None, seed: int | None = None,
                      theme: str | None = None, difficulty: str | None = None,
                      n_exercises: int | None = None, points: float = 1,
                      check_nbgrader: bool = True) -> AssignmentReport:
    """Write an nbgrader source assignment per lesson notebook (lessons without exercises are
    skipped) and the sqllab block of ``<course_dir>/nbgrader_config.py``.

    Parameters left ``None`` come from each notebook's ``parameters`` cell. Content is made as a
    lesson makes it (cache, bank, LLM job, waited for), for student id ``class``.
    """
    from .build import lesson_notebooks

    if check_nbgrader:
        require_nbgrader(lang)
    if points <= 0:
        raise ConfigError(key="config.invalid", lang=lang, name="points", value=points, reason="> 0")
    course = Path(course_dir)
    report = AssignmentReport(course)
    for nb_path in lesson_notebooks(lessons, lang=lang):
        built = build_assignment(nb_path, course, llm=llm, lang=lang, seed=seed, theme=theme,
                                 difficulty=difficulty, n_exercises=n_exercises, points=points,
                                 report=report)
        if built is not None:
            report.assignments.append(built)
    report.config = write_nbgrader_config(course)
    return report


def build_assignment(lesson_nb: str | Path, course_dir: str | Path, *, llm: str | None = None,
                     lang: str | None = None, seed: int | None = None, theme: str | None = None,
                     difficulty: str | None = None, n_exercises: int | None = None, points: float = 1,
                     report: AssignmentReport | None = None) -> BuiltAssignment | None:
    """One lesson notebook → ``<course_dir>/source/<lesson_id>/`` (notebook + content file)."""
    import nbformat

    from ..grading.grader import grade
    from ..notebook.lesson import LESSON_TOPICS, Lesson

    lesson_nb = Path(lesson_nb)
    lesson_id = lesson_nb.stem
    if not LESSON_TOPICS.get(lesson_id):
        if report is not None:
            report.skipped.append((lesson_nb, i18n.t("assignments.no_exercises", lang)))
        return None
    nb = nbformat.read(lesson_nb, as_version=4)
    params = notebook_parameters(lesson_nb)
    params.update({k: v for k, v in dict(lang=lang, seed=seed, theme=theme, difficulty=difficulty,
                                          n_exercises=n_exercises, llm=llm).items() if v is not None})
    nb_lang = i18n.normalize_lang(params.get("lang") or nb.metadata.get("sqllab", {}).get("lang"))
    with tempfile.TemporaryDirectory(prefix="sqllab-assignment-") as empty:   # no bundle is found here
        lesson = Lesson(lesson_id, lang=nb_lang, seed=int(params.get("seed", 0)), student_id=CLASS_STUDENT,
                        theme=params.get("theme"), difficulty=params.get("difficulty", "easy"),
                        n_exercises=int(params.get("n_exercises", 3)), llm=params.get("llm", "auto"),
                        content_dir=empty, wait=True)
    content = lesson.content
    for ex in content.exercises:      # every hidden test must be able to pass
        verdict = grade(lesson.db_path, ex.reference_sql, ex.reference_sql, lang=nb_lang)
        if not verdict.correct:
            raise ConfigError(key="assignments.reference_failed", lang=lang, lesson=lesson_id,
                              exercise=ex.id, reason=verdict.message)
    folder = Path(course_dir) / "source" / lesson_id
    folder.mkdir(parents=True, exist_ok=True)
    from ..content.bundle import lesson_params

    bundle = write_bundle(bundle_path(folder, lesson_id), lesson_id, lesson_params(lesson), content,
                          with_reference=False)
    out = folder / f"{lesson_id}.ipynb"
    nbformat.write(assignment_notebook(nb, lesson_id, content.exercises, nb_lang, points), out)
    return BuiltAssignment(lesson_id, out, bundle, len(content.exercises), points * len(content.exercises),
                           content.exercise_source, content.fallback_reason)


# --- the notebook ------------------------------------------------------------------------

def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
          points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "grade_id": grade_id, "solution": solution,
                            "grade": grade, "locked": locked, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _points(points: float) -> int | float:
    return int(points) if float(points).is_integer() else points


def assignment_notebook(lesson_nb: Any, lesson_id: str, exercises: Sequence[Any], lang: str,
                        points: float = 1) -> Any:
    """The nbgrader source notebook for a lesson notebook and its (fixed) exercises."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    cells = list(lesson_nb.cells)
    setup = next((i for i, c in enumerate(cells) if c.cell_type == "code" and "Lesson(" in c.source), None)
    exercises_at = next((i for i, c in enumerate(cells)
                         if c.cell_type == "code" and "widgets.exercises(" in c.source), len(cells))
    title = cells[0] if cells and cells[0].cell_type == "markdown" else new_markdown_cell(f"# {lesson_id}")
    # the lesson's own explanations and worked examples: after its setup cell, before its exercises
    start = (setup + 1) if setup is not None else 1
    end = exercises_at - 1 if exercises_at > 0 and cells[exercises_at - 1].cell_type == "markdown" else exercises_at
    middle = [c for c in cells[start:end] if "parameters" not in c.get("metadata", {}).get("tags", [])]

    out = [new_markdown_cell(title.source), new_markdown_cell(t("graded.md.intro")),
           new_code_cell(f'from sqllab.course.graded import GradedLesson\nfrom sqllab.notebook import practice\n\n'
                         f'graded = GradedLesson.open("{lesson_id}")   # {t("graded.code.setup_comment", file=lesson_id + ".sqllab.json")}\n'
                         f'lesson = graded.lesson\ngraded', metadata=_meta("setup", locked=True))]
    for cell in middle:
        copy = nbformat.from_dict(dict(cell))
        if copy.cell_type == "code":
            copy.outputs, copy.execution_count = [], None
        out.append(copy)
    out.append(new_markdown_cell(t("graded.md.exercises")))
    for n, ex in enumerate(exercises, start=1):
        notes = []
        if getattr(ex, "ordered", False):
            notes.append(t("ui.card.ordered"))
        if getattr(ex, "topic", "") == "modify":
            notes.append(t("ui.card.modify_note"))
        question = f"### {t('graded.md.exercise', n=n, points=_points(points))}\n\n{ex.question}"
        if notes:
            question += "\n\n" + "\n".join(f"*{note}*" for note in notes)
        out.append(new_markdown_cell(question, metadata=_meta(f"ex{n}_question", locked=True)))
        out.append(new_code_cell(f"%%answer {n}\n### BEGIN SOLUTION\n### END SOLUTION",
                                 metadata=_meta(f"ex{n}_answer", solution=True)))
        out.append(new_code_cell(
            f"# {t('graded.code.test_comment', n=n)}\ngraded.check({n})\n"
            f"### BEGIN HIDDEN TESTS\ngraded.grade({n}, {_literal(ex.reference_sql)})\n### END HIDDEN TESTS",
            metadata=_meta(f"ex{n}_test", grade=True, locked=True, points=_points(points))))
    out.append(new_markdown_cell(t("graded.md.end")))
    nb = new_notebook(cells=out)
    nb.metadata["kernelspec"] = dict(lesson_nb.metadata.get("kernelspec")
                                     or {"name": "python3", "display_name": "Python 3", "language": "python"})
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["sqllab"] = {"lang": lang, "lesson": lesson_id, "assignment": True}
    for i, cell in enumerate(nb.cells):        # stable ids: rebuilding changes nothing
        cell["id"] = f"cell-{i:02d}"
    nbformat.validate(nb)
    return nb


def _literal(sql: str) -> str:
    """``sql`` as a Python string literal, on its own lines when it has several."""
    if "\n" in sql and '"""' not in sql and not sql.endswith('"') and "\\" not in sql:
        return '"""' + sql + '"""'
    return repr(sql)


# --- nbgrader_config.py ------------------------------------------------------------------

def write_nbgrader_config(course_dir: str | Path) -> Path:
    """Add (or replace) sqllab's block in ``<course_dir>/nbgrader_config.py``; the rest stays."""
    path = Path(course_dir) / "nbgrader_config.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    block = f"{CONFIG_BEGIN}\n{CONFIG_BLOCK}\n{CONFIG_END}\n"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(CONFIG_BEGIN) + r".*?" + re.escape(CONFIG_END) + r"\n?", re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _m: block, old)
    else:
        new = (old.rstrip("\n") + "\n\n" if old.strip() else "") + block
    if new != old:
        path.write_text(new, encoding="utf-8")
    return path
