"""Prompt-injection defence for student text that goes into a prompt.

``sanitize_user_input`` cleans the text (length limit, control and invisible characters,
prompt delimiters and role markers neutralised); ``fence_user_input`` wraps the cleaned text in
markers that templates explain as "data, not instructions", e.g.::

    <<<STUDENT_SQL>>>
    SELECT * FROM users
    <<<END_STUDENT_SQL>>>

Nothing inside the fence can close it: runs of three or more ``<`` or ``>`` are shortened.
This lowers the risk; it cannot make a model obey. Correctness never depends on the LLM.
"""

from __future__ import annotations

import re
import unicodedata

KEEP = {"\n", "\t"}
TRUNCATED = "…"

_CRLF = re.compile(r"\r\n?")
_FENCE_RUN = re.compile(r"(<{3,}|>{3,})")
_BACKTICKS = re.compile(r"[`\uff40]{3,}")  # ``` and fullwidth ｀｀｀
_SPECIAL_TOKEN = re.compile(r"<\|([^|<>\n]{0,40})\|>")  # <|im_start|>, <|endoftext|>, ...
_CHAT_TAGS = re.compile(r"\[/?INST\]|<</?SYS>>|</?s>|<start_of_turn>|<end_of_turn>", re.I)
_ROLE_LINE = re.compile(r"^([ \t>#*]*)(system|assistant|user|developer|human|ai|instruction|instructions|"
                        r"システム|アシスタント|ユーザー)(\s*)[:：]", re.I | re.M)
_HEADING_LINE = re.compile(r"^[ \t]*#{2,}[ \t]*(?=(instruction|instructions|system|response|assistant|user|"
                           r"input|output|指示|システム)\b)", re.I | re.M)
_LABEL = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


def _keep_char(ch: str) -> bool:
    if ch in KEEP:
        return True
    category = unicodedata.category(ch)
    # Cc: control (NUL, ESC, ...); Cf: invisible format (zero-width, bidi overrides);
    # Cs/Co/Cn: surrogates, private use, unassigned.
    return not category.startswith("C")


def sanitize_user_input(text: str, *, max_chars: int = 2000) -> str:
    """Student text made safe to embed in a prompt as data.

    Line endings become ``\\n``; control and invisible characters go (``\\n`` and ``\\t``
    stay); prompt delimiters (```), chat special tokens (``<|im_start|>``), chat-template tags
    (``[INST]``), role markers at line start (``system:``, ``### Instruction``) and our own fence
    markers are neutralised; the result is at most ``max_chars`` characters, ending in ``…``
    when cut.
    """
    if not isinstance(text, str):
        raise TypeError("sanitize_user_input expects a str")
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    text = _CRLF.sub("\n", text)
    text = "".join(ch for ch in text if _keep_char(ch))
    text = _BACKTICKS.sub("'''", text)
    text = _SPECIAL_TOKEN.sub(lambda m: "(" + m.group(1) + ")", text)
    text = _CHAT_TAGS.sub(lambda m: "(" + m.group(0).strip("<>[]/") + ")", text)
    text = _FENCE_RUN.sub(lambda m: m.group(0)[:2], text)
    text = _HEADING_LINE.sub("", text)
    text = _ROLE_LINE.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)} -", text)
    if len(text) > max_chars:
        text = text[: max_chars - len(TRUNCATED)] + TRUNCATED
    return text


def fence_markers(label: str = "student_sql") -> tuple[str, str]:
    """The opening and closing markers for ``label`` (what templates tell the model about)."""
    if not _LABEL.match(label):
        raise ValueError("label must be lowercase letters, digits and _")
    name = label.upper()
    return f"<<<{name}>>>", f"<<<END_{name}>>>"


def fence_user_input(text: str, label: str = "student_sql", *, max_chars: int = 2000) -> str:
    """``text`` sanitised and wrapped in the ``label`` fence, ready for a template variable."""
    start, end = fence_markers(label)
    return f"{start}\n{sanitize_user_input(text, max_chars=max_chars)}\n{end}"
