"""``sqllab content check``: run the exercise bank and the offline themes, built-in and the
instructor's (``SQLLAB_CONTENT_DIR``; ``sqllab/content/README.md``), as lessons would."""

from __future__ import annotations

import argparse
import sys

from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE, t


def register(sub: argparse._SubParsersAction) -> None:
    content = sub.add_parser("content", help=t("cli.content.help"), description=t("cli.content.help"),
                             epilog=t("cli.epilog"), formatter_class=argparse.RawDescriptionHelpFormatter)
    content_sub = content.add_subparsers(dest="content_command", metavar="SUBCOMMAND")
    content.set_defaults(func=lambda args: content.print_help() or EXIT_OK)
    check = content_sub.add_parser("check", help=t("cli.content.check.help"),
                                   description=t("cli.content.check.description"), epilog=t("cli.epilog"),
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("--theme", action="append", default=None, help=t("cli.content.check.theme"))
    check.add_argument("--template", action="append", default=None, help=t("cli.content.check.template"))
    check.add_argument("--lang", choices=("en", "ja"), default=None, help=t("cli.help.lang"))
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from ..content.check import check_content          # reading the files: a ConfigError is a usage error
    from ..content.files import instructor_dir
    from ..content.offline import THEMES

    unknown = [name for name in args.theme or [] if name not in THEMES]
    if unknown:
        print(t("cli.content.check.unknown_theme", theme=unknown[0], themes=", ".join(THEMES)), file=sys.stderr)
        return EXIT_USAGE
    report = check_content(args.theme, args.template)
    folder = instructor_dir()
    print(t("cli.content.check.read", folder=str(folder) if folder else "-"))
    for problem in report.problems:
        print("  " + problem)
    key = "cli.content.check.ok" if report.ok else "cli.content.check.failed"
    print(t(key, themes=len(report.themes), templates=report.templates, datasets=report.datasets,
            queries=report.queries, problems=len(report.problems)))
    return EXIT_OK if report.ok else EXIT_FAILED
