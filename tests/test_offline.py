"""Offline datasets: deterministic per seed, valid, and holding the data the lessons rely on."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

import pytest

from sqllab.dataset import Dataset
from sqllab.db import describe, load_dataset
from sqllab.errors import DatasetError
from sqllab.content.offline import (COLUMN_ROLES, DIFFICULTIES, ROLES, THEMES, generate_offline_dataset, theme_labels)

JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
CASES = [(theme, lang, diff) for theme in THEMES for lang in ("en", "ja") for diff in DIFFICULTIES]


def test_at_least_the_five_themes():
    assert {"shop", "school", "library", "hr", "flights"} <= set(THEMES)


@pytest.mark.parametrize("theme, lang, difficulty", CASES)
def test_same_seed_same_dataset_other_seed_other_dataset(theme, lang, difficulty):
    a = generate_offline_dataset(theme, lang=lang, seed=7, difficulty=difficulty)
    b = generate_offline_dataset(theme, lang=lang, seed=7, difficulty=difficulty)
    c = generate_offline_dataset(theme, lang=lang, seed=8, difficulty=difficulty)
    assert a.model_dump() == b.model_dump()
    assert a.model_dump() != c.model_dump()
    Dataset.model_validate(a.model_dump())  # re-validates from plain data


def roles(ds: Dataset) -> dict[str, list[dict]]:
    spec = THEMES[ds.theme]
    out = {}
    for role in ROLES:
        t = ds.table(spec.tables[role])
        out[role] = [{c: r[t.index(spec.columns[role][c])] for c in COLUMN_ROLES[role]} for r in t.rows]
    return out


@pytest.mark.parametrize("theme, lang, difficulty", CASES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_data_holds_what_the_lessons_need(theme, lang, difficulty, seed):
    ds = generate_offline_dataset(theme, lang=lang, seed=seed, difficulty=difficulty)
    data = roles(ds)
    people, items, events = data["people"], data["items"], data["events"]
    assert len(people) == {"easy": 8, "medium": 15, "hard": 30}[difficulty]
    assert len(people) < len(events)
    # NULLs in the nullable columns, and cities shared by several people
    assert any(p["city"] is None for p in people) and any(i["extra"] is None for i in items)
    assert max(Counter(p["city"] for p in people if p["city"]).values()) >= 2
    # duplicates and a round value among the scores; repeated categories of different sizes
    scores = Counter(p["score"] for p in people)
    assert max(scores.values()) >= 2 and any(s % (10 * THEMES[theme].score_step) == 0 for s in scores)
    cats = Counter(i["category"] for i in items)
    assert len(cats) >= 3 and max(cats.values()) >= 2 and len(set(cats.values())) >= 2
    assert len({c.lower() for c in cats}) == len(cats)
    # INNER and LEFT JOIN differ on both sides
    assert {p["id"] for p in people} - {e["person"] for e in events}
    assert {i["id"] for i in items} - {e["item"] for e in events}
    assert all(e["quantity"] > 0 for e in events)
    # Japanese datasets speak Japanese in names; identifiers stay ASCII
    if lang == "ja":
        assert all(JA.search(p["name"]) for p in people)
    for t in ds.tables:
        assert t.name.isascii() and all(c.name.isascii() for c in t.columns)
        assert all(c.description for c in t.columns)


@pytest.mark.parametrize("theme", list(THEMES))
def test_loads_into_sqlite_with_its_constraints(theme, tmp_path):
    ds = generate_offline_dataset(theme, lang="ja", seed=3, difficulty="medium")
    path = load_dataset(ds, tmp_path / f"{theme}.db")
    desc = describe(path)
    spec = THEMES[theme]
    assert {t.name: t.row_count for t in desc.tables} == {t.name: len(t.rows) for t in ds.tables}
    for role in ("people", "items"):
        assert f"{spec.tables[role]} ||--o{{ {spec.tables['events']}" in desc.mermaid
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    e, q = spec.tables["events"], spec.columns["events"]["quantity"]
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(f"UPDATE {e} SET {q} = 0 WHERE id = 1")


@pytest.mark.parametrize("theme", list(THEMES))
def test_theme_labels_in_both_languages(theme):
    en, ja = theme_labels(theme, "en"), theme_labels(theme, "ja")
    assert str(ja) == ja.title and JA.search(ja.title) and not JA.search(en.title)
    for role in ROLES:
        assert JA.search(ja.table_labels[role]) and en.table_labels[role].isascii()
        assert set(ja.column_labels[role]) == set(COLUMN_ROLES[role])
    assert en.tables == ja.tables and en.tables["people"] == THEMES[theme].tables["people"]


def test_unknown_theme_and_difficulty_are_clear_errors():
    with pytest.raises(DatasetError, match="shop"):
        generate_offline_dataset("zoo")
    with pytest.raises(DatasetError, match="easy, medium, hard"):
        generate_offline_dataset("shop", difficulty="extreme")
