MESSAGES = {
    "gen.llm_unavailable": {
        "en": "The AI is not available, so this lesson uses built-in content. ({reason})",
        "ja": "AI が使えないため、このレッスンは組み込みの教材を使います。（{reason}）",
    },
    "gen.dataset_rejected": {
        "en": "The AI's dataset did not pass the checks after {rounds} repair rounds; a built-in dataset is used instead.",
        "ja": "AI が作ったデータセットは {rounds} 回の修正でも検査に通らなかったため、組み込みのデータセットを使います。",
    },
    "gen.names_rejected": {
        "en": "The AI's names did not pass the checks; a built-in dataset is used instead.",
        "ja": "AI が考えた名前は検査に通らなかったため、組み込みのデータセットを使います。",
    },
    "gen.model_too_small": {
        "en": "The configured AI model is too small for this job in this language; a built-in dataset is used.",
        "ja": "設定されている AI モデルはこの言語でこの作業をするには小さすぎるため、組み込みのデータセットを使います。",
    },
    "gen.dataset_llm": {
        "en": "Dataset written by the AI and checked by sqllab (repair rounds: {rounds}).",
        "ja": "AI が作り、sqllab が検査したデータセットです（修正回数: {rounds}）。",
    },
    "gen.dataset_names_llm": {
        "en": "Built-in tables; the AI named the rows of {done} of {total} categories (checked by sqllab).",
        "ja": "組み込みのテーブルに、AI が {total} カテゴリ中 {done} カテゴリの名前を付けました（sqllab が検査済み）。",
    },
    # the order and constants a question must state (values of the exercise_question prompt)
    "gen.order_any": {"en": "any order (the question asks for none)", "ja": "指定なし（並び順は問わない）"},
    "gen.order_asc": {"en": "by {key}, lowest first", "ja": "{key} の昇順（小さい順）"},
    "gen.order_desc": {"en": "by {key}, highest first", "ja": "{key} の降順（大きい順）"},
    "gen.order_then": {"en": "; then ", "ja": "、同じなら "},
    "gen.limit_words": {"en": "only the first {n} rows", "ja": "先頭の {n} 行だけ"},
    "gen.distinct_words": {"en": "each row only once, no duplicates", "ja": "重複なし（同じ行は 1 回だけ）"},
    "gen.order_stated": {"en": " Order the rows {order}.", "ja": "並び順は、{order}としてください。"},
    "gen.order_key_hidden": {"en": " ({keys} only orders the rows: do not show it.)",
                             "ja": "（{keys} は並べ替えにだけ使い、表示しません。）"},
    "gen.page_stated": {"en": " Show {n} rows: skip the first {skip}, then take the next {n}.",
                        "ja": "先頭の {skip} 行を飛ばし、その次の {n} 行だけを表示してください。"},
    "gen.limit_stated": {"en": " Show only the first {n} rows.", "ja": "先頭の {n} 行だけを表示してください。"},
    "gen.conditions_stated": {"en": " Only rows where {conditions}.", "ja": "対象は、{conditions}の行です。"},
    "gen.columns_used": {"en": " (Columns to use: {columns}.)", "ja": "（使う列: {columns}）"},
    "gen.columns_stated": {"en": " Show the columns {columns}, in this order.",
                           "ja": "表示する列は {columns}（この順）です。"},
    "gen.no_constants": {"en": "(none)", "ja": "（なし）"},
    "gen.hint_generic": {
        "en": "Read the question again: which tables and columns does it name?",
        "ja": "問題文をもう一度読み、どのテーブルと列が出てくるか確かめましょう。",
    },
    "gen.hint_skeleton": {
        "en": "Almost there — fill in the blanks: {skeleton}",
        "ja": "あと少しです。空欄を埋めてください: {skeleton}",
    },
    "gen.dataset_unfillable": {
        "en": "The AI's own dataset got too few verified exercises, so a built-in table layout is used.",
        "ja": "AI 独自のデータセットでは検証済みの問題が足りなかったため、組み込みの表の形を使います。",
    },
    "gen.exercises_bank_filled": {
        "en": "{llm} of {total} exercises were written by the AI and checked by sqllab; the built-in bank gave the rest.",
        "ja": "{total} 問中 {llm} 問は AI が作り sqllab が検査した問題で、残りは組み込みの問題集から出しています。",
    },
    "gen.exercises_bank": {
        "en": "All {total} exercises come from the built-in bank: the AI wrote none that passed sqllab's checks.",
        "ja": "{total} 問すべて組み込みの問題集から出しています。AI が作った問題で sqllab の検査に通ったものはありません。",
    },

    # hints derived by sqllab from the reference (sqllab/content/hints.py)
    "hint.tables_columns": {
        "en": "Look at the table(s) {tables}; the columns you need are {columns}.",
        "ja": "使うテーブルは {tables}、必要な列は {columns} です。",
    },
    "hint.tables": {
        "en": "Look at the table(s) {tables}.",
        "ja": "使うテーブルは {tables} です。",
    },
    "hint.clauses": {
        "en": "The parts your query needs, in the order SQLite evaluates them: {clauses}.",
        "ja": "必要な句（SQLite が評価する順）: {clauses}",
    },
    "hint.clause.with": {"en": "WITH (a named subquery)", "ja": "WITH（名前を付けた副問い合わせ）"},
    "hint.clause.from": {"en": "FROM", "ja": "FROM"},
    "hint.clause.join": {"en": "JOIN … ON (only rows that match)", "ja": "JOIN … ON（一致する行だけ）"},
    "hint.clause.left_join": {"en": "LEFT JOIN … ON (every row of the left table)",
                              "ja": "LEFT JOIN … ON（左のテーブルの行はすべて残す）"},
    "hint.clause.where": {"en": "WHERE (a condition on each row)", "ja": "WHERE（行ごとの条件）"},
    "hint.clause.group": {"en": "GROUP BY", "ja": "GROUP BY"},
    "hint.clause.having": {"en": "HAVING (a condition on each group)", "ja": "HAVING（グループごとの条件）"},
    "hint.clause.select": {"en": "SELECT", "ja": "SELECT"},
    "hint.clause.distinct": {"en": "SELECT DISTINCT", "ja": "SELECT DISTINCT"},
    "hint.clause.aggregate": {"en": "SELECT with an aggregate function", "ja": "SELECT（集計関数を使う）"},
    "hint.clause.window": {"en": "SELECT with a window function (… OVER (…))",
                           "ja": "SELECT（ウィンドウ関数 … OVER (…) を使う）"},
    "hint.clause.subquery": {"en": "a subquery", "ja": "副問い合わせ"},
    "hint.clause.order": {"en": "ORDER BY", "ja": "ORDER BY"},
    "hint.clause.limit": {"en": "LIMIT", "ja": "LIMIT"},
    "hint.clause.set_operation": {"en": "UNION / INTERSECT / EXCEPT", "ja": "UNION / INTERSECT / EXCEPT"},
    "hint.clause.insert": {"en": "INSERT INTO … VALUES", "ja": "INSERT INTO … VALUES"},
    "hint.clause.update": {"en": "UPDATE … SET … WHERE", "ja": "UPDATE … SET … WHERE"},
    "hint.clause.delete": {"en": "DELETE FROM … WHERE", "ja": "DELETE FROM … WHERE"},
}
