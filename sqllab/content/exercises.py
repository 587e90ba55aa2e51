"""Exercises and the built-in exercise bank.

An ``Exercise`` is a question with a reference SQL and three hints (nudge, concept,
near-solution). The bank holds templates over the three roles of the offline themes (people,
items, events; see ``sqllab.content.offline``); ``bank_exercises`` fills a template with the theme's
real table and column names and with constants read from the data (a threshold that occurs
in the data, so that ``>`` and ``>=`` give different answers), in Japanese or English.

The templates and their concept hints are data: ``bank/<topic>.toml`` beside this module, plus an
instructor's ``SQLLAB_CONTENT_DIR/bank/<topic>.toml`` (``sqllab.content.files``; ``README.md``).
"""

from __future__ import annotations

import difflib
import hashlib
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import sqlglot
from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError
from sqlglot import exp

from .. import i18n
from ..dataset import Dataset
from ..errors import DatasetError
from . import files
from .offline import COLUMN_ROLES, ROLES, THEMES, theme_labels

TOPICS = ("select", "where", "order", "aggregate", "joins", "subqueries", "window", "modify")
DIFFICULTY_RANK = {"easy": 0, "medium": 1, "hard": 2}


class Exercise(BaseModel):
    """One practice question; ``ordered`` is True when the reference has a top-level ORDER BY."""

    id: str
    topic: str
    question: str
    reference_sql: str
    difficulty: str = "easy"
    hints: list[str] = []
    ordered: bool = False
    source: Literal["llm", "bank"] = "bank"
    lang: str = "en"


def has_top_level_order_by(sql: str) -> bool:
    """Whether the outermost query of ``sql`` has ORDER BY (sqlglot, SQLite dialect)."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.ParseError:
        return False
    return isinstance(tree, (exp.Select, exp.SetOperation)) and bool(tree.args.get("order"))


# --- templates ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    """A bank exercise before its names and constants are filled in.

    ``sql`` uses identifiers (``{P}``, ``{p_score}``, ...) and SQL literals (``{city_sql}``);
    ``en``/``ja`` use labels (``{people}``, ``{c_score}``) and displayed constants (``{city}``);
    ``concept`` names a shared concept hint; ``skeleton`` is the near-solution hint.
    """

    key: str
    topic: str
    difficulty: str
    sql: str
    en: str
    ja: str
    concept: str
    skeleton: str


ORDER_NOTE = {"en": " Sort as asked; rows that tie are ordered by `id`, smallest first.",
              "ja": "並べ方は指示どおりにし、同じ値の行は id の小さい順にしてください。"}

# --- bank files (bank/<topic>.toml; see README.md) ----------------------------------------

#: what a template may write in braces (``_context`` fills exactly these; tests check it)
IDENTIFIERS = frozenset({"P", "I", "E"} | {
    f"{prefix}_{ {'category': 'cat', 'quantity': 'qty'}.get(c, c) }"
    for role, prefix in (("people", "p"), ("items", "i"), ("events", "e")) for c in COLUMN_ROLES[role]})
LABELS = frozenset({"people", "items", "events", "c_name", "c_city", "c_score", "c_pdate", "c_iname", "c_cat",
                    "c_price", "c_extra", "c_person", "c_item", "c_qty", "c_edate"})
NUMBERS = frozenset({"x", "x2", "y1", "y2", "z", "q", "qd", "h", "h2", "nid", "neid", "idle_pid", "unused_iid",
                     "iid", "new_price"})
TEXTS = frozenset({"city", "prefix", "cat", "cat2", "d", "ed", "city_ev", "cat_used", "new_name", "unknown"})
EXAMPLES = frozenset({"year_example", "label_example"})
PLACEHOLDERS = (IDENTIFIERS | LABELS | NUMBERS | TEXTS | EXAMPLES | {f"{k}_sql" for k in NUMBERS | TEXTS}
                | {"prefix_sql"})
_Text = Annotated[StrictStr, Field(min_length=1)]


class _TemplateEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: _Text
    difficulty: Literal["easy", "medium", "hard"]
    concept: _Text
    sql: _Text
    en: _Text
    ja: _Text
    skeleton: _Text


class _Concept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    en: _Text
    ja: _Text


class BankFile(BaseModel):
    """One ``bank/<topic>.toml``: ``[[template]]`` entries and ``[concepts.<name>]`` hints."""

    model_config = ConfigDict(extra="forbid")

    template: list[_TemplateEntry] = []
    concepts: dict[str, _Concept] = {}


def _placeholder_problem(t: _TemplateEntry) -> str | None:
    for field in ("sql", "skeleton", "en", "ja"):
        try:
            names = files.fields_of(getattr(t, field))
        except ValueError as exc:
            return f"{field}: {exc}"
        for name in names:
            if name not in PLACEHOLDERS:
                close = difflib.get_close_matches(name, sorted(PLACEHOLDERS), n=1)
                return (f"{field}: unknown placeholder {{{name}}}"
                        + (f" (did you mean {{{close[0]}}}?)" if close else ""))
            if field in ("sql", "skeleton") and name in LABELS:
                return (f"{field}: {{{name}}} is a label for the question text; in SQL use an identifier "
                        "such as {P} or {p_name}")
            if field in ("sql", "skeleton") and name in TEXTS | EXAMPLES:
                return (f"{field}: {{{name}}} is a text as the question shows it; in SQL write {{{name}_sql}} "
                        "(a quoted literal)")
    return None


def read_bank_file(path: Path, topic: str) -> tuple[list[Template], dict[str, dict[str, str]]]:
    """The templates and concepts of one bank file; ConfigError naming the file when it is malformed."""
    data = files.read_toml(path)
    try:
        f = BankFile.model_validate(data)
    except ValidationError as exc:
        raise files.invalid(path, files.validation_reason(exc, data)) from None
    keys: set[str] = set()
    templates = []
    for n, t in enumerate(f.template, start=1):
        at = f"template[{n}] ({t.key})"
        if not re.fullmatch(rf"{re.escape(topic)}-[A-Za-z0-9_-]+", t.key):
            raise files.invalid(path, f"{at}.key: a key in {topic}.toml starts with \"{topic}-\" "
                                      f"(e.g. \"{topic}-my-01\"), then letters, digits, - and _")
        if t.key in keys:
            raise files.invalid(path, f"{at}.key: the key {t.key!r} occurs twice in the file")
        keys.add(t.key)
        problem = _placeholder_problem(t)
        if problem:
            raise files.invalid(path, f"{at}.{problem}")
        templates.append(Template(t.key, topic, t.difficulty, files.one_line(t.sql), t.en, t.ja, t.concept,
                                  files.one_line(t.skeleton)))
    return templates, {name: {"en": c.en, "ja": c.ja} for name, c in f.concepts.items()}


def load_bank() -> tuple[list[Template], dict[str, dict[str, str]]]:
    """The templates (topic by topic, in ``TOPICS`` order) and the concept hints: the built-in ones,
    then the instructor's (``SQLLAB_CONTENT_DIR/bank``), whose template or concept with a built-in
    name replaces it, and whose new templates come after the topic's built-in ones."""
    per_topic: dict[str, dict[str, Template]] = {topic: {} for topic in TOPICS}
    concepts: dict[str, dict[str, str]] = {}
    concept_file: dict[str, tuple[Path, bool]] = {}
    uses: list[tuple[Path, Template]] = []
    rank = {topic: k for k, topic in enumerate(TOPICS)}
    found = sorted(files.content_files("bank"), key=lambda pb: (not pb[1], rank.get(pb[0].stem, -1)))
    for path, builtin in found:
        topic = path.stem
        if topic not in per_topic:
            raise files.invalid(path, f"{path.stem!r} is not a topic; a bank file is named after its topic: "
                                      + ", ".join(f"{t}.toml" for t in TOPICS))
        templates, hints = read_bank_file(path, topic)
        for name, hint in hints.items():
            earlier = concept_file.get(name)
            if earlier is not None and earlier[1] == builtin:
                raise files.invalid(path, f"concepts.{name}: also defined in {files.shown(earlier[0])}")
            concepts[name] = hint
            concept_file[name] = (path, builtin)
        for t in templates:
            per_topic[topic][t.key] = t        # a built-in key keeps its place
            uses.append((path, t))
    for path, t in uses:
        if t.concept not in concepts:
            close = difflib.get_close_matches(t.concept, sorted(concepts), n=1)
            raise files.invalid(path, f"template {t.key}: unknown concept {t.concept!r}"
                                      + (f" (did you mean {close[0]!r}?)" if close else "")
                                      + "; define it under [concepts." + t.concept + "] in a bank file")
    return [t for topic in TOPICS for t in per_topic[topic].values()], concepts


# The templates and the level-2 hints (the concept, shared by templates), by name;
# ``sqllab.content.reload_content`` refills both in place.
TEMPLATES: list[Template]
CONCEPTS: dict[str, dict[str, str]]
TEMPLATES, CONCEPTS = load_bank()


NUDGE = {"en": "Work with {tables}; the columns involved include {columns}.",
         "ja": "使うテーブルは {tables}、関係する列は {columns} などです。"}
SKELETON = {"en": "Almost there — fill in the blanks: {skeleton}", "ja": "あと少しです。空欄を埋めてください: {skeleton}"}
UNKNOWN = {"en": "unknown", "ja": "不明"}
NEW_NAME = {"en": "Alex Morgan", "ja": "青木 さくら"}


# --- constants read from the data --------------------------------------------------------

def _sql(v: Any) -> str:
    """A SQL literal for a constant (text quoted, quotes doubled)."""
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    if isinstance(v, float):
        return repr(round(v, 6))
    return str(v)


def _show(v: Any, lang: str) -> str:
    if isinstance(v, str):
        return f"「{v}」" if lang == "ja" else f"'{v}'"
    if isinstance(v, float):
        return repr(round(v, 6))
    return str(v)


def _middle(values: list[Any]) -> Any:
    values = sorted(values)
    return values[(len(values) - 1) // 2]


def _split_point(values: list[Any], rng: random.Random) -> Any:
    """A value occurring in ``values`` with others both above and below it (when possible)."""
    distinct = sorted(set(values))
    inner = distinct[1:-1] or distinct
    ranked = sorted(inner, key=lambda v: (-values.count(v), v))
    return rng.choice(ranked[: max(1, min(3, len(ranked)))])


def _bank_roles(dataset: Dataset) -> dict[str, Any]:
    """The theme's identifiers when ``dataset`` has its tables and columns, else DatasetError."""
    spec = THEMES.get(dataset.theme)
    ok = spec is not None
    if ok:
        for role in ROLES:
            try:
                t = dataset.table(spec.tables[role])  # type: ignore[union-attr]
            except KeyError:
                ok = False
                break
            if not all(t.column(spec.columns[role][c]) is not None for c in COLUMN_ROLES[role]):  # type: ignore[union-attr]
                ok = False
                break
    if not ok:
        raise DatasetError(key="dataset.no_bank", title=dataset.title, themes=", ".join(THEMES))
    return {"spec": spec}


def _context(dataset: Dataset, lang: str, seed: int) -> dict[str, str]:
    """Format fields: identifiers, labels and constants for every template."""
    spec = _bank_roles(dataset)["spec"]
    labels = theme_labels(dataset.theme, lang)
    rng = random.Random(f"sqllab-bank:{dataset.theme}:{seed}")
    P, I, E = (dataset.table(spec.tables[r]) for r in ROLES)  # noqa: N806
    pc, ic, ec = (spec.columns[r] for r in ROLES)
    people = [dict(zip(COLUMN_ROLES["people"], (r[P.index(pc[c])] for c in COLUMN_ROLES["people"]))) for r in P.rows]
    items = [dict(zip(COLUMN_ROLES["items"], (r[I.index(ic[c])] for c in COLUMN_ROLES["items"]))) for r in I.rows]
    events = [dict(zip(COLUMN_ROLES["events"], (r[E.index(ec[c])] for c in COLUMN_ROLES["events"]))) for r in E.rows]

    def combined(role: str, col: str | None = None) -> str:
        ident = spec.tables[role] if col is None else spec.columns[role][col]
        label = labels.table_labels[role] if col is None else labels.column_labels[role][col]
        if lang == "ja":
            return f"{label}（{ident}）"
        return f"`{ident}`" if label == ident else f"{label} (`{ident}`)"

    ctx: dict[str, Any] = {
        "P": spec.tables["people"], "I": spec.tables["items"], "E": spec.tables["events"],
        "people": combined("people"), "items": combined("items"), "events": combined("events"),
    }
    for role, prefix in (("people", "p"), ("items", "i"), ("events", "e")):
        for col, ident in spec.columns[role].items():
            ctx[f"{prefix}_{ {'category': 'cat', 'quantity': 'qty'}.get(col, col) }"] = ident
    for key, role, col in (("c_name", "people", "name"), ("c_city", "people", "city"), ("c_score", "people", "score"),
                           ("c_pdate", "people", "date"), ("c_iname", "items", "name"),
                           ("c_cat", "items", "category"), ("c_price", "items", "price"),
                           ("c_extra", "items", "extra"), ("c_person", "events", "person"),
                           ("c_item", "events", "item"), ("c_qty", "events", "quantity"),
                           ("c_edate", "events", "date")):
        ctx[key] = combined(role, col)

    scores = [p["score"] for p in people]
    cities = Counter(p["city"] for p in people if p["city"] is not None)
    city = min(cities, key=lambda c: (-cities[c], c))
    city_scores = sorted({p["score"] for p in people if p["city"] == city})
    x2 = city_scores[-2] if len(city_scores) > 1 else city_scores[0]
    firsts = Counter(p["name"][0] for p in people)
    prefix = min(firsts, key=lambda c: (-firsts[c], c))
    cats = Counter(i["category"] for i in items)
    cat_order = sorted(cats, key=lambda c: (-cats[c], c))
    prices = sorted({i["price"] for i in items})
    y1, y2 = (prices[1], prices[-2]) if len(prices) > 3 else (prices[0], prices[-1])
    extras = [i["extra"] for i in items if i["extra"] is not None]
    z = _middle(extras)
    used_items = {e["item"] for e in events}
    active = Counter(e["person"] for e in events)
    counts = sorted(set(active.values()))
    h2 = counts[len(counts) // 2] if len(counts) > 1 else counts[0]
    sizes = sorted(set(cats.values()))
    h = sizes[-1] if len(sizes) > 1 else sizes[0]
    qty = [e["quantity"] for e in events]
    q = 3 if max(qty) >= 3 else max(qty)
    qd = min(set(qty), key=lambda v: (-qty.count(v), v))
    city_of = {p["id"]: p["city"] for p in people}
    ev_cities = Counter(city_of[e["person"]] for e in events if city_of[e["person"]] is not None)
    item_cat = {i["id"]: i["category"] for i in items}
    ev_cats = Counter(item_cat[e["item"]] for e in events)
    idle = sorted(p["id"] for p in people if p["id"] not in active)
    unused = sorted(i["id"] for i in items if i["id"] not in used_items)
    iid = rng.choice([i["id"] for i in items])
    first_person = min(people, key=lambda p: p["id"])
    consts: dict[str, Any] = {
        "x": _split_point(scores, rng), "x2": x2, "city": city, "prefix": prefix,
        "cat": cat_order[0], "cat2": cat_order[1] if len(cat_order) > 1 else cat_order[0],
        "y1": y1, "y2": y2, "z": z,
        "d": _middle([p["date"] for p in people]), "ed": _middle([e["date"] for e in events]),
        "q": q, "qd": qd, "h": h, "h2": h2,
        "city_ev": min(ev_cities, key=lambda c: (-ev_cities[c], c)),
        "cat_used": min(ev_cats, key=lambda c: (-ev_cats[c], c)),
        "nid": max(p["id"] for p in people) + 1, "neid": max(e["id"] for e in events) + 1,
        "idle_pid": idle[0] if idle else people[0]["id"],
        "unused_iid": unused[0] if unused else items[0]["id"],
        "iid": iid, "new_price": round(next(i["price"] for i in items if i["id"] == iid) + 5, 2),
        "new_name": NEW_NAME[lang], "unknown": UNKNOWN[lang],
    }
    for key, v in consts.items():
        ctx[key] = _show(v, lang)
        ctx[f"{key}_sql"] = _sql(v)
    ctx["prefix_sql"] = _sql(prefix + "%")
    ctx["year_example"] = _show(first_person["date"][:4], lang)
    ctx["label_example"] = _show(f"{first_person['name']} ({first_person['id']})", lang)
    return ctx


# --- picking exercises -------------------------------------------------------------------

def _nudge(sql: str, lang: str) -> str:
    tree = sqlglot.parse_one(sql, read="sqlite")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    tables = sorted({t.name for t in tree.find_all(exp.Table) if t.name not in ctes})
    aliases: set[str] = {a.alias for a in tree.find_all(exp.Alias)}
    columns = {c.name for c in tree.find_all(exp.Column) if c.name and c.name not in aliases}
    for schema in tree.find_all(exp.Schema):  # INSERT INTO t (a, b, ...)
        columns |= {i.name for i in schema.expressions if isinstance(i, exp.Identifier)}
    return NUDGE[lang].format(tables=", ".join(tables), columns=", ".join(sorted(columns)[:4]))


def _build(tpl: Template, ctx: dict[str, str], lang: str) -> Exercise:
    sql = tpl.sql.format(**ctx)
    question = getattr(tpl, lang).format(**ctx)
    if lang == "ja":  # no spaces around 「quoted」 values
        question = re.sub(r" ?(「[^」]*」) ?", r"\1", question)
    ordered = has_top_level_order_by(sql)
    if ordered and re.search(r",\s*id\b(?!\s+DESC)", sql.rsplit("ORDER BY", 1)[-1]):
        question += ORDER_NOTE[lang]
    hints = [_nudge(sql, lang), CONCEPTS[tpl.concept][lang], SKELETON[lang].format(skeleton=tpl.skeleton.format(**ctx))]
    digest = hashlib.sha1(sql.encode()).hexdigest()[:8]
    return Exercise(id=f"{tpl.key}-{digest}", topic=tpl.topic, question=question, reference_sql=sql,
                    difficulty=tpl.difficulty, hints=hints, ordered=ordered, source="bank", lang=lang)


def bank_templates(topic: str | None = None) -> list[Template]:
    return [t for t in TEMPLATES if topic is None or t.topic == topic]


def bank_exercises(dataset: Dataset, topic: str, *, n: int, lang: str | None = None, seed: int = 0,
                   difficulty: str | None = None) -> list[Exercise]:
    """``n`` bank exercises on ``topic`` for ``dataset`` (an offline theme's tables), picked by ``seed``.

    With ``difficulty``, templates of that level come first, then the nearest levels.
    """
    if topic not in TOPICS:
        raise DatasetError(key="dataset.unknown_topic", topic=topic, topics=", ".join(TOPICS))
    if difficulty is not None and difficulty not in DIFFICULTY_RANK:
        raise DatasetError(key="dataset.unknown_difficulty", difficulty=difficulty)
    lang = i18n.normalize_lang(lang or dataset.lang)
    ctx = _context(dataset, lang, seed)
    rng = random.Random(f"sqllab-bank-pick:{dataset.theme}:{topic}:{seed}")
    pool = bank_templates(topic)
    rng.shuffle(pool)
    if difficulty is not None:
        want = DIFFICULTY_RANK[difficulty]
        pool.sort(key=lambda t: abs(DIFFICULTY_RANK[t.difficulty] - want))
    chosen = pool[: max(0, n)]
    chosen.sort(key=lambda t: (DIFFICULTY_RANK[t.difficulty], t.key))
    return [_build(t, ctx, lang) for t in chosen]


def all_bank_exercises(dataset: Dataset, *, lang: str | None = None, seed: int = 0) -> list[Exercise]:
    """Every bank exercise for ``dataset`` (all topics), in template order."""
    lang = i18n.normalize_lang(lang or dataset.lang)
    ctx = _context(dataset, lang, seed)
    return [_build(t, ctx, lang) for t in TEMPLATES]
