"""The round-trip check: a question is shown only when a query written from the tables and the
question alone (never the reference) grades equal to its reference.

Against a scripted loopback server that plays the writer and the reader; nothing asserts on prose.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from sqllab.content.exercises import Exercise
from sqllab.content.generation import SOLVE_TRIES, generate_exercises, round_trip
from sqllab.content.offline import generate_offline_dataset
from sqllab.db import load_dataset
from sqllab.llm import LLMClient, RetryConfig

from llm_servers import LLMTestServer, ok

REFERENCE = "SELECT DISTINCT city FROM customers WHERE city IS NOT NULL ORDER BY city"
NATURAL = "SELECT DISTINCT city FROM customers ORDER BY city"          # what the vague question leads to
VAGUE = "Show the unique cities of the customers, in alphabetical order of city."
PRECISE = "Show the unique cities of the customers, leaving out customers with no city, in alphabetical order of city."


@pytest.fixture
def shop(tmp_path, monkeypatch):
    monkeypatch.setenv("SQLLAB_MODEL_PROFILE", "default")          # the scripted server: a capable model
    dataset = generate_offline_dataset("shop", lang="en", seed=4)
    assert any(row[2] is None for row in dataset.table("customers").rows)   # a customer with no city
    return dataset, load_dataset(dataset, tmp_path / "shop.db")


def client_for(url: str) -> LLMClient:
    return LLMClient(url, "gpt-3.5-turbo", timeout=10, max_retries=1, retry=RetryConfig(base_delay=0.01))


def kind(body: dict) -> str:
    properties = (body.get("response_format") or {}).get("json_schema", {}).get("schema", {}).get("properties", {})
    return "queries" if "queries" in properties else "question" if "question" in properties else "solve"


def scripted(questions: list[str], reader: dict[str, str]):
    """The writer answers REFERENCE, then ``questions`` in turn; the reader answers each question
    with ``reader[question]`` (a question it does not know: the reference's own words fail)."""
    asked = iter(questions)

    def respond(body: dict):
        step = kind(body)
        prompt = body["messages"][-1]["content"]
        if step == "queries":
            return ok(json.dumps({"queries": [{"sql": REFERENCE}]}))
        if step == "question":
            return ok(json.dumps({"question": next(asked, questions[-1])}))
        for question, sql in sorted(reader.items(), key=lambda item: -len(item[0])):
            if question in prompt:
                return ok(json.dumps({"sql": sql}))
        return ok(json.dumps({"sql": "SELECT 1"}))

    return respond


def solve_prompts(server: LLMTestServer) -> list[str]:
    return [r.body["messages"][-1]["content"] for r in server.chat_requests if kind(r.body) == "solve"]


def test_a_question_that_leaves_out_a_condition_goes_back_with_what_a_reader_wrote(shop) -> None:
    dataset, _db = shop
    respond = scripted([VAGUE, PRECISE], {VAGUE: NATURAL, PRECISE: REFERENCE})
    with LLMTestServer(responder=respond) as server:
        exercises = generate_exercises(dataset, "order", n=1, lang="en", seed=1, client=client_for(server.url))
        repairs = [r.body["messages"][-1]["content"] for r in server.chat_requests
                   if kind(r.body) == "question" and "a reader who saw only" in r.body["messages"][-1]["content"]]
        solves = solve_prompts(server)
    assert exercises[0].source == "llm" and exercises[0].question.startswith(PRECISE)
    assert len(repairs) == 1 and NATURAL in repairs[0]           # the repair names the reader's query
    assert solves and all(REFERENCE not in p for p in solves)    # the reader never sees the reference
    assert all(VAGUE in p or PRECISE in p for p in solves)


def test_a_question_no_reader_solves_is_never_shown(shop) -> None:
    dataset, _db = shop
    respond = scripted([VAGUE], {VAGUE: NATURAL})                # every round: the same vague question
    with LLMTestServer(responder=respond) as server:
        exercises = generate_exercises(dataset, "order", n=1, lang="en", seed=1, client=client_for(server.url))
        steps = [kind(r.body) for r in server.chat_requests]
    assert exercises[0].source == "bank"
    # 3 rounds; the question that came back word for word is not checked or solved again
    assert steps.count("question") == 3 and steps.count("solve") == SOLVE_TRIES


def test_round_trip_accepts_a_faithful_reader_and_explains_an_unfaithful_one(shop) -> None:
    _dataset, db = shop
    exercise = Exercise(id="x", topic="order", question=VAGUE, reference_sql=REFERENCE, source="llm")
    with LLMTestServer(responder=lambda body: ok(json.dumps({"sql": REFERENCE}))) as server:
        trip = asyncio.run(round_trip(client_for(server.url), db, exercise, seed=1))
    assert trip.accepted and len(trip.solves) == 1 and trip.problems == []
    with LLMTestServer(responder=lambda body: ok(json.dumps({"sql": NATURAL}))) as server:
        trip = asyncio.run(round_trip(client_for(server.url), db, exercise, seed=1))
        assert server.chat_count == SOLVE_TRIES                  # SOLVE_TRIES solves, all wrong
    assert not trip.accepted and [v.status for _, v in trip.solves] == ["wrong_result"] * SOLVE_TRIES
    assert NATURAL in trip.problems[0]
    with LLMTestServer(responder=lambda body: ok(json.dumps({"sql": "SELECT nope FROM nowhere"}))) as server:
        trip = asyncio.run(round_trip(client_for(server.url), db, exercise, seed=1))
    assert not trip.accepted and "could not write a query" in trip.problems[0]


def test_a_reader_that_answers_nonsense_rejects_the_question(shop) -> None:
    _dataset, db = shop
    exercise = Exercise(id="x", topic="order", question=VAGUE, reference_sql=REFERENCE, source="llm")
    with LLMTestServer(responder=lambda body: ok("not json at all")) as server:
        trip = asyncio.run(round_trip(client_for(server.url), db, exercise, seed=1))
    assert not trip.accepted and trip.solves == []


COLUMNS_REFERENCE = "SELECT name, points FROM customers WHERE points >= 100"
COLUMNS_QUESTION = "Show the name and points of the customers with at least 100 points."


def _columns_script(unlisted):
    """The writer answers COLUMNS_REFERENCE and COLUMNS_QUESTION; a reader who sees the columns
    listed answers the reference, any other reader ``unlisted(body)``."""
    def respond(body: dict):
        step = kind(body)
        if step == "queries":
            return ok(json.dumps({"queries": [{"sql": COLUMNS_REFERENCE}]}))
        if step == "question":
            return ok(json.dumps({"question": COLUMNS_QUESTION}))
        listed = "name, points" in body["messages"][-1]["content"].split("The task:")[-1]
        return ok(json.dumps({"sql": COLUMNS_REFERENCE if listed else unlisted(body)}))

    return respond


def _columns_run(dataset, respond) -> tuple[list, list[str]]:
    with LLMTestServer(responder=respond) as server:
        exercises = generate_exercises(dataset, "where", n=1, lang="en", seed=1, client=client_for(server.url))
        steps = [kind(r.body) for r in server.chat_requests]
    assert exercises[0].source == "llm" and exercises[0].question.startswith(COLUMNS_QUESTION)
    assert "name, points" in exercises[0].question and steps.count("question") == 1
    return exercises, steps


def test_a_reader_who_gets_the_rows_but_not_the_columns_gets_them_listed(shop) -> None:
    """sqllab lists the columns itself and asks the reader again (no new question from the model)."""
    dataset, _db = shop
    _, steps = _columns_run(dataset, _columns_script(lambda body: "SELECT name FROM customers WHERE points >= 100"))
    assert steps.count("solve") == SOLVE_TRIES + 1          # readers without the columns, one with them


def test_a_reader_who_gets_the_rows_but_shows_other_columns_gets_them_listed(shop) -> None:
    """The same number of columns, other ones (``name, city`` for ``name, points``): every row is
    the reference's once the reader's SELECT list is the reference's (generation.rows_right), so sqllab
    lists the columns and asks the reader again, instead of a whole round for the question."""
    dataset, _db = shop
    _, steps = _columns_run(dataset, _columns_script(lambda body: "SELECT name, city FROM customers WHERE points >= 100"))
    assert steps.count("solve") == SOLVE_TRIES + 1


def test_a_reader_who_fails_once_and_then_misses_only_columns_gets_them_listed(shop, monkeypatch) -> None:
    """A solve that does not run (an invented column) does not hide that the other reader got every
    row right and only missed a column: sqllab lists the columns and asks again."""
    from sqllab.content import generation

    monkeypatch.setattr(generation, "SOLVE_TRIES", 2)
    dataset, _db = shop
    _columns_run(dataset, _columns_script(
        lambda body: ("SELECT name FROM customers WHERE score >= 100" if body.get("temperature") == 0.0  # no such column
                      else "SELECT name FROM customers WHERE points >= 100")))


def test_the_question_writer_is_told_the_columns_of_this_answer_only(shop) -> None:
    """A computed column comes with what it computes, and the Japanese writer's example words are
    the answer's own columns (v2's fixed example 「登録日（joined_on）」 was copied into questions)."""
    from sqllab.content.generation import named_columns_text, shown_columns_text

    _dataset, db = shop
    sql = ("SELECT c.name, COUNT(o.id) AS orders FROM customers c JOIN orders o ON o.customer_id = c.id "
           "WHERE c.points >= 100 GROUP BY c.id, c.name")
    assert shown_columns_text(sql, db) == "name, orders = COUNT(o.id)"
    named = named_columns_text(sql, db, "ja")
    assert "（name）" in named and "（points）" in named and "joined_on" not in named
    assert named_columns_text(sql, db, "en") == "name, points"
    assert shown_columns_text("SELECT * FROM customers", db).startswith("id, ")


GOOD = ["SELECT name, points FROM customers WHERE points >= 100",
        "SELECT DISTINCT city FROM customers WHERE city IS NOT NULL ORDER BY city",
        "SELECT name FROM customers WHERE city IS NULL"]
BROKEN = "SELECT c.nme FROM customers c"


def _query_writer(batches: list[list[str]]):
    """The query step answers ``batches`` in turn (the last one again after that); every question
    is the query's own text and every reader answers with that query (both faithful)."""
    answers = iter(batches)

    def respond(body: dict):
        step = kind(body)
        prompt = body["messages"][-1]["content"]
        if step == "queries":
            return ok(json.dumps({"queries": [{"sql": q} for q in next(answers, batches[-1])]}))
        if step == "question":              # (a repair: the query is in the conversation's first turn)
            asked = "\n".join(m["content"] for m in body["messages"])
            sql = next(q for q in sorted(sum(batches, []), key=len, reverse=True) if q in asked)
            return ok(json.dumps({"question": f"Write this task: {sql}."}))
        return ok(json.dumps({"sql": prompt.split("Write this task: ")[-1].split(".\n")[0].rstrip(".")}))

    return respond


def test_a_repair_shows_only_the_queries_sent_back_and_asks_only_for_what_is_missing(shop, monkeypatch) -> None:
    from sqllab.content import generation

    dataset, _db = shop
    monkeypatch.setattr(generation, "check_question", lambda exercise, db=None: [])   # any words will do
    with LLMTestServer(responder=_query_writer([[GOOD[0], BROKEN], [GOOD[1]]])) as server:
        exercises = generate_exercises(dataset, "where", n=2, lang="en", seed=1, client=client_for(server.url))
        asked = [r.body for r in server.chat_requests if kind(r.body) == "queries"]
    assert [e.reference_sql for e in exercises] == GOOD[:2]
    repair = asked[1]["messages"]
    # the repair is the next turn of the first request's conversation: the same system prompt and
    # request (which the server has read already), the model's answer, then the problems
    assert repair[:2] == asked[0]["messages"][:2] and repair[2]["role"] == "assistant"
    previous = repair[2]["content"]
    assert "c.nme" in previous and GOOD[0] not in previous          # the kept query is not sent back
    assert "1 more queries are needed" in repair[3]["content"]


def test_a_model_that_gives_back_the_same_queries_gets_a_new_request_not_the_same_repair(shop, monkeypatch) -> None:
    from sqllab.content import generation

    dataset, _db = shop
    monkeypatch.setattr(generation, "check_question", lambda exercise, db=None: [])
    from sqllab.content.jobs import GenerationProgress

    batches = [[GOOD[0], BROKEN], [GOOD[0], BROKEN], [GOOD[1]]]
    with LLMTestServer(responder=_query_writer(batches)) as server:   # written ahead: three rounds
        exercises = generate_exercises(dataset, "where", n=2, lang="en", seed=1, client=client_for(server.url),
                                       progress=GenerationProgress(budget_s=None))
        asked = [r.body for r in server.chat_requests if kind(r.body) == "queries"]
    assert [e.reference_sql for e in exercises] == GOOD[:2]
    assert len(asked[1]["messages"]) == 4                                # a repair
    assert len(asked[2]["messages"]) == 2                                # nothing changed: asked anew
    assert asked[2]["temperature"] > asked[0]["temperature"]


def test_content_written_ahead_asks_for_other_queries_when_no_question_passes(shop, monkeypatch) -> None:
    from sqllab.content import generation
    from sqllab.content.jobs import GenerationProgress

    dataset, _db = shop
    monkeypatch.setattr(generation, "check_question", lambda exercise, db=None: [])
    writer = _query_writer([[GOOD[0]], [GOOD[2]]])

    def respond(body: dict):
        if kind(body) == "solve" and GOOD[0] in body["messages"][-1]["content"]:
            return ok(json.dumps({"sql": "SELECT name FROM customers"}))      # no reader gets GOOD[0]
        return writer(body)

    with LLMTestServer(responder=respond) as server:
        ahead = generate_exercises(dataset, "where", n=1, lang="en", seed=1, client=client_for(server.url),
                                   progress=GenerationProgress(budget_s=None))
    assert [(e.source, e.reference_sql) for e in ahead] == [("llm", GOOD[2])]
    writer = _query_writer([[GOOD[0]], [GOOD[2]]])
    with LLMTestServer(responder=respond) as server:                      # the open lesson: one batch
        opened = generate_exercises(dataset, "where", n=1, lang="en", seed=1, client=client_for(server.url))
    assert opened[0].source == "bank"


def test_a_column_the_question_leaves_unnamed_is_listed_by_sqllab_not_sent_back(shop) -> None:
    """"loyalty credits" for points: a reader who sees the tables may get it, no check can tell.
    sqllab lists the column, and the round trip decides; the model is not asked again."""
    dataset, _db = shop
    reference = "SELECT name FROM customers WHERE points >= 100"
    question = "Show the names of the customers with at least 100 loyalty credits."

    def respond(body: dict):
        step = kind(body)
        if step == "queries":
            return ok(json.dumps({"queries": [{"sql": reference}]}))
        if step == "question":
            return ok(json.dumps({"question": question}))
        return ok(json.dumps({"sql": reference}))

    with LLMTestServer(responder=respond) as server:
        exercises = generate_exercises(dataset, "where", n=1, lang="en", seed=1, client=client_for(server.url))
        steps = [kind(r.body) for r in server.chat_requests]
    assert exercises[0].source == "llm" and exercises[0].question.startswith(question)
    assert "points" in exercises[0].question and steps.count("question") == 1
