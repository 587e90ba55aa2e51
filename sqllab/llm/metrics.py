"""The seed's ``LLMMetrics``, plus latency percentiles, retries and cache hits."""

from __future__ import annotations

import math
import threading
from collections import deque
from typing import Any


class LLMMetrics:
    """Counters of one client (or shared by several); safe to update from several threads.

    A *request* is one logical call that went to the server (its retries included); answers
    from the cache count as cache hits, not requests. Latency percentiles use the most recent
    ``window`` requests; the average uses all of them.
    """

    def __init__(self, window: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._latencies: deque[float] = deque(maxlen=window)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total_requests = 0
            self.successful_requests = 0
            self.failed_requests = 0
            self.total_tokens_used = 0
            self.total_response_time = 0.0
            self.retries = 0
            self.cache_hits = 0
            self.cache_misses = 0
            self._latencies.clear()

    def record_request(self, success: bool, response_time: float, tokens: int = 0) -> None:
        with self._lock:
            self.total_requests += 1
            if success:
                self.successful_requests += 1
            else:
                self.failed_requests += 1
            self.total_tokens_used += int(tokens or 0)
            self.total_response_time += response_time
            self._latencies.append(response_time)

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def record_cache(self, hit: bool) -> None:
        with self._lock:
            if hit:
                self.cache_hits += 1
            else:
                self.cache_misses += 1

    @property
    def average_response_time(self) -> float:
        with self._lock:
            return self.total_response_time / self.total_requests if self.total_requests else 0.0

    def percentile(self, q: float) -> float | None:
        """Nearest-rank percentile ``q`` (0-100) of recent latencies; None when there are none."""
        with self._lock:
            data = sorted(self._latencies)
        if not data:
            return None
        rank = max(1, math.ceil(q / 100 * len(data)))
        return data[rank - 1]

    def snapshot(self) -> dict[str, Any]:
        """All figures as a plain dict (JSON-serialisable)."""
        with self._lock:
            lookups = self.cache_hits + self.cache_misses
            snap = {
                "total_requests": self.total_requests,
                "successful_requests": self.successful_requests,
                "failed_requests": self.failed_requests,
                "total_tokens_used": self.total_tokens_used,
                "average_response_time": (self.total_response_time / self.total_requests
                                          if self.total_requests else 0.0),
                "retries": self.retries,
                "cache_hits": self.cache_hits,
                "cache_misses": self.cache_misses,
                "cache_hit_rate": self.cache_hits / lookups if lookups else 0.0,
            }
        snap["p50_response_time"] = self.percentile(50)
        snap["p95_response_time"] = self.percentile(95)
        return snap
