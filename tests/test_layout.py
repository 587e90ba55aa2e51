"""The package's layout: its parts import one way only, no module imports itself round a circle,
the public API is one import away, and the wheel's data folders are declared.

Imports are read from the source with ``ast``: every ``import`` and ``from … import``, also the
ones inside functions and under ``TYPE_CHECKING``, since those are arrows a reader follows too.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sqllab"

#: the parts from the bottom up; a module may import its own part and the parts below it only
LAYERS = [
    ("base", {"sqllab.errors", "sqllab.i18n", "sqllab.messages", "sqllab.settings", "sqllab.migrations",
              "sqllab.resources", "sqllab.sandbox", "sqllab.dataset", "sqllab.db"}),
    ("llm", {"sqllab.llm"}),
    ("grading", {"sqllab.grading"}),
    ("content", {"sqllab.content"}),
    ("notebook", {"sqllab.notebook"}),
    ("course", {"sqllab.course"}),
    ("cli", {"sqllab.cli"}),
    ("face", {"sqllab", "sqllab.__main__", "sqllab.generation"}),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def part_of(module: str) -> int:
    best = None
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + ".") and prefix != "sqllab":
                if best is None or len(prefix) > best[1]:
                    best = (rank, len(prefix))
    if best is None:
        raise AssertionError(f"{module} belongs to no part: add it to LAYERS")
    return best[0]


def imports_of(module: str) -> set[str]:
    """The sqllab modules ``module`` imports (a package's ``__init__`` stands for the package)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return {m for m in found if m in MODULES and m != module}


GRAPH = {m: imports_of(m) for m in MODULES}


def test_every_module_belongs_to_a_part() -> None:
    for module in MODULES:
        part_of(module)


def test_no_part_imports_a_part_above_it() -> None:
    upward = [f"{m} ({LAYERS[part_of(m)][0]}) -> {t} ({LAYERS[part_of(t)][0]})"
              for m, targets in GRAPH.items() for t in sorted(targets) if part_of(t) > part_of(m)]
    assert not upward, "imports that run back up:\n" + "\n".join(upward)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def package_edges(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Without the arrows from a package's face to its own modules (that is what a face is for)."""
    return {m: {t for t in ts if not (MODULES[m].name == "__init__.py" and t.startswith(m + "."))}
            for m, ts in graph.items()}


def test_no_import_circle() -> None:
    assert circles(package_edges(GRAPH)) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_the_public_api_is_one_import_away() -> None:
    import sqllab
    from sqllab import (Lesson, LLMClient, check_llm_health, describe, generate_dataset, generate_exercises,
                        grade, load_dataset, run_query)
    from sqllab import db, generation, grading, llm, sandbox

    # the module paths of DESIGN.md's contracts name the same objects
    assert grade is grading.grade and run_query is sandbox.run_query
    assert load_dataset is db.load_dataset and describe is db.describe
    assert generate_dataset is generation.generate_dataset and generate_exercises is generation.generate_exercises
    assert LLMClient is llm.LLMClient and check_llm_health is llm.check_llm_health
    assert Lesson.__module__ == "sqllab.notebook.lesson"
    assert set(sqllab.__all__) <= set(dir(sqllab))
    with pytest.raises(AttributeError):
        sqllab.no_such_name  # noqa: B018


@pytest.mark.parametrize("package", sorted(m for m, p in MODULES.items() if p.name == "__init__.py"))
def test_each_part_says_what_it_owns(package: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[package].read_text(encoding="utf-8")))
    assert doc, f"{package}/__init__.py has no docstring"


def test_every_prompt_folder_is_a_declared_package() -> None:
    """Otherwise setuptools warns 'Package would be ignored' for it at every install."""
    packages = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                   ["tool"]["setuptools"]["packages"])
    folders = {f"sqllab._prompts.{d.name}" for d in (ROOT / "prompts").iterdir() if d.is_dir()}
    assert folders <= packages
    code = {module for module, path in MODULES.items() if path.name == "__init__.py"}
    assert code <= packages
