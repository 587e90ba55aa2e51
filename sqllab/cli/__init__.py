"""The ``sqllab`` command: a thin shell over the Python API.

Each area registers its own subcommands from a module of this package
(``llm``, ``check``, ``course``, ``grades``); this file only wires them together.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import SQLLabError

SUBCOMMAND_MODULES = ("llm", "check", "course", "grades")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(prog="sqllab", description="sqllab: a Jupyter course kit for learning SQL")
    parser.add_argument("--version", action="version", version=f"sqllab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except SQLLabError as exc:
        print(f"sqllab: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
