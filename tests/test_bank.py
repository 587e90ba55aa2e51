"""The exercise bank: every exercise of every theme, language and topic runs and means something."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from sqllab.dataset import Dataset
from sqllab.db import load_dataset
from sqllab.errors import DatasetError
from sqllab.content.exercises import (TEMPLATES, TOPICS, Exercise, all_bank_exercises, bank_exercises, has_top_level_order_by)
from sqllab.content.offline import THEMES, generate_offline_dataset

JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u309f]")


def canon(rows):
    return Counter(tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in rows)


def order_keys_sql(sql: str) -> str:
    """The reference with its SELECT list replaced by its top-level ORDER BY keys."""
    tree = sqlglot.parse_one(sql, read="sqlite")
    keys = [o.this.copy() for o in tree.args["order"].expressions]
    tree = tree.copy()
    tree.set("expressions", keys)
    return tree.sql(dialect="sqlite")


@pytest.fixture(scope="module")
def lessons(tmp_path_factory) -> dict[tuple[str, str, str, int], tuple[Dataset, Path]]:
    root = tmp_path_factory.mktemp("bank")
    out = {}
    for theme in THEMES:
        for lang in ("en", "ja"):
            for difficulty, seed in (("easy", 0), ("medium", 1), ("hard", 2), ("easy", 5)):
                ds = generate_offline_dataset(theme, lang=lang, seed=seed, difficulty=difficulty)
                out[theme, lang, difficulty, seed] = ds, load_dataset(ds, root / f"{theme}-{lang}-{difficulty}-{seed}.db")
    return out


def test_at_least_eight_templates_per_topic():
    per_topic = Counter(t.topic for t in TEMPLATES)
    assert set(per_topic) == set(TOPICS)
    assert all(n >= 8 for n in per_topic.values()), per_topic
    assert len({t.key for t in TEMPLATES}) == len(TEMPLATES)


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_reference_runs_and_means_something(lessons, theme, lang, tmp_path):
    for (th, lg, difficulty, seed), (ds, db) in lessons.items():
        if (th, lg) != (theme, lang):
            continue
        exercises = all_bank_exercises(ds, lang=lang, seed=seed)
        assert len(exercises) == len(TEMPLATES)
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        whole = [canon(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables]
        for ex in exercises:
            where = f"{theme}/{lang}/{difficulty}/{seed} {ex.id}: {ex.reference_sql}"
            assert ex.source == "bank" and ex.lang == lang and ex.topic in TOPICS
            assert len(ex.hints) == 3 and all(h.strip() for h in ex.hints)
            if lang == "ja":
                assert JA.search(ex.question) and KANA.search(ex.question), where
                assert ex.question.rstrip().endswith("。"), where
                assert all(JA.search(h) for h in ex.hints), where
            else:
                assert not JA.search(ex.question) and not any(JA.search(h) for h in ex.hints), where
            assert ex.ordered == has_top_level_order_by(ex.reference_sql)
            if ex.topic == "modify":
                copy = tmp_path / "copy.db"
                shutil.copy(db, copy)
                work = sqlite3.connect(copy)
                work.execute("PRAGMA foreign_keys = ON")
                target = sqlglot.parse_one(ex.reference_sql, read="sqlite").find(exp.Table).name
                total = work.execute(f'SELECT COUNT(*) FROM "{target}"').fetchone()[0]
                changed = work.execute(ex.reference_sql).rowcount
                assert changed >= 1, where
                if not ex.reference_sql.startswith("INSERT"):
                    assert changed < total, where
                assert work.execute("PRAGMA foreign_key_check").fetchall() == [], where
                work.close()
                continue
            rows = conn.execute(ex.reference_sql).fetchall()
            assert rows, where
            assert canon(rows) not in whole, where
            if ex.ordered:
                keys = conn.execute(order_keys_sql(ex.reference_sql)).fetchall()
                assert len(keys) == len(rows) and len(set(keys)) == len(keys), where
        conn.close()


def test_constants_come_from_the_data(lessons):
    ds, db = lessons["shop", "en", "medium", 1]
    conn = sqlite3.connect(db)
    ex = next(e for e in all_bank_exercises(ds, seed=1) if e.id.startswith("where-01"))
    x = int(re.search(r">= (\d+)", ex.reference_sql).group(1))
    # the threshold is a value in the data, so > and >= give different answers
    assert conn.execute("SELECT COUNT(*) FROM customers WHERE points = ?", (x,)).fetchone()[0] >= 1
    ge = conn.execute(ex.reference_sql).fetchall()
    gt = conn.execute(ex.reference_sql.replace(">=", ">")).fetchall()
    assert len(gt) < len(ge)
    assert str(x) in ex.question


def test_picking_is_deterministic_and_follows_difficulty(lessons):
    ds, _ = lessons["library", "ja", "easy", 0]
    for topic in TOPICS:
        a = bank_exercises(ds, topic, n=4, lang="ja", seed=3)
        b = bank_exercises(ds, topic, n=4, lang="ja", seed=3)
        assert [e.model_dump() for e in a] == [e.model_dump() for e in b]
        assert len(a) == 4 and len({e.id for e in a}) == 4 and all(e.topic == topic for e in a)
        for level in ("easy", "medium", "hard"):
            picked = bank_exercises(ds, topic, n=2, lang="ja", seed=3, difficulty=level)
            assert [e.difficulty for e in picked] == [level, level], (topic, level)
    picks = {tuple(e.id for e in bank_exercises(ds, "where", n=3, seed=s)) for s in range(6)}
    assert len(picks) > 1
    everything = bank_exercises(ds, "joins", n=100, seed=0)
    assert len(everything) == sum(t.topic == "joins" for t in TEMPLATES)


def test_same_exercise_same_id_in_both_languages(lessons):
    en_ds, _ = lessons["hr", "en", "easy", 0]
    en = bank_exercises(en_ds, "aggregate", n=3, lang="en", seed=0)
    ja = bank_exercises(en_ds, "aggregate", n=3, lang="ja", seed=0)
    assert [e.id for e in en] == [e.id for e in ja]
    assert [e.reference_sql for e in en] == [e.reference_sql for e in ja]
    assert all(JA.search(e.question) for e in ja) and not any(JA.search(e.question) for e in en)


def test_exercises_survive_a_json_round_trip(lessons):
    ds, _ = lessons["flights", "ja", "hard", 2]
    for ex in bank_exercises(ds, "window", n=3, seed=0):
        assert Exercise.model_validate_json(ex.model_dump_json()) == ex


def test_unknown_topic_or_foreign_dataset_is_a_clear_error(lessons):
    ds, _ = lessons["shop", "en", "easy", 0]
    with pytest.raises(DatasetError, match="select, where"):
        bank_exercises(ds, "pivot", n=1)
    other = Dataset.model_validate({"title": "mine", "tables": [
        {"name": "t", "columns": [{"name": "id", "type": "INTEGER"}], "primary_key": ["id"], "rows": [[1]]}]})
    with pytest.raises(DatasetError, match="mine"):
        bank_exercises(other, "select", n=1)
