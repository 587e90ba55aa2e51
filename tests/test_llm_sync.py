"""The sync facade: plain Python, inside a running event loop (a Jupyter widget callback), streams."""

from __future__ import annotations

import asyncio

import pytest

from llm_servers import MODEL, LLMTestServer, closed_port_url, ok
from sqllab.errors import LLMConnectionError
from sqllab.llm import LLMClient, RetryConfig

FAST = RetryConfig(base_delay=0.01, max_delay=0.05)


def test_sync_complete_in_plain_python() -> None:
    with LLMTestServer() as server:
        client = LLMClient(server.url, MODEL, retry=FAST)
        with client.sync as sync:
            assert sync.complete("one").content == "echo: one"
            assert sync.complete("two").content == "echo: two"
    assert server.chat_count == 2


def test_sync_complete_inside_a_running_event_loop() -> None:
    """What a widget callback does: blocking calls while the kernel's loop runs."""

    async def kernel(url: str) -> tuple[str, str, list[str]]:
        client = LLMClient(url, MODEL, retry=FAST)
        asyncio.get_running_loop()  # we are inside a running loop, asyncio.run() would fail here
        probe = asyncio.sleep(0)
        with pytest.raises(RuntimeError):
            asyncio.run(probe)
        probe.close()
        blocking = client.sync.complete("from a callback").content
        awaited = (await client.complete("awaited on the kernel loop")).content  # same client, both loops
        chunks = list(client.sync.stream("streamed in a callback"))
        await client.close()
        return blocking, awaited, chunks

    with LLMTestServer() as server:
        blocking, awaited, chunks = asyncio.run(kernel(server.url))
    assert blocking == "echo: from a callback" and awaited == "echo: awaited on the kernel loop"
    assert len(chunks) > 1 and "".join(chunks) == "echo: streamed in a callback"


def test_sync_errors_are_the_same_types() -> None:
    client = LLMClient(closed_port_url(), MODEL, retry=FAST)
    with pytest.raises(LLMConnectionError):
        client.sync.complete("x")
    with pytest.raises(LLMConnectionError):
        list(client.sync.stream("x"))


def test_leaving_a_sync_stream_early_frees_the_request() -> None:
    with LLMTestServer(default=ok("x" * 400)) as server:
        client = LLMClient(server.url, MODEL, retry=FAST, max_concurrency=1)
        for chunk in client.sync.stream("long"):
            break
        # the single slot was released: the next call does not wait forever
        assert client.sync.complete("next").content == "x" * 400
        client.sync.close()


def test_sync_complete_json() -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    with LLMTestServer(default=ok('{"ok": true}')) as server:
        assert LLMClient(server.url, MODEL).sync.complete_json("q", schema) == {"ok": True}
