"""Bind ipython-sql's ``%sql`` / ``%%sql`` to a lesson database.

ipython-sql 0.5.0 needs ``prettytable<3.12`` (pinned in pyproject). Results print as small
tables (``displaylimit``), never as pandas frames, and SQL errors print one short line.
``{name}`` in a ``%%sql`` cell is replaced by the Python variable ``name`` (IPython's
``var_expand``), which lessons use to name the tables of whatever theme was generated.

The lesson database grades the student's answers, so ``%sql`` opens it read-only (an SQLite
``mode=ro`` URI): an INSERT, UPDATE, DELETE or CREATE there prints a message in the student's
language that points to the practice copy (``lesson.bind_sql(playground=True)``), which is
bound read-write, with foreign keys enforced as the grader enforces them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

DISPLAY_LIMIT = 20
READ_ONLY_MARKS = ("attempt to write a readonly database", "readonly database")


def connection_url(db: str | Path, *, read_only: bool = False) -> str:
    """The SQLAlchemy URL ipython-sql expects for a SQLite file (``mode=ro`` when ``read_only``)."""
    path = quote(str(Path(db).resolve()))         # a URI: spaces and '?' in the path survive
    return f"sqlite:///file:{path}?{'mode=ro&' if read_only else ''}uri=true"


def _read_only_error_class() -> type[Exception]:
    from sqlalchemy.exc import OperationalError

    class ReadOnlyLessonError(OperationalError):
        """What ipython-sql prints (``short_errors``) when a statement tries to write."""

        def __init__(self, message: str, original: Exception) -> None:
            super().__init__(None, None, original)
            self.message = message

        def __str__(self) -> str:
            return self.message

    return ReadOnlyLessonError


def _handle_error(context: Any) -> None:
    """SQLAlchemy ``handle_error``: a write on a read-only lesson database becomes a ja/en message."""
    from .. import i18n

    original = context.original_exception
    if any(mark in str(original) for mark in READ_ONLY_MARKS):
        lang = getattr(context.engine, "sqllab_lang", None)
        raise _read_only_error_class()(i18n.t("ui.sql.read_only", lang), original)


def _explain_writes(engine: Any, lang: str | None) -> None:
    from sqlalchemy import event

    engine.sqllab_lang = lang
    if not event.contains(engine, "handle_error", _handle_error):
        event.listen(engine, "handle_error", _handle_error)


def bind(db: str | Path, *, shell: Any = None, displaylimit: int = DISPLAY_LIMIT, read_only: bool = False,
         lang: str | None = None) -> str:
    """Load the extension (once), configure it, and make ``db`` the current connection.

    ``read_only`` opens the file with ``mode=ro``: nothing run through ``%sql`` can change it,
    and a write prints ``ui.sql.read_only`` in ``lang``. Returns the connection URL. Raises
    ``RuntimeError`` outside IPython.
    """
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        raise RuntimeError("%sql needs an IPython kernel")
    if "sql" not in shell.extension_manager.loaded:
        shell.run_line_magic("load_ext", "sql")
    for option in (f"SqlMagic.displaylimit = {int(displaylimit)}", "SqlMagic.autopandas = False",
                   "SqlMagic.feedback = False", "SqlMagic.displaycon = False",
                   "SqlMagic.short_errors = True"):
        shell.run_line_magic("config", option)
    url = connection_url(db, read_only=read_only)
    shell.run_line_magic("sql", url)
    from sql.connection import Connection

    if read_only:
        _explain_writes(Connection.current.internal_connection.engine, lang)
    else:            # the practice copy checks foreign keys, as the grader does
        _enforce_foreign_keys(Connection.current.internal_connection)
    return url


def _foreign_keys_on(dbapi_connection: Any, _record: Any = None) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def _roll_back_failed(context: Any) -> None:
    """A statement that failed on the practice copy (a constraint, a typo) leaves no transaction
    open: an open one would hold the file's lock, and ``reset_playground()`` would wait on it."""
    try:
        context.connection.connection.dbapi_connection.rollback()
    except Exception:          # the connection is gone: nothing is held
        pass


def _enforce_foreign_keys(connection: Any) -> None:
    """``PRAGMA foreign_keys = ON`` on ``connection`` and on every connection its engine opens later
    (SQLite leaves foreign keys off unless each connection turns them on)."""
    from sqlalchemy import event

    engine = connection.engine
    if not event.contains(engine, "connect", _foreign_keys_on):
        event.listen(engine, "connect", _foreign_keys_on)
    if not event.contains(engine, "handle_error", _roll_back_failed):
        event.listen(engine, "handle_error", _roll_back_failed)
    _foreign_keys_on(connection.connection.dbapi_connection)
