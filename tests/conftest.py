"""Fixtures shared by the whole suite.

- The session gets a temporary ``SQLLAB_CACHE_DIR`` (notebook kernels under nbval inherit it)
  and every test its own ``SQLLAB_CACHE_DIR`` (LLM cache, progress file, state files), so tests
  never see each other's files nor the user's; the embedded model is still found through
  ``SQLLAB_EMBEDDED_MODEL``, pointed at the copy ``make test`` pulled.
- ``embedded_llm`` starts the real embedded llama.cpp server once per session (real completions).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from sqllab import settings

_MODEL: Path | None = None
_SESSION_CACHE: Path | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _MODEL, _SESSION_CACHE
    os.environ.setdefault("SQLLAB_LANG", "en")
    from sqllab.llm import embedded

    settings.reload()
    _MODEL = embedded.find_model()
    # Kernels nbval starts for notebooks/ (outside this folder's fixtures) inherit this process's
    # environment: give them a cache of their own instead of the user's ~/.cache/sqllab.
    _SESSION_CACHE = Path(tempfile.mkdtemp(prefix="sqllab-test-cache-"))
    os.environ["SQLLAB_CACHE_DIR"] = str(_SESSION_CACHE)
    os.environ.pop("SQLLAB_PROGRESS_DB", None)
    if _MODEL is not None:
        os.environ["SQLLAB_EMBEDDED_MODEL"] = str(_MODEL)
    settings.reload()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_CACHE is not None:
        shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SQLLAB_CACHE_DIR", str(cache))
    if _MODEL is not None:
        monkeypatch.setenv("SQLLAB_EMBEDDED_MODEL", str(_MODEL))
    for name in ("LLM_API_URL", "LLM_MODEL_NAME", "LLM_API_KEY", "LLM_TIMEOUT", "LLM_MAX_RETRIES",
                 "LLM_TEMPERATURE", "LLM_MAX_TOKENS", "SQLLAB_PROGRESS_DB"):
        monkeypatch.delenv(name, raising=False)
    settings.reload()
    yield cache
    settings.reload()


@pytest.fixture(scope="session")
def embedded_model() -> Path:
    if _MODEL is None:
        pytest.fail("the embedded model is missing: run `sqllab llm pull` (make test does it)")
    return _MODEL


@pytest.fixture(scope="session")
def embedded_llm(embedded_model: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real embedded server for the whole session; ``ensure_running()`` reuses it."""
    from sqllab.llm import embedded

    old = os.environ.get("SQLLAB_EMBEDDED_MODEL")
    os.environ["SQLLAB_EMBEDDED_MODEL"] = str(embedded_model)
    settings.reload()
    try:
        url = embedded.ensure_running()
    finally:
        if old is None:
            os.environ.pop("SQLLAB_EMBEDDED_MODEL", None)
    yield url
    embedded.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that use the embedded model must carry the ``embedded`` marker. Browser tests need Debian's Chromium. `.ci/run` installs it; on a developer machine
    without it they are skipped with the command that installs it (in CI they fail instead)."""
    # `pytest -m "not embedded"` (no model) must not start the model: a test that uses it says so
    unmarked = [item.nodeid for item in items if "embedded" not in item.keywords
                and {"embedded_llm", "embedded_model"} & set(getattr(item, "fixturenames", ()))]
    if unmarked:
        raise pytest.UsageError("tests using the embedded model need @pytest.mark.embedded: " + ", ".join(unmarked))
    if shutil.which("chromium") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="needs Debian's chromium: sudo apt-get install chromium fonts-noto-cjk")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
