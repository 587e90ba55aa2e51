"""Which jobs a model may be given, from measured pass rates (``models/capabilities.toml``).

The embedded SmolLM2-135M follows a JSON schema but cannot write a valid related dataset or a
working reference query, nor any usable Japanese; a LocalAI model of a few billion parameters
can. Rather than hard-coding model names in the code, each profile lists the share of outputs
that passed verification per task and language (measured by ``bench/generation.py``), and a
task is given to the model only when that share reaches ``min_pass_rate``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..resources import data_dir

TASKS = ("table_generation", "dataset_text", "problem_generation", "feedback")
FORCE_ALL = "all"   # SQLLAB_MODEL_PROFILE=all: every task (what the benchmark uses to measure)


def capabilities_file() -> Path:
    configured = os.environ.get("SQLLAB_CAPABILITIES_FILE")
    return Path(configured) if configured else data_dir("models") / "capabilities.toml"


@dataclass(frozen=True)
class Profile:
    name: str
    min_pass_rate: float
    pass_rates: dict[str, float] = field(default_factory=dict)
    description: str = ""
    task_minimums: dict[str, float] = field(default_factory=dict)   # per task, else min_pass_rate

    def pass_rate(self, task: str, lang: str) -> float:
        if task not in TASKS:
            raise ValueError(f"unknown task {task!r}; tasks: {', '.join(TASKS)}")
        return float(self.pass_rates.get(f"{task}.{lang}", 1.0))

    def allows(self, task: str, lang: str) -> bool:
        minimum = self.task_minimums.get(task, self.min_pass_rate)
        return self.name == FORCE_ALL or self.pass_rate(task, lang) >= minimum


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, Any]:
    """The capabilities file; a missing or broken one means "no measurements": every task."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        import logging

        logging.getLogger(__name__).warning("no model capabilities (%s): every task allowed", exc)
        return {}


def profile_named(name: str) -> Profile:
    data = _load(capabilities_file())
    minimum = float(data.get("min_pass_rate", 0.5))
    if name == FORCE_ALL:
        return Profile(FORCE_ALL, minimum, description="every task (measurement)")
    profiles = data.get("profiles", {})
    entry = profiles.get(name) or profiles.get("default", {})
    per_task = {k: float(v) for k, v in data.get("min_pass_rate_for", {}).items()}
    return Profile(name if name in profiles else "default", minimum,
                   {k: float(v) for k, v in entry.get("pass_rates", {}).items()}, entry.get("description", ""),
                   per_task)


def profile_name_for(client: Any) -> str:
    """``SQLLAB_MODEL_PROFILE``; else the GGUF file name of the model the server reports
    (``GET <root>/props`` → ``model_path``, asked once per base URL) when the capabilities file
    has a profile of that name; else the model name the client sends (``default`` when unknown).

    So the embedded model gets its profile however it is reached: started by this process,
    shared by another kernel, or named by ``LLM_API_URL``."""
    configured = os.environ.get("SQLLAB_MODEL_PROFILE", "").strip()
    if configured:
        return configured
    served = served_model_file(str(getattr(client, "base_url", "") or ""))
    if served and served in _load(capabilities_file()).get("profiles", {}):
        return served
    return str(getattr(client, "model", "") or "default")


_served: dict[str, tuple[str | None, float]] = {}   # url -> (file name, valid until)
_RETRY_S = 30.0                                     # ask again after a failure (server starting)


def served_model_file(base_url: str) -> str | None:
    """The file name of the GGUF the server at ``base_url`` serves, from llama.cpp's ``/props``
    (None for servers without it, e.g. LocalAI). Remembered per URL once the server answered;
    asked again after 30 s when it did not answer (still loading, unreachable)."""
    import time

    url = base_url.rstrip("/")
    if not url.startswith(("http://", "https://")):
        return None
    known = _served.get(url)
    if known is not None and known[1] > time.monotonic():
        return known[0]
    import httpx

    root = url[: -len("/v1")] if url.endswith("/v1") else url
    name, ttl = None, float("inf")
    try:
        response = httpx.get(root + "/props", timeout=3.0)
    except httpx.HTTPError:
        response, ttl = None, _RETRY_S
    if response is not None and response.status_code == 503:   # llama.cpp still loading
        ttl = _RETRY_S
    elif response is not None and response.status_code == 200:
        try:
            path = response.json().get("model_path")
        except (ValueError, AttributeError):
            path = None
        if isinstance(path, str) and path:
            name = path.replace("\\", "/").rsplit("/", 1)[-1]
    _served[url] = (name, time.monotonic() + ttl)
    return name


def forget_served() -> None:
    """Ask the servers again (after the embedded server was restarted, maybe with another model)."""
    _served.clear()


def profile_for(client: Any) -> Profile:
    return profile_named(profile_name_for(client))


def allows(client: Any, task: str, lang: str) -> bool:
    """Whether ``client``'s model should be given ``task`` in ``lang``."""
    return profile_for(client).allows(task, lang)
