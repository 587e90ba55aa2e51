"""Where the files sqllab ships beside its code live: ``prompts/`` and ``models/``.

In the repository both folders sit at the top level (the product card's layout). A wheel maps
them into the package at build time (``sqllab/_prompts``, ``sqllab/_models``; see
``[tool.setuptools.package-dir]`` in pyproject.toml), and they are found there with
``importlib.resources``. A source checkout or an editable install has no such folders inside
the package and reads the top-level ones.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SHIPPED = ("prompts", "models")


def data_dir(name: str) -> Path:
    """The directory of shipped data ``name`` (``prompts`` or ``models``)."""
    if name not in SHIPPED:
        raise ValueError(f"unknown data folder {name!r}; one of {', '.join(SHIPPED)}")
    packaged = files(__package__) / f"_{name}"
    if packaged.is_dir():                      # an installed wheel
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / name      # the repository (also editable installs)
