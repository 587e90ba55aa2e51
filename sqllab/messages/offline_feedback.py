"""Messages of the exercise cards' feedback area when no LLM is used (offline mode)."""

MESSAGES = {
    "offline_feedback.notice": {
        "en": "Offline mode (no AI feedback); a hint:",
        "ja": "オフラインモードのため AI のフィードバックはありません。ヒントです:",
    },
}
