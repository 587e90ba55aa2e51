"""Messages of the LLM client, its health check and the prompt registry (keys ``llm.*``)."""

MESSAGES = {
    # --- one per row of the seed's error table -------------------------------------------
    "llm.connection": {
        "en": "Cannot reach the LLM server at {url} ({reason}). Start it with `sqllab llm serve` "
              "(embedded model) or `docker compose up llm` (LocalAI), or check LLM_API_URL.",
        "ja": "LLM サーバー {url} に接続できません（{reason}）。`sqllab llm serve`（組み込みモデル）または "
              "`docker compose up llm`（LocalAI）で起動するか、LLM_API_URL を確認してください。",
    },
    "llm.timeout": {
        "en": "The LLM server at {url} did not answer within {seconds:g} s. Try again, ask for less "
              "(fewer rows or exercises), or raise LLM_TIMEOUT.",
        "ja": "LLM サーバー {url} が {seconds:g} 秒以内に応答しませんでした。もう一度試すか、"
              "依頼を小さくする（行数や問題数を減らす）か、LLM_TIMEOUT を大きくしてください。",
    },
    "llm.response_invalid": {
        "en": "The LLM server sent an answer that is not a valid completion: {reason}",
        "ja": "LLM サーバーの応答が正しい補完の形式ではありません: {reason}",
    },
    "llm.json_invalid": {
        "en": "The model's answer does not match the expected structure ({count} problem(s); first: {first}).",
        "ja": "モデルの応答が期待した構造になっていません（問題 {count} 件。最初の問題: {first}）。",
    },
    "llm.model_not_found": {
        "en": "The model {model!r} is not available on the LLM server ({detail}). Check LLM_MODEL_NAME "
              "and the server's model configuration (models/ for LocalAI).",
        "ja": "モデル {model!r} は LLM サーバーにありません（{detail}）。LLM_MODEL_NAME と、サーバー側の"
              "モデル設定（LocalAI なら models/）を確認してください。",
    },
    "llm.model_loading": {
        "en": "The model {model!r} is still loading on the LLM server. Wait a moment and try again.",
        "ja": "LLM サーバーでモデル {model!r} をまだ読み込み中です。少し待ってからもう一度試してください。",
    },
    # --- HTTP statuses ---------------------------------------------------------------------
    "llm.http_auth": {
        "en": "The LLM server refused the request (HTTP {status_code}): check LLM_API_KEY.",
        "ja": "LLM サーバーがリクエストを拒否しました（HTTP {status_code}）。LLM_API_KEY を確認してください。",
    },
    "llm.http_bad_request": {
        "en": "The LLM server rejected the request (HTTP {status_code}): {detail}",
        "ja": "LLM サーバーがリクエストを受け付けませんでした（HTTP {status_code}）: {detail}",
    },
    "llm.http_not_found": {
        "en": "The LLM server has no such endpoint (HTTP 404 for {url}). LLM_API_URL usually ends in /v1.",
        "ja": "LLM サーバーにそのエンドポイントがありません（{url} で HTTP 404）。LLM_API_URL は通常 /v1 で終わります。",
    },
    "llm.http_error": {
        "en": "The LLM server answered HTTP {status_code}: {detail}",
        "ja": "LLM サーバーが HTTP {status_code} を返しました: {detail}",
    },
    "llm.rate_limited": {
        "en": "The LLM server is busy (HTTP 429) and still refused after retrying. Try again later or "
              "lower SQLLAB_MAX_CONCURRENCY.",
        "ja": "LLM サーバーが混雑しています（HTTP 429）。再試行しても受け付けられませんでした。"
              "時間をおいて試すか、SQLLAB_MAX_CONCURRENCY を小さくしてください。",
    },
    # --- health ----------------------------------------------------------------------------
    "llm.health_model_not_listed": {
        "en": "The LLM server does not list the model {model!r} (it lists: {available}). "
              "Check LLM_MODEL_NAME.",
        "ja": "LLM サーバーのモデル一覧に {model!r} がありません（一覧: {available}）。"
              "LLM_MODEL_NAME を確認してください。",
    },
    # --- prompt registry -------------------------------------------------------------------
    "llm.prompt_unknown_task": {
        "en": "There is no prompt task {task!r}; known tasks: {known}.",
        "ja": "プロンプトのタスク {task!r} はありません。あるタスク: {known}。",
    },
    "llm.prompt_unknown_version": {
        "en": "The prompt {task!r} has no version {version!r} in language {language!r}; known versions: {known}.",
        "ja": "プロンプト {task!r} に言語 {language!r} のバージョン {version!r} はありません。あるバージョン: {known}。",
    },
    "llm.prompt_variables": {
        "en": "The prompt {name} was given wrong variables: missing {missing}, unknown {unknown}.",
        "ja": "プロンプト {name} に渡した変数が正しくありません: 足りない変数 {missing}、知らない変数 {unknown}。",
    },
    "llm.prompt_bad_file": {
        "en": "The prompt file {path} is not valid: {reason}",
        "ja": "プロンプトファイル {path} が正しくありません: {reason}",
    },
}
