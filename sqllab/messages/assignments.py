"""Messages of content files, nbgrader assignments (``sqllab course nbgrader``) and graded notebooks."""

MESSAGES = {
    # --- content beside a notebook (sqllab.content.bundle) --------------------------------------------
    "bundle.unreadable": {
        "en": "The lesson content file {path} could not be read ({reason}).",
        "ja": "レッスンの内容ファイル {path} を読み込めませんでした（{reason}）。",
    },
    # --- building assignments ---------------------------------------------------------------
    "assignments.nbgrader_missing": {
        "en": "nbgrader is not installed. Install the class extra: pip install \"sqllab[class]\" "
              "(nbgrader=={version}), then run this command again.",
        "ja": "nbgrader がインストールされていません。クラス用の追加パッケージを入れてください: "
              "pip install \"sqllab[class]\"（nbgrader=={version}）。その後、もう一度このコマンドを実行してください。",
    },
    "assignments.no_exercises": {
        "en": "no exercises in this lesson",
        "ja": "このレッスンには問題がありません",
    },
    "assignments.reference_failed": {
        "en": "Lesson {lesson}, exercise {exercise}: the reference query does not grade as correct "
              "on its own data ({reason}). Build again with another seed or theme.",
        "ja": "レッスン {lesson} の問題 {exercise}: 参照解答が自分のデータで正解と判定されません（{reason}）。"
              "別の seed かテーマで作り直してください。",
    },
    "assignments.written": {
        "en": "{name}: {path} ({n} exercises, {points} points, exercises from the {source})",
        "ja": "{name}: {path}（問題 {n} 問、{points} 点、問題の出どころ: {source}）",
    },
    "assignments.skipped": {
        "en": "{lesson}: skipped ({reason})",
        "ja": "{lesson}: スキップしました（{reason}）",
    },
    "assignments.config": {
        "en": "nbgrader settings for sqllab: {path}",
        "ja": "sqllab 用の nbgrader 設定: {path}",
    },
    "assignments.next": {
        "en": "Next: cd {course_dir} && nbgrader generate_assignment {name}   (then release, collect, "
              "nbgrader autograde {name}, nbgrader export)",
        "ja": "次に: cd {course_dir} && nbgrader generate_assignment {name}（続いて配布・回収、"
              "nbgrader autograde {name}、nbgrader export）",
    },
    # --- the graded notebook (sqllab.course.graded) ----------------------------------------------------
    "graded.no_bundle": {
        "en": "The assignment's content file {path} is missing or does not match this notebook. Keep "
              "the notebook in the folder it came in, next to its .sqllab.json file.",
        "ja": "課題の内容ファイル {path} が見つからないか、このノートブックと一致しません。ノートブックは"
              "配布されたフォルダーの中で、.sqllab.json ファイルと同じ場所に置いてください。",
    },
    "graded.bad_number": {
        "en": "There is no exercise {n} (this assignment has {total}).",
        "ja": "問題 {n} はありません（この課題の問題は {total} 問です）。",
    },
    "graded.bad_magic": {
        "en": "Write the exercise number after %%answer, e.g. %%answer 1 (1 to {total}); got: {line!r}",
        "ja": "%%answer の後に問題番号を書いてください（例: %%answer 1、1〜{total}）。書かれていたもの: {line!r}",
    },
    "graded.unanswered": {
        "en": "Exercise {n}: no answer yet. Replace the lines under %%answer {n} with your SQL and run the cell.",
        "ja": "問題 {n}: まだ解答がありません。%%answer {n} の下の行を自分の SQL に置き換えて、セルを実行してください。",
    },
    "graded.no_answer": {
        "en": "No answer to exercise {n}: write your SQL in its answer cell under %%answer {n} and run "
              "that cell first.",
        "ja": "問題 {n} の解答がありません。解答セルの %%answer {n} の下に SQL を書き、先にそのセルを実行してください。",
    },
    "graded.failed_title": {
        "en": "Exercise {n} is not accepted:",
        "ja": "問題 {n} は正解になりませんでした:",
    },
    "graded.runs": {
        "en": "Exercise {n}: your query runs on your data. It is graded on hidden data as well when you submit.",
        "ja": "問題 {n}: クエリはあなたのデータで実行できました。提出後の採点では、隠しデータでも確認します。",
    },
    "graded.cannot_grade": {
        "en": "Exercise {n} could not be graded (a problem on the instructor's side). Please tell your instructor.",
        "ja": "問題 {n} を採点できませんでした（出題側の問題です）。担当の先生に知らせてください。",
    },
    "graded.md.intro": {
        "en": "**This lesson is an assignment.** Run the cells from the top. Each exercise has an answer "
              "cell: write your SQL under `%%answer N` (replace the two lines nbgrader put there) and run "
              "it to see its result. The cell after it checks that your query runs; when you submit, "
              "your answers are graded on your data *and* on hidden variations of it, and the feedback "
              "says what differed. Do not edit the locked cells.",
        "ja": "**このレッスンは課題です。** 上から順にセルを実行してください。各問題には解答セルがあります。"
              "`%%answer N` の下に SQL を書き（nbgrader が入れた 2 行を置き換えます）、実行すると結果が表示されます。"
              "その次のセルは、クエリが実行できるかを確認します。提出後は、あなたのデータとそれを変化させた隠しデータの"
              "両方で採点され、フィードバックで何が違ったかが分かります。ロックされたセルは編集しないでください。",
    },
    "graded.md.exercises": {
        "en": "## Exercises (graded)",
        "ja": "## 問題（採点対象）",
    },
    "graded.md.exercise": {
        "en": "Exercise {n} ({points} pt)",
        "ja": "問題 {n}（{points} 点）",
    },
    "graded.md.end": {
        "en": "## Done?\nSave the notebook (**File ▸ Save**) and submit it.",
        "ja": "## 終わったら\nノートブックを保存し（**File ▸ Save**）、提出してください。",
    },
    "graded.code.setup_comment": {
        "en": "dataset and exercises from {file}",
        "ja": "データセットと問題は {file} から読み込みます",
    },
    "graded.code.test_comment": {
        "en": "Exercise {n}: checked by sqllab (do not edit this cell)",
        "ja": "問題 {n}: sqllab が採点します（このセルは編集しないでください）",
    },
    # --- the command line ---------------------------------------------------------------------
    "cli.course.nbgrader.help": {
        "en": "write nbgrader source assignments from lesson notebooks (needs sqllab[class])",
        "ja": "レッスンのノートブックから nbgrader の課題（source）を作成（sqllab[class] が必要）",
    },
    "cli.course.course_dir": {
        "en": "the nbgrader course directory (source/<lesson>/ is written there)",
        "ja": "nbgrader のコースディレクトリ（その下に source/<レッスン>/ を作成）",
    },
    "cli.course.seed": {"en": "override the notebooks' seed parameter", "ja": "ノートブックの seed パラメーターを上書き"},
    "cli.course.theme": {"en": "override the notebooks' theme parameter", "ja": "ノートブックの theme パラメーターを上書き"},
    "cli.course.difficulty": {"en": "override the notebooks' difficulty parameter",
                              "ja": "ノートブックの difficulty パラメーターを上書き"},
    "cli.course.n_exercises": {"en": "override the notebooks' n_exercises parameter",
                               "ja": "ノートブックの n_exercises パラメーターを上書き"},
    "cli.course.points": {"en": "points per exercise (default 1)", "ja": "問題 1 問あたりの点数（既定 1）"},
}
