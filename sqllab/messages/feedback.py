"""Messages of LLM feedback (``sqllab.grading.feedback``): notices a student reads, the per-level
instructions and the labels of the grader's diff as the prompt shows them."""

MESSAGES = {
    # notices shown to the student instead of (or after) the AI's text
    "feedback.withheld": {
        "en": "The AI's hint was withheld because it gave the answer away. Here is a hint instead:",
        "ja": "AI のヒントは答えそのものを含んでいたため表示しません。代わりのヒントです:",
    },
    "feedback.unavailable": {
        "en": "AI feedback is unavailable right now; here is a hint:",
        "ja": "いまは AI のフィードバックを使えません。ヒントです:",
    },
    "feedback.unusable": {
        "en": "The AI's reply was not usable; here is a hint:",
        "ja": "AI の返答が使えるものではありませんでした。ヒントです:",
    },
    "feedback.not_capable": {
        "en": "The AI model does not write feedback in this language; here is a hint:",
        "ja": "この言語のフィードバックは AI モデルに任せていません。ヒントです:",
    },
    # what the model is asked to do at each hint level (the template's {level} variable)
    "feedback.level.0": {
        "en": "Hint level 1 of 3 (a nudge): point at the kind of data the query gets wrong and ask a "
              "question that makes the learner look there. Do not name the SQL feature to use.",
        "ja": "ヒントの段階 1/3（きっかけ）: クエリがどんなデータで間違えるかを示し、そこに目を向けさせる"
              "問いかけをしてください。使うべき SQL の機能名はまだ言わないでください。",
    },
    "feedback.level.1": {
        "en": "Hint level 2 of 3 (the concept): name the SQL idea or clause the learner should look at "
              "(for example a comparison operator, NULL handling, GROUP BY, a join type) and why it "
              "matters for this data.",
        "ja": "ヒントの段階 2/3（考え方）: 見直すべき SQL の考え方や句（比較演算子、NULL の扱い、"
              "GROUP BY、結合の種類など）を挙げ、このデータでなぜ大事なのかを説明してください。",
    },
    "feedback.level.2": {
        "en": "Hint level 3 of 3 (nearly there): describe in words which part of the learner's query to "
              "change and how, clause by clause, still without writing any SQL.",
        "ja": "ヒントの段階 3/3（もう少し）: クエリのどの部分をどう直せばよいかを句ごとに言葉で"
              "説明してください。SQL はやはり書かないでください。",
    },
    # the same, short (feedback v7's {step}): a long instruction gets echoed by a small model
    "feedback.step.0": {"en": "(Just a nudge: do not name the SQL feature to use.)",
                        "ja": "（きっかけだけ。使う SQL の機能名はまだ言わないで）"},
    "feedback.step.1": {"en": "(Name the SQL idea I should look at.)",
                        "ja": "（見直すべき SQL の考え方を教えて）"},
    "feedback.step.2": {"en": "(Tell me in words which part to change.)",
                        "ja": "（どの部分をどう直すか言葉で教えて）"},
    # the grader's diff as the prompt shows it
    "feedback.status.wrong_result": {
        "en": "wrong result (the query runs but returns different rows)",
        "ja": "結果が違う（クエリは動くが、返す行が違う）",
    },
    "feedback.status.error": {
        "en": "error (the query does not run)",
        "ja": "エラー（クエリが実行できない）",
    },
    "feedback.status.timeout": {
        "en": "timeout (the query runs too long)",
        "ja": "タイムアウト（クエリの実行に時間がかかりすぎる）",
    },
    "feedback.status.forbidden": {
        "en": "not allowed (the query does something the exercise does not permit)",
        "ja": "許可されていない（この問題で許されない操作をしている）",
    },
    "feedback.diff.kind": {
        "en": "Main difference: {kind} (all: {kinds})",
        "ja": "主な違い: {kind}（すべて: {kinds}）",
    },
    "feedback.diff.visible": {
        "en": "Found on: the database the student sees",
        "ja": "見つかった場所: 生徒が見ているデータベース",
    },
    "feedback.diff.hidden": {
        "en": "Found on: a hidden test database with {kind}",
        "ja": "見つかった場所: {kind}を含む隠しテスト用データベース",
    },
    "feedback.diff.rows": {
        "en": "Rows: expected {expected}, got {got} ({missing} missing, {extra} extra)",
        "ja": "行数: 期待 {expected}、実際 {got}（不足 {missing}、余分 {extra}）",
    },
    "feedback.diff.columns": {
        "en": "Columns: expected {expected}, got {got}",
        "ja": "列数: 期待 {expected}、実際 {got}",
    },
    "feedback.diff.table": {
        "en": "Table whose contents end up different: {table}",
        "ja": "内容が違ってしまうテーブル: {table}",
    },
    "feedback.diff.error": {
        "en": "Error: {error}",
        "ja": "エラー: {error}",
    },
    "feedback.diff.message": {
        "en": "What the student was told:",
        "ja": "生徒に表示された説明:",
    },
    "feedback.diff.input": {
        "en": "Rows of table {table} in that database:",
        "ja": "そのデータベースのテーブル {table} の行:",
    },
    "feedback.diff.expected": {
        "en": "Expected rows (that differ):",
        "ja": "期待される行（違いのある行）:",
    },
    "feedback.diff.got": {
        "en": "Student's rows (that differ):",
        "ja": "生徒のクエリの行（違いのある行）:",
    },
    # the grader's diff as short facts (feedback v3's {facts}): no tables and no ready-made
    # sentences for the model to copy
    "feedback.why.missing_rows": {"en": "missing rows", "ja": "足りない行"},
    "feedback.why.extra_rows": {"en": "extra rows", "ja": "余分な行"},
    "feedback.why.row_count": {"en": "a different number of rows", "ja": "行数の違い"},
    "feedback.why.duplicates": {"en": "duplicates (a row appears a different number of times)",
                                "ja": "重複（同じ行の出てくる回数が違う）"},
    "feedback.why.null_handling": {"en": "rows with NULL (no value recorded) are treated differently",
                                   "ja": "NULL（値が記録されていない）行の扱い"},
    "feedback.why.value": {"en": "different values in the rows", "ja": "行の中の値の違い"},
    "feedback.why.ordering": {"en": "the order of the rows", "ja": "行の順番"},
    "feedback.why.column_count": {"en": "the number of columns", "ja": "列の数"},
    "feedback.why.column_order": {"en": "the order of the columns", "ja": "列の順番"},
    "feedback.why.error": {"en": "the query fails on that data", "ja": "そのデータでクエリがエラーになる"},
    "feedback.facts.what": {"en": "What differs: {what}", "ja": "違い: {what}"},
    "feedback.facts.counts": {
        "en": "Rows: yours {got}, expected {expected} ({missing} missing, {extra} extra)",
        "ja": "行数: あなた {got}、期待 {expected}（不足 {missing}、余分 {extra}）",
    },
    "feedback.facts.visible": {"en": "Seen on: the data the learner sees", "ja": "見つかった場所: 学習者が見ているデータ"},
    "feedback.facts.hidden": {"en": "Seen on: a test database with {kind}",
                              "ja": "見つかった場所: {kind}を含むテスト用データベース"},
    "feedback.facts.missing": {"en": "Missing rows (expected, not in yours): {rows}",
                               "ja": "足りない行（期待される結果にだけある）: {rows}"},
    "feedback.facts.extra": {"en": "Extra rows (in yours, not expected): {rows}",
                             "ja": "余分な行（あなたの結果にだけある）: {rows}"},
    "feedback.facts.input": {"en": "Rows of {table} in that test database: {rows}",
                             "ja": "そのテスト用データベースの {table} の行: {rows}"},
    "feedback.facts.boundary": {"en": "The value {value} in the learner's condition equals a value in these rows",
                                "ja": "学習者の条件の値 {value} が、これらの行の値と同じ"},
    "feedback.facts.nulls": {"en": "NULL in these rows: {columns}", "ja": "これらの行で NULL の列: {columns}"},
    # sqllab's own diagnosis of a wrong answer (sqllab.grading.diagnosis, feedback v7's {notes}): short
    # notes from the student's SQL and the differing rows, never from the reference
    "feedback.cause.boundary_out": {
        "en": "your condition {condition} leaves out the rows where {column} is exactly {value}",
        "ja": "原因: 条件 {condition} → {column} ＝ {value} の行が除外"},
    "feedback.cause.boundary_in": {
        "en": "your condition {condition} also keeps the rows where {column} is exactly {value}",
        "ja": "原因: 条件 {condition} → {column} ＝ {value} の行も対象"},
    "feedback.cause.null_equals": {
        "en": "{condition} is never true: NULL (no value) equals nothing, not even NULL",
        "ja": "原因: {condition} → 常に偽（NULL は何とも等しくない、NULL 同士でも）"},
    "feedback.cause.null_missing": {
        "en": "the missing rows have no value (NULL) in {columns}",
        "ja": "足りない行: {columns} が NULL（値なし）"},
    "feedback.cause.null_missing_compared": {
        "en": "the missing rows have NULL (no value) in {columns}, and a comparison with NULL is neither true nor false, so your condition on {columns} drops them",
        "ja": "原因: 足りない行は {columns} が NULL → NULL との比較は真にならず、{columns} の条件で除外"},
    "feedback.cause.null_extra": {
        "en": "the extra rows have no value (NULL) in {columns}",
        "ja": "余分な行: {columns} が NULL（値なし）"},
    "feedback.cause.null_extra_compared": {
        "en": "the extra rows have NULL (no value) in {columns}, which your condition on {columns} lets through",
        "ja": "原因: 余分な行は {columns} が NULL → {columns} の条件を通過"},
    "feedback.cause.distinct_merges": {
        "en": "your DISTINCT merges rows that are expected to appear more than once",
        "ja": "原因: DISTINCT → 複数回出るはずの行が 1 行に"},
    "feedback.cause.repeats": {
        "en": "a row such as {row} appears more times in yours than expected",
        "ja": "重複: {row} などの行が期待より多く出現"},
    "feedback.cause.repeats_some": {
        "en": "some rows appear more times in yours than expected",
        "ja": "重複: いくつかの行が期待より多く出現"},
    "feedback.cause.fewer_copies": {
        "en": "some rows appear fewer times in yours than expected",
        "ja": "重複: いくつかの行の出現回数が期待より少ない"},
    "feedback.cause.no_order_by": {
        "en": "your rows are the expected ones, but your query has no ORDER BY, so their order is not the one asked for",
        "ja": "行は正しい、順番が違う → ORDER BY なし"},
    "feedback.cause.order_by": {
        "en": "your rows are the expected ones, in another order: you sort by {order}; compare the column and the direction with the exercise",
        "ja": "行は正しい、順番が違う → 並べ替え {order}（問題文の列・昇順/降順と比較）"},
    "feedback.cause.limit": {
        "en": "your LIMIT {n} keeps only {n} of the {expected} expected rows",
        "ja": "原因: LIMIT {n} → 期待 {expected} 行のうち {n} 行だけ"},
    "feedback.cause.columns": {
        "en": "expected columns: {expected}; your columns: {got}",
        "ja": "列: 期待 {expected}／あなた {got}"},
    "feedback.cause.column_count": {
        "en": "expected {expected} columns, yours has {got}",
        "ja": "列の数: 期待 {expected}／あなた {got}"},
    "feedback.cause.value": {
        "en": "in the row {row}, {column} is {got} in yours but {expected} is expected",
        "ja": "値の違い: {row} の {column} → あなた {got}／期待 {expected}"},
    "feedback.cause.boundary_out2": {
        "en": "your conditions {condition} and {condition2} leave out the rows where {column} is exactly {value} or {value2}",
        "ja": "原因: 条件 {condition} と {condition2} → {column} ＝ {value}、{value2} の行が除外"},
    "feedback.cause.distinct_missing": {
        "en": "your query keeps repeated rows: a row such as {row} comes out more than once, the expected result has each row once",
        "ja": "原因: 重複した行がそのまま → {row} などが何度も出現（期待では各行 1 回）"},
    "feedback.cause.agg_distinct": {
        "en": "the DISTINCT in your {call} takes each value only once, values that occur several times too",
        "ja": "原因: {call} の DISTINCT → 同じ値を 1 回だけ計算"},
    "feedback.cause.agg_repeats": {
        "en": "your {call} takes a value every time it occurs, so repeated values count several times",
        "ja": "原因: {call} → 同じ値を出てくるたびに計算"},
    "feedback.cause.agg_function": {
        "en": "your {call} gives {what} {column}: {got} where {expected} is expected",
        "ja": "原因: {call} → {column} の{what}（あなた {got}／期待 {expected}）"},
    # what an aggregate gives, in sqllab's sentences ({what})
    "feedback.function.count": {"en": "the number of values of", "ja": "個数"},
    "feedback.function.sum": {"en": "the sum of", "ja": "合計"},
    "feedback.function.avg": {"en": "the average of", "ja": "平均"},
    "feedback.function.min": {"en": "the smallest", "ja": "最小値"},
    "feedback.function.max": {"en": "the largest", "ja": "最大値"},
    "feedback.cause.count_column": {
        "en": "your {call} skips the rows where {column} is NULL (no value)",
        "ja": "原因: {call} → {column} が NULL の行を数えない"},
    "feedback.cause.count_star": {
        "en": "your {call} counts every row, also the rows with NULL (no value) in the column to count",
        "ja": "原因: {call} → 数える列が NULL の行も含めて全行を数える"},
    "feedback.cause.count_star_join": {
        "en": "your {call} counts a {left} row without any matching {right} row as 1 (LEFT JOIN keeps it, with NULLs)",
        "ja": "原因: {call} → {right} に対応のない {left} の行も 1 と数える（LEFT JOIN が NULL の行として残す）"},
    "feedback.cause.join_inner": {
        "en": "your JOIN keeps only the {left} rows that have a matching {right} row; rows without one, such as {row}, drop out",
        "ja": "原因: JOIN（内部結合）→ {right} に対応のない {left} の行（{row} など）が除外"},
    "feedback.cause.join_left": {
        "en": "your LEFT JOIN also keeps the {left} rows without a matching {right} row, such as {row}",
        "ja": "原因: LEFT JOIN → {right} に対応のない {left} の行（{row} など）も残る"},
    "feedback.cause.sort_direction": {
        "en": "your ORDER BY {order} sorts by {column} {yours}; the expected rows are {expected}",
        "ja": "原因: ORDER BY {order} → {column} を{yours}、期待は{expected}"},
    "feedback.cause.sort_direction_tie": {
        "en": "your ORDER BY {order} sorts rows with the same {tied} by {column} {yours}; the expected result has them {expected}",
        "ja": "原因: ORDER BY {order} → {tied} が同じ行を {column} の{yours}、期待は{expected}"},
    "feedback.cause.sort_direction_limit": {
        "en": "your ORDER BY {order} sorts by {column} {yours}, so LIMIT {n} keeps rows from the other end; the expected rows are taken {expected}",
        "ja": "原因: ORDER BY {order} → {column} を{yours}、LIMIT {n} が反対の端の行を残す（期待は{expected}）"},
    "feedback.cause.order_tie": {
        "en": "your ORDER BY {order} leaves rows with the same {columns} in no fixed order",
        "ja": "原因: ORDER BY {order} → {columns} が同じ行どうしの順番が決まらない"},
    "feedback.cause.sort_tiebreak": {
        "en": "your ORDER BY {order} orders the rows with the same {tied} by {column}, not as the expected result does",
        "ja": "原因: ORDER BY {order} → {tied} が同じ行を {column} で並べる（期待と違う）"},
    "feedback.cause.sort_column": {
        "en": "your ORDER BY {order} sorts by {column}; the expected rows are not in {column} order",
        "ja": "原因: ORDER BY {order} → 期待される結果は {column} の順ではない"},
    "feedback.cause.limit_tie": {
        "en": "your ORDER BY {order} leaves rows with the same {column} ({value}) in no fixed order, so LIMIT {n} keeps {extra} instead of {missing}",
        "ja": "原因: ORDER BY {order} → {column} が同じ（{value}）行の順番が決まらず、LIMIT {n} が {missing} でなく {extra} を残す"},
    "feedback.cause.limit_tie_cut": {
        "en": "your LIMIT {n} keeps only {rows} and leaves out rows such as {row} with the same {column} ({value})",
        "ja": "原因: LIMIT {n} → {column} が同じ（{value}）の {row} などの行が切られる"},
    "feedback.cause.column_order": {
        "en": "expected columns: {expected}; your columns: {got}",
        "ja": "列の順番: 期待 {expected}／あなた {got}"},
    "feedback.cause.columns_fewer": {
        "en": "your columns: {got}; the exercise asks for {expected_n} columns",
        "ja": "列の数: あなた {got_n} 列（{got}）／期待 {expected_n} 列"},
    "feedback.cause.columns_more": {
        "en": "your columns: {got}; the exercise asks for {expected_n} columns",
        "ja": "列の数: あなた {got_n} 列（{got}）／期待 {expected_n} 列"},
    # a sort direction in sqllab's sentences (sqllab.grading.diagnosis: {yours} and {expected})
    "feedback.direction.asc": {"en": "in ascending order (smallest first)", "ja": "昇順（小さい順）"},
    "feedback.direction.desc": {"en": "in descending order (largest first)", "ja": "降順（大きい順）"},
    # sqllab's own sentence on why an answer is wrong, when its diagnosis names the cause (feedback
    # v12: shown as it is; the model may only add to it). From the learner's SQL and the differing rows.
    "feedback.because.boundary_out": {
        "en": "This is because your condition `{condition}` leaves out the rows where {column} is exactly {value}.",
        "ja": "条件「{condition}」は {value} ちょうどを含まないため、{column} が {value} の行が結果に入りません。"},
    "feedback.because.boundary_out2": {
        "en": "This is because your conditions `{condition}` and `{condition2}` leave out the rows where {column} is exactly {value} or {value2}.",
        "ja": "条件「{condition}」と「{condition2}」は {value} ちょうどと {value2} ちょうどを含まないため、{column} が {value} や {value2} の行が結果に入りません。"},
    "feedback.because.boundary_in": {
        "en": "This is because your condition `{condition}` also keeps the rows where {column} is exactly {value}.",
        "ja": "条件「{condition}」は {value} ちょうども含むため、{column} が {value} の行まで結果に入ります。"},
    "feedback.because.null_equals": {
        "en": "This is because `{condition}` is true for no row: NULL means no value, and nothing equals it, not even NULL.",
        "ja": "NULL は「値がない」ことを表し、どの値とも（NULL 同士でも）等しくならないため、条件「{condition}」はどの行でも真になりません。"},
    "feedback.because.null_missing_compared": {
        "en": "This is because the missing rows have no value (NULL) in {columns}, and a comparison with NULL is never true, so your condition on {columns} leaves them out.",
        "ja": "足りない行は {columns} が NULL（値がない）で、NULL との比較は真にならないため、{columns} の条件でその行が結果に入りません。"},
    "feedback.because.null_extra_compared": {
        "en": "This is because the extra rows have no value (NULL) in {columns}, and your condition on {columns} lets them through.",
        "ja": "余分な行は {columns} が NULL（値がない）ですが、{columns} の条件がその行を通すため、結果に入ってしまいます。"},
    "feedback.because.distinct_merges": {
        "en": "This is because your DISTINCT merges rows that should appear more than once into one.",
        "ja": "DISTINCT が同じ内容の行を 1 行にまとめるため、複数回出るはずの行が 1 回しか結果に入りません。"},
    "feedback.because.distinct_missing": {
        "en": "This is because your query keeps repeated rows: a row such as {row} comes out more than once, while the expected result has each row only once.",
        "ja": "あなたのクエリは同じ内容の行を重複したまま返すため、{row}などの行が何度も結果に入ります（期待される結果では各行が 1 回だけです）。"},
    "feedback.because.agg_distinct": {
        "en": "This is because the DISTINCT in your {call} takes each different value only once, so values that occur several times count only once.",
        "ja": "{call} の DISTINCT が同じ値を 1 回だけ使うため、何度も出てくる値が 1 回分しか計算に入りません。"},
    "feedback.because.agg_repeats": {
        "en": "This is because your {call} counts a value again every time it occurs, so a value that occurs several times is counted several times.",
        "ja": "{call} は同じ値が出てくるたびに計算に入れるため、何度も出てくる値が重複して計算に入ります。"},
    "feedback.because.agg_function": {
        "en": "This is because your {call} gives {what} {column}, which is not the value the exercise asks for ({expected} is expected where yours has {got}).",
        "ja": "{call} は {column} の{what}を求めるため、問題文が求める値になりません（期待 {expected}、あなた {got}）。"},
    "feedback.because.count_column": {
        "en": "This is because your {call} does not count the rows where {column} is NULL (no value).",
        "ja": "{call} は {column} が NULL（値がない）の行を数えないため、その行の分だけ数が少なくなります。"},
    "feedback.because.count_star": {
        "en": "This is because your {call} counts every row, also the rows that have NULL (no value) in the column to be counted.",
        "ja": "{call} は、数える列が NULL（値がない）の行も含めてすべての行を数えるため、その分だけ数が多くなります。"},
    "feedback.because.count_star_join": {
        "en": "This is because your LEFT JOIN keeps a {left} row without any matching {right} row as one row with NULLs, and your {call} counts that row, so it gives 1 instead of 0.",
        "ja": "LEFT JOIN は {right} に対応する行がない {left} の行も NULL を入れた 1 行として残し、{call} はその行も数えるため、0 になるはずの数が 1 になります。"},
    "feedback.because.join_inner": {
        "en": "This is because your JOIN keeps only the {left} rows that have a matching {right} row, so rows without one, such as {row}, are left out.",
        "ja": "JOIN（内部結合）は {right} に対応する行がある {left} の行だけを残すため、{row}のような対応する行のない行が結果に入りません。"},
    "feedback.because.join_left": {
        "en": "This is because your LEFT JOIN also keeps the {left} rows that have no matching {right} row (with NULL in its columns), such as {row}.",
        "ja": "LEFT JOIN は {right} に対応する行がない {left} の行も（{right} の列を NULL にして）残すため、{row}のような行まで結果に入ります。"},
    "feedback.because.sort_direction": {
        "en": "This is because your ORDER BY {order} sorts by {column} {yours}, while the expected rows are {expected}.",
        "ja": "ORDER BY {order} は {column} を{yours}に並べるため、{expected}に並んだ期待される結果と順番が合いません。"},
    "feedback.because.sort_direction_tie": {
        "en": "This is because your ORDER BY {order} puts the rows with the same {tied} {yours} by {column}, while the expected result has them {expected}.",
        "ja": "ORDER BY {order} は {tied} が同じ行を {column} の{yours}に並べるため、{column} の{expected}に並んだ期待される結果と順番が合いません。"},
    "feedback.because.sort_direction_limit": {
        "en": "This is because your ORDER BY {order} sorts by {column} {yours}, so your LIMIT {n} keeps rows from the opposite end of the order: the expected rows are taken {expected}.",
        "ja": "ORDER BY {order} は {column} を{yours}に並べるため、LIMIT {n} が、{expected}で取り出す期待される結果とは反対の端から行を取り出します。"},
    "feedback.because.order_tie": {
        "en": "This is because your ORDER BY {order} leaves the rows with the same {columns} in no fixed order, while the expected result puts them in a fixed order.",
        "ja": "ORDER BY {order} だけでは {columns} が同じ行どうしの順番が決まらないため、その行の並びが期待される結果と合いません。"},
    "feedback.because.sort_tiebreak": {
        "en": "This is because your ORDER BY {order} orders the rows with the same {tied} by {column}, which is not how the expected result orders them.",
        "ja": "ORDER BY {order} は {tied} が同じ行を {column} で並べるため、その行どうしの順番が期待される結果と合いません。"},
    "feedback.because.sort_column": {
        "en": "This is because your ORDER BY {order} sorts by {column}, but the expected rows are not in {column} order.",
        "ja": "ORDER BY {order} は {column} で並べますが、期待される結果は {column} の順ではないため、並び順が合いません。"},
    "feedback.because.no_order_by": {
        "en": "This is because your query has no ORDER BY, so its rows come in no fixed order, not in the order the exercise asks for.",
        "ja": "クエリに ORDER BY がないため、行の順番が決まらず、問題文が求める並び順になりません。"},
    "feedback.because.limit": {
        "en": "This is because your LIMIT {n} keeps only {n} of the {expected} expected rows.",
        "ja": "LIMIT {n} が結果を {n} 行に絞るため、期待される {expected} 行のうち残りの行が結果に入りません。"},
    "feedback.because.limit_tie": {
        "en": "This is because your ORDER BY {order} leaves the rows with the same {column} ({value}) in no fixed order, so your LIMIT {n} keeps {extra} where the expected result keeps {missing}.",
        "ja": "ORDER BY {order} では {column} が同じ（{value}）行どうしの順番が決まらないため、LIMIT {n} が{missing}ではなく{extra}を残します。"},
    "feedback.because.limit_tie_cut": {
        "en": "This is because your LIMIT {n} keeps only {rows} and leaves out rows such as {row} that have the same {column} ({value}); the expected result keeps these tied rows too.",
        "ja": "LIMIT {n} が結果を {n} 行で切るため、{column} が同じ値（{value}）の{row}などの行が結果に入りません。"},
    "feedback.because.column_order": {
        "en": "This is because your SELECT lists the columns as {got}, while the expected result has them as {expected}.",
        "ja": "SELECT の列を {got} の順に書いたため、期待される順番（{expected}）と列が入れ替わっています。"},
    "feedback.because.columns_fewer": {
        "en": "This is because your SELECT returns fewer columns ({got}) than the {expected_n} the exercise asks for.",
        "ja": "SELECT の列が {got_n} 列（{got}）しかないため、問題文が求める {expected_n} 列に足りません。"},
    "feedback.because.columns_more": {
        "en": "This is because your SELECT returns more columns ({got}) than the {expected_n} the exercise asks for.",
        "ja": "SELECT の列が {got_n} 列（{got}）あるため、問題文が求める {expected_n} 列より多くなっています。"},
    # feedback v8's opening: sqllab's own first sentence on what differs, from the grader's rows,
    # sent as the start of the model's answer (llama.cpp prefill) and shown at once
    "feedback.open.hidden": {"en": "Your query was also run on a test database with {kind}.",
                             "ja": "あなたのクエリを、{kind}を含むテスト用データベースでも実行しました。"},
    "feedback.open.missing": {
        "en": "Your result has {got} where {expected} {verb} expected: rows such as {row} are missing.",
        "ja": "あなたの結果は {got} 行で、期待される {expected} 行のうち {row} などの行が足りません。"},
    "feedback.open.extra": {
        "en": "Your result has {got} where {expected} {verb} expected: it also has rows such as {row}, which should not be there.",
        "ja": "あなたの結果は {got} 行で、期待される {expected} 行にはない {row} などの行が入っています。"},
    "feedback.open.both": {
        "en": "Your result lacks rows such as {missing} and has rows such as {extra} that are not expected.",
        "ja": "あなたの結果には {missing} などの行が足りず、期待されない {extra} などの行が入っています。"},
    "feedback.open.ordering": {"en": "Your result has the expected rows, but in another order.",
                               "ja": "あなたの結果の行は正しいのですが、並び順が違います。"},
    "feedback.open.columns": {"en": "Your result's columns are not the ones the exercise asks for.",
                              "ja": "あなたの結果の列が、問題文の求める列と違います。"},
    # the part of the learner's query a cause lies in (sqllab.grading.diagnosis.culprit, feedback v10)
    "feedback.part.condition": {"en": "condition `{sql}`", "ja": "条件「{sql}」"},
    "feedback.part.clause": {"en": "`{sql}`", "ja": "「{sql}」"},
    # what to look at next (sqllab.grading.diagnosis.next_step): a question for the learner, never the fix
    "feedback.cause.next.boundary": {"en": "to look at next: should a row whose {column} is exactly {value} be in the result, and does your comparison keep it?",
                                     "ja": "次に見直す点: {column} がちょうど {value} の行は、その比較で入るか外れるか"},
    "feedback.cause.next.null": {"en": "to look at next: how SQL tests for a missing value (NULL)",
                                 "ja": "次に見直す点: 値がない（NULL）ことを SQL でどう確かめるか"},
    "feedback.cause.next.duplicates": {"en": "to look at next: how many times each row should come out",
                                       "ja": "次に見直す点: 同じ行は何回出てくるべきか"},
    "feedback.cause.next.order": {"en": "to look at next: the order the exercise asks for (which column, which direction)",
                                  "ja": "次に見直す点: 問題文が求める並び順（列と向き）"},
    "feedback.cause.next.limit": {"en": "to look at next: does the exercise ask to cut the rows at all?",
                                  "ja": "次に見直す点: 問題文は行数を絞るよう求めているか"},
    "feedback.cause.next.columns": {"en": "to look at next: the columns the exercise asks for, in its order",
                                    "ja": "次に見直す点: 問題文が求める列とその順番"},
    "feedback.cause.next.value": {"en": "to look at next: how the value of {column} is computed",
                                  "ja": "次に見直す点: {column} の値の求め方"},
    "feedback.cause.next.count": {"en": "to look at next: which rows your COUNT should count, and which not",
                                  "ja": "次に見直す点: COUNT が数えるべき行はどれか"},
    "feedback.cause.next.join": {"en": "to look at next: should the rows without a matching row be in the result?",
                                 "ja": "次に見直す点: 対応する行のない行も結果に入れるべきか"},
    "feedback.cause.next.tie": {"en": "to look at next: the rows with the same value in the sort column: which of them does the exercise want, in which order?",
                                "ja": "次に見直す点: 並べ替えの列が同じ値の行を、問題文はどう扱うよう求めているか"},
    "feedback.cause.next.missing": {"en": "to look at next: which part of your query leaves out the missing rows",
                                    "ja": "次に見直す点: 足りない行を外しているのはクエリのどの部分か"},
    "feedback.cause.next.extra": {"en": "to look at next: which part of your query lets the extra rows through",
                                  "ja": "次に見直す点: 余分な行を通しているのはクエリのどの部分か"},
}
