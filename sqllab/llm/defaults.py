"""``default_client()`` from settings, and one shared client per process."""

from __future__ import annotations

import threading
from typing import Any

from .cache import ResponseCache
from .client import LLMClient
from .metrics import LLMMetrics

_lock = threading.Lock()
_shared: LLMClient | None = None
_metrics = LLMMetrics()


def shared_metrics() -> LLMMetrics:
    """Metrics shared by every client ``default_client()`` makes."""
    return _metrics


def default_client(**overrides: Any) -> LLMClient:
    """An ``LLMClient`` configured from ``LLM_*`` / ``SQLLAB_*`` settings; ``overrides`` win.

    ``LLM_API_URL`` unset or ``embedded`` starts (or reuses) the embedded llama.cpp server.
    """
    from ..settings import llm_settings, sqllab_settings

    llm, own = llm_settings(), sqllab_settings()
    kwargs: dict[str, Any] = {
        "model": llm.model_name, "timeout": llm.timeout, "max_retries": llm.max_retries,
        "api_key": llm.api_key or None, "temperature": llm.temperature, "max_tokens": llm.max_tokens,
        "max_concurrency": own.max_concurrency, "metrics": _metrics, "lang": own.lang,
    }
    kwargs.update(overrides)
    if "cache" not in overrides:
        kwargs["cache"] = ResponseCache(own.cache_dir / "llm_cache.db") if own.cache else None
    if "base_url" not in kwargs:
        if llm.embedded:
            from .embedded import ensure_running

            kwargs["base_url"] = ensure_running()
        else:
            kwargs["base_url"] = llm.api_url
    return LLMClient(**kwargs)


def shared_client() -> LLMClient:
    """One ``default_client()`` for the whole process (lessons, widgets); made on first use."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = default_client()
        return _shared


def reset_shared_client() -> None:
    """Forget the shared client (after changing settings); its pools close with their loops."""
    global _shared
    with _lock:
        _shared = None
