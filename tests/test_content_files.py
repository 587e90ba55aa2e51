"""The exercise bank and the offline themes are data files (sqllab/content/bank, sqllab/content/themes),
and an instructor's folder (SQLLAB_CONTENT_DIR) adds to them: a new theme makes datasets the bank
fits, a new template runs on every theme, and a malformed file is named in a ConfigError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from sqllab.cli import main as cli_main
from sqllab.content import reload_content
from sqllab.content.check import check_content
from sqllab.content.exercises import (CONCEPTS, PLACEHOLDERS, TEMPLATES, TOPICS, _context, all_bank_exercises,
                                      bank_templates)
from sqllab.content.files import BUILTIN_DIR, one_line
from sqllab.content.offline import THEMES, generate_offline_dataset
from sqllab.db import load_dataset
from sqllab.errors import ConfigError
from sqllab.sandbox import run_query

ROOT = Path(__file__).resolve().parents[1]
BUILTIN_THEMES = ["shop", "school", "library", "hr", "flights"]

CLINIC = """
title = { en = "Clinic", ja = "診療所" }

[people]
table = "patients"
label = { en = "patients", ja = "患者" }
score_step = 5

[people.columns]
id    = { name = "id",          en = "id",         ja = "ID" }
name  = { name = "name",        en = "name",       ja = "氏名" }
city  = { name = "town",        en = "town",       ja = "町" }
score = { name = "weight",      en = "weight",     ja = "体重" }
date  = { name = "first_visit", en = "first visit", ja = "初診日" }

[items]
table = "treatments"
label = { en = "treatments", ja = "治療" }
price_choices = [10, 25.5, 40, 80]
extra_max = 30

[items.columns]
id       = { name = "id",       en = "id",        ja = "ID" }
name     = { name = "name",     en = "treatment", ja = "治療名" }
category = { name = "ward",     en = "ward",      ja = "診療科" }
price    = { name = "cost",     en = "cost",      ja = "費用" }
extra    = { name = "minutes",  en = "minutes",   ja = "所要時間" }

[[items.categories]]
en = "General"
ja = "内科"
names.en = ["Checkup", "Blood Test", "Flu Shot", "Allergy Test", "Diet Advice"]
names.ja = ["健康診断", "血液検査", "インフルエンザ予防接種", "アレルギー検査", "食事指導"]

[[items.categories]]
en = "Dental"
ja = "歯科"
names.en = ["Cleaning", "Filling", "Crown", "Whitening"]
names.ja = ["歯のクリーニング", "詰め物", "かぶせ物", "ホワイトニング"]

[[items.categories]]
en = "Eye"
ja = "眼科"
names.en = ["Eye Exam", "Glasses Fitting", "Contact Lenses", "Eye Drops"]
names.ja = ["視力検査", "眼鏡の調整", "コンタクトレンズ", "目薬の処方"]

[[items.categories]]
en = "Skin"
ja = "皮膚科"
names.en = ["Skin Check", "Wart Removal", "Acne Care", "Sunburn Care"]
names.ja = ["皮膚の診察", "いぼの除去", "にきびの治療", "日焼けの手当て"]

[events]
table = "visits"
label = { en = "visits", ja = "来院" }

[events.columns]
id       = { name = "id",           en = "id",         ja = "ID" }
person   = { name = "patient_id",   en = "patient",    ja = "患者 ID" }
item     = { name = "treatment_id", en = "treatment",  ja = "治療 ID" }
quantity = { name = "sessions",     en = "sessions",   ja = "回数" }
date     = { name = "visited_on",   en = "visit date", ja = "来院日" }
"""

MY_WHERE = '''
[[template]]
key = "where-mine-01"
difficulty = "medium"
concept = "where_not"
sql = """
SELECT {p_name}, {p_score}
FROM {P}
WHERE NOT ({p_score} >= {x})"""
en = "From {people}, show the {c_name} and {c_score} of everyone whose {c_score} is not {x} or more."
ja = "{people}から、{c_score}が {x} 以上ではない人の{c_name}と{c_score}を表示してください。"
skeleton = """
SELECT {p_name}, {p_score} FROM {P}
WHERE ___ ({p_score} >= {x});"""

[concepts.where_not]
en = "NOT turns a condition around: NOT (a >= b) keeps the rows where a >= b is false."
ja = "NOT は条件を逆にします。NOT (a >= b) は a >= b が偽の行を残します。"
'''


@pytest.fixture
def content(tmp_path, monkeypatch):
    """An instructor's folder in SQLLAB_CONTENT_DIR: ``content(kind, name, text)`` writes a file
    and reads the content again; afterwards the built-in content is read back."""
    folder = tmp_path / "my-content"
    folder.mkdir()
    monkeypatch.setenv("SQLLAB_CONTENT_DIR", str(folder))

    def write(kind: str, name: str, text: str, *, reload: bool = True) -> Path:
        (folder / kind).mkdir(exist_ok=True)
        path = folder / kind / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        if reload:
            reload_content()
        return path

    write.folder = folder  # type: ignore[attr-defined]
    yield write
    monkeypatch.delenv("SQLLAB_CONTENT_DIR")
    reload_content()
    assert list(THEMES) == BUILTIN_THEMES and len(TEMPLATES) == 73


# --- the built-in files ------------------------------------------------------------------

def test_the_built_in_content_is_the_files() -> None:
    assert list(THEMES) == BUILTIN_THEMES       # by their order field: the first is the notebook's default
    assert sorted(THEMES) == sorted(p.stem for p in (BUILTIN_DIR / "themes").glob("*.toml"))
    assert sorted(TOPICS) == sorted(p.stem for p in (BUILTIN_DIR / "bank").glob("*.toml"))
    keys = [tomllib.loads((BUILTIN_DIR / "bank" / f"{topic}.toml").read_text(encoding="utf-8"))["template"]
            for topic in TOPICS]
    assert [t.key for t in TEMPLATES] == [entry["key"] for entries in keys for entry in entries]
    assert {t.concept for t in TEMPLATES} <= set(CONCEPTS)


def test_sql_over_several_lines_reads_as_one_line() -> None:
    assert one_line("\nSELECT a, b\n  FROM t   \nWHERE a > 1\n") == "SELECT a, b FROM t WHERE a > 1"
    tpl = next(t for t in TEMPLATES if t.key == "subqueries-05")   # written over three lines in its file
    assert "\n" not in tpl.sql and tpl.sql.startswith("WITH counts AS (SELECT {e_person}, COUNT(*) AS n FROM {E} ")


@pytest.mark.parametrize("theme", BUILTIN_THEMES)
def test_the_placeholders_are_what_a_template_is_filled_with(theme: str) -> None:
    for lang in ("en", "ja"):
        dataset = generate_offline_dataset(theme, lang=lang, seed=3)
        assert set(_context(dataset, lang, 3)) == PLACEHOLDERS


def test_the_content_folders_ship_in_the_wheel() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    for kind in ("bank", "themes"):
        assert f"sqllab.content.{kind}" in setuptools["packages"]
        assert setuptools["package-data"][f"sqllab.content.{kind}"] == ["*.toml"]
    assert "README.md" in setuptools["package-data"]["sqllab.content"]


# --- an instructor's theme ---------------------------------------------------------------

def test_a_theme_file_in_the_folder_is_a_theme_in_a_fresh_process(tmp_path) -> None:
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "clinic.toml").write_text(CLINIC, encoding="utf-8")
    script = textwrap.dedent("""
        import json, sys
        from sqllab.content.offline import THEMES, generate_offline_dataset
        from sqllab.content.exercises import all_bank_exercises
        from sqllab.db import load_dataset
        from sqllab.sandbox import WRITE_KEYWORDS, main_keyword, run_modification, run_query
        out = {"themes": list(THEMES), "datasets": []}
        for lang in ("en", "ja"):
            for difficulty in ("easy", "medium", "hard"):
                ds = generate_offline_dataset("clinic", lang=lang, seed=4, difficulty=difficulty)
                db = load_dataset(ds, f"{sys.argv[1]}/clinic-{lang}-{difficulty}.db")
                ran = 0
                for ex in all_bank_exercises(ds, lang=lang, seed=4):
                    if main_keyword(ex.reference_sql) in WRITE_KEYWORDS:
                        ran += run_modification(db, ex.reference_sql).changes > 0
                    else:
                        ran += bool(run_query(db, ex.reference_sql).rows)
                out["datasets"].append({"title": ds.title, "tables": [t.name for t in ds.tables],
                                        "rows": [len(t.rows) for t in ds.tables], "ran": ran})
        print(json.dumps(out))
    """)
    env = {**os.environ, "SQLLAB_CONTENT_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert out["themes"] == [*BUILTIN_THEMES, "clinic"]     # no order: after the built-in ones
    assert [d["title"] for d in out["datasets"]] == ["Clinic"] * 3 + ["診療所"] * 3
    assert all(d["tables"] == ["patients", "treatments", "visits"] for d in out["datasets"])
    assert [d["rows"] for d in out["datasets"][:3]] == [[8, 6, 12], [15, 10, 30], [30, 16, 70]]
    assert all(d["ran"] == len(TEMPLATES) for d in out["datasets"])   # every bank exercise fits it
    assert "clinic" not in THEMES                                     # this process never read it


def test_a_theme_with_a_built_in_name_replaces_it_and_order_places_it(content) -> None:
    shop = (BUILTIN_DIR / "themes" / "shop.toml").read_text(encoding="utf-8")
    content("themes", "shop.toml", shop.replace('"Online shop"', '"Corner shop"'))
    assert list(THEMES) == BUILTIN_THEMES and THEMES["shop"].title["en"] == "Corner shop"
    assert generate_offline_dataset("shop", seed=1).title == "Corner shop"
    content("themes", "clinic.toml", "order = 5\n" + CLINIC)
    assert list(THEMES) == ["clinic", *BUILTIN_THEMES]
    assert THEMES["clinic"].price_choices == (10.0, 25.5, 40.0, 80.0)     # TOML integers are prices too


# --- an instructor's templates -----------------------------------------------------------

def test_a_template_in_the_folder_joins_its_topic_and_runs_on_every_theme(content, tmp_path) -> None:
    content("themes", "clinic.toml", CLINIC)
    content("bank", "where.toml", MY_WHERE)
    where = bank_templates("where")
    assert [t.key for t in where][-1] == "where-mine-01" and len(where) == 11
    mine = where[-1]
    assert mine.topic == "where" and mine.sql == "SELECT {p_name}, {p_score} FROM {P} WHERE NOT ({p_score} >= {x})"
    assert CONCEPTS["where_not"]["ja"].startswith("NOT は")
    for theme in THEMES:
        for lang in ("en", "ja"):
            ds = generate_offline_dataset(theme, lang=lang, seed=2, difficulty="medium")
            db = load_dataset(ds, tmp_path / f"{theme}-{lang}.db")
            ex = next(e for e in all_bank_exercises(ds, lang=lang, seed=2) if e.id.startswith("where-mine-01-"))
            assert ex.hints[1] == CONCEPTS["where_not"][lang]
            assert ds.table(THEMES[theme].tables["people"]).name in ex.reference_sql
            assert run_query(db, ex.reference_sql).rows, (theme, lang, ex.reference_sql)
    report = check_content(templates=["where-mine-01"])
    assert report.ok and report.queries == len(THEMES) * 2 * 3, report.problems


def test_a_template_with_a_built_in_key_replaces_it_in_place(content) -> None:
    index = [t.key for t in TEMPLATES].index("where-01")
    content("bank", "where.toml", '''
        [[template]]
        key = "where-01"
        difficulty = "easy"
        concept = "where_compare"
        sql = "SELECT {p_name} FROM {P} WHERE {p_score} >= {x}"
        en = "From {people}, show the {c_name} of everyone whose {c_score} is {x} or more."
        ja = "{people}から、{c_score}が {x} 以上の人の{c_name}を表示してください。"
        skeleton = "SELECT {p_name} FROM {P} WHERE ___;"
    ''')
    assert [t.key for t in TEMPLATES].index("where-01") == index and len(TEMPLATES) == 73
    assert TEMPLATES[index].sql == "SELECT {p_name} FROM {P} WHERE {p_score} >= {x}"


def test_the_check_reports_a_template_that_does_not_run(content) -> None:
    content("bank", "select.toml", '''
        [[template]]
        key = "select-broken"
        difficulty = "easy"
        concept = "select_columns"
        sql = "SELECT no_such_column FROM {P}"
        en = "Show nothing from {people}."
        ja = "{people}から何も表示しません。"
        skeleton = "SELECT ___ FROM {P};"

        [[template]]
        key = "select-empty"
        difficulty = "easy"
        concept = "select_columns"
        sql = "SELECT {p_name} FROM {P} WHERE {p_score} < 0"
        en = "Show the {c_name} of everyone in {people} whose {c_score} is below zero."
        ja = "{people}から、{c_score}が 0 未満の人の{c_name}を表示してください。"
        skeleton = "SELECT ___ FROM {P} WHERE ___;"
    ''')
    report = check_content(themes=["hr"], templates=["select-broken", "select-empty"])
    assert not report.ok and len(report.problems) == 12 and report.queries == 12
    assert report.problems[0].startswith("hr/en/easy select-broken: ") and "no_such_column" in report.problems[0]
    assert report.problems[1] == "hr/en/easy select-empty: returns no rows: SELECT name FROM employees WHERE rating < 0"
    assert cli_main(["content", "check", "--theme", "hr", "--template", "select-broken"]) == 1
    assert cli_main(["content", "check", "--theme", "hr", "--template", "select-01"]) == 0
    assert cli_main(["content", "check", "--theme", "nowhere"]) == 2


# --- malformed files ---------------------------------------------------------------------

GOOD = textwrap.dedent(MY_WHERE)
MALFORMED = [
    ("bank", "where.toml", GOOD.replace('key = "where-mine-01"', 'key = "where-mine-01'),
     ["where.toml", "not valid TOML", "line 3"]),
    ("bank", "where.toml", GOOD.replace('difficulty = "medium"\n', ""),
     ["where.toml", "template[1] (where-mine-01).difficulty", "Field required"]),
    ("bank", "where.toml", GOOD.replace('difficulty = "medium"', 'difficulty = "tricky"'),
     ["where.toml", "template[1] (where-mine-01).difficulty", "'easy', 'medium' or 'hard'"]),
    ("bank", "where.toml", GOOD.replace("skeleton =", "skeletn ="),
     ["where.toml", "skeletn", "Extra inputs are not permitted"]),
    ("bank", "where.toml", GOOD.replace("{p_score} >= {x})\"\"\"", "{p_scor} >= {x})\"\"\""),
     ["where.toml", "template[1] (where-mine-01).sql", "unknown placeholder {p_scor}", "did you mean {p_score}"]),
    ("bank", "where.toml", GOOD.replace("FROM {P}\n", "FROM {people}\n"),
     ["where.toml", "template[1] (where-mine-01).sql", "{people} is a label"]),
    ("bank", "where.toml", GOOD.replace("{x})\"\"\"", "{city})\"\"\""),
     ["where.toml", "template[1] (where-mine-01).sql", "write {city_sql}"]),
    ("bank", "where.toml", GOOD.replace("{c_name} and", "{c_name and"),
     ["where.toml", "template[1] (where-mine-01).en"]),
    ("bank", "where.toml", GOOD.replace('key = "where-mine-01"', 'key = "joins-mine-01"'),
     ["where.toml", "template[1] (joins-mine-01).key", 'starts with "where-"']),
    ("bank", "where.toml", GOOD.replace('concept = "where_not"', 'concept = "where_nott"'),
     ["where.toml", "unknown concept 'where_nott'", "did you mean 'where_not'"]),
    ("bank", "wheres.toml", GOOD, ["wheres.toml", "'wheres' is not a topic", "where.toml"]),
    ("themes", "clinic.toml", CLINIC.replace('date  = { name = "first_visit", en = "first visit", ja = "初診日" }', ""),
     ["clinic.toml", "people.columns.date", "Field required"]),
    ("themes", "clinic.toml", CLINIC.replace('ja = "体重"', 'jp = "体重"'),
     ["clinic.toml", "people.columns.score.ja", "Field required"]),
    ("themes", "clinic.toml", CLINIC.replace('name = "town"', 'name = "home town"'),
     ["clinic.toml", "people.columns.city", "'home town' is not an SQL identifier"]),
    ("themes", "clinic.toml", CLINIC.replace('name = "town"', 'name = "order"'),
     ["clinic.toml", "people.columns.city", "'order' is an SQL keyword"]),
    ("themes", "clinic.toml", CLINIC.replace('table = "visits"', 'table = "patients"'),
     ["clinic.toml", "different names"]),
    ("themes", "clinic.toml", CLINIC.replace(', "Diet Advice"]', "]").replace(', "食事指導"]', "]"),
     ["clinic.toml", "16", "must not all have the same number of names"]),
    ("themes", "clinic.toml", CLINIC.replace(', "Diet Advice"]', "]"),
     ["clinic.toml", "items.categories[1] (General).names", "en has 4 names and ja 5"]),
    ("themes", "clinic.toml", CLINIC.replace('"Filling"', '"Checkup"'),
     ["clinic.toml", "'Checkup' occurs twice"]),
    ("themes", "clinic.toml", CLINIC.replace("score_step = 5", "score_step = 0"),
     ["clinic.toml", "people.score_step", "greater than or equal to 1"]),
    ("themes", "Clinic Theme.toml", CLINIC, ["Clinic Theme.toml", "file name"]),
]


@pytest.mark.parametrize("kind, name, text, expected", MALFORMED, ids=[m[3][1] for m in MALFORMED])
def test_a_malformed_file_is_a_config_error_naming_it(content, kind, name, text, expected) -> None:
    path = content(kind, name, text, reload=False)
    with pytest.raises(ConfigError) as info:
        reload_content()
    message = str(info.value)
    assert message.startswith(f"The content file {path} is not valid: "), message
    for part in expected:
        assert part in message, message
    assert str(path) in info.value.message_in("ja") and "正しくありません" in info.value.message_in("ja")
    assert list(THEMES) == BUILTIN_THEMES and len(TEMPLATES) == 73   # the content read before stays


def test_the_same_files_are_fine(content) -> None:
    """The malformed files above are each one edit away from these, which read."""
    content("bank", "where.toml", GOOD)
    content("themes", "clinic.toml", CLINIC)
    assert "clinic" in THEMES and TEMPLATES[[t.key for t in TEMPLATES].index("where-10") + 1].key == "where-mine-01"


def test_a_concept_defined_in_two_of_the_instructors_files_is_an_error(content) -> None:
    content("bank", "where.toml", GOOD)
    path = content("bank", "select.toml", GOOD[GOOD.index("[concepts.where_not]"):], reload=False)
    with pytest.raises(ConfigError, match=r"where\.toml is not valid: concepts\.where_not: also defined in "
                                          r".*select\.toml"):
        reload_content()
    assert path.name == "select.toml"


def test_a_malformed_built_in_file_is_named_too(tmp_path, monkeypatch) -> None:
    from sqllab.content import files

    fake = tmp_path / "content"
    for kind in ("themes", "bank"):
        (fake / kind).mkdir(parents=True)
        for p in (BUILTIN_DIR / kind).glob("*.toml"):
            (fake / kind / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (fake / "bank" / "order.toml").write_text("[[template]]\nkey = 1\n", encoding="utf-8")
    monkeypatch.setattr(files, "BUILTIN_DIR", fake)
    with pytest.raises(ConfigError, match=r"content file sqllab/content/bank/order\.toml is not valid: "
                                          r"template\[1\]\.key: Input should be a valid string"):
        reload_content()


def test_the_folder_setting_is_checked(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SQLLAB_CONTENT_DIR", str(tmp_path / "nowhere"))
    try:
        with pytest.raises(ConfigError, match=r"SQLLAB_CONTENT_DIR=.*nowhere.* is not valid: .*no such folder"):
            reload_content()
        (tmp_path / "nowhere").mkdir()
        (tmp_path / "nowhere" / "clinic.toml").write_text(CLINIC, encoding="utf-8")
        with pytest.raises(ConfigError, match=r"SQLLAB_CONTENT_DIR=.*neither a themes/ nor a bank/ folder"):
            reload_content()
    finally:
        monkeypatch.delenv("SQLLAB_CONTENT_DIR")
        reload_content()
    assert list(THEMES) == BUILTIN_THEMES


def test_a_malformed_file_stops_the_command_with_its_name(tmp_path) -> None:
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "joins.toml").write_text(GOOD, encoding="utf-8")     # where- keys in joins.toml
    env = {**os.environ, "SQLLAB_CONTENT_DIR": str(tmp_path), "SQLLAB_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "sqllab", "content", "check"], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 2, done.stderr
    assert f"The content file {tmp_path / 'bank' / 'joins.toml'} is not valid" in done.stderr
    assert "Traceback" not in done.stderr
