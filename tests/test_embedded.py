"""The embedded llama.cpp server with the real SmolLM2 model: real completions, no mocks."""

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

from sqllab import settings
from sqllab.errors import LLMModelError, SQLLabError
from sqllab.llm import embedded

pytestmark = pytest.mark.embedded


def test_model_file_matches_published_checksum(embedded_model: Path) -> None:
    assert embedded.verify(embedded_model)


def test_verify_rejects_a_changed_file(tmp_path: Path, embedded_model: Path) -> None:
    copy = tmp_path / "model.gguf"
    data = bytearray(embedded_model.read_bytes()[: 1 << 20])
    data[100] ^= 0xFF
    copy.write_bytes(bytes(data))
    assert not embedded.verify(copy)


def test_missing_model_without_auto_pull_says_how_to_get_it(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SQLLAB_EMBEDDED_MODEL", str(tmp_path / "nothing.gguf"))
    settings.reload()
    with pytest.raises(LLMModelError) as info:
        embedded.start_server()
    assert "sqllab llm pull" in info.value.message_in("en")
    assert "sqllab llm pull" in info.value.message_in("ja")
    assert isinstance(info.value, SQLLabError)


def test_server_serves_the_configured_model_name(embedded_llm: str) -> None:
    models = httpx.get(embedded_llm + "/models", timeout=10).json()
    assert [m["id"] for m in models["data"]] == [settings.llm_settings().model_name]
    assert embedded_llm.startswith("http://127.0.0.1:")


def test_ensure_running_reuses_the_running_server(embedded_llm: str) -> None:
    assert embedded.ensure_running() == embedded_llm


def test_raw_chat_completion_and_json_schema(embedded_llm: str) -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
              "required": ["name", "age"]}
    body = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "A person as JSON"}],
            "max_tokens": 60, "temperature": 0, "seed": 1,
            "response_format": {"type": "json_schema", "json_schema": {"name": "p", "schema": schema}}}
    reply = httpx.post(embedded_llm + "/chat/completions", json=body, timeout=60).json()
    data = json.loads(reply["choices"][0]["message"]["content"])
    assert isinstance(data["name"], str) and isinstance(data["age"], int)
    assert reply["usage"]["completion_tokens"] > 0


def test_llm_serve_advertises_itself_and_stops_on_sigterm(embedded_model: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SQLLAB_CACHE_DIR": str(tmp_path), "SQLLAB_EMBEDDED_MODEL": str(embedded_model)}
    proc = subprocess.Popen([sys.executable, "-m", "sqllab", "llm", "serve", "--port", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert "serving" in line, line
        state = json.loads((tmp_path / embedded.STATE_FILE).read_text())
        assert state["pid"] == proc.pid
        # another process (here: this one, with the same cache dir) reuses it instead of starting one
        probe = subprocess.run(
            [sys.executable, "-c", "from sqllab.llm import embedded; print(embedded.ensure_running())"],
            env=env, capture_output=True, text=True, timeout=60)
        assert probe.stdout.strip() == state["url"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    assert not (tmp_path / embedded.STATE_FILE).exists()
    with pytest.raises(httpx.HTTPError):
        httpx.get(state["url"] + "/models", timeout=2)
