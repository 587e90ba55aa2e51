"""The embedded LLM: one llama.cpp server (xllamacpp) per user on 127.0.0.1, shared by every kernel.

The model (Qwen2.5-Coder-1.5B-Instruct by default, SmolLM2-135M as the small choice; see
``embedded_models``) is fetched from PyPI by ``pull()`` and kept in ``<SQLLAB_CACHE_DIR>/models``.

Lifecycle. ``ensure_running()`` is what the library calls when ``LLM_API_URL`` is unset or
``embedded``. The first process that needs the server starts ``python -m sqllab llm serve
--background`` as a detached process (its own session; log in ``<cache>/embedded-server.log``),
under a file lock so two kernels racing start exactly one. The server advertises itself in
``<cache>/embedded-server.json`` (pid, url, model, status); later kernels and ``sqllab``
commands reuse it after a health check. It stops by itself after ``SQLLAB_EMBEDDED_IDLE_S``
seconds without requests (its ``/metrics`` counters do not move and no process asked for it);
a crashed one (dead pid, refused connections) is started again on the next call, on the same
port when it is free, so clients made before keep working. ``start_in_background()`` begins
this and returns at once (a lesson opening); ``ensure_running(timeout)`` waits until healthy.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..errors import LLMModelError, SQLLabError
from ..settings import llm_settings, sqllab_settings
from . import embedded_models
from .embedded_models import DEFAULT, MODELS, ModelSpec
from .pull import PullProgress, ProgressCallback, file_lock, sha256_file
from .pull import pull as _pull

log = logging.getLogger(__name__)

STATE_FILE = "embedded-server.json"
LOCK_FILE = "embedded-server.lock"
LOG_FILE = "embedded-server.log"
PORT_FILE = "embedded-server.port"
READY_TIMEOUT_S = 300.0
CACHE_RAM_MIB = 512       # llama.cpp's host-memory prompt cache (its default, 8 GiB, is a lot here)

# kept for callers of the SmolLM2-only version
MODEL_FILE = embedded_models.SMOLLM2.file_name
MODEL_SHA256 = embedded_models.SMOLLM2.sha256


# --- which model ---------------------------------------------------------------------------

def physical_cores() -> int:
    """Physical cores this process may run on (``/proc/cpuinfo`` core ids among the CPUs of
    ``sched_getaffinity``); the logical CPU count when that cannot be read."""
    try:
        allowed = os.sched_getaffinity(0)
    except (AttributeError, OSError):
        allowed = set(range(os.cpu_count() or 1))
    cores: set[tuple[str, str]] = set()
    try:
        cpu = phys = core = None
        with open("/proc/cpuinfo") as fh:
            for line in [*fh, ""]:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "processor":
                    cpu = int(value)
                elif key == "physical id":
                    phys = value
                elif key == "core id":
                    core = value
                elif not key:                            # end of one processor's block
                    if cpu is not None and cpu in allowed and core is not None:
                        cores.add((phys or "0", core))
                    cpu = phys = core = None
    except (OSError, ValueError):
        cores = set()
    return max(1, min(len(cores), len(allowed)) if cores else len(allowed))


def default_threads() -> int:
    """Threads for llama.cpp when ``SQLLAB_EMBEDDED_THREADS`` is unset: the physical cores less
    one, at least one. Measured on the 2-core machine with the kernels and JupyterLab busy
    (load 5): Qwen2.5-Coder-1.5B generated 8–11 tokens/s with 1 thread and 1–1.6 with 2, as
    llama.cpp's threads wait on each other whenever another process takes a core."""
    return max(1, physical_cores() - 1)


def default_batch_threads() -> int:
    """Threads for reading a prompt (llama.cpp's batch threads) when ``SQLLAB_EMBEDDED_THREADS`` is
    unset: every physical core. A prompt is read in large batches, so the threads rarely wait on
    each other; on the quiet 2-core machine 2 threads read a 348-token feedback prompt at 76
    tokens/s against 40 with 1 (4.6 s instead of 8.8 s before the first word)."""
    return physical_cores()


def cached_model_path(model: str | ModelSpec = DEFAULT) -> Path:
    """Where ``pull(model)`` keeps the GGUF: ``<SQLLAB_CACHE_DIR>/models/<file name>``."""
    return sqllab_settings().cache_dir / "models" / embedded_models.spec(model).file_name


def configured_model() -> tuple[ModelSpec | None, Path | None]:
    """``SQLLAB_EMBEDDED_MODEL`` read as (registry entry, explicit GGUF path): a registry name
    gives (spec, None), a path gives (its spec if it is a known file name, path); unset gives
    the default model."""
    value = sqllab_settings().embedded_model
    if not value:
        return MODELS[DEFAULT], None
    known = embedded_models.lookup(value)
    if known is not None and not Path(value).expanduser().is_file():
        return known, None
    path = Path(value).expanduser()
    return embedded_models.by_file(path), path


def model_path_for(model: str | ModelSpec) -> Path | None:
    """The GGUF of a registry model on this machine: the pulled copy, or an installed package's."""
    spec = embedded_models.spec(model)
    cached = cached_model_path(spec)
    if cached.is_file():
        return cached
    if spec.module:
        import importlib.util

        found = importlib.util.find_spec(spec.module)
        if found and found.submodule_search_locations:
            candidate = Path(list(found.submodule_search_locations)[0]) / spec.file_name
            if candidate.is_file():
                return candidate
    return None


def find_model() -> Path | None:
    """The GGUF to serve (see ``configured_model``), or None when it is not on this machine."""
    spec, path = configured_model()
    if path is not None:
        return path.resolve() if path.is_file() else None
    found = model_path_for(spec) if spec else None
    return found.resolve() if found else None


def pull(model: str | ModelSpec = DEFAULT, *, force: bool = False, quiet: bool = True,
         progress: ProgressCallback | None = None, **kwargs: Any) -> Path:
    """Fetch a model from PyPI (see ``sqllab.llm.pull.pull``); ``quiet=False`` draws tqdm bars."""
    if progress is None and not quiet:
        from .pull import tqdm_progress

        progress = tqdm_progress()
    return _pull(model, force=force, progress=progress, **kwargs)


def verify(path: Path, model: str | ModelSpec | None = None) -> bool:
    """True when ``path`` is the GGUF the registry pins (for ``model`` or for its file name)."""
    spec = embedded_models.spec(model) if model else embedded_models.by_file(path)
    if spec is None or not Path(path).is_file():
        return False
    return Path(path).stat().st_size == spec.size and sha256_file(Path(path)) == spec.sha256


def _model_or_pull(progress: ProgressCallback | None = None) -> Path:
    model = find_model()
    if model is not None:
        return model
    spec, path = configured_model()
    if path is not None or spec is None or not sqllab_settings().auto_pull:
        raise LLMModelError(key="embedded.model_missing", path=path or cached_model_path(spec or DEFAULT))
    log.warning("embedded model missing; fetching %s from PyPI", spec.key)
    return _pull(spec, progress=progress)


# --- one server in this process --------------------------------------------------------------

@dataclass
class EmbeddedServer:
    """One xllamacpp server in this process. ``url`` is the OpenAI base URL (ends in /v1)."""

    model_path: Path
    alias: str
    threads: int = 0          # 0: default_threads()
    n_ctx: int = 9216
    n_parallel: int = 2
    port: int = 0

    def __post_init__(self) -> None:
        self._server = None
        self.url = ""

    @property
    def root(self) -> str:
        return self.url.removesuffix("/v1")

    def start(self, ready_timeout: float = READY_TIMEOUT_S, *, wait: bool = True) -> str:
        try:
            import xllamacpp
        except ImportError as exc:  # pragma: no cover - a broken install
            raise LLMModelError(key="embedded.not_installed", reason=str(exc)) from None
        threads = self.threads or default_threads()
        batch_threads = self.threads or default_batch_threads()
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.model_alias = {self.alias}
        params.n_ctx = self.n_ctx
        params.n_parallel = self.n_parallel
        params.port = self.port
        params.hostnames = ["127.0.0.1"]
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = batch_threads
        params.cache_prompt = True            # reuse a slot's prompt prefix (system prompt, schema)
        params.cache_ram_mib = CACHE_RAM_MIB
        params.endpoint_metrics = True        # the idle watch reads /metrics
        params.verbosity = 0
        try:
            self._server = xllamacpp.Server(params)
        except RuntimeError as exc:           # e.g. the port is taken
            raise LLMModelError(key="embedded.start_failed", seconds=0, reason=str(exc)) from None
        self.url = self._server.listening_address.rstrip("/") + "/v1"
        if wait:
            self.wait_ready(ready_timeout)
        return self.url

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        reason = "no answer"
        while time.monotonic() < deadline:
            ok, reason = _health(self.root, 2.0)
            if ok:
                return
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


def start_server(port: int = 0, *, model_path: Path | None = None,
                 progress: ProgressCallback | None = None, wait: bool = True) -> EmbeddedServer:
    """Start a server in this process with the configured model and settings."""
    settings = sqllab_settings()
    server = EmbeddedServer(
        model_path=model_path or _model_or_pull(progress), alias=llm_settings().model_name,
        threads=settings.embedded_threads or 0, n_ctx=settings.embedded_ctx,
        n_parallel=settings.embedded_parallel, port=port)
    server.start(wait=wait)
    return server


def _health(root: str, timeout: float) -> tuple[bool, str]:
    try:
        response = httpx.get(root + "/health", timeout=timeout)
    except httpx.ConnectError:
        return False, "connection refused"
    except httpx.HTTPError as exc:
        return False, type(exc).__name__
    return response.status_code == 200, f"HTTP {response.status_code}"


# --- state file, lock, pids -----------------------------------------------------------------

def state_file() -> Path:
    return sqllab_settings().cache_dir / STATE_FILE


def log_file() -> Path:
    return sqllab_settings().cache_dir / LOG_FILE


def _lock_file() -> Path:
    return sqllab_settings().cache_dir / LOCK_FILE


def read_state(path: Path | None = None) -> dict[str, Any] | None:
    try:
        state = json.loads((path or state_file()).read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def _write_state(state: dict[str, Any], path: Path | None = None) -> None:
    path = path or state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def _remove_state_if_mine(pid: int, path: Path | None = None) -> None:
    path = path or state_file()
    with contextlib.suppress(OSError):
        with file_lock(path.with_name(LOCK_FILE), timeout=10):
            state = read_state(path)
            if state and state.get("pid") == pid:
                path.unlink()


def _is_server_process(pid: int) -> bool:
    """Whether ``pid`` is a live ``sqllab llm serve`` (not a zombie, not a recycled pid)."""
    if pid <= 0:
        return False
    child = _children.get(pid)
    if child is not None:                       # ours: reaped by its thread, no zombie question
        return child.returncode is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    proc = Path(f"/proc/{pid}")
    if not proc.exists():
        return Path("/proc").exists() is False  # no procfs (macOS): trust kill(0)
    try:
        if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return False
        cmdline = (proc / "cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return False
    return b"sqllab" in cmdline and b"serve" in cmdline


def _terminate(pid: int, timeout: float = 30.0) -> bool:
    """SIGTERM a server process, SIGKILL after ``timeout``; True when it is gone."""
    if not _is_server_process(pid):
        return True
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _is_server_process(pid):
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    return not _is_server_process(pid)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the server binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _preferred_port() -> int:
    """The port the server had last time when it is free (clients made before keep working),
    else a new free one, remembered in ``<cache>/embedded-server.port``."""
    path = sqllab_settings().cache_dir / PORT_FILE
    with contextlib.suppress(OSError, ValueError):
        port = int(path.read_text().strip())
        if 1024 <= port < 65536 and _port_free(port):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(str(port))
    return port


# --- the detached server (this is what `sqllab llm serve --background` runs) ------------------

def _activity(root: str) -> tuple[float, ...] | None:
    """Counters from ``/metrics`` that move with every request (None when unreadable)."""
    try:
        text = httpx.get(root + "/metrics", timeout=5.0).text
    except httpx.HTTPError:
        return None
    wanted = ("prompt_tokens_total", "prompt_tokens_cached_total", "tokens_predicted_total",
              "n_decode_total", "requests_processing", "requests_deferred")
    values = {}
    for line in text.splitlines():
        if line.startswith("llamacpp:"):
            name, _, value = line[len("llamacpp:"):].partition(" ")
            if name in wanted:
                with contextlib.suppress(ValueError):
                    values[name] = float(value)
    return tuple(values.get(n, 0.0) for n in wanted)


def serve_forever(port: int = 0, *, on_ready=None, idle_s: float | None = None,
                  model: str | None = None, background: bool = False,
                  progress: ProgressCallback | None = None) -> None:
    """Run a server until SIGINT/SIGTERM or ``idle_s`` seconds without requests (0: never),
    advertising it in the state file. ``model`` overrides ``SQLLAB_EMBEDDED_MODEL``."""
    if model:
        os.environ["SQLLAB_EMBEDDED_MODEL"] = model
        from .. import settings as _settings

        _settings.reload()
    idle_s = sqllab_settings().embedded_idle_s if idle_s is None else idle_s
    path = state_file()
    pid = os.getpid()
    stop_event = threading.Event()
    watching = [False]

    def on_signal(*_: Any) -> None:
        if watching[0]:
            stop_event.set()
        else:                   # still pulling or loading: stop now (pull cleans up after itself)
            raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    base = {"pid": pid, "log": str(log_file()) if background else None, "idle_s": idle_s,
            "alias": llm_settings().model_name, "started_at": time.time(), "wanted": model}

    def publish(**fields: Any) -> None:
        with file_lock(path.with_name(LOCK_FILE), timeout=30):
            current = read_state(path)
            if background and current and current.get("pid") not in (pid, None) \
                    and _is_server_process(int(current["pid"])):
                return          # another server took over (e.g. a foreground `sqllab llm serve`)
            _write_state({**base, **fields}, path)

    server: EmbeddedServer | None = None
    failed = False
    try:
        model_path = find_model()
        if model_path is None:
            last = [0.0]

            def pulling(event: PullProgress) -> None:
                if progress:
                    progress(event)
                now = time.monotonic()
                if now - last[0] > 1.0 or event.stage == "done":
                    last[0] = now
                    publish(status="pulling", model=None, url=None,
                            progress={"stage": event.stage, "done": event.done, "total": event.total})

            publish(status="pulling", model=None, url=None)
            model_path = _model_or_pull(pulling)
        base["model"] = str(model_path)
        server = start_server(port=port, model_path=model_path, wait=False) if port == 0 else \
            _start_on(port, model_path)
        publish(status="loading", url=server.url)
        server.wait_ready()
        publish(status="ready", url=server.url)
        watching[0] = True
        if on_ready:
            on_ready(server)
        _watch(server, stop_event, idle_s, path)
    except SQLLabError as exc:
        failed = True
        publish(status="failed", url=None, error=exc.key, message=str(exc),
                params=json.loads(json.dumps(exc.params, default=str)))
        raise
    finally:
        if server is not None:
            server.stop()
        if not failed:                      # a failure stays in the state file for the callers
            _remove_state_if_mine(pid, path)


def _start_on(port: int, model_path: Path) -> EmbeddedServer:
    """Start on ``port``; when it is taken (a race), on any free port."""
    try:
        return start_server(port=port, model_path=model_path, wait=False)
    except LLMModelError:
        if _port_free(port):
            raise
        log.warning("port %s taken; using another", port)
        return start_server(port=0, model_path=model_path, wait=False)


def _watch(server: EmbeddedServer, stop_event: threading.Event, idle_s: float, path: Path) -> None:
    """Wait for a signal, or until no request came and no process asked for the server
    (``ensure_running`` touches the state file) for ``idle_s`` seconds."""
    poll = 0.5 if not idle_s else min(5.0, max(0.2, idle_s / 10))
    last_seen = time.monotonic()
    counters = _activity(server.root)
    touched = _mtime(path)
    while not stop_event.wait(poll):
        if not idle_s:
            continue
        now_counters, now_touched = _activity(server.root), _mtime(path)
        busy = now_counters is not None and (now_counters[4] > 0 or now_counters[5] > 0)
        if busy or now_counters != counters or now_touched != touched:
            last_seen = time.monotonic()
            counters, touched = now_counters, now_touched
        elif time.monotonic() - last_seen >= idle_s:
            print(f"idle for {idle_s:.0f} s: stopping", flush=True)
            return


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


# --- what kernels and commands call ------------------------------------------------------------

_lock = threading.RLock()
_memo: dict[str, str] = {}                 # model path -> URL of a server this process used
_children: dict[int, subprocess.Popen] = {}


def _wanted() -> str:
    """The model the server should serve: a GGUF path, or a registry key still to pull."""
    path = find_model()
    if path is not None:
        return str(path)
    spec, explicit = configured_model()
    if explicit is not None or spec is None or not sqllab_settings().auto_pull:
        raise LLMModelError(key="embedded.model_missing",
                            path=explicit or cached_model_path(spec or DEFAULT))
    return spec.key


def _same_model(state: dict[str, Any], wanted: str) -> bool:
    served = state.get("model")
    if served:
        return served == wanted or (wanted in MODELS and Path(served) == cached_model_path(wanted).resolve())
    return state.get("wanted") == wanted   # still pulling or starting


def status() -> dict[str, Any]:
    """The shared server as seen from here: ``{"status": "stopped"|"starting"|"pulling"|
    "loading"|"ready"|"failed", "pid", "url", "model", "progress", "log", ...}``."""
    state = read_state()
    if not state:
        return {"status": "stopped"}
    if not _is_server_process(int(state.get("pid") or 0)):
        return {**state, "status": "failed" if state.get("status") == "failed" else "stopped"}
    return state


def start_in_background(*, model: str | None = None) -> dict[str, Any]:
    """Make sure a shared server is running or starting, without waiting; returns ``status()``.

    Starts ``sqllab llm serve --background`` detached when no live server serves the wanted
    model (stopping one that serves another model). Safe when several processes race."""
    if model:
        os.environ["SQLLAB_EMBEDDED_MODEL"] = model
        from .. import settings as _settings

        _settings.reload()
    wanted = _wanted()
    path = state_file()
    try:
        return _start_locked(path, wanted)
    except TimeoutError:                    # another process holds the lock for a minute
        raise LLMModelError(key="embedded.not_ready", seconds=60, status="locked", log=log_file()) from None


def _start_locked(path: Path, wanted: str) -> dict[str, Any]:
    with file_lock(path.with_name(LOCK_FILE), timeout=60):
        state = read_state(path)
        if state and _is_server_process(int(state.get("pid") or 0)):
            broken = state.get("status") == "ready" and state.get("url") and \
                _health(state["url"].removesuffix("/v1"), 5.0)[1] == "connection refused"
            if _same_model(state, wanted) and not broken:
                _touch(path)
                return state
            log.warning("embedded server %s serves %s (%s): replacing it", state.get("pid"),
                        state.get("model"), "broken" if broken else "another model")
            _terminate(int(state["pid"]))
        path.unlink(missing_ok=True)
        state = _spawn(wanted)
        _write_state(state, path)
        return state


def _spawn(wanted: str) -> dict[str, Any]:
    settings = sqllab_settings()
    port = _preferred_port()
    cmd = [sys.executable, "-m", "sqllab", "llm", "serve", "--background", "--port", str(port),
           "--idle-s", str(settings.embedded_idle_s), "--model", wanted]
    logpath = log_file()
    logpath.parent.mkdir(parents=True, exist_ok=True)
    with open(logpath, "ab") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(cmd)}\n".encode())
        out.flush()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True, cwd=str(settings.cache_dir),
                                env={**os.environ, "SQLLAB_CACHE_DIR": str(settings.cache_dir)})
    _children[proc.pid] = proc
    from .capabilities import forget_served

    forget_served()
    threading.Thread(target=proc.wait, daemon=True, name=f"sqllab-reap-{proc.pid}").start()
    log.info("started the embedded server (pid %s, port %s, model %s)", proc.pid, port, wanted)
    return {"pid": proc.pid, "status": "starting", "url": None, "wanted": wanted, "model": None,
            "log": str(logpath), "port": port, "started_at": time.time()}


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(path)


def ensure_running(timeout: float | None = None) -> str:
    """The base URL (``…/v1``) of the shared embedded server, starting it if needed and waiting
    up to ``timeout`` seconds (default 300) until it answers. Raises ``LLMModelError``."""
    timeout = READY_TIMEOUT_S if timeout is None else timeout
    with _lock:
        wanted = _wanted()
        url = _memo.get(wanted)
        if url and _health(url.removesuffix("/v1"), 5.0)[0]:
            _touch(state_file())
            return url
        _memo.pop(wanted, None)
        deadline = time.monotonic() + timeout
        state = start_in_background()
        restarted = False
        while True:
            pid = int(state.get("pid") or 0)
            if state.get("status") == "failed" and state.get("error"):
                raise LLMModelError(key=state["error"], **state.get("params", {}))
            if not _is_server_process(pid):
                if restarted:
                    raise LLMModelError(key="embedded.server_died", log=state.get("log") or log_file(),
                                        tail=_log_tail(state.get("log")))
                restarted = True                       # it died while we waited: one more try
                state = start_in_background()
                continue
            if state.get("status") == "ready" and state.get("url") and \
                    _health(state["url"].removesuffix("/v1"), 5.0)[0]:
                _memo[wanted] = state["url"]
                return state["url"]
            if time.monotonic() > deadline:
                raise LLMModelError(key="embedded.not_ready", seconds=timeout,
                                    status=state.get("status", "?"), log=state.get("log") or log_file())
            time.sleep(0.2)
            state = read_state() or {}
            if not state:                               # it removed its state: it stopped
                state = {"pid": 0}


def _log_tail(logpath: str | None, lines: int = 3) -> str:
    try:
        text = Path(logpath or log_file()).read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])


def serves(base_url: str) -> bool:
    """Whether ``base_url`` is the shared embedded server (used here, or named by the state file)."""
    url = (base_url or "").rstrip("/")
    if not url:
        return False
    if url in _memo.values():
        return True
    state = read_state()
    return bool(state and state.get("url") == url)


def reconnect(base_url: str) -> str | None:
    """After a refused connection to ``base_url``: when it was the embedded server, start it
    again (same port when free) and return its URL; otherwise None."""
    if not serves(base_url):
        return None
    log.warning("the embedded server at %s is gone; starting it again", base_url)
    return ensure_running()


def stop() -> None:
    """Stop the servers this process started (others keep theirs)."""
    with _lock:
        for pid, proc in list(_children.items()):
            if proc.poll() is None:
                _terminate(pid)
            _children.pop(pid, None)
        _memo.clear()


def stop_background(timeout: float = 30.0) -> int | None:
    """Stop the shared server named by the state file; its pid, or None when none ran."""
    state = read_state()
    pid = int((state or {}).get("pid") or 0)
    if not _is_server_process(pid):
        state_file().unlink(missing_ok=True)
        return None
    _terminate(pid, timeout)
    _remove_state_if_mine(pid)
    with _lock:
        for key, url in list(_memo.items()):
            if state and url == state.get("url"):
                del _memo[key]
    return pid


def remove_cached_model(model: str | ModelSpec = DEFAULT) -> None:
    cached_model_path(model).unlink(missing_ok=True)
