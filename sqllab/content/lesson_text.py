"""Lesson text as data: ``sqllab/content/lessons/<lesson_id>.<lang>.md``.

A lesson file is Markdown that an instructor can edit without touching Python. The notebooks
are built from it (``notebooks/build_notebooks.py``), and the widgets read their steps, quizzes
and mistakes from it at run time. The format (``sqllab/content/lessons/README.md`` says more):

- optional TOML front matter between ``+++`` lines (``bind = "playground=True"``,
  ``setup = false`` for a page without a dataset);
- the first line is the title (``# 02 · WHERE and NULL``); everything before the first ``##``
  heading is the introduction, shown above the parameters cell;
- fenced blocks whose info string is one of these become cells; every other fence stays in the
  Markdown:

  - ```` ```sql ````: a worked example, a ``%%sql`` cell (``{t.table}`` and the other names of
    :class:`sqllab.notebook.lesson.ExampleNames` stand for the student's own tables);
  - ```` ```python ````: a code cell as written;
  - ```` ```step ````, ```` ```quiz ````, ```` ```mistake ````: TOML, read into :class:`Step`,
    :class:`Quiz` and :class:`Mistake`; the cell shows the widget.

Text in steps, quizzes and mistakes may name ``{t.…}`` too: the widget fills them in for the
student's dataset.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError

LANGS = ("en", "ja")
WIDGET_BLOCKS = ("step", "quiz", "mistake")
CELL_BLOCKS = ("sql", "python", *WIDGET_BLOCKS)
_FENCE = re.compile(r"^(`{3,})\s*([\w-]*)\s*$")
_NAME = re.compile(r"\{t\.(\w+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Strict):
    """A guided step, checked by sqllab like an exercise card.

    ``run``: the editor starts with ``answer``, the student runs it and checks it.
    ``change``: it starts with ``start`` (a different query) and the task says what to change.
    ``fix``: ``start`` fails with an error, and the task asks to fix it.
    """

    kind: Literal["run", "change", "fix"]
    task: str
    answer: str
    start: str = ""
    hint: str = ""

    @model_validator(mode="after")
    def _start_needed(self) -> "Step":
        if self.kind != "run" and not self.start.strip():
            raise ValueError(f"a '{self.kind}' step needs a start query")
        return self

    @property
    def first_sql(self) -> str:
        return self.answer if self.kind == "run" else self.start


class QuizOption(_Strict):
    text: str
    why: str
    correct: bool = False


class Quiz(_Strict):
    """A question whose every option explains itself once the student has answered."""

    question: str
    sql: str = ""                          # a query shown with the question, if any
    options: list[QuizOption] = Field(alias="option", min_length=2, max_length=6)

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[QuizOption]) -> list[QuizOption]:
        if not any(o.correct for o in options):
            raise ValueError("a quiz needs at least one correct option")
        return options

    @property
    def multiple(self) -> bool:
        """More than one option is correct: the student ticks boxes instead of choosing one."""
        return sum(o.correct for o in self.options) > 1


class Mistake(_Strict):
    """A query that looks right, its fix, and why; sqllab finds a database where they differ."""

    title: str
    query: str
    fix: str
    why: str


@dataclass(frozen=True)
class Block:
    kind: str                   # "markdown" or one of CELL_BLOCKS
    text: str                   # the Markdown, or the block's body as written
    item: Step | Quiz | Mistake | None = None


@dataclass(frozen=True)
class LessonText:
    lesson_id: str
    lang: str
    title: str
    intro: str
    blocks: tuple[Block, ...]
    options: dict[str, Any] = field(default_factory=dict)

    def _items(self, kind: str) -> list[Any]:
        return [b.item for b in self.blocks if b.kind == kind]

    @property
    def steps(self) -> list[Step]:
        return self._items("step")

    @property
    def quizzes(self) -> list[Quiz]:
        return self._items("quiz")

    @property
    def mistakes(self) -> list[Mistake]:
        return self._items("mistake")

    @property
    def examples(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "sql"]

    @property
    def has_setup(self) -> bool:
        return bool(self.options.get("setup", True))

    @property
    def bind(self) -> str:
        return str(self.options.get("bind", ""))

    def prose(self) -> str:
        """The lesson's own words: its Markdown (without code blocks) and the widgets' texts."""
        parts = [self.title, _without_code(self.intro)]
        for b in self.blocks:
            if b.kind == "markdown":
                parts.append(_without_code(b.text))
            elif isinstance(b.item, Step):
                parts += [b.item.task, b.item.hint]
            elif isinstance(b.item, Quiz):
                parts += [b.item.question] + [f"{o.text} {o.why}" for o in b.item.options]
            elif isinstance(b.item, Mistake):
                parts += [b.item.title, b.item.why]
        return "\n".join(p for p in parts if p)


def text_size(text: str, lang: str) -> int:
    """Words in English; in Japanese, characters other than spaces and punctuation."""
    if lang == "ja":
        return len(re.findall(r"[^\s\W_]|[ー]", text))
    return len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", text))


def _without_code(markdown: str) -> str:
    out, fence = [], None
    for line in markdown.splitlines():
        m = _FENCE.match(line)
        if m and (fence is None or m.group(1) == fence):
            fence = None if fence else m.group(1)
            continue
        if fence is None:
            out.append(line)
    return "\n".join(out)


def fill(text: str, names: Any) -> str:
    """``{t.table}`` etc. replaced by the student's names (``names`` is an ``ExampleNames``)."""
    if names is None:
        return text
    return _NAME.sub(lambda m: str(getattr(names, m.group(1), m.group(0))), text)


def parse(source: str, lesson_id: str, lang: str) -> LessonText:
    """One lesson file's text → :class:`LessonText`; a clear :class:`ConfigError` when it is malformed."""
    where = f"{lesson_id}.{lang}.md"
    options: dict[str, Any] = {}
    lines = source.splitlines()
    if lines and lines[0].strip() == "+++":
        try:
            end = lines.index("+++", 1)
        except ValueError:
            raise ConfigError(f"{where}: the front matter opened with +++ is never closed") from None
        try:
            options = tomllib.loads("\n".join(lines[1:end]))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: front matter: {exc}") from None
        lines = lines[end + 1:]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or not lines[0].startswith("# "):
        raise ConfigError(f"{where}: the first line must be the title ('# …')")
    title = lines[0][2:].strip()
    blocks: list[Block] = []
    text: list[str] = []
    fence: str | None = None
    kind = ""
    body: list[str] = []
    start_line = 0

    def flush_text() -> None:
        chunk = "\n".join(text).strip()
        if chunk:
            blocks.append(Block("markdown", chunk))
        text.clear()

    for number, line in enumerate(lines[1:], start=2):
        m = _FENCE.match(line)
        if fence is None:
            if m and m.group(2) in CELL_BLOCKS:
                flush_text()
                fence, kind, body, start_line = m.group(1), m.group(2), [], number
            else:
                if m:                                   # a fence that stays in the Markdown
                    fence, kind = m.group(1), ""
                text.append(line)
            continue
        if m and m.group(1) == fence and not m.group(2):
            if kind:
                blocks.append(_block(kind, "\n".join(body), f"{where}:{start_line}"))
            else:
                text.append(line)
            fence, kind = None, ""
            continue
        (body if kind else text).append(line)
    if fence is not None:
        raise ConfigError(f"{where}:{start_line}: a ``` block is never closed")
    flush_text()
    intro_parts = []
    while blocks and blocks[0].kind == "markdown" and not blocks[0].text.lstrip().startswith("## "):
        head, sep, rest = blocks[0].text.partition("\n## ")
        intro_parts.append(head.strip())
        if sep:
            blocks[0] = Block("markdown", "## " + rest)
            break
        blocks.pop(0)
    return LessonText(lesson_id, lang, title, "\n\n".join(p for p in intro_parts if p), tuple(blocks), options)


def _block(kind: str, body: str, where: str) -> Block:
    if kind in ("sql", "python"):
        if not body.strip():
            raise ConfigError(f"{where}: an empty {kind} block")
        return Block(kind, body.strip("\n"))
    try:
        data = tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: the {kind} block is not valid TOML: {exc}") from None
    model = {"step": Step, "quiz": Quiz, "mistake": Mistake}[kind]
    try:
        item = model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or kind}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{where}: {kind}: {problems}") from None
    return Block(kind, body, item)


# --- where the files are -------------------------------------------------------------------

def lessons_dir() -> Path:
    return Path(str(resources.files("sqllab.content") / "lessons"))


def lesson_ids() -> list[str]:
    """Every lesson that has text, in course order (``00_start_here``, ``01_select``, …)."""
    return sorted({p.name.split(".")[0] for p in lessons_dir().glob("*.*.md")})


@cache
def _load(path: str, mtime: float, lesson_id: str, lang: str) -> LessonText:
    return parse(Path(path).read_text(encoding="utf-8"), lesson_id, lang)


def load(lesson_id: str, lang: str) -> LessonText:
    """A lesson's text in ``lang`` (read again when the file changes)."""
    if lang not in LANGS:
        raise ConfigError(f"unknown language {lang!r} (choose from {', '.join(LANGS)})")
    path = lessons_dir() / f"{lesson_id}.{lang}.md"
    if not path.is_file():
        raise ConfigError(f"no lesson text {path.name} in {path.parent}")
    return _load(str(path), path.stat().st_mtime, lesson_id, lang)
