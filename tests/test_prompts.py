"""Prompt registry and templates: versions per task and language, variables checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqllab.llm import prompts
from sqllab.errors import PromptError
from sqllab.llm.prompts import PromptTemplate, get_template

REQUIRED = {"table_generation": {"v1", "v2", "v3"}, "problem_generation": {"v1", "v2", "v3"},
            "feedback": {"v1", "v2", "v3"}}


def test_every_required_task_and_version_exists_in_both_languages() -> None:
    versions = prompts.prompt_versions()
    for task, wanted in REQUIRED.items():
        assert wanted <= set(versions[task]) - {"current"}
        assert versions[task]["current"] in set(versions[task]) - {"current"}
        for version in wanted:
            for lang in ("en", "ja"):
                template = get_template(task, lang, version)
                assert (template.task, template.version, template.lang) == (task, version, lang)
                assert template.system_prompt and template.template and template.description


def test_all_templates_parse_and_declare_exactly_the_variables_they_use() -> None:
    templates = prompts.all_templates()
    assert len(templates) >= 10
    for template in templates:
        assert set(template.variables) == prompts.fields_of(template.template)


def test_japanese_templates_are_japanese() -> None:
    for template in prompts.all_templates():
        has_kana = any("\u3040" <= ch <= "\u30ff" for ch in template.template + template.system_prompt)
        assert has_kana == (template.lang == "ja"), template.name


def test_current_version_is_the_default() -> None:
    assert get_template("table_generation", "en").version == prompts.current_version("table_generation") == "v2"
    assert get_template("table_generation", "en").ref == "table_generation/v2"


def test_format_fills_variables_and_keeps_literal_json_braces() -> None:
    text = get_template("table_generation", "en", "v2").format(theme="library", n_tables=3, n_rows=8,
                                                                difficulty="beginner")
    assert "library" in text and "3 related tables" in text
    assert '{"name": "dataset name"' in text


def test_format_names_missing_and_unknown_variables_in_both_languages() -> None:
    template = get_template("problem_generation", "en", "v1")
    with pytest.raises(PromptError) as info:
        template.format(schema="s", topic="joins", colour="red")
    for lang in ("en", "ja"):
        message = info.value.message_in(lang)
        assert "n" in message.split("colour")[0] and "colour" in message


def test_unknown_task_and_version() -> None:
    with pytest.raises(PromptError) as info:
        get_template("poetry", "en")
    assert "table_generation" in info.value.message_in("en")
    with pytest.raises(PromptError) as info:
        get_template("feedback", "ja", "v99")
    assert "v1" in info.value.message_in("ja")
    with pytest.raises(ValueError):
        get_template("feedback", "fr")


def _write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_prompts_dir_override_and_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLLAB_PROMPTS_DIR", str(tmp_path))
    prompts.reload()
    try:
        _write(tmp_path, "registry.toml", '[demo]\ncurrent = "v1"\n[demo.versions]\nv1 = "d"\n')
        good = ('+++\ntask = "demo"\nversion = "v1"\nlang = "en"\ndescription = "d"\nvariables = ["x"]\n+++\n'
                "<!-- system -->\nsys\n<!-- user -->\nvalue {x} and {{literal}}\n")
        _write(tmp_path, "demo/v1.en.md", good)
        assert get_template("demo", "en").format(x=1) == "value 1 and {literal}\n"
        _write(tmp_path, "demo/v1.ja.md", good.replace('lang = "en"', 'lang = "ja"').replace('["x"]', '["x", "y"]'))
        with pytest.raises(PromptError) as info:
            get_template("demo", "ja")
        assert "declared" in info.value.message_in("en")
    finally:
        monkeypatch.delenv("SQLLAB_PROMPTS_DIR")
        prompts.reload()


def test_positional_fields_are_rejected() -> None:
    with pytest.raises(ValueError):
        prompts.fields_of("a {} b")
    t = PromptTemplate("t", "v1", "en", "s", "{a.b} {c[0]}", ("a", "c"))
    assert t.format(a=type("A", (), {"b": 1})(), c=[2]) == "1 2"


def test_every_template_file_is_registered_and_every_version_has_both_languages() -> None:
    directory = prompts.prompts_dir()
    registered = {(task, version) for task, entry in prompts.registry().items() for version in entry["versions"]}
    on_disk = {(p.parent.name, p.name.split(".")[0]) for p in directory.glob("*/*.md")}
    assert on_disk == registered
    for task, version in registered:
        assert {p.name.split(".")[1] for p in (directory / task).glob(f"{version}.*.md")} == {"en", "ja"}


def test_prompt_versions_env_overrides_the_current_version(monkeypatch: pytest.MonkeyPatch) -> None:
    registry_current = prompts.registry()["feedback"]["current"]
    monkeypatch.setenv("SQLLAB_PROMPT_VERSIONS", " feedback = v1 , problem_generation=v1")
    assert prompts.version_overrides() == {"feedback": "v1", "problem_generation": "v1"}
    assert get_template("feedback", "ja").ref == "feedback/v1"
    assert get_template("problem_generation", "en").version == "v1"
    assert prompts.prompt_versions()["feedback"]["current"] == "v1"
    assert get_template("table_generation", "en").version == prompts.registry()["table_generation"]["current"]
    assert get_template("feedback", "en", "v2").version == "v2"            # an explicit version still wins
    monkeypatch.setenv("SQLLAB_PROMPT_VERSIONS", "feedback=v99")
    with pytest.raises(PromptError):
        get_template("feedback", "en")
    monkeypatch.setenv("SQLLAB_PROMPT_VERSIONS", "feedback")
    with pytest.raises(PromptError):
        prompts.current_version("feedback")
    monkeypatch.delenv("SQLLAB_PROMPT_VERSIONS")
    assert prompts.current_version("feedback") == registry_current


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_exercise_prompts_share_their_opening_so_the_server_reads_the_tables_once(lang) -> None:
    """exercise_sql, exercise_question and exercise_solve (current versions) send the same system
    prompt and the same opening up to the end of the tables: llama.cpp's prompt cache then reads
    the tables once per lesson instead of once per request (docs/results.md, prompts/registry.toml)."""
    schema = 'CREATE TABLE "t" ("id" INTEGER);\n-- sample rows of t (id): (1,)'
    values = {"schema": schema, "topic": "x", "examples": "e", "n": 3, "difficulty": "easy", "sql": "SELECT 1",
              "columns": "c", "used": "u", "constants": "k", "order": "o", "question": "q"}
    rendered = []
    for task in ("exercise_sql", "exercise_question", "exercise_solve"):
        tpl = get_template(task, lang)
        rendered.append(tpl.system_prompt + "\x00" + tpl.format(**{v: values[v] for v in tpl.variables}))
    opening = rendered[0][:rendered[0].index(schema) + len(schema)]
    assert all(r.startswith(opening) for r in rendered)
