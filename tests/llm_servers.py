"""A real OpenAI-compatible HTTP server on 127.0.0.1 that misbehaves on purpose.

    with LLMTestServer([status(500), status(500)]) as server:   # then the default: ok()
        client = LLMClient(server.url, "gpt-3.5-turbo")
        ...
        assert server.chat_count == 3

Each POST to ``/v1/chat/completions`` takes the next ``Reply`` of the script (or asks
``responder(body)``), then falls back to ``default``. A normal reply echoes the last user
message (``"echo: <prompt>"``) so tests can tell answers apart, and streams it as server-sent
events when the request says ``"stream": true``. The server counts requests and the maximum
number in flight, records what it received, and every wait is bounded and interrupted when the
server stops, so it always shuts down.

Run ``python tests/llm_servers.py`` to serve fast normal replies until killed (for bench/;
a minimal asyncio server, or this scripted one with ``--threaded``).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable

MODEL = "gpt-3.5-turbo"


@dataclass
class Reply:
    """What the server does for one request."""

    status: int = 200
    content: str | None = None  # None: echo the prompt
    body: bytes | None = None  # raw body instead of a completion
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (interrupted when the server stops)
    truncate: bool = False  # announce a longer Content-Length than sent, then close
    cut_stream: bool = False  # streams: stop after the first chunk without [DONE], then close


def ok(content: str | None = None, *, delay: float = 0.0) -> Reply:
    return Reply(content=content, delay=delay)


def status(code: int, message: str = "scripted failure", **headers: str) -> Reply:
    body = json.dumps({"error": {"message": message, "type": "server_error", "code": code}}).encode()
    return Reply(status=code, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()})


def rate_limited(retry_after: float | str) -> Reply:
    return status(429, "rate limit reached", retry_after=str(retry_after))


def exercise_writer(items: Iterable[tuple[str, str]], *, hints: tuple[str, ...] = ("a", "b"),
                    delay: float = 0.0, solves: dict[str, str] | None = None
                    ) -> Callable[[dict[str, Any]], Reply | None]:
    """A ``responder`` playing a model that writes exercises in sqllab's three steps: the query step
    (a JSON schema with ``queries``) gets every SQL of ``items`` (question, sql); the question step
    (``question``) gets the question paired with the query its prompt names; the round trip's solve
    step (``sql``: tables and question only) gets, for the question its prompt shows, the query in
    ``solves`` when there is one (a reader who takes the question otherwise), else the query paired
    with it (a faithful reader). Anything else: None (the server's script or default answers)."""
    items = list(items)
    solves = dict(solves or {})

    def respond(body: dict[str, Any]) -> Reply | None:
        fmt = body.get("response_format") or {}
        properties = fmt.get("json_schema", {}).get("schema", {}).get("properties", {})
        prompt = body["messages"][-1]["content"]
        conversation = "\n".join(m["content"] for m in body["messages"])   # a repair: the request came first
        if "queries" in properties:
            return ok(json.dumps({"queries": [{"sql": sql} for _, sql in items]}), delay=delay)
        if "question" in properties:
            for question, sql in sorted(items, key=lambda item: -len(item[1])):
                if sql in conversation:
                    return ok(json.dumps({"question": question, "hints": list(hints)}))
        if "sql" in properties:
            for question, sql in sorted(items, key=lambda item: -len(item[0])):
                if question in prompt:
                    return ok(json.dumps({"sql": solves.get(question, sql)}))
        return None

    return respond


def hang(seconds: float) -> Reply:
    return Reply(delay=seconds)


def malformed() -> Reply:
    return Reply(body=b'{"choices": [{"message": {"content": "half')


def missing_choices() -> Reply:
    return Reply(body=json.dumps({"id": "x", "object": "chat.completion", "model": MODEL}).encode())


def truncated() -> Reply:
    return Reply(truncate=True)


def cut_stream() -> Reply:
    return Reply(cut_stream=True)


def model_not_found(model: str = MODEL) -> Reply:
    return status(404, f"The model `{model}` does not exist")


def model_loading() -> Reply:
    return status(503, "Loading model")


@dataclass
class Received:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    started: float
    finished: float = 0.0
    peer: int = 0  # the client's port: one per TCP connection


def closed_port_url() -> str:
    """A base URL where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # clients hanging up are expected


class LLMTestServer:
    def __init__(self, script: Iterable[Reply] = (), *, default: Reply | None = None,
                 responder: Callable[[dict[str, Any]], Reply | None] | None = None,
                 models: Iterable[str] = (MODEL,), chunk_size: int = 4,
                 props: dict[str, Any] | None = None) -> None:
        self.script = list(script)
        self.props = props          # GET /props answers this, as llama.cpp's server does
        self.default = default or ok()
        self.responder = responder
        self.models = list(models)
        self.chunk_size = chunk_size
        self.received: list[Received] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> "LLMTestServer":
        handler = type("Handler", (_Handler,), {"owner": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="llm-test-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "LLMTestServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- what happened -------------------------------------------------------------------
    @property
    def chat_requests(self) -> list[Received]:
        return [r for r in self.received if r.path.endswith("/chat/completions")]

    @property
    def chat_count(self) -> int:
        return len(self.chat_requests)

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        if self.responder is not None:
            reply = self.responder(body)
            if reply is not None:
                return reply
        with self._lock:
            return self.script.pop(0) if self.script else self.default


class _Handler(BaseHTTPRequestHandler):
    owner: LLMTestServer
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections end by themselves
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802
        owner = self.owner
        with owner._lock:
            owner.received.append(Received(self.path, {}, dict(self.headers), time.monotonic(),
                                           peer=self.client_address[1]))
        if self.path.rstrip("/") == "/v1/models":
            data = {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "test"}
                                               for m in owner.models]}
            self._send(200, json.dumps(data).encode())
        elif self.path.rstrip("/") == "/props" and owner.props is not None:
            self._send(200, json.dumps(owner.props).encode())
        else:
            self._send(404, b'{"error": {"message": "not found"}}')

    def do_POST(self) -> None:  # noqa: N802
        owner = self.owner
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        record = Received(self.path, body, dict(self.headers), time.monotonic(), peer=self.client_address[1])
        with owner._lock:
            owner.received.append(record)
            owner.in_flight += 1
            owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
        try:
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, b'{"error": {"message": "no such endpoint"}}')
                return
            reply = owner._next_reply(body)
            if reply.delay:
                owner._stop.wait(reply.delay)
            self._answer(reply, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout): fine
        finally:
            with owner._lock:
                owner.in_flight -= 1
                record.finished = time.monotonic()

    def _answer(self, reply: Reply, body: dict[str, Any]) -> None:
        if reply.body is not None or reply.status != 200:
            self._send(reply.status, reply.body or b"{}", headers=reply.headers)
            return
        messages = body.get("messages") or [{"content": ""}]
        content = reply.content if reply.content is not None else f"echo: {messages[-1].get('content', '')}"
        model = body.get("model") or MODEL
        usage = {"prompt_tokens": 5, "completion_tokens": max(1, len(content) // 4),
                 "total_tokens": 5 + max(1, len(content) // 4)}
        if body.get("stream"):
            self._stream(content, model, usage, reply)
            return
        data = json.dumps({
            "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": usage}).encode()
        if reply.truncate:
            self._send(200, data[: len(data) // 2], length=len(data), headers=reply.headers)
            self.close_connection = True
            return
        self._send(200, data, headers=reply.headers)

    def _stream(self, content: str, model: str, usage: dict[str, int], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def event(payload: dict[str, Any] | str) -> None:
            text = payload if isinstance(payload, str) else json.dumps(payload)
            data = f"data: {text}\n\n".encode()
            self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
            return {"id": "chatcmpl-test", "object": "chat.completion.chunk", "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}

        event(chunk({"role": "assistant"}))
        size = self.owner.chunk_size
        for start in range(0, len(content), size):
            event(chunk({"content": content[start:start + size]}))
            if reply.cut_stream:
                self.close_connection = True
                return  # no terminating chunk: the client sees a cut stream
        event(chunk({}, "stop", usage=usage))
        event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


async def serve_fast(port: int = 0) -> None:
    """A minimal asyncio HTTP/1.1 keep-alive server answering every POST with an echo completion.

    Only for bench/: fast enough that the client, not the server, is what gets measured.
    """
    import asyncio

    async def handle(reader: "asyncio.StreamReader", writer: "asyncio.StreamWriter") -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = json.loads(await reader.readexactly(length)) if length else {}
                content = "echo: " + str((body.get("messages") or [{}])[-1].get("content", ""))
                data = json.dumps({
                    "id": "chatcmpl-test", "object": "chat.completion", "created": 0,
                    "model": body.get("model") or MODEL,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(data)).encode() + b"\r\n\r\n" + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":  # for bench/: prints its URL, serves until killed
    import asyncio

    if "--threaded" in sys.argv:  # the scripted test server itself
        server = LLMTestServer().start()
        print(server.url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
    else:
        try:
            asyncio.run(serve_fast())
        except KeyboardInterrupt:
            pass
    sys.exit(0)
