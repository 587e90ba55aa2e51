"""Messages about the content files an instructor edits (``content.*``; ``sqllab/content/README.md``)."""

MESSAGES = {
    "content.invalid_file": {
        "en": "The content file {path} is not valid: {reason}",
        "ja": "コンテンツファイル {path} が正しくありません: {reason}",
    },
    # --- sqllab content check ----------------------------------------------------------
    "cli.content.help": {
        "en": "the exercise bank and the offline themes (built-in, and SQLLAB_CONTENT_DIR's)",
        "ja": "問題集とオフラインのテーマ（組み込みと SQLLAB_CONTENT_DIR のもの）",
    },
    "cli.content.check.help": {
        "en": "run every bank template on every theme's datasets (exit 0 all fine, 1 problems, 2 a malformed file)",
        "ja": "問題集のすべてのテンプレートを各テーマのデータセットで実行（問題なし 0、問題あり 1、不正なファイル 2）",
    },
    "cli.content.check.description": {
        "en": "Read the content files (a malformed one is reported with its name), make every theme's "
              "dataset of each difficulty in English and Japanese, and run every template's reference SQL "
              "on each; a query that fails, returns no rows or changes no rows is a problem.",
        "ja": "コンテンツファイルを読み込み（不正なファイルはその名前とともに報告します）、各テーマの各難易度の"
              "データセットを英語と日本語で作り、すべてのテンプレートの模範解答 SQL をそれぞれで実行します。"
              "失敗するクエリ、行を返さないクエリ、行を変更しないクエリを問題として表示します。",
    },
    "cli.content.check.theme": {"en": "check only this theme (repeatable)",
                                "ja": "このテーマだけを確認（複数指定可）"},
    "cli.content.check.template": {"en": "check only the template with this key (repeatable)",
                                   "ja": "このキーのテンプレートだけを確認（複数指定可）"},
    "cli.content.check.unknown_theme": {
        "en": "sqllab content check: unknown theme “{theme}”; the themes are: {themes}",
        "ja": "sqllab content check: テーマ「{theme}」はありません。テーマ: {themes}",
    },
    "cli.content.check.read": {
        "en": "content: the built-in files and SQLLAB_CONTENT_DIR = {folder}",
        "ja": "コンテンツ: 組み込みのファイルと SQLLAB_CONTENT_DIR = {folder}",
    },
    "cli.content.check.ok": {
        "en": "ok: {templates} template(s) on {datasets} dataset(s) of {themes} theme(s), {queries} queries",
        "ja": "問題なし: {themes} テーマの {datasets} データセットで {templates} テンプレート、{queries} クエリ",
    },
    "cli.content.check.failed": {
        "en": "{problems} problem(s) in {queries} queries ({templates} template(s) on {datasets} dataset(s))",
        "ja": "{queries} クエリ中 {problems} 件の問題（{datasets} データセットで {templates} テンプレート）",
    },
}
