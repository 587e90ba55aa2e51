"""Run a student's SQL safely: one statement, read-only, time- and size-limited.

``run_query`` runs a SELECT on a lesson database and never changes it: paths are opened
read-only (URI ``mode=ro``), an SQLite authorizer allows reads only, ``PRAGMA query_only`` is
on, a progress handler enforces the timeout and ``SQLITE_LIMIT_LENGTH`` caps every value.
``run_modification`` runs an INSERT/UPDATE/DELETE on a throwaway in-memory copy and returns
the resulting tables. Every failure is a :class:`~sqllab.errors.SQLLabError` whose message
(ja/en) a student can act on.
"""

from __future__ import annotations

import difflib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from .errors import (
    EmptyQueryError,
    ForbiddenQueryError,
    MultipleStatementsError,
    QueryError,
    QueryTimeoutError,
    ResultTooLargeError,
    SQLLabError,
    SQLSyntaxError,
    UnknownNameError,
)

DB = str | os.PathLike[str] | sqlite3.Connection

MAX_SQL_CHARS = 20_000
MAX_VALUE_BYTES = 1_000_000          # SQLITE_LIMIT_LENGTH while a student query runs
MAX_RESULT_BYTES = 8_000_000         # all cells of a result together
PROGRESS_STEPS = 1_000               # VM instructions between two clock checks

# SQLite's own limits while a student statement runs (``Connection.setlimit``). The progress
# handler only runs between VM instructions, so one call that does a lot of work (a huge
# string, a deep expression, a pattern with thousands of wildcards) must be cut off by a limit.
LIMITS = {
    "SQLITE_LIMIT_LENGTH": MAX_VALUE_BYTES,        # any string or blob, and printf's output
    "SQLITE_LIMIT_SQL_LENGTH": MAX_SQL_CHARS * 4,  # bytes of SQL text (UTF-8)
    "SQLITE_LIMIT_COLUMN": 500,                    # columns in a result, a table, an index
    "SQLITE_LIMIT_EXPR_DEPTH": 200,                # nesting of an expression
    "SQLITE_LIMIT_COMPOUND_SELECT": 50,            # terms of UNION/INTERSECT/EXCEPT
    "SQLITE_LIMIT_VDBE_OP": 50_000,                # instructions of one compiled statement
    "SQLITE_LIMIT_FUNCTION_ARG": 32,               # arguments of one function call
    "SQLITE_LIMIT_ATTACHED": 0,                    # no ATTACH at all
    "SQLITE_LIMIT_LIKE_PATTERN_LENGTH": 1_000,     # bytes of a LIKE or GLOB pattern
    "SQLITE_LIMIT_VARIABLE_NUMBER": 100,           # ? parameters
    "SQLITE_LIMIT_TRIGGER_DEPTH": 10,              # nested triggers (modifications)
    "SQLITE_LIMIT_WORKER_THREADS": 0,              # no sorter threads outside the time limit
}
# SQLite < 3.43 builds ``printf('%.*c', 900000000, 'x')`` one character at a time, failing each
# append once past SQLITE_LIMIT_LENGTH but looping on: seconds in one call. These functions are
# replaced, while a student statement runs, by a check of widths and precisions followed by the
# real function on a private connection.
PRINTF_FUNCTIONS = ("printf", "format")

READ_KEYWORDS = {"SELECT", "VALUES"}
WRITE_KEYWORDS = {"INSERT", "UPDATE", "DELETE", "REPLACE"}
OTHER_KEYWORDS = {"CREATE", "DROP", "ALTER", "ATTACH", "DETACH", "VACUUM", "PRAGMA", "REINDEX", "ANALYZE",
                  "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "EXPLAIN"}

SQLITE_FUNCTIONS = (
    "abs avg changes char coalesce count cume_dist date datetime dense_rank first_value format "
    "glob group_concat hex ifnull iif instr julianday lag last_value lead length like likelihood "
    "lower ltrim max min nth_value ntile nullif percent_rank printf quote random randomblob rank "
    "replace round row_number rtrim sign soundex strftime string_agg substr substring sum time "
    "total trim typeof unhex unicode upper zeroblob acos asin atan ceil ceiling cos exp floor ln "
    "log log10 log2 mod pi pow power sin sqrt tan trunc json json_extract json_array json_object"
).split()
FORBIDDEN_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}


class QueryResult(BaseModel):
    """Column names, rows (tuples of Python values) and whether rows were cut at ``max_rows``."""

    model_config = ConfigDict(frozen=True)

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False


class ModificationResult(BaseModel):
    """The tables after a student's INSERT/UPDATE/DELETE ran on a throwaway copy."""

    model_config = ConfigDict(frozen=True)

    changes: int
    tables: dict[str, QueryResult]


# --- public API --------------------------------------------------------------------------

def run_query(db: DB, sql: str, *, timeout_s: float = 2.0, max_rows: int = 1000,
              lang: str | None = None, max_result_bytes: int = MAX_RESULT_BYTES) -> QueryResult:
    """Run one read-only statement and return at most ``max_rows`` rows.

    Raises a :class:`~sqllab.errors.QueryError` subclass for anything a student can do wrong
    (empty input, several statements, syntax, unknown names, writes, timeout, huge results).
    """
    sql = check_sql(sql, lang=lang)
    keyword = main_keyword(sql)
    if keyword in WRITE_KEYWORDS | OTHER_KEYWORDS:
        raise ForbiddenQueryError(key="sql.not_a_query", lang=lang, keyword=keyword)
    with _connection(db, lang=lang) as conn:
        return _execute(conn, sql, mode="read", timeout_s=timeout_s, max_rows=max_rows,
                        max_result_bytes=max_result_bytes, lang=lang)


def run_modification(db: DB, sql: str, *, timeout_s: float = 2.0, lang: str | None = None,
                     tables: list[str] | None = None) -> ModificationResult:
    """Run one INSERT/UPDATE/DELETE on an in-memory copy of ``db``; return the tables after it.

    The source database is never changed. Constraints (foreign keys included) are enforced.
    """
    with _connection(db, lang=lang) as src:
        copy = copy_to_memory(src)
    try:
        changes = modify(copy, sql, timeout_s=timeout_s, lang=lang)
        return ModificationResult(changes=changes, tables=snapshot(copy, tables))
    finally:
        copy.close()


def modify(conn: sqlite3.Connection, sql: str, *, timeout_s: float = 2.0, lang: str | None = None) -> int:
    """Run one INSERT/UPDATE/DELETE on ``conn`` itself (a throwaway copy) under the sandbox limits."""
    sql = check_sql(sql, lang=lang)
    keyword = main_keyword(sql)
    if keyword in READ_KEYWORDS | OTHER_KEYWORDS:
        raise ForbiddenQueryError(key="sql.not_a_modification", lang=lang, keyword=keyword)
    if conn.in_transaction:
        conn.commit()
    old_isolation = conn.isolation_level
    conn.isolation_level = None          # autocommit: no implicit BEGIN for the authorizer to refuse
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        before = conn.total_changes
        _execute(conn, sql, mode="modify", timeout_s=timeout_s, max_rows=0,
                 max_result_bytes=MAX_RESULT_BYTES, lang=lang)
        return conn.total_changes - before
    finally:
        conn.isolation_level = old_isolation


def copy_to_memory(src: sqlite3.Connection) -> sqlite3.Connection:
    """An in-memory, writable copy of ``src`` (its own uncommitted changes included).

    The backup API is used when ``src`` has no open transaction; ``serialize``/``deserialize``
    otherwise, because a backup step waits forever on a source holding a write transaction.
    """
    mem = sqlite3.connect(":memory:", check_same_thread=False)
    if src.in_transaction:
        mem.deserialize(src.serialize())
    else:
        src.backup(mem)
    return mem


def user_tables(conn: sqlite3.Connection) -> list[str]:
    """Names of the ordinary tables of ``conn`` in creation order."""
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                        "ORDER BY rowid").fetchall()
    return [r[0] for r in rows]


def snapshot(conn: sqlite3.Connection, tables: list[str] | None = None) -> dict[str, QueryResult]:
    """Every (or the named) table's full contents, rows in a stable order."""
    out: dict[str, QueryResult] = {}
    for name in tables or user_tables(conn):
        cur = conn.execute(f"SELECT * FROM {quote_ident(name)}")
        rows = sorted(cur.fetchall(), key=_sort_key)
        out[name] = QueryResult.model_construct(columns=[d[0] for d in cur.description], rows=rows,
                                                truncated=False)
    return out


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- input checks ------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def check_sql(sql: str, *, lang: str | None = None) -> str:
    """Reject empty input, NUL bytes, over-long text and several statements; return ``sql``."""
    if not isinstance(sql, str):
        raise EmptyQueryError(key="sql.empty", lang=lang)
    if "\x00" in sql:
        raise SQLSyntaxError(key="sql.nul_byte", lang=lang, pos=sql.index("\x00") + 1)
    if bad := _SURROGATE.search(sql):     # half of a character (pasted text cut in two): SQLite cannot take it
        raise SQLSyntaxError(key="sql.broken_character", lang=lang, pos=bad.start() + 1)
    if len(sql) > MAX_SQL_CHARS:
        raise QueryError(key="sql.too_long", lang=lang, length=len(sql), limit=MAX_SQL_CHARS)
    tokens = _tokens(sql)
    if tokens is not None:
        if not tokens:
            raise EmptyQueryError(key="sql.empty", lang=lang)
        for i, tok in enumerate(tokens):
            if tok.token_type.name == "SEMICOLON" and i + 1 < len(tokens):
                line, col = _line_col(sql, tokens[i + 1].start)
                raise MultipleStatementsError(key="sql.multiple_statements", lang=lang, line=line, col=col)
        if all(t.token_type.name == "SEMICOLON" for t in tokens):
            raise EmptyQueryError(key="sql.empty", lang=lang)
    elif not sql.strip():
        raise EmptyQueryError(key="sql.empty", lang=lang)
    return sql


def main_keyword(sql: str) -> str | None:
    """The statement's leading keyword (``SELECT``, ``INSERT``, ...); for ``WITH`` the main one.

    ``None`` when the text cannot be tokenized (SQLite will then report the syntax error).
    """
    tokens = _tokens(sql)
    if not tokens:
        return None
    first = tokens[0].text.upper()
    if first != "WITH":
        return first
    depth = 0
    for tok in tokens[1:]:
        text = tok.text.upper()
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and text in READ_KEYWORDS | WRITE_KEYWORDS:
            return text
    return "WITH"


def _tokens(sql: str) -> list[Any] | None:
    from sqlglot.dialects.sqlite import SQLite
    from sqlglot.errors import TokenError

    try:
        return SQLite().tokenize(sql)
    except TokenError:
        return None


def _line_col(sql: str, offset: int) -> tuple[int, int]:
    before = sql[:offset]
    line = before.count("\n") + 1
    col = offset - (before.rfind("\n") + 1) + 1
    return line, col


def _snippet(sql: str, offset: int, length: int) -> str:
    """The line holding ``offset`` with a caret under the offending token."""
    start = sql.rfind("\n", 0, offset) + 1
    end = sql.find("\n", offset)
    end = len(sql) if end == -1 else end
    line = sql[start:end]
    col = offset - start
    if len(line) > 100:                      # keep long lines readable around the error
        cut = max(0, col - 50)
        line, col = line[cut:cut + 100], col - cut
    return f"  {line}\n  {' ' * _display_width(line[:col])}{'^' * max(1, _display_width(sql[offset:offset + length]))}"


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# --- connection and guard ----------------------------------------------------------------

@contextmanager
def _connection(db: DB, *, lang: str | None) -> Iterator[sqlite3.Connection]:
    if isinstance(db, sqlite3.Connection):
        yield db
        return
    path = Path(db)
    if not path.is_file():
        raise QueryError(key="sql.error", lang=lang, detail=f"no database file {path}")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        yield conn
    finally:
        conn.close()


class _Guard:
    """Authorizer + progress handler + limits, installed for one statement and then removed."""

    def __init__(self, mode: Literal["read", "modify"], timeout_s: float) -> None:
        self.mode = mode
        self.timeout_s = timeout_s
        self.deadline = 0.0
        self.timed_out = False
        self.denied: tuple[str, dict[str, Any]] | None = None
        self.too_big = False

    def printf(self, name: str) -> Any:
        """``name`` (printf or format) refusing a width or precision above ``MAX_VALUE_BYTES``."""
        def checked(*args: Any) -> Any:
            if args and printf_width(args[0], args[1:]) > MAX_VALUE_BYTES:
                self.too_big = True
                raise ValueError(f"{name}: width or precision above {MAX_VALUE_BYTES}")
            return _builtin(name, args)
        return checked

    def progress(self) -> int:
        if time.monotonic() > self.deadline:
            self.timed_out = True
            return 1
        return 0

    def authorize(self, action: int, arg1: str | None, arg2: str | None, dbname: str | None,
                  source: str | None) -> int:
        s = sqlite3
        if action in (s.SQLITE_SELECT, s.SQLITE_RECURSIVE):
            return s.SQLITE_OK
        if action == s.SQLITE_READ:
            if dbname not in (None, "main") and not (dbname == "temp" and source):
                return self._deny("sql.forbidden.attach")
            return s.SQLITE_OK
        if action == s.SQLITE_FUNCTION:
            if (arg2 or "").lower() in FORBIDDEN_FUNCTIONS:
                return self._deny("sql.forbidden.function", name=arg2)
            return s.SQLITE_OK
        if action in (s.SQLITE_INSERT, s.SQLITE_UPDATE, s.SQLITE_DELETE):
            table = arg1 or ""
            if table.lower().startswith("sqlite_"):
                return self._deny("sql.forbidden.system")
            if self.mode == "modify" and dbname == "main":
                return s.SQLITE_OK
            return self._deny("sql.forbidden.write", name=table)
        if action in (s.SQLITE_ATTACH, s.SQLITE_DETACH):
            return self._deny("sql.forbidden.attach")
        if action == s.SQLITE_PRAGMA:
            return self._deny("sql.forbidden.pragma", name=arg1 or "")
        if action in (s.SQLITE_TRANSACTION, s.SQLITE_SAVEPOINT):
            return self._deny("sql.forbidden.transaction")
        if action in (s.SQLITE_CREATE_TEMP_TABLE, s.SQLITE_CREATE_TEMP_VIEW, s.SQLITE_CREATE_TEMP_TRIGGER,
                      s.SQLITE_CREATE_TEMP_INDEX, s.SQLITE_DROP_TEMP_TABLE, s.SQLITE_DROP_TEMP_VIEW,
                      s.SQLITE_DROP_TEMP_TRIGGER, s.SQLITE_DROP_TEMP_INDEX):
            return self._deny("sql.forbidden.temp")
        if action in _SCHEMA_ACTIONS:
            return self._deny("sql.forbidden.schema")
        return self._deny("sql.forbidden.other", action=_ACTION_NAMES.get(action, str(action)))

    def _deny(self, key: str, **params: Any) -> int:
        if self.denied is None:
            self.denied = (key, params)
        return sqlite3.SQLITE_DENY


_SCHEMA_ACTIONS = {getattr(sqlite3, n) for n in dir(sqlite3) if n.startswith(("SQLITE_CREATE_", "SQLITE_DROP_"))} | {
    sqlite3.SQLITE_ALTER_TABLE, sqlite3.SQLITE_REINDEX, sqlite3.SQLITE_ANALYZE}
_ACTION_NAMES = {getattr(sqlite3, n): n.removeprefix("SQLITE_") for n in dir(sqlite3)
                 if n.startswith("SQLITE_") and isinstance(getattr(sqlite3, n), int) and n not in (
                     "SQLITE_OK", "SQLITE_DENY", "SQLITE_IGNORE")}


def printf_width(fmt: Any, args: tuple[Any, ...]) -> int:
    """The largest width or precision in a printf format (``*`` ones read from ``args``)."""
    if isinstance(fmt, bytes):
        fmt = fmt.decode("utf-8", "replace")
    if not isinstance(fmt, str):
        return 0
    widest, i, arg, n = 0, 0, 0, len(fmt)

    def number() -> int:
        nonlocal i, arg
        if i < n and fmt[i] == "*":
            i += 1
            arg += 1
            return abs(_as_int(args[arg - 1])) if arg <= len(args) else 0
        start = i
        while i < n and fmt[i].isdigit():
            i += 1
        return int(fmt[start:i] or 0)

    while (i := fmt.find("%", i)) >= 0:
        i += 1
        while i < n and fmt[i] in "-+ 0#!,":
            i += 1
        widest = max(widest, number())
        if i < n and fmt[i] == ".":
            i += 1
            widest = max(widest, number())
        while i < n and fmt[i] == "l":
            i += 1
        if i < n and fmt[i] != "%":
            arg += 1
        i += 1
    return widest


def _as_int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return 0


_builtins = threading.local()


def _builtin(name: str, args: tuple[Any, ...]) -> Any:
    """SQLite's own ``name`` (printf, format) on a private in-memory connection of this thread."""
    conn = getattr(_builtins, "conn", None)
    if conn is None:
        conn = _builtins.conn = sqlite3.connect(":memory:")
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    return conn.execute(f"SELECT {name}({', '.join('?' * len(args))})", args).fetchone()[0]


def _passthrough(name: str) -> Any:
    return lambda *args: _builtin(name, args)


@contextmanager
def _guarded(conn: sqlite3.Connection, guard: _Guard) -> Iterator[None]:
    old_query_only = conn.execute("PRAGMA query_only").fetchone()[0]
    if guard.mode == "read":
        conn.execute("PRAGMA query_only = ON")
    old_limits = {getattr(sqlite3, name): conn.setlimit(getattr(sqlite3, name), value)
                  for name, value in LIMITS.items() if hasattr(sqlite3, name)}
    for name in PRINTF_FUNCTIONS:
        conn.create_function(name, -1, guard.printf(name), deterministic=True)
    conn.set_authorizer(guard.authorize)
    guard.deadline = time.monotonic() + guard.timeout_s
    conn.set_progress_handler(guard.progress, PROGRESS_STEPS)
    try:
        yield
    finally:
        conn.set_progress_handler(None, PROGRESS_STEPS)
        conn.set_authorizer(None)
        for name in PRINTF_FUNCTIONS:       # a deleted function cannot be restored; this one is SQLite's
            conn.create_function(name, -1, _passthrough(name), deterministic=True)
        for limit, old in old_limits.items():
            conn.setlimit(limit, old)
        if guard.mode == "read" and not old_query_only:
            conn.execute("PRAGMA query_only = OFF")


def _execute(conn: sqlite3.Connection, sql: str, *, mode: Literal["read", "modify"], timeout_s: float,
             max_rows: int, max_result_bytes: int, lang: str | None) -> QueryResult:
    guard = _Guard(mode, timeout_s)
    try:
        with _guarded(conn, guard):
            cur = conn.execute(sql)
            try:                            # closed before the guard goes: no statement left active
                if cur.description is None:
                    if mode == "read":      # comments only, or a statement that yields nothing
                        raise EmptyQueryError(key="sql.empty", lang=lang)
                    return QueryResult.model_construct(columns=[], rows=[], truncated=False)
                columns = [d[0] for d in cur.description]
                rows, truncated = _fetch(cur, max_rows, max_result_bytes, lang)
            finally:
                cur.close()
        return QueryResult.model_construct(columns=columns, rows=rows, truncated=truncated)
    except SQLLabError:
        raise
    except (sqlite3.Error, MemoryError, OverflowError) as exc:   # what SQLite and its driver raise
        raise _translate(exc, conn, sql, guard, lang) from None


def _fetch(cur: sqlite3.Cursor, max_rows: int, max_bytes: int, lang: str | None) -> tuple[list[tuple], bool]:
    rows: list[tuple] = []
    size = 0
    while True:
        batch = cur.fetchmany(min(256, max_rows + 1 - len(rows)))
        if not batch:
            return rows, False
        for row in batch:
            if len(rows) == max_rows:
                return rows, True
            for value in row:
                size += len(value) if isinstance(value, (str, bytes)) else 8
            if size > max_bytes:
                raise ResultTooLargeError(key="sql.too_large.result", lang=lang, limit=max_bytes)
            rows.append(row)


# --- translating SQLite's errors ---------------------------------------------------------

def _translate(exc: Exception, conn: sqlite3.Connection, sql: str, guard: _Guard,
               lang: str | None) -> SQLLabError:
    text = str(exc)
    if guard.denied is not None and ("not authorized" in text or "authorization denied" in text):
        key, params = guard.denied
        return ForbiddenQueryError(key=key, lang=lang, **params)
    if guard.timed_out or text == "interrupted":
        return QueryTimeoutError(key="sql.timeout", lang=lang, seconds=_fmt_seconds(guard.timeout_s))
    if "string or blob too big" in text or guard.too_big:
        return ResultTooLargeError(key="sql.too_large.value", lang=lang, limit=MAX_VALUE_BYTES)
    if any(mark in text for mark in _TOO_COMPLEX):
        return QueryError(key="sql.too_complex", lang=lang, detail=text)
    if isinstance(exc, MemoryError):
        return ResultTooLargeError(key="sql.too_large.result", lang=lang, limit=MAX_RESULT_BYTES)
    if "one statement at a time" in text:
        return MultipleStatementsError(key="sql.multiple_statements", lang=lang, line="?", col="?")
    if "readonly database" in text or "query_only" in text:
        return ForbiddenQueryError(key="sql.forbidden.write", lang=lang, name="?")
    if "Incorrect number of bindings" in text:
        return QueryError(key="sql.parameters", lang=lang)
    if isinstance(exc, sqlite3.IntegrityError):
        return QueryError(key="sql.constraint", lang=lang, detail=text)
    if m := re.match(r'near "(.*)": syntax error', text, re.S):
        return _syntax_error(sql, m.group(1), lang)
    if text == "incomplete input":
        return SQLSyntaxError(key="sql.syntax.incomplete", lang=lang)
    if m := re.match(r'unrecognized token: "(.*)"', text, re.S):
        token = m.group(1)
        offset = max(sql.find(token), 0)
        line, col = _line_col(sql, offset)
        return SQLSyntaxError(key="sql.syntax.token", lang=lang, token=token[:40], line=line, col=col,
                              snippet=_snippet(sql, offset, min(len(token), 40)))
    if m := re.match(r"no such table: (?:main\.)?(.+)", text):
        return _unknown("table", m.group(1), _table_names(conn), lang)
    if m := re.match(r"no such column: (.+)", text):
        qualified = _qualified_unknown(sql, m.group(1), conn, lang)
        return qualified or _unknown("column", m.group(1), _column_names(conn), lang)
    if m := re.match(r"no such function: (.+)", text):
        return _unknown("function", m.group(1), SQLITE_FUNCTIONS, lang)
    if m := re.match(r"ambiguous column name: (.+)", text):
        return QueryError(key="sql.ambiguous_column", lang=lang, name=m.group(1))
    if m := re.match(r"misuse of aggregate(?: function)?:? (\w+)\(\)", text):
        return QueryError(key="sql.misuse_aggregate", lang=lang, name=m.group(1))
    if m := re.match(r"wrong number of arguments to function (\w+)\(\)", text):
        return QueryError(key="sql.wrong_arguments", lang=lang, name=m.group(1))
    if "do not have the same number of result columns" in text:
        return QueryError(key="sql.compound_columns", lang=lang)
    if "HAVING clause on a non-aggregate query" in text or "a GROUP BY clause is required" in text:
        return QueryError(key="sql.having_without_group", lang=lang)
    return QueryError(key="sql.error", lang=lang, detail=text or type(exc).__name__)


_TOO_COMPLEX = ("too many arguments on function", "Expression tree is too large", "parser stack overflow",
                "too many terms in compound SELECT", "LIKE or GLOB pattern too complex", "too many columns",
                "too many SQL variables", "statement too long", "too many levels of trigger recursion",
                "query string is too large", "too many FROM clause terms")


def _fmt_seconds(seconds: float) -> str:
    return f"{seconds:g}"


def _syntax_error(sql: str, token: str, lang: str | None) -> SQLSyntaxError:
    offset = _locate(sql, token)
    if offset is None:
        return SQLSyntaxError(key="sql.syntax.near_nopos", lang=lang, token=token)
    line, col = _line_col(sql, offset)
    return SQLSyntaxError(key="sql.syntax.near", lang=lang, token=token, line=line, col=col,
                          snippet=_snippet(sql, offset, len(token)))


def _locate(sql: str, token: str) -> int | None:
    """Where SQLite's ``near "token"`` points: the token sqlglot's parser stops at, else its first match."""
    import sqlglot
    from sqlglot.errors import ParseError

    tokens = _tokens(sql) or []
    candidates = [t.start for t in tokens if sql[t.start:t.end + 1].lower() == token.lower()]
    if not candidates:
        found = sql.lower().find(token.lower())
        return found if found >= 0 else None
    if len(candidates) == 1:
        return candidates[0]
    try:
        sqlglot.parse_one(sql, read="sqlite")
    except ParseError as err:
        for e in err.errors:
            line, col = e.get("line"), e.get("col")
            if line and col:
                lines = sql.split("\n")
                at = sum(len(x) + 1 for x in lines[: line - 1]) + col
                return min(candidates, key=lambda c: abs(c - at))
    except Exception:  # noqa: BLE001 - the locator is best effort
        pass
    return candidates[0]


def _table_names(conn: sqlite3.Connection) -> list[str]:
    try:
        return [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")]
    except sqlite3.Error:
        return []


def _column_names(conn: sqlite3.Connection) -> list[str]:
    names: list[str] = []
    for table in _table_names(conn):
        try:
            names += [r[1] for r in conn.execute(f"PRAGMA table_info({quote_ident(table)})")]
        except sqlite3.Error:
            continue
    return sorted(set(names))


def _table_of(sql: str, qualifier: str) -> tuple[str, str] | None:
    """The table that ``qualifier`` (an alias or a table name) stands for in ``sql``, if any,
    and the alias the query gives that table (``""`` when none)."""
    try:
        import sqlglot
        from sqlglot import exp

        tree = sqlglot.parse_one(sql, read="sqlite")
    except Exception:
        return None
    for table in tree.find_all(exp.Table):
        if qualifier.lower() in {table.name.lower(), (table.alias or "").lower()}:
            return table.name, table.alias or ""
    return None


def _qualified_unknown(sql: str, name: str, conn: sqlite3.Connection, lang: str | None) -> UnknownNameError | None:
    """``p.name`` where the table ``p`` stands for has no ``name``: say which table that is and
    list its columns (a close name from another table would only repeat ``p.name``). A table
    named by its own name after the query gave it an alias: say to write the alias."""
    qualifier, _, bare = name.rpartition(".")
    if not qualifier:
        return None
    found = _table_of(sql, qualifier)
    if found is None:
        return UnknownNameError(key="sql.unknown_column.no_table", lang=lang, name=name, qualifier=qualifier)
    table, alias = found
    try:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({quote_ident(table)})")]
    except sqlite3.Error:
        return None
    if not columns:
        return None
    matches = difflib.get_close_matches(bare.lower(), [c.lower() for c in columns], n=1,
                                      cutoff=0.5 if len(bare) <= 3 else 0.6)
    column = next((c for c in columns if c.lower() == matches[0]), bare) if matches else None
    if alias and qualifier.lower() == table.lower() and alias.lower() != qualifier.lower():
        return UnknownNameError(key="sql.unknown_column.use_alias", lang=lang, name=name, table=table,
                                alias=alias, suggestion=f"{alias}.{column or bare}")
    if column is not None and column.lower() != bare.lower():     # a misspelling within the right table
        return UnknownNameError(key="sql.unknown_column.suggest", lang=lang, name=name,
                                suggestion=f"{qualifier}.{column}")
    if column is not None:            # the column is there, but the qualifier is not visible where it is used
        return UnknownNameError(key="sql.unknown_column.out_of_scope", lang=lang, name=name, qualifier=qualifier)
    return UnknownNameError(key="sql.unknown_column.in_table", lang=lang, name=bare, qualifier=qualifier,
                            table=table, available=", ".join(columns))


def _unknown(kind: str, name: str, known: list[str], lang: str | None) -> UnknownNameError:
    """No such table/column/function, with a close name from the schema when there is one."""
    qualifier, _, bare = name.rpartition(".")
    by_lower = {k.lower(): k for k in known}
    cutoff = 0.5 if len(bare) <= 3 else 0.6            # short (often CJK) names share fewer characters
    matches = difflib.get_close_matches(bare.lower(), list(by_lower), n=1, cutoff=cutoff)
    if matches:
        suggestion = by_lower[matches[0]]
        if qualifier:
            suggestion = f"{qualifier}.{suggestion}"
        return UnknownNameError(key=f"sql.unknown_{kind}.suggest", lang=lang, name=name, suggestion=suggestion)
    if kind == "table":
        return UnknownNameError(key="sql.unknown_table", lang=lang, name=name,
                                available=", ".join(sorted(known)) or "-")
    if kind == "column" and 0 < len(known) <= 30:
        return UnknownNameError(key="sql.unknown_column.list", lang=lang, name=name, available=", ".join(known))
    return UnknownNameError(key=f"sql.unknown_{kind}", lang=lang, name=name)


def _sort_key(row: tuple) -> tuple:
    return tuple(_value_key(v) for v in row)


def _value_key(v: Any) -> tuple:
    if v is None:
        return (0, 0)
    if isinstance(v, (int, float)):
        return (1, v)
    if isinstance(v, str):
        return (2, v)
    return (3, bytes(v))
