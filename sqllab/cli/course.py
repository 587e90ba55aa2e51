"""``sqllab course build``: papermill every lesson for every student on a roster."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    course = sub.add_parser("course", help="instructor tools: build the course for a roster")
    course_sub = course.add_subparsers(dest="course_command", metavar="SUBCOMMAND")
    course.set_defaults(func=lambda args: course.print_help() or 0)

    build = course_sub.add_parser(
        "build", help="run every lesson for every student (personal seed), report failures")
    build.add_argument("--roster", required=True, help="CSV with a student_id column (optional name, lang)")
    build.add_argument("--lessons", required=True, nargs="+",
                       help="a directory of lesson notebooks, or notebook files")
    build.add_argument("--out", required=True, help="output directory: <out>/<student_id>/<lesson>.ipynb")
    build.add_argument("--jobs", type=int, default=1, help="notebooks run at once (default 1)")
    build.add_argument("--llm", choices=("auto", "embedded", "remote", "offline"), default=None,
                       help="override the notebooks' llm parameter")
    build.add_argument("--lang", choices=("en", "ja"), default=None,
                       help="override the notebooks' lang parameter (a roster lang column wins)")
    build.add_argument("--kernel", default=None, help="Jupyter kernel name (default: the notebook's)")
    build.add_argument("--timeout", type=float, default=600.0, help="seconds per cell")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    build.set_defaults(func=_build)


def _build(args: argparse.Namespace) -> int:
    from ..course import build_course

    lessons = args.lessons[0] if len(args.lessons) == 1 else args.lessons
    report = build_course(args.roster, lessons, args.out, jobs=args.jobs, llm=args.llm,
                          lang=args.lang, kernel_name=args.kernel, timeout_s=args.timeout,
                          progress=not args.no_progress)
    print(report.summary(args.lang))
    return 0 if report.ok else 1
