"""Practise this: the button after a diagnosed wrong answer, the practice card, and why its question is the bank's."""

#: what a practice exercise practises, per diagnosis cause (the card's intro: "Practice: …")
_WHAT = {
    "boundary_out": ("where a boundary lies (>= or >)", "境界の値を含めるかどうか（>= と >）"),
    "boundary_in": ("where a boundary lies (> or >=)", "境界の値を含めるかどうか（> と >=）"),
    "boundary_out2": ("both ends of a range (BETWEEN keeps them)", "範囲の両端（BETWEEN は両端を含みます）"),
    "null_equals": ("comparing with NULL (IS NULL, not = NULL)", "NULL との比較（= NULL ではなく IS NULL）"),
    "null_missing_compared": ("rows with NULL in a condition (a comparison does not keep them)",
                              "条件と NULL の行（比較だけでは NULL の行は残りません）"),
    "null_extra_compared": ("leaving out the rows with NULL (IS NOT NULL)", "NULL の行を除くこと（IS NOT NULL）"),
    "distinct_missing": ("removing repeated rows (DISTINCT)", "重複した行を 1 行にまとめること（DISTINCT）"),
    "distinct_merges": ("rows that must repeat (no DISTINCT)", "重複をまとめてはいけない行（DISTINCT を付けない）"),
    "agg_repeats": ("counting each value once (COUNT(DISTINCT …))", "同じ値を 1 回だけ数えること（COUNT(DISTINCT …)）"),
    "agg_distinct": ("an aggregate over every row, repeated values included", "重複した値も含めて集計すること"),
    "agg_function": ("the aggregate the question asks for (SUM, AVG, MIN or MAX)",
                     "問題が求める集計関数（SUM・AVG・MIN・MAX）"),
    "count_column": ("counting every row, NULLs included (COUNT(*))", "NULL の行も含めてすべて数えること（COUNT(*)）"),
    "count_star": ("counting only the values that are not NULL (COUNT(column))",
                   "NULL でない値だけを数えること（COUNT(列)）"),
    "count_star_join": ("counting matches over a LEFT JOIN (0 when there is none)",
                        "LEFT JOIN で対応する行を数えること（ないときは 0）"),
    "join_inner": ("keeping the rows without a match (LEFT JOIN)", "対応する行がない行も残すこと（LEFT JOIN）"),
    "join_left": ("which rows a join keeps (JOIN or LEFT JOIN)", "結合でどの行が残るか（JOIN と LEFT JOIN）"),
    "no_order_by": ("putting the rows in order (ORDER BY)", "行を並べ替えること（ORDER BY）"),
    "sort_direction": ("the sort direction (ASC or DESC)", "並べる向き（ASC と DESC）"),
    "sort_direction_tie": ("the direction of a tie-break", "同じ値の行を並べる向き"),
    "sort_direction_limit": ("the sort direction under LIMIT (which end the rows come from)",
                             "LIMIT と並べる向き（どちらの端から行を取るか）"),
    "order_tie": ("ordering the rows that tie (a tie-break)", "同じ値の行の順番を決めること（2 つ目の並べ替えキー）"),
    "sort_tiebreak": ("which column breaks the ties", "同じ値の行をどの列で並べるか"),
    "sort_column": ("which column to sort by", "どの列で並べるか"),
    "limit": ("how many rows LIMIT keeps", "LIMIT で残す行数"),
    "limit_tie": ("a LIMIT that cuts through rows that tie", "LIMIT が同じ値の行の途中で切れること"),
    "limit_tie_cut": ("every row that ties for the top value (not LIMIT 1)",
                      "最大値（最小値）に並ぶ行をすべて残すこと（LIMIT 1 ではなく）"),
    "column_order": ("the columns in the order asked", "指示された順番で列を並べること"),
    "columns_fewer": ("showing every column asked for", "指示された列をすべて表示すること"),
    "columns_more": ("showing only the columns asked for", "指示された列だけを表示すること"),
}

_BANK = ("The question comes from the built-in bank: {why}.", "問題文は組み込みの問題集のものです（{why}）。")
_REASONS = {
    "offline": ("offline mode", "オフラインモード"),
    "not_trusted": ("the AI is not used for questions in this language", "この言語の問題文には AI を使っていません"),
    "unavailable": ("the AI could not be reached", "AI に接続できませんでした"),
    "timeout": ("the AI's question was not ready in time", "AI の問題文が時間内に用意できませんでした"),
    "rejected": ("the AI's question did not pass sqllab's checks", "AI の問題文が sqllab の確認に通りませんでした"),
    "cancelled": ("the AI's question was cancelled", "AI による作成を中止しました"),
    "failed": ("something went wrong while the AI wrote it", "AI による作成中にエラーが起きました"),
}

MESSAGES = {
    "practise.button": {"en": "Practise this", "ja": "この間違いを練習する"},
    "practise.tooltip": {
        "en": "One more exercise on your data that catches the same kind of mistake",
        "ja": "同じ種類の間違いに気づける問題を、あなたのデータでもう 1 問出します",
    },
    "practise.title": {"en": "Practice {n}", "ja": "練習 {n}"},
    "practise.intro": {"en": "Practice: {what}.", "ja": "練習: {what}。"},
    "practise.working": {
        "en": "Making a practice exercise on your data…",
        "ja": "あなたのデータで練習問題を用意しています…",
    },
    "practise.added": {"en": "Practice {n} is below.", "ja": "練習 {n} を下に追加しました。"},
    "practise.none": {
        "en": "No exercise of the bank practises this mistake on your data.",
        "ja": "あなたのデータでこの間違いを練習できる問題が、問題集にありません。",
    },
    "practise.no_cause": {
        "en": "sqllab could not name the cause of this mistake, so there is nothing specific to practise.",
        "ja": "sqllab はこの間違いの原因を特定できなかったため、練習する内容を決められません。",
    },
    "practise.correct": {
        "en": "This answer is correct: there is no mistake to practise.",
        "ja": "この解答は正解なので、練習する間違いはありません。",
    },
    "practise.no_verdict": {
        "en": "Check an answer to {exercise} first: Practise this follows a wrong answer.",
        "ja": "先に {exercise} の解答を採点してください。「この間違いを練習する」は、間違った解答のあとで使えます。",
    },
    "practise.progress": {"en": "practice: {solved} of {total} solved", "ja": "練習 {total} 問中 {solved} 問正解"},
    **{f"practise.what.{key}": {"en": en, "ja": ja} for key, (en, ja) in _WHAT.items()},
    **{f"practise.reason.{key}": {"en": _BANK[0].format(why=en), "ja": _BANK[1].format(why=ja)}
       for key, (en, ja) in _REASONS.items()},
}
