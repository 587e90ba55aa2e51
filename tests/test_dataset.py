"""Dataset validation: every problem is reported with its place, in English and Japanese."""

from __future__ import annotations

import copy
import json
import re

import pytest

from sqllab.dataset import Dataset, DatasetValidationError
from sqllab.errors import DatasetError, SQLLabError


def good() -> dict:
    return {
        "title": "shop", "theme": "shop", "lang": "en",
        "tables": [
            {"name": "customers", "primary_key": ["id"],
             "columns": [{"name": "id", "type": "INTEGER", "nullable": False},
                         {"name": "name", "type": "TEXT", "nullable": False},
                         {"name": "email", "type": "TEXT", "unique": True},
                         {"name": "joined", "type": "DATE"},
                         {"name": "vip", "type": "BOOLEAN"}],
             "rows": [[1, "Ann", "a@x", "2024-01-31", True], [2, "Bo", None, None, False]]},
            {"name": "orders", "primary_key": ["id"],
             "columns": [{"name": "id", "type": "INTEGER"},
                         {"name": "customer_id", "type": "INTEGER", "nullable": False},
                         {"name": "quantity", "type": "INTEGER", "check": "> 0"},
                         {"name": "price", "type": "REAL"}],
             "foreign_keys": [{"columns": ["customer_id"], "ref_table": "customers", "ref_columns": ["id"]}],
             "rows": [[1, 1, 2, 9.5], [2, 1, 1, 3], [3, 2, 5, None]]},
        ],
    }


def problems_of(data: dict, lang: str = "en") -> list[str]:
    with pytest.raises(DatasetValidationError) as info:
        Dataset.parse_llm_json(data, lang=lang)
    return info.value.problem_texts(lang)


def test_a_good_dataset_validates_and_normalizes_values():
    data = good()
    data["tables"][1]["rows"][1][3] = 3          # an int in a REAL column
    data["tables"][0]["rows"][1][4] = 0          # 0/1 in a BOOLEAN column
    ds = Dataset.model_validate(data)
    assert ds.table("orders").rows[1][3] == 3.0 and isinstance(ds.table("orders").rows[1][3], float)
    assert ds.table("customers").rows[1][4] is False


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["tables"][1]["rows"].append([4, 99, 1, 1.0]),
     "table orders, row 4, column customer_id: 99 is not in customers.id"),
    (lambda d: d["tables"][1]["rows"][0].pop(),
     "table orders, row 1: the row has 3 value(s) but the table has 4 column(s)"),
    (lambda d: d["tables"][1]["rows"][2].__setitem__(2, 0),
     "table orders, row 3, column quantity: 0 breaks CHECK (quantity > 0)"),
    (lambda d: d["tables"][0]["rows"][0].__setitem__(3, "2024-02-30"),
     "table customers, row 1, column joined: '2024-02-30' is not a date written as YYYY-MM-DD"),
    (lambda d: d["tables"][0]["rows"][0].__setitem__(3, "31/01/2024"),
     "table customers, row 1, column joined: '31/01/2024' is not a date"),
    (lambda d: d["tables"][0]["rows"][1].__setitem__(1, None),
     "table customers, row 2, column name: NULL is not allowed"),
    (lambda d: d["tables"][0]["rows"][1].__setitem__(0, None),
     "table customers, row 2, column id: NULL is not allowed"),
    (lambda d: d["tables"][0]["rows"][1].__setitem__(0, 1),
     "table customers, row 2: primary key (id) = 1 already used in row 1"),
    (lambda d: d["tables"][0]["rows"][1].__setitem__(2, "a@x"),
     "table customers, row 2, column email: UNIQUE value 'a@x' already used in row 1"),
    (lambda d: d["tables"][1]["rows"][0].__setitem__(2, "two"),
     "table orders, row 1, column quantity: 'two' is not a valid INTEGER value"),
    (lambda d: d["tables"][1]["rows"][0].__setitem__(2, True),
     "table orders, row 1, column quantity: True is not a valid INTEGER value"),
    (lambda d: d["tables"][0]["rows"][0].__setitem__(4, "yes"),
     "table customers, row 1, column vip: 'yes' is not a valid BOOLEAN value"),
    (lambda d: d["tables"][1]["foreign_keys"][0].__setitem__("ref_table", "clients"),
     "table orders, foreign key (customer_id): refers to table 'clients'"),
    (lambda d: d["tables"][1]["foreign_keys"][0].__setitem__("ref_columns", ["code"]),
     "table orders, foreign key (customer_id): refers to column 'code', which table 'customers' does not have"),
    (lambda d: d["tables"][1]["foreign_keys"][0].__setitem__("ref_columns", ["name"]),
     "neither the primary key nor UNIQUE"),
    (lambda d: d["tables"][1]["columns"][2].__setitem__("check", "quantity > 0; DROP TABLE orders"),
     "table orders, column quantity: CHECK 'quantity > 0; DROP TABLE orders' is not one of the allowed forms"),
    (lambda d: d["tables"][0]["primary_key"].append("nope"),
     "table customers: PRIMARY KEY names column 'nope'"),
    (lambda d: d["tables"][1]["columns"][1].__setitem__("name", "Name"),
     "table orders: FOREIGN KEY names column 'customer_id'"),
    (lambda d: d["tables"][0]["columns"][1].__setitem__("name", "ID"),
     "table customers, column ID: column 'ID' is defined twice"),
    (lambda d: d["tables"].append(copy.deepcopy(d["tables"][0])),
     "table customers: table 'customers' is defined twice"),
    (lambda d: d["tables"][0]["columns"][1].__setitem__("name", "order"),
     "table customers, column order: name 'order' is an SQL keyword"),
    (lambda d: d["tables"][0].__setitem__("name", "x" * 41),
     "is longer than 40 characters"),
    (lambda d: d["tables"][0].__setitem__("name", "sqlite_master"),
     "reserved for SQLite"),
    (lambda d: d["tables"][0].__setitem__("name", "顧客"),
     "may only use ASCII letters"),
    (lambda d: d["tables"][0]["rows"][0].__setitem__(1, "a\x00b"),
     "table customers, row 1, column name: the text contains a NUL character"),
])
def test_each_problem_names_its_place(mutate, expected):
    data = good()
    mutate(data)
    texts = problems_of(data)
    assert any(expected in t for t in texts), texts


@pytest.mark.parametrize("name", ['x"; DROP TABLE t; --', "a b", "1abc", "t;", "a-b", "select", "ORDER",
                                  "`t`", "[t]", "t'", ""])
def test_hostile_or_reserved_identifiers_are_rejected(name):
    for where in ("table", "column"):
        data = good()
        if where == "table":
            data["tables"][1]["name"] = name
        else:
            data["tables"][1]["columns"][3]["name"] = name
        texts = problems_of(data)
        assert texts and all("table" in t for t in texts)


def test_all_problems_are_listed_at_once_and_in_japanese():
    data = good()
    data["tables"][1]["rows"].append([4, 99, 0, "x"])
    with pytest.raises(DatasetError) as info:
        Dataset.parse_llm_json(data, lang="ja")
    err = info.value
    assert isinstance(err, SQLLabError)
    ja = str(err)
    assert "問題 3 件" in ja and "テーブル orders、4 行目、列 customer_id" in ja
    assert re.search(r"[\u3040-\u30ff]", ja)
    en = err.message_in("en")
    assert "3 problem(s)" in en and "table orders, row 4, column quantity: 0 breaks CHECK" in en
    assert "table orders, row 4, column price: 'x' is not a valid REAL value" in en


def test_model_construction_raises_dataset_error_too():
    data = good()
    data["tables"][0]["rows"][1][0] = 1
    with pytest.raises(DatasetError, match="primary key"):
        Dataset.model_validate(data)


def test_parse_llm_json_accepts_fenced_text_and_the_flat_llm_shape():
    flat = {"name": "library", "description": "books",
            "tables": [{"name": "authors", "description": "",
                        "columns": [{"name": "id", "type": "INTEGER", "primary_key": True, "nullable": False,
                                     "references": None},
                                    {"name": "name", "type": "text", "primary_key": False, "nullable": False,
                                     "references": None}],
                        "rows": [[1, "Ōe"], [2, "村上"]]},
                       {"name": "books", "description": "",
                        "columns": [{"name": "id", "type": "INTEGER", "primary_key": True, "nullable": False,
                                     "references": None},
                                    {"name": "author_id", "type": "INTEGER", "primary_key": False,
                                     "nullable": True, "references": "authors.id"}],
                        "rows": [[1, 2], [2, None]]}]}
    text = "```json\n" + json.dumps(flat, ensure_ascii=False) + "\n```"
    ds = Dataset.parse_llm_json(text, theme="library", lang="ja")
    assert ds.title == "library" and ds.lang == "ja" and ds.theme == "library"
    books = ds.table("books")
    assert books.primary_key == ["id"]
    assert books.foreign_keys[0].ref_table == "authors" and books.foreign_keys[0].columns == ["author_id"]
    flat["tables"][1]["rows"].append([3, 7])
    with pytest.raises(DatasetError, match=r"table books, row 3, column author_id: 7 is not in authors.id"):
        Dataset.parse_llm_json(flat, lang="en")


@pytest.mark.parametrize("text, expected", [
    ("{\"tables\": [", "not valid JSON (line 1"),
    ("[1, 2]", "one JSON object"),
    ("{\"title\": \"t\", \"tables\": [{\"name\": 3}]}", "tables → 0 → name"),
    ("{\"title\": \"t\", \"tables\": []}", "there are no tables"),
])
def test_broken_llm_answers_give_readable_errors(text, expected):
    with pytest.raises(DatasetError) as info:
        Dataset.parse_llm_json(text, lang="en")
    assert expected in str(info.value)


def test_llm_json_schema_is_plain_and_matches_the_parser():
    schema = Dataset.llm_json_schema()
    text = json.dumps(schema)
    assert "$ref" not in text and "$defs" not in text
    cell = schema["properties"]["tables"]["items"]["properties"]["rows"]["items"]["items"]
    assert {s["type"] for s in cell["anyOf"]} == {"string", "number", "boolean", "null"}
    enum = schema["properties"]["tables"]["items"]["properties"]["columns"]["items"]["properties"]["type"]["enum"]
    assert set(enum) == {"INTEGER", "REAL", "TEXT", "DATE", "BOOLEAN"}
    # An answer shaped exactly like the schema parses.
    answer = {"name": "n", "description": "d", "tables": [
        {"name": "t", "description": "", "rows": [[1, "a", 2.5, True, None]],
         "columns": [{"name": n, "type": ty, "primary_key": n == "id", "nullable": n != "id", "references": None}
                     for n, ty in [("id", "INTEGER"), ("s", "TEXT"), ("r", "REAL"), ("b", "BOOLEAN"),
                                   ("d", "DATE")]]}]}
    assert Dataset.parse_llm_json(answer).table("t").rows == [[1, "a", 2.5, True, None]]
