MESSAGES = {
    "config.invalid": {
        "en": "Setting {name}={value!r} is not valid: {reason}",
        "ja": "設定 {name}={value!r} は正しくありません: {reason}",
    },
}
