"""``sqllab grades export``: the progress log as CSV."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    grades = sub.add_parser("grades", help="students' attempts from the progress file")
    grades_sub = grades.add_subparsers(dest="grades_command", metavar="SUBCOMMAND")
    grades.set_defaults(func=lambda args: grades.print_help() or 0)

    export = grades_sub.add_parser("export", help="write every attempt (or one lesson's) as CSV")
    export.add_argument("--format", choices=("csv",), default="csv")
    export.add_argument("--out", default=None, help="file to write (default: stdout)")
    export.add_argument("--lesson", default=None, help="only this lesson, e.g. 01_select")
    export.add_argument("--student", default=None, help="only this student")
    export.add_argument("--db", default=None,
                        help="progress file (default: SQLLAB_PROGRESS_DB or <SQLLAB_CACHE_DIR>/progress.db)")
    export.set_defaults(func=_export)


def _export(args: argparse.Namespace) -> int:
    from ..i18n import t
    from ..progress import ProgressStore

    store = ProgressStore(args.db)
    if args.out is None:
        store.export_csv(sys.stdout, lesson=args.lesson, student=args.student)
        return 0
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        n = store.export_csv(f, lesson=args.lesson, student=args.student)
    print(t("grades.exported", None, n=n, out=args.out), file=sys.stderr)
    return 0
