"""Benchmark of the LLM client, printed side by side in one run.

1. requests/s of ``LLMClient`` vs the official ``openai`` SDK (``AsyncOpenAI``) against the same
   fast loopback server (tests/llm_servers.py in its own process), concurrency 1 and 64, cache
   off. Target: ratio >= 1.0.
2. cache hit vs miss latency of ``complete()``. Target: hit/miss <= 1/100.
3. ``complete()`` against the embedded llama.cpp server vs a raw httpx POST of the same body.
   Target: ratio <= 1.05. Skipped with a note when the model is not on this machine.

Run: ``.venv/bin/python bench/llm_client.py [--quick]``. Rounds alternate between the contenders
and the median round is reported, to damp noise from other work on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Awaitable, Callable

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqllab.llm import LLMClient, ResponseCache  # noqa: E402

MODEL = "gpt-3.5-turbo"


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "llm_servers.py")],
                            stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise SystemExit("the test server did not start")
    return proc, url


async def throughput(call: Callable[[str], Awaitable[object]], concurrency: int, total: int) -> float:
    """Requests per second for ``total`` calls with ``concurrency`` workers."""
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            await call(f"prompt {i}")

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - start)


async def bench_throughput(url: str, rounds: int, scale: int) -> list[tuple[str, float, float]]:
    from openai import AsyncOpenAI

    ours = LLMClient(url, MODEL, cache=None)
    sdk = AsyncOpenAI(base_url=url, api_key="dummy-key")

    async def ours_call(prompt: str) -> object:
        return (await ours.complete(prompt, max_tokens=16, temperature=0.0)).content

    async def sdk_call(prompt: str) -> object:
        reply = await sdk.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": prompt}],
                                                  max_tokens=16, temperature=0.0)
        return reply.choices[0].message.content

    rows = []
    for concurrency, total in ((1, 150 * scale), (64, 400 * scale)):
        await throughput(ours_call, concurrency, 1000)  # warm up pools (and the server)
        await throughput(sdk_call, concurrency, 1000)
        a, b = [], []
        for _ in range(rounds):
            a.append(await throughput(ours_call, concurrency, total))
            b.append(await throughput(sdk_call, concurrency, total))
        rows.append((f"concurrency {concurrency}", statistics.median(a), statistics.median(b)))
    await ours.close()
    await sdk.close()
    return rows


async def bench_cache(url: str, n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "llm_cache.db"
        client = LLMClient(url, MODEL, cache=ResponseCache(path), timeout=120)

        async def timed(prompt: str) -> float:
            start = time.perf_counter()
            await client.complete(prompt, max_tokens=16, temperature=0.0)
            return time.perf_counter() - start

        prompts = [f"cache bench {i}" for i in range(n)]
        await timed("warm up")
        miss = [await timed(p) for p in prompts]
        hit = [await timed(p) for p in prompts]
        client.cache = ResponseCache(path)  # cold memory: hits come from the SQLite file
        disk = [await timed(p) for p in prompts]
        await client.close()
    return {"miss": statistics.median(miss), "hit": statistics.median(hit), "disk": statistics.median(disk)}


def embedded_url() -> str | None:
    from sqllab.llm import embedded

    return embedded.ensure_running() if embedded.find_model() is not None else None


async def bench_embedded(url: str, n: int) -> tuple[float, float]:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Name three colours."}],
            "temperature": 0.0, "max_tokens": 16, "stream": False, "seed": 1}
    client = LLMClient(url, MODEL, timeout=120, cache=None)
    raw = httpx.AsyncClient(timeout=120)

    async def ours() -> float:
        start = time.perf_counter()
        await client.complete(body["messages"][0]["content"], temperature=0.0, max_tokens=16, seed=1,
                              use_cache=False)
        return time.perf_counter() - start

    async def plain() -> float:
        start = time.perf_counter()
        response = await raw.post(url + "/chat/completions", content=json.dumps(body).encode(),
                                  headers={"Content-Type": "application/json"})
        response.json()["choices"][0]["message"]["content"]
        return time.perf_counter() - start

    await ours()
    await plain()
    a, b = [], []
    for _ in range(n):
        a.append(await ours())
        b.append(await plain())
    await client.close()
    await raw.aclose()
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    args = parser.parse_args()
    os.environ.setdefault("SQLLAB_LOG_LEVEL", "WARNING")
    rounds, scale, n = (1, 1, 20) if args.quick else (3, 2, 100)

    proc, url = start_server()
    try:
        rows = asyncio.run(bench_throughput(url, rounds, scale))
        cache = asyncio.run(bench_cache(url, n))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    emb_url = embedded_url()
    skipped = "skipped: the embedded model is not on this machine (run `sqllab llm pull`)"
    embedded_result = asyncio.run(bench_embedded(emb_url, 10 if args.quick else 20)) if emb_url else skipped
    emb_cache = asyncio.run(bench_cache(emb_url, 5 if args.quick else 10)) if emb_url else None

    print("LLM client benchmark (median of rounds; loopback test server in its own process)")
    print(f"{'':34}{'LLMClient':>12}{'openai SDK':>12}{'ratio':>8}  target")
    for label, ours, sdk in rows:
        print(f"{'req/s ' + label:34}{ours:12.0f}{sdk:12.0f}{ours / sdk:8.2f}  >= 1.0")
    print(f"{'':34}{'hit':>12}{'miss':>12}{'ratio':>8}")
    for label, figures in (("loopback", cache), ("embedded LLM", emb_cache)):
        if figures is None:
            print(f"cache latency, miss on the {label}: {skipped}")
            continue
        for layer, key in (("memory", "hit"), ("SQLite", "disk")):
            name = f"{layer} hit / {label} miss, ms"
            print(f"{name:34}{figures[key] * 1e3:12.3f}{figures['miss'] * 1e3:12.3f}"
                  f"{figures[key] / figures['miss']:8.4f}  <= 0.01")
    if isinstance(embedded_result, str):
        print(f"embedded complete() vs raw httpx: {embedded_result}")
    else:
        ours, plain = embedded_result
        print(f"{'':34}{'complete()':>12}{'raw httpx':>12}{'ratio':>8}")
        print(f"{'embedded server, ms':28}{ours * 1e3:12.1f}{plain * 1e3:12.1f}{ours / plain:8.3f}  <= 1.05")


if __name__ == "__main__":
    main()
