"""Lesson notebooks: en and ja in sync, generated from one source, and run in a real kernel."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PARAMS = {"lang", "seed", "student_id", "theme", "difficulty", "n_exercises", "llm", "show_expected"}
EXPECTED = ["00_start_here", "01_select", "02_where", "03_order", "04_aggregate", "05_joins",
            "06_subqueries", "07_window", "08_modify", "09_capstone"]


def _read(lang: str, name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / lang / f"{name}.ipynb", as_version=4)


def _parameters_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    return cells[0]


def _assigned(source: str) -> dict[str, object]:
    tree = ast.parse(source)
    return {node.targets[0].id: ast.literal_eval(node.value)
            for node in tree.body if isinstance(node, ast.Assign)}


def test_every_lesson_exists_in_both_languages() -> None:
    for lang in ("en", "ja"):
        assert sorted(p.stem for p in (NOTEBOOKS / lang).glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_en_and_ja_have_the_same_code_cells(name: str) -> None:
    en, ja = _read("en", name), _read("ja", name)
    code_en = [c.source for c in en.cells if c.cell_type == "code"]
    code_ja = [c.source for c in ja.cells if c.cell_type == "code"]
    assert len(code_en) == len(code_ja) > 1
    p_en, p_ja = _parameters_cell(en), _parameters_cell(ja)
    # only the default language may differ, in the parameters cell
    assert [c for c in code_en if c != p_en.source] == [c for c in code_ja if c != p_ja.source]
    values_en, values_ja = _assigned(p_en.source), _assigned(p_ja.source)
    assert set(values_en) == set(values_ja) == PARAMS
    assert (values_en.pop("lang"), values_ja.pop("lang")) == ("en", "ja")
    assert values_en == values_ja
    assert values_en["llm"] == "auto"
    md_en = [c.source for c in en.cells if c.cell_type == "markdown"]
    md_ja = [c.source for c in ja.cells if c.cell_type == "markdown"]
    assert len(md_en) == len(md_ja) and md_en != md_ja


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_notebooks_are_stored_without_outputs(lang: str) -> None:
    for path in (NOTEBOOKS / lang).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


def test_stored_notebooks_match_their_source(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_notebooks", NOTEBOOKS / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    for lang in ("en", "ja"):
        for name in EXPECTED:
            fresh = nbformat.read(tmp_path / lang / f"{name}.ipynb", as_version=4)
            assert fresh == _read(lang, name), f"{lang}/{name}: run notebooks/build_notebooks.py"


def test_lessons_use_sql_cells_on_the_lesson_database() -> None:
    for name in EXPECTED[1:]:
        code = [c.source for c in _read("en", name).cells if c.cell_type == "code"]
        assert any(f'Lesson("{name}"' in c for c in code)
        assert any(c.startswith("%%sql") for c in code)
        assert "widgets.exercises(lesson, show_expected=show_expected)" in code


# --- papermill in a real kernel ------------------------------------------------------------

def _texts(nb: nbformat.NotebookNode) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                out.append(o.text)
            elif o.output_type in ("display_data", "execute_result"):
                out += [str(v) for k, v in o.data.items() if k.startswith("text/")]
            elif o.output_type == "error":
                out.append(f"{o.ename}: {o.evalue}")
    return out


def _execute(lang_dir: str, name: str, tmp_path: Path, **params: object) -> nbformat.NotebookNode:
    import papermill as pm

    out = tmp_path / f"{lang_dir}-{name}.ipynb"
    pm.execute_notebook(str(NOTEBOOKS / lang_dir / f"{name}.ipynb"), str(out), parameters=params,
                        progress_bar=False, cwd=str(tmp_path), kernel_name="python3")
    return nbformat.read(out, as_version=4)


def _check_lesson_output(nb: nbformat.NotebookNode, name: str, n: int) -> None:
    texts = "\n".join(_texts(nb))
    assert "Error" not in texts, texts[:2000]
    panel = re.search(r"DatasetPanel\(lesson='(\w+)', tables=(\d+), rows=(\d+), exercises=(\d+)", texts)
    assert panel, texts[:2000]
    assert panel.group(1) == name and int(panel.group(2)) >= 1 and int(panel.group(3)) > 0
    view = re.search(r"ExercisesView\(lesson='(\w+)', cards=(\d+)", texts)
    assert view and view.group(1) == name and int(view.group(2)) == n
    # the worked examples ran on the lesson database and printed tables
    sql_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%sql")]
    assert sql_cells and all(c.outputs for c in sql_cells)
    assert all("<table>" in "".join(o.get("data", {}).get("text/html", "") for o in c.outputs)
               for c in sql_cells)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1


@pytest.mark.slow
@pytest.mark.parametrize("lang_dir,name", [("en", "01_select"), ("ja", "01_select"), ("en", "08_modify")])
def test_papermill_runs_lessons_with_non_default_parameters(lang_dir: str, name: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLLAB_PROGRESS_DB", str(tmp_path / "progress.db"))
    other = "ja" if lang_dir == "en" else "en"
    nb = _execute(lang_dir, name, tmp_path, lang=other, seed=7, student_id="s-042", llm="offline",
                  difficulty="medium", n_exercises=4)
    _check_lesson_output(nb, name, 4)
    texts = "\n".join(_texts(nb))
    assert "s-042" in texts
    if other == "ja":
        assert "%sql をレッスンのデータベース" in texts or "%sql を練習用コピー" in texts


@pytest.mark.slow
def test_papermill_start_here_offline_shows_status_without_traceback(tmp_path: Path) -> None:
    nb = _execute("ja", "00_start_here", tmp_path, llm="offline", student_id="s-1")
    texts = "\n".join(_texts(nb))
    assert "Error" not in texts
    assert "LLMStatusBadge(mode='offline'" in texts
    assert "Overview(student_id='s-1'" in texts
