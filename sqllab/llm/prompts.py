"""Prompt templates: versioned files per task and language under ``prompts/``.

Layout (``SQLLAB_PROMPTS_DIR`` overrides the directory; a wheel carries it as ``sqllab/_prompts``)::

    prompts/registry.toml                  current version and a description per version
    prompts/<task>/<version>.<lang>.md     one template

A template file starts with TOML front matter between ``+++`` lines (``task``, ``version``,
``lang``, ``description``, ``variables``), then a ``<!-- system -->`` section (the system
prompt, no variables) and a ``<!-- user -->`` section (the user prompt, ``str.format`` fields;
literal braces are doubled: ``{{`` ``}}``).

``SQLLAB_PROMPT_VERSIONS="feedback=v3,problem_generation=v3"`` overrides the registry's
``current`` version of the tasks it names (to measure a candidate version before moving
``current``; ``bench/generation.py --versions`` sets it).
"""

from __future__ import annotations

import os
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import PromptError
from ..i18n import LANGS, normalize_lang
from ..resources import data_dir

SYSTEM_MARK = "<!-- system -->"
USER_MARK = "<!-- user -->"


def prompts_dir() -> Path:
    """``SQLLAB_PROMPTS_DIR``, else the shipped ``prompts/`` (in the wheel or the repository)."""
    configured = os.environ.get("SQLLAB_PROMPTS_DIR")
    return Path(configured) if configured else data_dir("prompts")


def field_names(text: str) -> list[str]:
    """Names of the ``str.format`` fields in ``text`` in the order they come (``a.b`` and ``a[0]``
    count as ``a``); ValueError for a positional field or a lone brace."""
    names = []
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            root = field.split(".", 1)[0].split("[", 1)[0]
            if not root or root.isdigit():
                raise ValueError("positional fields ({} or {0}) are not allowed; name every variable "
                                 "(write {{ and }} for a brace)")
            names.append(root)
    return names


def fields_of(text: str) -> set[str]:
    """Names of the ``str.format`` fields in ``text`` (``a.b`` and ``a[0]`` count as ``a``)."""
    return set(field_names(text))


@dataclass(frozen=True)
class PromptTemplate:
    """One template. ``ref`` (``task/version``) is what callers pass as ``prompt_version``."""

    task: str
    version: str
    lang: str
    system_prompt: str
    template: str
    variables: tuple[str, ...]
    description: str = ""
    answer_prefix: str = ""   # the start of the model's answer, sent for it to continue (llama.cpp prefill)
    answer_opening: str = ""  # feedback v8: what follows sqllab's own opening sentence in the started answer
    answer_culprit: str = ""  # feedback v10: the same when sqllab knows the part at fault ({part})
    answer_cause: str = ""    # feedback v12: sqllab's own sentence on why ({cause}) when its diagnosis names
    #                           the cause; the model only adds to it

    @property
    def ref(self) -> str:
        return f"{self.task}/{self.version}"

    @property
    def name(self) -> str:
        return f"{self.task}/{self.version}.{self.lang}"

    def check_variables(self, given: set[str] | dict[str, Any]) -> None:
        """Raise ``PromptError`` naming every missing and unknown variable."""
        given = set(given)
        missing = sorted(set(self.variables) - given)
        unknown = sorted(given - set(self.variables))
        if missing or unknown:
            raise PromptError(key="llm.prompt_variables", name=self.name,
                              missing=", ".join(missing) or "-", unknown=", ".join(unknown) or "-")

    def format(self, **variables: Any) -> str:
        """The user prompt with ``variables`` filled in (all of them, and no others)."""
        self.check_variables(variables)
        return self.template.format(**variables)

    def messages(self, **variables: Any) -> list[dict[str, str]]:
        """OpenAI-style messages: the system prompt and the formatted user prompt."""
        return [{"role": "system", "content": self.system_prompt},
                {"role": "user", "content": self.format(**variables)}]


def _bad(path: Path, reason: str) -> PromptError:
    return PromptError(key="llm.prompt_bad_file", path=str(path), reason=reason)


def parse_template(path: Path) -> PromptTemplate:
    """Read and check one template file."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("+++\n"):
        raise _bad(path, "no +++ front matter")
    try:
        front, body = text[4:].split("\n+++\n", 1)
        meta = tomllib.loads(front)
    except ValueError as exc:  # split failure or TOMLDecodeError
        raise _bad(path, f"front matter: {exc}") from None
    for required in ("task", "version", "lang", "description", "variables"):
        if required not in meta:
            raise _bad(path, f"front matter lacks {required!r}")
    if body.count(SYSTEM_MARK) != 1 or body.count(USER_MARK) != 1 or body.index(SYSTEM_MARK) > body.index(USER_MARK):
        raise _bad(path, f"needs one {SYSTEM_MARK} section followed by one {USER_MARK} section")
    system = body.split(SYSTEM_MARK, 1)[1].split(USER_MARK, 1)[0].strip()
    user = body.split(USER_MARK, 1)[1].strip() + "\n"
    try:
        if fields_of(system):
            raise _bad(path, "the system prompt must not contain variables")
        system = system.replace("{{", "{").replace("}}", "}")
        declared = set(meta["variables"])
        used = fields_of(user)
    except ValueError as exc:
        raise _bad(path, str(exc)) from None
    if declared != used:
        raise _bad(path, f"variables {sorted(declared)} declared but the text uses {sorted(used)}")
    expected = (path.parent.name, path.name.split(".")[0], path.name.split(".")[1])
    if (meta["task"], meta["version"], meta["lang"]) != expected:
        raise _bad(path, f"front matter task/version/lang do not match the file name {expected}")
    return PromptTemplate(task=meta["task"], version=meta["version"], lang=meta["lang"],
                          system_prompt=system, template=user, variables=tuple(meta["variables"]),
                          description=meta["description"], answer_prefix=str(meta.get("answer_prefix", "")),
                          answer_opening=str(meta.get("answer_opening", "")),
                          answer_culprit=str(meta.get("answer_culprit", "")),
                          answer_cause=str(meta.get("answer_cause", "")))


@lru_cache(maxsize=8)
def _registry(directory: Path) -> dict[str, Any]:
    path = directory / "registry.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise _bad(path, str(exc)) from None


def registry() -> dict[str, Any]:
    """``{task: {"current": "v2", "versions": {"v1": description, ...}}}`` from registry.toml."""
    return _registry(prompts_dir())


def version_overrides() -> dict[str, str]:
    """``{task: version}`` from ``SQLLAB_PROMPT_VERSIONS`` (``task=version`` pairs, comma separated)."""
    text = os.environ.get("SQLLAB_PROMPT_VERSIONS", "")
    found: dict[str, str] = {}
    for pair in text.split(","):
        if not pair.strip():
            continue
        task, sep, version = pair.partition("=")
        if not sep or not task.strip() or not version.strip():
            raise PromptError(key="llm.prompt_bad_file", path="SQLLAB_PROMPT_VERSIONS",
                              reason=f"expected task=version pairs, got {pair.strip()!r}")
        found[task.strip()] = version.strip()
    return found


def prompt_versions() -> dict[str, dict[str, str]]:
    """The seed's ``PROMPT_VERSIONS`` shape: ``{task: {"v1": description, ..., "current": "v2"}}``
    (``current`` as :func:`current_version` gives it, overrides included)."""
    return {task: {**entry.get("versions", {}), "current": current_version(task)}
            for task, entry in registry().items()}


def tasks() -> list[str]:
    return sorted(registry())


def current_version(task: str) -> str:
    """The registry's ``current`` version of ``task``, or the one ``SQLLAB_PROMPT_VERSIONS`` names."""
    entry = registry().get(task)
    if entry is None:
        raise PromptError(key="llm.prompt_unknown_task", task=task, known=", ".join(tasks()))
    return version_overrides().get(task) or str(entry["current"])


@lru_cache(maxsize=128)
def _load(directory: Path, task: str, version: str, lang: str) -> PromptTemplate:
    path = directory / task / f"{version}.{lang}.md"
    if not path.is_file():
        known = sorted({p.name.split(".")[0] for p in (directory / task).glob(f"*.{lang}.md")})
        raise PromptError(key="llm.prompt_unknown_version", task=task, version=version, language=lang,
                          known=", ".join(known) or "-")
    return parse_template(path)


def get_template(task: str, lang: str, version: str | None = None) -> PromptTemplate:
    """The template of ``task`` in ``lang`` (ja|en), at ``version`` or the registry's current one."""
    lang = normalize_lang(lang)
    version = version or current_version(task)
    return _load(prompts_dir(), task, version, lang)


def all_templates() -> list[PromptTemplate]:
    """Every version in the registry, in every language (checks each file)."""
    return [get_template(task, lang, version)
            for task, entry in registry().items()
            for version in entry.get("versions", {})
            for lang in LANGS]


def reload() -> None:
    """Forget loaded templates (after editing files under ``prompts/``)."""
    _registry.cache_clear()
    _load.cache_clear()
