"""Generation: the LLM proposes, sqllab verifies by executing; what fails is repaired or replaced.

Against a scripted loopback server (full-size model behaviour, good and bad) and the real
embedded SmolLM2 (small-model jobs). Nothing asserts on prose: only on structure, verification
and fallbacks.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from sqllab import settings
from sqllab.db import load_dataset
from sqllab.content.exercises import TOPICS
from sqllab.content.exercises import Exercise
from sqllab.content.generation import (ambiguous_neighbours, check_exercise, check_reference, check_question, compared_conditions, dataset_problems, foreign_values, generate_content, generate_dataset, generate_exercises, has_japanese, unstated_constants)
from sqllab.llm import LLMClient, RetryConfig
from sqllab.content.offline import THEMES, generate_offline_dataset
from sqllab.sandbox import run_modification, run_query

from llm_servers import LLMTestServer, closed_port_url, exercise_writer, ok

SHOP_SCHEMA_HINT = "customers"


@pytest.fixture
def full_profile(monkeypatch):
    """Treat the scripted server as a capable model (every task)."""
    monkeypatch.setenv("SQLLAB_MODEL_PROFILE", "default")


def client_for(url: str) -> LLMClient:
    return LLMClient(url, "gpt-3.5-turbo", timeout=10, max_retries=1, retry=RetryConfig(base_delay=0.01))


def independent_check(db: Path, exercise) -> None:
    """What a student will meet: the reference runs on the lesson DB and returns/changes rows."""
    if exercise.topic == "modify":
        assert run_modification(db, exercise.reference_sql).changes >= 1
    else:
        assert run_query(db, exercise.reference_sql).rows


def exercises_json(*items: tuple[str, str]) -> str:
    return json.dumps({"exercises": [{"question": q, "reference_sql": sql, "hints": ["a", "b"],
                                       "difficulty": "beginner"} for q, sql in items]})


def dataset_json(bad_fk: bool = False, hostile: bool = False, thin: bool = False) -> str:
    """A club dataset that makes a good lesson (fitness rules), or a ``thin`` one (ids and names)."""
    people = "x\"; DROP TABLE t; --" if hostile else "members"
    col = lambda name, kind, nullable=True, ref=None: {  # noqa: E731
        "name": name, "type": kind, "primary_key": name == "id", "nullable": nullable, "references": ref}
    members = [[1, "Ann", "Leeds", 30], [2, "Bob", None, 41], [3, "Cy", "York", 30], [4, "Di", "Leeds", 52],
               [5, "Ed", "Hull", 27], [6, "Flo", "York", 35], [7, "Gus", None, 44], [8, "Hal", "Leeds", 38]]
    visits = [[1, 1, "2024-01-02", 30], [2, 99 if bad_fk else 1, "2024-01-05", 45], [3, 3, "2024-02-01", 60],
              [4, 4, "2024-02-03", 30], [5, 5, "2024-02-10", 90], [6, 3, "2024-03-01", 15],
              [7, 6, "2024-03-04", 45], [8, 8, "2024-03-09", 60]]
    member_cols = [col("id", "INTEGER", False), col("name", "TEXT", False), col("city", "TEXT"),
                   col("age", "INTEGER")]
    visit_cols = [col("id", "INTEGER", False),
                  col("member_id", "INTEGER", False, f"{'members' if not hostile else people}.id"),
                  col("day", "DATE", False), col("minutes", "INTEGER", False)]
    if thin:
        member_cols, visit_cols = member_cols[:2], visit_cols[:2]
        members, visits = [r[:2] for r in members[:3]], [r[:2] for r in visits[:3]]
    return json.dumps({"name": "club", "description": "a club", "tables": [
        {"name": people, "description": "people", "columns": member_cols, "rows": members},
        {"name": "visits", "description": "visits", "columns": visit_cols, "rows": visits}]})


# --- datasets -----------------------------------------------------------------------------

def test_dataset_from_llm_is_validated_repaired_and_loaded(full_profile) -> None:
    with LLMTestServer([ok("{not json"), ok(dataset_json(bad_fk=True)), ok(dataset_json())]) as server:
        dataset = generate_dataset("club", lang="en", seed=1, client=client_for(server.url))
        assert server.chat_count == 3
        repair_prompt = server.chat_requests[2].body["messages"][-1]["content"]
    assert dataset.source == "llm"
    assert {t.name for t in dataset.tables} == {"members", "visits"}
    assert "99" in repair_prompt and "members.id" in repair_prompt   # the checker's problem went back


def test_hostile_identifiers_never_reach_sqlite_and_end_in_the_offline_dataset(full_profile, tmp_path) -> None:
    with LLMTestServer(default=ok(dataset_json(hostile=True))) as server:
        dataset = generate_dataset("shop", lang="en", seed=1, client=client_for(server.url))
        whole = [r for r in server.chat_requests if _asks_for_tables(r.body)]
        assert len(whole) == 3      # the first answer and two repair rounds, all rejected
        assert server.chat_count > 3  # then the smaller job (names for the offline shape), rejected too
    assert dataset.source == "bank" and dataset.notice
    assert dataset.theme == "shop"
    load_dataset(dataset, tmp_path / "ok.db")


def test_llm_down_gives_the_offline_dataset_with_a_notice_in_the_language(full_profile) -> None:
    dataset = generate_dataset("school", lang="ja", seed=2, client=client_for(closed_port_url()))
    assert dataset.source == "bank"
    assert has_japanese(dataset.notice)
    again = generate_dataset("school", lang="ja", seed=2, client=client_for(closed_port_url()))
    assert again.tables == dataset.tables      # the same offline dataset: deterministic


def _asks_for_tables(body: dict) -> bool:
    return "tables" in json.dumps(body["response_format"]["json_schema"]["schema"].get("properties", {}))


def test_a_thin_llm_dataset_goes_back_with_the_fitness_rules_then_the_smaller_job(full_profile) -> None:
    """2 tables of ids and names pass validation but make no lesson on WHERE/NULL: the fitness
    problems go back for repair; still thin, the model names the offline shape's rows instead."""
    names = json.dumps({"names": ["Alpha Desk", "Beta Lamp", "Gamma Chair", "Delta Shelf", "Echo Rug",
                                  "Foxtrot Vase"]})

    def responder(body: dict):
        return ok(dataset_json(thin=True)) if _asks_for_tables(body) else None

    with LLMTestServer(responder=responder, default=ok(names)) as server:
        dataset = generate_dataset("shop", lang="en", seed=1, topics=("where",), client=client_for(server.url))
        whole = [r for r in server.chat_requests if _asks_for_tables(r.body)]
        repair_prompt = whole[1].body["messages"][-1]["content"]
    assert len(whole) == 3
    assert "date column" in repair_prompt and "at least 5 rows" in repair_prompt and "null" in repair_prompt
    assert dataset.theme == "shop" and {t.name for t in dataset.tables} == set(THEMES["shop"].tables.values())
    assert not dataset_problems(dataset, ("where", "aggregate", "joins"))   # the offline shape is fit


def test_fitness_rules_name_what_a_lesson_needs() -> None:
    from sqllab.dataset import Dataset

    good = Dataset.parse_llm_json(dataset_json(), theme="club", lang="en")
    assert dataset_problems(good) == []
    assert any("null" in p for p in dataset_problems(good.model_copy(update={"tables": [
        t.model_copy(update={"rows": [[v if v is not None else "Leeds" for v in r] for r in t.rows]})
        for t in good.tables]}), ("where",)))
    thin = Dataset.parse_llm_json(dataset_json(thin=True), theme="club", lang="en")
    problems = dataset_problems(thin, ("aggregate", "joins"))
    assert any("number column" in p for p in problems) and any("date column" in p for p in problems)
    assert any("repeated values" in p for p in problems)
    ja = Dataset.parse_llm_json(dataset_json(), theme="club", lang="ja")
    assert any("Japanese" in p for p in dataset_problems(ja))


# --- exercises ----------------------------------------------------------------------------

@pytest.fixture
def shop_db(tmp_path):
    dataset = generate_offline_dataset("shop", lang="en", seed=4)
    return dataset, load_dataset(dataset, tmp_path / "shop.db")


def test_only_verified_llm_exercises_are_kept_and_the_bank_fills_the_rest(full_profile, shop_db) -> None:
    dataset, db = shop_db
    writer = exercise_writer([
        ("Show the names of customers whose name starts with Zz.",
         "SELECT name FROM customers WHERE name LIKE 'Zz%'"),                         # no rows
        ("List everything.", "SELECT * FROM customers"),                            # whole table
        ("Show the points of the customer called Bob.", "SELECT points FROM nope"),  # fails
        ("Show names with points of at least 100.", "SELECT name FROM customers WHERE points >= 100")])
    # (none of the three is one sqllab mends itself: tests/test_mend.py)
    with LLMTestServer(responder=writer) as server:
        exercises = generate_exercises(dataset, "where", n=3, lang="en", seed=1, client=client_for(server.url))
        # the queries, a repair round (the same bad ones come back), then one question and its round
        # trip (a solve from the question alone): the only query that passed gets a question written
        assert server.chat_count == 4
        repair = server.chat_requests[1].body["messages"][-1]["content"]
        assert "return at least one row" in repair and "whole table" in repair and "nope" in repair
    assert len(exercises) == 3
    llm = [e for e in exercises if e.source == "llm"]
    assert [e.reference_sql for e in llm] == ["SELECT name FROM customers WHERE points >= 100"]
    for e in exercises:
        independent_check(db, e)
        assert len(e.hints) == 3


def test_no_request_is_started_that_would_end_past_the_lessons_time_budget(full_profile, shop_db) -> None:
    """The lesson job's clock (GenerationProgress) near READY_BUDGET_S: the queries' first round
    runs, then no repair and no question; the bank fills the lesson. With time left, the same
    writer gets its repair round and a question (the test above)."""
    from sqllab.content import generation
    from sqllab.content.jobs import GenerationProgress

    dataset, _ = shop_db
    writer = exercise_writer([
        ("List everything.", "SELECT * FROM customers"),                            # whole table: repair
        ("Show names with points of at least 100.", "SELECT name FROM customers WHERE points >= 100")])
    late = GenerationProgress()
    late.started -= generation.READY_BUDGET_S - generation.QUESTION_S / 2     # a few seconds left
    with LLMTestServer(responder=writer) as server:
        exercises = generate_exercises(dataset, "where", n=2, lang="en", seed=1, client=client_for(server.url),
                                       progress=late)
        assert server.chat_count == 1                                        # the first round only
    assert len(exercises) == 2 and all(e.source == "bank" for e in exercises)
    early = GenerationProgress()
    with LLMTestServer(responder=writer) as server:
        exercises = generate_exercises(dataset, "where", n=2, lang="en", seed=1, client=client_for(server.url),
                                       progress=early)
        assert server.chat_count == 4                              # queries, repair, a question, its solve
    assert [e.source for e in exercises] == ["llm", "bank"]


def test_exercise_whose_answer_depends_on_ties_is_rejected(full_profile, shop_db) -> None:
    dataset, db = shop_db
    points = [r[3] for r in dataset.table("customers").rows]
    tied = max(set(points), key=points.count)
    assert points.count(tied) >= 2
    tie = f"SELECT name FROM customers WHERE points >= {tied} ORDER BY points LIMIT 1"
    with LLMTestServer(responder=exercise_writer([("Who has the most points?", tie)])) as server:
        exercises = generate_exercises(dataset, "order", n=1, lang="en", seed=1, client=client_for(server.url))
    # never shown as the model wrote it: sqllab breaks the tie with the primary key (content/mend.py),
    # or the bank fills in
    assert exercises[0].reference_sql != tie
    assert exercises[0].source == "bank" or exercises[0].reference_sql.endswith("ORDER BY points, id LIMIT 1")
    problems = check_exercise(db, Exercise(id="x", topic="order", question="Who has the most points?",
                                           reference_sql=tie, hints=["a", "b", "c"], source="llm"), "order")
    assert any("order" in p or "ties" in p for p in problems), problems


def test_a_question_must_state_every_constant_of_its_reference() -> None:
    sql = "SELECT name FROM customers WHERE city = '稲城市' AND points >= 850 AND joined < '2024-03-01'"
    assert unstated_constants("特定の地域の顧客で、850 ポイント以上の人は？", sql, "ja") == ["'稲城市'", "'2024-03-01'"]
    assert unstated_constants("稲城市の顧客で、ポイントが８５０以上、2024年3月1日より前に登録した人は？", sql, "ja") == []
    en = "SELECT name FROM items WHERE name LIKE 'Desk%' ORDER BY price DESC LIMIT 3"
    assert unstated_constants("The three most expensive items whose name starts with Desk.", en, "en") == []
    assert set(unstated_constants("The most expensive items with a certain name.", en, "en")) == {"'Desk%'", "3"}
    # a function's own argument (a strftime format) is not a constant the student must be told
    assert unstated_constants("Orders of 2024.", "SELECT id FROM orders WHERE strftime('%Y', day) = '2024'",
                              "en") == []


def test_a_question_written_for_another_query_or_without_its_order_is_rejected() -> None:
    sql = "SELECT name, points FROM customers WHERE city = '墨田区' ORDER BY points DESC, id"

    def question(text: str, lang: str = "ja") -> list[str]:
        return check_question(Exercise(id="x", topic="order", question=text, reference_sql=sql,
                                       hints=["a", "b", "c"], source="llm", lang=lang))

    copied = "住んでいる市が「稲城市」で、ポイントが 850 以上の会員の名前を表示してください。"   # the example's
    assert foreign_values(copied, sql) == ["「稲城市」"]
    assert foreign_values("「墨田区」の顧客の「名前」列と「ポイント」を表示", sql) == []     # column names, not values
    assert any("稲城市" in p for p in question(copied))
    assert any("which order" in p for p in question("「墨田区」の顧客の名前とポイントを表示してください。"))
    assert question("「墨田区」の顧客の名前とポイントを、ポイントの高い順（同じなら id 順）に表示してください。") == []
    assert any("which order" in p for p in question("Show the name and points of customers in 墨田区.", "en"))
    assert any("Japanese" in p for p in question("Show the name and points of the customers, highest first."))
    # the question step is told, in the lesson's language, what to put into words
    conditions = compared_conditions("SELECT DISTINCT city FROM customers WHERE points >= 850 LIMIT 3", "ja")
    assert conditions[0].startswith("DISTINCT") and "points >= 850 (points が 850 以上)" in conditions
    assert any(c.startswith("LIMIT 3") and "3 行" in c for c in conditions)


@pytest.mark.parametrize("lang, wrong, right", [
    ("ja", "ポイントが 500 以上の顧客を、名前の降順に表示してください。",
     "ポイントが 500 より大きい顧客を、名前の昇順に表示してください。"),
    ("en", "Show customers with at least 500 points, names in descending order.",
     "Show customers with more than 500 points, names in alphabetical order."),
])
def test_a_question_with_the_wrong_boundary_or_direction_is_rejected(lang, wrong, right) -> None:
    sql = "SELECT name FROM customers WHERE points > 500 ORDER BY name"
    exercise = lambda q: Exercise(id="x", topic="order", question=q, reference_sql=sql,  # noqa: E731
                                  hints=["a", "b", "c"], source="llm", lang=lang)
    problems = check_question(exercise(wrong))
    assert any("boundary of points > 500" in p for p in problems), problems
    assert any("descending order but the answer sorts ascending" in p for p in problems), problems
    assert check_question(exercise(right)) == []


def test_a_question_about_other_columns_than_its_answer_is_rejected(shop_db) -> None:
    _, db = shop_db
    sql = "SELECT product_id, SUM(quantity) AS total FROM orders GROUP BY product_id ORDER BY total DESC, product_id LIMIT 3"
    exercise = lambda q: Exercise(id="x", topic="aggregate", question=q, reference_sql=sql,  # noqa: E731
                                  hints=["a", "b", "c"], source="llm", lang="ja")
    assert any("column quantity" in p for p in check_question(exercise("ポイントが最も高い 3 件の商品を表示してください。"), db))
    assert check_question(exercise("商品ごとの数量（quantity）の合計が最も多い 3 件を、多い順に表示してください。"), db) == []
    city = "SELECT name, points FROM customers WHERE city = '墨田区' AND points >= 750"
    where = lambda q: Exercise(id="y", topic="where", question=q, reference_sql=city,  # noqa: E731
                               hints=["a", "b", "c"], source="llm", lang="ja")
    assert check_question(where("墨田区でポイントが 750 以上の顧客の名前とポイントを表示してください。"), db) == []
    assert any("Korean" in p for p in check_question(where("墨田区でポイントが750以上인顧客の名前とポイント"), db))


def test_the_question_checks_accept_every_bank_exercise(tmp_path) -> None:
    """The checks that send an LLM question back hold for the hand-written bank (no false alarms
    on quoted example values, boundaries, orders), in both languages and every theme."""
    from sqllab.content.exercises import bank_exercises

    for lang in ("en", "ja"):
        for theme in THEMES:
            dataset = generate_offline_dataset(theme, lang=lang, seed=3)
            db = load_dataset(dataset, tmp_path / f"{theme}-{lang}.db")
            for topic in TOPICS:
                for e in bank_exercises(dataset, topic, n=50, lang=lang, seed=1):
                    assert check_question(e, db) == [], (e.id, e.question)   # (a bank hint may show SQL)


def test_sqllab_states_the_order_a_question_leaves_out_but_not_over_a_wrong_one() -> None:
    from sqllab.content.generation import with_order

    sql = "SELECT name, joined_on FROM customers ORDER BY joined_on, id"
    stated = with_order("顧客の氏名（name）と登録日（joined_on）を表示してください。", sql, "ja")
    assert stated.endswith("joined_on の昇順（小さい順）、同じなら id の昇順（小さい順）としてください。")
    assert with_order("Show name and joined_on, earliest first, ties by id.", sql, "en").endswith("by id.")
    assert "then by id" in with_order("Show name and joined_on, earliest first.", sql, "en")   # the tie-break
    wrong = "Show name and joined_on, newest first."
    assert with_order(wrong, sql, "en") == wrong                    # left for check_question to send back
    assert with_order("Show the names.", "SELECT name FROM customers", "en") == "Show the names."


def test_hints_are_sqllabs_never_the_models(full_profile, shop_db) -> None:
    """The model's hints are not shown (they named clauses the query lacked, and their last level
    was often the whole query): an LLM exercise's hints are derived by sqllab from its reference."""
    from sqllab.content.hints import BLANK, hints_for, leaks

    dataset, db = shop_db
    sql = "SELECT name FROM customers WHERE points >= 100"
    writer = exercise_writer([("Show the names of customers with at least 100 points.", sql)],
                             hints=("SELECT name FROM customers WHERE points >= 100", "Which column holds points?"))
    with LLMTestServer(responder=writer) as server:
        exercises = generate_exercises(dataset, "where", n=1, lang="en", seed=3, client=client_for(server.url))
    assert exercises[0].source == "llm"
    assert exercises[0].hints == hints_for(sql, "en")
    assert BLANK in exercises[0].hints[-1] and not any(leaks(db, sql, h) for h in exercises[0].hints)
    assert "Which column holds points?" not in exercises[0].hints


def test_an_exercise_hiding_its_constant_goes_back_for_repair(full_profile, shop_db) -> None:
    dataset, _db = shop_db
    city = next(r[2] for r in dataset.table("customers").rows if r[2])
    # (a column = one constant sqllab would state itself: with_conditions; IN is left to the model)
    sql = f"SELECT name FROM customers WHERE city IN ('{city}')"
    questions = iter(["Show the names of customers from a certain city.",
                      f"Show the names of customers whose city is {city}."])

    def writer(body: dict):
        if "queries" in json.dumps(body.get("response_format")):
            return ok(json.dumps({"queries": [{"sql": sql}]}))
        if '"sql"' in json.dumps(body.get("response_format")):          # the round trip: a faithful reader
            return ok(json.dumps({"sql": sql}))
        return ok(json.dumps({"question": next(questions), "hints": ["a", "b"]}))

    with LLMTestServer(responder=writer) as server:
        exercises = generate_exercises(dataset, "where", n=1, lang="en", seed=1, client=client_for(server.url))
        question_prompt = server.chat_requests[1].body["messages"][-1]["content"]
        repair_prompt = server.chat_requests[2].body["messages"][-1]["content"]
    assert f"city IN ('{city}')" in question_prompt      # the question step is told what to state
    assert exercises[0].source == "llm" and city in exercises[0].question
    assert f"'{city}'" in repair_prompt and "state the constant" in repair_prompt


def test_content_always_has_the_number_asked_even_when_the_bank_cannot_fit_the_llm_dataset(full_profile) -> None:
    """A whole LLM dataset of its own shape with 1 verified exercise of 3: the bank cannot fill a
    shape it does not know, so the lesson takes the offline shape and still shows 3."""
    writer = exercise_writer([("Show the names of members aged at least 40.",
                               "SELECT name FROM members WHERE age >= 40")])

    def responder(body: dict):
        if _asks_for_tables(body):
            return ok(dataset_json())
        return writer(body) if "members" in body["messages"][-1]["content"] else None

    with LLMTestServer(responder=responder, default=ok(json.dumps({"queries": []}))) as server:
        content = generate_content("club", {"where": 3}, lang="en", seed=1, client=client_for(server.url))
    assert len(content.exercises) == 3
    assert {t.name for t in content.dataset.tables} != {"members", "visits"}
    assert content.notice and all(e.source == "bank" for e in content.exercises)
    with tempfile.TemporaryDirectory() as tmp:
        db = load_dataset(content.dataset, Path(tmp) / "x.db")
        for e in content.exercises:
            independent_check(db, e)


def test_wrong_topic_and_wrong_language_are_rejected(full_profile, shop_db) -> None:
    dataset, db = shop_db
    writer = exercise_writer([
        ("結合した顧客の名前を表示してください。",                                      # not an aggregate
         "SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id"),
        ("Show how many customers have at least 100 points.",                      # en text for a ja lesson
         "SELECT COUNT(*) FROM customers WHERE points >= 100")])
    with LLMTestServer(responder=writer) as server:
        exercises = generate_exercises(dataset, "aggregate", n=2, lang="ja", seed=1, client=client_for(server.url))
    assert all(e.source == "bank" for e in exercises)
    assert all(has_japanese(e.question) for e in exercises)


def test_prompt_schema_text_is_data_not_instructions(full_profile, shop_db) -> None:
    dataset, _ = shop_db
    with LLMTestServer(default=ok(json.dumps({"queries": []}))) as server:
        generate_exercises(dataset, "select", n=1, lang="en", seed=1, client=client_for(server.url))
        body = server.chat_requests[0].body
    assert body["response_format"]["type"] == "json_schema"
    assert body["seed"] == 1
    assert SHOP_SCHEMA_HINT in body["messages"][-1]["content"]


def test_same_parameters_come_from_the_cache(full_profile, shop_db, tmp_path) -> None:
    from sqllab.llm import ResponseCache

    dataset, _ = shop_db
    writer = exercise_writer([("Show names with points of at least 100.",
                               "SELECT name FROM customers WHERE points >= 100")])
    with LLMTestServer(responder=writer) as server:
        def run():
            client = LLMClient(server.url, "gpt-3.5-turbo", max_retries=1, cache=ResponseCache(tmp_path / "c.db"))
            return generate_exercises(dataset, "where", n=1, lang="en", seed=5, client=client)
        first, second = run(), run()
        assert server.chat_count == 3                  # the query, question and solve steps, once each
    assert first[0].source == "llm"
    assert first == second


def test_ambiguity_check_flags_an_unpinned_boundary(shop_db) -> None:
    _, db = shop_db
    # quantity has CHECK (quantity > 0): no valid database has a 0, so > 0 and >= 0 are the same
    # query and the question cannot tell the student which boundary is meant
    sql = "SELECT id FROM orders WHERE quantity > 0"
    assert ambiguous_neighbours(db, sql)
    assert not ambiguous_neighbours(db, "SELECT name FROM customers WHERE points >= 100")


# --- the embedded model: small jobs, real completions ---------------------------------------

@pytest.mark.embedded
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_topic_gets_verified_exercises_with_the_embedded_default(embedded_llm, lang, tmp_path) -> None:
    settings.reload()
    client = LLMClient(embedded_llm, "gpt-3.5-turbo", timeout=60)
    dataset = generate_dataset("library", lang=lang, seed=11, difficulty="easy", client=client)
    assert dataset.notice
    db = load_dataset(dataset, tmp_path / "lesson.db")
    for topic in TOPICS:
        exercises = generate_exercises(dataset, topic, n=2, lang=lang, seed=11, client=client)
        assert len(exercises) == 2
        for e in exercises:
            assert e.topic == topic and e.lang == lang
            independent_check(db, e)
            if lang == "ja":
                assert has_japanese(e.question)


@pytest.mark.embedded
def test_small_model_names_rows_of_a_fixed_schema(embedded_llm, monkeypatch) -> None:
    monkeypatch.setenv("SQLLAB_MODEL_PROFILE", "all")     # force the job to check what comes back
    client = LLMClient(embedded_llm, "gpt-3.5-turbo", timeout=60)
    dataset = generate_dataset("shop", lang="en", seed=3, client=client)
    offline = generate_offline_dataset("shop", lang="en", seed=3)
    # same schema and keys as the offline dataset; only verified names may differ
    assert [t.name for t in dataset.tables] == [t.name for t in offline.tables]
    assert dataset.table("orders").rows == offline.table("orders").rows
    names = [r[1] for r in dataset.table("products").rows]
    assert len(set(n.casefold() for n in names)) == len(names)
    offline_names = {r[1] for r in offline.table("products").rows}
    categories = {c.casefold() for c in THEMES["shop"].categories["en"]}
    for name in set(names) - offline_names:                 # whatever the model wrote passed the checks
        assert name.casefold() not in categories and not has_japanese(name) and 2 <= len(name) <= 30
    assert (dataset.source == "llm") == bool(set(names) - offline_names)


@pytest.mark.embedded
def test_embedded_model_profile_keeps_it_to_what_it_measured(embedded_llm) -> None:
    from sqllab.llm.capabilities import allows, profile_for

    client = LLMClient(embedded_llm, "gpt-3.5-turbo")
    assert profile_for(client).name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert not allows(client, "problem_generation", "en") and not allows(client, "table_generation", "ja")
    dataset = generate_dataset("hr", lang="ja", seed=1, client=client)
    assert dataset.source == "bank" and has_japanese(dataset.notice)


def test_wrong_schema_goes_back_for_repair_then_is_used(full_profile, shop_db) -> None:
    dataset, db = shop_db
    writer = exercise_writer([("Show names with points of at least 100.",
                               "SELECT name FROM customers WHERE points >= 100")])
    wrong_shape = ok(json.dumps({"queries": [{"query": "no sql field here"}]}))
    answers = iter([wrong_shape])
    with LLMTestServer(responder=lambda body: next(answers, None) or writer(body)) as server:
        exercises = generate_exercises(dataset, "where", n=1, lang="en", seed=2, client=client_for(server.url))
        assert server.chat_count == 4                  # wrong shape, repaired queries, the question, its solve
        repair = server.chat_requests[1].body["messages"][-1]["content"]
    assert "sql" in repair and "Field required" in repair   # the validation error named the missing field
    assert exercises[0].source == "llm"
    independent_check(db, exercises[0])


def test_a_missing_capabilities_file_allows_every_task(monkeypatch, tmp_path) -> None:
    from sqllab.llm.capabilities import profile_named

    monkeypatch.setenv("SQLLAB_CAPABILITIES_FILE", str(tmp_path / "absent.toml"))
    profile = profile_named("SmolLM2-135M-Instruct.Q4_1.gguf")
    assert profile.allows("problem_generation", "ja")


def test_verified_tasks_may_have_a_lower_bar_than_the_default(tmp_path, monkeypatch) -> None:
    """A task whose output is verified and repaired before a student sees it may be tried at a
    lower first-answer pass rate (``min_pass_rate_for``); the others keep ``min_pass_rate``."""
    from sqllab.llm.capabilities import profile_named

    caps = tmp_path / "capabilities.toml"
    caps.write_text('min_pass_rate = 0.5\n[min_pass_rate_for]\nproblem_generation = 0.3\n'
                    '[profiles.m.pass_rates]\n"problem_generation.ja" = 0.4\n"feedback.ja" = 0.4\n'
                    '"problem_generation.en" = 0.2\n')
    monkeypatch.setenv("SQLLAB_CAPABILITIES_FILE", str(caps))
    profile = profile_named("m")
    assert profile.allows("problem_generation", "ja") and not profile.allows("feedback", "ja")
    assert not profile.allows("problem_generation", "en")


def test_a_question_stating_a_number_the_answer_does_not_use_goes_back() -> None:
    from sqllab.content.generation import foreign_numbers

    sql = "SELECT name, points FROM customers WHERE points >= 12.50 ORDER BY points DESC, id LIMIT 3"
    assert foreign_numbers("The top 3 customers with at least 12.5 points, highest first.", sql) == []
    assert foreign_numbers("Show the first 10 customers with at least 12.5 points.", sql) == ["10"]
    assert foreign_numbers("ポイントの上位 5 人を表示してください。", sql) == ["5"]
    assert foreign_numbers("Customers with 1 order or more, 2 per row.", sql) == []     # not a row count
    assert foreign_numbers("2024年3月1日以降に登録した顧客", "SELECT name FROM customers WHERE joined_on >= '2024-03-01'") == []
    exercise = Exercise(id="x", topic="where", question="Show the first 10 customers, highest points first.",
                        reference_sql="SELECT name, points FROM customers ORDER BY points DESC, id",
                        difficulty="easy", hints=["a", "b", "c"], lang="en", source="llm")
    assert any("number 10" in p for p in check_question(exercise))


def test_a_grouped_query_sorted_by_a_column_it_does_not_keep_is_refused(shop_db) -> None:
    from sqllab.content.generation import check_reference, unkept_order_columns

    _dataset, db = shop_db
    arbitrary = "SELECT city, COUNT(*) AS members FROM customers GROUP BY city ORDER BY id"
    assert unkept_order_columns(arbitrary) == ["id"]
    assert any("ties" in p for p in check_reference(db, arbitrary, "aggregate"))
    for sql in ("SELECT city, COUNT(*) AS members FROM customers GROUP BY city ORDER BY members DESC, city",
                "SELECT city, MIN(id) FROM customers GROUP BY city ORDER BY MIN(id)"):
        assert unkept_order_columns(sql) == []


def test_sqllab_states_a_limit_the_question_leaves_out() -> None:
    from sqllab.content.generation import unstated_constants, with_limit

    sql = "SELECT name, points FROM customers ORDER BY points DESC, id LIMIT 5"
    stated = with_limit("ポイントの高い顧客の氏名（name）とポイント（points）を表示してください。", sql, "ja")
    assert stated.endswith("先頭の 5 行だけを表示してください。") and unstated_constants(stated, sql, "ja") == []
    assert with_limit("Show the customers with the most points.", sql, "en").endswith(" Show only the first 5 rows.")
    assert with_limit("Show the top 5 customers.", sql, "en") == "Show the top 5 customers."   # stated already
    page = "SELECT name FROM customers ORDER BY id LIMIT 3 OFFSET 3"
    assert with_limit("Show rows 4 to 6 by id.", page, "en") == "Show rows 4 to 6 by id."    # a page: not ours


def test_sqllab_lists_the_columns_a_question_leaves_unnamed(shop_db) -> None:
    from sqllab.content.generation import unnamed_columns, with_columns

    _, db = shop_db
    sql = "SELECT name, points FROM customers WHERE points < (SELECT AVG(points) FROM customers)"
    vague = "顧客テーブルの points 列の平均値より低い顧客を表示してください。"     # name (氏名) left out
    stated = with_columns(vague, sql, db, "ja")
    assert stated.endswith("表示する列は name, points（この順）です。") and unnamed_columns(stated, sql, db, "ja") == []
    en = with_columns("Show the customers below the average points.", sql, db, "en")
    assert en.endswith(" Show the columns name, points, in this order.") and unnamed_columns(en, sql, db, "en") == []
    named = "Show the name and points of customers below the average points."
    assert with_columns(named, sql, db, "en") == named                          # named already
    grouped = "SELECT city, COUNT(*) FROM customers GROUP BY city"                # a computed column: not ours
    assert with_columns("Count the customers.", grouped, db, "en") == "Count the customers."
    condition = "SELECT name FROM customers WHERE points >= 900"                  # points only in the condition
    assert with_columns("Show the customers' names.", condition, db, "en") == "Show the customers' names."


def test_a_question_must_say_which_aggregate_its_answer_compares_with() -> None:
    from sqllab.content.generation import unstated_aggregates

    above = "SELECT name, points FROM customers WHERE points > (SELECT AVG(points) FROM customers)"
    assert unstated_aggregates("特定のポイント以上の顧客の名前とポイントを表示するクエリを書く", above, "ja") == ["AVG"]
    assert unstated_aggregates("ポイントが平均より高い顧客の氏名とポイント", above, "ja") == []
    top = "SELECT name FROM customers WHERE points = (SELECT MAX(points) FROM customers)"
    assert unstated_aggregates("Show the customers with a certain number of points.", top, "en") == ["MAX"]
    assert unstated_aggregates("Show the customers with the highest points.", top, "en") == []
    assert unstated_aggregates("Show the customers with 900 points or more.",
                               "SELECT name FROM customers WHERE points >= 900", "en") == []


def test_the_boundary_against_an_average_must_match_its_words() -> None:
    from sqllab.content.generation import boundary_mismatches

    above = "SELECT name, points FROM customers WHERE points > (SELECT AVG(points) FROM customers)"
    assert boundary_mismatches("ポイントが平均以上の顧客の氏名とポイント", above, "ja")     # 以上 is >=
    assert boundary_mismatches("points の平均値を計算し、その値以上の顧客の名前を表示するクエリです。", above, "ja")
    assert boundary_mismatches("customers with at least the average points", above, "en")
    assert not boundary_mismatches("ポイントが平均より高い顧客の氏名とポイント", above, "ja")
    assert not boundary_mismatches("customers with more than the average points", above, "en")
    at_least = above.replace(" > ", " >= ")
    assert not boundary_mismatches("ポイントが平均以上の顧客の氏名とポイント", at_least, "ja")


def test_the_exercise_writers_examples_run_on_their_own_schema_and_name_no_lesson_table(tmp_path) -> None:
    """exercise_sql v2's examples (prompts/exercise_sql/examples.v2.toml) are on players/matches,
    which no theme has: a copied table name fails at once instead of half-fitting a lesson table."""
    import sqlite3
    import tomllib

    import sqlglot
    from sqlglot import exp

    from sqllab.content.offline import THEMES
    from sqllab.llm.prompts import prompts_dir

    examples = tomllib.loads((prompts_dir() / "exercise_sql" / "examples.v2.toml").read_text("utf-8"))
    lesson_tables = {t.name for theme in THEMES for t in generate_offline_dataset(theme, lang="en", seed=1).tables}
    db = tmp_path / "players.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE players (id INTEGER PRIMARY KEY, name TEXT, team TEXT, goals INTEGER, signed_on TEXT);"
            "CREATE TABLE matches (id INTEGER PRIMARY KEY, player_id INTEGER REFERENCES players(id), minutes INTEGER,"
            " played_on TEXT);"
            "INSERT INTO players VALUES (1, 'Kim', 'Rovers', 12, '2024-03-01'), (2, '木村', 'ひばりFC', 3, NULL);"
            "INSERT INTO matches VALUES (1, 1, 90, '2024-04-01'), (2, 1, 60, '2024-04-08');")
    for lang, topics in examples.items():
        for topic, queries in topics.items():
            for sql in queries:
                tables = {t.name for t in sqlglot.parse_one(sql, read="sqlite").find_all(exp.Table)} - {"totals"}
                assert tables <= {"players", "matches"} and not tables & lesson_tables, (lang, topic, sql)
                with sqlite3.connect(db) as conn:
                    conn.execute(sql).fetchall()          # runs (a change is rolled back by the context)
                    conn.rollback()


def test_a_quoted_name_for_a_computed_column_is_not_a_foreign_value() -> None:
    from sqllab.content.generation import foreign_values

    ranked = ("SELECT name, city, points, RANK() OVER (PARTITION BY city ORDER BY points DESC) AS rank_in_city "
              "FROM customers")
    question = "顧客の「名前」、「都市」、「ポイント」、「都市内でのポイント順位」を表示してください。"
    assert foreign_values(question, ranked, "") == []
    plain = "SELECT name, points FROM customers WHERE city = '稲城市'"
    assert foreign_values("「都市内でのポイント順位」を表示してください。", plain, "") != []   # nothing computed
    assert foreign_values("「君津市」の顧客の順位を表示してください。", ranked, "") == ["「君津市」"]   # a value still counts


def test_two_exercises_of_a_lesson_never_share_a_query_shape() -> None:
    from sqllab.content.generation import query_shape

    same = ["SELECT name FROM customers WHERE points >= 100", "SELECT id, city FROM customers WHERE points < 700",
            "SELECT name, points FROM customers WHERE points = 5"]
    assert len({query_shape(s) for s in same}) == 1          # only columns, constants or comparison differ
    other = ["SELECT name FROM customers WHERE city IS NULL", "SELECT name FROM customers WHERE points >= 100 "
             "AND city IS NOT NULL", "SELECT name FROM customers ORDER BY points DESC"]
    assert len({query_shape(s) for s in other + same[:1]}) == 4


def test_the_seed_picks_the_examples_the_writer_sees() -> None:
    from sqllab.content.generation import EXAMPLES_SHOWN, topic_examples

    for topic in TOPICS:
        every = topic_examples(topic, "en")
        picks = {tuple(topic_examples(topic, "en", seed)) for seed in range(12)}
        assert len(picks) >= 4, topic                           # other seeds, other examples
        assert topic_examples(topic, "en", 7) == topic_examples(topic, "en", 7)
        for pick in picks:
            assert len(pick) == EXAMPLES_SHOWN and list(pick) == [e for e in every if e in pick]   # file order


def test_a_lessons_llm_exercises_go_from_easier_to_harder(full_profile, shop_db) -> None:
    from sqllab.content.generation import complexity

    dataset, _ = shop_db
    items = [("Show the names and cities of customers with at least 100 points whose city is known, "
              "highest points first.",
              "SELECT name, city FROM customers WHERE points >= 100 AND city IS NOT NULL ORDER BY points DESC, id"),
             ("Show the names of customers whose city is missing.", "SELECT name FROM customers WHERE city IS NULL")]
    with LLMTestServer(responder=exercise_writer(items)) as server:
        exercises = generate_exercises(dataset, "where", n=2, lang="en", seed=1, client=client_for(server.url))
    assert [e.source for e in exercises] == ["llm", "llm"]
    scores = [complexity(e.reference_sql) for e in exercises]
    assert scores == sorted(scores) and scores[0] < scores[1]


def test_the_v1_examples_run_on_their_own_schema_and_use_their_topic(tmp_path) -> None:
    """Every example a seed can pick (prompts/exercise_sql/examples.toml) runs on members/orders and
    is an example of its topic."""
    import sqlite3
    import tomllib

    import sqlglot

    from sqllab.content.generation import uses_topic
    from sqllab.llm.prompts import prompts_dir

    examples = tomllib.loads((prompts_dir() / "exercise_sql" / "examples.toml").read_text("utf-8"))
    db = tmp_path / "members.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE members (id INTEGER PRIMARY KEY, name TEXT, city TEXT, points INTEGER, joined_on TEXT);"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, member_id INTEGER REFERENCES members(id), amount REAL,"
            " ordered_on TEXT);"
            "INSERT INTO members VALUES (1, 'Ann', 'Springfield', 900, '2024-03-01'), (2, '佐藤', '稲城市', 300, NULL),"
            " (3, 'Bo', NULL, 0, '2024-01-05');"
            "INSERT INTO orders VALUES (1, 1, 120, '2024-04-01'), (2, 1, 60, '2024-01-08'), (3, 2, 250, '2024-05-02');")
    for lang, topics in examples.items():
        for topic, queries in topics.items():
            assert len(queries) >= 8, (lang, topic)
            for sql in queries:
                assert uses_topic(sqlglot.parse_one(sql, read="sqlite"), topic), (lang, topic, sql)
                with sqlite3.connect(db) as conn:
                    conn.execute(sql).fetchall()
                    conn.rollback()


def test_sqllab_says_a_sort_key_is_not_shown_and_states_a_page_of_rows() -> None:
    from sqllab.content.generation import unstated_constants, with_hidden_keys, with_limit

    sql = "SELECT name, city FROM customers ORDER BY city, name, id"
    question = "List the names and cities of all customers, ordered by city, then name, then customer ID."
    noted = with_hidden_keys(question, sql, "en")
    assert noted.startswith(question) and noted != question and "id" in noted[len(question):]
    assert with_hidden_keys(question, "SELECT id, name, city FROM customers ORDER BY city, name, id", "en") == question
    assert with_hidden_keys("x", "SELECT * FROM customers ORDER BY id", "en") == "x"
    page = "SELECT name, points FROM customers ORDER BY points, id LIMIT 3 OFFSET 3"
    vague = "Show the names and points of customers by points, starting from the 4th customer."
    for lang in ("en", "ja"):
        stated = with_limit(vague, page, lang)
        assert stated != vague and unstated_constants(stated, page, lang) == []


def test_an_order_by_on_a_single_aggregate_row_goes_back(shop_db) -> None:
    _dataset, db = shop_db
    sql = "SELECT COUNT(*) AS total, COUNT(city) AS with_city FROM customers ORDER BY id"
    assert any("single row" in p for p in check_reference(db, sql, "aggregate"))
    assert not any("single row" in p for p in check_reference(db, sql.removesuffix(" ORDER BY id"), "aggregate"))


def test_a_query_repaired_with_another_constant_is_kept(full_profile, shop_db) -> None:
    """Round 0's query returns no rows; its repair (the same query, a constant that occurs) has the
    same shape and must not be turned down as a repeat."""
    dataset, _ = shop_db
    city = next(r[2] for r in dataset.table("customers").rows if r[2])
    fixed = f"SELECT name FROM customers WHERE city = '{city}'"
    batches = iter([["SELECT name FROM customers WHERE city = 'Atlantis'"], [fixed]])
    question = f"Show the names of customers whose city is {city}."
    writer = exercise_writer([(question, fixed)])

    def respond(body: dict):
        if "queries" in json.dumps(body.get("response_format")):
            return ok(json.dumps({"queries": [{"sql": s} for s in next(batches, [fixed])]}))
        return writer(body)

    with LLMTestServer(responder=respond) as server:
        exercises = generate_exercises(dataset, "where", n=1, lang="en", seed=1, client=client_for(server.url))
    assert exercises[0].source == "llm" and exercises[0].reference_sql == fixed


def test_a_question_asking_for_an_order_its_answer_lacks_goes_back() -> None:
    sql = "SELECT c.city, COUNT(o.id) AS orders FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.city"
    asks = Exercise(id="x", topic="joins", question="Show each city and its number of orders, ordered by the "
                    "number of orders in descending order.", reference_sql=sql, source="llm", lang="en")
    assert any("no ORDER BY" in p for p in check_question(asks))
    plain = asks.model_copy(update={"question": "Show each city and its number of orders."})
    assert not any("no ORDER BY" in p for p in check_question(plain))
    ja = asks.model_copy(update={"question": "都市（city）ごとの注文数を、注文数の多い順に並べて表示してください。", "lang": "ja"})
    assert any("no ORDER BY" in p for p in check_question(ja))


def test_sqllab_puts_right_a_number_the_question_misspells() -> None:
    from sqllab.content.generation import unstated_constants, with_constants

    sql = "SELECT name, points FROM customers WHERE city = '長生郡一宮町' AND points >= 950"
    wrong = "長生郡一宮町に住んで、１０００点以上の顧客の名前（name）と点数（points）を表示してください。"
    fixed = with_constants(wrong, sql, "ja")
    assert "950点以上" in fixed and "（name）" in fixed and unstated_constants(fixed, sql, "ja") == []
    two = "Show customers with at least 1000 points in 2 cities."      # which number is the constant? unclear
    assert with_constants(two, "SELECT name FROM customers WHERE points >= 950", "en") == two
    right = "Show customers with at least 950 points."
    assert with_constants(right, "SELECT name FROM customers WHERE points >= 950", "en") == right


def test_what_a_query_computes_is_part_of_its_shape() -> None:
    from sqllab.content.generation import query_shape

    where = "FROM customers WHERE points >= 100"
    shapes = {query_shape(f"SELECT {s} {where}") for s in ("COUNT(*) AS n", "SUM(points) AS total", "AVG(points)")}
    assert len(shapes) == 3                                   # COUNT, SUM and AVG are three exercises
    assert query_shape(f"SELECT COUNT(*) AS n {where}") == query_shape(f"SELECT COUNT(*) AS how_many {where}")


def test_a_question_pointing_at_a_query_or_conditions_it_never_gives_goes_back() -> None:
    from sqllab.content.generation import task_problems

    assert task_problems("以下のクエリを実行して、指定した条件を満たす顧客の名前を表示してください。", "ja")
    assert task_problems("Run the following query and show the customers that meet the given conditions.", "en")
    assert not task_problems("都市（city）が府中市の顧客の名前（name）を表示してください。", "ja")


def test_sqllab_lists_the_columns_of_a_query_that_also_computes_one(shop_db) -> None:
    from sqllab.content.generation import unnamed_columns, with_columns

    _dataset, db = shop_db
    sql = ("SELECT p.name, COUNT(o.id) AS orders FROM products p JOIN orders o ON o.product_id = p.id "
           "GROUP BY p.id, p.name")
    question = "「家電」の製品ごとに注文数を表示してください。"
    assert unnamed_columns(question, sql, db, "ja")
    listed = with_columns(question, sql, db, "ja")
    assert listed.startswith(question) and "name, orders" in listed


def test_a_question_that_writes_its_condition_in_sql_goes_back() -> None:
    from sqllab.content.generation import task_problems

    assert task_problems("customers テーブルから points 列の平均値を表示してください。points >= 1000", "ja")
    assert task_problems("Show the names where city = 'Leeds'.", "en")
    assert not task_problems("Show the names of customers with at least 1000 points.", "en")


def test_a_question_that_gives_the_sort_keys_in_another_sequence_goes_back() -> None:
    """「名前は昇順で並び、同じ名前なら都市は昇順」 for ORDER BY city, name: a student who follows the
    words is marked wrong. sqllab's own order sentence never counts against a question."""
    from sqllab.content.generation import order_sequence_mismatches, with_order

    sql = "SELECT name, city FROM customers ORDER BY city, name, id"
    wrong = {"ja": ["顧客の名前と都市を表示してください。ただし、名前は昇順で並び、同じ名前なら都市は昇順で並びます。",
                    "顧客の名前と都市を、名前の昇順、同じなら都市の昇順で表示してください。"],
             "en": ["Show the name and city of each customer, sorted by name and then city.",
                    "List customers' names and cities in alphabetical order of name, then by city."]}
    right = {"ja": ["顧客の名前と都市を都市の昇順、同じなら名前の昇順で表示してください。",
                    with_order("顧客の名前と都市を表示してください。", sql, "ja")],
             "en": ["Show name and city of customers, sorted by city, then by name, then by id.",
                    "List the names and cities of customers. Sort them by city.",
                    with_order("List the names and cities of customers.", sql, "en")]}
    for lang in ("ja", "en"):
        for text in wrong[lang]:
            assert order_sequence_mismatches(text, sql, lang), text
            exercise = Exercise(id="x", topic="order", question=text, reference_sql=sql, hints=["h"], lang=lang,
                                source="llm")
            assert any("sequence" in p for p in check_question(exercise))
        for text in right[lang]:
            assert order_sequence_mismatches(text, sql, lang) == [], text


def test_sqllab_puts_an_unstated_simple_condition_into_words() -> None:
    """「指定された条件で注文された製品の数」 for quantity >= 10, three rounds in a row: sqllab states
    the condition itself when it is a column against one constant; anything else is left to the
    checks (and the question goes back)."""
    from sqllab.content.generation import with_conditions

    def passes(text: str, sql: str, lang: str) -> bool:
        return check_question(Exercise(id="x", topic="where", question=text, reference_sql=sql, hints=["h"],
                                       lang=lang, source="llm")) == []

    sql = "SELECT COUNT(*) FROM orders WHERE quantity >= 10"
    vague = "指定された条件で注文された製品の数を表示してください。"
    assert not passes(vague, sql, "ja")
    stated = with_conditions(vague, sql, "ja")
    assert "10 以上" in stated and "指定された" not in stated and passes(stated, sql, "ja")
    dated = "SELECT name FROM customers WHERE joined_on < '2023-04-01' AND city = 'Springfield'"
    stated = with_conditions("Show the names of the customers.", dated, "en")
    assert "before 2023-04-01" in stated and "city is 'Springfield'" in stated and passes(stated, dated, "en")
    # a pattern, or a number the answer lacks (a wrong number, not a missing one): left alone
    assert with_conditions("Show the products.", "SELECT name FROM products WHERE name LIKE 'A%'", "en") \
        == "Show the products."
    wrong = "Show the top 5 rows of customers."
    assert with_conditions(wrong, "SELECT name FROM customers WHERE points >= 100 LIMIT 3", "en") == wrong


def test_an_order_phrase_for_an_answer_without_order_by_is_taken_out() -> None:
    """"…, ordered by points in descending order" for a query with no ORDER BY came back three
    rounds in a row: sqllab takes the simple phrase out; anything else still goes back."""
    from sqllab.content.generation import without_order

    sql = "SELECT name, points * 2 AS double_points FROM customers"
    cases = {("en", "List the names of customers and their doubled points, ordered by points in descending order."):
             "List the names of customers and their doubled points.",
             ("ja", "顧客の名前と2倍のポイントを、ポイントの高い順に並べて表示してください。"):
             "顧客の名前と2倍のポイントを表示してください。"}
    for (lang, text), expected in cases.items():
        assert any("no ORDER BY" in p for p in check_question(Exercise(
            id="x", topic="select", question=text, reference_sql=sql, hints=["h"], lang=lang, source="llm")))
        assert without_order(text, sql, lang) == expected
    kept = "Show the customers with the highest points first."             # not the simple phrase
    assert without_order(kept, sql, "en") == kept
    ordered = "Show the names ordered by points."
    assert without_order(ordered, "SELECT name FROM customers ORDER BY points", "en") == ordered


def test_sqllab_adds_its_sentences_once_even_when_the_model_copied_them() -> None:
    """The model copied "(id only orders the rows: do not show it.)" from its previous answer and
    sqllab appended it again."""
    from sqllab.content.generation import with_hidden_keys, with_limit

    sql = "SELECT name FROM customers ORDER BY points DESC, id LIMIT 3"
    once = with_hidden_keys("Show the names of the 3 customers with the most points, then by id.", sql, "en")
    assert with_hidden_keys(once, sql, "en") == once and once.count("only orders the rows") == 1
    limited = with_limit("顧客の名前をポイントの多い順に表示してください。", sql, "ja")
    assert limited != "顧客の名前をポイントの多い順に表示してください。" and with_limit(limited, sql, "ja") == limited


def test_a_question_with_an_sql_keyword_in_it_goes_back() -> None:
    """「…LIMIT 3 行だけ表示します」 was shown: a task says it in words. NULL may stay."""
    sql = "SELECT name, points FROM customers ORDER BY points DESC, id LIMIT 3"
    text = "顧客の名前とポイントを、ポイントの降順で LIMIT 3 行だけ表示してください。"
    problems = check_question(Exercise(id="x", topic="order", question=text, reference_sql=sql, hints=["h"],
                                       lang="ja", source="llm"))
    assert any("LIMIT" in p for p in problems)
    fine = "都市が NULL の顧客の名前を表示してください。"
    assert not any("keyword" in p for p in check_question(Exercise(
        id="x", topic="where", question=fine, reference_sql="SELECT name FROM customers WHERE city IS NULL",
        hints=["h"], lang="ja", source="llm")))


# --- what a teacher pulled from the round-trip runs (docs/results.md), caught by sqllab ---------------

LEFT_COUNT = ("SELECT c.name, COUNT(o.id) AS orders FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
              "GROUP BY c.id, c.name ORDER BY c.id")


@pytest.mark.parametrize("lang, question, added", [
    ("en", "List the names of customers and the number of orders they have placed, ordered by customer ID.",
     "Include customers with no orders as well (their count is 0)."),
    ("ja", "顧客の名前と注文数を、顧客IDの順に表示してください。", "注文のない顧客も含めてください（件数は 0）。"),
])
def test_a_left_join_question_says_that_rows_without_a_match_are_kept(tmp_path, lang, question, added) -> None:
    """A LEFT JOIN count asked as "the number of orders they have placed" reads fairly as an inner
    join; sqllab says that customers without orders are kept, and says nothing when the question does,
    or when the inner join gives the same rows on this data."""
    from sqllab.content.generation import with_unmatched

    dataset = generate_offline_dataset("shop", lang=lang, seed=41)
    db = load_dataset(dataset, tmp_path / "shop.db")
    assert run_query(db, LEFT_COUNT.replace("LEFT JOIN", "JOIN")).rows != run_query(db, LEFT_COUNT).rows
    assert with_unmatched(question, LEFT_COUNT, db, lang).endswith(added)
    said = {"en": "List every customer's name and number of orders, including customers with no orders.",
            "ja": "注文のない顧客も含めて、顧客の名前と注文数を表示してください。"}[lang]
    assert with_unmatched(said, LEFT_COUNT, db, lang) == said
    every = "SELECT o.id, c.name FROM orders o LEFT JOIN customers c ON c.id = o.customer_id ORDER BY o.id"
    assert with_unmatched(question, every, db, lang) == question       # every order has its customer


def test_a_question_must_say_total_for_a_sum_not_a_count_of_rows(shop_db) -> None:
    """ "at least 10 orders" for HAVING SUM(quantity) >= 10 asks a count where the answer sums."""
    _, db = shop_db
    sql = ("SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name "
           "HAVING SUM(o.quantity) >= 10 ORDER BY c.id")
    wrong = Exercise(id="x", topic="aggregate", lang="en", question="List the names of customers who have placed "
                     "at least 10 orders, in the order of their ID. (Columns to use: quantity.)", reference_sql=sql,
                     hints=["a", "b"], difficulty="easy", source="llm")
    assert any("SUM" in p for p in check_question(wrong, db))
    right = wrong.model_copy(update={"question": "List the names of customers whose total quantity ordered is at "
                                                 "least 10, in the order of their ID."})
    assert not any("SUM" in p for p in check_question(right, db))


def test_distinct_with_limit_is_not_a_reference(shop_db) -> None:
    _, db = shop_db
    sql = "SELECT DISTINCT ordered_on FROM orders ORDER BY ordered_on DESC LIMIT 5"
    assert any("DISTINCT and LIMIT" in p for p in check_reference(db, sql, "order"))
    assert not any("DISTINCT and LIMIT" in p
                   for p in check_reference(db, "SELECT DISTINCT ordered_on FROM orders ORDER BY ordered_on", "order"))


def test_a_japanese_run_of_one_column_instructions_becomes_one_instruction() -> None:
    from sqllab.content.generation import one_instruction

    robotic = ("名前（name）を表示してください。都市（city）を表示してください。ポイント（points）を表示してください。"
               "対象は、points が 650 以上の行です。")
    assert one_instruction(robotic, "ja") == ("名前（name）、都市（city）、ポイント（points）を表示してください。"
                                              "対象は、points が 650 以上の行です。")
    for kept in ("名前（name）を表示してください。ポイント（points）が650以上の顧客の情報を表示してください。",
                 "八街市でポイントが650以上の顧客の名前を表示してください。"):
        assert one_instruction(kept, "ja") == kept
    assert one_instruction("Show the name (name). Show the city (city).", "en").startswith("Show the name")


def test_a_like_pattern_quoted_in_a_question_is_put_into_words() -> None:
    """「名前が '佐%' の顧客」 (seen on the embedded model) invites ``name = '佐%'``."""
    from sqllab.content.generation import with_pattern_words

    sql = "SELECT name FROM customers WHERE name LIKE '佐%'"
    assert with_pattern_words("名前が '佐%' の顧客の名前を表示してください。", sql, "ja") == \
        "名前が「佐」で始まる顧客の名前を表示してください。"
    assert with_pattern_words("Show the names like 'A%'.", sql.replace("佐", "A"), "en") == \
        "Show the names starting with 'A'."
    assert with_pattern_words("Show the products whose name contains '%Lamp%'.",
                              "SELECT name FROM products WHERE name LIKE '%Lamp%'", "en") == \
        "Show the products whose name contains 'Lamp'."
    kept = "名前が「佐」で始まる顧客の名前を表示してください。"
    assert with_pattern_words(kept, sql, "ja") == kept


def test_a_japanese_question_may_not_ask_to_show_a_column_the_answer_leaves_out(tmp_path) -> None:
    """「山武市の顧客の名前、ポイント、都市を表示してください。…表示する列は name, points（この順）です。」
    passed the round trip (its reader followed sqllab's last sentence) but asks for a city."""
    db = load_dataset(generate_offline_dataset("shop", lang="ja", seed=51), tmp_path / "shop.db")
    sql = "SELECT name, points FROM customers WHERE city = '山武市' ORDER BY points DESC, id"
    make = lambda q: Exercise(id="x", topic="order", lang="ja", question=q, reference_sql=sql, source="llm")  # noqa: E731
    asked = make("山武市の顧客の名前、ポイント、都市を表示してください。並び順は points の降順、同じなら id の昇順です。")
    assert any("都市 (city)" in p for p in check_question(asked, db))
    fine = make("山武市の顧客の名前とポイントを表示してください。並び順は points の降順、同じなら id の昇順です。")
    assert not any("does not show" in p for p in check_question(fine, db))
