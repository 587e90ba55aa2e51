"""One exception hierarchy for everything sqllab raises.

Each error carries a message key and its parameters, so the same error can be shown in
Japanese or English (``err.message_in("ja")``); ``str(err)`` is the message in the language it
was raised with (``SQLLAB_LANG`` by default).
"""

from __future__ import annotations

from typing import Any

from . import i18n


class SQLLabError(Exception):
    """Base class of every error sqllab raises on purpose."""

    key: str | None = None

    def __init__(self, message: str | None = None, *, key: str | None = None,
                 lang: str | None = None, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        self.lang = i18n.normalize_lang(lang) if lang else i18n.default_lang()
        if message is None:
            message = i18n.t(self.key, self.lang, **params) if self.key else self.__class__.__name__
        self.message = message
        super().__init__(message)

    def message_in(self, lang: str) -> str:
        """The message in ``lang`` when the error has a catalog key, else its text."""
        if self.key:
            return i18n.t(self.key, lang, **self.params)
        return self.message


class ConfigError(SQLLabError):
    """An environment variable or setting has a bad value."""

    key = "config.invalid"


# --- LLM ---------------------------------------------------------------------------------

class LLMError(SQLLabError):
    """Anything that went wrong talking to the LLM server."""


class LLMConnectionError(LLMError):
    """The server is not running or refuses connections (seed: ConnectionError)."""


class LLMTimeoutError(LLMError):
    """The server did not answer in time (seed: TimeoutError)."""


class LLMResponseError(LLMError):
    """The server answered something that is not a valid completion (seed: ValidationError)."""


class LLMModelError(LLMError):
    """The configured model is not loaded or not known to the server (seed: ModelError)."""


class LLMHTTPError(LLMError):
    """The server answered with an HTTP error status that retrying did not fix."""

    def __init__(self, message: str | None = None, *, status_code: int = 0, **kw: Any) -> None:
        self.status_code = status_code
        super().__init__(message, status_code=status_code, **kw)


class LLMRateLimitError(LLMHTTPError):
    """HTTP 429 after every retry."""


# --- SQL ---------------------------------------------------------------------------------

class DatasetError(SQLLabError):
    """A dataset does not validate (bad identifier, row, key, ...)."""


class QueryError(SQLLabError):
    """A student query could not be run; the message says why in the student's language."""


class EmptyQueryError(QueryError):
    pass


class MultipleStatementsError(QueryError):
    pass


class SQLSyntaxError(QueryError):
    pass


class UnknownNameError(QueryError):
    """Unknown table or column; the message suggests a close name from the schema."""


class ForbiddenQueryError(QueryError):
    """The statement would change the database or reach outside it."""


class QueryTimeoutError(QueryError):
    pass


class ResultTooLargeError(QueryError):
    pass


# --- course ------------------------------------------------------------------------------

class ProgressError(SQLLabError):
    """The progress file cannot be written; attempts are kept in memory meanwhile."""


# --- LLM (added by the LLM layer) ----------------------------------------------------------

class LLMOutputValidationError(LLMResponseError):
    """The model answered, but not with JSON matching the requested schema.

    ``raw_text`` is what the model said and ``validation_errors`` what is wrong with it (a list
    of ``{"loc": ..., "msg": ...}``), so a caller can send both back to the model for repair.
    """

    key = "llm.json_invalid"

    def __init__(self, message: str | None = None, *, raw_text: str = "",
                 validation_errors: list[dict[str, Any]] | None = None, **kw: Any) -> None:
        self.raw_text = raw_text
        self.validation_errors = list(validation_errors or [])
        kw.setdefault("count", len(self.validation_errors))
        kw.setdefault("first", self.validation_errors[0]["msg"] if self.validation_errors else "-")
        super().__init__(message, **kw)


class PromptError(SQLLabError):
    """A prompt template is unknown, malformed, or was given the wrong variables."""
