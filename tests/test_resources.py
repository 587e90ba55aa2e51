"""prompts/ and models/: read from the package in a wheel, from the top level in a checkout.

The wheel itself is built, installed and used by ``.ci/install_check`` (``make install-check``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from sqllab.llm import capabilities, prompts
from sqllab.resources import data_dir

ROOT = Path(__file__).resolve().parents[1]


def test_a_checkout_reads_the_top_level_folders() -> None:
    assert data_dir("prompts") == ROOT / "prompts"
    assert data_dir("models") == ROOT / "models"
    with pytest.raises(ValueError):
        data_dir("notebooks")


def test_the_build_maps_both_folders_into_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"] == {"sqllab._prompts": "prompts", "sqllab._models": "models"}
    assert {"sqllab._prompts", "sqllab._models"} <= set(config["packages"])
    data = config["package-data"]
    assert any(p.endswith(".md") for p in data["sqllab._prompts"]) and "*.toml" in data["sqllab._models"]


def test_overrides_still_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLLAB_PROMPTS_DIR", str(tmp_path / "p"))
    monkeypatch.setenv("SQLLAB_CAPABILITIES_FILE", str(tmp_path / "c.toml"))
    assert prompts.prompts_dir() == tmp_path / "p"
    assert capabilities.capabilities_file() == tmp_path / "c.toml"
    monkeypatch.delenv("SQLLAB_PROMPTS_DIR")
    monkeypatch.delenv("SQLLAB_CAPABILITIES_FILE")
    assert prompts.prompts_dir() == data_dir("prompts")
    assert capabilities.capabilities_file() == data_dir("models") / "capabilities.toml"
