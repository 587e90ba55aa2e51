"""The sandbox against hostile and mistaken input, on a real SQLite file whose checksum must not move."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from sqllab.errors import (
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
from sqllab.sandbox import run_modification, run_query

SCHEMA = """
CREATE TABLE 部署 (id INTEGER PRIMARY KEY, 部署名 TEXT NOT NULL UNIQUE);
CREATE TABLE 社員 (
    id INTEGER PRIMARY KEY,
    氏名 TEXT NOT NULL,
    部署_id INTEGER REFERENCES 部署(id),
    給与 INTEGER NOT NULL CHECK (給与 > 0)
);
INSERT INTO 部署 VALUES (1, '営業'), (2, '開発');
INSERT INTO 社員 VALUES (1, '田中', 1, 500), (2, '佐藤', 2, 650), (3, '鈴木', 2, 700), (4, '高橋', NULL, 480);
"""
CROSS = "SELECT count(*) FROM 社員 a, 社員 b, 社員 c, 社員 d, 社員 e, 社員 f, 社員 g, 社員 h, 社員 i, 社員 j, 社員 k, 社員 l, 社員 m, 社員 n, 社員 o"


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "lesson.db"
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.commit()
    conn.close()
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


HOSTILE = [
    ("DROP TABLE 社員", ForbiddenQueryError),
    ("CREATE TABLE x (a)", ForbiddenQueryError),
    ("CREATE TEMP TABLE x AS SELECT * FROM 社員", ForbiddenQueryError),
    ("ALTER TABLE 社員 ADD COLUMN x", ForbiddenQueryError),
    ("DELETE FROM 社員", ForbiddenQueryError),
    ("UPDATE 社員 SET 給与 = 1", ForbiddenQueryError),
    ("INSERT INTO 部署 VALUES (3, '人事')", ForbiddenQueryError),
    ("WITH x AS (SELECT 1) DELETE FROM 社員", ForbiddenQueryError),
    ("SELECT 1; DROP TABLE 社員", MultipleStatementsError),
    ("SELECT 1; SELECT 2", MultipleStatementsError),
    ("ATTACH DATABASE ':memory:' AS other", ForbiddenQueryError),
    ("DETACH DATABASE main", ForbiddenQueryError),
    ("VACUUM INTO '{tmp}/copy.db'", ForbiddenQueryError),
    ("VACUUM", ForbiddenQueryError),
    ("PRAGMA query_only = 0", ForbiddenQueryError),
    ("PRAGMA writable_schema = ON", ForbiddenQueryError),
    ("PRAGMA journal_mode = DELETE", ForbiddenQueryError),
    ("SELECT load_extension('/tmp/evil')", ForbiddenQueryError),
    ("BEGIN", ForbiddenQueryError),
    ("REINDEX", ForbiddenQueryError),
    ("ANALYZE", ForbiddenQueryError),
    ("WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r", QueryTimeoutError),
    (CROSS, QueryTimeoutError),
    ("SELECT randomblob(1000000000)", ResultTooLargeError),
    ("SELECT zeroblob(1000000000)", ResultTooLargeError),
    ("SELECT replace(hex(zeroblob(100000)), '0', 'xxxxxxxxxxxxxxxxxxxx')", ResultTooLargeError),
    ("SELECT group_concat(hex(randomblob(1000))) FROM (WITH RECURSIVE r(x) AS "
     "(SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 2000) SELECT x FROM r)", ResultTooLargeError),
    ("SELECT printf('%.*c', 900000000, 'x')", ResultTooLargeError),
    ("SELECT format('%900000000c', 'x')", ResultTooLargeError),
    ("SELECT printf('%.*c', '900000000', 'x') FROM 社員", ResultTooLargeError),
    ("", EmptyQueryError),
    ("   \n\t ", EmptyQueryError),
    ("-- only a comment", EmptyQueryError),
    ("/* block */ ;", EmptyQueryError),
    ("SELECT 1\x00; DROP TABLE 社員", SQLSyntaxError),
    ("SELECT 氏名 FROM 社員 WHERE", SQLSyntaxError),
    ("SELECT 氏名 FROM 社員 WHERE 給与 >> FROM", SQLSyntaxError),
    ("SELECT 氏名 FROM 社員 WHERE 氏名 = '田中", SQLSyntaxError),
    ("SELEC 氏名 FROM 社員", SQLSyntaxError),
    ("SELECT 氏名 FROM 社員s", UnknownNameError),
    ("SELECT 指名 FROM 社員", UnknownNameError),
    ("SELECT coutn(*) FROM 社員", UnknownNameError),
    ("SELECT id FROM 社員 JOIN 部署 ON 部署_id = 部署.id", QueryError),
    ("SELECT 氏名 FROM 社員 WHERE count(*) > 1", QueryError),
]


@pytest.mark.parametrize("sql, error", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_input_is_contained(db, tmp_path, sql, error):
    before = _sha(db)
    with pytest.raises(error) as info:
        run_query(db, sql.format(tmp=tmp_path), timeout_s=0.5, lang="ja")
    exc = info.value
    assert isinstance(exc, SQLLabError)
    en, ja = exc.message_in("en"), exc.message_in("ja")
    assert en and ja and en != ja
    assert _sha(db) == before
    assert not (tmp_path / "copy.db").exists()


def test_read_queries_work_and_rows_are_capped(db):
    result = run_query(db, "SELECT 氏名, 給与 FROM 社員 WHERE 給与 >= 600 ORDER BY 給与 -- comment\n;")
    assert result.columns == ["氏名", "給与"] and result.rows == [("佐藤", 650), ("鈴木", 700)]
    assert not result.truncated
    many = run_query(db, "SELECT * FROM 社員 a, 社員 b, 社員 c", max_rows=10)
    assert len(many.rows) == 10 and many.truncated
    assert run_query(db, "VALUES (1, 'a')").rows == [(1, "a")]


def test_a_column_missing_from_the_aliased_table_names_that_table(db):
    # 社員 (here "s") has no 住所: the message names the table and its columns would only repeat it
    with pytest.raises(UnknownNameError) as info:
        run_query(db, "SELECT s.住所 FROM 社員 AS s JOIN 部署 AS b ON b.id = s.部署_id", lang="ja")
    message = info.value.message_in("ja")
    assert "社員" in message and "氏名" in message and "給与" in message
    assert "のことですか" not in message
    en = info.value.message_in("en")
    assert "“s” is the table 社員" in en
    with pytest.raises(UnknownNameError) as info:
        run_query(db, "SELECT x.氏名 FROM 社員 AS s", lang="en")
    assert "“x” is not a table or alias" in info.value.message_in("en")
    with pytest.raises(UnknownNameError) as info:       # a misspelling in the right table: the usual hint
        run_query(db, "SELECT s.氏明 FROM 社員 AS s", lang="en")
    assert "s.氏名" in info.value.message_in("en")



def test_a_table_named_by_its_own_name_after_an_alias_says_to_write_the_alias(db):
    # SQLite: "no such column: 社員.氏名"; suggesting 社員.氏名 back would repeat the mistake
    with pytest.raises(UnknownNameError) as info:
        run_query(db, "SELECT 社員.氏名 FROM 社員 AS s", lang="ja")
    assert "「s.氏名」と書いてください" in info.value.message_in("ja")
    assert "Write “s.氏名”" in info.value.message_in("en")
    with pytest.raises(UnknownNameError) as info:       # a subquery's alias used outside it
        run_query(db, "SELECT 氏名 FROM 社員 WHERE 部署_id IN (SELECT id FROM 部署 AS b) AND b.id > 0", lang="en")
    message = info.value.message_in("en")
    assert "belongs to another part of the query" in message and "Did you mean" not in message


def test_messages_point_at_the_mistake(db):
    with pytest.raises(UnknownNameError) as info:
        run_query(db, "SELECT 氏名, 給料 FROM 社員", lang="ja")
    assert "給料" in str(info.value) and "給与" in str(info.value)
    with pytest.raises(UnknownNameError) as info:
        run_query(db, "SELECT * FROM 社員s")
    assert "“社員”" in info.value.message_in("en")
    with pytest.raises(SQLSyntaxError) as info:
        run_query(db, "SELECT 氏名\nFROM 社員\nWHERE 給与 >> FROM 部署", lang="en")
    message = info.value.message_in("en")
    assert "line 3" in message and "^" in message
    with pytest.raises(MultipleStatementsError) as info:
        run_query(db, "SELECT 1;\nSELECT 2")
    assert "line 2" in info.value.message_in("en")


def test_connection_is_left_as_it_was(db):
    conn = sqlite3.connect(db)
    with pytest.raises(ForbiddenQueryError):
        run_query(conn, "DELETE FROM 社員")
    assert run_query(conn, "SELECT count(*) FROM 社員").rows == [(4,)]
    conn.execute("INSERT INTO 部署 VALUES (3, '人事')")      # the caller's own connection stays writable
    assert conn.execute("PRAGMA query_only").fetchone()[0] == 0
    conn.rollback()
    conn.close()


def test_modification_runs_on_a_throwaway_copy(db):
    before = _sha(db)
    result = run_modification(db, "UPDATE 社員 SET 給与 = 給与 + 10 WHERE 部署_id = 2")
    assert result.changes == 2
    assert sorted(r[3] for r in result.tables["社員"].rows) == [480, 500, 660, 710]
    for sql, error in [("INSERT INTO 社員 VALUES (9, '山田', 99, 100)", QueryError),   # dangling FK
                       ("INSERT INTO 部署 VALUES (3, '営業')", QueryError),            # UNIQUE
                       ("UPDATE 社員 SET 給与 = -1", QueryError),                      # CHECK
                       ("DROP TABLE 社員", ForbiddenQueryError),
                       ("SELECT * FROM 社員", ForbiddenQueryError),
                       ("ATTACH ':memory:' AS x", ForbiddenQueryError),
                       ("UPDATE 社員 SET 給与 = 1; DROP TABLE 部署", MultipleStatementsError),
                       ("WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) "
                        "INSERT INTO 部署 SELECT x + 10, 'n' || x FROM r", QueryTimeoutError)]:
        with pytest.raises(error) as info:
            run_modification(db, sql, timeout_s=0.5)
        assert info.value.message_in("ja") != info.value.message_in("en")
    assert _sha(db) == before


def test_connection_with_an_open_transaction_is_copied_not_waited_on():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT)")
    conn.execute("INSERT INTO t (a) VALUES ('x')")
    assert conn.in_transaction                      # a backup would wait forever here
    result = run_modification(conn, "INSERT INTO t (a) VALUES ('y')")
    assert result.tables["t"].rows == [(1, "x"), (2, "y")]
    assert run_query(conn, "SELECT a FROM t").rows == [("x",)]
    conn.close()


# One call that does a lot of work inside SQLite cannot be stopped by the progress handler; a
# limit must refuse it (the seconds each takes without the limits: bench/sandbox_limits.py).
LIMITED = [
    ("SELECT char(" + ", ".join(["65"] * 40) + ")", "function arguments"),
    ("SELECT 1 WHERE '田中' LIKE '" + "%a" * 600 + "'", "LIKE pattern"),
    ("SELECT " + " + ".join(["1"] * 400), "expression depth"),
    (" UNION ALL ".join(["SELECT 1"] * 60), "compound select"),
    ("SELECT " + ", ".join(["1"] * 600), "result columns"),
]


@pytest.mark.parametrize("sql, what", LIMITED, ids=[w for _, w in LIMITED])
def test_sqlite_limits_refuse_one_huge_call(db, sql, what):
    before = _sha(db)
    with pytest.raises(QueryError) as info:
        run_query(db, sql, timeout_s=0.5, lang="ja")
    assert info.value.key == "sql.too_complex", info.value.key
    assert "制限" in info.value.message_in("ja") and "limits" in info.value.message_in("en")
    assert _sha(db) == before


def test_printf_within_the_limits_is_sqlites_own(db):
    sql = "SELECT printf('%d and %s', 3, 'x'), printf('%5.2f', 3.14159), format('%,d', 1234567), printf('%.*c', 3, 'y')"
    assert run_query(db, sql).rows == [("3 and x", " 3.14", "1,234,567", "yyy")]
    conn = sqlite3.connect(db)                       # the caller's connection keeps a working printf
    run_query(conn, "SELECT 1")
    assert conn.execute("SELECT printf('%03d', 7), format('%s', NULL)").fetchone() == ("007", "")
    conn.close()


def test_a_bug_is_not_reported_as_a_sql_error(db, monkeypatch):
    import sqllab.sandbox as sandbox

    monkeypatch.setattr(sandbox, "_fetch", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run_query(db, "SELECT 1")


def test_half_a_character_is_a_clear_message_not_a_traceback(db) -> None:
    before = _sha(db)
    for lang, words in (("ja", "壊れた文字"), ("en", "broken character")):
        with pytest.raises(SQLSyntaxError) as info:
            run_query(db, "SELECT '\ud83d' FROM 社員", lang=lang)
        assert words in info.value.message_in(lang) and "9" in info.value.message_in(lang)
    with pytest.raises(SQLSyntaxError):
        run_modification(db, "UPDATE 社員 SET 氏名 = '\udc00'")
    assert _sha(db) == before
