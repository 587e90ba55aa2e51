"""Messages of dataset validation and loading (``dataset.*``)."""

MESSAGES = {
    # --- the error as a whole ----------------------------------------------------------
    "dataset.invalid": {
        "en": "The dataset is not valid ({count} problem(s)):\n{problems}",
        "ja": "データセットが正しくありません（問題 {count} 件）:\n{problems}",
    },
    "dataset.more": {
        "en": "... and {n} more problem(s)",
        "ja": "…ほか {n} 件の問題",
    },
    "dataset.json": {
        "en": "The answer is not valid JSON (line {line}, column {col}): {reason}",
        "ja": "回答が正しい JSON ではありません（{line} 行 {col} 列目）: {reason}",
    },
    "dataset.not_object": {
        "en": "The answer must be one JSON object with \"tables\", not {kind}.",
        "ja": "回答は \"tables\" を持つ JSON オブジェクト 1 つにしてください（{kind} ではなく）。",
    },
    "dataset.shape": {
        "en": "{where}: {reason}",
        "ja": "{where}: {reason}",
    },
    "dataset.unknown_theme": {
        "en": "Unknown theme “{theme}”; choose one of: {themes}.",
        "ja": "テーマ「{theme}」はありません。次から選んでください: {themes}。",
    },
    "dataset.unknown_difficulty": {
        "en": "Unknown difficulty “{difficulty}”; choose one of: easy, medium, hard.",
        "ja": "難易度「{difficulty}」はありません。easy・medium・hard から選んでください。",
    },
    "dataset.unknown_topic": {
        "en": "Unknown topic “{topic}”; choose one of: {topics}.",
        "ja": "トピック「{topic}」はありません。次から選んでください: {topics}。",
    },
    "dataset.no_bank": {
        "en": "The exercise bank has no exercises for dataset “{title}”: it is not one of the built-in "
              "themes ({themes}) or its tables differ from the theme's.",
        "ja": "データセット「{title}」に合う問題集の問題はありません。組み込みテーマ（{themes}）ではないか、"
              "テーブル構成がテーマと異なります。",
    },
    "dataset.load_failed": {
        "en": "The dataset could not be written to {path}: {reason}",
        "ja": "データセットを {path} に書き込めませんでした: {reason}",
    },
    # --- where a problem is ------------------------------------------------------------
    "dataset.at.dataset": {"en": "dataset", "ja": "データセット"},
    "dataset.at.table": {"en": "table {table}", "ja": "テーブル {table}"},
    "dataset.at.column": {"en": "table {table}, column {column}", "ja": "テーブル {table}、列 {column}"},
    "dataset.at.row": {"en": "table {table}, row {row}", "ja": "テーブル {table}、{row} 行目"},
    "dataset.at.cell": {
        "en": "table {table}, row {row}, column {column}",
        "ja": "テーブル {table}、{row} 行目、列 {column}",
    },
    "dataset.at.fk": {
        "en": "table {table}, foreign key ({columns})",
        "ja": "テーブル {table}、外部キー（{columns}）",
    },
    # --- one problem -------------------------------------------------------------------
    "dataset.problem": {"en": "{where}: {what}", "ja": "{where}: {what}"},
    "dataset.p.no_tables": {"en": "there are no tables", "ja": "テーブルが 1 つもありません"},
    "dataset.p.too_many_tables": {
        "en": "{n} tables (at most {limit})", "ja": "テーブルが {n} 個あります（上限 {limit} 個）",
    },
    "dataset.p.no_columns": {"en": "the table has no columns", "ja": "列が 1 つもありません"},
    "dataset.p.too_many_columns": {
        "en": "{n} columns (at most {limit})", "ja": "列が {n} 個あります（上限 {limit} 個）",
    },
    "dataset.p.too_many_rows": {
        "en": "{n} rows (at most {limit})", "ja": "行が {n} 行あります（上限 {limit} 行）",
    },
    "dataset.p.ident_empty": {"en": "the name is empty", "ja": "名前が空です"},
    "dataset.p.ident_chars": {
        "en": "name {name!r} may only use ASCII letters, digits and '_' and must not start with a digit",
        "ja": "名前 {name!r} には半角英字・数字・'_' だけが使え、数字で始めることはできません",
    },
    "dataset.p.ident_long": {
        "en": "name {name!r} is longer than {limit} characters",
        "ja": "名前 {name!r} が {limit} 文字を超えています",
    },
    "dataset.p.ident_reserved": {
        "en": "name {name!r} is an SQL keyword; choose another name",
        "ja": "名前 {name!r} は SQL のキーワードです。別の名前にしてください",
    },
    "dataset.p.ident_internal": {
        "en": "name {name!r} is reserved for SQLite's own tables",
        "ja": "名前 {name!r} は SQLite の内部用に予約されています",
    },
    "dataset.p.duplicate_table": {
        "en": "table {name!r} is defined twice (names ignore case)",
        "ja": "テーブル {name!r} が 2 回定義されています（大文字・小文字は区別されません）",
    },
    "dataset.p.duplicate_column": {
        "en": "column {name!r} is defined twice (names ignore case)",
        "ja": "列 {name!r} が 2 回定義されています（大文字・小文字は区別されません）",
    },
    "dataset.p.unknown_column": {
        "en": "{role} names column {name!r}, which the table does not have",
        "ja": "{role} に指定された列 {name!r} はこのテーブルにありません",
    },
    "dataset.p.bad_check": {
        "en": "CHECK {check!r} is not one of the allowed forms (> n, >= n, < n, <= n, <> n, BETWEEN a AND b)",
        "ja": "CHECK {check!r} は使える形（> n, >= n, < n, <= n, <> n, BETWEEN a AND b）ではありません",
    },
    "dataset.p.check_type": {
        "en": "CHECK is only allowed on INTEGER and REAL columns, not {type}",
        "ja": "CHECK を付けられるのは INTEGER と REAL の列だけです（{type} ではなく）",
    },
    "dataset.p.arity": {
        "en": "the row has {got} value(s) but the table has {want} column(s)",
        "ja": "行の値が {got} 個ですが、テーブルの列は {want} 個です",
    },
    "dataset.p.type": {
        "en": "{value} is not a valid {type} value",
        "ja": "{value} は {type} 型の値として正しくありません",
    },
    "dataset.p.date": {
        "en": "{value} is not a date written as YYYY-MM-DD",
        "ja": "{value} は YYYY-MM-DD 形式の日付ではありません",
    },
    "dataset.p.text_long": {
        "en": "the text has {n} characters (at most {limit})",
        "ja": "文字列が {n} 文字あります（上限 {limit} 文字）",
    },
    "dataset.p.text_nul": {
        "en": "the text contains a NUL character", "ja": "文字列に NUL 文字が含まれています",
    },
    "dataset.p.null": {
        "en": "NULL is not allowed in this column (NOT NULL or primary key)",
        "ja": "この列（NOT NULL または主キー）に NULL は入れられません",
    },
    "dataset.p.check_failed": {
        "en": "{value} breaks CHECK ({check})",
        "ja": "{value} は CHECK（{check}）を満たしません",
    },
    "dataset.p.duplicate_key": {
        "en": "primary key ({columns}) = {value} already used in row {first}",
        "ja": "主キー（{columns}）の値 {value} は {first} 行目ですでに使われています",
    },
    "dataset.p.duplicate_unique": {
        "en": "UNIQUE value {value} already used in row {first}",
        "ja": "UNIQUE の値 {value} は {first} 行目ですでに使われています",
    },
    "dataset.p.fk_table": {
        "en": "refers to table {ref!r}, which the dataset does not have",
        "ja": "参照先のテーブル {ref!r} がデータセットにありません",
    },
    "dataset.p.fk_column": {
        "en": "refers to column {ref!r}, which table {table!r} does not have",
        "ja": "参照先の列 {ref!r} がテーブル {table!r} にありません",
    },
    "dataset.p.fk_arity": {
        "en": "{n} column(s) refer to {m} column(s)",
        "ja": "{n} 個の列が {m} 個の列を参照しています",
    },
    "dataset.p.fk_not_key": {
        "en": "the referenced columns ({ref}) are neither the primary key nor UNIQUE",
        "ja": "参照先の列（{ref}）が主キーでも UNIQUE でもありません",
    },
    "dataset.p.fk_type": {
        "en": "column {column} is {type} but {ref} is {ref_type}",
        "ja": "列 {column} は {type} 型ですが、{ref} は {ref_type} 型です",
    },
    "dataset.p.fk_dangling": {
        "en": "{value} is not in {ref}",
        "ja": "{value} は {ref} にありません",
    },
    # --- describe() ----------------------------------------------------------------------
    "dataset.md.table": {"en": "Table", "ja": "テーブル"},
    "dataset.md.rows": {"en": "Rows", "ja": "行数"},
    "dataset.md.columns": {"en": "Columns", "ja": "列"},
    "dataset.md.pk": {"en": "PK", "ja": "主キー"},
    "dataset.md.fk": {"en": "→ {ref}", "ja": "→ {ref}"},
    "dataset.md.notnull": {"en": "NOT NULL", "ja": "NOT NULL"},
    "dataset.md.unique": {"en": "UNIQUE", "ja": "UNIQUE"},
    "dataset.md.er": {"en": "Relations", "ja": "テーブルの関係"},
}
