"""The response cache: hits, key parts, persistence, schema version, corrupt and deleted files."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from pydantic import BaseModel

from llm_servers import MODEL, LLMTestServer, ok
from sqllab.errors import LLMOutputValidationError
from sqllab.llm import LLMClient, ResponseCache, RetryConfig, cache_key, default_client
from sqllab.llm.cache import MIGRATIONS, CachedResponse, schema_version

FAST = RetryConfig(base_delay=0.01, max_delay=0.05)


def run_calls(url: str, cache: ResponseCache, calls: list[dict]) -> list:
    async def go():
        async with LLMClient(url, MODEL, cache=cache, retry=FAST) as client:
            return [await client.complete(**call) for call in calls], client.metrics.snapshot()

    return asyncio.run(go())


def test_second_identical_call_comes_from_the_cache(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    with LLMTestServer() as server:
        (first, second), snap = run_calls(server.url, cache, [{"prompt": "q", "prompt_version": "t/v1"}] * 2)
    assert server.chat_count == 1
    assert (first.cached, second.cached) == (False, True)
    assert second.content == first.content and second.usage == first.usage
    assert (snap["cache_hits"], snap["cache_misses"], snap["total_requests"]) == (1, 1, 1)


def test_each_key_part_makes_a_different_entry(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    base = {"prompt": "q", "prompt_version": "t/v1", "temperature": 0.5, "max_tokens": 10, "seed": 1}
    variants = [base, {**base, "prompt_version": "t/v2"}, {**base, "temperature": 0.6},
                {**base, "max_tokens": 11}, {**base, "seed": 2}, {**base, "system_prompt": "s"},
                {**base, "prompt": "q2"}, {**base, "response_format": {"type": "json_object"}}]
    with LLMTestServer() as server:
        run_calls(server.url, cache, variants + variants)
    assert server.chat_count == len(variants)


def test_use_cache_false_always_asks_the_server(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    with LLMTestServer() as server:
        replies, _ = run_calls(server.url, cache, [{"prompt": "q", "use_cache": False}] * 2)
    assert server.chat_count == 2 and not any(r.cached for r in replies)
    assert len(cache) == 0


def test_the_cache_file_outlives_the_client(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with LLMTestServer() as server:
        run_calls(server.url, ResponseCache(path), [{"prompt": "q"}])
        (again,), _ = run_calls(server.url, ResponseCache(path), [{"prompt": "q"}])
    assert server.chat_count == 1 and again.cached and again.content == "echo: q"


def test_the_model_is_part_of_the_key() -> None:
    common = {"messages": [{"role": "user", "content": "q"}], "temperature": 0.7, "max_tokens": 5,
              "seed": None, "response_format": None, "prompt_version": None}
    assert cache_key(model="a", **common) != cache_key(model="b", **common)
    assert cache_key(model="a", **common) == cache_key(model="a", **dict(reversed(common.items())))


def test_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    cache = ResponseCache(path)
    cache.set("k", CachedResponse("v", MODEL))
    conn = sqlite3.connect(path)
    assert schema_version(conn) == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {r[1] for r in conn.execute("PRAGMA table_info(responses)")} >= {"key", "content", "hits"}


def test_an_old_schema_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + ";CREATE TABLE schema_version (version INTEGER NOT NULL);"
                       "INSERT INTO schema_version VALUES (1);"
                       "INSERT INTO responses (key, model, content, created_at) VALUES ('k', 'm', 'old', 0);")
    conn.close()
    hit = ResponseCache(path).get("k")
    assert hit is not None and hit.content == "old"
    conn = sqlite3.connect(path)
    assert schema_version(conn) == len(MIGRATIONS) == conn.execute("PRAGMA user_version").fetchone()[0]
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'schema_version'").fetchall() == []
    conn.close()


def test_a_corrupt_cache_file_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not a database" * 100)
    with LLMTestServer() as server:
        replies, _ = run_calls(server.url, ResponseCache(path), [{"prompt": "q"}] * 2)
    assert [r.cached for r in replies] == [False, True]
    assert ResponseCache(path).get(cache_key(
        model=MODEL, messages=[{"role": "user", "content": "q"}], temperature=0.7, max_tokens=2000,
        seed=None, response_format=None, prompt_version=None)) is not None


def test_a_cache_file_deleted_while_in_use_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    cache = ResponseCache(path)
    cache.set("a", CachedResponse("1", MODEL))
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    cache.set("b", CachedResponse("2", MODEL))
    assert path.exists()
    fresh = ResponseCache(path)
    assert fresh.get("b") is not None and fresh.get("a") is None


def test_an_unwritable_cache_dir_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = ResponseCache(blocker / "sub" / "c.db")  # a directory under a file cannot exist
    cache.set("k", CachedResponse("v", MODEL))
    assert cache.get("k") == CachedResponse("v", MODEL)


def test_memory_layer_is_a_bounded_lru(tmp_path: Path) -> None:
    cache = ResponseCache(memory_size=2, persistent=False)
    for key in "abc":
        cache.set(key, CachedResponse(key, MODEL))
    assert cache.get("a") is None and cache.get("c") is not None
    persistent = ResponseCache(tmp_path / "c.db", memory_size=1)
    for key in "abc":
        persistent.set(key, CachedResponse(key, MODEL))
    assert persistent.get("a") == CachedResponse("a", MODEL)  # from the file


def test_a_finished_stream_is_cached_and_replayed(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")

    async def go(url: str):
        async with LLMClient(url, MODEL, cache=cache, retry=FAST) as client:
            first = [c async for c in client.stream("a longer prompt to stream back in pieces")]
            second = [c async for c in client.stream("a longer prompt to stream back in pieces")]
            plain = await client.complete("a longer prompt to stream back in pieces")
            return first, second, plain

    with LLMTestServer() as server:
        first, second, plain = asyncio.run(go(server.url))
    assert server.chat_count == 1
    assert "".join(first) == "".join(second) == plain.content and len(second) > 1 and plain.cached


def test_an_invalid_json_answer_is_not_cached(tmp_path: Path) -> None:
    class Item(BaseModel):
        n: int

    cache = ResponseCache(tmp_path / "c.db")

    async def go(url: str):
        async with LLMClient(url, MODEL, cache=cache, retry=FAST) as client:
            for _ in range(2):
                try:
                    await client.complete_json("n", Item)
                except LLMOutputValidationError:
                    pass
            return await client.complete_json("n", Item), await client.complete_json("n", Item)

    with LLMTestServer([ok("nope"), ok("nope")], default=ok('{"n": 1}')) as server:
        assert asyncio.run(go(server.url)) == (Item(n=1), Item(n=1))
    assert server.chat_count == 3


def test_default_client_caches_under_the_cache_dir(isolated_cache: Path, monkeypatch) -> None:
    with LLMTestServer() as server:
        monkeypatch.setenv("LLM_API_URL", server.url)
        from sqllab import settings

        settings.reload()
        client = default_client()
        assert client.base_url == server.url and client.max_concurrency == 4
        asyncio.run(client.complete("q"))
        assert (isolated_cache / "llm_cache.db").exists()
        monkeypatch.setenv("SQLLAB_CACHE", "false")
        settings.reload()
        assert default_client().cache is None


def test_size_cap_evicts_the_least_recently_used(tmp_path: Path, monkeypatch) -> None:
    from sqllab import settings

    monkeypatch.setenv("SQLLAB_CACHE_MAX_MB", str(2500 / 1024 / 1024))   # about 2500 bytes
    settings.reload()
    path = tmp_path / "c.db"
    cache = ResponseCache(path)
    assert 2400 < cache.max_bytes <= 2500
    entry = "x" * 600                                          # with its 64-byte key: 664 bytes
    for key in ("a" * 64, "b" * 64, "c" * 64):
        cache.set(key, CachedResponse(entry, MODEL))
    time.sleep(0.01)
    cache.clear_memory()
    assert cache.get("a" * 64) is not None                     # read: now the most recently used
    time.sleep(0.01)
    cache.set("d" * 64, CachedResponse(entry, MODEL))          # 4 x 664 > 2500: one must go
    cache.clear_memory()
    assert cache.get("b" * 64) is None                         # the least recently used one went
    assert all(cache.get(k * 64) is not None for k in "acd")
    assert len(cache) == 3 and cache.size_bytes() <= cache.max_bytes
    cache.set("e" * 64, CachedResponse("y" * 5000, MODEL))     # bigger than the cap: not kept
    assert cache.size_bytes() <= cache.max_bytes


def test_no_cap_when_zero(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db", max_bytes=0)
    for i in range(20):
        cache.set(f"{i:064d}", CachedResponse("x" * 1000, MODEL))
    assert len(cache) == 20
