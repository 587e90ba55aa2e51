"""``sqllab check``: grade one answer against a reference on a lesson database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import EXIT_FAILED, EXIT_OK, EXIT_USAGE, t


def register(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check", help=t("cli.check.help"), description=t("cli.check.description"),
                           epilog=t("cli.epilog"), formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("--db", required=True, help=t("cli.check.db"))
    check.add_argument("--reference", required=True, help=t("cli.check.reference"))
    check.add_argument("--answer", required=True, help=t("cli.check.answer"))
    check.add_argument("--json", action="store_true", help=t("cli.check.json"))
    check.add_argument("--lang", choices=("en", "ja"), default=None, help=t("cli.help.lang"))
    check.add_argument("--timeout", type=float, default=2.0, help=t("cli.check.timeout"))
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from .. import i18n
    from ..errors import SQLLabError
    from ..grading.grader import grade

    lang = args.lang or args.message_lang or i18n.default_lang()
    if not Path(args.db).is_file():
        print(i18n.t("cli.check.no_db", lang, path=args.db), file=sys.stderr)
        return EXIT_USAGE
    answer = sys.stdin.read() if args.answer == "-" else args.answer
    try:
        verdict = grade(args.db, args.reference, answer, lang=lang, timeout_s=args.timeout)
    except SQLLabError as exc:             # the reference itself does not run: a usage error
        print(i18n.t("cli.check.reference_failed", lang, message=exc.message_in(lang)), file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(verdict.model_dump_json(indent=2))
    else:
        print(f"[{verdict.status}] {verdict.message}")
    return EXIT_OK if verdict.correct else EXIT_FAILED
