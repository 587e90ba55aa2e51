"""The LLM layer: one client for any OpenAI-compatible server (LocalAI, the embedded llama.cpp
server, ...), with retries, cache, rate limiting, metrics, structured logs, prompt-injection
defence and a health check. See the seed design and ``DESIGN.md``.

    from sqllab.llm import default_client
    client = default_client()
    reply = await client.complete("Hello")          # or client.sync.complete("Hello")
"""

from .batch import batch_generate
from .cache import ResponseCache, cache_key
from .client import LLMClient, LLMResponse
from .defaults import default_client, reset_shared_client, shared_client, shared_metrics
from .health import check_llm_health
from .metrics import LLMMetrics
from .ratelimit import RateLimiter
from .retry import RetryConfig
from .security import fence_markers, fence_user_input, sanitize_user_input
from .sync import SyncLLMClient, run_sync

__all__ = [
    "LLMClient", "LLMResponse", "SyncLLMClient", "run_sync", "default_client", "shared_client",
    "reset_shared_client", "shared_metrics", "check_llm_health", "batch_generate", "RateLimiter",
    "RetryConfig", "ResponseCache", "cache_key", "LLMMetrics", "sanitize_user_input",
    "fence_user_input", "fence_markers",
]
