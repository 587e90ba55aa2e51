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
    "feedback.cause.next.missing": {"en": "to look at next: which part of your query leaves out the missing rows",
                                    "ja": "次に見直す点: 足りない行を外しているのはクエリのどの部分か"},
    "feedback.cause.next.extra": {"en": "to look at next: which part of your query lets the extra rows through",
                                  "ja": "次に見直す点: 余分な行を通しているのはクエリのどの部分か"},
}
