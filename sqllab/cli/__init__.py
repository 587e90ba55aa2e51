"""The ``sqllab`` command: a thin shell over the Python API.

Each area registers its own subcommands from a module of this package
(``llm``, ``check``, ``course``, ``grades``, ``content``); this file only wires them together.

Every message comes from the ja/en catalogs (``sqllab/messages/cli.py``), in the language of
``--lang`` (before or after the subcommand) or ``SQLLAB_LANG``. Exit status: 0 success; 1 a
failed check or a runtime failure (network, LLM, disk); 2 a usage error (argparse's own errors,
a missing input file, a configuration error, a reference query that does not run).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from .. import i18n
from ..errors import ConfigError, QueryError, SQLLabError

SUBCOMMAND_MODULES = ("llm", "check", "course", "grades", "content")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_lang = "en"


def lang() -> str:
    """The language of this invocation's messages (set by :func:`build_parser`)."""
    return _lang


def t(key: str, **params: object) -> str:
    """The CLI message ``key`` in this invocation's language."""
    return i18n.t(key, _lang, **params)


def lang_of(argv: Sequence[str]) -> str:
    """``--lang`` from the command line if given (anywhere), else ``SQLLAB_LANG``, else English."""
    for i, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else (
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        if value is not None and value.strip().lower() in i18n.LANGS:
            return value.strip().lower()
    return i18n.default_lang()


class Parser(argparse.ArgumentParser):
    """argparse with its errors said through the catalog (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, t("cli.usage_error", prog=self.prog, detail=message) + "\n")


def build_parser(message_lang: str | None = None) -> argparse.ArgumentParser:
    global _lang
    from importlib.metadata import version     # the installed package's (the CLI is a console script)

    _lang = i18n.normalize_lang(message_lang) if message_lang else i18n.default_lang()
    parser = Parser(prog="sqllab", description=t("cli.description"), epilog=t("cli.epilog"),
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"sqllab {version('sqllab')}", help=t("cli.help.version"))
    parser.add_argument("--lang", dest="message_lang", choices=i18n.LANGS, default=None, help=t("cli.help.lang"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def exit_status(exc: BaseException) -> int:
    """2 for what the user typed or configured, 1 for what went wrong while running."""
    if isinstance(exc, (ConfigError, QueryError, FileNotFoundError)):
        return EXIT_USAGE
    return EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(lang_of(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_OK
    try:
        return int(args.func(args) or 0)
    except SQLLabError as exc:
        print(t("cli.failed", message=exc.message_in(_lang)), file=sys.stderr)
        return exit_status(exc)
    except FileNotFoundError as exc:
        print(t("cli.no_such_file", path=exc.filename or exc), file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:                     # disk full, permission denied, network: a runtime failure
        print(t("cli.os_error", path=exc.filename or "-", reason=exc.strerror or exc), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(t("cli.interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
