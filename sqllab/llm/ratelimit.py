"""The seed's ``RateLimiter``: an asyncio semaphore bounding LLM requests in flight."""

from __future__ import annotations

import asyncio
from types import TracebackType


class RateLimiter:
    """At most ``max_concurrent`` holders at once; use as ``async with limiter:``.

    Like every asyncio primitive it belongs to the event loop that first waits on it.
    """

    def __init__(self, max_concurrent: int = 10) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_concurrent = max_concurrent
        self._semaphore = asyncio.Semaphore(max_concurrent)
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    async def acquire(self) -> None:
        await self._semaphore.acquire()
        self._in_flight += 1

    def release(self) -> None:
        self._in_flight -= 1
        self._semaphore.release()

    async def __aenter__(self) -> "RateLimiter":
        await self.acquire()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.release()
