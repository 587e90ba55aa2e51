"""Labels and messages of the course: widgets, lessons, progress, instructor commands."""

MESSAGES = {
    # --- progress ----------------------------------------------------------------------
    "progress.write_failed": {
        "en": "Your progress could not be saved to {path} ({reason}). {n} attempt(s) are kept "
              "in memory and will be saved with your next attempt.",
        "ja": "進捗を {path} に保存できませんでした（{reason}）。{n} 件の解答はメモリに保持し、"
              "次の解答のときに保存し直します。",
    },
    "progress.read_failed": {
        "en": "The progress file {path} could not be read ({reason}).",
        "ja": "進捗ファイル {path} を読み込めませんでした（{reason}）。",
    },
    # --- LLM status badge ------------------------------------------------------------
    "ui.llm.healthy": {
        "en": "LLM ready: {model} ({ms} ms)",
        "ja": "LLM 利用可能: {model}（{ms} ms）",
    },
    "ui.llm.unhealthy": {
        "en": "LLM not reachable: {error}",
        "ja": "LLM に接続できません: {error}",
    },
    "ui.llm.how_to_start": {
        "en": "Lessons still work with the built-in exercise bank. To use the LLM, start the "
              "embedded server with <code>sqllab llm serve</code> (or <code>make lab</code>), or "
              "point <code>LLM_API_URL</code> at LocalAI (<code>docker compose up llm</code>), "
              "then run this cell again.",
        "ja": "LLM がなくても、組み込みの問題集で学習を続けられます。LLM を使うには、"
              "<code>sqllab llm serve</code>（または <code>make lab</code>）で組み込みサーバーを起動するか、"
              "<code>LLM_API_URL</code> に LocalAI（<code>docker compose up llm</code>）を設定し、"
              "このセルをもう一度実行してください。",
    },
    "ui.llm.offline": {
        "en": "Offline mode: the LLM is not used; datasets and exercises come from the built-in bank.",
        "ja": "オフラインモード: LLM は使いません。データセットと問題は組み込みの問題集から作ります。",
    },
    "ui.llm.pulling": {
        "en": "Downloading the AI model the first time ({pct}% of 1.1 GB); lessons use the built-in bank meanwhile.",
        "ja": "初回のため AI モデルをダウンロードしています（1.1 GB の {pct}%）。その間、レッスンは組み込みの問題集を使います。",
    },
    "ui.llm.loading": {
        "en": "Loading the AI model into memory…",
        "ja": "AI モデルをメモリに読み込んでいます…",
    },
    "ui.llm.checking": {
        "en": "Checking the LLM…",
        "ja": "LLM を確認しています…",
    },
    # --- dataset panel ---------------------------------------------------------------
    "ui.panel.title": {"en": "Practice dataset", "ja": "練習用データセット"},
    "ui.panel.theme": {"en": "Theme", "ja": "テーマ"},
    "ui.panel.difficulty": {"en": "Difficulty", "ja": "難易度"},
    "ui.panel.generate": {"en": "Generate", "ja": "生成"},
    "ui.panel.working": {"en": "Preparing the dataset and exercises…",
                         "ja": "データセットと問題を準備しています…"},
    "ui.panel.ready": {"en": "{tables} tables, {rows} rows, {n} exercises",
                       "ja": "{tables} テーブル、{rows} 行、{n} 問"},
    "ui.panel.written_ahead": {"en": "the AI wrote these exercises while you worked on an earlier lesson, "
                                     "and sqllab checked every one",
                               "ja": "前のレッスンに取り組んでいる間に AI が書き、sqllab がすべて確かめた問題です"},
    "ui.job.title": {"en": "AI content", "ja": "AI 教材"},
    "ui.job.status": {"en": "{stage} · {tokens} tokens · {seconds} s",
                      "ja": "{stage}・{tokens} トークン・{seconds} 秒"},
    "ui.job.stage.queued": {"en": "waiting", "ja": "待機中"},
    "ui.job.stage.server": {"en": "starting the AI", "ja": "AI を起動中"},
    "ui.job.stage.dataset": {"en": "writing the dataset", "ja": "データセットを作成中"},
    "ui.job.stage.exercises": {"en": "writing {steps} exercises", "ja": "問題を {steps} 問作成中"},
    "ui.job.stage.checking": {"en": "checking query {step} of {steps}",
                              "ja": "{steps} 個中 {step} 個目のクエリを検査中"},
    "ui.job.stage.questions": {"en": "writing question {step} of {steps}",
                               "ja": "{steps} 問中 {step} 問目の問題文を作成中"},
    "ui.job.stage.repair": {"en": "repairing (round {step})", "ja": "修正中（{step} 回目）"},
    "ui.job.stage.done": {"en": "done", "ja": "完了"},
    "ui.job.stage.cancelled": {"en": "cancelled", "ja": "中止しました"},
    "ui.job.stage.failed": {"en": "stopped", "ja": "停止しました"},
    "ui.job.working": {
        "en": "You can start with these exercises: the AI is writing new ones for your dataset.",
        "ja": "まずはこの問題から始められます。AI があなたのデータセット用の新しい問題を作っています。",
    },
    "ui.job.cancel": {"en": "Cancel", "ja": "中止"},
    "ui.job.cancelled": {"en": "AI generation was cancelled.", "ja": "AI による作成を中止しました。"},
    "ui.job.failed": {
        "en": "AI generation stopped because of an internal error ({kind}); it was logged.",
        "ja": "内部エラー（{kind}）のため AI による作成を中止しました。ログに記録しました。",
    },
    "ui.job.offer": {
        "en": "The AI's exercises ({n}) are ready and checked. Switch to them? Your attempts so far stay saved.",
        "ja": "AI が作った問題（{n} 問）の検査が終わりました。切り替えますか？これまでの解答は保存されたままです。",
    },
    "ui.job.accept": {"en": "Use the AI's exercises", "ja": "AI の問題を使う"},
    "ui.panel.tables": {"en": "Tables", "ja": "テーブル"},
    "ui.panel.er": {"en": "ER diagram", "ja": "ER 図"},
    "ui.panel.rows_of": {"en": "{table}: {shown} of {total} rows",
                         "ja": "{table}: {total} 行中 {shown} 行"},
    "ui.badge.llm": {"en": "LLM", "ja": "LLM"},
    "ui.badge.bank": {"en": "bank", "ja": "問題集"},
    "ui.badge.llm_title": {"en": "Generated by the LLM and verified by running it",
                           "ja": "LLM が生成し、実行して検証済み"},
    "ui.badge.bank_title": {"en": "From the built-in bank (no LLM)",
                            "ja": "組み込みの問題集から（LLM なし）"},
    "ui.badge.fallback": {
        "en": "The LLM could not be used ({reason}); content comes from the built-in bank.",
        "ja": "LLM を使えなかったため（{reason}）、組み込みの問題集を使っています。",
    },
    "ui.difficulty.easy": {"en": "easy", "ja": "やさしい"},
    "ui.difficulty.medium": {"en": "medium", "ja": "ふつう"},
    "ui.difficulty.hard": {"en": "hard", "ja": "むずかしい"},
    # --- exercise card ---------------------------------------------------------------
    "ui.card.title": {"en": "Exercise {n}", "ja": "問題 {n}"},
    "ui.card.placeholder": {"en": "Write your SQL here", "ja": "ここに SQL を書きます"},
    "ui.card.run": {"en": "Run", "ja": "実行"},
    "ui.card.check": {"en": "Check", "ja": "採点"},
    "ui.card.hint": {"en": "Hint", "ja": "ヒント"},
    "ui.card.hint_n": {"en": "Hint {level}/{total}: {text}", "ja": "ヒント {level}/{total}: {text}"},
    "ui.card.attempts": {"en": "Attempts: {n}", "ja": "解答回数: {n}"},
    "ui.card.solved": {"en": "solved", "ja": "正解済み"},
    "ui.card.correct": {"en": "Correct!", "ja": "正解です！"},
    "ui.card.not_correct": {"en": "Not yet.", "ja": "まだ正解ではありません。"},
    "ui.card.empty": {"en": "Write a query first.", "ja": "先に SQL を書いてください。"},
    "ui.card.rows": {"en": "{n} row(s)", "ja": "{n} 行"},
    "ui.card.truncated": {"en": "showing the first {n} rows", "ja": "先頭 {n} 行のみ表示"},
    "ui.card.no_rows": {"en": "The query returned no rows.", "ja": "結果は 0 行でした。"},
    "ui.card.feedback": {"en": "Feedback", "ja": "フィードバック"},
    "ui.card.feedback_failed": {
        "en": "Feedback is not available right now; the verdict above stands.",
        "ja": "いまはフィードバックを表示できません。上の判定は有効です。",
    },
    "ui.card.restored": {
        "en": "Restored from your last session ({n} attempt(s)).",
        "ja": "前回の続きです（解答 {n} 回）。",
    },
    "ui.card.source": {"en": "source: {source}", "ja": "出典: {source}"},
    # --- guided steps, quiz, mistakes (sqllab.notebook.practice) -------------------------
    "ui.step.title": {"en": "Try it · step {n}", "ja": "やってみよう · ステップ {n}"},
    "ui.step.kind.run": {"en": "Run this query, then press Check.", "ja": "このクエリを実行してから、採点を押しましょう。"},
    "ui.step.kind.change": {"en": "Change this query as the task says.", "ja": "指示どおりにクエリを書き換えましょう。"},
    "ui.step.kind.fix": {"en": "This query has an error: fix it.", "ja": "このクエリにはエラーがあります。直しましょう。"},
    "ui.quiz.title": {"en": "Quiz {n}", "ja": "クイズ {n}"},
    "ui.quiz.choose": {"en": "Choose one answer, then press Answer.", "ja": "答えを 1 つ選んで、回答を押してください。"},
    "ui.quiz.tick": {"en": "More than one answer is right: choose all of them, then press Answer.",
                     "ja": "正しい答えは複数あります。すべて選んでから、回答を押してください。"},
    "ui.quiz.answer": {"en": "Answer", "ja": "回答"},
    "ui.quiz.none": {"en": "Choose an answer first.", "ja": "先に答えを選んでください。"},
    "ui.quiz.correct": {"en": "Right! Read why below each option.", "ja": "正解です！各選択肢の下の説明も読んでみましょう。"},
    "ui.quiz.not_correct": {"en": "Not quite: read why below each option, then try again.",
                            "ja": "残念、ちがいます。各選択肢の下の説明を読んで、もう一度考えてみましょう。"},
    "ui.quiz.right_option": {"en": "right", "ja": "正しい"},
    "ui.quiz.wrong_option": {"en": "wrong", "ja": "誤り"},
    "ui.mistake.title": {"en": "Common mistake {n}", "ja": "よくある間違い {n}"},
    "ui.mistake.looks_right": {"en": "This query looks right, and it runs:", "ja": "このクエリは正しそうに見え、エラーも出ません:"},
    "ui.mistake.run": {"en": "Run it on your data", "ja": "あなたのデータで実行"},
    "ui.mistake.reveal": {"en": "Show where it goes wrong", "ja": "どこで間違うかを見る"},
    "ui.mistake.not_found": {"en": "On your data and on sqllab's hidden variants, this query and its fix agree.",
                             "ja": "あなたのデータでも sqllab の隠しデータでも、このクエリと修正版の結果は同じでした。"},
    "ui.mistake.fix_result": {"en": "With the fix", "ja": "修正版の結果"},
    "ui.mistake.query_result": {"en": "This query", "ja": "このクエリの結果"},
    "ui.mistake.why": {"en": "Why:", "ja": "理由:"},
    "ui.mistake.fix": {"en": "The fix:", "ja": "修正版:"},
    "ui.practice.missing": {"en": "Lesson {lesson} has no {kind} {n} in its text (rebuild the notebook).",
                            "ja": "レッスン {lesson} のテキストに {kind} {n} がありません（ノートブックを作り直してください）。"},
    "ui.card.expected": {"en": "Expected result (on your data)", "ja": "期待される結果（あなたのデータで）"},
    "ui.card.expected_first": {"en": "first {n} rows", "ja": "先頭 {n} 行"},
    "ui.card.ordered": {"en": "Row order matters.", "ja": "行の順序も採点対象です。"},
    "ui.card.modify_note": {
        "en": "This statement runs on a throwaway copy; the lesson database is not changed.",
        "ja": "この文は使い捨てのコピーで実行されます。レッスンのデータベースは変わりません。",
    },
    "ui.card.restored_notebook": {
        "en": "Restored from this notebook: your last checked answer ({verdict}).",
        "ja": "このノートブックから復元しました: 最後に採点した解答（{verdict}）",
    },
    "ui.answers.kept": {
        "en": "Your last checked answers ({n} exercise(s)) are kept in this notebook when you save it.",
        "ja": "最後に採点した解答（{n} 問分）は、ノートブックを保存するとノートブックの中に残ります。",
    },
    # --- side-by-side diff after Check ---------------------------------------------
    "ui.diff.expected": {"en": "Expected", "ja": "期待される結果"},
    "ui.diff.got": {"en": "Your result", "ja": "あなたの結果"},
    "ui.diff.differing": {"en": "rows that differ", "ja": "違いのある行"},
    "ui.diff.first": {"en": "first rows", "ja": "先頭の行"},
    "ui.diff.table": {"en": "table {table}", "ja": "テーブル {table}"},
    "ui.diff.status": {"en": "row", "ja": "行"},
    "ui.diff.missing": {"en": "missing", "ja": "不足"},
    "ui.diff.extra": {"en": "extra", "ja": "余分"},
    "ui.diff.changed": {"en": "changed", "ja": "違い"},
    "ui.diff.cell_changed": {"en": "this value differs", "ja": "この値が違います"},
    "ui.diff.no_rows": {"en": "(no rows)", "ja": "（行なし）"},
    "ui.diff.more": {"en": "… and {n} more row(s) that differ", "ja": "…ほかに違いのある行が {n} 行"},
    "ui.diff.visible": {"en": "Where it differs: the lesson's data.",
                        "ja": "違いが出るデータ: レッスンのデータ"},
    "ui.diff.hidden": {"en": "Where it differs: a hidden test database with {kind}.",
                       "ja": "違いが出るデータ: {kind}を含む隠しテスト用データベース"},
    "ui.diff.input": {"en": "Its rows in table {table}:", "ja": "そのデータのテーブル {table} の行:"},
    "ui.diff.database": {"en": "These are all of its rows (tables not shown here are empty):",
                         "ja": "そのデータの行はこれですべてです（ここにないテーブルは空です）:"},
    "ui.diff.database_part": {"en": "Some of its rows ({n} more do not fit here):",
                              "ja": "そのデータの行の一部です（ほかに {n} 行あり、ここには載せきれません）:"},
    "ui.diff.columns": {"en": "Expected {expected} column(s); your result has {got}.",
                        "ja": "期待される列数は {expected}、あなたの結果は {got} 列です。"},
    "ui.unexpected": {
        "en": "Something went wrong on our side ({kind}). Your work is not lost; try again.",
        "ja": "内部でエラーが起きました（{kind}）。入力は失われていません。もう一度お試しください。",
    },
    # --- lesson ----------------------------------------------------------------------
    "ui.progress.label": {"en": "{solved}/{total} solved", "ja": "{solved}/{total} 問正解"},
    "ui.progress.resume": {
        "en": "Welcome back, {student}: {solved} of {total} solved, {attempts} attempt(s) so far.",
        "ja": "{student} さん、おかえりなさい。{total} 問中 {solved} 問正解、これまでの解答 {attempts} 回。",
    },
    "ui.progress.new": {
        "en": "{student}: {total} exercises in this lesson.",
        "ja": "{student} さん: このレッスンの問題は {total} 問です。",
    },
    "ui.lesson.bound": {
        "en": "%sql is connected to the lesson database ({path}).",
        "ja": "%sql をレッスンのデータベース（{path}）に接続しました。",
    },
    "ui.sql.read_only": {
        "en": "The lesson database is read-only: it is the one your answers are graded on. To try "
              "INSERT, UPDATE, DELETE or CREATE, connect %sql to your practice copy with "
              "lesson.bind_sql(playground=True), and back with lesson.bind_sql().",
        "ja": "レッスンのデータベースは読み取り専用です（解答の採点に使われます）。INSERT・UPDATE・DELETE・"
              "CREATE を試すには、lesson.bind_sql(playground=True) で %sql を練習用コピーに接続してください"
              "（lesson.bind_sql() で元に戻ります）。",
    },
    "ui.lesson.playground_locked": {
        "en": "The practice copy {path} is locked by another connection ({reason}). Finish or roll back the "
              "transaction you started there, or restart the kernel, then reset again.",
        "ja": "練習用コピー {path} は別の接続にロックされています（{reason}）。そこで始めたトランザクションを終える"
              "（または ROLLBACK する）か、カーネルを再起動してから、もう一度リセットしてください。",
    },
    "ui.lesson.playground": {
        "en": "%sql is connected to a practice copy ({path}); change it freely, "
              "lesson.reset_playground() restores it.",
        "ja": "%sql を練習用コピー（{path}）に接続しました。自由に変更でき、"
              "lesson.reset_playground() で元に戻せます。",
    },
    # --- Try it: a counterexample's small database in the practice copy --------------
    "ui.try.button": {"en": "Try it", "ja": "この例で試す"},
    "ui.try.tooltip": {
        "en": "Load the small database where your answer differs into your practice copy",
        "ja": "あなたの解答で結果が違う小さなデータベースを、練習用コピーに読み込みます",
    },
    "ui.try.loaded": {
        "en": "Your practice copy ({path}) now holds this example's database: {tables}.",
        "ja": "練習用コピー（{path}）の中身を、この例のデータベースに置き換えました: {tables}。",
    },
    "ui.try.table": {"en": "{table} ({n} row(s))", "ja": "{table}（{n} 行）"},
    "ui.try.comma": {"en": ", ", "ja": "、"},
    "ui.try.emptied": {
        "en": "Its other tables are empty: {tables}.",
        "ja": "ほかのテーブル（{tables}）は空です。",
    },
    "ui.try.incomplete": {
        "en": "The example had {n} more row(s) than were shown, and they are not loaded: your query may "
              "give the expected result here.",
        "ja": "この例には表示しきれなかった行が {n} 行あり、それは読み込んでいません。"
              "そのため、ここではあなたのクエリも期待どおりの結果になるかもしれません。",
    },
    "ui.try.bound": {
        "en": "%sql and %%explain cells now run on it (lesson.bind_sql() connects them to the lesson "
              "database again).",
        "ja": "%sql と %%explain のセルは、このコピーで実行されます（lesson.bind_sql() でレッスンの"
              "データベースに戻せます）。",
    },
    "ui.try.not_bound": {
        "en": "Run your query on it with lesson.run(sql, playground=True).",
        "ja": "lesson.run(sql, playground=True) で、このコピー上でクエリを実行できます。",
    },
    "ui.try.reset": {
        "en": "lesson.reset_playground() puts the lesson's data back into the practice copy.",
        "ja": "lesson.reset_playground() を実行すると、練習用コピーはレッスンのデータに戻ります。",
    },
    "ui.try.your_result": {
        "en": "Your checked query on this database:",
        "ja": "このデータベースで、採点したクエリを実行した結果:",
    },
    "ui.try.no_verdict": {
        "en": "Check an answer to exercise {exercise} first: Try it loads the database where a wrong "
              "answer differs.",
        "ja": "先に問題 {exercise} の解答を採点してください。「この例で試す」は、間違った解答で結果が"
              "違うデータベースを読み込みます。",
    },
    "ui.try.correct": {
        "en": "This answer is correct: there is no database where it differs.",
        "ja": "この解答は正解なので、結果が違うデータベースはありません。",
    },
    "ui.try.nothing": {
        "en": "This verdict has no small database to load.",
        "ja": "この採点結果には、読み込める小さなデータベースがありません。",
    },
    "ui.lesson.bad_llm_mode": {
        "en": "llm must be one of auto, embedded, remote, offline (got {value!r})",
        "ja": "llm は auto, embedded, remote, offline のいずれかです（指定値: {value!r}）",
    },
    "ui.lesson.no_generation": {
        "en": "LLM generation is not available in this installation",
        "ja": "このインストールでは LLM による生成を利用できません",
    },
    "ui.overview.header": {
        "en": "| lesson | solved | attempts |",
        "ja": "| レッスン | 正解 | 解答回数 |",
    },
    "ui.lesson.no_remote": {
        "en": "llm='remote' needs LLM_API_URL (e.g. http://localhost:8080/v1 for LocalAI)",
        "ja": "llm='remote' には LLM_API_URL の設定が必要です（例: LocalAI なら http://localhost:8080/v1）",
    },
    # --- course build ----------------------------------------------------------------
    "course.roster.missing_column": {
        "en": "The roster {path} needs a 'student_id' column (found: {found}).",
        "ja": "名簿 {path} には 'student_id' 列が必要です（見つかった列: {found}）。",
    },
    "course.roster.empty": {
        "en": "The roster {path} lists no students.",
        "ja": "名簿 {path} に受講者がいません。",
    },
    "course.roster.duplicate": {
        "en": "The roster {path} lists student {student!r} twice.",
        "ja": "名簿 {path} に受講者 {student!r} が 2 回あります。",
    },
    "course.no_lessons": {
        "en": "No lesson notebooks (*.ipynb) in {path}.",
        "ja": "{path} にレッスンのノートブック（*.ipynb）がありません。",
    },
    "course.summary": {
        "en": "{ok} of {total} notebooks built in {seconds:.1f} s; {failed} failed.",
        "ja": "{total} 件中 {ok} 件のノートブックを {seconds:.1f} 秒で作成しました。失敗 {failed} 件。",
    },
    "course.failed_item": {
        "en": "FAILED {student} / {lesson}: {error}",
        "ja": "失敗 {student} / {lesson}: {error}",
    },
    "course.progress": {"en": "building", "ja": "作成中"},
    "grades.exported": {
        "en": "{n} attempt(s) written to {out}.",
        "ja": "{n} 件の解答を {out} に書き出しました。",
    },
}
