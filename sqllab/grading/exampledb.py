"""The small database of a counterexample: which rows may go, and how to build it again.

A wrong answer's counterexample is a *complete* small database: every row of the tables either
query reads (and the parent rows their foreign keys point at), so a student who types exactly
those rows into tables gets the difference again. The grader shrinks a failing hidden database
by deleting rows (:class:`RowGraph` says which deletions keep every foreign key valid);
:func:`build` writes the rows shown into a fresh database with the lesson's own schema
(:func:`schema_statements`), which is what ``Counterexample.to_sqlite`` and the playground's
**Try it** use.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..sandbox import quote_ident, user_tables
from .variants import Table, _parents_first

Row = tuple[str, int]           # (table, rowid)


class RowGraph:
    """The rows of some tables of ``conn`` and the parent rows each one's foreign keys need.

    ``rows`` lists them children first (a child goes before the parent it needs), by rowid within a
    table. Rows of WITHOUT ROWID tables cannot be named by rowid: they all stay, and so do their
    parents."""

    def __init__(self, conn: sqlite3.Connection, schema: dict[str, Table], tables: Sequence[str]) -> None:
        order = list(reversed(_parents_first(list(tables), schema)))
        self.rows: list[Row] = []
        for name in order:
            if schema[name].rowid:
                self.rows += [(name, r[0]) for r in conn.execute(f"SELECT rowid FROM {quote_ident(name)} ORDER BY rowid")]
        self.parents: dict[Row, set[Row]] = {}
        self.pinned: set[Row] = set()          # parents of rows that always stay
        for name in order:
            child = schema[name]
            for fk in child.fks:
                parent = schema.get(fk.parent)
                if parent is None or not parent.rowid or fk.parent not in tables:
                    continue
                on = " AND ".join(f"p.{quote_ident(pc)} = c.{quote_ident(cc)}"
                                  for cc, pc in zip(fk.columns, fk.parent_columns))
                child_id = "c.rowid" if child.rowid else "NULL"
                sql = (f"SELECT {child_id}, p.rowid FROM {quote_ident(name)} AS c "
                       f"JOIN {quote_ident(fk.parent)} AS p ON {on}")
                for child_rowid, parent_rowid in conn.execute(sql):
                    if child_rowid is None:
                        self.pinned.add((fk.parent, parent_rowid))
                    elif (name, child_rowid) != (fk.parent, parent_rowid):
                        self.parents.setdefault((name, child_rowid), set()).add((fk.parent, parent_rowid))

    def needed(self, kept: Iterable[Row]) -> set[Row]:
        """``kept`` and every row its foreign keys reach (parents, their parents, ...)."""
        out: set[Row] = set()
        todo = [*kept, *self.pinned]
        while todo:
            row = todo.pop()
            if row not in out:
                out.add(row)
                todo.extend(self.parents.get(row, ()))
        return out

    def deletable(self, chunk: Sequence[Row], remaining: Sequence[Row]) -> list[Row]:
        """The rows of ``chunk`` that can go while the other ``remaining`` rows stay: a parent that a
        staying row needs is kept."""
        gone = set(chunk)
        needed = self.needed(r for r in remaining if r not in gone)
        return [r for r in chunk if r not in needed]


def delete_rows(conn: sqlite3.Connection, rows: Iterable[Row]) -> None:
    by_table: dict[str, list[int]] = {}
    for table, rowid in rows:
        by_table.setdefault(table, []).append(rowid)
    for table, rowids in by_table.items():
        for start in range(0, len(rowids), 500):
            part = rowids[start:start + 500]
            conn.execute(f"DELETE FROM {quote_ident(table)} WHERE rowid IN ({','.join('?' * len(part))})", part)


def table_rows(conn: sqlite3.Connection, table: Table) -> tuple[list[str], list[tuple]]:
    """Columns and every row of ``table``, in rowid order (primary key order without a rowid)."""
    order = " ORDER BY rowid" if table.rowid else ""
    cur = conn.execute(f"SELECT * FROM {quote_ident(table.name)}{order}")
    return [d[0] for d in cur.description], cur.fetchall()


def schema_statements(conn: sqlite3.Connection) -> list[str]:
    """The CREATE statements of ``conn``'s tables and indexes, then of its views and triggers
    (SQLite's own internal tables and automatic indexes left out)."""
    rows = conn.execute("SELECT type, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, "
                        "rowid").fetchall()
    return [sql for _, sql in rows]


def build(schema_sql: Sequence[str], tables: Sequence[Any], target: sqlite3.Connection) -> None:
    """Create ``schema_sql`` in the empty database ``target`` and insert exactly the rows of
    ``tables`` (objects with ``name``, ``columns`` and ``rows``), in one transaction.

    Foreign keys are checked at the end (``defer_foreign_keys``) when ``target`` enforces them, so
    a row may come before the parent it references. Views and triggers are created after the rows
    (a trigger must not fire on them). Raises ``ValueError`` when ``target`` already has tables."""
    if user_tables(target):
        raise ValueError("the target database already has tables")
    later = [s for s in schema_sql if s.lstrip().upper().startswith(("CREATE VIEW", "CREATE TEMP", "CREATE TRIGGER"))]
    first = [s for s in schema_sql if s not in later]
    old = target.isolation_level
    target.isolation_level = None
    try:
        target.execute("BEGIN")
        try:
            target.execute("PRAGMA defer_foreign_keys = ON")
            for statement in first:
                target.execute(statement)
            for sample in tables:
                if not sample.rows:
                    continue
                columns = ", ".join(quote_ident(c) for c in sample.columns)
                marks = ", ".join("?" for _ in sample.columns)
                target.executemany(f"INSERT INTO {quote_ident(sample.name)} ({columns}) VALUES ({marks})",
                                   [tuple(r) for r in sample.rows])
            for statement in later:
                target.execute(statement)
            target.execute("COMMIT")
        except BaseException:
            target.execute("ROLLBACK")
            raise
    finally:
        target.isolation_level = old


def open_target(target: str | Path | sqlite3.Connection) -> tuple[sqlite3.Connection, bool]:
    """A connection to ``target`` and whether this call opened it (and so must close it)."""
    if isinstance(target, sqlite3.Connection):
        return target, False
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn, True
