"""**Try it**: a wrong answer's small database, loaded into the student's practice copy.

When the grader finds a hidden database where a query goes wrong, its counterexample holds every
row of that small database (``Counterexample.inputs``). ``Lesson.try_counterexample`` (and the
exercise card's **Try it** button) builds it (``Counterexample.to_sqlite``: the lesson's own schema,
exactly the rows shown) and copies it over the practice copy, ``lesson.playground_path``, never
over the lesson database, which grades the answers. In a notebook, ``%sql`` and ``%%explain`` are
pointed at the practice copy, so the student can run and explain their query on those rows;
``lesson.reset_playground()`` puts the lesson's data back, ``lesson.bind_sql()`` takes ``%sql``
back to the lesson database.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import i18n
from ..errors import SQLLabError
from ..sandbox import quote_ident, user_tables


@dataclass
class TriedExample:
    """What **Try it** loaded into the practice copy, and the student's message about it."""

    path: Path
    tables: dict[str, int] = field(default_factory=dict)     # table shown -> rows it now holds
    emptied: list[str] = field(default_factory=list)          # the schema's other tables, now empty
    complete: bool = True                                      # False: the example had rows left out
    bound: bool = False                                        # %sql / %%explain now use the copy
    message: str = ""

    def _repr_markdown_(self) -> str:
        return self.message

    def __str__(self) -> str:
        return self.message


def counterexample_of(lesson: Any, item: Any) -> Any:
    """The counterexample of ``item``: a ``Verdict``, a ``CheckResult``, an exercise, or an exercise
    id (its last verdict in this session). A clear :class:`SQLLabError` when there is none to load."""
    lang = lesson.lang
    verdict = getattr(item, "verdict", item)
    if not hasattr(verdict, "correct"):                      # an exercise or its id
        key = str(getattr(item, "id", item))
        verdict = lesson.verdicts.get(key)
        if verdict is None:
            raise SQLLabError(key="ui.try.no_verdict", lang=lang, exercise=key)
    if verdict.correct:
        raise SQLLabError(key="ui.try.correct", lang=lang)
    diff = getattr(verdict, "diff", None)
    example = diff.counterexample if diff is not None else None
    if example is None:
        raise SQLLabError(key="ui.try.nothing", lang=lang)
    if not example.rebuildable:
        raise SQLLabError(key="sql.grade.example_visible", lang=lang)
    return example


def load(lesson: Any, example: Any, *, shell: Any = None) -> TriedExample:
    """Copy ``example``'s database over ``lesson``'s practice copy; bind ``%sql`` to it in IPython."""
    lang = lesson.lang
    mem = sqlite3.connect(":memory:")
    try:
        example.to_sqlite(mem)
        counts = {name: mem.execute(f"SELECT count(*) FROM {quote_ident(name)}").fetchone()[0]
                  for name in user_tables(mem)}
        lesson._write_playground(mem)
    finally:
        mem.close()
    shown = [s.name for s in example.inputs]
    tried = TriedExample(path=Path(lesson.playground_path), tables={n: counts.get(n, 0) for n in shown},
                         emptied=[n for n in counts if n not in shown], complete=bool(example.complete))
    tried.bound = _bind(lesson, shell)
    tried.message = _message(tried, lang, left_out=int(example.rows_left_out))
    return tried


def _bind(lesson: Any, shell: Any) -> bool:
    """Point ``%sql`` and ``%%explain`` at the practice copy when an IPython shell is around."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "extension_manager"):
        return False
    from . import explainmagic, sqlmagic

    sqlmagic.bind(lesson.playground_path, shell=shell, read_only=False, lang=lesson.lang)
    explainmagic.register(shell, lesson.playground_path, lang=lesson.lang)
    lesson._sql_shell = None           # it no longer follows the lesson's content (bind_sql() does)
    return True


def _message(tried: TriedExample, lang: str, *, left_out: int) -> str:
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    comma = t("ui.try.comma")
    tables = comma.join(t("ui.try.table", table=name, n=n) for name, n in tried.tables.items())
    parts = [t("ui.try.loaded", path=str(tried.path), tables=tables)]
    if tried.emptied:
        parts.append(t("ui.try.emptied", tables=comma.join(tried.emptied)))
    if not tried.complete:
        parts.append(t("ui.try.incomplete", n=left_out))
    parts.append(t("ui.try.bound" if tried.bound else "ui.try.not_bound"))
    parts.append(t("ui.try.reset"))
    return " ".join(parts) if lang == "en" else "".join(parts)
