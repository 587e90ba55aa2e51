"""The ``sqllab`` command: help texts, errors and exit statuses (``sqllab --help``)."""

MESSAGES = {
    "cli.description": {
        "en": "sqllab: a Jupyter course kit for learning SQL",
        "ja": "sqllab: SQL を学ぶための Jupyter 教材キット",
    },
    "cli.epilog": {
        "en": "exit status:\n  0  success\n  1  a failed check (a wrong answer, a failed notebook, an unhealthy LLM) "
              "or a runtime failure (network, LLM, disk)\n  2  a usage error (bad arguments, a missing file, "
              "a reference query that does not run)\n\nmessages in English or Japanese: --lang en|ja or SQLLAB_LANG",
        "ja": "終了ステータス:\n  0  成功\n  1  チェックの不合格（誤答、ノートブックの失敗、LLM の異常）"
              "または実行時の失敗（ネットワーク、LLM、ディスク）\n  2  使い方の誤り（引数の誤り、ファイルがない、"
              "実行できない模範解答）\n\nメッセージの言語: --lang en|ja または SQLLAB_LANG",
    },
    "cli.help.version": {"en": "print the version and exit", "ja": "バージョンを表示して終了"},
    "cli.help.lang": {"en": "language of messages (default: SQLLAB_LANG, else en)",
                      "ja": "メッセージの言語（既定: SQLLAB_LANG、なければ en）"},
    "cli.usage_error": {"en": "{prog}: usage error: {detail}", "ja": "{prog}: 使い方の誤り: {detail}"},
    "cli.failed": {"en": "sqllab: {message}", "ja": "sqllab: {message}"},
    "cli.os_error": {"en": "sqllab: {path}: {reason}", "ja": "sqllab: {path}: {reason}"},
    "cli.no_such_file": {"en": "sqllab: no such file: {path}", "ja": "sqllab: ファイルがありません: {path}"},
    "cli.interrupted": {"en": "sqllab: interrupted", "ja": "sqllab: 中断しました"},
    # --- check -------------------------------------------------------------------------
    "cli.check.help": {
        "en": "grade an answer against a reference query (exit 0 correct, 1 not, 2 usage error)",
        "ja": "模範解答のクエリに対して解答を採点（正解 0、不正解 1、使い方の誤り 2）",
    },
    "cli.check.description": {
        "en": "Run the reference and the answer on the database and on hidden variant databases; "
              "print the verdict. '-' reads the answer from standard input.",
        "ja": "模範解答と解答をデータベースと隠しバリエーションのデータベースで実行し、判定を表示します。"
              "'-' を指定すると解答を標準入力から読みます。",
    },
    "cli.check.db": {"en": "lesson SQLite file (never modified)", "ja": "レッスンの SQLite ファイル（変更しません）"},
    "cli.check.reference": {"en": "the reference SQL", "ja": "模範解答の SQL"},
    "cli.check.answer": {"en": "the answer SQL, or '-' for standard input", "ja": "解答の SQL（'-' で標準入力）"},
    "cli.check.json": {"en": "print the verdict as JSON", "ja": "判定を JSON で表示"},
    "cli.check.timeout": {"en": "seconds per query run (default 2)", "ja": "クエリ 1 回あたりの秒数（既定 2）"},
    "cli.check.no_db": {"en": "sqllab check: no such database file: {path}",
                        "ja": "sqllab check: データベースファイルがありません: {path}"},
    "cli.check.reference_failed": {"en": "sqllab check: {message}", "ja": "sqllab check: {message}"},
    # --- course ------------------------------------------------------------------------
    "cli.course.help": {"en": "instructor tools: build the course for a roster",
                        "ja": "教員用: 名簿の受講者ごとに教材を作成"},
    "cli.course.build.help": {"en": "run every lesson for every student (personal seed), report failures",
                              "ja": "受講者ごと（個人のシード）に全レッスンを実行し、失敗を報告"},
    "cli.course.roster": {"en": "CSV with a student_id column (optional name, lang)",
                          "ja": "student_id 列のある CSV（name、lang 列は任意）"},
    "cli.course.lessons": {"en": "a directory of lesson notebooks, or notebook files",
                           "ja": "レッスンのノートブックのディレクトリ、またはノートブックファイル"},
    "cli.course.out": {"en": "output directory: <out>/<student_id>/<lesson>.ipynb",
                       "ja": "出力先: <out>/<student_id>/<lesson>.ipynb"},
    "cli.course.jobs": {"en": "notebooks run at once (default 1)", "ja": "同時に実行するノートブック数（既定 1）"},
    "cli.course.llm": {"en": "override the notebooks' llm parameter", "ja": "ノートブックの llm パラメーターを上書き"},
    "cli.course.lang": {"en": "override the notebooks' lang parameter (a roster lang column wins); also the "
                              "language of messages",
                        "ja": "ノートブックの lang パラメーターを上書き（名簿の lang 列が優先）。メッセージの言語にもなります"},
    "cli.course.kernel": {"en": "Jupyter kernel name (default: the notebook's)",
                          "ja": "Jupyter カーネル名（既定: ノートブックのもの）"},
    "cli.course.timeout": {"en": "seconds per cell", "ja": "セル 1 つあたりの秒数"},
    "cli.course.no_expected": {"en": "exercises do not show their expected result (for a test)",
                               "ja": "問題に期待される結果を表示しない（テスト用）"},
    "cli.course.no_progress": {"en": "no progress bar", "ja": "進捗バーを表示しない"},
    # --- grades ------------------------------------------------------------------------
    "cli.grades.help": {"en": "students' attempts from the progress file", "ja": "進捗ファイルにある受講者の解答"},
    "cli.grades.export.help": {"en": "write every attempt (or one lesson's) as CSV",
                               "ja": "すべて（または 1 レッスン）の解答を CSV で書き出す"},
    "cli.grades.format": {"en": "output format", "ja": "出力形式"},
    "cli.grades.out": {"en": "file to write (default: stdout)", "ja": "書き出すファイル（既定: 標準出力）"},
    "cli.grades.lesson": {"en": "only this lesson, e.g. 01_select", "ja": "このレッスンだけ（例: 01_select）"},
    "cli.grades.student": {"en": "only this student", "ja": "この受講者だけ"},
    "cli.grades.db": {"en": "progress file (default: SQLLAB_PROGRESS_DB or <SQLLAB_CACHE_DIR>/progress.db)",
                      "ja": "進捗ファイル（既定: SQLLAB_PROGRESS_DB または <SQLLAB_CACHE_DIR>/progress.db）"},
}
