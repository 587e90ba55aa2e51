"""Exercises and the built-in exercise bank.

An ``Exercise`` is a question with a reference SQL and three hints (nudge, concept,
near-solution). The bank holds templates over the three roles of the offline themes (people,
items, events; see ``sqllab.content.offline``); ``bank_exercises`` fills a template with the theme's
real table and column names and with constants read from the data (a threshold that occurs
in the data, so that ``>`` and ``>=`` give different answers), in Japanese or English.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

import sqlglot
from pydantic import BaseModel
from sqlglot import exp

from .. import i18n
from ..dataset import Dataset
from ..errors import DatasetError
from .offline import COLUMN_ROLES, ROLES, THEMES, theme_labels

TOPICS = ("select", "where", "order", "aggregate", "joins", "subqueries", "window", "modify")
DIFFICULTY_RANK = {"easy": 0, "medium": 1, "hard": 2}


class Exercise(BaseModel):
    """One practice question; ``ordered`` is True when the reference has a top-level ORDER BY."""

    id: str
    topic: str
    question: str
    reference_sql: str
    difficulty: str = "easy"
    hints: list[str] = []
    ordered: bool = False
    source: Literal["llm", "bank"] = "bank"
    lang: str = "en"


def has_top_level_order_by(sql: str) -> bool:
    """Whether the outermost query of ``sql`` has ORDER BY (sqlglot, SQLite dialect)."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.ParseError:
        return False
    return isinstance(tree, (exp.Select, exp.SetOperation)) and bool(tree.args.get("order"))


# --- templates ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    """A bank exercise before its names and constants are filled in.

    ``sql`` uses identifiers (``{P}``, ``{p_score}``, ...) and SQL literals (``{city_sql}``);
    ``en``/``ja`` use labels (``{people}``, ``{c_score}``) and displayed constants (``{city}``);
    ``concept`` names a shared concept hint; ``skeleton`` is the near-solution hint.
    """

    key: str
    topic: str
    difficulty: str
    sql: str
    en: str
    ja: str
    concept: str
    skeleton: str


def T(key: str, difficulty: str, sql: str, en: str, ja: str, concept: str, skeleton: str) -> Template:  # noqa: N802
    return Template(key, key.split("-")[0], difficulty, sql, en, ja, concept, skeleton)


ORDER_NOTE = {"en": " Sort as asked; rows that tie are ordered by `id`, smallest first.",
              "ja": "並べ方は指示どおりにし、同じ値の行は id の小さい順にしてください。"}

TEMPLATES: list[Template] = [
    # --- select --------------------------------------------------------------------------
    T("select-01", "easy", "SELECT {p_name}, {p_city} FROM {P}",
      "From {people}, show the {c_name} and the {c_city} of everyone.",
      "{people}の全員について、{c_name}と{c_city}を表示してください。",
      "select_columns", "SELECT ___, ___ FROM {P};"),
    T("select-02", "easy", "SELECT {i_name}, {i_price} FROM {I}",
      "From {items}, show the {c_iname} and the {c_price} of every row.",
      "{items}のすべての行について、{c_iname}と{c_price}を表示してください。",
      "select_columns", "SELECT {i_name}, ___ FROM ___;"),
    T("select-03", "easy", "SELECT id, {e_date}, {e_qty} FROM {E}",
      "From {events}, show the `id`, the {c_edate} and the {c_qty} of every row, in that column order.",
      "{events}のすべての行について、id・{c_edate}・{c_qty}をこの列の順に表示してください。",
      "select_columns", "SELECT id, ___, ___ FROM {E};"),
    T("select-04", "easy", "SELECT {i_name}, {i_price} * 2 AS double_price FROM {I}",
      "From {items}, show each {c_iname} and twice its {c_price} (the price multiplied by 2).",
      "{items}の各行について、{c_iname}と、{c_price}を 2 倍した値を表示してください。",
      "select_expression", "SELECT {i_name}, {i_price} ___ AS double_price FROM {I};"),
    T("select-05", "medium", "SELECT {p_name}, {p_score} + 10 AS new_value FROM {P}",
      "From {people}, show each {c_name} and the {c_score} plus 10.",
      "{people}の各行について、{c_name}と、{c_score}に 10 を足した値を表示してください。",
      "select_expression", "SELECT {p_name}, ___ + ___ AS new_value FROM {P};"),
    T("select-06", "medium", "SELECT {p_name}, COALESCE({p_city}, {unknown_sql}) AS place FROM {P}",
      "From {people}, show each {c_name} and the {c_city}; when the {c_city} is NULL, show the text "
      "{unknown} instead.",
      "{people}の各行について、{c_name}と{c_city}を表示してください。{c_city}が NULL のときは代わりに"
      "文字列 {unknown} を表示してください。",
      "coalesce", "SELECT {p_name}, COALESCE(___, ___) FROM {P};"),
    T("select-07", "medium", "SELECT {p_name}, substr({p_date}, 1, 4) AS year FROM {P}",
      "From {people}, show each {c_name} and the year of the {c_pdate} as text of four digits "
      "(for example {year_example}).",
      "{people}の各行について、{c_name}と、{c_pdate}の年（{year_example} のような 4 桁の文字列）を"
      "表示してください。",
      "text_functions", "SELECT {p_name}, substr(___, 1, ___) FROM {P};"),
    T("select-08", "hard", "SELECT {i_name}, {i_price} * {i_extra} AS total_value FROM {I}",
      "From {items}, show each {c_iname} and its {c_price} multiplied by its {c_extra} "
      "(the result is NULL where the {c_extra} is NULL).",
      "{items}の各行について、{c_iname}と、{c_price}に{c_extra}を掛けた値を表示してください"
      "（{c_extra}が NULL の行は結果も NULL になります）。",
      "select_expression", "SELECT {i_name}, ___ * ___ FROM {I};"),
    T("select-09", "hard", "SELECT {p_name} || ' (' || id || ')' AS label FROM {P}",
      "From {people}, show one text column per row: the {c_name}, a space and the `id` in "
      "parentheses, for example {label_example}.",
      "{people}の各行について、{c_name}・空白・かっこ付きの id をつなげた文字列（例: {label_example}）を"
      "1 列で表示してください。",
      "concat", "SELECT {p_name} || ___ || id || ___ FROM {P};"),
    # --- where ---------------------------------------------------------------------------
    T("where-01", "easy", "SELECT {p_name}, {p_score} FROM {P} WHERE {p_score} >= {x}",
      "From {people}, show the {c_name} and {c_score} of everyone whose {c_score} is {x} or more.",
      "{people}から、{c_score}が {x} 以上の人の{c_name}と{c_score}を表示してください。",
      "where_compare", "SELECT {p_name}, {p_score} FROM {P} WHERE {p_score} ___ {x};"),
    T("where-02", "easy", "SELECT {i_name}, {i_price} FROM {I} WHERE {i_cat} = {cat_sql}",
      "From {items}, show the {c_iname} and {c_price} of the rows whose {c_cat} is {cat}.",
      "{items}から、{c_cat}が {cat} の行の{c_iname}と{c_price}を表示してください。",
      "where_text", "SELECT {i_name}, {i_price} FROM {I} WHERE {i_cat} = ___;"),
    T("where-03", "easy", "SELECT {p_name} FROM {P} WHERE {p_city} IS NULL",
      "From {people}, show the {c_name} of everyone whose {c_city} is not recorded (NULL).",
      "{people}から、{c_city}が記録されていない（NULL の）人の{c_name}を表示してください。",
      "is_null", "SELECT {p_name} FROM {P} WHERE {p_city} ___;"),
    T("where-04", "medium", "SELECT {i_name}, {i_price} FROM {I} WHERE {i_price} BETWEEN {y1} AND {y2}",
      "From {items}, show the {c_iname} and {c_price} of the rows whose {c_price} is from {y1} to {y2} "
      "(both included).",
      "{items}から、{c_price}が {y1} 以上 {y2} 以下の行の{c_iname}と{c_price}を表示してください。",
      "between", "SELECT {i_name}, {i_price} FROM {I} WHERE {i_price} BETWEEN ___ AND ___;"),
    T("where-05", "medium",
      "SELECT {p_name}, {p_score} FROM {P} WHERE {p_city} = {city_sql} AND {p_score} >= {x2}",
      "From {people}, show the {c_name} and {c_score} of everyone whose {c_city} is {city} and whose "
      "{c_score} is at least {x2}.",
      "{people}から、{c_city}が {city} で、かつ{c_score}が {x2} 以上の人の{c_name}と{c_score}を"
      "表示してください。",
      "and_or", "SELECT {p_name}, {p_score} FROM {P} WHERE {p_city} = ___ ___ {p_score} >= ___;"),
    T("where-06", "medium", "SELECT {p_name} FROM {P} WHERE {p_name} LIKE {prefix_sql}",
      "From {people}, show the {c_name} of everyone whose {c_name} starts with {prefix}.",
      "{people}から、{c_name}が {prefix} で始まる人の{c_name}を表示してください。",
      "like", "SELECT {p_name} FROM {P} WHERE {p_name} LIKE ___;"),
    T("where-07", "medium", "SELECT id, {e_date} FROM {E} WHERE {e_date} >= {ed_sql}",
      "From {events}, show the `id` and {c_edate} of the rows dated {ed} or later (that day included).",
      "{events}から、{c_edate}が {ed} 以降（当日を含む）の行の id と{c_edate}を表示してください。",
      "where_date", "SELECT id, {e_date} FROM {E} WHERE {e_date} ___ ___;"),
    T("where-08", "hard", "SELECT {i_name}, {i_extra} FROM {I} WHERE {i_extra} IS NULL OR {i_extra} < {z}",
      "From {items}, show the {c_iname} and {c_extra} of the rows whose {c_extra} is below {z} or not "
      "recorded (NULL).",
      "{items}から、{c_extra}が {z} 未満、または記録されていない（NULL の）行の{c_iname}と{c_extra}を"
      "表示してください。",
      "null_logic", "SELECT {i_name}, {i_extra} FROM {I} WHERE {i_extra} IS ___ OR {i_extra} ___ {z};"),
    T("where-09", "hard", "SELECT {p_name}, {p_city} FROM {P} WHERE {p_city} IS NULL OR {p_city} <> {city_sql}",
      "From {people}, show the {c_name} and {c_city} of everyone who is not from {city}; people with no "
      "recorded {c_city} (NULL) count as not from {city}.",
      "{people}から、{c_city}が {city} ではない人の{c_name}と{c_city}を表示してください。"
      "{c_city}が記録されていない（NULL の）人も含めます。",
      "null_logic", "SELECT {p_name}, {p_city} FROM {P} WHERE {p_city} IS ___ OR {p_city} <> ___;"),
    T("where-10", "medium", "SELECT {i_name}, {i_cat} FROM {I} WHERE {i_cat} IN ({cat_sql}, {cat2_sql})",
      "From {items}, show the {c_iname} and {c_cat} of the rows whose {c_cat} is {cat} or {cat2}.",
      "{items}から、{c_cat}が {cat} または {cat2} の行の{c_iname}と{c_cat}を表示してください。",
      "in_list", "SELECT {i_name}, {i_cat} FROM {I} WHERE {i_cat} IN (___, ___);"),
    # --- order / limit / distinct ---------------------------------------------------------
    T("order-01", "easy", "SELECT {p_name}, {p_score} FROM {P} ORDER BY {p_score} DESC, id",
      "From {people}, show the {c_name} and {c_score} of everyone, highest {c_score} first.",
      "{people}の全員の{c_name}と{c_score}を、{c_score}の高い順に表示してください。",
      "order_by", "SELECT {p_name}, {p_score} FROM {P} ORDER BY {p_score} ___, ___;"),
    T("order-02", "easy", "SELECT DISTINCT {i_cat} FROM {I} ORDER BY {i_cat}",
      "From {items}, list each {c_cat} once, in alphabetical (text) order.",
      "{items}の{c_cat}を重複なしで、文字列の昇順に表示してください。",
      "distinct", "SELECT ___ {i_cat} FROM {I} ORDER BY ___;"),
    T("order-03", "easy", "SELECT {i_name}, {i_price} FROM {I} ORDER BY {i_price} DESC, id LIMIT 3",
      "From {items}, show the {c_iname} and {c_price} of the 3 rows with the highest {c_price}, highest "
      "first.",
      "{items}から{c_price}の高い順に 3 行を選び、{c_iname}と{c_price}を表示してください。",
      "limit", "SELECT {i_name}, {i_price} FROM {I} ORDER BY ___ DESC, id LIMIT ___;"),
    T("order-04", "medium", "SELECT DISTINCT {p_city} FROM {P} WHERE {p_city} IS NOT NULL ORDER BY {p_city}",
      "From {people}, list each recorded {c_city} once (leave out NULL), in text order.",
      "{people}の{c_city}を重複なしで、NULL を除いて文字列の昇順に表示してください。",
      "distinct", "SELECT DISTINCT {p_city} FROM {P} WHERE ___ ORDER BY {p_city};"),
    T("order-05", "medium", "SELECT id, {e_date} FROM {E} ORDER BY {e_date} DESC, id DESC LIMIT 5",
      "From {events}, show the `id` and {c_edate} of the 5 most recent rows, newest first; on the same "
      "date, the larger `id` comes first.",
      "{events}から{c_edate}の新しい順に 5 行を選び、id と{c_edate}を表示してください。同じ日付のときは"
      "id の大きい順にしてください。",
      "limit", "SELECT id, {e_date} FROM {E} ORDER BY {e_date} ___, id ___ LIMIT ___;"),
    T("order-06", "medium", "SELECT {p_name}, {p_city} FROM {P} ORDER BY {p_city}, {p_name}, id",
      "From {people}, show the {c_name} and {c_city} of everyone, sorted by {c_city} and then by "
      "{c_name} (SQLite puts NULL first).",
      "{people}の全員の{c_name}と{c_city}を、{c_city}の昇順、同じなら{c_name}の昇順に表示してください"
      "（SQLite では NULL が先頭に来ます）。",
      "order_by", "SELECT {p_name}, {p_city} FROM {P} ORDER BY ___, ___, id;"),
    T("order-07", "hard", "SELECT {i_name}, {i_price} FROM {I} ORDER BY {i_price}, id LIMIT 3 OFFSET 3",
      "From {items} sorted by {c_price} from lowest to highest, show the {c_iname} and {c_price} of "
      "rows 4 to 6 (the second page of 3).",
      "{items}を{c_price}の安い順に並べたとき、4〜6 行目（3 行ずつの 2 ページ目）の{c_iname}と{c_price}を"
      "表示してください。",
      "offset", "SELECT {i_name}, {i_price} FROM {I} ORDER BY {i_price}, id LIMIT ___ OFFSET ___;"),
    T("order-08", "hard", "SELECT DISTINCT {e_qty} FROM {E} ORDER BY {e_qty} DESC",
      "From {events}, list each {c_qty} value that occurs, once, from largest to smallest.",
      "{events}に現れる{c_qty}の値を重複なしで、大きい順に表示してください。",
      "distinct", "SELECT ___ {e_qty} FROM {E} ORDER BY {e_qty} ___;"),
    # --- aggregate -----------------------------------------------------------------------
    T("aggregate-01", "easy", "SELECT COUNT(*) FROM {P}",
      "How many rows does {people} have? Show the number.",
      "{people}は何行ありますか。その数を表示してください。",
      "count", "SELECT ___(*) FROM {P};"),
    T("aggregate-02", "easy", "SELECT AVG({i_price}) FROM {I}",
      "Show the average {c_price} over all rows of {items}.",
      "{items}の全行の{c_price}の平均を表示してください。",
      "aggregate", "SELECT ___({i_price}) FROM {I};"),
    T("aggregate-03", "easy", "SELECT {p_city}, COUNT(*) FROM {P} GROUP BY {p_city}",
      "For each {c_city} in {people}, show the {c_city} and how many people have it; people without a "
      "{c_city} (NULL) form one group too.",
      "{people}の{c_city}ごとに、{c_city}とその人数を表示してください。{c_city}が NULL の人も 1 つの"
      "グループとして数えます。",
      "group_by", "SELECT {p_city}, COUNT(*) FROM {P} GROUP BY ___;"),
    T("aggregate-04", "medium", "SELECT COUNT({p_city}) FROM {P}",
      "In {people}, how many rows have a recorded {c_city} (not NULL)? Show the number.",
      "{people}のうち、{c_city}が記録されている（NULL でない）行は何行ですか。その数を表示してください。",
      "count_column", "SELECT COUNT(___) FROM {P};"),
    T("aggregate-05", "medium", "SELECT {i_cat}, COUNT(*), MAX({i_price}) FROM {I} GROUP BY {i_cat}",
      "For each {c_cat} of {items}, show the {c_cat}, the number of rows and the highest {c_price}.",
      "{items}の{c_cat}ごとに、{c_cat}・行数・{c_price}の最大値を表示してください。",
      "group_by", "SELECT {i_cat}, ___, ___ FROM {I} GROUP BY {i_cat};"),
    T("aggregate-06", "medium", "SELECT {e_item}, SUM({e_qty}) FROM {E} GROUP BY {e_item}",
      "For each {c_item} that appears in {events}, show the {c_item} and the total {c_qty}.",
      "{events}に現れる{c_item}ごとに、{c_item}と{c_qty}の合計を表示してください。",
      "group_by", "SELECT {e_item}, ___({e_qty}) FROM {E} GROUP BY ___;"),
    T("aggregate-07", "hard", "SELECT {i_cat}, COUNT(*) FROM {I} GROUP BY {i_cat} HAVING COUNT(*) >= {h}",
      "Show each {c_cat} of {items} that has at least {h} rows, with its number of rows.",
      "{items}で行数が {h} 以上の{c_cat}について、{c_cat}と行数を表示してください。",
      "having", "SELECT {i_cat}, COUNT(*) FROM {I} GROUP BY {i_cat} HAVING ___ >= ___;"),
    T("aggregate-08", "hard",
      "SELECT {e_person}, COUNT(*) FROM {E} GROUP BY {e_person} HAVING COUNT(*) >= {h2}",
      "In {events}, show each {c_person} that appears in at least {h2} rows, with its number of rows.",
      "{events}で {h2} 行以上に現れる{c_person}について、{c_person}と行数を表示してください。",
      "having", "SELECT {e_person}, COUNT(*) FROM {E} GROUP BY ___ HAVING ___;"),
    T("aggregate-09", "medium", "SELECT COUNT(DISTINCT {p_city}) FROM {P}",
      "How many different {c_city} values (not counting NULL) occur in {people}? Show the number.",
      "{people}には何種類の{c_city}がありますか（NULL は数えません）。その数を表示してください。",
      "count_distinct", "SELECT COUNT(___ {p_city}) FROM {P};"),
    T("aggregate-10", "easy", "SELECT MIN({e_date}), MAX({e_date}) FROM {E}",
      "Show the earliest and the latest {c_edate} in {events}, in that order.",
      "{events}の{c_edate}の最も古い日付と最も新しい日付を、この順に表示してください。",
      "aggregate", "SELECT ___({e_date}), ___({e_date}) FROM {E};"),
    # --- joins ---------------------------------------------------------------------------
    T("joins-01", "easy",
      "SELECT e.id, p.{p_name} FROM {E} AS e JOIN {P} AS p ON p.id = e.{e_person}",
      "For every row of {events}, show its `id` and the {c_name} of the matching row in {people}.",
      "{events}の各行について、その id と、対応する{people}の{c_name}を表示してください。",
      "join", "SELECT e.id, p.{p_name} FROM {E} AS e JOIN {P} AS p ON ___ = ___;"),
    T("joins-02", "easy",
      "SELECT e.id, i.{i_name}, e.{e_qty} FROM {E} AS e JOIN {I} AS i ON i.id = e.{e_item}",
      "For every row of {events}, show its `id`, the {c_iname} from {items} and the {c_qty}.",
      "{events}の各行について、id・{items}の{c_iname}・{c_qty}を表示してください。",
      "join", "SELECT e.id, i.{i_name}, e.{e_qty} FROM {E} AS e JOIN {I} AS i ON ___;"),
    T("joins-03", "medium",
      "SELECT p.id, p.{p_name}, COUNT(e.id) FROM {P} AS p LEFT JOIN {E} AS e ON e.{e_person} = p.id "
      "GROUP BY p.id, p.{p_name}",
      "For everyone in {people}, show the `id`, the {c_name} and the number of their rows in {events}; "
      "people with none show 0.",
      "{people}の全員について、id・{c_name}・{events}の件数を表示してください。{events}が 1 件もない人は 0 と"
      "表示します。",
      "left_join", "SELECT p.id, p.{p_name}, COUNT(___) FROM {P} AS p ___ JOIN {E} AS e ON ___ "
                   "GROUP BY p.id, p.{p_name};"),
    T("joins-04", "medium",
      "SELECT p.{p_name} FROM {P} AS p LEFT JOIN {E} AS e ON e.{e_person} = p.id WHERE e.id IS NULL",
      "Show the {c_name} of everyone in {people} who has no row at all in {events}.",
      "{events}に 1 件もない{people}の{c_name}を表示してください。",
      "anti_join", "SELECT p.{p_name} FROM {P} AS p LEFT JOIN {E} AS e ON ___ WHERE ___ IS NULL;"),
    T("joins-05", "medium",
      "SELECT i.{i_name} FROM {I} AS i LEFT JOIN {E} AS e ON e.{e_item} = i.id WHERE e.id IS NULL",
      "Show the {c_iname} of every row of {items} that never appears in {events}.",
      "{events}に一度も現れない{items}の{c_iname}を表示してください。",
      "anti_join", "SELECT i.{i_name} FROM {I} AS i LEFT JOIN {E} AS e ON ___ WHERE ___;"),
    T("joins-06", "medium",
      "SELECT e.id, p.{p_name} FROM {E} AS e JOIN {P} AS p ON p.id = e.{e_person} "
      "WHERE p.{p_city} = {city_ev_sql}",
      "Show the `id` of each row of {events} made by someone whose {c_city} is {city_ev}, and that "
      "person's {c_name}.",
      "{c_city}が {city_ev} の人の{events}について、{events}の id とその人の{c_name}を表示してください。",
      "join", "SELECT e.id, p.{p_name} FROM {E} AS e JOIN {P} AS p ON ___ WHERE ___;"),
    T("joins-07", "hard",
      "SELECT p.{p_name}, i.{i_name}, e.{e_qty} FROM {E} AS e JOIN {P} AS p ON p.id = e.{e_person} "
      "JOIN {I} AS i ON i.id = e.{e_item} WHERE e.{e_qty} >= {q}",
      "For each row of {events} with a {c_qty} of {q} or more, show the {c_name} from {people}, the "
      "{c_iname} from {items} and the {c_qty}.",
      "{c_qty}が {q} 以上の{events}の各行について、{people}の{c_name}・{items}の{c_iname}・{c_qty}を"
      "表示してください。",
      "join_three", "SELECT p.{p_name}, i.{i_name}, e.{e_qty} FROM {E} AS e JOIN {P} AS p ON ___ "
                    "JOIN {I} AS i ON ___ WHERE ___;"),
    T("joins-08", "hard",
      "SELECT p.id, p.{p_name}, SUM(e.{e_qty} * i.{i_price}) AS total FROM {E} AS e "
      "JOIN {P} AS p ON p.id = e.{e_person} JOIN {I} AS i ON i.id = e.{e_item} GROUP BY p.id, p.{p_name}",
      "For everyone who appears in {events}, show the `id`, the {c_name} and the total of {c_qty} × "
      "{c_price} over their rows.",
      "{events}に現れる人ごとに、id・{c_name}・（{c_qty} × {c_price}）の合計を表示してください。",
      "join_group", "SELECT p.id, p.{p_name}, SUM(___ * ___) FROM {E} AS e JOIN {P} AS p ON ___ "
                    "JOIN {I} AS i ON ___ GROUP BY ___;"),
    T("joins-09", "hard",
      "SELECT DISTINCT p.id, p.{p_name} FROM {E} AS e JOIN {P} AS p ON p.id = e.{e_person} "
      "JOIN {I} AS i ON i.id = e.{e_item} WHERE i.{i_cat} = {cat_used_sql}",
      "Show the `id` and {c_name} of everyone who has at least one row in {events} for an item of "
      "{c_cat} {cat_used}; list each person once.",
      "{c_cat}が {cat_used} のものについて{events}がある人の id と{c_name}を、1 人 1 行で表示してください。",
      "join_distinct", "SELECT ___ p.id, p.{p_name} FROM {E} AS e JOIN {P} AS p ON ___ JOIN {I} AS i "
                       "ON ___ WHERE ___;"),
    # --- subqueries ----------------------------------------------------------------------
    T("subqueries-01", "easy",
      "SELECT {i_name}, {i_price} FROM {I} WHERE {i_price} > (SELECT AVG({i_price}) FROM {I})",
      "From {items}, show the {c_iname} and {c_price} of the rows priced above the average {c_price}.",
      "{items}から、{c_price}が平均より高い行の{c_iname}と{c_price}を表示してください。",
      "scalar_subquery", "SELECT {i_name}, {i_price} FROM {I} WHERE {i_price} > (SELECT ___ FROM {I});"),
    T("subqueries-02", "easy",
      "SELECT {p_name}, {p_score} FROM {P} WHERE {p_score} = (SELECT MAX({p_score}) FROM {P})",
      "From {people}, show the {c_name} and {c_score} of everyone with the highest {c_score} (all of "
      "them if several share it).",
      "{people}から、{c_score}が最も高い人（同点なら全員）の{c_name}と{c_score}を表示してください。",
      "scalar_subquery", "SELECT {p_name}, {p_score} FROM {P} WHERE {p_score} = (SELECT ___ FROM {P});"),
    T("subqueries-03", "medium",
      "SELECT {p_name} FROM {P} WHERE id IN (SELECT {e_person} FROM {E})",
      "Show the {c_name} of everyone in {people} who has at least one row in {events} (each person "
      "once).",
      "{events}が 1 件以上ある{people}の{c_name}を、1 人 1 行で表示してください。",
      "in_subquery", "SELECT {p_name} FROM {P} WHERE id IN (SELECT ___ FROM ___);"),
    T("subqueries-04", "medium",
      "SELECT {i_name} FROM {I} WHERE id NOT IN (SELECT {e_item} FROM {E})",
      "Show the {c_iname} of every row of {items} whose `id` never appears in {events}.",
      "id が{events}に一度も現れない{items}の{c_iname}を表示してください。",
      "in_subquery", "SELECT {i_name} FROM {I} WHERE id ___ IN (SELECT ___ FROM {E});"),
    T("subqueries-05", "medium",
      "WITH counts AS (SELECT {e_person}, COUNT(*) AS n FROM {E} GROUP BY {e_person}) "
      "SELECT {e_person}, n FROM counts WHERE n > (SELECT AVG(n) FROM counts)",
      "Count the rows of {events} per {c_person}; show the {c_person} and the count for those whose "
      "count is above the average of these counts.",
      "{events}の行数を{c_person}ごとに数え、その件数が件数の平均より多いものについて、{c_person}と件数を"
      "表示してください。",
      "cte", "WITH counts AS (SELECT {e_person}, COUNT(*) AS n FROM {E} GROUP BY ___) "
             "SELECT ___ FROM counts WHERE n > (SELECT ___ FROM counts);"),
    T("subqueries-06", "hard",
      "SELECT e.id, e.{e_item}, e.{e_qty} FROM {E} AS e "
      "WHERE e.{e_qty} = (SELECT MAX(e2.{e_qty}) FROM {E} AS e2 WHERE e2.{e_item} = e.{e_item})",
      "From {events}, show the `id`, {c_item} and {c_qty} of each row whose {c_qty} is the largest "
      "among the rows with the same {c_item} (keep all ties).",
      "{events}から、同じ{c_item}の行の中で{c_qty}が最大の行（同点はすべて）の id・{c_item}・{c_qty}を"
      "表示してください。",
      "correlated", "SELECT e.id, e.{e_item}, e.{e_qty} FROM {E} AS e WHERE e.{e_qty} = "
                    "(SELECT MAX(___) FROM {E} AS e2 WHERE ___ = ___);"),
    T("subqueries-07", "hard",
      "SELECT p.{p_name}, p.{p_city}, p.{p_score} FROM {P} AS p "
      "WHERE p.{p_score} > (SELECT AVG(p2.{p_score}) FROM {P} AS p2 WHERE p2.{p_city} = p.{p_city})",
      "From {people}, show the {c_name}, {c_city} and {c_score} of everyone whose {c_score} is above "
      "the average {c_score} of people with the same {c_city} (people without a {c_city} are left out).",
      "{people}から、同じ{c_city}の人たちの平均より{c_score}が高い人の{c_name}・{c_city}・{c_score}を"
      "表示してください（{c_city}が NULL の人は対象外です）。",
      "correlated", "SELECT p.{p_name}, p.{p_city}, p.{p_score} FROM {P} AS p WHERE p.{p_score} > "
                    "(SELECT AVG(___) FROM {P} AS p2 WHERE ___);"),
    T("subqueries-08", "hard",
      "SELECT {i_cat}, AVG({i_price}) FROM {I} GROUP BY {i_cat} "
      "HAVING AVG({i_price}) > (SELECT AVG({i_price}) FROM {I})",
      "Show each {c_cat} of {items} whose average {c_price} is above the average {c_price} of all "
      "rows, with its average {c_price}.",
      "{items}の{c_cat}のうち、{c_price}の平均が全体の平均より高いものについて、{c_cat}とその平均を"
      "表示してください。",
      "having_subquery", "SELECT {i_cat}, AVG({i_price}) FROM {I} GROUP BY {i_cat} HAVING ___ > (SELECT ___);"),
    T("subqueries-09", "medium",
      "SELECT i.{i_name} FROM {I} AS i WHERE EXISTS "
      "(SELECT 1 FROM {E} AS e WHERE e.{e_item} = i.id AND e.{e_qty} >= {q})",
      "Show the {c_iname} of every row of {items} that appears in {events} at least once with a "
      "{c_qty} of {q} or more.",
      "{events}に{c_qty} {q} 以上で 1 回以上現れる{items}の{c_iname}を表示してください。",
      "exists", "SELECT i.{i_name} FROM {I} AS i WHERE EXISTS (SELECT 1 FROM {E} AS e WHERE ___ AND ___);"),
    # --- window --------------------------------------------------------------------------
    T("window-01", "easy",
      "SELECT {p_name}, {p_score}, ROW_NUMBER() OVER (ORDER BY {p_score} DESC, id) AS rn FROM {P}",
      "From {people}, show each {c_name}, the {c_score} and a row number 1, 2, 3, ... by {c_score} from "
      "highest to lowest (ties numbered by `id`, smallest first).",
      "{people}の各行について、{c_name}・{c_score}・{c_score}の高い順に 1, 2, 3, … と振った行番号を"
      "表示してください（同点は id の小さい順に番号を振ります）。",
      "row_number", "SELECT {p_name}, {p_score}, ROW_NUMBER() OVER (ORDER BY ___, ___) FROM {P};"),
    T("window-02", "medium",
      "SELECT {p_name}, {p_score}, RANK() OVER (ORDER BY {p_score} DESC) AS rnk FROM {P}",
      "From {people}, show each {c_name}, the {c_score} and its rank by {c_score} from highest to "
      "lowest, where equal {c_score} values share a rank and the next rank is skipped (1, 1, 3).",
      "{people}の各行について、{c_name}・{c_score}・{c_score}の高い順の順位を表示してください。同点は同じ"
      "順位とし、次の順位は飛ばします（1, 1, 3）。",
      "rank", "SELECT {p_name}, {p_score}, ___() OVER (ORDER BY ___) FROM {P};"),
    T("window-03", "medium",
      "SELECT {i_name}, {i_cat}, {i_price}, DENSE_RANK() OVER (PARTITION BY {i_cat} ORDER BY {i_price} DESC) "
      "AS rnk FROM {I}",
      "From {items}, show each {c_iname}, its {c_cat}, its {c_price} and its rank by {c_price} "
      "(highest first) within its {c_cat}, where ties share a rank and no rank is skipped (1, 1, 2).",
      "{items}の各行について、{c_iname}・{c_cat}・{c_price}と、同じ{c_cat}の中での{c_price}の高い順の順位を"
      "表示してください。同点は同じ順位とし、順位は飛ばしません（1, 1, 2）。",
      "partition", "SELECT {i_name}, {i_cat}, {i_price}, DENSE_RANK() OVER (PARTITION BY ___ ORDER BY ___) "
                   "FROM {I};"),
    T("window-04", "medium",
      "SELECT id, {e_date}, {e_qty}, SUM({e_qty}) OVER (ORDER BY {e_date}, id) AS running_total FROM {E}",
      "From {events}, show each `id`, {c_edate}, {c_qty} and the running total of {c_qty} in order of "
      "{c_edate} (same date: by `id`).",
      "{events}の各行について、id・{c_edate}・{c_qty}と、{c_edate}順（同じ日付は id 順）に{c_qty}を"
      "足し上げた累計を表示してください。",
      "running_total", "SELECT id, {e_date}, {e_qty}, SUM(___) OVER (ORDER BY ___, ___) FROM {E};"),
    T("window-05", "medium",
      "SELECT {i_name}, {i_cat}, {i_price}, AVG({i_price}) OVER (PARTITION BY {i_cat}) AS cat_avg FROM {I}",
      "From {items}, show each {c_iname}, its {c_cat}, its {c_price} and the average {c_price} of its "
      "{c_cat}.",
      "{items}の各行について、{c_iname}・{c_cat}・{c_price}と、同じ{c_cat}の{c_price}の平均を表示してください。",
      "window_aggregate", "SELECT {i_name}, {i_cat}, {i_price}, AVG(___) OVER (PARTITION BY ___) FROM {I};"),
    T("window-06", "hard",
      "SELECT id, {e_date}, LAG({e_date}) OVER (ORDER BY {e_date}, id) AS previous_date FROM {E}",
      "From {events}, show each `id`, its {c_edate} and the {c_edate} of the row just before it in "
      "order of {c_edate} and then `id` (NULL for the first row).",
      "{events}の各行について、id・{c_edate}と、{c_edate}順（同じ日付は id 順）で 1 つ前の行の{c_edate}を"
      "表示してください（最初の行は NULL）。",
      "lag", "SELECT id, {e_date}, ___({e_date}) OVER (ORDER BY ___, ___) FROM {E};"),
    T("window-07", "hard",
      "WITH ranked AS (SELECT {i_name}, {i_cat}, {i_price}, ROW_NUMBER() OVER (PARTITION BY {i_cat} "
      "ORDER BY {i_price} DESC, id) AS rn FROM {I}) SELECT {i_name}, {i_cat}, {i_price} FROM ranked WHERE rn = 1",
      "For each {c_cat} of {items}, show the {c_iname}, {c_cat} and {c_price} of its most expensive row "
      "(if several share the top {c_price}, the one with the smallest `id`).",
      "{items}の{c_cat}ごとに、{c_price}が最も高い行（同額なら id が最も小さい行）の{c_iname}・{c_cat}・"
      "{c_price}を表示してください。",
      "top_per_group", "WITH ranked AS (SELECT ..., ROW_NUMBER() OVER (PARTITION BY ___ ORDER BY ___ DESC, id) "
                       "AS rn FROM {I}) SELECT ... FROM ranked WHERE rn = ___;"),
    T("window-08", "hard",
      "SELECT id, {e_person}, COUNT(*) OVER (PARTITION BY {e_person}) AS person_rows FROM {E}",
      "From {events}, show each `id`, its {c_person} and how many rows of {events} that {c_person} has "
      "in total.",
      "{events}の各行について、id・{c_person}と、その{c_person}の{events}の合計件数を表示してください。",
      "window_aggregate", "SELECT id, {e_person}, COUNT(*) OVER (PARTITION BY ___) FROM {E};"),
    T("window-09", "easy",
      "SELECT {p_name}, {p_score}, {p_score} - AVG({p_score}) OVER () AS diff FROM {P}",
      "From {people}, show each {c_name}, the {c_score} and how far it is above (+) or below (-) the "
      "average {c_score} of everyone.",
      "{people}の各行について、{c_name}・{c_score}と、{c_score}が全員の平均からどれだけ上（+）か下（-）かを"
      "表示してください。",
      "window_aggregate", "SELECT {p_name}, {p_score}, {p_score} - AVG(___) OVER () FROM {P};"),
    # --- modify --------------------------------------------------------------------------
    T("modify-01", "easy",
      "INSERT INTO {P} (id, {p_name}, {p_city}, {p_score}, {p_date}) "
      "VALUES ({nid}, {new_name_sql}, {city_sql}, {x}, {d_sql})",
      "Add a row to {people}: `id` {nid}, {c_name} {new_name}, {c_city} {city}, {c_score} {x}, "
      "{c_pdate} {d}.",
      "{people}に行を追加してください: id は {nid}、{c_name}は {new_name}、{c_city}は {city}、"
      "{c_score}は {x}、{c_pdate}は {d} です。",
      "insert", "INSERT INTO {P} (id, {p_name}, {p_city}, {p_score}, {p_date}) VALUES (___, ___, ___, ___, ___);"),
    T("modify-02", "easy", "UPDATE {I} SET {i_price} = {new_price} WHERE id = {iid}",
      "In {items}, change the {c_price} of the row with `id` {iid} to {new_price}.",
      "{items}で、id が {iid} の行の{c_price}を {new_price} に変更してください。",
      "update", "UPDATE {I} SET {i_price} = ___ WHERE ___;"),
    T("modify-03", "easy", "DELETE FROM {E} WHERE {e_qty} = {qd}",
      "Delete every row of {events} whose {c_qty} is {qd}.",
      "{events}から、{c_qty}が {qd} の行をすべて削除してください。",
      "delete", "DELETE FROM {E} WHERE ___;"),
    T("modify-04", "medium", "UPDATE {I} SET {i_price} = {i_price} * 1.1 WHERE {i_cat} = {cat_sql}",
      "In {items}, raise the {c_price} of every row whose {c_cat} is {cat} by 10% (multiply by 1.1).",
      "{items}で、{c_cat}が {cat} のすべての行の{c_price}を 10% 上げてください（1.1 倍します）。",
      "update", "UPDATE {I} SET {i_price} = ___ WHERE ___;"),
    T("modify-05", "medium", "UPDATE {P} SET {p_city} = {unknown_sql} WHERE {p_city} IS NULL",
      "In {people}, set the {c_city} to the text {unknown} wherever it is NULL.",
      "{people}で、{c_city}が NULL の行の{c_city}を文字列 {unknown} にしてください。",
      "update_null", "UPDATE {P} SET {p_city} = ___ WHERE {p_city} ___;"),
    T("modify-06", "medium", "DELETE FROM {I} WHERE id NOT IN (SELECT {e_item} FROM {E})",
      "Delete every row of {items} that never appears in {events}.",
      "{events}に一度も現れない{items}の行をすべて削除してください。",
      "delete_subquery", "DELETE FROM {I} WHERE id ___ (SELECT ___ FROM {E});"),
    T("modify-07", "hard",
      "UPDATE {P} SET {p_score} = {p_score} + 5 WHERE id IN "
      "(SELECT {e_person} FROM {E} GROUP BY {e_person} HAVING COUNT(*) >= {h2})",
      "In {people}, add 5 to the {c_score} of everyone who has at least {h2} rows in {events}.",
      "{events}が {h2} 件以上ある{people}の人について、{c_score}に 5 を足してください。",
      "update_subquery", "UPDATE {P} SET {p_score} = ___ WHERE id IN (SELECT ___ FROM {E} GROUP BY ___ HAVING ___);"),
    T("modify-08", "hard",
      "INSERT INTO {E} (id, {e_person}, {e_item}, {e_qty}, {e_date}) VALUES ({neid}, {idle_pid}, {unused_iid}, 2, {ed_sql})",
      "Add a row to {events}: `id` {neid}, {c_person} {idle_pid}, {c_item} {unused_iid}, {c_qty} 2, "
      "{c_edate} {ed}.",
      "{events}に行を追加してください: id は {neid}、{c_person}は {idle_pid}、{c_item}は {unused_iid}、"
      "{c_qty}は 2、{c_edate}は {ed} です。",
      "insert", "INSERT INTO {E} (id, {e_person}, {e_item}, {e_qty}, {e_date}) VALUES (___, ___, ___, ___, ___);"),
    T("modify-09", "medium", "DELETE FROM {E} WHERE {e_date} < {ed_sql}",
      "Delete every row of {events} whose {c_edate} is before {ed} (rows on {ed} stay).",
      "{events}から、{c_edate}が {ed} より前の行をすべて削除してください（{ed} の行は残します）。",
      "delete", "DELETE FROM {E} WHERE {e_date} ___ ___;"),
]

# Level-2 hints: the concept, shared by templates.
CONCEPTS: dict[str, dict[str, str]] = {
    "select_columns": {"en": "List the columns you want after SELECT, separated by commas, in the order asked.",
                       "ja": "SELECT の後に、欲しい列を聞かれた順にカンマで区切って並べます。"},
    "select_expression": {"en": "A SELECT list may hold expressions such as `price * 2`; give them a name with AS.",
                          "ja": "SELECT には `price * 2` のような式も書けます。AS で名前を付けられます。"},
    "coalesce": {"en": "COALESCE(a, b) gives a, or b when a is NULL.",
                 "ja": "COALESCE(a, b) は a を返し、a が NULL のときは b を返します。"},
    "text_functions": {"en": "Dates are stored as text YYYY-MM-DD; substr(text, start, length) cuts a piece out.",
                       "ja": "日付は YYYY-MM-DD 形式の文字列です。substr(文字列, 開始位置, 長さ) で一部を取り出せます。"},
    "concat": {"en": "In SQLite, || joins texts: 'a' || 'b' gives 'ab'.",
               "ja": "SQLite では || で文字列をつなげます。'a' || 'b' は 'ab' になります。"},
    "where_compare": {"en": "WHERE keeps rows whose condition is true. `>=` includes the value itself, `>` does not.",
                      "ja": "WHERE は条件が真の行だけを残します。`>=` はその値自体を含み、`>` は含みません。"},
    "where_text": {"en": "Text values go in single quotes and must match exactly, letter case included.",
                   "ja": "文字列はシングルクォートで囲みます。大文字・小文字も含めて完全に一致する必要があります。"},
    "where_date": {"en": "ISO dates (YYYY-MM-DD) compare correctly as text; `>=` includes the day itself.",
                   "ja": "ISO 形式の日付（YYYY-MM-DD）は文字列のまま正しく比較できます。`>=` は当日を含みます。"},
    "is_null": {"en": "NULL is not equal to anything, not even NULL: use IS NULL / IS NOT NULL, never = NULL.",
                "ja": "NULL は何とも等しくなりません（NULL 同士でも）。= NULL ではなく IS NULL / IS NOT NULL を使います。"},
    "null_logic": {"en": "A comparison with NULL is neither true nor false, so such rows drop out unless you "
                         "add `OR col IS NULL`.",
                   "ja": "NULL との比較は真にも偽にもならないため、`OR 列 IS NULL` を加えないとその行は消えます。"},
    "between": {"en": "a BETWEEN x AND y means x <= a AND a <= y (both ends included).",
                "ja": "a BETWEEN x AND y は x <= a AND a <= y と同じです（両端を含みます）。"},
    "and_or": {"en": "AND needs both conditions to hold; OR needs at least one.",
               "ja": "AND は両方の条件、OR は少なくとも一方の条件が成り立つ行を残します。"},
    "like": {"en": "LIKE matches patterns: % stands for any text, so 'A%' means 'starts with A'.",
             "ja": "LIKE はパターンで一致を調べます。% は任意の文字列なので、'A%' は「A で始まる」です。"},
    "in_list": {"en": "col IN (a, b) is a short way to write col = a OR col = b.",
                "ja": "列 IN (a, b) は 列 = a OR 列 = b の短い書き方です。"},
    "order_by": {"en": "ORDER BY sorts; add DESC for largest first, and list more columns to break ties.",
                 "ja": "ORDER BY で並べ替えます。大きい順は DESC、同じ値の並びは列を追加して決めます。"},
    "distinct": {"en": "SELECT DISTINCT removes duplicate rows from the result.",
                 "ja": "SELECT DISTINCT は結果から重複した行を取り除きます。"},
    "limit": {"en": "Sort first with ORDER BY, then keep the first rows with LIMIT n.",
              "ja": "まず ORDER BY で並べ、LIMIT n で先頭の n 行だけを残します。"},
    "offset": {"en": "LIMIT n OFFSET k skips k rows, then keeps n rows.",
               "ja": "LIMIT n OFFSET k は先頭の k 行を飛ばし、その後の n 行を残します。"},
    "count": {"en": "COUNT(*) counts rows.", "ja": "COUNT(*) は行数を数えます。"},
    "aggregate": {"en": "Aggregate functions (COUNT, SUM, AVG, MIN, MAX) turn many rows into one value.",
                  "ja": "集約関数（COUNT・SUM・AVG・MIN・MAX）は多くの行を 1 つの値にまとめます。"},
    "count_column": {"en": "COUNT(col) counts only the rows where col is not NULL; COUNT(*) counts all rows.",
                     "ja": "COUNT(列) はその列が NULL でない行だけを数えます。COUNT(*) はすべての行を数えます。"},
    "count_distinct": {"en": "COUNT(DISTINCT col) counts different non-NULL values.",
                       "ja": "COUNT(DISTINCT 列) は NULL を除いた異なる値の数を数えます。"},
    "group_by": {"en": "GROUP BY col makes one result row per value of col; aggregates are computed per group.",
                 "ja": "GROUP BY 列 は列の値ごとに 1 行にまとめ、集約関数はグループごとに計算されます。"},
    "having": {"en": "HAVING filters groups after GROUP BY (WHERE filters rows before it).",
               "ja": "HAVING は GROUP BY の後でグループを絞り込みます（WHERE はその前に行を絞り込みます）。"},
    "join": {"en": "JOIN ... ON puts together rows of two tables whose key columns match.",
             "ja": "JOIN ... ON は、キーの列が一致する 2 つのテーブルの行を組み合わせます。"},
    "join_three": {"en": "You can chain joins: FROM a JOIN b ON ... JOIN c ON ...",
                   "ja": "結合はつなげて書けます: FROM a JOIN b ON ... JOIN c ON ..."},
    "join_group": {"en": "Join first, then GROUP BY the person and SUM an expression over the joined rows.",
                   "ja": "先に結合し、人ごとに GROUP BY して、結合した行の式を SUM で合計します。"},
    "join_distinct": {"en": "A join repeats a row once per match; DISTINCT keeps each person once.",
                      "ja": "結合すると一致した数だけ行が繰り返されます。DISTINCT で 1 人 1 行にします。"},
    "left_join": {"en": "LEFT JOIN keeps every row of the left table, with NULLs when nothing matches; "
                        "COUNT(col) of the right table then gives 0.",
                  "ja": "LEFT JOIN は左側のテーブルの行をすべて残し、一致がなければ NULL になります。"
                        "右側の列を COUNT(列) で数えると 0 になります。"},
    "anti_join": {"en": "LEFT JOIN, then keep the rows where the right side is NULL: they had no match.",
                  "ja": "LEFT JOIN して右側が NULL の行だけを残すと、一致しなかった行が得られます。"},
    "scalar_subquery": {"en": "A subquery in parentheses that returns one value can be compared like a number.",
                        "ja": "1 つの値を返すかっこ内のサブクエリは、数値のように比較に使えます。"},
    "in_subquery": {"en": "col IN (SELECT ...) checks membership in the subquery's result; NOT IN is the "
                          "opposite (careful if the subquery can return NULL).",
                    "ja": "列 IN (SELECT ...) はサブクエリの結果に含まれるかを調べます。NOT IN はその逆です"
                          "（サブクエリが NULL を返しうる場合は注意）。"},
    "cte": {"en": "WITH name AS (SELECT ...) names a result you can then query like a table, even twice.",
            "ja": "WITH 名前 AS (SELECT ...) で結果に名前を付けると、テーブルのように何度でも使えます。"},
    "correlated": {"en": "A correlated subquery refers to the outer row (e.g. e2.col = e.col) and is "
                         "evaluated for each outer row.",
                   "ja": "相関サブクエリは外側の行を参照し（例: e2.列 = e.列）、外側の行ごとに計算されます。"},
    "having_subquery": {"en": "HAVING can compare a group's aggregate with a subquery's single value.",
                        "ja": "HAVING ではグループの集約値をサブクエリの 1 つの値と比べられます。"},
    "exists": {"en": "EXISTS (SELECT ...) is true when the subquery returns at least one row.",
               "ja": "EXISTS (SELECT ...) はサブクエリが 1 行以上返すときに真になります。"},
    "row_number": {"en": "ROW_NUMBER() OVER (ORDER BY ...) numbers rows 1, 2, 3, ... in that order.",
                   "ja": "ROW_NUMBER() OVER (ORDER BY ...) はその順に 1, 2, 3, … と番号を振ります。"},
    "rank": {"en": "RANK() gives ties the same rank and skips the following ranks; DENSE_RANK() does not skip.",
             "ja": "RANK() は同点に同じ順位を付け、次の順位を飛ばします。DENSE_RANK() は飛ばしません。"},
    "partition": {"en": "PARTITION BY restarts the window function for each group.",
                  "ja": "PARTITION BY を使うと、グループごとにウィンドウ関数を計算し直します。"},
    "running_total": {"en": "SUM(col) OVER (ORDER BY ...) adds up col row by row in that order.",
                      "ja": "SUM(列) OVER (ORDER BY ...) はその順に列の値を足し上げていきます。"},
    "window_aggregate": {"en": "An aggregate with OVER (...) keeps every row and adds the group's value to it.",
                         "ja": "集約関数に OVER (...) を付けると、行をまとめずに各行へグループの値を付けます。"},
    "lag": {"en": "LAG(col) OVER (ORDER BY ...) gives col from the previous row in that order.",
            "ja": "LAG(列) OVER (ORDER BY ...) はその順で 1 つ前の行の列の値を返します。"},
    "top_per_group": {"en": "Number the rows per group with ROW_NUMBER() in a CTE, then keep number 1.",
                      "ja": "CTE の中で ROW_NUMBER() によりグループごとに番号を振り、番号 1 の行だけを残します。"},
    "insert": {"en": "INSERT INTO table (columns) VALUES (values) adds one row; values go in the same order "
                     "as the columns.",
               "ja": "INSERT INTO テーブル (列) VALUES (値) で 1 行追加します。値は列と同じ順に書きます。"},
    "update": {"en": "UPDATE table SET col = value WHERE ... changes only the rows matching WHERE.",
               "ja": "UPDATE テーブル SET 列 = 値 WHERE ... は WHERE に合う行だけを変更します。"},
    "update_null": {"en": "To find NULLs in an UPDATE, use WHERE col IS NULL (not = NULL).",
                    "ja": "UPDATE で NULL の行を選ぶには WHERE 列 IS NULL を使います（= NULL ではありません）。"},
    "update_subquery": {"en": "The WHERE of an UPDATE may use id IN (SELECT ...) to pick rows from another "
                              "table's facts.",
                        "ja": "UPDATE の WHERE では id IN (SELECT ...) を使って、別のテーブルの情報から行を選べます。"},
    "delete": {"en": "DELETE FROM table WHERE ... removes the matching rows (without WHERE: all rows!).",
               "ja": "DELETE FROM テーブル WHERE ... は条件に合う行を削除します（WHERE がないと全行です）。"},
    "delete_subquery": {"en": "DELETE ... WHERE id NOT IN (SELECT ...) removes rows that are not referenced.",
                        "ja": "DELETE ... WHERE id NOT IN (SELECT ...) で、参照されていない行を削除できます。"},
}

NUDGE = {"en": "Work with {tables}; the columns involved include {columns}.",
         "ja": "使うテーブルは {tables}、関係する列は {columns} などです。"}
SKELETON = {"en": "Almost there — fill in the blanks: {skeleton}", "ja": "あと少しです。空欄を埋めてください: {skeleton}"}
UNKNOWN = {"en": "unknown", "ja": "不明"}
NEW_NAME = {"en": "Alex Morgan", "ja": "青木 さくら"}


# --- constants read from the data --------------------------------------------------------

def _sql(v: Any) -> str:
    """A SQL literal for a constant (text quoted, quotes doubled)."""
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    if isinstance(v, float):
        return repr(round(v, 6))
    return str(v)


def _show(v: Any, lang: str) -> str:
    if isinstance(v, str):
        return f"「{v}」" if lang == "ja" else f"'{v}'"
    if isinstance(v, float):
        return repr(round(v, 6))
    return str(v)


def _middle(values: list[Any]) -> Any:
    values = sorted(values)
    return values[(len(values) - 1) // 2]


def _split_point(values: list[Any], rng: random.Random) -> Any:
    """A value occurring in ``values`` with others both above and below it (when possible)."""
    distinct = sorted(set(values))
    inner = distinct[1:-1] or distinct
    ranked = sorted(inner, key=lambda v: (-values.count(v), v))
    return rng.choice(ranked[: max(1, min(3, len(ranked)))])


def _bank_roles(dataset: Dataset) -> dict[str, Any]:
    """The theme's identifiers when ``dataset`` has its tables and columns, else DatasetError."""
    spec = THEMES.get(dataset.theme)
    ok = spec is not None
    if ok:
        for role in ROLES:
            try:
                t = dataset.table(spec.tables[role])  # type: ignore[union-attr]
            except KeyError:
                ok = False
                break
            if not all(t.column(spec.columns[role][c]) is not None for c in COLUMN_ROLES[role]):  # type: ignore[union-attr]
                ok = False
                break
    if not ok:
        raise DatasetError(key="dataset.no_bank", title=dataset.title, themes=", ".join(THEMES))
    return {"spec": spec}


def _context(dataset: Dataset, lang: str, seed: int) -> dict[str, str]:
    """Format fields: identifiers, labels and constants for every template."""
    spec = _bank_roles(dataset)["spec"]
    labels = theme_labels(dataset.theme, lang)
    rng = random.Random(f"sqllab-bank:{dataset.theme}:{seed}")
    P, I, E = (dataset.table(spec.tables[r]) for r in ROLES)  # noqa: N806
    pc, ic, ec = (spec.columns[r] for r in ROLES)
    people = [dict(zip(COLUMN_ROLES["people"], (r[P.index(pc[c])] for c in COLUMN_ROLES["people"]))) for r in P.rows]
    items = [dict(zip(COLUMN_ROLES["items"], (r[I.index(ic[c])] for c in COLUMN_ROLES["items"]))) for r in I.rows]
    events = [dict(zip(COLUMN_ROLES["events"], (r[E.index(ec[c])] for c in COLUMN_ROLES["events"]))) for r in E.rows]

    def combined(role: str, col: str | None = None) -> str:
        ident = spec.tables[role] if col is None else spec.columns[role][col]
        label = labels.table_labels[role] if col is None else labels.column_labels[role][col]
        if lang == "ja":
            return f"{label}（{ident}）"
        return f"`{ident}`" if label == ident else f"{label} (`{ident}`)"

    ctx: dict[str, Any] = {
        "P": spec.tables["people"], "I": spec.tables["items"], "E": spec.tables["events"],
        "people": combined("people"), "items": combined("items"), "events": combined("events"),
    }
    for role, prefix in (("people", "p"), ("items", "i"), ("events", "e")):
        for col, ident in spec.columns[role].items():
            ctx[f"{prefix}_{ {'category': 'cat', 'quantity': 'qty'}.get(col, col) }"] = ident
    for key, role, col in (("c_name", "people", "name"), ("c_city", "people", "city"), ("c_score", "people", "score"),
                           ("c_pdate", "people", "date"), ("c_iname", "items", "name"),
                           ("c_cat", "items", "category"), ("c_price", "items", "price"),
                           ("c_extra", "items", "extra"), ("c_person", "events", "person"),
                           ("c_item", "events", "item"), ("c_qty", "events", "quantity"),
                           ("c_edate", "events", "date")):
        ctx[key] = combined(role, col)

    scores = [p["score"] for p in people]
    cities = Counter(p["city"] for p in people if p["city"] is not None)
    city = min(cities, key=lambda c: (-cities[c], c))
    city_scores = sorted({p["score"] for p in people if p["city"] == city})
    x2 = city_scores[-2] if len(city_scores) > 1 else city_scores[0]
    firsts = Counter(p["name"][0] for p in people)
    prefix = min(firsts, key=lambda c: (-firsts[c], c))
    cats = Counter(i["category"] for i in items)
    cat_order = sorted(cats, key=lambda c: (-cats[c], c))
    prices = sorted({i["price"] for i in items})
    y1, y2 = (prices[1], prices[-2]) if len(prices) > 3 else (prices[0], prices[-1])
    extras = [i["extra"] for i in items if i["extra"] is not None]
    z = _middle(extras)
    used_items = {e["item"] for e in events}
    active = Counter(e["person"] for e in events)
    counts = sorted(set(active.values()))
    h2 = counts[len(counts) // 2] if len(counts) > 1 else counts[0]
    sizes = sorted(set(cats.values()))
    h = sizes[-1] if len(sizes) > 1 else sizes[0]
    qty = [e["quantity"] for e in events]
    q = 3 if max(qty) >= 3 else max(qty)
    qd = min(set(qty), key=lambda v: (-qty.count(v), v))
    city_of = {p["id"]: p["city"] for p in people}
    ev_cities = Counter(city_of[e["person"]] for e in events if city_of[e["person"]] is not None)
    item_cat = {i["id"]: i["category"] for i in items}
    ev_cats = Counter(item_cat[e["item"]] for e in events)
    idle = sorted(p["id"] for p in people if p["id"] not in active)
    unused = sorted(i["id"] for i in items if i["id"] not in used_items)
    iid = rng.choice([i["id"] for i in items])
    first_person = min(people, key=lambda p: p["id"])
    consts: dict[str, Any] = {
        "x": _split_point(scores, rng), "x2": x2, "city": city, "prefix": prefix,
        "cat": cat_order[0], "cat2": cat_order[1] if len(cat_order) > 1 else cat_order[0],
        "y1": y1, "y2": y2, "z": z,
        "d": _middle([p["date"] for p in people]), "ed": _middle([e["date"] for e in events]),
        "q": q, "qd": qd, "h": h, "h2": h2,
        "city_ev": min(ev_cities, key=lambda c: (-ev_cities[c], c)),
        "cat_used": min(ev_cats, key=lambda c: (-ev_cats[c], c)),
        "nid": max(p["id"] for p in people) + 1, "neid": max(e["id"] for e in events) + 1,
        "idle_pid": idle[0] if idle else people[0]["id"],
        "unused_iid": unused[0] if unused else items[0]["id"],
        "iid": iid, "new_price": round(next(i["price"] for i in items if i["id"] == iid) + 5, 2),
        "new_name": NEW_NAME[lang], "unknown": UNKNOWN[lang],
    }
    for key, v in consts.items():
        ctx[key] = _show(v, lang)
        ctx[f"{key}_sql"] = _sql(v)
    ctx["prefix_sql"] = _sql(prefix + "%")
    ctx["year_example"] = _show(first_person["date"][:4], lang)
    ctx["label_example"] = _show(f"{first_person['name']} ({first_person['id']})", lang)
    return ctx


# --- picking exercises -------------------------------------------------------------------

def _nudge(sql: str, lang: str) -> str:
    tree = sqlglot.parse_one(sql, read="sqlite")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    tables = sorted({t.name for t in tree.find_all(exp.Table) if t.name not in ctes})
    aliases: set[str] = {a.alias for a in tree.find_all(exp.Alias)}
    columns = {c.name for c in tree.find_all(exp.Column) if c.name and c.name not in aliases}
    for schema in tree.find_all(exp.Schema):  # INSERT INTO t (a, b, ...)
        columns |= {i.name for i in schema.expressions if isinstance(i, exp.Identifier)}
    return NUDGE[lang].format(tables=", ".join(tables), columns=", ".join(sorted(columns)[:4]))


def _build(tpl: Template, ctx: dict[str, str], lang: str) -> Exercise:
    sql = tpl.sql.format(**ctx)
    question = getattr(tpl, lang).format(**ctx)
    if lang == "ja":  # no spaces around 「quoted」 values
        question = re.sub(r" ?(「[^」]*」) ?", r"\1", question)
    ordered = has_top_level_order_by(sql)
    if ordered and re.search(r",\s*id\b(?!\s+DESC)", sql.rsplit("ORDER BY", 1)[-1]):
        question += ORDER_NOTE[lang]
    hints = [_nudge(sql, lang), CONCEPTS[tpl.concept][lang], SKELETON[lang].format(skeleton=tpl.skeleton.format(**ctx))]
    digest = hashlib.sha1(sql.encode()).hexdigest()[:8]
    return Exercise(id=f"{tpl.key}-{digest}", topic=tpl.topic, question=question, reference_sql=sql,
                    difficulty=tpl.difficulty, hints=hints, ordered=ordered, source="bank", lang=lang)


def bank_templates(topic: str | None = None) -> list[Template]:
    return [t for t in TEMPLATES if topic is None or t.topic == topic]


def bank_exercises(dataset: Dataset, topic: str, *, n: int, lang: str | None = None, seed: int = 0,
                   difficulty: str | None = None) -> list[Exercise]:
    """``n`` bank exercises on ``topic`` for ``dataset`` (an offline theme's tables), picked by ``seed``.

    With ``difficulty``, templates of that level come first, then the nearest levels.
    """
    if topic not in TOPICS:
        raise DatasetError(key="dataset.unknown_topic", topic=topic, topics=", ".join(TOPICS))
    if difficulty is not None and difficulty not in DIFFICULTY_RANK:
        raise DatasetError(key="dataset.unknown_difficulty", difficulty=difficulty)
    lang = i18n.normalize_lang(lang or dataset.lang)
    ctx = _context(dataset, lang, seed)
    rng = random.Random(f"sqllab-bank-pick:{dataset.theme}:{topic}:{seed}")
    pool = bank_templates(topic)
    rng.shuffle(pool)
    if difficulty is not None:
        want = DIFFICULTY_RANK[difficulty]
        pool.sort(key=lambda t: abs(DIFFICULTY_RANK[t.difficulty] - want))
    chosen = pool[: max(0, n)]
    chosen.sort(key=lambda t: (DIFFICULTY_RANK[t.difficulty], t.key))
    return [_build(t, ctx, lang) for t in chosen]


def all_bank_exercises(dataset: Dataset, *, lang: str | None = None, seed: int = 0) -> list[Exercise]:
    """Every bank exercise for ``dataset`` (all topics), in template order."""
    lang = i18n.normalize_lang(lang or dataset.lang)
    ctx = _context(dataset, lang, seed)
    return [_build(t, ctx, lang) for t in TEMPLATES]
