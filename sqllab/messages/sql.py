"""Messages of the sandbox (``sql.*``) and of the grader (``sql.grade.*``)."""

MESSAGES = {
    # --- sandbox: input ---------------------------------------------------------------
    "sql.empty": {
        "en": "The query is empty. Write one SQL statement, for example SELECT * FROM a_table;",
        "ja": "クエリが空です。SQL 文を 1 つ書いてください（例: SELECT * FROM テーブル名;）。",
    },
    "sql.nul_byte": {
        "en": "The query contains an invisible NUL character (\\0) at position {pos}. Delete it and try again.",
        "ja": "クエリの {pos} 文字目に見えない NUL 文字（\\0）が入っています。削除してからもう一度実行してください。",
    },
    "sql.broken_character": {
        "en": "The query contains a broken character at position {pos} (half of an emoji or of another character, often from copying). Delete it and type it again.",
        "ja": "クエリの {pos} 文字目に壊れた文字（絵文字などの半分。コピーで入ることがあります）があります。削除して入力し直してください。",
    },
    "sql.too_long": {
        "en": "The query is too long ({length} characters; at most {limit}).",
        "ja": "クエリが長すぎます（{length} 文字。上限は {limit} 文字）。",
    },
    "sql.multiple_statements": {
        "en": "Write only one statement at a time: a second statement starts at line {line}, column {col} "
              "after the ';'.",
        "ja": "一度に書ける SQL 文は 1 つだけです。';' の後、{line} 行 {col} 列目から 2 つ目の文が始まっています。",
    },
    "sql.not_a_query": {
        "en": "Only queries that read data (SELECT, or WITH ... SELECT) are allowed in this exercise; "
              "“{keyword}” would change the database or reach outside it.",
        "ja": "この問題で使えるのはデータを読むクエリ（SELECT または WITH ... SELECT）だけです。"
              "「{keyword}」はデータベースを変更するか、外部にアクセスします。",
    },
    "sql.not_a_modification": {
        "en": "This exercise asks for one INSERT, UPDATE or DELETE statement; “{keyword}” is not one of them.",
        "ja": "この問題では INSERT・UPDATE・DELETE のいずれか 1 文を書いてください。「{keyword}」は使えません。",
    },
    # --- sandbox: forbidden actions ---------------------------------------------------
    "sql.forbidden.write": {
        "en": "This statement would change table “{name}”; queries here may only read data.",
        "ja": "この文はテーブル「{name}」を変更しようとしています。ここではデータを読むことしかできません。",
    },
    "sql.forbidden.schema": {
        "en": "Creating, changing or dropping tables, views, indexes or triggers is not allowed here.",
        "ja": "ここではテーブル・ビュー・インデックス・トリガーの作成・変更・削除はできません。",
    },
    "sql.forbidden.temp": {
        "en": "Temporary tables, views and triggers are not allowed here; use a WITH clause (CTE) instead.",
        "ja": "一時テーブル・ビュー・トリガーは使えません。代わりに WITH 句（CTE）を使ってください。",
    },
    "sql.forbidden.attach": {
        "en": "ATTACH, DETACH and VACUUM are not allowed: the query may only use the lesson database.",
        "ja": "ATTACH・DETACH・VACUUM は使えません。クエリはレッスンのデータベースだけを使えます。",
    },
    "sql.forbidden.pragma": {
        "en": "PRAGMA {name} is not allowed here.",
        "ja": "ここでは PRAGMA {name} は使えません。",
    },
    "sql.forbidden.function": {
        "en": "The function {name}() is not allowed here.",
        "ja": "ここでは関数 {name}() は使えません。",
    },
    "sql.forbidden.transaction": {
        "en": "Transactions (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) are not needed and not allowed here.",
        "ja": "トランザクション（BEGIN・COMMIT・ROLLBACK・SAVEPOINT）はここでは不要で、使えません。",
    },
    "sql.forbidden.system": {
        "en": "SQLite's internal tables and PRAGMA functions are not available here; the lesson shows the schema.",
        "ja": "SQLite の内部テーブルや PRAGMA 関数はここでは使えません。スキーマはレッスンに表示されています。",
    },
    "sql.parameters": {
        "en": "The query has a parameter (?, :name, @name or $name); write the value itself into the query.",
        "ja": "クエリにパラメータ（?、:name、@name、$name）があります。値そのものをクエリに書いてください。",
    },
    "sql.forbidden.other": {
        "en": "This statement is not allowed here ({action}).",
        "ja": "この文はここでは使えません（{action}）。",
    },
    # --- sandbox: limits --------------------------------------------------------------
    "sql.timeout": {
        "en": "The query ran for more than {seconds} s and was stopped. Look for a join without a condition, "
              "or a recursive CTE that never ends.",
        "ja": "クエリが {seconds} 秒を超えたため停止しました。結合条件のない JOIN や、終わらない再帰 CTE が"
              "ないか確認してください。",
    },
    "sql.too_large.value": {
        "en": "A value in the result is too large (more than {limit} bytes). Avoid building huge strings or blobs.",
        "ja": "結果の値が大きすぎます（{limit} バイト超）。巨大な文字列や BLOB を作らないでください。",
    },
    "sql.too_large.result": {
        "en": "The result is too large (more than {limit} bytes). Select fewer rows or columns, or use LIMIT.",
        "ja": "結果が大きすぎます（{limit} バイト超）。行や列を減らすか、LIMIT を使ってください。",
    },
    "sql.too_complex": {
        "en": "The query is beyond the practice database's limits ({detail}). Use fewer nested "
              "parentheses, UNION terms, function arguments or columns, or a shorter LIKE pattern.",
        "ja": "クエリが練習用データベースの制限を超えています（{detail}）。括弧の入れ子、UNION の数、"
              "関数の引数や列の数を減らすか、LIKE のパターンを短くしてください。",
    },
    # --- sandbox: errors from SQLite --------------------------------------------------
    "sql.syntax.near": {
        "en": "Syntax error near “{token}” at line {line}, column {col}:\n{snippet}",
        "ja": "{line} 行 {col} 列目の「{token}」付近に構文エラーがあります:\n{snippet}",
    },
    "sql.syntax.near_nopos": {
        "en": "Syntax error near “{token}”.",
        "ja": "「{token}」付近に構文エラーがあります。",
    },
    "sql.syntax.incomplete": {
        "en": "The query ends too early: a parenthesis, a quote or part of a clause is missing at the end.",
        "ja": "クエリが途中で終わっています。閉じかっこ・引用符、または句の一部が末尾に足りません。",
    },
    "sql.syntax.token": {
        "en": "SQL does not understand “{token}” at line {line}, column {col} (an unclosed quote?):\n{snippet}",
        "ja": "{line} 行 {col} 列目の「{token}」を SQL として解釈できません（引用符の閉じ忘れ？）:\n{snippet}",
    },
    "sql.unknown_table": {
        "en": "There is no table named “{name}”. Tables: {available}.",
        "ja": "「{name}」という名前のテーブルはありません。テーブル一覧: {available}。",
    },
    "sql.unknown_table.suggest": {
        "en": "There is no table named “{name}”. Did you mean “{suggestion}”?",
        "ja": "「{name}」という名前のテーブルはありません。「{suggestion}」のことですか？",
    },
    "sql.unknown_column": {
        "en": "There is no column named “{name}” in the tables of this query.",
        "ja": "このクエリのテーブルに「{name}」という名前の列はありません。",
    },
    "sql.unknown_column.list": {
        "en": "There is no column named “{name}”. Columns of the lesson tables: {available}.",
        "ja": "「{name}」という名前の列はありません。レッスンのテーブルの列: {available}。",
    },
    "sql.unknown_column.in_table": {
        "en": "“{qualifier}” is the table {table} here, and {table} has no column “{name}”. Its columns: {available}.",
        "ja": "ここで「{qualifier}」はテーブル {table} のことですが、{table} に「{name}」という列はありません。{table} の列: {available}。",
    },
    "sql.unknown_column.no_table": {
        "en": "There is no column “{name}”: “{qualifier}” is not a table or alias in this query's FROM or JOIN.",
        "ja": "「{name}」という列はありません。「{qualifier}」は、このクエリの FROM や JOIN にあるテーブル名でも別名でもありません。",
    },
    "sql.unknown_column.use_alias": {
        "en": "“{name}”: this query calls the table {table} “{alias}” (FROM {table} AS {alias}), so its own name "
              "no longer works there. Write “{suggestion}”.",
        "ja": "「{name}」: このクエリではテーブル {table} に別名「{alias}」を付けている（FROM {table} AS {alias}）ので、"
              "元の名前はもう使えません。「{suggestion}」と書いてください。",
    },
    "sql.unknown_column.out_of_scope": {
        "en": "“{name}” cannot be used here: “{qualifier}” belongs to another part of the query (a subquery "
              "sees the tables of the query around it, but not the other way round).",
        "ja": "ここでは「{name}」を使えません。「{qualifier}」はクエリの別の部分のテーブルです（サブクエリからは外側の"
              "クエリのテーブルが見えますが、その逆は見えません）。",
    },
    "sql.unknown_column.suggest": {
        "en": "There is no column named “{name}”. Did you mean “{suggestion}”?",
        "ja": "「{name}」という名前の列はありません。「{suggestion}」のことですか？",
    },
    "sql.unknown_function": {
        "en": "SQLite has no function named {name}().",
        "ja": "SQLite に {name}() という関数はありません。",
    },
    "sql.unknown_function.suggest": {
        "en": "SQLite has no function named {name}(). Did you mean {suggestion}()?",
        "ja": "SQLite に {name}() という関数はありません。{suggestion}() のことですか？",
    },
    "sql.ambiguous_column": {
        "en": "The column name “{name}” is ambiguous: several tables in the query have it. "
              "Write it with its table, e.g. table.{name}.",
        "ja": "列名「{name}」があいまいです（複数のテーブルにあります）。テーブル名.{name} のように"
              "テーブルを付けて書いてください。",
    },
    "sql.misuse_aggregate": {
        "en": "The aggregate function {name}() cannot be used here (for example in WHERE); "
              "filter groups with HAVING instead.",
        "ja": "集計関数 {name}() はここ（WHERE 句など）では使えません。グループの絞り込みには HAVING を使ってください。",
    },
    "sql.wrong_arguments": {
        "en": "The function {name}() was called with the wrong number of arguments.",
        "ja": "関数 {name}() の引数の数が正しくありません。",
    },
    "sql.compound_columns": {
        "en": "The SELECTs joined by UNION/INTERSECT/EXCEPT must return the same number of columns.",
        "ja": "UNION・INTERSECT・EXCEPT でつなぐ SELECT は、同じ数の列を返す必要があります。",
    },
    "sql.having_without_group": {
        "en": "HAVING needs a GROUP BY before it (use WHERE to filter rows).",
        "ja": "HAVING の前には GROUP BY が必要です（行を絞り込むなら WHERE を使ってください）。",
    },
    "sql.constraint": {
        "en": "The change breaks a rule of the table ({detail}).",
        "ja": "この変更はテーブルの制約に違反します（{detail}）。",
    },
    "sql.error": {
        "en": "SQLite could not run the query: {detail}",
        "ja": "SQLite がクエリを実行できませんでした: {detail}",
    },
    # --- grader ----------------------------------------------------------------------
    "sql.grade.reference_failed": {
        "en": "The reference solution of this exercise does not run ({detail}); please tell the instructor.",
        "ja": "この問題の模範解答が実行できません（{detail}）。講師に知らせてください。",
    },
    "sql.grade.correct": {
        "en": "Correct! Your query returns the expected result.",
        "ja": "正解です！期待どおりの結果になりました。",
    },
    "sql.grade.strength": {
        "en": "Checked on the visible data and {hidden} hidden databases.",
        "ja": "見えているデータと {hidden} 個の非公開データベースで確認しました。",
    },
    "sql.grade.strength_visible": {
        "en": "Checked on the visible data.",
        "ja": "見えているデータで確認しました。",
    },
    "sql.grade.column_count": {
        "en": "Your query returns {got} column(s); the expected result has {expected}.",
        "ja": "あなたのクエリは {got} 列を返しましたが、期待される結果は {expected} 列です。",
    },
    "sql.grade.column_order": {
        "en": "The values are right but the columns are in a different order: list them in the order the "
              "question asks.",
        "ja": "値は合っていますが、列の順番が違います。問題文の順番で列を並べてください。",
    },
    "sql.grade.row_count": {
        "en": "Your query returns {got} row(s); the expected result has {expected}.",
        "ja": "あなたのクエリは {got} 行を返しましたが、期待される結果は {expected} 行です。",
    },
    "sql.grade.missing_rows": {
        "en": "{count} expected row(s) are missing from your result.",
        "ja": "期待される行のうち {count} 行があなたの結果にありません。",
    },
    "sql.grade.extra_rows": {
        "en": "Your result has {count} row(s) that should not be there.",
        "ja": "あなたの結果には、含まれるべきでない行が {count} 行あります。",
    },
    "sql.grade.value": {
        "en": "{count} row(s) have a wrong value in some column.",
        "ja": "{count} 行で、いずれかの列の値が違います。",
    },
    "sql.grade.duplicates": {
        "en": "The same rows appear, but not the same number of times: check duplicates (DISTINCT).",
        "ja": "同じ行が出ていますが、出てくる回数が違います。重複（DISTINCT）を確認してください。",
    },
    "sql.grade.null_handling": {
        "en": "The difference involves NULL values: check how your query treats NULL "
              "(IS NULL, COUNT(column) vs COUNT(*), NOT IN with NULL, outer joins).",
        "ja": "違いは NULL 値に関係しています。NULL の扱い（IS NULL、COUNT(列) と COUNT(*) の違い、"
              "NULL を含む NOT IN、外部結合）を確認してください。",
    },
    "sql.grade.ordering": {
        "en": "The rows are right but in the wrong order: check the ORDER BY the question asks for.",
        "ja": "行は合っていますが、並び順が違います。問題文が求める ORDER BY を確認してください。",
    },
    "sql.grade.table_changed": {
        "en": "After your statement, table “{table}” differs from the expected state: "
              "{missing} row(s) missing, {extra} row(s) that should not be there.",
        "ja": "あなたの文の実行後、テーブル「{table}」が期待される状態と違います"
              "（足りない行 {missing} 行、余分な行 {extra} 行）。",
    },
    "sql.grade.hidden": {
        "en": "Your query gives the right result on the visible data, but not on data with {kind}.",
        "ja": "見えているデータでは正しい結果になりますが、{kind}を含むデータでは正しくありません。",
    },
    "sql.grade.fails_on_variant": {
        "en": "Your statement runs on the visible data, but fails on data with {kind}:",
        "ja": "見えているデータでは実行できますが、{kind}を含むデータではエラーになります:",
    },
    "sql.grade.example_intro": {
        "en": "A small example where the results differ:",
        "ja": "結果が違う小さな例:",
    },
    "sql.grade.example_intro_error": {
        "en": "A small example where your statement fails:",
        "ja": "あなたの文がエラーになる小さな例:",
    },
    "sql.grade.example_database": {
        "en": "These are all the rows of that database (tables not shown are empty).",
        "ja": "そのデータベースの行はこれですべてです（表示していないテーブルは空です）。",
    },
    "sql.grade.example_incomplete": {
        "en": "Only part of that database fits here: {n} more row(s) are left out, so the rows shown "
              "alone may not give the difference.",
        "ja": "そのデータベースの一部だけを示しています。ほかに {n} 行あり、表示した行だけでは違いが"
              "出ないことがあります。",
    },
    "sql.grade.example_visible": {
        "en": "This difference shows on the lesson's own data: there is no separate small database to load.",
        "ja": "この違いはレッスンのデータそのもので起きています。読み込む別の小さなデータベースはありません。",
    },
    "sql.grade.example_target_used": {
        "en": "Cannot build the example database in {target}: it already has tables.",
        "ja": "{target} にはすでにテーブルがあるため、例のデータベースを作れません。",
    },
    "sql.grade.example_failed": {
        "en": "The example database could not be built: {reason}",
        "ja": "例のデータベースを作れませんでした: {reason}",
    },
    "sql.grade.example_input": {
        "en": "Rows of table {table}:",
        "ja": "テーブル {table} の行:",
    },
    "sql.grade.example_expected": {
        "en": "Expected (rows that differ):",
        "ja": "期待される結果（違いのある行）:",
    },
    "sql.grade.example_got": {
        "en": "Your query (rows that differ):",
        "ja": "あなたのクエリの結果（違いのある行）:",
    },
    "sql.grade.example_expected_first": {
        "en": "Expected (first rows):",
        "ja": "期待される結果（先頭の行）:",
    },
    "sql.grade.example_got_first": {
        "en": "Your query (first rows):",
        "ja": "あなたのクエリの結果（先頭の行）:",
    },
    "sql.grade.empty_table": {
        "en": "(no rows)",
        "ja": "（行なし）",
    },
    # variant kinds, used inside sql.grade.hidden
    "sql.variant.boundary": {
        "en": "values exactly on the boundary of a condition (or just next to it)",
        "ja": "条件の境界ちょうど（またはそのすぐ隣）の値",
    },
    "sql.variant.nulls": {
        "en": "NULL values",
        "ja": "NULL 値",
    },
    "sql.variant.duplicates": {
        "en": "duplicate rows",
        "ja": "重複した行",
    },
    "sql.variant.unmatched_fk": {
        "en": "rows that have no matching row in the related table",
        "ja": "関連するテーブルに対応する行がない行",
    },
    "sql.variant.ties": {
        "en": "ties (several rows sharing the same value)",
        "ja": "同じ値を持つ複数の行（同点）",
    },
    "sql.variant.case": {
        "en": "text in different upper/lower case",
        "ja": "大文字・小文字だけが違う文字列",
    },
    "sql.variant.renumbered_ids": {
        "en": "different id numbers (do not hard-code ids)",
        "ja": "別の ID 番号（ID を直接書かないでください）",
    },
    "sql.variant.group_sizes": {
        "en": "groups of exactly the size in a condition",
        "ja": "条件ちょうどの件数のグループ",
    },
    "sql.variant.near_text": {
        "en": "text next to a value in the question (other upper/lower case, one character more or less, "
              "spaces, neighbouring characters)",
        "ja": "問題文の値に近い文字列（大文字・小文字の違い、1 文字多い・少ない、空白、隣の文字）",
    },
    "sql.variant.date_boundaries": {
        "en": "dates and times on the edges of a year, month, day or hour, or far outside the range",
        "ja": "年・月・日・時の境目の日時、または範囲から大きく外れた日時",
    },
    "sql.variant.null_groups": {
        "en": "groups in which every value is NULL",
        "ja": "値がすべて NULL のグループ",
    },
    "sql.variant.duplicate_rows": {
        "en": "the same row twice (duplicate child rows)",
        "ja": "同じ内容の行が 2 回（子テーブルの重複行）",
    },
    "sql.variant.several_matches": {
        "en": "several rows matching where only one might be expected (for example namesakes)",
        "ja": "1 行だけだと思い込みやすい条件に合う複数の行（同姓同名など）",
    },
    "sql.variant.union_shared": {
        "en": "a value that both parts of a UNION/INTERSECT/EXCEPT produce",
        "ja": "UNION・INTERSECT・EXCEPT の両側から同じ値が出るデータ",
    },
    "sql.variant.equal_pairs": {
        "en": "rows in which two compared columns are equal",
        "ja": "比較している 2 つの列の値が等しい行",
    },
    "sql.variant.twins": {
        "en": "twin rows (every row twice, so values tie everywhere)",
        "ja": "双子の行（すべての行が 2 つずつあり、値が同点になる）",
    },
    "sql.variant.shuffled": {
        "en": "columns whose values are not related the way they happen to be in the visible data",
        "ja": "見えているデータでたまたま成り立つ列どうしの関係が崩れたデータ",
    },
    "sql.variant.independent_rows": {
        "en": "added rows whose columns take unrelated values",
        "ja": "列ごとに無関係な値を持つ行を追加したデータ",
    },
    "sql.variant.empty_tables": {
        "en": "empty tables (nothing to count or add up)",
        "ja": "空のテーブル（数える行・合計する行がない）",
    },
    "sql.variant.few_rows": {
        "en": "tables with a single row",
        "ja": "1 行だけのテーブル",
    },
    "sql.variant.search": {
        "en": "other small contents that the tables allow",
        "ja": "テーブルの制約が許す別の小さな内容",
    },
    "sql.variant.random": {
        "en": "other contents that the tables allow",
        "ja": "テーブルの制約が許す別の内容",
    },
    # kinds of the second pass: databases built from the answer and the solution together
    "sql.variant.answer_constants": {
        "en": "values exactly on or just next to a constant of your query (values the visible data does not have)",
        "ja": "あなたのクエリに書いた定数ちょうど、またはそのすぐ隣の値（見えているデータにはない値）",
    },
    "sql.variant.column_pairs": {
        "en": "rows in which two compared columns are equal or just apart, together with a NULL in another column",
        "ja": "比べている 2 つの列の値が等しいか少しだけ違い、別の列が NULL の行",
    },
    "sql.variant.like_patterns": {
        "en": "text that a LIKE pattern matches only because LIKE ignores upper/lower case or reads _ and % "
              "as wildcards",
        "ja": "LIKE が大文字と小文字を区別しないことや、_ と % をワイルドカードとして読むことで一致する文字列",
    },
    "sql.variant.calendar_edges": {
        "en": "leap days and month ends (February 28 and 29, the 30th and 31st)",
        "ja": "うるう年の 2 月 28 日・29 日や、30 日・31 日などの月末の日付",
    },
    "sql.variant.open_ranges": {
        "en": "values far above or below every visible value (where a range with an end and one without "
              "give different rows)",
        "ja": "見えているどの値よりもずっと大きい値や小さい値（端のある範囲と端のない範囲とで結果が分かれる値）",
    },
    "sql.variant.kana_voicing": {
        "en": "kana that differ only in voicing marks or size (か/が, は/ば/ぱ, つ/っ)",
        "ja": "濁点・半濁点や大きさだけが違うかな（か/が、は/ば/ぱ、つ/っ）",
    },
    "sql.variant.answer_columns": {
        "en": "unusual values (NULL, 0, negative numbers, empty text) in a column that only one of the "
              "queries needs",
        "ja": "一方のクエリだけが使う列の、NULL・0・負の数・空文字列といった端の値",
    },
    "sql.variant.answer_search": {
        "en": "other small contents that the tables allow, aimed at the conditions of your query",
        "ja": "あなたのクエリの条件をねらった、テーブルの制約が許す別の小さな内容",
    },
}
