"""Offline practice datasets: procedural, seeded, no LLM (the fallback and CI's deterministic mode).

Every theme has the same three roles, so one exercise bank (``sqllab.content.exercises``) fits all:

- *people* (customers, students, ...): id, name, city (some NULL), a score-like INTEGER with
  duplicates and round values, a DATE;
- *items* (products, courses, ...): id, name, category (repeated), a price-like REAL, a nullable
  INTEGER;
- *events* (orders, enrollments, ...): id, person FK, item FK, quantity (CHECK > 0), a DATE.

Some people have no events and some items are never used, so INNER and LEFT JOIN differ.
Same arguments, same dataset (Faker ``ja_JP``/``en_US`` and ``random`` both seeded).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from faker import Faker
from pydantic import BaseModel

from ..dataset import Column, ColumnType, Dataset, ForeignKey, Table
from ..errors import DatasetError

ROLES = ("people", "items", "events")
COLUMN_ROLES = {
    "people": ("id", "name", "city", "score", "date"),
    "items": ("id", "name", "category", "price", "extra"),
    "events": ("id", "person", "item", "quantity", "date"),
}
DIFFICULTIES = ("easy", "medium", "hard")
SIZES = {"easy": (8, 6, 12), "medium": (15, 10, 30), "hard": (30, 16, 70)}  # people, items, events
LOCALES = {"en": "en_US", "ja": "ja_JP"}


def L(en: str, ja: str) -> dict[str, str]:  # noqa: N802 - reads like a table of labels
    return {"en": en, "ja": ja}


@dataclass(frozen=True)
class ThemeSpec:
    """Identifiers, human labels and value ranges of one theme."""

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


_ID = L("id", "ID")
THEMES: dict[str, ThemeSpec] = {
    "shop": ThemeSpec(
        title=L("Online shop", "ネットショップ"),
        tables={"people": "customers", "items": "products", "events": "orders"},
        columns={"people": {"id": "id", "name": "name", "city": "city", "score": "points", "date": "joined_on"},
                 "items": {"id": "id", "name": "name", "category": "category", "price": "price", "extra": "stock"},
                 "events": {"id": "id", "person": "customer_id", "item": "product_id", "quantity": "quantity",
                            "date": "ordered_on"}},
        table_labels={"people": L("customers", "顧客"), "items": L("products", "商品"), "events": L("orders", "注文")},
        column_labels={
            "people": {"id": _ID, "name": L("name", "氏名"), "city": L("city", "都市"),
                       "score": L("points", "ポイント"), "date": L("sign-up date", "登録日")},
            "items": {"id": _ID, "name": L("product name", "商品名"), "category": L("category", "カテゴリ"),
                      "price": L("price", "価格"), "extra": L("stock", "在庫数")},
            "events": {"id": _ID, "person": L("customer", "顧客 ID"), "item": L("product", "商品 ID"),
                       "quantity": L("quantity", "数量"), "date": L("order date", "注文日")}},
        item_names={  # per category, in the order of ``categories``
            "en": [["Desk Lamp", "Umbrella", "Plant Pot", "Wall Clock"],
                   ["Backpack", "Scarf", "Sneakers", "Sunglasses"],
                   ["Headphones", "Phone Charger", "Speaker", "Keyboard"],
                   ["Board Game", "Puzzle", "Kite"],
                   ["Coffee Mug", "Tea Kettle", "Cutting Board", "Water Bottle"]],
            "ja": [["デスクライト", "傘", "植木鉢", "掛け時計"],
                   ["リュック", "マフラー", "スニーカー", "サングラス"],
                   ["ヘッドホン", "充電器", "スピーカー", "キーボード"],
                   ["ボードゲーム", "パズル", "凧"],
                   ["マグカップ", "やかん", "まな板", "水筒"]]},
        categories={"en": ["Home", "Fashion", "Electronics", "Toys", "Kitchen"],
                    "ja": ["生活雑貨", "ファッション", "家電", "おもちゃ", "キッチン"]},
        score_step=50, price_choices=(4.5, 9.99, 12.0, 15.5, 20.0, 24.99, 30.0, 45.0, 60.0, 99.0), extra_max=40),
    "school": ThemeSpec(
        title=L("School", "学校"),
        tables={"people": "students", "items": "courses", "events": "enrollments"},
        columns={"people": {"id": "id", "name": "name", "city": "hometown", "score": "score", "date": "admitted_on"},
                 "items": {"id": "id", "name": "title", "category": "subject", "price": "fee", "extra": "capacity"},
                 "events": {"id": "id", "person": "student_id", "item": "course_id", "quantity": "credits",
                            "date": "enrolled_on"}},
        table_labels={"people": L("students", "学生"), "items": L("courses", "講座"),
                      "events": L("enrollments", "履修登録")},
        column_labels={
            "people": {"id": _ID, "name": L("name", "氏名"), "city": L("hometown", "出身地"),
                       "score": L("test score", "試験の点数"), "date": L("admission date", "入学日")},
            "items": {"id": _ID, "name": L("course title", "講座名"), "category": L("subject", "科目"),
                      "price": L("fee", "受講料"), "extra": L("capacity", "定員")},
            "events": {"id": _ID, "person": L("student", "学生 ID"), "item": L("course", "講座 ID"),
                       "quantity": L("credits", "単位数"), "date": L("enrollment date", "登録日")}},
        item_names={
            "en": [["Algebra I", "Geometry", "Statistics", "Calculus"],
                   ["Chemistry Lab", "Biology", "Physics", "Astronomy"],
                   ["Spanish I", "French I", "Japanese I"],
                   ["Drawing", "Choir", "Creative Writing", "Poetry"],
                   ["World History", "Economics", "Ethics", "Philosophy"]],
            "ja": [["代数入門", "幾何学", "統計学", "微分積分"],
                   ["化学実験", "生物学", "物理学", "天文学"],
                   ["スペイン語初級", "フランス語初級", "英会話"],
                   ["デッサン", "合唱", "文章表現", "詩の鑑賞"],
                   ["世界史", "経済学", "倫理学", "哲学"]]},
        categories={"en": ["Math", "Science", "Languages", "Arts", "Humanities"],
                    "ja": ["数学", "理科", "語学", "芸術", "人文"]},
        score_step=5, price_choices=(100.0, 120.0, 150.0, 180.0, 200.0, 250.0, 300.0), extra_max=60),
    "library": ThemeSpec(
        title=L("Library", "図書館"),
        tables={"people": "members", "items": "books", "events": "loans"},
        columns={"people": {"id": "id", "name": "name", "city": "city", "score": "visits", "date": "joined_on"},
                 "items": {"id": "id", "name": "title", "category": "genre", "price": "price", "extra": "pages"},
                 "events": {"id": "id", "person": "member_id", "item": "book_id", "quantity": "copies",
                            "date": "loaned_on"}},
        table_labels={"people": L("members", "会員"), "items": L("books", "本"), "events": L("loans", "貸出")},
        column_labels={
            "people": {"id": _ID, "name": L("name", "氏名"), "city": L("city", "市区町村"),
                       "score": L("visits", "来館回数"), "date": L("join date", "入会日")},
            "items": {"id": _ID, "name": L("title", "書名"), "category": L("genre", "ジャンル"),
                      "price": L("price", "価格"), "extra": L("pages", "ページ数")},
            "events": {"id": _ID, "person": L("member", "会員 ID"), "item": L("book", "本の ID"),
                       "quantity": L("copies", "冊数"), "date": L("loan date", "貸出日")}},
        item_names={
            "en": [["The Silent River", "Blue Mountain", "Glass Garden", "Winter Letters"],
                   ["Night Train", "The Clockwork Fox", "Hidden Harbor", "Paper Moon"],
                   ["Copper Sky", "Northern Lights", "Small Wonders", "Salt and Stone"],
                   ["The Map Maker", "Iron Bridge", "The Last Orchard"],
                   ["A Quiet Year", "Summer Rain", "Open Doors"]],
            "ja": [["静かな川", "青い山脈", "ガラスの庭", "冬の手紙"],
                   ["夜行列車", "からくり狐", "隠れた港", "紙の月"],
                   ["銅色の空", "北の光", "小さな奇跡", "塩と石"],
                   ["地図職人", "鉄の橋", "最後の果樹園"],
                   ["穏やかな一年", "夏の雨", "開かれた扉"]]},
        categories={"en": ["Novel", "Mystery", "Science", "History", "Poetry"],
                    "ja": ["小説", "ミステリー", "科学", "歴史", "詩集"]},
        score_step=2, price_choices=(8.0, 9.5, 12.0, 14.0, 18.5, 22.0, 25.0, 30.0), extra_max=600),
    "hr": ThemeSpec(
        title=L("Human resources", "人事"),
        tables={"people": "employees", "items": "projects", "events": "assignments"},
        columns={"people": {"id": "id", "name": "name", "city": "office", "score": "rating", "date": "hired_on"},
                 "items": {"id": "id", "name": "name", "category": "department", "price": "budget",
                           "extra": "headcount"},
                 "events": {"id": "id", "person": "employee_id", "item": "project_id", "quantity": "hours",
                            "date": "assigned_on"}},
        table_labels={"people": L("employees", "社員"), "items": L("projects", "プロジェクト"),
                      "events": L("assignments", "アサイン")},
        column_labels={
            "people": {"id": _ID, "name": L("name", "氏名"), "city": L("office", "勤務地"),
                       "score": L("rating", "評価点"), "date": L("hire date", "入社日")},
            "items": {"id": _ID, "name": L("project name", "プロジェクト名"), "category": L("department", "部署"),
                      "price": L("budget", "予算"), "extra": L("planned headcount", "予定人数")},
            "events": {"id": _ID, "person": L("employee", "社員 ID"), "item": L("project", "プロジェクト ID"),
                       "quantity": L("hours", "作業時間"), "date": L("assignment date", "アサイン日")}},
        item_names={
            "en": [["Apollo", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iris", "Juniper",
                   "Kestrel", "Lumen", "Mosaic", "Nimbus", "Orchid", "Pioneer", "Quartz", "Rivet"]],
            "ja": [["あさひ", "いずみ", "うみかぜ", "えがお", "おおぞら", "かけはし", "きらぼし", "くすのき", "けやき",
                   "こもれび", "さくら", "しおさい", "すばる", "せせらぎ", "そよかぜ", "たいよう", "ちどり", "つばさ"]]},
        categories={"en": ["Sales", "Engineering", "Marketing", "Finance", "Support"],
                    "ja": ["営業部", "開発部", "マーケティング部", "経理部", "サポート部"]},
        score_step=10, price_choices=(5000.0, 8000.0, 12000.0, 15000.0, 20000.0, 30000.0, 45000.0), extra_max=12),
    "flights": ThemeSpec(
        title=L("Airline", "航空会社"),
        tables={"people": "passengers", "items": "flights", "events": "bookings"},
        columns={"people": {"id": "id", "name": "name", "city": "home_city", "score": "miles",
                            "date": "registered_on"},
                 "items": {"id": "id", "name": "flight_no", "category": "destination", "price": "fare",
                           "extra": "delay_minutes"},
                 "events": {"id": "id", "person": "passenger_id", "item": "flight_id", "quantity": "seats",
                            "date": "booked_on"}},
        table_labels={"people": L("passengers", "乗客"), "items": L("flights", "便"), "events": L("bookings", "予約")},
        column_labels={
            "people": {"id": _ID, "name": L("name", "氏名"), "city": L("home city", "居住地"),
                       "score": L("miles", "マイル"), "date": L("registration date", "登録日")},
            "items": {"id": _ID, "name": L("flight number", "便名"), "category": L("destination", "行き先"),
                      "price": L("fare", "運賃"), "extra": L("delay in minutes", "遅延（分）")},
            "events": {"id": _ID, "person": L("passenger", "乗客 ID"), "item": L("flight", "便 ID"),
                       "quantity": L("seats", "座席数"), "date": L("booking date", "予約日")}},
        item_names={"en": [[f"SQ{n}" for n in range(101, 119)]], "ja": [[f"SQ{n}" for n in range(101, 119)]]},
        categories={"en": ["Tokyo", "Osaka", "Sapporo", "Fukuoka", "Naha"],
                    "ja": ["東京", "大阪", "札幌", "福岡", "那覇"]},
        score_step=500, price_choices=(89.0, 120.0, 150.0, 180.0, 210.0, 260.0, 320.0), extra_max=90),
}


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
