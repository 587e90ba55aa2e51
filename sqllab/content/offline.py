"""Offline practice datasets: procedural, seeded, no LLM (the fallback and CI's deterministic mode).

Every theme has the same three roles, so one exercise bank (``sqllab.content.exercises``) fits all:

- *people* (customers, students, ...): id, name, city (some NULL), a score-like INTEGER with
  duplicates and round values, a DATE;
- *items* (products, courses, ...): id, name, category (repeated), a price-like REAL, a nullable
  INTEGER;
- *events* (orders, enrollments, ...): id, person FK, item FK, quantity (CHECK > 0), a DATE.

Some people have no events and some items are never used, so INNER and LEFT JOIN differ.
Same arguments, same dataset (Faker ``ja_JP``/``en_US`` and ``random`` both seeded).

A theme's names, labels and value ranges are data: ``themes/<theme>.toml`` beside this module,
plus an instructor's ``SQLLAB_CONTENT_DIR/themes/*.toml`` (``sqllab.content.files``; ``README.md``).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from faker import Faker
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from ..dataset import Column, ColumnType, Dataset, ForeignKey, Table, sql_keywords
from ..errors import DatasetError
from . import files

ROLES = ("people", "items", "events")
COLUMN_ROLES = {
    "people": ("id", "name", "city", "score", "date"),
    "items": ("id", "name", "category", "price", "extra"),
    "events": ("id", "person", "item", "quantity", "date"),
}
DIFFICULTIES = ("easy", "medium", "hard")
SIZES = {"easy": (8, 6, 12), "medium": (15, 10, 30), "hard": (30, 16, 70)}  # people, items, events
LOCALES = {"en": "en_US", "ja": "ja_JP"}


@dataclass(frozen=True)
class ThemeSpec:
    """Identifiers, human labels and value ranges of one theme (read from ``themes/<theme>.toml``)."""

    title: dict[str, str]
    tables: dict[str, str]                              # role -> table identifier
    columns: dict[str, dict[str, str]]                  # role -> column role -> identifier
    table_labels: dict[str, dict[str, str]]             # role -> lang -> label
    column_labels: dict[str, dict[str, dict[str, str]]]  # role -> column role -> lang -> label
    item_names: dict[str, list[list[str]]]              # lang -> names per category (one group: any)
    categories: dict[str, list[str]]                    # lang -> categories (at least 4)
    score_step: int                                     # scores are multiples of it
    price_choices: tuple[float, ...]
    extra_max: int


# --- theme files (themes/<theme>.toml; see README.md) ------------------------------------

#: the most items a dataset has (``SIZES["hard"]``): a theme needs at least as many item names
MAX_ITEMS = max(n_items for _, n_items, _ in SIZES.values())
THEME_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_Text = Annotated[StrictStr, Field(min_length=1)]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Labels(_File):
    en: _Text
    ja: _Text


class _Column(_Labels):
    name: _Text


class _Names(_File):
    en: list[_Text] = Field(min_length=1)
    ja: list[_Text] = Field(min_length=1)


class _Category(_Labels):
    names: _Names | None = None


class _PeopleColumns(_File):
    id: _Column
    name: _Column
    city: _Column
    score: _Column
    date: _Column


class _ItemColumns(_File):
    id: _Column
    name: _Column
    category: _Column
    price: _Column
    extra: _Column


class _EventColumns(_File):
    id: _Column
    person: _Column
    item: _Column
    quantity: _Column
    date: _Column


class _Role(_File):
    table: _Text
    label: _Labels


class _People(_Role):
    columns: _PeopleColumns
    score_step: StrictInt = Field(ge=1)


class _Items(_Role):
    columns: _ItemColumns
    price_choices: list[Annotated[float, Field(ge=0)]] = Field(min_length=2)
    extra_max: StrictInt = Field(ge=1)
    categories: list[_Category] = Field(min_length=4)
    names: _Names | None = None


class _Events(_Role):
    columns: _EventColumns


class ThemeFile(_File):
    """One ``themes/<theme>.toml``."""

    order: StrictInt = 1000
    title: _Labels
    people: _People
    items: _Items
    events: _Events


def _theme_problem(f: ThemeFile) -> str | None:
    """What is wrong with a theme file that its types do not say, or None."""
    roles = {"people": f.people, "items": f.items, "events": f.events}
    for role, r in roles.items():
        idents = [("table", r.table)] + [(f"columns.{c}", getattr(r.columns, c).name) for c in COLUMN_ROLES[role]]
        for field, ident in idents:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", ident) or len(ident) > 40:
                return (f"{role}.{field}: {ident!r} is not an SQL identifier (letters, digits and _, "
                        "not starting with a digit, at most 40)")
            if ident.upper() in sql_keywords() or ident.lower().startswith("sqlite_"):
                return f"{role}.{field}: {ident!r} is an SQL keyword; choose another name"
        if r.columns.id.name != "id":
            return f"{role}.columns.id: the key column must be named \"id\" (the bank's SQL says id)"
        names = [ident for _, ident in idents[1:]]
        if len(set(names)) < len(names):
            return f"{role}.columns: two columns have the same name"
    tables = [r.table for r in roles.values()]
    if len(set(tables)) < len(tables):
        return "the three tables need different names"
    if len(set(f.items.price_choices)) < 2:
        return "items.price_choices: give at least two different prices"
    cats = f.items.categories
    for lang in ("en", "ja"):
        labels = [getattr(c, lang) for c in cats]
        if len(set(labels)) < len(labels):
            return f"items.categories: two categories have the same {lang} name"
    with_names = [c for c in cats if c.names is not None]
    if with_names and f.items.names is not None:
        return "items: give names either per category or in [items.names], not both"
    if with_names and len(with_names) < len(cats):
        missing = next(c.en for c in cats if c.names is None)
        return f"items.categories: the category {missing!r} has no names (give every category names, or none)"
    if not with_names and f.items.names is None:
        return "items: no item names; give [items.names] or names.en/names.ja for every category"
    groups = _name_groups(f)
    for k, g in enumerate(groups):
        if len(g.en) != len(g.ja):
            which = f"items.categories[{k + 1}] ({cats[k].en}).names" if with_names else "items.names"
            return f"{which}: en has {len(g.en)} names and ja {len(g.ja)}; they are translations"
    for lang in ("en", "ja"):
        every = [n for g in groups for n in getattr(g, lang)]
        if len(set(every)) < len(every):
            twice = next(n for n in every if every.count(n) > 1)
            return f"items: the {lang} item name {twice!r} occurs twice (item names are unique)"
        if len(every) < MAX_ITEMS:
            return f"items: {len(every)} {lang} item names; a dataset of difficulty hard needs {MAX_ITEMS}"
    sizes = {len(g.en) for g in groups}
    if with_names and len(sizes) == 1 and sizes.pop() * len(groups) == MAX_ITEMS:
        return (f"items.categories: with exactly {MAX_ITEMS} names the categories must not all have the "
                "same number of names (their sizes must differ); add a name")
    return None


def _name_groups(f: ThemeFile) -> list[_Names]:
    """The item names per category, or one group that fits any category."""
    per_category = [c.names for c in f.items.categories if c.names is not None]
    return per_category or ([f.items.names] if f.items.names is not None else [])


def theme_spec(f: ThemeFile) -> ThemeSpec:
    roles = {"people": f.people, "items": f.items, "events": f.events}
    cats = f.items.categories
    groups = _name_groups(f)
    return ThemeSpec(
        title={"en": f.title.en, "ja": f.title.ja},
        tables={role: r.table for role, r in roles.items()},
        columns={role: {c: getattr(r.columns, c).name for c in COLUMN_ROLES[role]} for role, r in roles.items()},
        table_labels={role: {"en": r.label.en, "ja": r.label.ja} for role, r in roles.items()},
        column_labels={role: {c: {"en": getattr(r.columns, c).en, "ja": getattr(r.columns, c).ja}
                              for c in COLUMN_ROLES[role]} for role, r in roles.items()},
        item_names={lang: [list(getattr(g, lang)) for g in groups] for lang in ("en", "ja")},
        categories={lang: [getattr(c, lang) for c in cats] for lang in ("en", "ja")},
        score_step=f.people.score_step, price_choices=tuple(f.items.price_choices), extra_max=f.items.extra_max)


def read_theme(path: Path) -> tuple[int, ThemeSpec]:
    """``(order, spec)`` of one theme file; ConfigError naming the file when it is malformed."""
    if not THEME_NAME.fullmatch(path.stem):
        raise files.invalid(path, "a theme's file name must be lowercase letters, digits, - and _ "
                                  "(the name is the theme's, e.g. shop.toml)")
    data = files.read_toml(path)
    try:
        f = ThemeFile.model_validate(data)
    except ValidationError as exc:
        raise files.invalid(path, files.validation_reason(exc, data)) from None
    problem = _theme_problem(f)
    if problem:
        raise files.invalid(path, problem)
    return f.order, theme_spec(f)


def load_themes() -> dict[str, ThemeSpec]:
    """The built-in themes and the instructor's (``SQLLAB_CONTENT_DIR/themes``), by ``order``, then name.

    An instructor's theme with a built-in name replaces the built-in one.
    """
    found: dict[str, tuple[int, ThemeSpec]] = {}
    for path, _ in files.content_files("themes"):
        found[path.stem] = read_theme(path)
    return {name: spec for name, (_, spec) in sorted(found.items(), key=lambda kv: (kv[1][0], kv[0]))}


#: every theme, by name (``sqllab.content.reload_content`` refills it in place)
THEMES: dict[str, ThemeSpec] = load_themes()


class ThemeLabels(BaseModel):
    """Human labels of a theme in one language; identifiers stay ASCII (``tables``/``columns``)."""

    theme: str
    title: str
    lang: str
    tables: dict[str, str]                  # role -> identifier
    columns: dict[str, dict[str, str]]      # role -> column role -> identifier
    table_labels: dict[str, str]            # role -> label
    column_labels: dict[str, dict[str, str]]  # role -> column role -> label

    def __str__(self) -> str:
        return self.title


def _spec(theme: str) -> ThemeSpec:
    try:
        return THEMES[theme]
    except KeyError:
        raise DatasetError(key="dataset.unknown_theme", theme=theme, themes=", ".join(THEMES)) from None


def theme_labels(theme: str, lang: str = "en") -> ThemeLabels:
    """Title, table and column labels of ``theme`` in ``lang`` (str() gives the title)."""
    s = _spec(theme)
    return ThemeLabels(
        theme=theme, title=s.title[lang], lang=lang, tables=dict(s.tables),
        columns={r: dict(c) for r, c in s.columns.items()},
        table_labels={r: s.table_labels[r][lang] for r in ROLES},
        column_labels={r: {c: s.column_labels[r][c][lang] for c in COLUMN_ROLES[r]} for r in ROLES})


def generate_offline_dataset(theme: str, *, lang: str = "en", seed: int = 0,
                             difficulty: str = "easy") -> Dataset:
    """A valid practice dataset for ``theme``; same arguments give the same dataset."""
    spec = _spec(theme)
    if difficulty not in SIZES:
        raise DatasetError(key="dataset.unknown_difficulty", difficulty=difficulty)
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}")
    rng = random.Random(f"sqllab-offline:{theme}:{lang}:{seed}:{difficulty}")
    fake = Faker(LOCALES[lang])
    fake.seed_instance(rng.getrandbits(32))
    n_people, n_items, n_events = SIZES[difficulty]
    people = _people(spec, fake, rng, n_people)
    items = _items(spec, lang, rng, n_items)
    events = _events(rng, people, items, n_events)
    labels = theme_labels(theme, lang)
    return Dataset(
        title=labels.title, theme=theme, lang=lang,  # type: ignore[arg-type]
        description=_describe(labels),
        tables=[_table(spec, labels, "people", people), _table(spec, labels, "items", items),
                _table(spec, labels, "events", events)])


def _describe(labels: ThemeLabels) -> str:
    t = labels.table_labels
    if labels.lang == "ja":
        return f"{labels.title}のデータ: {t['people']}・{t['items']}・{t['events']}"
    return f"{labels.title} data: {t['people']}, {t['items']} and {t['events']}"


def _people(spec: ThemeSpec, fake: Faker, rng: random.Random, n: int) -> list[list[Any]]:
    names = []
    while len(names) < n:
        name = fake.name()
        if name not in names:
            names.append(name)
    cities: list[str] = []
    while len(cities) < max(3, n // 4):
        city = fake.city()
        if city not in cities:
            cities.append(city)
    weights = [len(cities) - i + 1 for i in range(len(cities))]  # a few big cities, some small ones
    city_of = [rng.choices(cities, weights)[0] for _ in range(n)]
    city_of[0] = city_of[1] = city_of[0] or cities[0]          # one city has two people for sure
    for i in rng.sample(range(2, n), max(1, n // 6)):           # and some people have no city
        city_of[i] = None
    step = spec.score_step
    score = [step * rng.randint(6, 20) for _ in range(n)]
    score[2] = step * 10                                       # a round boundary value
    score[3] = score[0]                                        # and a duplicate
    start = dt.date(2023, 1, 1)
    date = [start + dt.timedelta(days=rng.randint(0, 540)) for _ in range(n)]
    date[4] = date[1]
    return [[i + 1, names[i], city_of[i], score[i], date[i].isoformat()] for i in range(n)]


def _items(spec: ThemeSpec, lang: str, rng: random.Random, n: int) -> list[list[Any]]:
    groups = spec.item_names[lang]
    cats_all = spec.categories[lang]
    if len(groups) == 1:  # names fit any category: deal categories so that their sizes differ
        names = rng.sample(groups[0], n)
        k = min(len(cats_all), max(3, n // 3))
        cats = rng.sample(cats_all, k)
        pattern = [cats[j] for j in range(k) for _ in range(j + 1)]  # sizes 1, 2, 3, ... per round
        plan = [pattern[i % len(pattern)] for i in range(n)]
        rng.shuffle(plan)
    else:
        pool = [(name, cats_all[g]) for g, names_g in enumerate(groups) for name in names_g]
        while True:  # at least three categories, of different sizes (HAVING thresholds matter)
            picked = rng.sample(pool, n)
            sizes = sorted(Counter(c for _, c in picked).values())
            if len(sizes) >= 3 and sizes[-1] >= 2 and sizes[0] < sizes[-1]:
                break
        names, plan = [p[0] for p in picked], [p[1] for p in picked]
    price = [rng.choice(spec.price_choices) for _ in range(n)]
    price[1] = price[0]
    by_cat: dict[str, list[float]] = {}
    for c, p in zip(plan, price):
        by_cat.setdefault(c, []).append(p)
    if len({sum(v) / len(v) for v in by_cat.values()}) == 1:  # category averages must differ
        i = next(k for k in range(2, n) if plan[k] == plan[0] or k == n - 1)
        price[i] = max(spec.price_choices) if price[i] != max(spec.price_choices) else min(spec.price_choices)
    extra: list[int | None] = [rng.randint(0, spec.extra_max) for _ in range(n)]
    for i in rng.sample(range(n), max(1, n // 5)):
        extra[i] = None
    return [[i + 1, names[i], plan[i], price[i], extra[i]] for i in range(n)]


def _events(rng: random.Random, people: list[list[Any]], items: list[list[Any]], n: int) -> list[list[Any]]:
    person_ids = [p[0] for p in people]
    item_ids = [i[0] for i in items]
    idle_people = set(rng.sample(person_ids, max(1, len(person_ids) // 4)))
    unused_items = set(rng.sample(item_ids, max(1, len(item_ids) // 5)))
    active_p = [p for p in person_ids if p not in idle_people]
    active_i = [i for i in item_ids if i not in unused_items]
    pairs = [(p, rng.choice(active_i)) for p in active_p] + [(rng.choice(active_p), i) for i in active_i]
    weights = [1 + (k % 3) * 2 for k in range(len(active_p))]  # some people buy much more than others
    while len(pairs) < n:
        pairs.append((rng.choices(active_p, weights)[0], rng.choice(active_i)))
    per_person = Counter(p for p, _ in pairs)
    if len(set(per_person.values())) == 1 and len(per_person) > 1:  # counts per person must differ
        last_p, last_i = pairs[-1]
        pairs[-1] = (next(p for p in active_p if p != last_p), last_i)
    joined = {p[0]: dt.date.fromisoformat(p[4]) for p in people}
    rows = []
    for p, i in pairs:
        when = joined[p] + dt.timedelta(days=rng.randint(0, 240))
        rows.append([p, i, rng.choices([1, 2, 3, 4, 5], [5, 4, 2, 1, 1])[0], when.isoformat()])
    rows.sort(key=lambda r: (r[3], r[0], r[1]))
    rows[-1][3] = rows[-2][3]  # two events on the same day
    return [[k + 1, *r] for k, r in enumerate(rows)]


def _table(spec: ThemeSpec, labels: ThemeLabels, role: str, rows: list[list[Any]]) -> Table:
    c = spec.columns[role]
    lab = labels.column_labels[role]
    T = ColumnType  # noqa: N806
    if role == "people":
        cols = [Column(name=c["id"], type=T.INTEGER, nullable=False, description=lab["id"]),
                Column(name=c["name"], type=T.TEXT, nullable=False, description=lab["name"]),
                Column(name=c["city"], type=T.TEXT, description=lab["city"]),
                Column(name=c["score"], type=T.INTEGER, nullable=False, check=">= 0", description=lab["score"]),
                Column(name=c["date"], type=T.DATE, nullable=False, description=lab["date"])]
        fks: list[ForeignKey] = []
    elif role == "items":
        cols = [Column(name=c["id"], type=T.INTEGER, nullable=False, description=lab["id"]),
                Column(name=c["name"], type=T.TEXT, nullable=False, unique=True, description=lab["name"]),
                Column(name=c["category"], type=T.TEXT, nullable=False, description=lab["category"]),
                Column(name=c["price"], type=T.REAL, nullable=False, check=">= 0", description=lab["price"]),
                Column(name=c["extra"], type=T.INTEGER, check=">= 0", description=lab["extra"])]
        fks = []
    else:
        cols = [Column(name=c["id"], type=T.INTEGER, nullable=False, description=lab["id"]),
                Column(name=c["person"], type=T.INTEGER, nullable=False, description=lab["person"]),
                Column(name=c["item"], type=T.INTEGER, nullable=False, description=lab["item"]),
                Column(name=c["quantity"], type=T.INTEGER, nullable=False, check="> 0",
                       description=lab["quantity"]),
                Column(name=c["date"], type=T.DATE, nullable=False, description=lab["date"])]
        fks = [ForeignKey(columns=[c["person"]], ref_table=spec.tables["people"], ref_columns=["id"]),
               ForeignKey(columns=[c["item"]], ref_table=spec.tables["items"], ref_columns=["id"])]
    return Table(name=spec.tables[role], columns=cols, primary_key=[c["id"]], foreign_keys=fks, rows=rows,
                 description=labels.table_labels[role])
