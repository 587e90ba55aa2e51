"""Messages of Explain (``explain.*``): a student's query run clause by clause."""

MESSAGES = {
    # --- the view ------------------------------------------------------------------------
    "explain.button": {"en": "Explain", "ja": "句ごとに実行"},
    "explain.title": {
        "en": "Your query, clause by clause, in the order SQL evaluates it",
        "ja": "あなたのクエリを、SQL が評価する順に句ごとに実行した結果",
    },
    "explain.shown": {
        "en": "{shown} of {n} rows shown",
        "ja": "{n} 行のうち {shown} 行を表示",
    },
    "explain.no_rows": {"en": "(no rows)", "ja": "（行はありません）"},
    "explain.row.kept": {"en": "kept", "ja": "残る"},
    "explain.row.dropped": {"en": "dropped", "ja": "除かれる"},
    "explain.row.unknown": {"en": "dropped: unknown", "ja": "除かれる（不明）"},
    "explain.column.rows": {"en": "rows in group", "ja": "グループの行数"},
    # --- cannot explain ------------------------------------------------------------------
    "explain.cannot.modify": {
        "en": "Explain runs a SELECT clause by clause; {keyword} changes a table instead, so there is "
              "nothing to show step by step. To see which rows it would touch, explain a SELECT with the "
              "same FROM and WHERE (SELECT * FROM … WHERE …).",
        "ja": "Explain は SELECT を句ごとに実行して見せる機能です。{keyword} はテーブルを変更する文なので、"
              "句ごとには表示できません。どの行が対象になるかを見るには、同じ FROM と WHERE の SELECT"
              "（SELECT * FROM … WHERE …）を Explain してください。",
    },
    "explain.cannot.other": {
        "en": "Explain works on queries that read data (SELECT, or WITH … SELECT); “{keyword}” is not one.",
        "ja": "Explain が扱えるのはデータを読むクエリ（SELECT または WITH … SELECT）だけです。"
              "「{keyword}」は対象外です。",
    },
    "explain.cannot.compound": {
        "en": "This query joins several SELECTs with {op}; Explain splits one SELECT at a time. "
              "Explain each SELECT on its own, then think about what {op} does with their rows.",
        "ja": "このクエリは複数の SELECT を {op} でつないでいます。Explain が分解できるのは 1 つの SELECT です。"
              "それぞれの SELECT を別々に Explain してから、{op} がその行をどう組み合わせるか考えてみてください。",
    },
    "explain.cannot.split": {
        "en": "The query runs, but sqllab could not split it into clauses (its shape is not one Explain knows).",
        "ja": "クエリは実行できますが、sqllab はこのクエリを句ごとに分解できませんでした（Explain が扱えない形です）。",
    },
    # --- steps ---------------------------------------------------------------------------
    "explain.cte": {
        "en": "WITH {name}: the CTE gives {n} row(s); the rest of the query reads {name} like a table.",
        "ja": "WITH {name}: この CTE の結果は {n} 行です。クエリの残りは {name} をテーブルのように読みます。",
    },
    "explain.from": {
        "en": "FROM {source}: {n} row(s) to start from.",
        "ja": "FROM {source}: ここから始まる行は {n} 行です。",
    },
    "explain.join.inner": {
        "en": "{join}: {n} row(s). {matched} of the {left} row(s) so far found a match; {unmatched} found "
              "none and are dropped (a LEFT JOIN would keep them).",
        "ja": "{join}: {n} 行。それまでの {left} 行のうち {matched} 行に一致する相手があり、{unmatched} 行には"
              "なかったので除かれます（LEFT JOIN なら残ります）。",
    },
    "explain.join.left": {
        "en": "{join}: {n} row(s). {matched} of the {left} row(s) so far found a match; {unmatched} found "
              "none and are kept, with NULL in every column of {name}.",
        "ja": "{join}: {n} 行。それまでの {left} 行のうち {matched} 行に一致する相手がありました。{unmatched} 行には"
              "なく、{name} の列をすべて NULL にして残ります。",
    },
    "explain.join.repeated": {
        "en": "A row that matches several rows appears once per match: {matched} matched row(s) became {n}.",
        "ja": "複数の行に一致した行は、一致の数だけ繰り返されます（一致した {matched} 行が {n} 行になりました）。",
    },
    "explain.join.cross": {
        "en": "{join}: every row with every row, {left} × {right} = {n} row(s).",
        "ja": "{join}: すべての行とすべての行の組み合わせで、{left} × {right} = {n} 行です。",
    },
    "explain.join.other": {
        "en": "{join}: {n} row(s) after the join (from {left}).",
        "ja": "{join}: 結合後は {n} 行です（結合前は {left} 行）。",
    },
    "explain.where": {
        "en": "WHERE {cond}: keeps {kept} of {total} row(s), those where the condition is true (1); "
              "{false} row(s) where it is false (0) are dropped.",
        "ja": "WHERE {cond}: {total} 行のうち、条件が真（1）の {kept} 行が残ります。"
              "偽（0）の {false} 行は除かれます。",
    },
    "explain.where.unknown": {
        "en": "{unknown} row(s) where the condition is NULL (unknown) are dropped too: WHERE keeps only "
              "rows where it is true.",
        "ja": "条件が NULL（不明）の {unknown} 行も除かれます。WHERE が残すのは条件が真の行だけです。",
    },
    "explain.eq_null": {
        "en": "“= NULL” and “<> NULL” are never true: they are NULL (unknown) for every row. "
              "To test for a missing value write IS NULL (or IS NOT NULL).",
        "ja": "「= NULL」や「<> NULL」が真になることはありません。どの行でも NULL（不明）になります。"
              "値がないかどうかは IS NULL（または IS NOT NULL）で調べます。",
    },
    "explain.group": {
        "en": "GROUP BY {keys}: the {rows} row(s) form {groups} group(s), one per value of the key; "
              "each group will become one row.",
        "ja": "GROUP BY {keys}: {rows} 行がキーの値ごとに {groups} 個のグループにまとまります。"
              "各グループが 1 行になります。",
    },
    "explain.group.null": {
        "en": "Rows whose key is NULL form one group together.",
        "ja": "キーが NULL の行は、まとめて 1 つのグループになります。",
    },
    "explain.having": {
        "en": "HAVING {cond}: keeps {kept} of {total} group(s), those where the condition is true (1); "
              "{false} group(s) where it is false (0) are dropped.",
        "ja": "HAVING {cond}: {total} 個のグループのうち、条件が真（1）の {kept} 個が残ります。"
              "偽（0）の {false} 個は除かれます。",
    },
    "explain.having.unknown": {
        "en": "{unknown} group(s) where the condition is NULL (unknown) are dropped too.",
        "ja": "条件が NULL（不明）の {unknown} 個のグループも除かれます。",
    },
    "explain.subquery.scalar": {
        "en": "The subquery {sql} runs first, on its own, and gives {value}; the outer query uses that "
              "one value.",
        "ja": "サブクエリ {sql} が先に単独で実行され、値 {value} になります。外側のクエリはこの 1 つの値を使います。",
    },
    "explain.subquery.scalar_rows": {
        "en": "The subquery {sql} runs first, on its own, and gives {n} row(s).",
        "ja": "サブクエリ {sql} が先に単独で実行され、{n} 行を返します。",
    },
    "explain.subquery.in": {
        "en": "The subquery {sql} runs first, on its own, and gives a list of {n} value(s); "
              "IN is true (1) for a row whose value is in this list.",
        "ja": "サブクエリ {sql} が先に単独で実行され、{n} 個の値のリストになります。"
              "IN は値がこのリストにある行で真（1）になります。",
    },
    "explain.subquery.not_in_null": {
        "en": "The list contains NULL: NOT IN (…) is then never true (it is 0 or NULL), so no row passes. "
              "Leave NULL out of the subquery (WHERE … IS NOT NULL) or use NOT EXISTS.",
        "ja": "リストに NULL が含まれています。このとき NOT IN (…) は真になりません（0 か NULL）。"
              "どの行も条件を満たしません。サブクエリから NULL を除く（WHERE … IS NOT NULL）か、NOT EXISTS を使います。",
    },
    "explain.subquery.exists": {
        "en": "The subquery {sql} gives {n} row(s); EXISTS is true (1) when it gives at least one.",
        "ja": "サブクエリ {sql} は {n} 行を返します。EXISTS は 1 行以上あれば真（1）です。",
    },
    "explain.subquery.correlated": {
        "en": "The subquery {sql} uses the outer row's columns (a correlated subquery), so it runs again "
              "for each of the {n} row(s); the last column is its value for each row.",
        "ja": "サブクエリ {sql} は外側の行の列を使う（相関サブクエリ）ので、{n} 行のそれぞれについて"
              "実行し直されます。最後の列が各行での値です。",
    },
    "explain.window": {
        "en": "{func}: {partitions} partition(s) by {keys}; inside each, rows are taken in the order "
              "{order} and the value is computed for every row (rows are not merged).",
        "ja": "{func}: {keys} ごとに {partitions} 個のパーティションに分かれます。各パーティションの中で "
              "{order} の順に行を見て、行ごとに値を計算します（行はまとめられません）。",
    },
    "explain.window.whole": {
        "en": "{func}: no PARTITION BY, so the whole result is one partition; rows are taken in the order "
              "{order} and the value is computed for every row (rows are not merged).",
        "ja": "{func}: PARTITION BY がないので、結果全体が 1 つのパーティションです。{order} の順に行を見て、"
              "行ごとに値を計算します（行はまとめられません）。",
    },
    "explain.window.no_order": {
        "en": "(no ORDER BY: every row of a partition sees the whole partition)",
        "ja": "（ORDER BY なし: パーティションの各行がパーティション全体を見ます）",
    },
    "explain.window.running": {
        "en": "With ORDER BY in OVER, an aggregate runs from the partition's first row up to the current "
              "row (rows that tie with it included): a running value.",
        "ja": "OVER に ORDER BY があると、集約はパーティションの先頭から現在の行まで（同順位の行を含む）"
              "で計算されます。累計のような値になります。",
    },
    "explain.select": {
        "en": "SELECT {columns}: {k} column(s) computed for each of the {n} row(s).",
        "ja": "SELECT {columns}: {n} 行それぞれについて {k} 列を計算します。",
    },
    "explain.select.aggregate": {
        "en": "SELECT {columns}: an aggregate with no GROUP BY, so all {before} row(s) are one group and "
              "give {n} row.",
        "ja": "SELECT {columns}: GROUP BY のない集約なので、{before} 行全体が 1 つのグループになり {n} 行になります。",
    },
    "explain.select.groups": {
        "en": "SELECT {columns}: {k} column(s) computed for each of the {n} group(s).",
        "ja": "SELECT {columns}: {n} 個のグループそれぞれについて {k} 列を計算します。",
    },
    "explain.distinct": {
        "en": "DISTINCT: {removed} duplicate row(s) removed ({before} → {after}).",
        "ja": "DISTINCT: 重複した {removed} 行が除かれます（{before} 行 → {after} 行）。",
    },
    "explain.order": {
        "en": "ORDER BY {keys}: the {n} row(s) sorted.",
        "ja": "ORDER BY {keys}: {n} 行を並べ替えます。",
    },
    "explain.order.null": {
        "en": "NULL sorts first in ascending order (ASC) and last in descending order (DESC).",
        "ja": "NULL は昇順（ASC）では先頭、降順（DESC）では最後に並びます。",
    },
    "explain.limit": {
        "en": "{clause}: of the {n} row(s), keeps rows {first} to {last} ({kept} row(s)).",
        "ja": "{clause}: {n} 行のうち {first} 行目から {last} 行目まで（{kept} 行）を残します。",
    },
    "explain.limit.none": {
        "en": "{clause}: of the {n} row(s), none is left.",
        "ja": "{clause}: {n} 行のうち、残る行はありません。",
    },
    "explain.limit.tie": {
        "en": "The cut goes through a tie: rows {a} and {b} have the same ORDER BY value ({value}), so "
              "which of them is kept is not defined. Add a column to ORDER BY that breaks the tie.",
        "ja": "切れ目が同順位の行の間にあります。{a} 行目と {b} 行目の ORDER BY の値が同じ（{value}）なので、"
              "どちらが残るかは決まっていません。同順位を区別する列を ORDER BY に加えてください。",
    },
    "explain.limit.no_order": {
        "en": "There is no ORDER BY, so which rows come first is not defined: the rows kept may change. "
              "Add ORDER BY.",
        "ja": "ORDER BY がないので、どの行が先に来るかは決まっていません。残る行が変わることがあります。"
              "ORDER BY を加えてください。",
    },
}
