"""batch_generate and the rate limiter: input order, failures in place, concurrency caps."""

from __future__ import annotations

import asyncio

from llm_servers import MODEL, LLMTestServer, ok, status
from sqllab.errors import LLMError, LLMHTTPError
from sqllab.llm import LLMClient, LLMResponse, RetryConfig, batch_generate

FAST = RetryConfig(base_delay=0.01, max_delay=0.05)


def slow_responder(body: dict):
    prompt = body["messages"][-1]["content"]
    if prompt == "p3":
        return status(400, "refused on purpose")
    # later prompts answer sooner, so completion order differs from input order
    return ok(delay=0.02 * (10 - int(prompt[1:]) % 10))


def test_results_keep_input_order_and_one_failure_stays_in_its_slot() -> None:
    seen: list[int] = []

    async def go(url: str):
        async with LLMClient(url, MODEL, retry=FAST) as client:
            return await batch_generate(client, [f"p{i}" for i in range(8)], concurrency=8,
                                        on_result=lambda i, _: seen.append(i))

    with LLMTestServer(responder=slow_responder) as server:
        results = asyncio.run(go(server.url))
    assert isinstance(results[3], LLMHTTPError) and isinstance(results[3], LLMError)
    assert results[3].status_code == 400
    for i, result in enumerate(results):
        if i != 3:
            assert isinstance(result, LLMResponse) and result.content == f"echo: p{i}"
    assert sorted(seen) == list(range(8)) and seen != list(range(8))  # finished out of order
    assert server.chat_count == 8


def test_batch_concurrency_caps_requests_in_flight() -> None:
    async def go(url: str):
        async with LLMClient(url, MODEL, retry=FAST) as client:
            return await batch_generate(client, [f"q{i}" for i in range(20)], concurrency=3)

    with LLMTestServer(default=ok(delay=0.05)) as server:
        results = asyncio.run(go(server.url))
    assert all(isinstance(r, LLMResponse) for r in results)
    assert server.chat_count == 20
    assert 2 <= server.max_in_flight <= 3


def test_client_max_concurrency_caps_plain_gather_too() -> None:
    async def go(url: str):
        async with LLMClient(url, MODEL, retry=FAST, max_concurrency=2) as client:
            return await asyncio.gather(*(client.complete(f"r{i}") for i in range(20)))

    with LLMTestServer(default=ok(delay=0.05)) as server:
        results = asyncio.run(go(server.url))
    assert [r.content for r in results] == [f"echo: r{i}" for i in range(20)]
    assert server.max_in_flight == 2


def test_batch_defaults_to_the_clients_max_concurrency() -> None:
    async def go(url: str):
        async with LLMClient(url, MODEL, retry=FAST, max_concurrency=5) as client:
            return await batch_generate(client, [f"s{i}" for i in range(20)])

    with LLMTestServer(default=ok(delay=0.05)) as server:
        asyncio.run(go(server.url))
    assert 2 <= server.max_in_flight <= 5


def test_empty_batch() -> None:
    async def go():
        async with LLMClient("http://127.0.0.1:1/v1", MODEL) as client:
            return await batch_generate(client, [])

    assert asyncio.run(go()) == []
