"""``batch_generate``: many prompts at once, bounded, in input order, failures kept in place."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Sequence

from ..errors import LLMError
from .client import LLMClient, LLMResponse
from .ratelimit import RateLimiter


async def batch_generate(client: LLMClient, prompts: Sequence[str], concurrency: int | None = None, *,
                         on_result: Callable[[int, LLMResponse | LLMError], Any] | None = None,
                         **kw: Any) -> list[LLMResponse | LLMError]:
    """Complete every prompt with at most ``concurrency`` requests in flight (default: the
    client's ``max_concurrency``, else 4); ``kw`` goes to ``client.complete``.

    Returns one slot per prompt, in input order: the ``LLMResponse``, or the ``LLMError`` that
    prompt ended with (returned, not raised — check with ``isinstance(slot, LLMError)``).
    Errors that are not ``LLMError`` (bugs) cancel the batch and propagate.
    ``on_result(index, slot)`` is called as each prompt finishes (for a progress bar).
    """
    limiter = RateLimiter(concurrency or client.max_concurrency or 4)
    results: list[LLMResponse | LLMError | None] = [None] * len(prompts)

    async def one(index: int, prompt: str) -> None:
        async with limiter:
            try:
                slot: LLMResponse | LLMError = await client.complete(prompt, **kw)
            except LLMError as exc:
                slot = exc
        results[index] = slot
        if on_result is not None:
            on_result(index, slot)

    tasks = [asyncio.ensure_future(one(i, p)) for i, p in enumerate(prompts)]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
    return results  # type: ignore[return-value]
