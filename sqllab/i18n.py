"""Messages in Japanese and English.

Every text a student or instructor reads comes from a catalog in ``sqllab/messages/``:
one module per area (``sql``, ``llm``, ``ui``, ...), each a dict ``key -> {"en": ..., "ja": ...}``.
``t(key, lang, **params)`` picks the language and fills ``str.format`` fields.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from functools import lru_cache
from typing import Any

LANGS = ("en", "ja")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def has_japanese(text: str | None) -> bool:
    """Whether ``text`` holds kana or kanji (half-width katakana included)."""
    return bool(_JAPANESE.search(text or ""))


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def non_japanese_han(text: str | None) -> str:
    """The Han characters of ``text`` that Japanese text does not use: those outside the Japanese
    character set (cp932), such as the simplified Chinese 值, 这, 们 a small model slips into Japanese."""
    found = []
    for ch in _HAN.findall(text or ""):
        try:
            ch.encode("cp932")
        except UnicodeEncodeError:
            found.append(ch)
    return "".join(dict.fromkeys(found))


def language_problem(text: str, lang: str) -> str | None:
    """Why ``text`` is not in ``lang`` (ja needs Japanese characters, en must have none)."""
    if lang == "ja" and not has_japanese(text):
        return "the text must be written in Japanese"
    if re.search(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]", text or ""):
        return f"the text must be written in {'Japanese' if lang == 'ja' else 'English'} only (no Korean)"
    if lang == "ja" and (han := non_japanese_han(text)):
        return f"the text must be written in Japanese only (not Chinese characters such as {han[:6]})"
    if lang == "en" and has_japanese(text):
        return "the text must be written in English"
    if not re.search(r"\w", text or ""):
        return "the text is empty"
    return None


def default_lang() -> str:
    """The language of the session: ``SQLLAB_LANG`` (ja|en), English when unset or unknown."""
    lang = os.environ.get("SQLLAB_LANG", "en").strip().lower()
    return lang if lang in LANGS else "en"


def normalize_lang(lang: str | None) -> str:
    if lang is None:
        return default_lang()
    lang = lang.strip().lower()
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """All message catalogs merged; a key defined twice is a programming error."""
    from . import messages

    merged: dict[str, dict[str, str]] = {}
    for info in pkgutil.iter_modules(messages.__path__):
        module = importlib.import_module(f"{messages.__name__}.{info.name}")
        for key, texts in getattr(module, "MESSAGES", {}).items():
            if key in merged:
                raise RuntimeError(f"message key {key!r} defined twice ({info.name})")
            missing = [lang for lang in LANGS if lang not in texts]
            if missing:
                raise RuntimeError(f"message {key!r} lacks {missing}")
            merged[key] = texts
    return merged


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in."""
    texts = catalog().get(key)
    if texts is None:
        raise KeyError(f"no message {key!r}")
    return texts[normalize_lang(lang)].format(**params)
