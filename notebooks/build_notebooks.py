"""Write notebooks/en/*.ipynb and notebooks/ja/*.ipynb from this one source.

Both languages get the same code cells; only Markdown (and the default ``lang`` in the
parameters cell) differ. Notebooks are stored without outputs. Run after editing:

    .venv/bin/python notebooks/build_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
DEFAULT_THEME = "shop"

PARAMETERS = '''# Parameters (papermill can override every one of them)
lang = "{lang}"          # "en" or "ja"
seed = 0               # same seed, same dataset and exercises
student_id = "student"  # progress is saved under this id
theme = "{theme}"        # dataset theme
difficulty = "easy"    # easy | medium | hard
n_exercises = 3        # exercises in this lesson
llm = "auto"           # auto | embedded | remote | offline ("auto" defers to SQLLAB_LLM_MODE when set)'''

SETUP = '''from sqllab.notebook import widgets
from sqllab import Lesson

lesson = Lesson("{lesson_id}", lang=lang, seed=seed, student_id=student_id, theme=theme,
                difficulty=difficulty, n_exercises=n_exercises, llm=llm)
print(lesson.bind_sql({bind_args}))
widgets.dataset_panel(lesson)'''

NAMES = "t  # the names {t.…} stands for in the examples below"

EXERCISES = "widgets.exercises(lesson)"

SUMMARY = "print(lesson.resume_message())"

MD_SETUP = {
    "en": "## Your dataset\nRun the next cell: it prepares a practice database for you and connects "
          "`%sql` to it. Use the panel to pick another theme or difficulty and press **Generate**; "
          "the badge tells whether the content came from the LLM or from the built-in bank.",
    "ja": "## データセット\n次のセルを実行すると、練習用のデータベースを用意し、`%sql` をそこに接続します。"
          "パネルでテーマや難易度を選んで **生成** を押すと作り直せます。バッジは、内容が LLM から来たか、"
          "組み込みの問題集から来たかを示します。",
}
MD_NAMES = {
    "en": "Each student gets a different dataset, so the examples below write `{t.table}`, "
          "`{t.number}`, ... instead of real names; `%%sql` fills them in. This table shows what they "
          "stand for in *your* dataset. In your own queries, write the real names.",
    "ja": "データセットは受講者ごとに異なるため、下の例では実際の名前の代わりに `{t.table}` や `{t.number}` "
          "などと書いています。`%%sql` が実行時に置き換えます。次の表は、あなたのデータセットで何に置き換わるかを"
          "示します。自分のクエリでは実際の名前を書いてください。",
}
MD_EXERCISES = {
    "en": "## Exercises\nWrite your query in the editor. **Run** shows its result; **Check** tells you at "
          "once whether it is right (on your data and on hidden variations of it), then feedback may "
          "follow. **Hint** shows hints one level at a time. Every attempt is saved: after a restart "
          "you continue where you stopped.",
    "ja": "## 問題\nエディタに SQL を書きます。**実行** で結果を確認し、**採点** で正誤がすぐに分かります"
          "（見えているデータと、それを変化させた隠しデータの両方で判定します）。続いてフィードバックが表示される"
          "ことがあります。**ヒント** は段階的に表示されます。解答はすべて保存され、再起動しても続きから始められます。",
}
MD_END = {
    "en": "## Where you are\nThe next cell prints your progress in this lesson.",
    "ja": "## 進み具合\n次のセルは、このレッスンでの進み具合を表示します。",
}


def md(en: str, ja: str) -> dict[str, str]:
    return {"en": en, "ja": ja}


# Each lesson: id, title, intro, worked examples [(markdown, sql)], bind args.
LESSONS: list[dict] = [
    {
        "id": "01_select", "title": md("01 · SELECT: reading columns", "01 · SELECT: 列を読む"),
        "intro": md(
            "`SELECT` chooses the columns to show, `FROM` the table to read. `*` means every column. "
            "You can compute new columns with expressions and name them with `AS`.",
            "`SELECT` で表示する列を、`FROM` で読むテーブルを指定します。`*` はすべての列です。"
            "式で新しい列を計算し、`AS` で名前を付けられます。"),
        "examples": [
            (md("Every column, first five rows:", "すべての列を先頭 5 行だけ:"),
             "SELECT * FROM {t.table} LIMIT 5;"),
            (md("Two chosen columns:", "選んだ 2 列:"),
             "SELECT {t.text}, {t.number} FROM {t.table} LIMIT 5;"),
            (md("An expression with a new name:", "式に名前を付ける:"),
             "SELECT {t.key}, {t.number}, {t.number} * 2 AS doubled FROM {t.table} LIMIT 5;"),
        ],
    },
    {
        "id": "02_where", "title": md("02 · WHERE and NULL", "02 · WHERE と NULL"),
        "intro": md(
            "`WHERE` keeps the rows for which a condition is true. Combine conditions with `AND`, "
            "`OR`, `NOT`; use `BETWEEN`, `IN`, `LIKE`. `NULL` means *unknown*: `x = NULL` is never "
            "true, so write `x IS NULL` / `x IS NOT NULL`.",
            "`WHERE` は条件が真になる行だけを残します。`AND`・`OR`・`NOT` で条件を組み合わせ、`BETWEEN`・`IN`・"
            "`LIKE` も使えます。`NULL` は「不明」を表し、`x = NULL` は決して真になりません。`x IS NULL` / "
            "`x IS NOT NULL` と書きます。"),
        "examples": [
            (md("A range:", "範囲で絞り込む:"),
             "SELECT {t.key}, {t.number} FROM {t.table}\nWHERE {t.number} BETWEEN {t.low} AND {t.high}\nLIMIT 5;"),
            (md("Rows where a value is missing (`IS NULL`):", "値がない行（`IS NULL`）:"),
             "SELECT COUNT(*) AS missing FROM {t.table} WHERE {t.nullable} IS NULL;"),
            (md("`= NULL` finds nothing, whatever the data:", "`= NULL` はデータに関係なく何も見つけません:"),
             "SELECT COUNT(*) AS found FROM {t.table} WHERE {t.nullable} = NULL;"),
            (md("Values starting with a letter (`LIKE`; `%` is any text):",
                "ある文字で始まる値（`LIKE`。`%` は任意の文字列）:"),
             "SELECT {t.text} FROM {t.table} WHERE {t.text} LIKE {t.pattern} LIMIT 5;"),
        ],
    },
    {
        "id": "03_order", "title": md("03 · ORDER BY, LIMIT, DISTINCT", "03 · ORDER BY・LIMIT・DISTINCT"),
        "intro": md(
            "Without `ORDER BY` rows come in no particular order. `ORDER BY x DESC` sorts, `LIMIT n` "
            "keeps the first n rows (`OFFSET` skips some), `DISTINCT` removes duplicate rows.",
            "`ORDER BY` がなければ行の順序は決まっていません。`ORDER BY x DESC` で並べ替え、`LIMIT n` で先頭 n 行"
            "だけを残し（`OFFSET` で読み飛ばし）、`DISTINCT` で重複行を除きます。"),
        "examples": [
            (md("The three largest values:", "値が大きい順に 3 行:"),
             "SELECT {t.key}, {t.number} FROM {t.table}\nORDER BY {t.number} DESC, {t.key}\nLIMIT 3;"),
            (md("The next three (`OFFSET`):", "その次の 3 行（`OFFSET`）:"),
             "SELECT {t.key}, {t.number} FROM {t.table}\nORDER BY {t.number} DESC, {t.key}\nLIMIT 3 OFFSET 3;"),
            (md("Each value once:", "値を 1 回ずつ:"),
             "SELECT DISTINCT {t.group} FROM {t.table} ORDER BY {t.group};"),
        ],
    },
    {
        "id": "04_aggregate", "title": md("04 · Aggregates, GROUP BY, HAVING", "04 · 集約・GROUP BY・HAVING"),
        "intro": md(
            "`COUNT`, `SUM`, `AVG`, `MIN`, `MAX` turn many rows into one value. `GROUP BY` makes one "
            "row per group; `HAVING` filters groups (`WHERE` filters rows before grouping). "
            "`COUNT(col)` skips NULLs, `COUNT(*)` does not.",
            "`COUNT`・`SUM`・`AVG`・`MIN`・`MAX` は多くの行を 1 つの値にまとめます。`GROUP BY` はグループごとに 1 行を"
            "作り、`HAVING` はグループを絞り込みます（`WHERE` はグループ化の前に行を絞り込みます）。"
            "`COUNT(列)` は NULL を数えず、`COUNT(*)` は数えます。"),
        "examples": [
            (md("Summary of a whole table:", "テーブル全体の要約:"),
             "SELECT COUNT(*) AS n, COUNT({t.nullable}) AS known,\n"
             "       MIN({t.number}) AS lo, MAX({t.number}) AS hi, AVG({t.number}) AS mean\n"
             "FROM {t.table};"),
            (md("One row per group:", "グループごとに 1 行:"),
             "SELECT {t.group}, COUNT(*) AS n\nFROM {t.table}\nGROUP BY {t.group}\nORDER BY n DESC, {t.group};"),
            (md("Only groups with more than one row:", "2 行以上あるグループだけ:"),
             "SELECT {t.group}, COUNT(*) AS n\nFROM {t.table}\nGROUP BY {t.group}\nHAVING COUNT(*) > 1\n"
             "ORDER BY {t.group};"),
        ],
    },
    {
        "id": "05_joins", "title": md("05 · Joins", "05 · 結合（JOIN）"),
        "intro": md(
            "A join puts rows of two tables side by side where a condition matches, usually a foreign "
            "key equal to a primary key. `JOIN` keeps only matching pairs; `LEFT JOIN` keeps every row "
            "of the left table, with NULLs where nothing matches.",
            "結合は、条件（多くは外部キー = 主キー）が一致する 2 つのテーブルの行を横に並べます。`JOIN` は一致した"
            "組だけを残し、`LEFT JOIN` は左のテーブルの行をすべて残し、一致しない部分を NULL にします。"),
        "examples": [
            (md("Each row with its parent:", "各行とその親の行:"),
             "SELECT c.{t.child_key}, p.{t.parent_text}\nFROM {t.child} AS c\n"
             "JOIN {t.parent} AS p ON c.{t.fk} = p.{t.parent_key}\nLIMIT 5;"),
            (md("Every parent, even without children (`LEFT JOIN`):",
                "子がない親も含めてすべて（`LEFT JOIN`）:"),
             "SELECT p.{t.parent_key}, COUNT(c.{t.child_key}) AS children\nFROM {t.parent} AS p\n"
             "LEFT JOIN {t.child} AS c ON c.{t.fk} = p.{t.parent_key}\nGROUP BY p.{t.parent_key}\n"
             "ORDER BY children, p.{t.parent_key}\nLIMIT 5;"),
        ],
    },
    {
        "id": "06_subqueries", "title": md("06 · Subqueries and CTEs", "06 · サブクエリと CTE"),
        "intro": md(
            "A query can use the result of another: as a single value, as a list for `IN`, or as a "
            "table. `WITH name AS (...)` (a CTE) names a subquery so the main query reads top-down.",
            "クエリの中で別のクエリの結果を使えます。1 つの値として、`IN` のリストとして、あるいはテーブルとして。"
            "`WITH 名前 AS (...)`（CTE）はサブクエリに名前を付け、上から順に読めるようにします。"),
        "examples": [
            (md("Above the average:", "平均より大きい行:"),
             "SELECT {t.key}, {t.number} FROM {t.table}\n"
             "WHERE {t.number} > (SELECT AVG({t.number}) FROM {t.table})\nORDER BY {t.key}\nLIMIT 5;"),
            (md("Parents with no child (`NOT IN`, minding NULLs):", "子を持たない親（`NOT IN`、NULL に注意）:"),
             "SELECT {t.parent_key} FROM {t.parent}\n"
             "WHERE {t.parent_key} NOT IN (SELECT {t.fk} FROM {t.child} WHERE {t.fk} IS NOT NULL)\nLIMIT 5;"),
            (md("A CTE: the largest group(s):", "CTE: 最も大きいグループ:"),
             "WITH per_group AS (\n  SELECT {t.group} AS g, COUNT(*) AS n FROM {t.table} GROUP BY {t.group}\n)\n"
             "SELECT g, n FROM per_group\nWHERE n = (SELECT MAX(n) FROM per_group);"),
        ],
    },
    {
        "id": "07_window", "title": md("07 · Window functions", "07 · ウィンドウ関数"),
        "intro": md(
            "A window function computes over related rows *without* merging them: `RANK() OVER "
            "(PARTITION BY g ORDER BY x)` ranks within each group, `SUM(x) OVER (ORDER BY k)` is a "
            "running total, `LAG(x)` reads the previous row.",
            "ウィンドウ関数は行をまとめずに、関連する行にわたって計算します。`RANK() OVER (PARTITION BY g ORDER BY "
            "x)` はグループ内の順位、`SUM(x) OVER (ORDER BY k)` は累計、`LAG(x)` は 1 つ前の行の値です。"),
        "examples": [
            (md("Rank within each group:", "グループ内の順位:"),
             "SELECT {t.key}, {t.group}, {t.number},\n"
             "       RANK() OVER (PARTITION BY {t.group} ORDER BY {t.number} DESC) AS rnk\n"
             "FROM {t.table}\nORDER BY {t.group}, rnk\nLIMIT 10;"),
            (md("Running total and previous value:", "累計と 1 つ前の値:"),
             "SELECT {t.key}, {t.number},\n       SUM({t.number}) OVER (ORDER BY {t.key}) AS running,\n"
             "       LAG({t.number}) OVER (ORDER BY {t.key}) AS previous\nFROM {t.table}\nLIMIT 10;"),
        ],
    },
    {
        "id": "08_modify", "title": md("08 · INSERT, UPDATE, DELETE and transactions",
                                       "08 · INSERT・UPDATE・DELETE とトランザクション"),
        "bind": "playground=True",
        "intro": md(
            "`INSERT` adds rows, `UPDATE ... SET ... WHERE` changes them, `DELETE ... WHERE` removes "
            "them; without `WHERE`, every row is affected. In this lesson `%sql` works on a practice "
            "copy, so experiment freely (`lesson.reset_playground()` restores it). Exercises run your "
            "statement on a throwaway copy and compare the resulting tables.",
            "`INSERT` は行を追加し、`UPDATE ... SET ... WHERE` は変更し、`DELETE ... WHERE` は削除します。`WHERE` が"
            "なければすべての行が対象です。このレッスンの `%sql` は練習用コピーに接続しているので、自由に試せます"
            "（`lesson.reset_playground()` で元に戻せます）。問題では、あなたの文を使い捨てのコピーで実行し、結果の"
            "テーブルを比較します。"),
        "examples": [
            (md("Insert a row, then look at it:", "行を追加して確認する:"),
             "INSERT INTO {t.table} ({t.insert_columns}) VALUES ({t.insert_values});\n"
             "SELECT * FROM {t.table} WHERE {t.key} = {t.new_key};"),
            (md("Change some rows:", "いくつかの行を変更する:"),
             "UPDATE {t.child} SET {t.child_number} = {t.child_number} + 1 WHERE {t.child_key} <= 3;\n"
             "SELECT {t.child_key}, {t.child_number} FROM {t.child} WHERE {t.child_key} <= 3;"),
            (md("Delete a row:", "行を削除する:"),
             "DELETE FROM {t.child} WHERE {t.child_key} = (SELECT MAX({t.child_key}) FROM {t.child});\n"
             "SELECT COUNT(*) AS n FROM {t.child};"),
        ],
        "python": (md(
            "A **transaction** groups statements: all of them take effect (`COMMIT`) or none "
            "(`ROLLBACK`). `%sql` commits after each cell, so this example uses Python's `sqlite3`:",
            "**トランザクション** は複数の文をまとめ、すべてを反映する（`COMMIT`）か、何も反映しない（`ROLLBACK`）"
            "かのどちらかにします。`%sql` はセルごとに確定するため、この例では Python の `sqlite3` を使います:"),
            "import sqlite3\n\n"
            "con = sqlite3.connect(lesson.playground_path, isolation_level=None)\n"
            "con.execute(\"BEGIN\")\n"
            "con.execute(f\"DELETE FROM {t.child}\")\n"
            "print(\"inside the transaction:\", con.execute(f\"SELECT COUNT(*) FROM {t.child}\").fetchone()[0])\n"
            "con.execute(\"ROLLBACK\")\n"
            "print(\"after ROLLBACK:\", con.execute(f\"SELECT COUNT(*) FROM {t.child}\").fetchone()[0])\n"
            "con.close()"),
    },
    {
        "id": "09_capstone", "title": md("09 · Capstone: a generated scenario", "09 · 総合演習: 生成されたシナリオ"),
        "intro": md(
            "Everything together on a fresh scenario: explore the tables and the ER diagram, then "
            "answer questions that need joins, grouping, subqueries and window functions. Choose a "
            "theme and difficulty in the panel and press **Generate** for a new scenario.",
            "これまでの内容を新しいシナリオで使います。テーブルと ER 図を確認してから、結合・グループ化・サブクエリ・"
            "ウィンドウ関数が必要な問題に答えましょう。パネルでテーマと難易度を選び **生成** を押すと、新しい"
            "シナリオになります。"),
        "examples": [
            (md("Warm-up: a CTE, a join and a rank in one query:", "準備運動: CTE・結合・順位を 1 つのクエリで:"),
             "WITH per_parent AS (\n  SELECT {t.fk} AS parent_id, COUNT(*) AS n, SUM({t.child_number}) AS total\n"
             "  FROM {t.child} GROUP BY {t.fk}\n)\n"
             "SELECT p.{t.parent_text}, pp.n, pp.total,\n"
             "       RANK() OVER (ORDER BY pp.total DESC) AS rnk\n"
             "FROM per_parent AS pp JOIN {t.parent} AS p ON p.{t.parent_key} = pp.parent_id\n"
             "ORDER BY rnk\nLIMIT 5;"),
        ],
    },
]

START = {
    "id": "00_start_here",
    "title": md("00 · Start here", "00 · はじめに"),
    "cells": [
        ("md", md(
            "This kit teaches SQL in small lessons. Each lesson prepares a **practice database** "
            "(SQLite) just for you, explains one idea with worked examples you can run in `%%sql` "
            "cells, and ends with **exercises** checked at once: your answer is right when it gives "
            "the same result as the reference on your data *and* on hidden variations of it. An LLM "
            "writes datasets, exercises and feedback when one is available; otherwise a built-in bank "
            "is used, and lessons work the same.",
            "このキットは SQL を小さなレッスンで学ぶ教材です。各レッスンはあなた専用の **練習用データベース**"
            "（SQLite）を用意し、`%%sql` セルで実行できる例題で 1 つの考え方を説明し、最後にすぐ採点される"
            "**問題** があります。あなたのデータだけでなく、それを変化させた隠しデータでも参照解答と同じ結果になれば"
            "正解です。LLM が使えるときはデータセット・問題・フィードバックを LLM が作り、使えないときは組み込みの"
            "問題集を使います。どちらでもレッスンは同じように進められます。")),
        ("md", md("## Is the LLM running?\nThe badge below checks the configured LLM. Red is fine for "
                  "learning: follow its advice only if you want LLM content.",
                  "## LLM は動いていますか？\n下のバッジが設定された LLM を確認します。赤でも学習はできます。"
                  "LLM の内容を使いたいときだけ、表示される手順に従ってください。")),
        ("code", "from sqllab.notebook import widgets\n\nwidgets.llm_status(lang, llm)"),
        ("md", md("## Your progress\nEvery answer you check is saved. This table shows where you stopped "
                  "in each lesson.",
                  "## 進み具合\n採点した解答はすべて保存されます。次の表は、各レッスンでどこまで進んだかを示します。")),
        ("code", "from sqllab import overview\n\noverview(student_id, lang)"),
        ("md", md("## The next lessons, written for you\nWhile you read this page, the AI starts writing the "
                  "exercises of lessons 01 and 02 for your data, and sqllab checks each one. A lesson whose "
                  "exercises are ready opens with them; otherwise it starts with built-in exercises.",
                  "## 次のレッスンを準備します\nこのページを読んでいる間に、AI がレッスン 01 と 02 の問題をあなたの"
                  "データに合わせて書き始め、sqllab がひとつずつ確かめます。問題ができあがったレッスンはそれを使って"
                  "始まり、まだのときは組み込みの問題から始まります。")),
        ("code", "from sqllab import Lesson\n\n_ = Lesson(\"00_start_here\", lang=lang, seed=seed, student_id=student_id, "
                 "theme=theme,\n           difficulty=difficulty, n_exercises=n_exercises, llm=llm).write_ahead()"),
        ("md", md(
            "## How a lesson works\n1. Run the cells from the top (**Run ▸ Run All Cells**).\n"
            "2. The dataset panel shows your tables and an ER diagram.\n"
            "3. Try the examples; change them and run again.\n"
            "4. Answer the exercises: **Run** to see your result, **Check** to grade it, **Hint** if "
            "you are stuck.\n\nLessons: 01 SELECT · 02 WHERE and NULL · 03 ORDER BY/LIMIT/DISTINCT · "
            "04 aggregates · 05 joins · 06 subqueries and CTEs · 07 window functions · "
            "08 INSERT/UPDATE/DELETE · 09 capstone.",
            "## レッスンの進め方\n1. 上から順にセルを実行します（**Run ▸ Run All Cells**）。\n"
            "2. データセットのパネルにテーブルと ER 図が表示されます。\n"
            "3. 例題を実行し、書き換えてもう一度実行してみましょう。\n"
            "4. 問題に答えます。**実行** で結果を確認し、**採点** で判定し、困ったら **ヒント** を押します。\n\n"
            "レッスン: 01 SELECT · 02 WHERE と NULL · 03 ORDER BY/LIMIT/DISTINCT · 04 集約 · 05 結合 · "
            "06 サブクエリと CTE · 07 ウィンドウ関数 · 08 INSERT/UPDATE/DELETE · 09 総合演習")),
    ],
}


def _parameters(lang: str) -> nbformat.NotebookNode:
    cell = new_code_cell(PARAMETERS.format(lang=lang, theme=DEFAULT_THEME))
    cell.metadata["tags"] = ["parameters"]
    return cell


def _notebook(cells: list[nbformat.NotebookNode], lang: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["sqllab"] = {"lang": lang}
    for i, cell in enumerate(nb.cells):  # stable ids: rebuilding changes nothing
        cell["id"] = f"cell-{i:02d}"
    return nb


def lesson_notebook(spec: dict, lang: str) -> nbformat.NotebookNode:
    cells = [new_markdown_cell(f"# {spec['title'][lang]}\n\n{spec['intro'][lang]}"), _parameters(lang),
             new_markdown_cell(MD_SETUP[lang]),
             new_code_cell(SETUP.format(lesson_id=spec["id"], bind_args=spec.get("bind", ""))),
             new_markdown_cell(MD_NAMES[lang]), new_code_cell(NAMES)]
    for text, sql in spec["examples"]:
        cells += [new_markdown_cell(text[lang]), new_code_cell("%%sql\n" + sql)]
    if "python" in spec:
        text, code = spec["python"]
        cells += [new_markdown_cell(text[lang]), new_code_cell(code)]
    cells += [new_markdown_cell(MD_EXERCISES[lang]), new_code_cell(EXERCISES),
              new_markdown_cell(MD_END[lang]), new_code_cell(SUMMARY)]
    return _notebook(cells, lang)


def start_notebook(lang: str) -> nbformat.NotebookNode:
    cells = [new_markdown_cell(f"# {START['title'][lang]}"), _parameters(lang)]
    for kind, body in START["cells"]:
        cells.append(new_markdown_cell(body[lang]) if kind == "md" else new_code_cell(body))
    return _notebook(cells, lang)


def build(out: Path = HERE) -> list[Path]:
    written = []
    for lang in ("en", "ja"):
        (out / lang).mkdir(parents=True, exist_ok=True)
        books = {START["id"]: start_notebook(lang)}
        books.update({spec["id"]: lesson_notebook(spec, lang) for spec in LESSONS})
        for name, nb in books.items():
            nbformat.validate(nb)
            path = out / lang / f"{name}.ipynb"
            nbformat.write(nb, path)
            written.append(path)
    return written


if __name__ == "__main__":
    for p in build():
        print(p.relative_to(HERE.parent))
