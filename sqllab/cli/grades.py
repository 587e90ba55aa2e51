"""``sqllab grades export``: the progress log as CSV."""

from __future__ import annotations

import argparse
import sys

from . import EXIT_OK, lang, t


def register(sub: argparse._SubParsersAction) -> None:
    grades = sub.add_parser("grades", help=t("cli.grades.help"), description=t("cli.grades.help"),
                            epilog=t("cli.epilog"), formatter_class=argparse.RawDescriptionHelpFormatter)
    grades_sub = grades.add_subparsers(dest="grades_command", metavar="SUBCOMMAND")
    grades.set_defaults(func=lambda args: grades.print_help() or EXIT_OK)

    export = grades_sub.add_parser("export", help=t("cli.grades.export.help"), description=t("cli.grades.export.help"),
                                   epilog=t("cli.epilog"), formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("--format", choices=("csv",), default="csv", help=t("cli.grades.format"))
    export.add_argument("--out", default=None, help=t("cli.grades.out"))
    export.add_argument("--lesson", default=None, help=t("cli.grades.lesson"))
    export.add_argument("--student", default=None, help=t("cli.grades.student"))
    export.add_argument("--db", default=None, help=t("cli.grades.db"))
    export.add_argument("--lang", dest="message_lang", choices=("en", "ja"), default=argparse.SUPPRESS,
                        help=t("cli.help.lang"))
    export.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    from ..notebook.progress import ProgressStore

    store = ProgressStore(args.db, lang=lang())
    if args.out is None:
        store.export_csv(sys.stdout, lesson=args.lesson, student=args.student)
        return EXIT_OK
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        n = store.export_csv(f, lesson=args.lesson, student=args.student)
    print(t("grades.exported", n=n, out=args.out), file=sys.stderr)
    return EXIT_OK
