"""Fixtures shared by the whole suite.

- The session gets a temporary ``SQLLAB_CACHE_DIR`` (notebook kernels under nbval inherit it;
  an embedded server they start is stopped at the end) and every test its own
  ``SQLLAB_CACHE_DIR`` (LLM cache, progress file, state files), so tests never see each other's
  files nor the user's. The embedded model of the suite is **SmolLM2** ("a model that answers",
  fast): ``SQLLAB_EMBEDDED_MODEL`` points at the copy ``make test`` pulled
  (``sqllab llm pull --model smollm2``), although Qwen is the default.
- ``embedded_llm`` is the URL of the shared embedded server (SmolLM2), started once per session
  as a detached ``sqllab llm serve`` exactly as a kernel starts it, reused by ``ensure_running()``
  in every test, started again if it stopped, and stopped at the end of the session. Tests using
  it carry the ``embedded`` marker.
- ``qwen_llm`` (tests marked ``qwen``) is the same with the real default model,
  Qwen2.5-Coder-1.5B-Instruct (``make model``): for the few tests that need real content.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sqllab import settings

_MODEL: Path | None = None      # SmolLM2, the suite's embedded model
_QWEN: Path | None = None       # the default model, for tests marked qwen
_SESSION_CACHE: Path | None = None
SERVER_IDLE_S = "600"           # servers started by tests stop by themselves if a run is killed


def pytest_configure(config: pytest.Config) -> None:
    global _MODEL, _QWEN, _SESSION_CACHE
    os.environ.setdefault("SQLLAB_LANG", "en")
    from sqllab.llm import embedded

    settings.reload()
    _MODEL = embedded.model_path_for("smollm2")          # from the user's cache, before it is replaced
    _QWEN = embedded.model_path_for("qwen2.5-coder-1.5b")
    # Kernels nbval starts for notebooks/ (outside this folder's fixtures) inherit this process's
    # environment: give them a cache of their own instead of the user's ~/.cache/sqllab.
    _SESSION_CACHE = Path(tempfile.mkdtemp(prefix="sqllab-test-cache-"))
    os.environ["SQLLAB_CACHE_DIR"] = str(_SESSION_CACHE)
    os.environ["SQLLAB_EMBEDDED_IDLE_S"] = SERVER_IDLE_S
    os.environ.pop("SQLLAB_PROGRESS_DB", None)
    if _MODEL is not None:
        os.environ["SQLLAB_EMBEDDED_MODEL"] = str(_MODEL)
    settings.reload()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_CACHE is not None:
        from sqllab.llm import embedded

        os.environ["SQLLAB_CACHE_DIR"] = str(_SESSION_CACHE)
        settings.reload()
        embedded.stop_background()          # one a notebook kernel started in the session cache
        shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SQLLAB_CACHE_DIR", str(cache))
    if _MODEL is not None:
        monkeypatch.setenv("SQLLAB_EMBEDDED_MODEL", str(_MODEL))
    monkeypatch.setenv("SQLLAB_EMBEDDED_IDLE_S", SERVER_IDLE_S)
    for name in ("LLM_API_URL", "LLM_MODEL_NAME", "LLM_API_KEY", "LLM_TIMEOUT", "LLM_MAX_RETRIES",
                 "LLM_TEMPERATURE", "LLM_MAX_TOKENS", "SQLLAB_PROGRESS_DB", "SQLLAB_MODEL_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    settings.reload()
    yield cache
    settings.reload()


@pytest.fixture(scope="session")
def embedded_model() -> Path:
    if _MODEL is None:
        pytest.fail("SmolLM2 is missing: run `sqllab llm pull --model smollm2` (make test does it)")
    return _MODEL


@pytest.fixture(scope="session")
def qwen_model() -> Path:
    if _QWEN is None:
        pytest.fail("Qwen2.5-Coder-1.5B-Instruct is missing: run `sqllab llm pull` (make model does it)")
    return _QWEN


def _shared_server(model: Path, state_dir: Path) -> str:
    """``ensure_running()`` for ``model`` with its state in ``state_dir`` (one per session), so
    every test's own cache dir reuses the same server."""
    from sqllab.llm import embedded

    saved = {k: os.environ.get(k) for k in ("SQLLAB_CACHE_DIR", "SQLLAB_EMBEDDED_MODEL", "SQLLAB_EMBEDDED_IDLE_S")}
    os.environ.update(SQLLAB_CACHE_DIR=str(state_dir), SQLLAB_EMBEDDED_MODEL=str(model),
                      SQLLAB_EMBEDDED_IDLE_S=SERVER_IDLE_S)
    settings.reload()
    try:
        return embedded.ensure_running(timeout=600)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        settings.reload()


@pytest.fixture(scope="session")
def _embedded_session(embedded_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from sqllab.llm import embedded

    state_dir = tmp_path_factory.mktemp("embedded-server")
    yield state_dir
    embedded.stop()          # every server this pytest process started, and only those


@pytest.fixture
def embedded_llm(embedded_model: Path, _embedded_session: Path) -> str:
    """The shared embedded server's base URL (SmolLM2), started on first use."""
    return _shared_server(embedded_model, _embedded_session)


@pytest.fixture(scope="session")
def _qwen_session(qwen_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from sqllab.llm import embedded

    state_dir = tmp_path_factory.mktemp("qwen-server")
    yield state_dir
    embedded.stop()


@pytest.fixture
def qwen_llm(qwen_model: Path, _qwen_session: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A shared embedded server with the real default model (Qwen2.5-Coder-1.5B-Instruct) for
    tests marked ``qwen``; its base URL. The test's ``SQLLAB_EMBEDDED_MODEL`` points at Qwen too,
    so ``default_client()`` and the capability profile follow it."""
    monkeypatch.setenv("SQLLAB_EMBEDDED_MODEL", str(qwen_model))
    settings.reload()
    return _shared_server(qwen_model, _qwen_session)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that use the embedded model must carry the ``embedded`` marker. Browser tests need Debian's Chromium. `.ci/run` installs it; on a developer machine
    without it they are skipped with the command that installs it (in CI they fail instead)."""
    # `pytest -m "not embedded"` (no model) must not start the model: a test that uses it says so
    unmarked = [item.nodeid for item in items if "embedded" not in item.keywords
                and {"embedded_llm", "embedded_model"} & set(getattr(item, "fixturenames", ()))]
    if unmarked:
        raise pytest.UsageError("tests using the embedded model need @pytest.mark.embedded: " + ", ".join(unmarked))
    unmarked = [item.nodeid for item in items if "qwen" not in item.keywords
                and {"qwen_llm", "qwen_model"} & set(getattr(item, "fixturenames", ()))]
    if unmarked:
        raise pytest.UsageError("tests using the Qwen model need @pytest.mark.qwen: " + ", ".join(unmarked))
    if shutil.which("chromium") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="needs Debian's chromium: sudo apt-get install chromium fonts-noto-cjk")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
