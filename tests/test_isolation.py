"""The test suite leaves the user's files alone: notebook kernels under nbval get a cache of their
own, and screenshots go to a temporary folder unless ``make screenshots`` asks for docs/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_nbval_kernels_do_not_write_to_the_users_cache(tmp_path: Path) -> None:
    home_cache = tmp_path / "xdg-cache"                 # stands for ~/.cache
    env = {k: v for k, v in os.environ.items() if not k.startswith("SQLLAB_")}
    env.update(XDG_CACHE_HOME=str(home_cache), SQLLAB_LLM_MODE="offline", SQLLAB_LANG="en")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                           "tests/test_compose.py", "notebooks/en/01_select.ipynb"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "passed" in proc.stdout
    written = [str(p.relative_to(home_cache)) for p in home_cache.rglob("*")] if home_cache.exists() else []
    assert written == [], written


def test_screenshots_go_to_a_temporary_folder_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import test_browser

    monkeypatch.delenv("SQLLAB_SCREENSHOTS_DIR", raising=False)
    default = test_browser.shots_dir()
    assert ROOT / "docs" not in default.parents and default != ROOT / "docs" / "screenshots"
    monkeypatch.setenv("SQLLAB_SCREENSHOTS_DIR", "docs/screenshots")       # what `make screenshots` sets
    assert test_browser.shots_dir() == Path("docs/screenshots")
