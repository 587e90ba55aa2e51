"""``check_llm_health``: the seed's health check, plus "does the server list our model?"."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from ..errors import SQLLabError
from ..i18n import t
from .client import LLMClient

DEFAULT_TIMEOUT = 15.0


async def check_llm_health(client: LLMClient, *, timeout: float | None = None) -> dict[str, Any]:
    """``{"status": "healthy"|"unhealthy", "model", "response_time", "timestamp", "base_url"}``
    plus ``"error"`` when unhealthy. One attempt each, bounded by ``timeout`` (default
    ``min(client.timeout, 15 s)``), never from the cache. Never raises."""
    timeout = timeout or min(client.timeout, DEFAULT_TIMEOUT)
    report: dict[str, Any] = {"status": "unhealthy", "model": client.model, "response_time": None,
                              "timestamp": "", "base_url": client.base_url}
    start = time.perf_counter()
    try:
        available = await client.list_models(timeout=timeout)
        if client.model not in available:
            report["available_models"] = available
            report["error"] = t("llm.health_model_not_listed", client.lang, model=client.model,
                                available=", ".join(available) or "-")
        else:
            from .prompts import get_template

            probe = get_template("health", client.lang)
            response = await client._complete(client._messages(probe.format(), probe.system_prompt),
                                              temperature=0.0, max_tokens=8, use_cache=False,
                                              prompt_type="health", prompt_version=probe.ref,
                                              timeout=timeout, max_attempts=1)
            report.update(status="healthy", model=response.model)
    except SQLLabError as exc:
        report["error"] = exc.message_in(client.lang)
        report["error_type"] = type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
        report["error"] = f"{type(exc).__name__}: {exc}"
        report["error_type"] = type(exc).__name__
    report["response_time"] = round(time.perf_counter() - start, 4)
    report["timestamp"] = datetime.now(timezone.utc).isoformat()
    return report
