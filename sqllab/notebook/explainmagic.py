"""``%explain`` / ``%%explain``: a lesson cell's SQL run clause by clause (``sqllab.grading.explain``).

``lesson.bind_sql()`` registers the magic beside ``%sql``, on the same database::

    %%explain
    SELECT name FROM {t.table} WHERE {t.nullable} IS NULL

``{name}`` is replaced by the Python variable ``name`` as in ``%%sql`` cells. The cell's value is
an ``Explanation``, shown as one small table per clause; a query Explain cannot split shows its
message (in the lesson's language), never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def register(shell: Any, db: str | Path, *, lang: str | None = None) -> None:
    """Make ``%explain`` (line) and ``%%explain`` (cell) explain SQL on ``db`` (re-registering
    moves them to another database)."""
    from ..grading.explain import explain

    def magic(line: str = "", cell: str | None = None) -> Any:
        sql = shell.var_expand(cell if cell is not None else line)
        return explain(db, sql, lang=lang)

    shell.register_magic_function(magic, magic_kind="line_cell", magic_name="explain")
