"""LLMClient against the real embedded llama.cpp server (SmolLM2): completion, JSON-schema
output, streaming, health, default_client(). Assertions on structure only, never on prose."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel

from sqllab import settings
from sqllab.llm import LLMClient, check_llm_health, default_client

pytestmark = pytest.mark.embedded


class City(BaseModel):
    name: str
    population: int


@pytest.fixture
def client(embedded_llm: str) -> LLMClient:
    return LLMClient(embedded_llm, settings.llm_settings().model_name, timeout=120)


def test_complete(client: LLMClient) -> None:
    reply = asyncio.run(client.complete("Name a colour.", max_tokens=12, temperature=0, seed=1))
    assert isinstance(reply.content, str) and reply.content.strip()
    assert reply.usage["completion_tokens"] > 0 and reply.model


def test_json_schema_output_validates(client: LLMClient) -> None:
    city = asyncio.run(client.complete_json("Give a city and its population as JSON.", City,
                                            max_tokens=60, temperature=0, seed=1))
    assert isinstance(city, City) and isinstance(city.population, int)


def test_stream(client: LLMClient) -> None:
    async def go() -> list[str]:
        return [c async for c in client.stream("Count from one to five.", max_tokens=24, temperature=0)]

    chunks = asyncio.run(go())
    assert len(chunks) > 1 and "".join(chunks).strip()


def test_sync_facade(client: LLMClient) -> None:
    assert client.sync.complete("Say hi.", max_tokens=8, temperature=0).content.strip()


def test_health_is_healthy(client: LLMClient) -> None:
    report = asyncio.run(check_llm_health(client))
    assert report["status"] == "healthy", report
    assert report["model"] and report["response_time"] > 0


def test_default_client_uses_the_embedded_server_when_unset(embedded_llm: str) -> None:
    client = default_client()
    assert client.base_url == embedded_llm
    first = asyncio.run(client.complete("Name a fruit.", max_tokens=8, temperature=0, seed=3))
    second = asyncio.run(client.complete("Name a fruit.", max_tokens=8, temperature=0, seed=3))
    assert not first.cached and second.cached and second.content == first.content
