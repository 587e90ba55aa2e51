"""The retry policy of the seed's ``RetryConfig``, run by tenacity.

Retried (transient): the server is unreachable, too slow, busy (HTTP 429, honouring
``Retry-After``), failing (HTTP 5xx) or still loading its model. Never retried: other 4xx, a
model that does not exist, an answer that is not a valid completion.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from ..errors import LLMConnectionError, LLMHTTPError, LLMModelError, LLMTimeoutError


@dataclass(frozen=True)
class RetryConfig:
    """Attempts and back-off. ``max_attempts`` counts every attempt (the seed: 3 in all)."""

    max_attempts: int = 3
    base_delay: float = 1.0  # seconds before the 2nd attempt
    max_delay: float = 10.0
    exponential_base: float = 2.0
    jitter: bool = True  # full jitter: a random delay in [delay/2, delay]
    max_retry_after: float = 30.0  # a server's Retry-After is honoured up to this many seconds

    def delay(self, attempt: int) -> float:
        """Back-off before attempt ``attempt + 1`` (``attempt`` starts at 1)."""
        delay = min(self.max_delay, self.base_delay * self.exponential_base ** (attempt - 1))
        if self.jitter:
            delay = random.uniform(delay / 2, delay)
        return delay

    @staticmethod
    def should_retry(error: BaseException) -> bool:
        """True for the transient errors listed in the module docstring."""
        if isinstance(error, (LLMConnectionError, LLMTimeoutError)):
            return True
        if isinstance(error, LLMHTTPError):  # includes LLMRateLimitError (429)
            return error.status_code == 429 or error.status_code >= 500
        if isinstance(error, LLMModelError):
            return bool(getattr(error, "loading", False))
        return False


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), None when absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def retry_delay(config: RetryConfig, error: BaseException | None, attempt: int) -> float:
    """Seconds to wait after failed attempt ``attempt``: the server's Retry-After (capped) or back-off."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        return min(float(retry_after), config.max_retry_after)
    return config.delay(attempt)


def retrying(config: RetryConfig, *, max_attempts: int | None = None, attempts_done: int = 0,
             on_retry: Callable[[RetryCallState], Any] | None = None) -> AsyncRetrying:
    """A tenacity ``AsyncRetrying`` for ``config`` (re-raises the last error as it was).

    ``attempts_done`` attempts already failed outside it: the back-off goes on from there and
    ``max_attempts`` still counts every attempt.
    """

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return retry_delay(config, error, state.attempt_number + attempts_done)

    return AsyncRetrying(
        stop=stop_after_attempt((max_attempts or config.max_attempts) - attempts_done),
        wait=wait,
        retry=retry_if_exception(RetryConfig.should_retry),
        before_sleep=on_retry,
        reraise=True,
    )
