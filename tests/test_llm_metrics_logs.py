"""Metrics (the seed's counters, correct average, p95, retries, cache) and the llm_request log event."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import threading

import pytest
import structlog

from llm_servers import MODEL, LLMTestServer, closed_port_url, status
from sqllab.errors import LLMConnectionError
from sqllab.llm import LLMClient, LLMMetrics, ResponseCache, RetryConfig
from sqllab.llm import logs
from sqllab.llm.logs import REQUEST_FIELDS, log_request

FAST = RetryConfig(base_delay=0.01, max_delay=0.05)


@pytest.fixture(autouse=True)
def info_level_logs():
    """Let info events through for capture_logs (sqllab's default level is WARNING)."""
    logs.configure()  # sqllab's own setup first, then only the level is lowered
    old = structlog.get_config()["wrapper_class"]
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG))
    logs.reset()
    yield
    structlog.configure(wrapper_class=old)
    logs.reset()


SECRET_PROMPT = "student Hanako Yamada wrote: SELECT * FROM secrets"


def test_average_and_percentiles_are_computed_over_all_requests() -> None:
    metrics = LLMMetrics()
    for i in range(1, 101):
        metrics.record_request(success=i % 10 != 0, response_time=i / 100, tokens=2)
    snap = metrics.snapshot()
    assert snap["total_requests"] == 100 and snap["failed_requests"] == 10
    assert snap["successful_requests"] == 90 and snap["total_tokens_used"] == 200
    assert snap["average_response_time"] == pytest.approx(0.505)
    assert snap["p95_response_time"] == pytest.approx(0.95)
    assert snap["p50_response_time"] == pytest.approx(0.50)
    assert LLMMetrics().snapshot()["p95_response_time"] is None


def test_metrics_are_thread_safe() -> None:
    metrics = LLMMetrics()

    def work() -> None:
        for _ in range(2000):
            metrics.record_request(True, 0.001, 1)
            metrics.record_cache(True)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    snap = metrics.snapshot()
    assert snap["total_requests"] == snap["total_tokens_used"] == snap["cache_hits"] == 8000


def test_client_records_requests_retries_tokens_and_cache() -> None:
    async def go(url: str) -> dict:
        async with LLMClient(url, MODEL, retry=FAST, cache=ResponseCache(persistent=False)) as client:
            await client.complete("a")
            await client.complete("a")
            return client.metrics.snapshot()

    with LLMTestServer([status(500)]) as server:
        snap = asyncio.run(go(server.url))
    assert snap["total_requests"] == 1 and snap["successful_requests"] == 1
    assert snap["retries"] == 1 and snap["cache_hits"] == 1 and snap["cache_misses"] == 1
    assert snap["total_tokens_used"] > 0 and snap["average_response_time"] > 0


def test_the_log_event_has_the_seeds_fields_and_no_prompt_text_or_key() -> None:
    async def go(url: str) -> None:
        async with LLMClient(url, MODEL, retry=FAST, api_key="sk-very-secret",
                             cache=ResponseCache(persistent=False)) as client:
            await client.complete(SECRET_PROMPT, system_prompt="system text", prompt_type="feedback")
            await client.complete(SECRET_PROMPT, system_prompt="system text", prompt_type="feedback")

    with LLMTestServer([status(503, "busy")]) as server, structlog.testing.capture_logs() as logs:
        asyncio.run(go(server.url))
    events = [e for e in logs if e["event"] == "llm_request"]
    assert len(events) == 2
    first, hit = events
    for name in ("prompt_type", "model", "temperature", "response_time", "tokens_used", "success",
                 "attempt", "cache_hit"):
        assert name in first
    assert first["prompt_type"] == "feedback" and first["success"] is True and first["attempt"] == 2
    assert first["cache_hit"] is False and hit["cache_hit"] is True
    text = json.dumps(logs, ensure_ascii=False)
    assert "Hanako" not in text and "SELECT" not in text and "sk-very-secret" not in text
    assert "system text" not in text and "echo" not in text


def test_a_failure_is_logged_with_its_error_type() -> None:
    async def go() -> None:
        async with LLMClient(closed_port_url(), MODEL, retry=FAST, max_retries=2) as client:
            await client.complete(SECRET_PROMPT)

    with structlog.testing.capture_logs() as logs, pytest.raises(LLMConnectionError):
        asyncio.run(go())
    (event,) = [e for e in logs if e["event"] == "llm_request"]
    assert event["success"] is False and event["error_type"] == "LLMConnectionError"
    assert event["attempt"] == 2 and "Hanako" not in json.dumps(event)


def test_unknown_fields_are_dropped() -> None:
    with structlog.testing.capture_logs() as logs:
        log_request(model="m", prompt="secret prompt", content="secret answer", api_key="k", success=True)
    assert set(logs[0]) <= set(REQUEST_FIELDS) | {"event", "log_level"}
    assert "secret" not in json.dumps(logs)


def test_logs_are_json_lines_on_stderr_at_the_configured_level(tmp_path) -> None:
    code = ("from sqllab.llm.logs import log_request\n"
            "log_request(model='m', success=True, tokens_used=3, prompt='never')\n")
    env_info = {"SQLLAB_LOG_LEVEL": "INFO", "SQLLAB_CACHE_DIR": str(tmp_path)}
    import os

    proc = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env_info},
                          capture_output=True, text=True, timeout=60)
    assert proc.stdout == ""
    line = json.loads(proc.stderr.strip().splitlines()[-1])
    assert line["event"] == "llm_request" and line["tokens_used"] == 3 and "prompt" not in line
    quiet = subprocess.run([sys.executable, "-c", code],
                           env={**os.environ, **env_info, "SQLLAB_LOG_LEVEL": "WARNING"},
                           capture_output=True, text=True, timeout=60)
    assert quiet.stderr.strip() == ""
