"""check_llm_health: healthy, unhealthy (refused, timeout, failing), model not listed. Never raises."""

from __future__ import annotations

import asyncio
from datetime import datetime

from llm_servers import MODEL, LLMTestServer, closed_port_url, hang, status
from sqllab.llm import LLMClient, RetryConfig, check_llm_health

FAST = RetryConfig(base_delay=0.01, max_delay=0.05)


def health(url: str, probe_timeout: float | None = None, **kw) -> dict:
    async def go():
        async with LLMClient(url, MODEL, retry=FAST, cache=True, **kw) as client:
            return await check_llm_health(client, timeout=probe_timeout)

    return asyncio.run(go())


def assert_common(report: dict) -> None:
    assert {"status", "model", "response_time", "timestamp"} <= set(report)
    assert datetime.fromisoformat(report["timestamp"]).tzinfo is not None


def test_healthy() -> None:
    with LLMTestServer() as server:
        first, second = health(server.url), health(server.url)
    for report in (first, second):
        assert_common(report)
        assert report["status"] == "healthy" and report["model"] == MODEL and "error" not in report
        assert report["response_time"] >= 0
    sent = server.chat_requests
    assert len(sent) == 2  # never from the cache
    assert sent[0].body["max_tokens"] <= 10 and sent[0].body["temperature"] == 0


def test_unhealthy_when_the_server_is_down() -> None:
    report = health(closed_port_url())
    assert_common(report)
    assert report["status"] == "unhealthy" and "sqllab llm serve" in report["error"]


def test_unhealthy_when_the_model_is_not_listed() -> None:
    with LLMTestServer(models=["other-model"]) as server:
        report = health(server.url)
    assert_common(report)
    assert report["status"] == "unhealthy"
    assert MODEL in report["error"] and "other-model" in report["error"]
    assert server.chat_count == 0


def test_unhealthy_when_completions_fail_with_one_attempt_only() -> None:
    with LLMTestServer(default=status(500)) as server:
        report = health(server.url)
    assert report["status"] == "unhealthy" and "500" in report["error"]
    assert server.chat_count == 1


def test_health_uses_a_short_timeout() -> None:
    with LLMTestServer(default=hang(5)) as server:
        report = health(server.url, probe_timeout=0.3)
    assert report["status"] == "unhealthy" and report["error_type"] == "LLMTimeoutError"


def test_error_in_the_clients_language() -> None:
    report = health(closed_port_url(), lang="ja")
    assert "起動" in report["error"]
