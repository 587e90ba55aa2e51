"""``sqllab course build``: papermill every lesson for every student on a roster.
``sqllab course nbgrader``: lessons as nbgrader source assignments (``sqllab.course.assignments``)."""

from __future__ import annotations

import argparse

from . import EXIT_FAILED, EXIT_OK, t


def register(sub: argparse._SubParsersAction) -> None:
    course = sub.add_parser("course", help=t("cli.course.help"), description=t("cli.course.help"),
                            epilog=t("cli.epilog"), formatter_class=argparse.RawDescriptionHelpFormatter)
    course_sub = course.add_subparsers(dest="course_command", metavar="SUBCOMMAND")
    course.set_defaults(func=lambda args: course.print_help() or EXIT_OK)

    build = course_sub.add_parser("build", help=t("cli.course.build.help"), description=t("cli.course.build.help"),
                                  epilog=t("cli.epilog"), formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("--roster", required=True, help=t("cli.course.roster"))
    build.add_argument("--lessons", required=True, nargs="+", help=t("cli.course.lessons"))
    build.add_argument("--out", required=True, help=t("cli.course.out"))
    build.add_argument("--jobs", type=int, default=1, help=t("cli.course.jobs"))
    build.add_argument("--llm", choices=("auto", "embedded", "remote", "offline"), default=None,
                       help=t("cli.course.llm"))
    build.add_argument("--lang", choices=("en", "ja"), default=None, help=t("cli.course.lang"))
    build.add_argument("--kernel", default=None, help=t("cli.course.kernel"))
    build.add_argument("--timeout", type=float, default=600.0, help=t("cli.course.timeout"))
    build.add_argument("--no-progress", action="store_true", help=t("cli.course.no_progress"))
    build.add_argument("--no-expected", action="store_true", help=t("cli.course.no_expected"))
    build.set_defaults(func=_build)

    nbg = course_sub.add_parser("nbgrader", help=t("cli.course.nbgrader.help"),
                                description=t("cli.course.nbgrader.help"), epilog=t("cli.epilog"),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    nbg.add_argument("--lessons", required=True, nargs="+", help=t("cli.course.lessons"))
    nbg.add_argument("--course-dir", required=True, help=t("cli.course.course_dir"))
    nbg.add_argument("--llm", choices=("auto", "embedded", "remote", "offline"), default=None,
                     help=t("cli.course.llm"))
    nbg.add_argument("--lang", choices=("en", "ja"), default=None, help=t("cli.course.lang"))
    nbg.add_argument("--seed", type=int, default=None, help=t("cli.course.seed"))
    nbg.add_argument("--theme", default=None, help=t("cli.course.theme"))
    nbg.add_argument("--difficulty", choices=("easy", "medium", "hard"), default=None,
                     help=t("cli.course.difficulty"))
    nbg.add_argument("--n-exercises", type=int, default=None, help=t("cli.course.n_exercises"))
    nbg.add_argument("--points", type=float, default=1.0, help=t("cli.course.points"))
    nbg.set_defaults(func=_nbgrader)


def _build(args: argparse.Namespace) -> int:
    from ..course.build import build_course

    lang = args.lang or args.message_lang
    lessons = args.lessons[0] if len(args.lessons) == 1 else args.lessons
    report = build_course(args.roster, lessons, args.out, jobs=args.jobs, llm=args.llm,
                          lang=args.lang, kernel_name=args.kernel, timeout_s=args.timeout,
                          progress=not args.no_progress, show_expected=not args.no_expected)
    print(report.summary(lang))
    return EXIT_OK if report.ok else EXIT_FAILED


def _nbgrader(args: argparse.Namespace) -> int:
    from ..course.assignments import build_assignments

    lang = args.lang or args.message_lang
    lessons = args.lessons[0] if len(args.lessons) == 1 else args.lessons
    report = build_assignments(lessons, args.course_dir, llm=args.llm, lang=args.lang, seed=args.seed,
                               theme=args.theme, difficulty=args.difficulty, n_exercises=args.n_exercises,
                               points=args.points)
    print(report.summary(lang))
    return EXIT_OK
