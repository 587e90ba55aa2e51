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


STREAM_SCRIPT = """
import sys, tempfile
from pathlib import Path
from llm_servers import LLMTestServer, ok
from sqllab.llm import LLMClient
from test_feedback import Lesson, run

with LLMTestServer(default=ok("Look at the rows where the value is NULL. They compare as unknown. " * 3)) as server:
    chunks = run(Lesson("en", Path(tempfile.mkdtemp())), server.url)   # feedback() through client.sync.stream
    client = LLMClient(server.url, "gpt-3.5-turbo")
    whole = list(client.sync.stream("whole", use_cache=False))           # consumed to the end
    for _ in client.sync.stream("early", use_cache=False):               # left after one chunk
        break
    client.sync.close()
print("feedback chunks", len(chunks), "stream chunks", len(whole), flush=True)
"""


def test_consuming_streams_through_the_sync_facade_leaves_no_pending_task(tmp_path) -> None:
    """The process exits without "Task was destroyed but it is pending!" or other asyncio noise."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), os.environ.get("PYTHONPATH", "")]),
           "SQLLAB_CACHE_DIR": str(tmp_path / "cache"), "SQLLAB_MODEL_PROFILE": "all", "PYTHONWARNINGS": "default"}
    proc = subprocess.run([sys.executable, "-c", STREAM_SCRIPT], capture_output=True, text=True, env=env,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "feedback chunks" in proc.stdout and "stream chunks 0" not in proc.stdout, proc.stdout
    for noise in ("Task was destroyed", "was never awaited", "Exception ignored", "Traceback"):
        assert noise not in proc.stderr, proc.stderr



def test_streams_close_their_async_generators_on_the_loop() -> None:
    """The root of "Task was destroyed but it is pending!": an async generator left suspended (httpx's
    line iterator after [DONE], a stream left early) is finalized by the garbage collector, whose hook
    schedules its aclose() as a task on the background loop, a task that the loop stopping at exit
    destroys. Every generator must be closed where it is used: the hook must never be needed."""
    import sys
    import threading

    from sqllab.llm.sync import background_loop

    loop = background_loop()
    finalized: list[str] = []
    installed = threading.Event()
    saved = []

    def watch() -> None:                           # asyncgen hooks are per thread: set them in the loop's
        hooks = sys.get_asyncgen_hooks()
        saved.append(hooks)

        def finalizer(agen):
            finalized.append(getattr(agen, "__qualname__", repr(agen)))
            hooks.finalizer(agen)

        sys.set_asyncgen_hooks(firstiter=hooks.firstiter, finalizer=finalizer)
        installed.set()

    loop.call_soon_threadsafe(watch)
    assert installed.wait(5)
    try:
        with LLMTestServer(default=ok("x. " * 100)) as server:
            client = LLMClient(server.url, MODEL, retry=FAST)
            assert len(list(client.sync.stream("whole", use_cache=False))) > 1
            for _ in client.sync.stream("early", use_cache=False):
                break
            assert client.sync.complete("after").content
            client.sync.close()
        assert finalized == [], finalized
    finally:
        done = threading.Event()
        loop.call_soon_threadsafe(lambda: (sys.set_asyncgen_hooks(*saved[0]), done.set()))
        done.wait(5)


def test_stopping_the_background_loop_finishes_what_still_runs() -> None:
    """At exit (``_stop``) tasks still pending are cancelled and awaited before the loop stops,
    so none is destroyed pending."""
    import threading

    from sqllab.llm import sync

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def slow() -> None:
        await asyncio.sleep(60)

    future = asyncio.run_coroutine_threadsafe(slow(), loop)
    sync._stop(loop, thread)
    assert not thread.is_alive()
    assert future.cancelled()
    assert [t for t in asyncio.all_tasks(loop) if not t.done()] == []
    loop.close()
