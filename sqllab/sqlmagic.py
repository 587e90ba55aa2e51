"""Bind ipython-sql's ``%sql`` / ``%%sql`` to a lesson database.

ipython-sql 0.5.0 needs ``prettytable<3.12`` (pinned in pyproject). Results print as small
tables (``displaylimit``), never as pandas frames, and SQL errors print one short line.
``{name}`` in a ``%%sql`` cell is replaced by the Python variable ``name`` (IPython's
``var_expand``), which lessons use to name the tables of whatever theme was generated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DISPLAY_LIMIT = 20


def connection_url(db: str | Path) -> str:
    """The SQLAlchemy URL ipython-sql expects for a SQLite file."""
    return f"sqlite:///{Path(db).resolve()}"


def bind(db: str | Path, *, shell: Any = None, displaylimit: int = DISPLAY_LIMIT) -> str:
    """Load the extension (once), configure it, and make ``db`` the current connection.

    Returns the connection URL. Raises ``RuntimeError`` outside IPython.
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
    url = connection_url(db)
    shell.run_line_magic("sql", url)
    return url
