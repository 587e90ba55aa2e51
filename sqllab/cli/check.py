"""``sqllab check``: grade one answer against a reference on a lesson database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser(
        "check", help="grade an answer against a reference query (exit 0 correct, 1 not, 2 usage error)",
        description="Run the reference and the answer on the database and on hidden variant databases; "
                    "print the verdict. '-' reads the answer from standard input.")
    check.add_argument("--db", required=True, help="lesson SQLite file (never modified)")
    check.add_argument("--reference", required=True, help="the reference SQL")
    check.add_argument("--answer", required=True, help="the answer SQL, or '-' for standard input")
    check.add_argument("--json", action="store_true", help="print the verdict as JSON")
    check.add_argument("--lang", choices=("en", "ja"), default=None, help="message language (default SQLLAB_LANG)")
    check.add_argument("--timeout", type=float, default=2.0, help="seconds per query run (default 2)")
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from .. import i18n
    from ..errors import SQLLabError
    from ..grading import grade

    if not Path(args.db).is_file():
        print(f"sqllab check: no such database file: {args.db}", file=sys.stderr)
        return 2
    answer = sys.stdin.read() if args.answer == "-" else args.answer
    lang = args.lang or i18n.default_lang()
    try:
        verdict = grade(args.db, args.reference, answer, lang=lang, timeout_s=args.timeout)
    except SQLLabError as exc:             # the reference itself does not run: a usage error
        print(f"sqllab check: {exc.message_in(lang)}", file=sys.stderr)
        return 2
    if args.json:
        print(verdict.model_dump_json(indent=2))
    else:
        print(f"[{verdict.status}] {verdict.message}")
    return 0 if verdict.correct else 1
