"""**Practise this**: after a wrong answer whose cause sqllab diagnosed, one more exercise that
targets the same kind of mistake on the student's data (real SQLite lessons, the real exercise
card clicked as a student would, a scripted loopback LLM for the model's wording).

Each kind's feature and typical mistake are written here again, on their own (sqlglot and
regular expressions), so a test does not trust the module's own reading of a query.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from sqllab import i18n, settings
from sqllab.content import mistake_targets
from sqllab.errors import SQLLabError
from sqllab.grading import grade
from sqllab.grading.diagnosis import CAUSES
from sqllab.notebook import practise_this, widgets
from sqllab.notebook.lesson import Lesson
from sqllab.notebook.progress import ProgressStore

from llm_servers import LLMTestServer, closed_port_url, exercise_writer, ok, status

# --- each kind on its own: the lesson it happens in, the feature a target needs, the typical mistake


def tree(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="sqlite")


def in_condition(node: exp.Expression) -> bool:
    return node.find_ancestor(exp.Where, exp.Having, exp.Join) is not None


def order_keys(sql: str) -> list[exp.Ordered]:
    order = tree(sql).args.get("order")
    return list(order.expressions) if order is not None else []


def has_limit(sql: str) -> bool:
    return tree(sql).args.get("limit") is not None


def outputs(sql: str) -> list[exp.Expression]:
    return list(tree(sql).expressions)


def aggregates(sql: str, *kinds: type) -> list[exp.Expression]:
    return [n for n in tree(sql).find_all(*kinds) if n.find_ancestor(exp.Window) is None
            and not isinstance(n.parent, exp.Window)]


def left_join(sql: str) -> bool:
    return any((j.side or "").upper() == "LEFT" for j in tree(sql).args.get("joins") or [])


def count_of_column(sql: str) -> bool:
    return any(not isinstance(n.this, (exp.Star, exp.Distinct)) for n in aggregates(sql, exp.Count))


FEATURES = {   # what the reference of a target must have
    "boundary_out": lambda sql: any(in_condition(n) for n in tree(sql).find_all(exp.GTE, exp.LTE, exp.Between)),
    "boundary_in": lambda sql: any(in_condition(n) for n in tree(sql).find_all(exp.GT, exp.LT)),
    "null_equals": lambda sql: re.search(r"\bIS (NOT )?NULL\b", sql) is not None,
    "null_missing_compared": lambda sql: re.search(r"\w+ IS NULL OR ", sql) is not None,
    "null_extra_compared": lambda sql: re.search(r"\bIS NOT NULL\b", sql) is not None,
    "distinct_missing": lambda sql: sql.startswith("SELECT DISTINCT "),
    "distinct_merges": lambda sql: "DISTINCT" not in sql and "GROUP BY" not in sql,
    "agg_repeats": lambda sql: re.search(r"(COUNT|SUM|AVG)\(DISTINCT ", sql) is not None,
    "agg_distinct": lambda sql: any(not isinstance(n.this, (exp.Star, exp.Distinct))
                                    for n in aggregates(sql, exp.Count, exp.Sum, exp.Avg)),
    "agg_function": lambda sql: bool(aggregates(sql, exp.Sum, exp.Avg, exp.Min, exp.Max)),
    "count_column": lambda sql: "COUNT(*)" in sql,
    "count_star": count_of_column,
    "count_star_join": lambda sql: left_join(sql) and count_of_column(sql),
    "join_inner": left_join,
    "no_order_by": lambda sql: bool(order_keys(sql)),
    "sort_direction": lambda sql: bool(order_keys(sql)),
    "sort_direction_tie": lambda sql: len(order_keys(sql)) >= 2,
    "sort_direction_limit": lambda sql: bool(order_keys(sql)) and has_limit(sql),
    "order_tie": lambda sql: len(order_keys(sql)) >= 2,
    "sort_tiebreak": lambda sql: len(order_keys(sql)) >= 2,
    "sort_column": lambda sql: bool(order_keys(sql)) and len(outputs(sql)) >= 2,
    "limit": has_limit,
    "limit_tie": lambda sql: len(order_keys(sql)) >= 2 and has_limit(sql),
    "limit_tie_cut": lambda sql: re.search(r"= \(SELECT (MAX|MIN)\(", sql) is not None,
    "column_order": lambda sql: len(outputs(sql)) >= 2,
    "columns_fewer": lambda sql: len(outputs(sql)) >= 2,
    "columns_more": lambda sql: "GROUP BY" not in sql and not aggregates(sql, exp.AggFunc),
}
FEATURES["boundary_out2"] = FEATURES["boundary_out"]

#: the kind a cause is practised on when the bank has no query of its own kind that tells the
#: mistake apart on these lessons' data: every JOIN of the bank goes from the child table to its
#: parent, which every row has, so a LEFT JOIN there changes nothing
PRACTISED_AS = {"join_left": "join_inner"}


def _sub(pattern: str, replacement: str, sql: str) -> list[str]:
    changed = re.sub(pattern, replacement, sql, count=1)
    return [changed] if changed != sql else []


def _flip(sql: str, index: int) -> list[str]:
    keys = order_keys(sql)
    if len(keys) <= index:
        return []
    t = tree(sql)
    key = t.args["order"].expressions[index]
    desc = not key.args.get("desc")
    key.set("desc", desc)
    key.set("nulls_first", not desc)
    return [t.sql(dialect="sqlite")]


def _keys_only(sql: str, keep: list[int]) -> list[str]:
    t = tree(sql)
    if t.args.get("order") is None:
        return []
    t.args["order"].set("expressions", [k for i, k in enumerate(t.args["order"].expressions) if i in keep])
    return [t.sql(dialect="sqlite")]


def _reorder(sql: str, index: int) -> list[str]:
    """The key at ``index`` sorted by each other column shown instead."""
    out = []
    for column in [o for o in outputs(sql) if isinstance(o, exp.Column)]:
        t = tree(sql)
        t.args["order"].expressions[index].set("this", column.copy())
        out.append(t.sql(dialect="sqlite"))
    return out


def _columns(sql: str, change) -> list[str]:
    t = tree(sql)
    t.set("expressions", change(list(t.expressions)))
    return [t.sql(dialect="sqlite")]


def nullable_columns(db: Path, sql: str) -> list[str]:
    table = tree(sql).args["from_"].this.name
    conn = sqlite3.connect(db)
    try:
        return [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")') if not c[3] and not c[5]]
    finally:
        conn.close()


def typical_mistakes(kind: str, sql: str, db: Path) -> list[str]:
    """The mistake of ``kind`` made in ``sql``, as a student would make it."""
    one_line = " ".join(sql.split())
    if kind in ("boundary_out", "boundary_out2"):
        return (_sub(r"(\S+) BETWEEN (\S+) AND (\S+)", r"\1 > \2 AND \1 < \3", one_line)
                + _sub(r">=", ">", one_line) + _sub(r"<=", "<", one_line))
    if kind == "boundary_in":
        return _sub(r"(?<![<>])>(?![=])", ">=", one_line) + _sub(r"<(?![=>])", "<=", one_line)
    if kind == "null_equals":
        return _sub(r"IS NULL", "= NULL", one_line) + _sub(r"IS NOT NULL", "<> NULL", one_line)
    if kind == "null_missing_compared":
        return _sub(r"\S+ IS NULL OR ", "", one_line)
    if kind == "null_extra_compared":
        return (_sub(r" WHERE \S+ IS NOT NULL AND ", " WHERE ", one_line) + _sub(r" AND \S+ IS NOT NULL", "", one_line)
                + _sub(r" WHERE \S+ IS NOT NULL", "", one_line))
    if kind == "distinct_missing":
        return _sub(r"^SELECT DISTINCT ", "SELECT ", one_line)
    if kind == "distinct_merges":
        return _sub(r"^SELECT ", "SELECT DISTINCT ", one_line)
    if kind == "agg_repeats":
        return _sub(r"(COUNT|SUM|AVG)\(DISTINCT ", r"\1(", one_line)
    if kind == "agg_distinct":
        return _sub(r"(COUNT|SUM|AVG)\((?!DISTINCT|\*)", r"\1(DISTINCT ", one_line)
    if kind == "agg_function":
        return [w for a, b in (("SUM", "AVG"), ("AVG", "SUM"), ("MAX", "MIN"), ("MIN", "MAX"), ("AVG", "MAX"))
                for w in _sub(rf"\b{a}\(", f"{b}(", one_line)]
    if kind == "count_column":
        return [w for c in nullable_columns(db, sql) for w in _sub(r"COUNT\(\*\)", f"COUNT({c})", one_line)]
    if kind in ("count_star", "count_star_join"):
        return _sub(r"COUNT\((?!\*|DISTINCT)[^)]*\)", "COUNT(*)", one_line)
    if kind == "join_inner":
        return _sub(r"LEFT JOIN", "JOIN", one_line)
    if kind == "no_order_by":
        return _sub(r" ORDER BY .*?(?= LIMIT|$)", "", one_line)
    if kind in ("sort_direction", "sort_direction_limit"):
        return _flip(one_line, 0)
    if kind == "sort_direction_tie":
        return _flip(one_line, 1)
    if kind in ("order_tie", "limit_tie"):
        return _keys_only(one_line, [0])
    if kind == "sort_tiebreak":
        n = len(order_keys(one_line))
        return _keys_only(one_line, [i for i in range(n) if i != 1]) + _reorder(one_line, 1)
    if kind == "sort_column":
        return _reorder(one_line, 0)
    if kind == "limit":
        n = int(re.search(r"LIMIT (\d+)", one_line).group(1))
        return _sub(r"LIMIT \d+", f"LIMIT {n + 1}", one_line) + _sub(r"LIMIT \d+", f"LIMIT {n - 1}", one_line)
    if kind == "limit_tie_cut":
        return _sub(r"WHERE (\w+) = \(SELECT MAX\(\1\) FROM \w+\)", r"ORDER BY \1 DESC LIMIT 1", one_line)
    if kind == "column_order":
        return _columns(one_line, lambda cols: [cols[1], cols[0], *cols[2:]])
    if kind == "columns_fewer":
        return _columns(one_line, lambda cols: cols[:-1])
    if kind == "columns_more":
        return _columns(one_line, lambda cols: [*cols, exp.column("id")])
    raise AssertionError(f"no typical mistake written for {kind}")


def lesson_of(kind: str) -> str:
    """The lesson whose topic a student makes this mistake in."""
    if kind.startswith(("boundary", "null")):
        return "02_where"
    if kind in ("agg_repeats", "agg_distinct", "agg_function", "count_column", "count_star"):
        return "04_aggregate"
    if kind in ("count_star_join", "join_inner", "join_left"):
        return "05_joins"
    if kind == "limit_tie_cut":
        return "06_subqueries"
    if kind.startswith("column"):
        return "01_select"
    return "03_order"


def make_lesson(tmp_path: Path, lesson_id: str = "02_where", lang: str = "en", **kw) -> Lesson:
    kw.setdefault("llm", "offline")
    return Lesson(lesson_id, lang=lang, seed=kw.pop("seed", 0), student_id=kw.pop("student_id", "amy"), n_exercises=3,
                  progress=ProgressStore(tmp_path / "progress.db"), work_dir=tmp_path / "work", **kw)


@pytest.fixture(scope="module")
def offline_lessons(tmp_path_factory):
    """One offline lesson per (lesson, language), shared by the per-kind tests."""
    made: dict[tuple[str, str], Lesson] = {}

    def get(lesson_id: str, lang: str) -> Lesson:
        if (lesson_id, lang) not in made:
            made[lesson_id, lang] = make_lesson(tmp_path_factory.mktemp(f"{lesson_id}-{lang}"), lesson_id, lang)
        return made[lesson_id, lang]

    return get


def test_every_diagnosis_cause_has_a_kind_and_words_in_both_languages() -> None:
    assert set(mistake_targets.KINDS) == set(CAUSES)
    for key in CAUSES:
        en, ja = i18n.t(f"practise.what.{key}", "en"), i18n.t(f"practise.what.{key}", "ja")
        assert not i18n.has_japanese(en) and i18n.has_japanese(ja)


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("kind", sorted(CAUSES))
def test_offline_practise_this_gives_a_bank_exercise_that_catches_the_kinds_mistake(offline_lessons, kind, lang):
    lesson = offline_lessons(lesson_of(kind), lang)
    exercise = lesson.practise(kind)
    [record] = [r for r in practise_this.records(lesson) if r.exercise.id == exercise.id]
    practised = PRACTISED_AS.get(kind, kind)
    reference = exercise.reference_sql
    assert exercise.id == f"practice-{kind}-1" and exercise.source == "bank" and exercise.lang == lang
    assert record.cause == kind and record.kind == practised and record.reason == "offline"
    assert i18n.has_japanese(exercise.question) == (lang == "ja")
    assert FEATURES[practised](" ".join(reference.split())), reference        # the targeted feature
    wrong = typical_mistakes(practised, reference, lesson.db_path)
    assert wrong, f"{kind}: no typical mistake applies to {reference}"
    verdicts = [grade(lesson.db_path, reference, sql, lang=lang) for sql in wrong]
    assert any(not v.correct for v in verdicts), (kind, reference, wrong)      # the mistake is caught again
    assert not grade(lesson.db_path, reference, record.mistake).correct
    assert grade(lesson.db_path, reference, reference).correct
    assert exercise.id in [e.id for e in lesson.practice_exercises]
    assert record.intro(lang) == i18n.t("practise.intro", lang, what=i18n.t(f"practise.what.{kind}", lang))


def test_the_target_is_deterministic_unseen_and_changes_with_each_practice(tmp_path) -> None:
    first, second = make_lesson(tmp_path / "a"), make_lesson(tmp_path / "b")
    assert first.db_path.read_bytes() == second.db_path.read_bytes()
    a = practise_this.next_target(first, "boundary_out")
    b = practise_this.next_target(second, "boundary_out")
    assert (a.template, a.exercise.reference_sql, a.mistake) == (b.template, b.exercise.reference_sql, b.mistake)
    seen = {mistake_targets.template_key(e) for e in first.exercises}
    assert a.template not in seen                         # where-01 etc. are the lesson's own: others first
    made = [first.practise("boundary_out") for _ in range(3)]
    assert [e.id for e in made] == [f"practice-boundary_out-{k}" for k in (1, 2, 3)]
    assert made[0].reference_sql == a.exercise.reference_sql
    assert len({e.reference_sql for e in made}) == 3       # each practice another exercise
    other = make_lesson(tmp_path / "c", student_id="ben")
    assert practise_this.next_target(other, "boundary_out") is not None


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_button_appears_only_after_a_diagnosed_wrong_answer_and_adds_a_card_below(tmp_path, lang) -> None:
    lesson = make_lesson(tmp_path, lang=lang)
    view = widgets.exercises(lesson)
    card = next(c for c in view.cards if ">=" in c.exercise.reference_sql)
    button = card.practise_button
    assert "sqllab-practise" in button._dom_classes
    assert button.description == {"en": "Practise this", "ja": "この間違いを練習する"}[lang]
    assert button.layout.display == "none"                               # nothing checked yet
    reference = card.exercise.reference_sql
    for sql in (reference, reference.split(" WHERE ")[0], "SELEC nothing"):   # right; wrong, no cause; error
        card.editor.value = sql
        card.check_button.click()
        assert button.layout.display == "none", sql
    card.editor.value = reference.replace(">=", ">")                      # a boundary: diagnosed
    card.check_button.click()
    assert button.layout.display != "none"
    before = len(view.cards)
    button.click()
    card.wait_practice(60)
    assert 'data-sqllab="practise-added"' in card.practise_status.value
    assert "Traceback" not in card.practise_status.value
    assert len(view.cards) == before + 1
    new = view.cards[view.cards.index(card) + 1]                          # right below its card
    assert new.practice is not None and new.exercise.id == "practice-boundary_out-1"
    assert isinstance(new, widgets.ExerciseCard) and "sqllab-practice-card" in new._dom_classes
    intro = i18n.t("practise.intro", lang, what=i18n.t("practise.what.boundary_out", lang))
    assert f"<i>{intro.replace('>', '&gt;')}</i>" in new.question.value
    assert i18n.t("practise.title", lang, n=1) in new.title.value
    assert new in view.children and new.check_button is not card.check_button


def test_practice_attempts_are_recorded_counted_apart_and_kept_after_a_restart(tmp_path) -> None:
    lesson = make_lesson(tmp_path)
    view = widgets.exercises(lesson)
    card = next(c for c in view.cards if ">=" in c.exercise.reference_sql)
    card.editor.value = card.exercise.reference_sql.replace(">=", ">")
    card.check_button.click()
    card.practise_button.click()
    card.wait_practice(60)
    practice = view.practice_cards[0]
    practice.editor.value = practice.exercise.reference_sql.split(" WHERE ")[0]
    practice.check_button.click()
    practice.editor.value = practice.exercise.reference_sql
    practice.check_button.click()
    attempts = ProgressStore(tmp_path / "progress.db").attempts(student="amy", lesson="02_where")
    mine = [a for a in attempts if a.exercise == practice.exercise.id]
    assert [a.correct for a in mine] == [False, True]
    assert lesson.solved_count() == (0, 3) and lesson.practice_count() == (1, 1)
    label = view.progress.label.value
    assert label == "0/3 solved · " + i18n.t("practise.progress", "en", solved=1, total=1)
    assert view.progress.bar.value == 0                                    # the lesson's bar counts its own

    again = make_lesson(tmp_path)                                          # a new kernel, the same student
    assert [e.id for e in again.practice_exercises] == [practice.exercise.id]
    assert again.practice_exercises[0].reference_sql == practice.exercise.reference_sql
    assert again.practice_count() == (1, 1)
    view2 = widgets.exercises(again)
    [restored] = view2.practice_cards
    assert view2.cards.index(restored) == [str(c.exercise.id) for c in view2.cards].index(str(card.exercise.id)) + 1
    assert restored.attempts == 2 and restored.solved
    assert "practice" in view2.progress.label.value
    nobody = make_lesson(tmp_path, student_id="ben")                       # another student's lesson: none
    assert nobody.practice_exercises == [] and nobody.practice_count() == (0, 0)


def test_the_code_api_takes_an_id_a_verdict_a_check_result_or_a_cause_and_says_why_not(tmp_path) -> None:
    lesson = make_lesson(tmp_path, lang="ja")
    exercise = next(e for e in lesson.exercises if ">=" in e.reference_sql)
    with pytest.raises(SQLLabError) as none_yet:
        lesson.practise(exercise.id)
    assert none_yet.value.key == "practise.no_verdict" and i18n.has_japanese(str(none_yet.value))
    lesson.check(exercise, exercise.reference_sql)
    with pytest.raises(SQLLabError) as right:
        lesson.practise(exercise)
    assert right.value.key == "practise.correct"
    lesson.check(exercise, exercise.reference_sql.split(" WHERE ")[0])
    with pytest.raises(SQLLabError) as undiagnosed:
        lesson.practise(exercise.id)
    assert undiagnosed.value.key == "practise.no_cause"
    checked = lesson.check(exercise, exercise.reference_sql.replace(">=", ">"))
    made = [lesson.practise(item) for item in (exercise.id, exercise, checked.verdict, checked)]
    assert [e.id for e in made] == [f"practice-boundary_out-{k}" for k in (1, 2, 3, 4)]
    assert lesson.practise("null_equals").id == "practice-null_equals-1"
    assert practise_this.records(lesson)[0].origin == str(exercise.id)


def test_a_card_on_its_own_puts_its_practice_below_itself_and_says_when_nothing_fits(tmp_path) -> None:
    lesson = make_lesson(tmp_path)
    exercise = next(e for e in lesson.exercises if ">=" in e.reference_sql)
    card = widgets.ExerciseCard(lesson, exercise, 1)                      # no list of cards around it
    card.editor.value = exercise.reference_sql.replace(">=", ">")
    card.check_button.click()
    card.practise_button.click()
    card.wait_practice(60)
    [below] = card.practice_area.children
    assert below.practice is not None and below.exercise.id == "practice-boundary_out-1"
    modify = make_lesson(tmp_path / "modify", "08_modify", "ja")          # no bank UPDATE has an ORDER BY
    with pytest.raises(SQLLabError) as nothing:
        modify.practise("sort_direction")
    assert nothing.value.key == "practise.none" and i18n.has_japanese(str(nothing.value))
    assert modify.practice_exercises == []


# --- the model's wording, on a scripted loopback server -----------------------------------------

PREFIX = {"en": "Exercise: ", "ja": "次の問題です。"}


@pytest.fixture
def writer_llm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A loopback LLM trusted with questions in both languages (not with datasets). The lesson's
    own content job gets an error (so the lesson keeps the bank); ``server.script`` answers the
    practice's question and solve steps, set by each test."""
    caps = tmp_path / "capabilities.toml"
    caps.write_text('min_pass_rate = 0.5\n[profiles.default]\n[profiles.default.pass_rates]\n'
                    + "".join(f'"{task}.{lang}" = 0.0\n' for task in ("table_generation", "dataset_text")
                              for lang in ("en", "ja")))
    monkeypatch.setenv("SQLLAB_CAPABILITIES_FILE", str(caps))
    monkeypatch.setenv("LLM_MAX_RETRIES", "1")
    state = {"writer": None}

    def respond(body: dict):
        properties = (body.get("response_format") or {}).get("json_schema", {}).get("schema", {}).get("properties", {})
        if "queries" in properties:                   # the lesson's own exercises: none today
            return status(500)
        return state["writer"](body) if state["writer"] is not None else None

    server = LLMTestServer(responder=respond)
    server.state = state
    with server:
        monkeypatch.setenv("LLM_API_URL", server.url)
        settings.reload()
        yield server
    settings.reload()


def step(body: dict) -> str:
    properties = (body.get("response_format") or {}).get("json_schema", {}).get("schema", {}).get("properties", {})
    return "queries" if "queries" in properties else "question" if "question" in properties else (
        "solve" if "sql" in properties else "other")


def remote_lesson(tmp_path: Path, lang: str) -> tuple[Lesson, object]:
    lesson = make_lesson(tmp_path, lang=lang, llm="remote", wait=True)
    assert lesson.content.exercise_source == "bank"
    exercise = next(e for e in lesson.exercises if ">=" in e.reference_sql)
    return lesson, exercise


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_models_question_is_used_when_its_round_trip_passes(writer_llm, tmp_path, lang) -> None:
    lesson, exercise = remote_lesson(tmp_path, lang)
    view = widgets.exercises(lesson)
    card = next(c for c in view.cards if c.exercise.id == exercise.id)
    card.editor.value = exercise.reference_sql.replace(">=", ">")
    card.check_button.click()
    card.wait(30)
    target = practise_this.next_target(lesson, exercise.id)
    question = PREFIX[lang] + target.exercise.question
    writer_llm.state["writer"] = exercise_writer([(question, target.exercise.reference_sql)])   # a faithful reader
    start = len(writer_llm.chat_requests)
    card.practise_button.click()
    card.wait_practice(60)
    new = view.practice_cards[0]
    assert new.exercise.source == "llm" and new.exercise.question.startswith(question)
    assert new.exercise.reference_sql == target.exercise.reference_sql         # sqllab's target, the model's words
    assert new.practice.reason == "" and new.practice.note(lang) == ""
    assert 'data-sqllab="badge-info"' in new.title.value                      # the LLM badge
    steps = [step(r.body) for r in writer_llm.chat_requests[start:]]
    assert steps.count("question") == 1 and steps.count("solve") >= 1          # the round trip ran
    solves = [r.body["messages"][-1]["content"] for r in writer_llm.chat_requests[start:] if step(r.body) == "solve"]
    assert all(target.exercise.reference_sql not in p and question in p for p in solves)
    again = make_lesson(tmp_path, lang=lang, llm="remote", wait=True)        # kept with the model's words
    assert again.practice_exercises[0].question == new.exercise.question


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_banks_question_is_used_when_the_round_trip_fails(writer_llm, tmp_path, lang) -> None:
    lesson, exercise = remote_lesson(tmp_path, lang)
    lesson.check(exercise, exercise.reference_sql.replace(">=", ">"))
    target = practise_this.next_target(lesson, exercise.id)
    question = PREFIX[lang] + target.exercise.question
    # the question passes sqllab's own checks, but its reader writes the very mistake practised
    writer_llm.state["writer"] = exercise_writer([(question, target.exercise.reference_sql)],
                                                 solves={question: target.mistake})
    made = lesson.practise(exercise.id)
    [record] = practise_this.records(lesson)
    assert made.source == "bank" and made.question == target.exercise.question and record.reason == "rejected"
    assert made.reference_sql == target.exercise.reference_sql
    steps = [step(r.body) for r in writer_llm.chat_requests]
    assert steps.count("solve") >= 1
    assert record.note(lang) == i18n.t("practise.reason.rejected", lang)


def test_a_slow_model_gives_the_banks_question_within_the_budget(writer_llm, tmp_path) -> None:
    lesson, exercise = remote_lesson(tmp_path, "en")
    lesson.check(exercise, exercise.reference_sql.replace(">=", ">"))
    target = practise_this.next_target(lesson, exercise.id)
    writer_llm.state["writer"] = lambda body: ok(json.dumps({"question": "Too late."}), delay=30)
    started = time.monotonic()
    made = lesson.practise(exercise.id, budget_s=2.0)
    took = time.monotonic() - started
    assert made.source == "bank" and made.question == target.exercise.question
    assert practise_this.records(lesson)[0].reason == "timeout"
    assert took < 8, took


def test_an_unreachable_model_gives_the_banks_question_and_says_why(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LLM_API_URL", closed_port_url())
    monkeypatch.setenv("LLM_MAX_RETRIES", "1")
    settings.reload()
    lesson = make_lesson(tmp_path, lang="ja", llm="remote", wait=True)
    exercise = next(e for e in lesson.exercises if ">=" in e.reference_sql)
    view = widgets.exercises(lesson)
    card = next(c for c in view.cards if c.exercise.id == exercise.id)
    card.editor.value = exercise.reference_sql.replace(">=", ">")
    card.check_button.click()
    card.practise_button.click()
    card.wait_practice(60)
    [new] = view.practice_cards
    assert new.exercise.source == "bank" and new.practice.reason == "unavailable"
    assert i18n.t("practise.reason.unavailable", "ja") in new.question.value
    assert "Traceback" not in card.practise_status.value + new.question.value
