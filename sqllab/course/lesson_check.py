"""Does a lesson's text work on every dataset a student can get? And how much does it say?

    python -m sqllab.course.lesson_check [LESSON_ID ...] [--langs en ja]

For each lesson and language, on every offline theme and on the LLM-named datasets kept in
``tests/data/llm_datasets`` (when run from a checkout), with the student's names filled in:

- every worked example runs (statements that write run on a throwaway copy);
- every guided step's answer runs; a ``change`` step's start query runs and sqllab's grader
  tells it from the answer; a ``fix`` step's start query fails with an error;
- every mistake's query runs, and the grader finds a database (the visible one or a hidden
  variant) where it differs from its fix.

It prints what failed, then per lesson the size of its own text (words; characters in
Japanese), examples, steps, quiz questions and mistakes. Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..content import lesson_text
from ..content.lesson_text import LessonText, fill, text_size

#: what a lesson must have at least (issue: "lessons that teach")
MINIMUM = {"examples": 6, "steps": 4, "quizzes": 4, "mistakes": 2}
MIN_WORDS = {"en": 1200, "ja": 3000}


@dataclass(frozen=True)
class Dataset:
    name: str
    lang: str
    path: Path


def split_statements(sql: str) -> list[str]:
    """``sql`` cut into complete statements (SQLite's own idea of where one ends)."""
    out, current = [], ""
    for piece in sql.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n\t;"):
                out.append(current.strip())
            current = ""
    if current.strip(" \n\t;"):
        out.append(current.strip().rstrip(";"))
    return out


def run_script(db: Path, sql: str) -> list[tuple]:
    """Run every statement of ``sql`` on a copy of ``db``; the last statement's rows."""
    with tempfile.TemporaryDirectory(prefix="sqllab-lesson-check-") as tmp:
        copy = Path(tmp) / "copy.sqlite"
        shutil.copyfile(db, copy)
        conn = sqlite3.connect(copy)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            rows: list[tuple] = []
            for statement in split_statements(sql):
                rows = conn.execute(statement).fetchall()
            return rows
        finally:
            conn.close()


def offline_datasets(folder: Path, langs: tuple[str, ...] = lesson_text.LANGS) -> list[Dataset]:
    from ..content.offline import THEMES, generate_offline_dataset
    from ..db import load_dataset

    out = []
    for lang in langs:
        for theme in THEMES:
            path = load_dataset(generate_offline_dataset(theme, lang=lang, seed=7), folder / f"{theme}-{lang}.sqlite")
            out.append(Dataset(f"{theme}/{lang}", lang, path))
    return out


def llm_datasets(folder: Path, source: Path | None = None) -> list[Dataset]:
    """Datasets the embedded model wrote in a course run, kept as JSON beside the tests."""
    from ..dataset import Dataset as DatasetModel
    from ..db import load_dataset

    source = source or Path(__file__).resolve().parents[2] / "tests" / "data" / "llm_datasets"
    out = []
    for file in sorted(source.glob("*.json")) if source.is_dir() else []:
        ds = DatasetModel.model_validate_json(file.read_text(encoding="utf-8"))
        out.append(Dataset(f"llm:{file.stem}", ds.lang, load_dataset(ds, folder / f"llm-{file.stem}.sqlite")))
    return out


@contextmanager
def datasets(langs: tuple[str, ...] = lesson_text.LANGS) -> Iterator[list[Dataset]]:
    with tempfile.TemporaryDirectory(prefix="sqllab-lesson-datasets-") as tmp:
        found = offline_datasets(Path(tmp), langs) + [d for d in llm_datasets(Path(tmp)) if d.lang in langs]
        yield found


def problems(text: LessonText, db: Path) -> list[str]:
    """What in ``text`` does not work on the database ``db`` (empty: everything works)."""
    from ..errors import SQLLabError
    from ..grading.grader import grade
    from ..notebook.lesson import ExampleNames
    from ..sandbox import WRITE_KEYWORDS, main_keyword, run_modification, run_query

    names = ExampleNames.from_db(db)
    found: list[str] = []

    def check_one(sql: str) -> None:
        """Raises SQLLabError unless ``sql`` is one statement sqllab can run and grade."""
        if main_keyword(sql) in WRITE_KEYWORDS:
            run_modification(db, sql, lang=text.lang)
        else:
            run_query(db, sql, lang=text.lang)

    def runs(what: str, sql: str) -> bool:
        try:
            run_script(db, fill(sql, names))
            return True
        except sqlite3.Error as exc:
            found.append(f"{what} fails: {exc}\n    {fill(sql, names)}")
            return False

    for i, sql in enumerate(text.examples, 1):
        runs(f"example {i}", sql)
    for i, step in enumerate(text.steps, 1):
        answer = fill(step.answer, names)
        if not runs(f"step {i} answer", step.answer):
            continue
        try:
            check_one(answer)
        except SQLLabError as exc:
            found.append(f"step {i} answer is not one query sqllab can check: {exc}")
            continue
        if step.kind == "change" and runs(f"step {i} start", step.start):
            if grade(db, answer, fill(step.start, names), lang=text.lang).correct:
                found.append(f"step {i} start already gives the answer's result: nothing to change")
        if step.kind == "fix":
            try:
                check_one(fill(step.start, names))
                found.append(f"step {i} start (a 'fix' step) runs without an error")
            except SQLLabError:
                pass
    for i, m in enumerate(text.mistakes, 1):
        if runs(f"mistake {i} query", m.query) and runs(f"mistake {i} fix", m.fix):
            v = grade(db, fill(m.fix, names), fill(m.query, names), lang=text.lang)
            if v.correct:
                found.append(f"mistake {i}: the grader finds no database where the query and its fix differ")
    return found


def counts(text: LessonText) -> dict[str, int]:
    return {"size": text_size(text.prose(), text.lang), "examples": len(text.examples),
            "steps": len(text.steps), "quizzes": len(text.quizzes), "mistakes": len(text.mistakes)}


def shortfalls(text: LessonText) -> list[str]:
    """The measures a teaching lesson must meet that ``text`` misses."""
    c = counts(text)
    out = [f"{k}: {c[k]} < {n}" for k, n in MINIMUM.items() if c[k] < n]
    if c["size"] < MIN_WORDS[text.lang]:
        out.append(f"{'characters' if text.lang == 'ja' else 'words'}: {c['size']} < {MIN_WORDS[text.lang]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson ids (default: every lesson with exercises)")
    parser.add_argument("--langs", nargs="+", default=list(lesson_text.LANGS))
    args = parser.parse_args(argv)
    ids = args.lessons or [i for i in lesson_text.lesson_ids() if i != "00_start_here"]
    failed = 0
    with datasets(tuple(args.langs)) as found:
        for lesson_id in ids:
            for lang in args.langs:
                text = lesson_text.load(lesson_id, lang)
                for ds in (d for d in found if d.lang == lang):
                    for p in problems(text, ds.path):
                        failed += 1
                        print(f"{lesson_id}.{lang} on {ds.name}: {p}")
    print(f"\n{'lesson':<16}{'lang':<6}{'text':>6}{'examples':>10}{'steps':>7}{'quiz':>6}{'mistakes':>10}  missing")
    for lesson_id in ids:
        for lang in args.langs:
            text = lesson_text.load(lesson_id, lang)
            c = counts(text)
            print(f"{lesson_id:<16}{lang:<6}{c['size']:>6}{c['examples']:>10}{c['steps']:>7}{c['quizzes']:>6}"
                  f"{c['mistakes']:>10}  {', '.join(shortfalls(text)) or '-'}")
    print(f"\n{failed} problem(s)" if failed else "\nevery example, step and mistake works on every dataset")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
