"""One embedded server per user, shared by every kernel: real processes, the real xllamacpp
server with SmolLM2, no mocks.

Each "kernel" is a separate Python process with the test's own ``SQLLAB_CACHE_DIR``; every
server these tests start listens on 127.0.0.1, has a short idle time (so it stops by itself),
and is stopped by the test that started it (by the pid it recorded).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sqllab.llm import capabilities
from sqllab import settings
from sqllab.llm import LLMClient, default_client, embedded, embedded_models

pytestmark = pytest.mark.embedded

KERNEL = """
import json, os, sys, time
from pathlib import Path
from sqllab.llm import embedded
go = Path(sys.argv[1]) if len(sys.argv) > 1 else None
if go is not None:                      # imported and waiting: say so, then start with the other
    Path(f"{go}.{os.getpid()}").touch()
    while not go.exists():
        time.sleep(0.01)
url = embedded.ensure_running(timeout=240)
print(json.dumps({"url": url, "pid": embedded.status()["pid"], "me": os.getpid()}))
"""


@pytest.fixture
def cache(tmp_path: Path, embedded_model: Path) -> dict:
    """An environment of its own (state, lock, log, port) for one user; servers stop after 60 s idle."""
    env = {**os.environ, "SQLLAB_CACHE_DIR": str(tmp_path / "cache"), "SQLLAB_EMBEDDED_MODEL": str(embedded_model),
           "SQLLAB_EMBEDDED_IDLE_S": "60", "SQLLAB_LANG": "en"}
    started: list[int] = []
    yield {"env": env, "dir": tmp_path / "cache", "started": started}
    for pid in {*started, *_servers_in(tmp_path / "cache")}:   # the servers this test caused, only those
        _stop(pid)


def _stop(pid: int) -> None:
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        _wait_gone(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def _wait_gone(pid: int, limit: float = 120) -> None:
    deadline = time.monotonic() + limit           # a bound against hanging, not a timed assertion
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), f"server {pid} still running"


def _kernel(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", KERNEL, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _servers_in(folder: Path) -> list[int]:
    """Live `sqllab llm serve` processes working in ``folder`` (the spawner sets their cwd)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if b"serve" in cmd and b"sqllab" in cmd and Path(cwd) == folder and _alive(int(entry.name)):
            pids.append(int(entry.name))
    return pids


def test_first_kernel_starts_a_detached_server_and_the_next_reuses_it(cache: dict) -> None:
    first = _result(_kernel(cache["env"]))
    cache["started"].append(first["pid"])
    assert first["pid"] != first["me"] and first["url"].startswith("http://127.0.0.1:")
    assert os.getsid(first["pid"]) == first["pid"]              # its own session: detached
    # the kernel that started it has exited; the server goes on and answers
    assert httpx.get(first["url"].removesuffix("/v1") + "/health", timeout=10).status_code == 200
    second = _result(_kernel(cache["env"]))
    assert (second["url"], second["pid"]) == (first["url"], first["pid"])
    state = json.loads((cache["dir"] / embedded.STATE_FILE).read_text())
    assert state["status"] == "ready" and state["pid"] == first["pid"]
    assert Path(state["log"]).is_file() and "serving" in Path(state["log"]).read_text()


def test_two_kernels_racing_start_exactly_one_server(cache: dict, tmp_path: Path) -> None:
    go = tmp_path / "go"
    kernels = [_kernel(cache["env"], str(go)) for _ in range(2)]
    while len(list(tmp_path.glob("go.*"))) < 2:     # both imported sqllab and wait at the same line
        assert all(k.poll() is None for k in kernels)
        time.sleep(0.05)
    go.touch()
    results = [_result(k) for k in kernels]
    cache["started"].extend({r["pid"] for r in results})
    assert results[0]["url"] == results[1]["url"] and results[0]["pid"] == results[1]["pid"]
    assert _servers_in(cache["dir"]) == [results[0]["pid"]]
    assert Path(cache["dir"] / embedded.LOG_FILE).read_text().count(" llm serve --background") == 1


def test_an_idle_server_stops_by_itself(cache: dict) -> None:
    env = {**cache["env"], "SQLLAB_EMBEDDED_IDLE_S": "2"}
    started = _result(_kernel(env))
    cache["started"].append(started["pid"])
    reply = httpx.post(started["url"] + "/chat/completions", timeout=60,
                       json={"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "hi"}],
                             "max_tokens": 4})
    assert reply.status_code == 200
    _wait_gone(started["pid"])
    assert not (cache["dir"] / embedded.STATE_FILE).exists()
    assert "idle for 2 s: stopping" in (cache["dir"] / embedded.LOG_FILE).read_text()


CRASH = """
import asyncio, json, os, signal, time
from sqllab.llm import default_client, embedded
client = default_client(cache=None)
first, url = embedded.status()["pid"], client.base_url
os.kill(first, signal.SIGKILL)                  # the server crashes between two requests
while embedded.status()["status"] != "stopped":
    time.sleep(0.05)
reply = asyncio.run(client.complete("Say hi.", max_tokens=4, temperature=0))
print(json.dumps({"first": first, "second": embedded.status()["pid"], "url": url,
                  "url_after": client.base_url, "text": reply.content}))
"""


def test_a_crashed_server_is_started_again_on_the_next_request(cache: dict) -> None:
    done = subprocess.run([sys.executable, "-c", CRASH], env=cache["env"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    cache["started"].extend([result["first"], result["second"]])
    assert result["second"] != result["first"] and _alive(result["second"])
    assert not _alive(result["first"])
    assert result["text"].strip()
    assert result["url_after"] == result["url"]          # same port: clients made before keep working


def test_a_dead_server_named_by_a_stale_state_file_is_replaced(cache: dict) -> None:
    first = _result(_kernel(cache["env"]))
    cache["started"].append(first["pid"])
    os.kill(first["pid"], signal.SIGKILL)
    _wait_gone(first["pid"])
    assert json.loads((cache["dir"] / embedded.STATE_FILE).read_text())["pid"] == first["pid"]  # stale
    second = _result(_kernel(cache["env"]))
    cache["started"].append(second["pid"])
    assert second["pid"] != first["pid"] and _alive(second["pid"])


def _sqllab(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sqllab", "llm", *args], env=env, capture_output=True,
                          text=True, timeout=300)


def test_cli_start_returns_at_once_then_wait_status_and_stop(cache: dict) -> None:
    env = cache["env"]
    started = _sqllab(env, "start")
    assert started.returncode == 0, started.stderr
    state = json.loads((cache["dir"] / embedded.STATE_FILE).read_text())
    cache["started"].append(state["pid"])
    assert state["status"] in {"starting", "loading", "ready"} and f"pid {state['pid']}" in started.stdout
    ready = _sqllab(env, "start", "--wait", "--lang", "ja")
    assert ready.returncode == 0 and "準備できています" in ready.stdout
    status = _sqllab(env, "status")
    assert status.returncode == 0 and json.loads(status.stdout)["pid"] == state["pid"]
    stopped = _sqllab(env, "stop")
    assert stopped.returncode == 0 and str(state["pid"]) in stopped.stdout
    assert not _alive(state["pid"])
    assert _sqllab(env, "status").returncode == 1
    assert "no embedded server" in _sqllab(env, "stop").stdout


def test_profile_follows_the_model_the_server_reports(embedded_model: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """`export LLM_API_URL=<url of sqllab llm serve>` gets the served GGUF's profile, not `default`."""
    env = {**os.environ, "SQLLAB_CACHE_DIR": str(tmp_path / "server"), "SQLLAB_EMBEDDED_MODEL": str(embedded_model)}
    server = subprocess.Popen([sys.executable, "-m", "sqllab", "llm", "serve", "--port", "0", "--idle-s", "120"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert "serving" in server.stdout.readline()
        url = json.loads((tmp_path / "server" / embedded.STATE_FILE).read_text())["url"]
        capabilities.forget_served()
        monkeypatch.setenv("LLM_API_URL", url)
        settings.reload()
        client = LLMClient(url, "gpt-3.5-turbo")
        assert not embedded.serves(url)                     # not this process's own server...
        assert capabilities.profile_name_for(client) == embedded_model.name    # ...yet its profile
        assert capabilities.profile_for(client).name == embedded_model.name
        monkeypatch.setenv("SQLLAB_MODEL_PROFILE", "all")   # the override still wins
        assert capabilities.profile_name_for(client) == "all"
        monkeypatch.delenv("SQLLAB_MODEL_PROFILE")
        other = tmp_path / "capabilities.toml"              # no profile for that file: the model id
        other.write_text('min_pass_rate = 0.5\n[profiles.default]\ndescription = "x"\n')
        monkeypatch.setenv("SQLLAB_CAPABILITIES_FILE", str(other))
        assert capabilities.profile_name_for(client) == "gpt-3.5-turbo"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        capabilities.forget_served()


def test_threads_default_to_the_physical_cores_less_one() -> None:
    cores = embedded.physical_cores()
    assert 1 <= cores <= len(os.sched_getaffinity(0))
    assert embedded.default_threads() == max(1, cores - 1)
    assert embedded.default_batch_threads() == cores          # prompts are read on every core
    assert settings.sqllab_settings().embedded_threads is None     # unset: the default above
    assert settings.sqllab_settings().embedded_ctx == 9216 and settings.sqllab_settings().embedded_parallel == 2


@pytest.mark.qwen
def test_the_qwen_fixture_serves_the_default_model(qwen_llm: str) -> None:
    assert capabilities.served_model_file(qwen_llm) == embedded_models.QWEN.file_name
    client = default_client(cache=None)
    assert client.base_url == qwen_llm                        # ensure_running() reuses it
    assert client.sync.complete("Say hi.", max_tokens=4, temperature=0).content.strip()
