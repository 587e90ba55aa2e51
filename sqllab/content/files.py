"""The content files an instructor can edit: the exercise bank and the offline themes.

The built-in ones ship beside this module, ``bank/<topic>.toml`` and ``themes/<theme>.toml``;
``SQLLAB_CONTENT_DIR`` names a folder with more of either kind (``themes/*.toml``, ``bank/*.toml``),
read after the built-in ones: a theme, template or concept with a built-in name replaces it.
``sqllab.content.offline`` reads the themes and ``sqllab.content.exercises`` the bank, at import
(``sqllab.content.reload_content`` reads them again); a malformed file raises :class:`ConfigError`
naming the file and what is wrong with it. The layout is described in ``README.md`` here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError
from ..settings import content_settings

BUILTIN_DIR = Path(__file__).resolve().parent
KINDS = ("themes", "bank")


def instructor_dir() -> Path | None:
    """``SQLLAB_CONTENT_DIR``, checked: it must hold a ``themes/`` or a ``bank/`` folder."""
    folder = content_settings().content_dir
    if folder is not None and not any((folder / kind).is_dir() for kind in KINDS):
        raise ConfigError(key="config.invalid", name="SQLLAB_CONTENT_DIR", value=str(folder),
                          reason="it has neither a themes/ nor a bank/ folder (see sqllab/content/README.md)")
    return folder


def content_files(kind: str) -> list[tuple[Path, bool]]:
    """``(path, built_in)`` of every ``<kind>/*.toml``: the built-in ones, then the instructor's,
    each set by file name (files whose name starts with ``.`` or ``_`` are skipped)."""
    folders = [(BUILTIN_DIR / kind, True)]
    extra = instructor_dir()
    if extra is not None:
        folders.append((extra / kind, False))
    return [(path, builtin) for folder, builtin in folders if folder.is_dir()
            for path in sorted(folder.glob("*.toml")) if not path.name.startswith((".", "_"))]


def shown(path: Path) -> str:
    """A file's name in messages: relative to the package for a built-in one, else its path."""
    try:
        return "sqllab/content/" + path.relative_to(BUILTIN_DIR).as_posix()
    except ValueError:
        return str(path)


def invalid(path: Path, reason: str) -> ConfigError:
    return ConfigError(key="content.invalid_file", path=shown(path), reason=reason)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise invalid(path, f"not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise invalid(path, f"not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise invalid(path, f"cannot be read: {exc.strerror or exc}") from None


def where(loc: tuple[Any, ...], data: Any) -> str:
    """A pydantic location as a reader of the file writes it: ``template[3] (where-03).sql``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
            if isinstance(data, list) and part < len(data) and isinstance(data[part], dict) \
                    and isinstance(data[part].get("key"), str):
                out += f" ({data[part]['key']})"
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            out += ("." if out else "") + str(part)
            data = data.get(part) if isinstance(data, dict) else None
    return out or "the file"


def validation_reason(exc: ValidationError, data: Any, limit: int = 3) -> str:
    errors = exc.errors()
    lines = [f"{where(tuple(e['loc']), data)}: {e['msg']}" for e in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"... and {len(errors) - limit} more")
    return "; ".join(lines)


def fields_of(text: str) -> list[str]:
    """The names of the ``{placeholder}`` fields in ``text``; ValueError for a bad ``{`` or ``}``."""
    from ..llm.prompts import field_names

    return field_names(text)


_BREAK = re.compile(r"[ \t]*\n[ \t]*")


def one_line(sql: str) -> str:
    """SQL as the bank keeps it: each line break, with the spaces around it, becomes one space."""
    return _BREAK.sub(" ", sql.strip())
