"""LLM feedback on a graded answer: streamed, grounded in the grader's diff, and guarded.

    for chunk in feedback(verdict, exercise, student_sql, lang="ja", level=1, db=lesson_db):
        print(chunk, end="")

The prompt (template ``feedback``) holds the question, sqllab's own diagnosis of the mistake
(``sqllab.grading.diagnosis``: the likely cause and what to look at next, from the student's SQL and the
differing rows), the row counts and a few differing rows, and the student's SQL sanitised and
fenced as data; never the reference query. On llama.cpp the answer is started for the model
("Your" / 「あなたの」) so that it speaks to the learner.

The model's text is released sentence by sentence. Before each release the whole text so far
goes through :func:`reveals_solution`; when it gives the answer away the stream is dropped and
a notice plus the rule-based hint (led by sqllab's diagnosis) is yielded instead, or, once two
sentences were shown, the feedback just ends there. A sentence that writes SQL is not shown. Errors, a model not trusted with the
language, and empty or wrong-language output end the same way: a notice and the hint. Nothing
raises; the verdict itself never waits for any of this.

From feedback v12 on the cause comes from sqllab and the model only words it: when the diagnosis
names the cause (a boundary, ``= NULL``, DISTINCT, the sort direction, the JOIN type, COUNT(col)
against COUNT(*), a LIMIT through ties, the columns, ...), sqllab's own sentence on why
(``diagnosis.because``, from the message catalog) follows the opening at once, and the model may
only add to it; :func:`cause_problem` drops a sentence of the model's that names another cause, a
clause or function sqllab's sentence does not, turns the sort direction around, or is not clean
Japanese (Korean, Chinese-only characters). Then sqllab's sentences stand alone. Without a
diagnosis the model says why, as in v8. Offline, :func:`offline_feedback` gives sqllab's sentences
and the hint.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import sqlglot

from .. import i18n
from ..llm.capabilities import allows
from ..errors import SQLLabError

log = logging.getLogger(__name__)

MAX_TOKENS = 200
MAX_SENTENCES = 4          # feedback is 2-4 sentences: the stream stops after the fourth one shown
TEMPERATURE: float | None = None   # None: the client's (LLM_TEMPERATURE)
OPENED_MODEL_SENTENCES = 1  # after sqllab's opening sentence (v8) the model says why in one (two at level 2):
#                            a 1.5B model's first sentence from the started answer is its best
MIN_SENTENCES = 2          # once 2 are shown, a sentence that gives the answer away or writes SQL ends it quietly
TOKEN_SHARE = 0.7          # this share of the reference's tokens, in order, in one SQL span reveals it
MAX_GRADED = 12            # SQL snippets graded per check (each is cheap once the grader is cached)
MAX_SNIPPET_CHARS = 2000

_SQL_START = re.compile(r"(?<![A-Za-z0-9_])(select|with|insert|update|delete)(?![A-Za-z0-9_])", re.I)
_LOOKS_SQL = re.compile(r"^(select\b.*\bfrom\b|with\b.*\bas\s*\(.*\bselect\b|insert\s+into\b|"
                        r"update\b.*\bset\b|delete\s+from\b)", re.I | re.S)
_FENCE = re.compile(r"```[^\n`]*\n?(.*?)(?:```|\Z)", re.S)
_TOKEN = re.compile(r"'[^']*'|\d+(?:\.\d+)?|\w+|<=|>=|<>|!=|\|\||[^\s\w]")
_QUOTES = str.maketrans({'"': "'", "`": "'", "\u2018": "'", "\u2019": "'", "\u201c": "'", "\u201d": "'",
                         "\u300c": "'", "\u300d": "'", "\u300e": "'", "\u300f": "'"})
_PUNCT_SPACE = re.compile(r"\s*([(),;=<>!+*/%|.-])\s*")
_SENTENCE_END = "!?。！？\n"
_BOUNDARY = re.compile(r"[!?。！？\n]|\.(?=\s)")


# --- the guard ---------------------------------------------------------------------------

def normalize_sql_text(text: str) -> str:
    """Lowercase, NFKC, one kind of quote, single spaces and none around punctuation."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()
    text = re.sub(r"\s+", " ", text)
    return _PUNCT_SPACE.sub(r"\1", text).strip()


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize_sql_text(text))


def _share(reference: list[str], text: list[str]) -> float:
    """Share of ``reference``'s tokens found in order in ``text`` (longest common subsequence)."""
    if not reference or not text:
        return 0.0
    previous = [0] * (len(text) + 1)
    for ref_token in reference:
        current = [0]
        for j, token in enumerate(text):
            current.append(previous[j] + 1 if token == ref_token else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1] / len(reference)


def _scan_span(text: str, start: int) -> tuple[int, bool]:
    """Where an unfenced SQL span starting at ``start`` ends, and whether it has ended for sure."""
    quote: str | None = None
    j, n = start, len(text)
    while j < n:
        ch = text[j]
        if quote is not None:
            if ch == quote or ch == "\n":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == ";":
            return j + 1, True
        elif ch == "\n" and text[j + 1:].lstrip(" \t").startswith("\n"):
            return j, True                      # a blank line
        elif ch in ".!?" and j + 1 < n and text[j + 1].isspace():
            return j, True                      # the end of a sentence
        elif ch == "`" or ord(ch) > 127:
            return j, True                      # inline code ends, or prose (Japanese) resumes
        j += 1
    return n, False


def sql_spans(text: str) -> list[tuple[int, int, bool]]:
    """``(start, end, closed)`` of the SQL-looking parts of ``text``: ```` ``` ```` blocks (their
    contents) and runs that start with SELECT/WITH/INSERT/UPDATE/DELETE. ``text`` is NFKC-normalised."""
    spans: list[tuple[int, int, bool]] = []
    blanked = list(text)
    for match in _FENCE.finditer(text):
        whole = match.group(0)
        closed = len(whole) >= 6 and whole.endswith("```")
        spans.append((match.start(1), match.end(1), closed))
        blanked[match.start():match.end()] = " " * (match.end() - match.start())
    prose = "".join(blanked)
    position = 0
    while True:
        match = _SQL_START.search(prose, position)
        if match is None:
            break
        end, closed = _scan_span(prose, match.start())
        spans.append((match.start(), end, closed))
        position = max(end, match.end())
    return sorted(spans)


def _candidates(snippet: str) -> list[str]:
    """Statements worth grading in one span: each ``;`` statement, its line prefixes, and its
    longest word prefix that parses."""
    found: list[str] = []
    for statement in snippet.split(";"):
        start = _SQL_START.search(statement)
        if start is None:
            continue
        statement = statement[start.start():].strip()
        if not _LOOKS_SQL.match(statement):
            continue            # "with" or "select" in prose: no FROM, SET, INTO, ...
        found.append(statement)
        lines = statement.splitlines()
        found += ["\n".join(lines[:k]).strip() for k in range(1, len(lines))]
        words = statement.split()
        for k in range(len(words), max(1, len(words) - 30), -1):
            prefix = " ".join(words[:k])
            try:
                if sqlglot.parse_one(prefix, read="sqlite") is not None:
                    found.append(prefix)
                    break
            except sqlglot.errors.SqlglotError:
                continue
    unique = list(dict.fromkeys(c for c in found if c and len(c) <= MAX_SNIPPET_CHARS))
    return unique


class SolutionGuard:
    """Decides whether text reveals an exercise's reference; remembers graded snippets."""

    def __init__(self, exercise: Any, db: Any = None, student_sql: str | None = None) -> None:
        self.reference = str(exercise.reference_sql)
        self.normalized = normalize_sql_text(self.reference).rstrip(";").strip()
        self.ref_tokens = _tokens(self.reference.rstrip().rstrip(";"))
        self.student_share = _share(self.ref_tokens, _tokens(student_sql)) if student_sql else 0.0
        self.db = db
        self._graded: dict[str, bool] = {}
        self._shares: dict[str, float] = {}     # span -> share: a stream re-checks the same spans
        self._spans: dict[str, list[str]] = {}  # span -> snippets to grade

    def reveals(self, text: str) -> bool:
        text = unicodedata.normalize("NFKC", text)
        if self.normalized and self.normalized in normalize_sql_text(text):
            return True
        spans = sql_spans(text)
        for start, end, _closed in spans:
            span = text[start:end]
            if span not in self._shares:
                self._shares[span] = _share(self.ref_tokens, _tokens(span))
            if self._shares[span] >= TOKEN_SHARE and self._shares[span] > self.student_share:
                return True
        if self.db is not None:
            snippets = [c for start, end, _ in spans for c in self._candidates(text[start:end])]
            for snippet in snippets[:MAX_GRADED]:
                if self._correct(snippet):
                    return True
        return False

    def _candidates(self, span: str) -> list[str]:
        if span not in self._spans:
            self._spans[span] = _candidates(span)
        return self._spans[span]

    def _correct(self, snippet: str) -> bool:
        if snippet not in self._graded:
            from .grader import grade

            try:
                self._graded[snippet] = bool(grade(self.db, self.reference, snippet).correct)
            except SQLLabError:      # the reference itself does not run here: nothing to compare
                self._graded[snippet] = False
        return self._graded[snippet]


def reveals_solution(text: str, exercise: Any, db: Any = None, *, student_sql: str | None = None) -> bool:
    """Whether ``text`` gives ``exercise``'s answer away.

    True when it contains the reference query (whitespace, case and quotes ignored), when one
    SQL-looking span holds at least 70% of the reference's tokens in order (and more than the
    student's own query, when ``student_sql`` is given: quoting the student is not a leak), or,
    with ``db``, when any SQL snippet in it is graded correct against the reference.
    """
    return SolutionGuard(exercise, db, student_sql).reveals(text)


_CLAUSE_WORDS = re.compile(r"\b(select|from|where|join|group by|having|order by|union|limit)\b", re.I)
WHOLE_STATEMENT = re.compile(
    r"\bselect\s+(?:distinct\s+)?[\w*\"`.()]+(?:\s*,\s*[\w*\"`.()]+)*\s+from\s+[\w\"`]+"
    r"|\binsert\s+into\s+[\w\"`]+|\bupdate\s+[\w\"`]+\s+set\s+[\w\"`]+\s*="
    r"|\bdelete\s+from\s+[\w\"`]+", re.I)


def writes_sql(text: str, student_sql: str) -> bool:
    """True when ``text`` writes SQL at the learner: a code block, an inline `...` span with clause
    words and more (`LIMIT` alone names a clause), one with a condition that is not the learner's
    own (a fix written out), or a whole statement in prose. Such a sentence is not shown."""
    if "```" in text:
        return True
    own = normalize_sql_text(student_sql)
    for span in re.findall(r"`([^`\n]+)`", text):
        if (_CLAUSE_WORDS.search(span) and len(span.split()) > 2) or (
                re.search(r"[<>=]", span) and normalize_sql_text(span) not in own):
            return True
    return bool(WHOLE_STATEMENT.search(text)) or any(_LOOKS_SQL.match(text[s:e].strip())
                                                      for s, e, _ in sql_spans(text))


_TABLE_ROW = re.compile(r"\|[^|\n]*\|[^|\n]*\|")


def _introduces_code(segment: str) -> bool:
    """A sentence that ends in a colon introduces what follows (a query, a list), and a bare list
    number ("1.") starts one: not shown alone. A row of a Markdown table (``| id | name |``) is the
    model redrawing the result: not shown either."""
    stripped = segment.strip()
    return (stripped.endswith((":", "：")) or bool(re.fullmatch(r"[-*]?\s*\d{1,2}[.)、]?", stripped))
            or bool(_TABLE_ROW.search(stripped)))


# --- the cause guard: the model may word sqllab's cause, never name another -----------------

#: what a sentence talks about, by family (sqllab.grading.diagnosis.FAMILIES lists the families
#: each cause allows): the words of each language, and SQL written in either
_FAMILY_WORDS: dict[str, dict[str, str]] = {
    "null": {"en": r"\bnull\b|\bno value|\bmissing values?\b|\bempty\b|\bnot recorded\b|\bunknown value",
             "ja": r"NULL|値がない|値のない|値が入って|空の|空欄|欠損|未入力|未記録|記録されていない"},
    "order": {"en": r"\border by\b|\bsort|\bascending\b|\bdescending\b|\border of (?:the |your )?rows\b|\breverse",
              "ja": r"ORDER BY|並べ|並び|並ぶ|並ん|昇順|降順|大きい順|小さい順|逆順"},
    "duplicates": {"en": r"\bdistinct\b|duplicat|\brepeat|more than once|\btwice\b|only once|\bunique\b|\bmerge",
                   "ja": r"DISTINCT|重複|何度も|複数回|1 ?回だけ|一度だけ|2 ?回|まとめ"},
    "limit": {"en": r"\blimit\b|\bfirst \d+ rows?\b|\bcuts? (?:off|the result|the rows)",
              "ja": r"LIMIT|先頭の|行数を絞|件数を絞|行で切|行に絞"},
    "join": {"en": r"\bjoin|\bmatching (?:row|record)s?\b|\bunmatched\b|\bno match|\bwithout a match|\bouter\b|\binner\b",
             "ja": r"JOIN|結合|対応する|対応のない|対応が|一致する行|マッチ"},
    "group": {"en": r"\bgroup by\b|\bgroup(?:s|ed|ing)?\b",
              "ja": r"GROUP BY|グループ"},
    "count": {"en": r"(?-i:\bCOUNT\b)|\bcount\(|\bcount(?:s|ed|ing)? (?:the |every |each |all |only )?(?:rows?|values?|records?)\b",
              "ja": r"COUNT|数え|件数|個数"},
    "aggregate": {"en": r"\baverage\b|\bmaximum\b|\bminimum\b|\bsum\b",
                  "ja": r"平均|最大|最小|合計"},
    "boundary": {"en": r"\bexactly\b|\bboundary|\bor equal\b|\b(?:greater|less|more|bigger|smaller) than (?:or equal|\d)|"
                       r"\bat (?:least|most) \d|\binclusive\b|\bexclusive\b",
                 "ja": r"ちょうど|境界|以上|以下|未満|超え|より大き|より小さ"},
    "tie": {"en": r"\bti(?:e|es|ed|ing)\b|\btie-break", "ja": r"同点|同率|タイ|同じ値で並"},
    "columns": {"en": r"\bcolumn order\b|\border of (?:the |your )?columns\b|\bmissing column|\bextra column|"
                      r"\bwrong column|\bselect list",
                "ja": r"列の(?:並び)?順番?|列の並び|列が(?:足り|多|入れ替わ)|余分な列|列の数|の順に書"},
    "condition": {"en": r"\bcondition|\bfilter", "ja": r"条件|絞り込"},
}
#: SQL a sentence names (written in capitals, or as a call), by family; None: only when sqllab's sentence names it
_SQL_WORDS: list[tuple[str, str | None]] = [
    (r"\bWHERE\b|\bHAVING\b|\bLIKE\b|\bBETWEEN\b", "condition"),
    (r"\b(?:LEFT |RIGHT |INNER |FULL |OUTER |CROSS )*JOIN\b", "join"),
    (r"\bGROUP BY\b", "group"), (r"\bORDER BY\b|(?<![A-Za-z])(?:ASC|DESC)(?![A-Za-z])", "order"),
    (r"\bLIMIT\b|\bOFFSET\b", "limit"), (r"\bDISTINCT\b", "duplicates"),
    (r"\bIS (?:NOT )?NULL\b|\bNULL\b|\bCOALESCE\b|\bIFNULL\b", "null"),
    (r"\bCOUNT\b|\bcount\(", None), (r"\bSUM\b|\bsum\(", None), (r"\bAVG\b|\bavg\(", None),
    (r"\bMIN\b|\bmin\(", None), (r"\bMAX\b|\bmax\(", None),
    (r"\bUNION\b|\bCASE\b|\bEXISTS\b|\bIN \(|\bSELECT\b", None),
]
_DIRECTIONS = {
    "en": {"asc": r"\bascending\b|(?<![A-Za-z])ASC(?![A-Za-z])|\b(?:smallest|lowest|oldest|earliest) (?:value )?first\b|"
                  r"\b(?:from )?(?:the )?(?:smallest|lowest) (?:value )?up\b|\blow(?:est)? to high|\bsmallest to (?:the )?largest",
           "desc": r"\bdescending\b|(?<![A-Za-z])DESC(?![A-Za-z])|\b(?:largest|highest|newest|latest) (?:value )?first\b|"
                   r"\b(?:from )?(?:the )?(?:largest|highest) (?:value )?down\b|\bhigh(?:est)? to low|\blargest to (?:the )?smallest"},
    "ja": {"asc": r"昇順|小さい順|少ない順|安い順|低い順|古い順|(?<![A-Za-z])ASC(?![A-Za-z])",
           "desc": r"降順|大きい順|多い順|高い順|新しい順|(?<![A-Za-z])DESC(?![A-Za-z])"},
}
#: words before the expected direction that make it the exercise's (not a claim about the learner's query)
_WANTED = {"en": r"\bshould\b|\bneeds?\b|\bexpected\b|\basks?\b|\basked\b|\binstead\b|\btry\b|\bwants?\b|\bexercise\b",
           "ja": r"期待|べき|求め|必要|代わり|ように|問題文"}


def _sql_words(text: str) -> list[tuple[str, str | None]]:
    found = []
    for pattern, family in _SQL_WORDS:
        for match in re.finditer(pattern, text):
            found.append((match.group(0).strip().upper().rstrip("(").replace("  ", " "), family))
    return found


def _direction_problem(text: str, cause: Any, lang: str) -> str | None:
    """For a sort-direction cause: the learner's direction named first, the exercise's only after it or
    after a word that makes it the exercise's ("should", 「期待」). Anything else may turn it around."""
    yours, expected = cause.params.get("yours_dir"), cause.params.get("expected_dir")
    if yours not in ("asc", "desc") or expected not in ("asc", "desc"):
        return None
    words = _DIRECTIONS["ja" if lang == "ja" else "en"]
    mentions = sorted((m.start(), d) for d in ("asc", "desc") for m in re.finditer(words[d], text))
    seen_yours = False
    for start, direction in mentions:
        if direction == yours and not seen_yours:
            seen_yours = True
            continue
        if direction == expected and (seen_yours or re.search(_WANTED[lang], text[:start], re.I)):
            continue
        if direction == yours and seen_yours:
            continue
        return "it may turn the sort direction around"
    return None


def cause_problem(text: str, cause: Any, lang: str, *, sentence: str = "") -> str | None:
    """Why the model's ``text`` (what it adds after sqllab's ``sentence`` on ``cause``) must not be shown,
    or None: not in the language (or with Korean, or with Han characters Japanese does not use), a
    word of a cause other than sqllab's (``cause.families``), SQL sqllab's sentence does not name
    (MAX when the query uses AVG), or a sort direction turned around."""
    from ..i18n import language_problem

    problem = language_problem(text, lang)
    if problem and "empty" not in problem:
        return problem
    if not re.search(r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]", text):
        return "no words"
    if lang == "ja" and i18n.non_japanese_han(text):
        return f"Chinese characters: {i18n.non_japanese_han(text)}"
    if lang == "en" and i18n.has_japanese(text):
        return "the text must be written in English"
    families = set(cause.families)
    own = {word for word, _family in _sql_words(sentence)}
    for word, family in _sql_words(text):
        if word not in own and (family is None or family not in families):
            return f"names {word}, which sqllab's diagnosis does not"
    patterns = {family: (words["ja"] + "|" + words["en"] if lang == "ja" else words["en"])
                for family, words in _FAMILY_WORDS.items()}
    rest = text
    quoted = [v for k, v in cause.params.items() if isinstance(v, str) and len(v) > 1 and not k.endswith("_dir")]
    for value in sorted(quoted, key=len, reverse=True):           # the learner's own words sqllab quotes (`COUNT(*) > 2`)
        rest = re.sub(re.escape(value), " ", rest, flags=re.I)
    for family in families & set(patterns):    # words of sqllab's cause first: 「列の並び」 is about columns
        rest = re.sub(patterns[family], " ", rest, flags=re.I)
    for family, pattern in patterns.items():
        match = None if family in families else re.search(pattern, rest, re.I)
        if match:
            return f"speaks of {family} ({match.group(0)!r}), not sqllab's cause"
    return _direction_problem(text, cause, lang) if "direction" in families else None


# --- the prompt --------------------------------------------------------------------------

def _t(key: str, lang: str, **params: Any) -> str:
    try:
        return i18n.t(key, lang, **params)
    except (KeyError, IndexError, ValueError):
        return key if not params else f"{key} {params}"


def render_diff(verdict: Any, lang: str) -> str:
    """The grader's structured result as prompt text: never contains the reference query."""
    from .grader import markdown_table

    lines: list[str] = []
    diff = getattr(verdict, "diff", None)
    if diff is not None:
        lines.append(_t("feedback.diff.kind", lang, kind=diff.kind, kinds=", ".join(diff.kinds) or diff.kind))
        if diff.variant == "visible":
            lines.append(_t("feedback.diff.visible", lang))
        else:
            lines.append(_t("feedback.diff.hidden", lang, kind=_t(f"sql.variant.{diff.variant}", lang)))
        lines.append(_t("feedback.diff.rows", lang, expected=diff.expected_rows, got=diff.got_rows,
                        missing=diff.missing_rows, extra=diff.extra_rows))
        lines.append(_t("feedback.diff.columns", lang, expected=diff.expected_columns, got=diff.got_columns))
        if diff.table:
            lines.append(_t("feedback.diff.table", lang, table=diff.table))
        if diff.error_key:
            lines.append(_t("feedback.diff.error", lang, error=_t(diff.error_key, lang, **diff.error_params)))
        example = diff.counterexample
        if example is not None:
            for sample in example.inputs:
                lines += ["", _t("feedback.diff.input", lang, table=sample.name), markdown_table(sample, lang)]
            if diff.kind != "error":
                lines += ["", _t("feedback.diff.expected", lang), markdown_table(example.expected, lang),
                          "", _t("feedback.diff.got", lang), markdown_table(example.got, lang)]
    elif getattr(verdict, "error_key", None):
        lines.append(_t("feedback.diff.error", lang, error=_t(verdict.error_key, lang, **verdict.error_params)))
    else:
        lines += [_t("feedback.diff.message", lang), str(verdict.message)]
    return "\n".join(lines)


FACT_ROWS = 3              # rows of each kind (missing, extra, input) listed in the facts


def _row_text(columns: list[str], row: list[Any]) -> str:
    cells = ", ".join(f"{c}: {'NULL' if v is None else v}" for c, v in zip(columns, row))
    return f"({cells})"


def _rows_text(sample: Any) -> str:
    return "; ".join(_row_text(sample.columns, r) for r in sample.rows[:FACT_ROWS])


def _literals(sql: str) -> set[str]:
    """The constants in ``sql``'s conditions (WHERE, HAVING, JOIN ... ON)."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return set()
    if tree is None:
        return set()
    conditions = [node for kind in (sqlglot.exp.Where, sqlglot.exp.Having, sqlglot.exp.Join)
                  for node in tree.find_all(kind)]
    return {str(lit.this) for node in conditions for lit in node.find_all(sqlglot.exp.Literal)}


def _same_value(a: Any, literal: str) -> bool:
    if isinstance(a, (int, float)) and not isinstance(a, bool):
        try:
            return float(literal) == float(a)
        except ValueError:
            return False
    return isinstance(a, str) and a == literal


def render_facts(verdict: Any, student_sql: str, lang: str) -> str:
    """The grader's structured result as short facts: what differs, the row counts, where it
    showed, the differing rows inline (no tables to copy, no ready-made sentences), and two pointers
    computed from the data (a constant of the student's condition equal to a differing row's
    value; NULLs in the differing rows). Never contains the reference query."""
    diff = getattr(verdict, "diff", None)
    if diff is None:
        if getattr(verdict, "error_key", None):
            return _t("feedback.diff.error", lang, error=_t(verdict.error_key, lang, **verdict.error_params))
        return str(verdict.message)
    kinds = [kind for kind in dict.fromkeys([diff.kind, *diff.kinds]) if kind != "row_count" or diff.kind == "row_count"]
    comma = "、" if lang == "ja" else ", "
    lines = [_t("feedback.facts.what", lang, what=comma.join(_t(f"feedback.why.{kind}", lang) for kind in kinds))]
    if diff.kind == "error" and diff.error_key:
        lines.append(_t("feedback.diff.error", lang, error=_t(diff.error_key, lang, **diff.error_params)))
    else:
        lines.append(_t("feedback.facts.counts", lang, expected=diff.expected_rows, got=diff.got_rows,
                        missing=diff.missing_rows, extra=diff.extra_rows))
    if diff.table:
        lines.append(_t("feedback.diff.table", lang, table=diff.table))
    lines.append(_t("feedback.facts.visible", lang) if diff.variant == "visible"
                 else _t("feedback.facts.hidden", lang, kind=_t(f"sql.variant.{diff.variant}", lang)))
    example = diff.counterexample
    if example is not None:
        differing = []
        if diff.kind not in ("error", "ordering", "column_count", "column_order"):
            for key, sample in (("feedback.facts.missing", example.expected), ("feedback.facts.extra", example.got)):
                if sample.rows:
                    lines.append(_t(key, lang, rows=_rows_text(sample)))
                    differing += [(sample.columns, r) for r in sample.rows[:FACT_ROWS]]
        if diff.variant != "visible":
            for sample in example.inputs[:2]:
                if sample.rows:
                    lines.append(_t("feedback.facts.input", lang, table=sample.name, rows=_rows_text(sample)))
        literals = sorted(_literals(student_sql))
        hits = [lit for lit in literals if any(_same_value(v, lit) for _, row in differing for v in row)]
        if hits:
            lines.append(_t("feedback.facts.boundary", lang, value=comma.join(hits[:2])))
        null_columns = sorted({c for columns, row in differing for c, v in zip(columns, row) if v is None})
        if null_columns:
            lines.append(_t("feedback.facts.nulls", lang, columns=comma.join(null_columns)))
    return "\n".join(f"- {line}" for line in lines)


NOTE_ROWS = 2             # differing rows of each kind in the notes (v7)


def render_notes(verdict: Any, student_sql: str, lang: str, reference_sql: str | None = None) -> str:
    """Feedback v7's ``{notes}``: sqllab's diagnosis (:func:`sqllab.grading.diagnosis.diagnose`) first, then
    the row counts, where it showed, and a couple of the differing rows. Never the reference
    (``reference_sql`` only lets the diagnosis decide between causes)."""
    from .diagnosis import diagnose, next_step

    diff = getattr(verdict, "diff", None)
    if diff is None:
        return "- " + render_facts(verdict, student_sql, lang).removeprefix("- ")
    lines = diagnose(verdict, student_sql, lang, reference_sql)
    if diff.kind == "error" and diff.error_key:
        lines.append(_t("feedback.diff.error", lang, error=_t(diff.error_key, lang, **diff.error_params)))
    elif diff.kind not in ("column_count", "column_order"):
        lines.append(_t("feedback.facts.counts", lang, expected=diff.expected_rows, got=diff.got_rows,
                        missing=diff.missing_rows, extra=diff.extra_rows))
    if diff.variant != "visible":
        lines.append(_t("feedback.facts.hidden", lang, kind=_t(f"sql.variant.{diff.variant}", lang)))
    example = diff.counterexample
    if example is not None and diff.kind not in ("error", "ordering", "column_count", "column_order"):
        for key, sample in (("feedback.facts.missing", example.expected), ("feedback.facts.extra", example.got)):
            if sample.rows:
                rows = "; ".join(_row_text(sample.columns, r) for r in sample.rows[:NOTE_ROWS])
                lines.append(_t(key, lang, rows=rows))
    step = next_step(verdict, student_sql, lang, reference_sql)
    if step:
        lines.append(step)
    return "\n".join(f"- {line}" for line in lines)


def _row_label(row: list[Any], lang: str) -> str:
    """A differing row as the opening sentence names it: its values only, quoted when it has one."""
    values = ["NULL" if v is None else str(v) for v in row]
    if len(values) == 1:
        return f"「{values[0]}」" if lang == "ja" else f'"{values[0]}"'
    return "(" + ", ".join(values) + ")"


def opening(verdict: Any, lang: str) -> str:
    """sqllab's own first sentence of the feedback (v8): what differs, with one differing row, from
    the grader's diff (never the reference). "" when the diff gives nothing to say (an error)."""
    diff = getattr(verdict, "diff", None)
    if diff is None or diff.kind == "error":
        return ""
    sentences = []
    if diff.variant != "visible":
        sentences.append(_t("feedback.open.hidden", lang, kind=_t(f"sql.variant.{diff.variant}", lang)))
    example = diff.counterexample
    missing = example.expected.rows if example is not None and diff.missing_rows else []
    extra = example.got.rows if example is not None and diff.extra_rows else []
    if diff.kind in ("column_count", "column_order"):
        sentences.append(_t("feedback.open.columns", lang))
    elif diff.kind == "ordering":
        sentences.append(_t("feedback.open.ordering", lang))
    elif missing and extra:
        sentences.append(_t("feedback.open.both", lang, missing=_row_label(missing[0], lang),
                            extra=_row_label(extra[0], lang)))
    elif missing or extra:
        counts = {"got": diff.got_rows, "expected": diff.expected_rows}
        if lang == "en":     # "1 row where 3 are expected", "3 rows where 1 is expected"
            counts = {"got": f"{diff.got_rows} row{'s' * (diff.got_rows != 1)}",
                      "expected": diff.expected_rows, "verb": "is" if diff.expected_rows == 1 else "are"}
        sentences.append(_t("feedback.open.missing" if missing else "feedback.open.extra", lang, **counts,
                            row=_row_label((missing or extra)[0], lang)))
    else:
        return ""
    return (" " if lang == "en" else "").join(sentences)


def build_prompt(verdict: Any, exercise: Any, student_sql: str, *, lang: str, level: int) -> tuple[Any, str]:
    """``(template, user prompt)`` for this verdict at hint ``level`` (0..2). A template takes the
    diff as ``{diff}`` (labels and tables, v1/v2), as ``{facts}`` (short facts, v3-v6) or as
    ``{notes}`` (sqllab's diagnosis and short facts, v7 on; the diagnosis may read the reference to
    decide between causes, and the prompt is checked never to contain it)."""
    from ..llm import fence_user_input
    from ..llm.prompts import get_template

    template = get_template("feedback", lang)
    status = _t(f"feedback.status.{verdict.status}", lang)
    reference = normalize_sql_text(exercise.reference_sql).rstrip(";")
    variables = {"question": exercise.question, "status": status,
                 "student_sql": fence_user_input(student_sql),
                 "level": _t(f"feedback.level.{min(level, 2)}", lang),
                 "step": _t(f"feedback.step.{min(level, 2)}", lang)}
    for name, render in (("diff", lambda: render_diff(verdict, lang)),
                         ("facts", lambda: render_facts(verdict, student_sql, lang)),
                         ("notes", lambda: render_notes(verdict, student_sql, lang, exercise.reference_sql))):
        if name in template.variables:
            text = render()
            variables[name] = status if reference in normalize_sql_text(text) else text  # never ship the reference
    return template, template.format(**{k: v for k, v in variables.items() if k in template.variables})


# --- streaming ---------------------------------------------------------------------------

def _looks_written_in(text: str, lang: str) -> bool:
    if lang == "ja":
        return i18n.has_japanese(text)
    return any(ch.isalpha() for ch in text)


def _release_point(text: str, start: int) -> int | None:
    """The end of the last complete sentence after ``start`` that is not inside open SQL."""
    limit = len(text)
    if text.count("```") % 2:
        limit = text.rindex("```")
    for span_start, _end, closed in sql_spans(text[:limit]):
        if not closed:
            limit = min(limit, span_start)
    cut = None
    for i in range(start, limit):
        ch = text[i]
        if ch in _SENTENCE_END or (ch == "." and i + 1 < limit and text[i + 1].isspace()):
            cut = i + 1
    return cut


class EchoFilter:
    """Drops what a small model parrots instead of explaining: a sentence that repeats a long run
    of the prompt (or our fence markers), or one it already said; too many of those stop the stream."""

    RUN = 30            # characters copied from the prompt that make a sentence an echo
    MAX_DROPPED = 3

    def __init__(self, prompt: str) -> None:
        self.prompt = _squash(prompt)
        self.seen: set[str] = set()
        self.dropped = 0
        self.shown = 0

    def useful(self, segment: str) -> bool:
        text = _squash(segment)
        if not text:
            return True      # blank lines between sentences are harmless
        echo = "<<<" in text or ">>>" in text or text in self.seen or any(
            text[i:i + self.RUN] in self.prompt for i in range(0, max(1, len(text) - self.RUN + 1), 4)
            if len(text) >= self.RUN)
        self.seen.add(text)
        if echo:
            self.dropped += 1
            return False
        self.shown += 1
        return True

    @property
    def hopeless(self) -> bool:
        return self.dropped >= self.MAX_DROPPED and self.dropped > self.shown


def _sentence_count(text: str) -> int:
    """Sentences in ``text`` (ended by . ! ? 。 ！ ？ or a line break) that contain a word."""
    return sum(1 for part in re.split(r"(?<=[.!?。！？])\s+|(?<=[。！？])|\n+", text) if re.search(r"\w", part))


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _seed(exercise: Any, student_sql: str, level: int, lang: str) -> int:
    digest = hashlib.sha256(f"{exercise.id}\x00{student_sql}\x00{level}\x00{lang}".encode()).hexdigest()
    return int(digest[:8], 16)


def _fallback(notice_key: str, exercise: Any, lang: str, level: int, *, after_text: bool,
              cause: str = "") -> Iterator[str]:
    """The notice, sqllab's own diagnosis of the mistake (when it has one), and the exercise's hint."""
    hints = list(getattr(exercise, "hints", []) or [])
    yield ("\n\n" if after_text else "") + i18n.t(notice_key, lang) + "\n"
    if cause:
        yield cause + "\n"
    if hints:
        yield hints[level] + "\n"


def _diagnosed(function: Any, verdict: Any, student_sql: str, *args: Any) -> Any:
    """``function(verdict, student_sql, *args)`` from sqllab.grading.diagnosis, or None when it fails: a
    diagnosis never gets in the learner's way."""
    try:
        return function(verdict, student_sql, *args)
    except (sqlglot.errors.SqlglotError, KeyError, IndexError, ValueError, TypeError, AttributeError):
        log.warning("diagnosis failed", exc_info=True)
        return None


def _reference(exercise: Any) -> str | None:
    reference = getattr(exercise, "reference_sql", None)
    return str(reference) if reference else None


def _cause(verdict: Any, student_sql: str, lang: str, reference_sql: str | None = None) -> str:
    """sqllab's sentence on why (:func:`sqllab.grading.diagnosis.because`), else its first diagnosis note
    as a sentence, for the rule-based feedback ("" when there is none)."""
    from .diagnosis import because, diagnose

    sentence = _diagnosed(because, verdict, student_sql, lang, reference_sql)
    if sentence:
        return sentence
    notes = _diagnosed(diagnose, verdict, student_sql, lang, reference_sql) or []
    if not notes:
        return ""
    note = notes[0][:1].upper() + notes[0][1:]
    return note if lang == "ja" or note.endswith(".") else note + "."


def offline_feedback(verdict: Any, exercise: Any, student_sql: str, *, lang: str, level: int = 0) -> str:
    """The feedback when no LLM is used (offline mode): sqllab's opening (what differs) and its sentence
    on why (when its diagnosis names the cause), then the notice and the exercise's hint at ``level``.
    "" for a correct answer. Never raises."""
    lang = i18n.normalize_lang(lang)
    if getattr(verdict, "correct", False):
        return ""
    try:
        first = opening(verdict, lang)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        log.warning("opening failed", exc_info=True)
        first = ""
    why = _cause(verdict, student_sql, lang, _reference(exercise))
    said = (" " if lang == "en" else "").join(part for part in (first, why) if part)
    hints = list(getattr(exercise, "hints", []) or [])
    hint = hints[max(0, min(int(level), len(hints) - 1))] if hints else ""
    tail = i18n.t("offline_feedback.notice", lang) + "\n" + hint if hint else ""
    return "\n\n".join(part for part in (said, tail) if part) + ("\n" if said or tail else "")


def _opening_continuation(template: Any, verdict: Any, student_sql: str, lang: str,
                          reference_sql: str | None = None) -> str:
    """How the model's sentence starts after sqllab's opening: "This is because" (v8), or, when
    sqllab knows which part of the learner's query is at fault, "This is because your `LIMIT 1`" (v10)."""
    if template.answer_culprit:
        from .diagnosis import culprit

        part = _diagnosed(culprit, verdict, student_sql, lang, reference_sql)
        if part:
            return template.answer_culprit.format(part=part)
    return template.answer_opening


def _named_cause(template: Any, verdict: Any, student_sql: str, lang: str, reference_sql: str | None) -> tuple[Any, str]:
    """``(cause, sqllab's sentence on why)`` when the template lets sqllab write it (v12) and the
    diagnosis names a cause; ``(None, "")`` otherwise."""
    if not template.answer_cause:
        return None, ""
    from .diagnosis import cause

    found = _diagnosed(cause, verdict, student_sql, reference_sql)
    if found is None:
        return None, ""
    try:
        return found, found.sentence(lang)
    except (KeyError, IndexError, ValueError):
        log.warning("no sentence for cause %s", found.key, exc_info=True)
        return None, ""


def _allowed(client: Any, lang: str) -> bool:
    try:
        return bool(allows(client, "feedback", lang))
    except (ValueError, TypeError, AttributeError):   # a malformed capabilities file (wrong value types)
        log.warning("capability check failed on a malformed capabilities file; feedback allowed", exc_info=True)
        return True


def _prefills(client: Any) -> bool:
    """True when the server continues a started answer: llama.cpp (it answers ``/props``), as the
    embedded server. Others would take the started answer as a finished turn."""
    from ..llm.capabilities import served_model_file

    try:
        return served_model_file(client.base_url) is not None
    except (AttributeError, TypeError):
        return False


def feedback(verdict: Any, exercise: Any, student_sql: str, *, lang: str, level: int = 0,
             db: Any = None, client: Any = None, outcome: dict[str, Any] | None = None) -> Iterator[str]:
    """:func:`explain`, ahead of any other work at the model in this process (``priority.FEEDBACK``:
    content written ahead for the next lessons waits while a student waits for this)."""
    from ..llm import priority

    with priority.active(priority.FEEDBACK):
        yield from explain(verdict, exercise, student_sql, lang=lang, level=level, db=db, client=client,
                           outcome=outcome)


def explain(verdict: Any, exercise: Any, student_sql: str, *, lang: str, level: int = 0,
            db: Any = None, client: Any = None, outcome: dict[str, Any] | None = None) -> Iterator[str]:
    """Stream hint text for ``verdict`` on ``exercise`` at ``level`` (0 nudge, 1 concept, 2 near-solution).

    A correct verdict yields its message (no LLM). Otherwise the LLM's text is released sentence
    by sentence while :func:`reveals_solution` (grading snippets on ``db`` when given) says it is
    safe; anything else ends in a notice and ``exercise.hints[level]``. From feedback v12 on, when
    sqllab's diagnosis names the cause, sqllab's own sentence on why follows its opening at once,
    and a sentence of the model's is shown only when :func:`cause_problem` finds nothing in it;
    otherwise sqllab's sentences stand alone. ``outcome`` (a dict), when given, is filled with what
    happened: ``cause`` (the diagnosis key or None), ``because`` (sqllab's sentence), ``model``
    ("kept", "dropped", "none" or "fallback"), ``dropped`` (the model's sentences not shown, with
    the reason) and ``model_text`` (all the model wrote). Never raises.
    """
    lang = i18n.normalize_lang(lang)
    report: dict[str, Any] = outcome if outcome is not None else {}
    report.update(cause=None, because="", model="none", dropped=[], model_text="")
    hints = list(getattr(exercise, "hints", []) or [])
    level = max(0, min(int(level), len(hints) - 1, 2)) if hints else max(0, min(int(level), 2))
    if verdict.correct:
        yield verdict.message if getattr(verdict, "lang", lang) == lang else verdict.message_in(lang)
        return
    released = 0
    stream: Any = None
    reference = _reference(exercise)
    rule_cause = _cause(verdict, student_sql, lang, reference)
    fallback = functools.partial(_fallback, exercise=exercise, lang=lang, level=level, cause=rule_cause)
    named = None            # the cause sqllab names and has already said (v12)
    text = lead = ""
    kept: list[str] = []    # the model's sentences shown
    try:
        if client is None:
            from ..llm import shared_client

            client = shared_client()
        if not _allowed(client, lang):
            report["model"] = "fallback"
            yield from fallback("feedback.not_capable", after_text=False)
            return
        template, prompt = build_prompt(verdict, exercise, student_sql, lang=lang, level=level)
        guard = SolutionGuard(exercise, db, student_sql)
        prefills = bool(template.answer_prefix or template.answer_opening) and _prefills(client)
        first = opening(verdict, lang) if template.answer_opening else ""
        found, because = _named_cause(template, verdict, student_sql, lang, reference) if first else (None, "")
        own = first + template.answer_cause.format(cause=because) if because else first
        if found is not None:       # v12: sqllab says why; the model may only add to it
            report.update(cause=found.key, because=because)
            prefix = own if prefills else ""
            lead = prefix or own + (" " if lang == "en" else "")
        elif first:       # v8+: sqllab's sentence, then the model's, started for it where the server allows
            prefix = first + _opening_continuation(template, verdict, student_sql, lang, reference) if prefills else ""
            lead = prefix or first + (" " if lang == "en" else "")
        else:
            prefix = lead = template.answer_prefix if prefills else ""
        stream = client.sync.stream(prompt, system_prompt=template.system_prompt, max_tokens=MAX_TOKENS,
                                    temperature=TEMPERATURE,
                                    seed=_seed(exercise, student_sql, level, lang),
                                    prompt_version=template.ref, prompt_type="feedback",
                                    **({"answer_prefix": prefix} if prefix else {}))
        echo = EchoFilter(template.system_prompt + "\n" + prompt)
        shown = ""
        if first:           # sqllab's own sentence on what differs (v8): shown at once, the model goes on from it
            yield first
            shown = first
            released = len(first)
        if found is not None:   # ... and its sentence on why (v12), at once too
            yield own[len(first):]
            shown, released, named = own, len(own), found

        def faithful(segment: str) -> bool:
            """Whether a sentence of the model's may follow sqllab's sentence on the cause (v12)."""
            if named is None:
                return True
            problem = cause_problem(segment, named, lang, sentence=because)
            if problem:
                log.info("model sentence dropped (%s): %s", problem, segment.strip()[:200])
                report["dropped"].append((segment.strip(), problem))
            return problem is None

        for chunk in stream:
            if lead and not text:
                chunk = lead + chunk        # the server streams only the continuation of the prefix
            text += chunk
            if not _BOUNDARY.search(text, max(released, len(text) - len(chunk) - 1)):
                continue        # no sentence ended in this chunk: nothing new to release
            cut = _release_point(text, released)
            if cut is None or not _looks_written_in(text[len(lead):cut], lang):
                if named is None or cut is None:
                    continue    # (what was started for the model does not count: its own words must be in the language)
            if guard.reveals(text):
                if _sentence_count(shown) < MIN_SENTENCES:
                    report["model"] = "fallback"
                    yield from fallback("feedback.withheld", after_text=released > 0)
                return          # what was shown stands; the rest would give the answer away
            segment = text[released:cut]
            released = cut
            if writes_sql(segment, student_sql) or _introduces_code(segment):
                if segment.strip():
                    report["dropped"].append((segment.strip(), "writes SQL or introduces code"))
                if _sentence_count(shown) >= MIN_SENTENCES:
                    return      # the model turned to writing the fix: enough said
                continue        # drop the sentence, read on
            if echo.useful(segment):
                if not faithful(segment):
                    return      # another cause, clause or direction: sqllab's sentence stands alone
                shown += segment
                kept.append(segment)
                yield segment
                opened = own or first
                if _sentence_count(shown) >= MAX_SENTENCES + (named is not None) or (
                        opened and _sentence_count(shown[len(opened):]) >= OPENED_MODEL_SENTENCES + (level >= 2)):
                    return      # enough said: stop reading (the request is cancelled)
            elif segment.strip():
                report["dropped"].append((segment.strip(), "repeats the prompt or itself"))
                if echo.hopeless:
                    break       # the model only parrots: stop reading
        if guard.reveals(text):
            if _sentence_count(shown) < MIN_SENTENCES:
                report["model"] = "fallback"
                yield from fallback("feedback.withheld", after_text=released > 0)
            return
        if named is not None:   # sqllab's sentences are the feedback: the rest of the model's may follow them
            tail = text[released:]
            if (tail.strip() and _looks_written_in(tail, lang) and not echo.hopeless
                    and not writes_sql(tail, student_sql) and not _introduces_code(tail)
                    and echo.useful(tail) and faithful(tail)):
                kept.append(tail)
                yield tail
            return
        if not _looks_written_in(text[len(lead):], lang):
            report["model"] = "fallback"
            yield from fallback("feedback.unusable", after_text=released > 0)
            return
        tail = text[released:]
        if (tail and not echo.hopeless and not writes_sql(tail, student_sql) and not _introduces_code(tail)
                and echo.useful(tail)):
            shown += tail
            kept.append(tail)
            yield tail
        if echo.shown == 0:
            report["model"] = "fallback"
            yield from fallback("feedback.unusable", after_text=bool(first))
    except GeneratorExit:
        raise
    except SQLLabError as exc:
        log.info("LLM feedback unavailable: %s", exc.message_in("en"))
        report["model"] = "fallback"
        yield from fallback("feedback.unavailable", after_text=released > 0, cause="" if named else rule_cause)
    except Exception:  # noqa: BLE001 - a student never sees a traceback here
        log.warning("LLM feedback failed", exc_info=True)
        report["model"] = "fallback"
        yield from fallback("feedback.unavailable", after_text=released > 0, cause="" if named else rule_cause)
    finally:
        report["model_text"] = text[len(lead):] if text.startswith(lead) else text
        if report["model"] != "fallback":
            report["model"] = "kept" if kept else "dropped" if report["dropped"] else "none"
        if stream is not None:
            stream.close()      # stop reading: cancels the request when it is still running
