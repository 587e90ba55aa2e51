"""Lesson databases: write a ``Dataset`` into SQLite, and describe any SQLite file.

``load_dataset`` declares every constraint through SQLAlchemy Core (PRIMARY KEY, NOT NULL,
UNIQUE, FOREIGN KEY, CHECK), inserts with bound parameters and quoted identifiers, and swaps
the finished file into place atomically. ``describe`` reads the schema back with PRAGMAs, so it
works on any SQLite file, and draws a Mermaid ER diagram.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from . import i18n
from .dataset import ColumnType, Dataset, Table
from .errors import DatasetError

_SA_TYPES: dict[ColumnType, Any] = {
    ColumnType.INTEGER: sa.INTEGER,
    ColumnType.REAL: sa.REAL,
    ColumnType.TEXT: sa.TEXT,
    ColumnType.DATE: sa.DATE,
    ColumnType.BOOLEAN: sa.BOOLEAN,
}


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- writing -----------------------------------------------------------------------------

def metadata_for(dataset: Dataset) -> sa.MetaData:
    """SQLAlchemy Core tables for ``dataset``, every constraint declared, every name quoted."""
    md = sa.MetaData()
    for t in dataset.tables:
        pk = {c.lower() for c in t.primary_key}
        items: list[Any] = []
        for c in t.columns:
            items.append(sa.Column(c.name, _SA_TYPES[c.type], nullable=c.nullable and c.name.lower() not in pk,
                                   quote=True, autoincrement=False))
        if t.primary_key:
            items.append(sa.PrimaryKeyConstraint(*[t.column(n).name for n in t.primary_key]))  # type: ignore[union-attr]
        for c in t.columns:
            if c.unique:
                items.append(sa.UniqueConstraint(c.name))
            check = c.parsed_check()
            if check is not None:
                items.append(sa.CheckConstraint(check.sql(_q(c.name))))
        for fk in t.foreign_keys:
            ref = dataset.table(fk.ref_table)
            items.append(sa.ForeignKeyConstraint(
                [t.column(n).name for n in fk.columns],  # type: ignore[union-attr]
                [f"{ref.name}.{ref.column(n).name}" for n in fk.ref_columns]))  # type: ignore[union-attr]
        sa.Table(t.name, md, *items, quote=True)
    return md


def _bind_rows(t: Table) -> list[dict[str, Any]]:
    """Rows as bind parameters: DATE as ``datetime.date`` (stored as ISO text), BOOLEAN as bool (0/1)."""
    dates = [i for i, c in enumerate(t.columns) if c.type is ColumnType.DATE]
    names = [c.name for c in t.columns]
    out = []
    for row in t.rows:
        values = list(row)
        for i in dates:
            if values[i] is not None:
                values[i] = dt.date.fromisoformat(str(values[i]))
        out.append(dict(zip(names, values)))
    return out


def load_dataset(dataset: Dataset, path: str | os.PathLike[str]) -> Path:
    """Write ``dataset`` into a new SQLite file at ``path`` (replacing it atomically); return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; lesson files are ordinary files
    engine = sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(tmp), poolclass=sa.pool.NullPool)
    try:
        md = metadata_for(dataset)
        with engine.begin() as conn:
            # Rows were validated; keys are checked below once every table is filled.
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            md.create_all(conn)
            for t in dataset.tables:
                if t.rows:
                    conn.execute(md.tables[t.name].insert(), _bind_rows(t))
            bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchone()
            if bad is not None:
                raise DatasetError(key="dataset.load_failed", path=str(path),
                                   reason=f"foreign key check failed in table {bad[0]}, rowid {bad[1]}")
        engine.dispose()
        os.replace(tmp, path)
    except sa.exc.SQLAlchemyError as exc:
        raise DatasetError(key="dataset.load_failed", path=str(path), reason=str(exc.orig or exc)) from exc
    finally:
        engine.dispose()
        tmp.unlink(missing_ok=True)
    return path


# --- describing --------------------------------------------------------------------------

class ColumnDescription(BaseModel):
    name: str
    type: str
    notnull: bool
    pk: int                      # position in the primary key (1, 2, ...) or 0
    unique: bool
    fk: str | None = None        # "table.column" it references


class ForeignKeyDescription(BaseModel):
    columns: list[str]
    ref_table: str
    ref_columns: list[str]


class TableDescription(BaseModel):
    name: str
    columns: list[ColumnDescription]
    foreign_keys: list[ForeignKeyDescription]
    row_count: int

    @property
    def primary_key(self) -> list[str]:
        return [c.name for c in sorted((c for c in self.columns if c.pk), key=lambda c: c.pk)]


class DatabaseDescription(BaseModel):
    """Schema and row counts of a SQLite file; ``mermaid`` is an ``erDiagram`` of it."""

    tables: list[TableDescription]

    def table(self, name: str) -> TableDescription:
        return next(t for t in self.tables if t.name.lower() == name.lower())

    @property
    def mermaid(self) -> str:
        lines = ["erDiagram"]
        for t in self.tables:
            lines.append(f"    {_mm(t.name)} {{")
            for c in t.columns:
                keys = ",".join(k for k, on in (("PK", c.pk), ("FK", c.fk), ("UK", c.unique and not c.pk)) if on)
                lines.append(f"        {_mm(c.type or 'ANY')} {_mm(c.name)}" + (f" {keys}" if keys else "")
                             + (' "NOT NULL"' if c.notnull and not c.pk else ""))
            lines.append("    }")
        for t in self.tables:
            cols = {c.name: c for c in t.columns}
            for fk in t.foreign_keys:
                required = all(cols[n].notnull for n in fk.columns if n in cols)
                one = len(fk.columns) == 1 and fk.columns[0] in cols and (
                    cols[fk.columns[0]].unique or t.primary_key == fk.columns)
                parent = "||" if required else "|o"
                child = "o|" if one else "o{"
                label = ", ".join(fk.columns).replace('"', "'")
                lines.append(f'    {_mm(fk.ref_table)} {parent}--{child} {_mm(t.name)} : "{label}"')
        return "\n".join(lines)

    def to_markdown(self, lang: str | None = None) -> str:
        """A short schema table and the ER diagram as a ```mermaid block (JupyterLab renders it)."""
        t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
        out = [f"| {t('dataset.md.table')} | {t('dataset.md.rows')} | {t('dataset.md.columns')} |",
               "|---|---:|---|"]
        for tb in self.tables:
            cols = []
            for c in tb.columns:
                notes = [c.type] if c.type else []
                if c.pk:
                    notes.append(t("dataset.md.pk"))
                elif c.notnull:
                    notes.append(t("dataset.md.notnull"))
                if c.unique and not c.pk:
                    notes.append(t("dataset.md.unique"))
                if c.fk:
                    notes.append(t("dataset.md.fk", ref=c.fk))
                cols.append(f"`{_md(c.name)}` ({', '.join(_md(n) for n in notes)})")
            out.append(f"| `{_md(tb.name)}` | {tb.row_count} | {', '.join(cols)} |")
        out += ["", f"**{t('dataset.md.er')}**", "", "```mermaid", self.mermaid, "```"]
        return "\n".join(out)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def _mm(name: str) -> str:
    """A Mermaid-safe word (letters, digits, '_' and '-')."""
    return re.sub(r"[^\w-]", "_", name) or "_"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


@contextmanager
def _open(db: str | os.PathLike[str] | sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    if isinstance(db, sqlite3.Connection):
        yield db
        return
    path = Path(db)
    if not path.is_file():
        raise DatasetError(key="dataset.load_failed", path=str(path), reason="no such file")
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def describe(db: str | os.PathLike[str] | sqlite3.Connection) -> DatabaseDescription:
    """Tables, columns (type, NOT NULL, key, UNIQUE, reference), row counts of a SQLite database."""
    with _open(db) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY rowid")]
        tables = []
        for name in names:
            q = _q(name)
            uniques = []
            for _, index, unique, *_ in conn.execute(f"PRAGMA index_list({q})"):
                if unique:
                    uniques.append([r[2] for r in conn.execute(f"PRAGMA index_info({_q(index)})")])
            fks: dict[int, ForeignKeyDescription] = {}
            for fid, _seq, ref, frm, to, *_ in conn.execute(f"PRAGMA foreign_key_list({q})"):
                fk = fks.setdefault(fid, ForeignKeyDescription(columns=[], ref_table=ref, ref_columns=[]))
                fk.columns.append(frm)
                fk.ref_columns.append(to or "")
            for fk in fks.values():
                if not any(fk.ref_columns):  # REFERENCES parent without columns: the parent's key
                    pk = [r[1] for r in sorted(conn.execute(f"PRAGMA table_info({_q(fk.ref_table)})"),
                                               key=lambda r: r[5]) if r[5]]
                    fk.ref_columns = pk or ["rowid"]
            single_fk = {fk.columns[0]: f"{fk.ref_table}.{fk.ref_columns[0]}"
                         for fk in fks.values() if len(fk.columns) == 1}
            cols = []
            pk_cols = [r for r in conn.execute(f"PRAGMA table_info({q})")]
            n_pk = sum(1 for r in pk_cols if r[5])
            for _cid, cname, ctype, notnull, _default, pk in pk_cols:
                cols.append(ColumnDescription(
                    name=cname, type=ctype or "", notnull=bool(notnull) or (pk > 0 and ctype.upper() == "INTEGER"
                                                                           and n_pk == 1),
                    pk=pk, unique=[cname] in uniques or (pk > 0 and n_pk == 1), fk=single_fk.get(cname)))
            count = conn.execute(f"SELECT COUNT(*) FROM {q}").fetchone()[0]
            tables.append(TableDescription(name=name, columns=cols, foreign_keys=list(fks.values()),
                                           row_count=count))
    return DatabaseDescription(tables=tables)
