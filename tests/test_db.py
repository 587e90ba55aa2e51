"""load_dataset writes real SQLite files with their constraints; describe reads any file back."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from sqllab.dataset import Dataset
from sqllab.db import describe, load_dataset
from sqllab.errors import DatasetError

from test_dataset import good

TRICKY = ["O'Brien", 'say "hi"', "x'); DROP TABLE customers; --", "山田 太郎", "改行\nあり", "%_\\"]


@pytest.fixture
def shop_db(tmp_path):
    data = good()
    data["tables"][0]["rows"] += [[10 + i, text, None, None, None] for i, text in enumerate(TRICKY)]
    return load_dataset(Dataset.model_validate(data), tmp_path / "lesson.db")


def connect(path):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def test_values_round_trip_with_types(shop_db):
    conn = connect(shop_db)
    rows = conn.execute("SELECT id, name, email, joined, vip FROM customers ORDER BY id").fetchall()
    assert rows[:2] == [(1, "Ann", "a@x", "2024-01-31", 1), (2, "Bo", None, None, 0)]
    assert [r[1] for r in rows[2:]] == TRICKY
    assert conn.execute("SELECT typeof(joined), typeof(vip) FROM customers WHERE id = 1").fetchone() == ("text", "integer")
    assert conn.execute("SELECT price, typeof(price) FROM orders WHERE id = 2").fetchone() == (3.0, "real")
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 2


@pytest.mark.parametrize("sql", [
    "INSERT INTO orders VALUES (10, 999, 1, 1.0)",                 # dangling foreign key
    "INSERT INTO orders VALUES (10, NULL, 1, 1.0)",                # NOT NULL
    "INSERT INTO orders VALUES (10, 1, 0, 1.0)",                   # CHECK quantity > 0
    "INSERT INTO orders VALUES (1, 1, 1, 1.0)",                    # PRIMARY KEY
    "INSERT INTO customers (id, name, email) VALUES (50, 'Z', 'a@x')",  # UNIQUE
    "INSERT INTO customers (id, name) VALUES (51, NULL)",          # NOT NULL
    "DELETE FROM customers WHERE id = 1",                          # still referenced
])
def test_constraints_are_in_the_file(shop_db, sql):
    conn = connect(shop_db)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(sql)


def test_a_valid_insert_still_works(shop_db):
    conn = connect(shop_db)
    conn.execute("INSERT INTO orders VALUES (10, 2, 1, 1.0)")
    assert conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 4


def test_load_replaces_atomically_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "sub" / "lesson.db"
    path.parent.mkdir()
    path.write_bytes(b"old content")
    out = load_dataset(Dataset.model_validate(good()), path)
    assert out == path
    assert sorted(p.name for p in path.parent.iterdir()) == ["lesson.db"]
    assert connect(path).execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_failed_load_keeps_the_old_file(tmp_path):
    path = tmp_path / "lesson.db"
    load_dataset(Dataset.model_validate(good()), path)
    before = path.read_bytes()
    ds = Dataset.model_validate(good())
    ds.table("orders").rows.append([9, 77, 1, 1.0])  # mutated after validation: breaks the FK
    with pytest.raises(DatasetError, match="foreign key"):
        load_dataset(ds, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.db"]


def test_describe_reports_schema_counts_and_mermaid(shop_db):
    desc = describe(shop_db)
    assert [t.name for t in desc.tables] == ["customers", "orders"]
    customers, orders = desc.tables
    assert customers.row_count == 2 + len(TRICKY) and orders.row_count == 3
    col = {c.name: c for c in orders.columns}
    assert col["id"].pk == 1 and col["customer_id"].notnull and col["customer_id"].fk == "customers.id"
    assert not col["quantity"].notnull and col["price"].type == "REAL"
    assert {c.name: c.unique for c in customers.columns}["email"]
    assert orders.foreign_keys[0].ref_table == "customers"
    mermaid = desc.mermaid
    assert mermaid.startswith("erDiagram")
    assert "customers {" in mermaid and "orders {" in mermaid
    assert 'customers ||--o{ orders : "customer_id"' in mermaid
    md_en, md_ja = desc.to_markdown("en"), desc.to_markdown("ja")
    assert "| `customers` | 8 |" in md_en and "```mermaid" in md_en and "Rows" in md_en
    assert "行数" in md_ja and "主キー" in md_ja


def test_describe_works_on_any_sqlite_file_and_connection(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE "team members" (id INTEGER PRIMARY KEY, nick VARCHAR(20) UNIQUE);
        CREATE TABLE tasks (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES "team members",
                            title TEXT NOT NULL);
        INSERT INTO "team members" VALUES (1, 'a'), (2, 'b');
        INSERT INTO tasks VALUES (1, 1, 'x'), (2, NULL, 'y'), (3, 2, 'z');
    """)
    conn.commit()
    for db in (path, conn):
        desc = describe(db)
        assert {t.name: t.row_count for t in desc.tables} == {"team members": 2, "tasks": 3}
        tasks = desc.table("tasks")
        assert tasks.foreign_keys[0].ref_columns == ["id"]
        assert "team_members |o--o{ tasks" in desc.mermaid      # nullable FK: zero or one parent
        assert "VARCHAR_20_ nick UK" in desc.mermaid


def test_describe_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(DatasetError, match="no such file"):
        describe(tmp_path / "nope.db")
    assert not (tmp_path / "nope.db").exists()
