"""Messages of LLM feedback (``sqllab.feedback``): notices a student reads, the per-level
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
              "question that makes the student look there. Do not name the SQL feature to use.",
        "ja": "ヒントの段階 1/3（きっかけ）: クエリがどんなデータで間違えるかを示し、そこに目を向けさせる"
              "問いかけをしてください。使うべき SQL の機能名はまだ言わないでください。",
    },
    "feedback.level.1": {
        "en": "Hint level 2 of 3 (the concept): name the SQL idea or clause the student should look at "
              "(for example a comparison operator, NULL handling, GROUP BY, a join type) and why it "
              "matters for this data.",
        "ja": "ヒントの段階 2/3（考え方）: 見直すべき SQL の考え方や句（比較演算子、NULL の扱い、"
              "GROUP BY、結合の種類など）を挙げ、このデータでなぜ大事なのかを説明してください。",
    },
    "feedback.level.2": {
        "en": "Hint level 3 of 3 (nearly there): describe in words which part of the student's query to "
              "change and how, clause by clause, still without writing any SQL.",
        "ja": "ヒントの段階 3/3（もう少し）: 生徒のクエリのどの部分をどう直せばよいかを句ごとに言葉で"
              "説明してください。SQL はやはり書かないでください。",
    },
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
}
