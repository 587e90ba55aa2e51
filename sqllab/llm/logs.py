"""Structured logs of LLM requests (structlog, JSON lines on stderr).

One event, ``llm_request``, with the seed's fields and a few more. Only the whitelisted fields
below are ever written: never prompt text, student text, the API key or personal data.
``configure()`` sets structlog up once for sqllab (level ``SQLLAB_LOG_LEVEL``) unless the
application has configured structlog itself.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Any

import structlog

REQUEST_FIELDS = ("prompt_type", "prompt_version", "model", "temperature", "response_time",
                  "tokens_used", "success", "attempt", "cache_hit", "error_type", "status_code",
                  "stream")

_lock = threading.Lock()
_configured = False


class _StderrLogger(structlog.PrintLogger):
    """Writes to whatever ``sys.stderr`` is at the time (pytest and Jupyter swap it)."""

    def __init__(self) -> None:
        super().__init__(file=sys.stderr)

    def msg(self, message: str) -> None:  # type: ignore[override]
        print(message, file=sys.stderr, flush=True)

    log = debug = info = warn = warning = error = critical = exception = fatal = failure = msg


def configure(level: str | None = None) -> None:
    """Configure structlog for sqllab once (JSON to stderr); later calls do nothing."""
    global _configured
    with _lock:
        if _configured:
            return
        _configured = True
        if structlog.is_configured():  # the application chose its own setup: keep it
            return
        if level is None:
            from ..settings import sqllab_settings

            level = sqllab_settings().log_level
        numeric = logging.getLevelName(level.upper()) if isinstance(level, str) else level
        if not isinstance(numeric, int):
            numeric = logging.WARNING
        structlog.configure(
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
            wrapper_class=structlog.make_filtering_bound_logger(numeric),
            logger_factory=lambda *args: _StderrLogger(),
            cache_logger_on_first_use=False,
        )


_bound: Any = None


def get_logger() -> Any:
    """sqllab's bound logger, made once (cheap when the level filters the event out)."""
    global _bound
    if _bound is None:
        configure()
        _bound = structlog.get_logger("sqllab.llm").bind()
    return _bound


def reset() -> None:
    """Forget the bound logger, so a later ``structlog.configure`` (e.g. in tests) applies."""
    global _bound
    _bound = None


def log_request(**fields: Any) -> None:
    """Emit ``llm_request`` with the whitelisted ``fields`` (others are dropped, not logged)."""
    logger = get_logger()
    enabled = getattr(logger, "is_enabled_for", None)
    if enabled is not None and not enabled(logging.INFO):
        return  # filtered out: do not even build the event
    safe = {name: fields[name] for name in REQUEST_FIELDS if name in fields}
    logger.info("llm_request", **safe)
