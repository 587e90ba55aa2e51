"""Blocking twin of ``LLMClient`` that also works inside a running event loop.

A Jupyter widget callback runs in the kernel's thread while the kernel's event loop is
running, so ``asyncio.run`` is not allowed there. Instead every call is sent to one dedicated
event loop in a background thread (``asyncio.run_coroutine_threadsafe``) and the caller waits
for the result. No nest_asyncio.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import queue
import threading
from typing import Any, AsyncIterator, Coroutine, Iterator, Protocol, TypeVar

T = TypeVar("T")


class AsyncLLM(Protocol):
    """What the blocking twin needs of an async client (``LLMClient`` is one). The client module
    imports this one, never the other way round."""

    async def complete(self, prompt: str, system_prompt: str | None = None, **kw: Any) -> Any: ...

    async def complete_json(self, prompt: str, schema: Any, system_prompt: str | None = None,
                            **kw: Any) -> Any: ...

    async def list_models(self, **kw: Any) -> list[str]: ...

    def stream(self, prompt: str, system_prompt: str | None = None, **kw: Any) -> AsyncIterator[str]: ...

    async def close(self) -> None: ...

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def background_loop() -> asyncio.AbstractEventLoop:
    """The process-wide background event loop, started on first use, stopped at exit."""
    global _loop, _thread
    with _lock:
        if _loop is not None and _thread is not None and _thread.is_alive():
            return _loop
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()

        thread = threading.Thread(target=run, name="sqllab-llm-loop", daemon=True)
        thread.start()
        ready.wait()
        _loop, _thread = loop, thread
        atexit.register(_stop, loop, thread)
        return loop


def _stop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    """At exit: cancel what still runs, finish async generators, then stop the loop."""
    if not loop.is_running():
        return

    async def drain() -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.get_running_loop().shutdown_asyncgens()

    try:
        asyncio.run_coroutine_threadsafe(drain(), loop).result(timeout=5)
    except (TimeoutError, concurrent.futures.TimeoutError, concurrent.futures.CancelledError):
        pass                               # exiting anyway: do not hang the interpreter
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the background loop and wait for its result (from any thread but that one)."""
    loop = background_loop()
    if threading.current_thread() is _thread:
        coro.close()
        raise RuntimeError("run_sync() called from the background loop itself; await the coroutine instead")
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    try:
        return future.result()
    except BaseException:  # KeyboardInterrupt (kernel interrupt) included: stop the work too
        future.cancel()
        raise


class SyncLLMClient:
    """``client.sync``: the same calls as ``LLMClient``, blocking."""

    def __init__(self, client: AsyncLLM) -> None:
        self.client = client

    def complete(self, prompt: str, system_prompt: str | None = None, **kw: Any) -> Any:
        return run_sync(self.client.complete(prompt, system_prompt, **kw))

    def complete_json(self, prompt: str, schema: Any, system_prompt: str | None = None, **kw: Any) -> Any:
        return run_sync(self.client.complete_json(prompt, schema, system_prompt, **kw))

    def list_models(self, **kw: Any) -> list[str]:
        return run_sync(self.client.list_models(**kw))

    def stream(self, prompt: str, system_prompt: str | None = None, **kw: Any) -> Iterator[str]:
        """Chunks as they arrive; leaving the loop early cancels the request."""
        chunks: queue.Queue[tuple[str, Any]] = queue.Queue()

        async def pump() -> None:
            try:
                async with contextlib.aclosing(self.client.stream(prompt, system_prompt, **kw)) as stream:
                    async for chunk in stream:          # closed here when cancelled, not by the GC
                        chunks.put(("chunk", chunk))
            except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
                chunks.put(("error", exc))
                if isinstance(exc, asyncio.CancelledError):
                    raise
            else:
                chunks.put(("done", None))

        loop = background_loop()
        if threading.current_thread() is _thread:
            raise RuntimeError("SyncLLMClient.stream() called from the background loop itself")
        future = asyncio.run_coroutine_threadsafe(pump(), loop)
        try:
            while True:
                kind, value = chunks.get()
                if kind == "chunk":
                    yield value
                elif kind == "error":
                    raise value
                else:
                    return
        finally:
            if not future.done():
                future.cancel()

    def close(self) -> None:
        run_sync(self.client.close())

    def __enter__(self) -> "SyncLLMClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
