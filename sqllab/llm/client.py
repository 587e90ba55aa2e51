"""``LLMClient``: an async client for any OpenAI-compatible chat-completions server.

One ``httpx.AsyncClient`` (a bounded connection pool) and one ``RateLimiter`` per event loop,
the seed's retry policy (``retry.RetryConfig``), the seed's error table mapped onto
``sqllab.errors``, an optional response cache, metrics and structured logs.

An ``LLMClient`` may be used from several event loops (a Jupyter kernel's loop and the
background loop of the sync facade, ``client.sync``); each loop gets its own pool and limiter,
so ``max_concurrency`` bounds the requests in flight *per loop*.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import time
from typing import Any, AsyncIterator, Awaitable, Callable, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from ..errors import (LLMConnectionError, LLMError, LLMHTTPError, LLMModelError,
                      LLMOutputValidationError, LLMRateLimitError, LLMResponseError, LLMTimeoutError)
from ..i18n import default_lang, normalize_lang
from .cache import CachedResponse, ResponseCache, cache_key
from .logs import log_request
from .metrics import LLMMetrics
from .ratelimit import RateLimiter
from .retry import RetryConfig, parse_retry_after, retry_delay, retrying
from .sync import SyncLLMClient

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

_MODEL_MISSING = re.compile(r"model\b.{0,80}\b(not found|does not exist|not exist|unknown)|"
                            r"could not load model|no such model|model_not_found|unknown model", re.I | re.S)
_MODEL_LOADING = re.compile(r"loading model|model is (still )?loading|not loaded yet|model.{0,40}\bloading",
                            re.I | re.S)
_NAME_OK = re.compile(r"[^a-zA-Z0-9_-]")
_REPLAY_PIECE = 32  # characters per chunk when a cached answer is replayed as a stream
_AFTER_DONE_LINES = 16  # lines read (and ignored) after [DONE] until the body ends


class LLMResponse(BaseModel):
    """One completion (the seed's common format, plus whether it came from the cache)."""

    content: str
    model: str
    usage: dict[str, Any] | None = None
    cached: bool = False

    @property
    def total_tokens(self) -> int:
        usage = self.usage or {}
        total = usage.get("total_tokens")
        if isinstance(total, int):
            return total
        return sum(v for k, v in usage.items() if k in ("prompt_tokens", "completion_tokens")
                   and isinstance(v, int))


class _LoopState:
    def __init__(self, http: httpx.AsyncClient, limiter: RateLimiter | None) -> None:
        self.http = http
        self.limiter = limiter


class LLMClient:
    """Talks to ``{base_url}/chat/completions``.

    ``max_retries`` is the number of attempts in all (the seed's ``RetryConfig.max_attempts``);
    ``retry`` supplies the back-off (tests pass ``RetryConfig(base_delay=0.01)``).
    ``cache``: a ``ResponseCache``, ``True`` for the default file, or None for no cache.
    ``temperature`` / ``max_tokens`` are the defaults of calls that do not pass them.
    """

    def __init__(self, base_url: str, model: str, timeout: float = 30.0, max_retries: int = 3, *,
                 api_key: str | None = None, cache: ResponseCache | bool | None = None,
                 max_concurrency: int | None = None, metrics: LLMMetrics | None = None,
                 retry: RetryConfig | None = None, temperature: float = 0.7, max_tokens: int = 2000,
                 max_connections: int | None = None, lang: str | None = None) -> None:
        if max_retries < 1:
            raise ValueError("max_retries counts attempts in all and must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.timeout = float(timeout)
        self.max_retries = max_retries
        self.retry = retry or RetryConfig()
        self.api_key = api_key
        # not `cache or None`: an empty cache has len() 0 and is falsy
        self.cache: ResponseCache | None = ResponseCache() if cache is True else (
            cache if isinstance(cache, ResponseCache) else None)
        self.max_concurrency = max_concurrency
        self.metrics = metrics or LLMMetrics()
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.lang = normalize_lang(lang) if lang else default_lang()
        # The limiter bounds requests in flight; the pool gets some headroom above it so a
        # connection slot lost to a cancelled request can never block later ones.
        pool = max_connections or max(max_concurrency or 100, 10)
        self._limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
        self._chat_url = self.base_url + "/chat/completions"
        self._states: dict[asyncio.AbstractEventLoop, _LoopState] = {}
        self._states_lock = threading.Lock()
        self._sync: SyncLLMClient | None = None

    def __repr__(self) -> str:  # never shows the API key
        return f"LLMClient(base_url={self.base_url!r}, model={self.model!r})"

    # --- plumbing ------------------------------------------------------------------------
    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is not None:
            return state
        with self._states_lock:
            for old in [lp for lp in self._states if lp.is_closed()]:
                del self._states[old]  # its sockets died with the loop
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            http = httpx.AsyncClient(timeout=httpx.Timeout(self.timeout), limits=self._limits,
                                     headers=headers)
            limiter = RateLimiter(self.max_concurrency) if self.max_concurrency else None
            state = self._states[loop] = _LoopState(http, limiter)
            return state

    def _limiter(self) -> contextlib.AbstractAsyncContextManager[Any]:
        limiter = self._state().limiter
        return limiter if limiter is not None else contextlib.nullcontext()

    @property
    def in_flight(self) -> int:
        """Requests holding a slot of this loop's rate limiter (0 without a limiter)."""
        state = self._states.get(asyncio.get_running_loop())
        return state.limiter.in_flight if state and state.limiter else 0

    async def close(self) -> None:
        """Close the connection pools (the one of this loop now; others' on their own loops)."""
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        with self._states_lock:
            states, self._states = list(self._states.items()), {}
        for loop, state in states:
            if loop is current:
                await state.http.aclose()
            elif not loop.is_closed():
                asyncio.run_coroutine_threadsafe(state.http.aclose(), loop)  # do not wait: no deadlock

    async def __aenter__(self) -> "LLMClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    @property
    def sync(self) -> "SyncLLMClient":
        """Blocking twin of this client, usable inside a running event loop (Jupyter)."""
        if self._sync is None:
            self._sync = SyncLLMClient(self)
        return self._sync

    # --- errors --------------------------------------------------------------------------
    def _connection_error(self, exc: Exception) -> LLMConnectionError:
        return LLMConnectionError(key="llm.connection", lang=self.lang, url=self.base_url,
                                  reason=type(exc).__name__)

    def _timeout_error(self, seconds: float) -> LLMTimeoutError:
        return LLMTimeoutError(key="llm.timeout", lang=self.lang, url=self.base_url, seconds=seconds)

    def _invalid(self, reason: str) -> LLMResponseError:
        return LLMResponseError(key="llm.response_invalid", lang=self.lang, reason=reason)

    def _status_error(self, status: int, raw: bytes, headers: httpx.Headers) -> LLMError:
        detail = _error_detail(raw)
        retry_after = parse_retry_after(headers.get("retry-after"))
        error: LLMError
        if status == 429:
            error = LLMRateLimitError(key="llm.rate_limited", lang=self.lang, status_code=status)
        elif status in (401, 403):
            error = LLMHTTPError(key="llm.http_auth", lang=self.lang, status_code=status)
        elif status == 503 and _MODEL_LOADING.search(detail):
            error = LLMModelError(key="llm.model_loading", lang=self.lang, model=self.model,
                                  status_code=status)
            error.loading = True  # type: ignore[attr-defined]
        elif _MODEL_MISSING.search(detail):
            error = LLMModelError(key="llm.model_not_found", lang=self.lang, model=self.model,
                                  detail=detail, status_code=status)
        elif status == 404:
            error = LLMHTTPError(key="llm.http_not_found", lang=self.lang, status_code=status,
                                 url=self._chat_url)
        elif status >= 500:
            error = LLMHTTPError(key="llm.http_error", lang=self.lang, status_code=status, detail=detail)
        else:
            error = LLMHTTPError(key="llm.http_bad_request", lang=self.lang, status_code=status,
                                 detail=detail)
        error.retry_after = retry_after  # type: ignore[attr-defined]
        return error

    # --- one HTTP attempt ----------------------------------------------------------------
    async def _send(self, payload: bytes, timeout: float | None, *, revived: bool = False) -> httpx.Response:
        """POST and return the open response (status 2xx); the caller closes it."""
        http = self._state().http
        request = http.build_request(
            "POST", self._chat_url, content=payload, headers={"Content-Type": "application/json"},
            timeout=httpx.Timeout(timeout) if timeout else httpx.USE_CLIENT_DEFAULT)
        try:
            response = await http.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise self._timeout_error(timeout or self.timeout) from exc
        except httpx.ConnectError as exc:
            if revived or not await self._revive_embedded():
                raise self._connection_error(exc) from exc
            return await self._send(payload, timeout, revived=True)
        except httpx.TransportError as exc:
            raise self._connection_error(exc) from exc
        if response.status_code >= 400:
            try:
                raw = await response.aread()
            except httpx.HTTPError:
                raw = b""
            finally:
                await response.aclose()
            raise self._status_error(response.status_code, raw, response.headers)
        return response

    async def _revive_embedded(self) -> bool:
        """The shared embedded server stopped (idle time out, crash): start it again (same port
        when free) and point this client at it. False when ``base_url`` is not that server."""
        from . import embedded

        if not embedded.serves(self.base_url):
            return False
        url = await asyncio.to_thread(embedded.reconnect, self.base_url)
        if not url:
            return False
        self.base_url = url.rstrip("/")
        self._chat_url = self.base_url + "/chat/completions"
        return True

    async def _read(self, response: httpx.Response, timeout: float | None) -> bytes:
        try:
            return await response.aread()
        except httpx.TimeoutException as exc:
            raise self._timeout_error(timeout or self.timeout) from exc
        except httpx.TransportError as exc:
            raise self._invalid(f"incomplete body ({exc})") from exc
        finally:
            await response.aclose()

    async def _attempt(self, payload: bytes, timeout: float | None) -> dict[str, Any]:
        response = await self._send(payload, timeout)
        return self._parse(await self._read(response, timeout))

    def _parse(self, raw: bytes) -> dict[str, Any]:
        try:
            data = json.loads(raw)
        except ValueError:
            raise self._invalid("the body is not JSON") from None
        if not isinstance(data, dict):
            raise self._invalid("the body is not a JSON object")
        if "error" in data and "choices" not in data:
            raise self._invalid(_error_detail(raw))
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise self._invalid("no choices[0].message.content") from None
        if not isinstance(content, str):
            raise self._invalid("choices[0].message.content is not text")
        usage = data.get("usage")
        return {"content": content, "model": str(data.get("model") or self.model),
                "usage": usage if isinstance(usage, dict) else None}

    async def _with_retries(self, call: Callable[[], Awaitable[T]], max_attempts: int | None,
                            tries: list[int]) -> T:
        """``call()`` under the retry policy; ``tries[0]`` counts the attempts made (even on failure).

        The first attempt runs bare (most calls succeed, and tenacity's bookkeeping costs more
        than a loopback request); tenacity takes over from the first retryable failure.
        """
        attempts = max_attempts or self.max_retries
        tries[0] = 1
        try:
            return await call()
        except LLMError as exc:
            if attempts <= 1 or not RetryConfig.should_retry(exc):
                raise
            self.metrics.record_retry()
            await asyncio.sleep(retry_delay(self.retry, exc, 1))
        async for attempt in retrying(self.retry, max_attempts=attempts, attempts_done=1,
                                      on_retry=lambda state: self.metrics.record_retry()):
            with attempt:
                tries[0] = attempt.retry_state.attempt_number + 1
                result = await call()
        return result

    # --- requests ------------------------------------------------------------------------
    def _messages(self, prompt: str, system_prompt: str | None, answer_prefix: str | None = None,
                  history: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
        messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
        messages += _turns(history)
        messages.append({"role": "user", "content": prompt})
        if answer_prefix:       # llama.cpp continues a last assistant message (prefill); streams omit it
            messages.append({"role": "assistant", "content": answer_prefix})
        return messages

    def _body(self, messages: list[dict[str, str]], temperature: float, max_tokens: int,
              response_format: dict[str, Any] | None, seed: int | None, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": temperature,
                                "max_tokens": max_tokens, "stream": stream}
        if stream:      # the last event then carries the token counts (metrics, logs; llama.cpp, OpenAI)
            body["stream_options"] = {"include_usage": True}
        if seed is not None:
            body["seed"] = seed
        if response_format is not None:
            body["response_format"] = response_format
        return body

    def _key(self, body: dict[str, Any], prompt_version: str | None) -> str:
        return cache_key(model=self.model, messages=body["messages"], temperature=body["temperature"],
                         max_tokens=body["max_tokens"], seed=body.get("seed"),
                         response_format=body.get("response_format"), prompt_version=prompt_version)

    def _lookup(self, key: str | None, log: dict[str, Any]) -> CachedResponse | None:
        if key is None or self.cache is None:
            return None
        hit = self.cache.get(key)
        self.metrics.record_cache(hit is not None)
        if hit is not None:
            log_request(**log, model=hit.model, response_time=0.0, tokens_used=0, success=True,
                        attempt=0, cache_hit=True)
        return hit

    def _record(self, log: dict[str, Any], start: float, attempt: int, *, model: str | None = None,
                tokens: int = 0, error: LLMError | None = None) -> None:
        """Metrics and the ``llm_request`` log event of one request that reached the server (or failed)."""
        elapsed = time.perf_counter() - start
        self.metrics.record_request(error is None, elapsed, tokens)
        extra = {} if error is None else {"error_type": type(error).__name__,
                                          "status_code": getattr(error, "status_code", None)}
        log_request(**log, model=model or self.model, response_time=round(elapsed, 4), tokens_used=tokens,
                    success=error is None, attempt=attempt, cache_hit=False, **extra)

    async def complete(self, prompt: str, system_prompt: str | None = None,
                       temperature: float | None = None, max_tokens: int | None = None, *,
                       response_format: dict[str, Any] | None = None, seed: int | None = None,
                       prompt_version: str | None = None, use_cache: bool = True,
                       prompt_type: str | None = None, timeout: float | None = None) -> LLMResponse:
        """One chat completion. ``prompt_version`` (e.g. ``PromptTemplate.ref``) is part of the
        cache key; ``prompt_type`` only labels the log event; ``timeout`` overrides the client's."""
        return await self._complete(self._messages(prompt, system_prompt), temperature, max_tokens,
                                    response_format=response_format, seed=seed,
                                    prompt_version=prompt_version, use_cache=use_cache,
                                    prompt_type=prompt_type, timeout=timeout)

    async def _complete(self, messages: list[dict[str, str]], temperature: float | None,
                        max_tokens: int | None, *, response_format: dict[str, Any] | None = None,
                        seed: int | None = None, prompt_version: str | None = None,
                        use_cache: bool = True, prompt_type: str | None = None,
                        timeout: float | None = None, max_attempts: int | None = None,
                        validate: Callable[[str], Any] | None = None) -> LLMResponse:
        temperature = self.temperature if temperature is None else temperature
        max_tokens = self.max_tokens if max_tokens is None else max_tokens
        body = self._body(messages, temperature, max_tokens, response_format, seed, stream=False)
        key = self._key(body, prompt_version) if use_cache and self.cache is not None else None
        log = {"prompt_type": prompt_type, "prompt_version": prompt_version, "temperature": temperature,
               "stream": False}
        hit = self._lookup(key, log) if key is not None else None
        if hit is not None:
            if validate is not None:
                validate(hit.content)
            return LLMResponse.model_construct(content=hit.content, model=hit.model, usage=hit.usage,
                                               cached=True)  # trusted values: skip validation

        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        start = time.perf_counter()
        tries = [0]
        try:
            async with self._limiter():
                data = await self._with_retries(lambda: self._attempt(payload, timeout), max_attempts, tries)
        except LLMError as exc:
            self._record(log, start, tries[0], error=exc)
            raise
        response = LLMResponse(**data)
        self._record(log, start, tries[0], model=response.model, tokens=response.total_tokens)
        if validate is not None:
            validate(response.content)  # an invalid answer is not cached
        if key is not None and self.cache is not None:
            self.cache.set(key, CachedResponse(response.content, response.model, response.usage),
                           prompt_version=prompt_version)
        return response

    async def complete_json(self, prompt: str, schema: type[M] | dict[str, Any],
                            system_prompt: str | None = None, temperature: float | None = None,
                            max_tokens: int | None = None, *, name: str | None = None,
                            seed: int | None = None, prompt_version: str | None = None,
                            use_cache: bool = True, strict: bool = True, prompt_type: str | None = None,
                            timeout: float | None = None,
                            on_chunk: Callable[[str], None] | None = None,
                            history: list[dict[str, str]] | None = None) -> M | Any:
        """Ask for JSON matching ``schema`` (a pydantic model class or a JSON Schema dict).

        ``history``: earlier turns of the conversation (``user``/``assistant`` messages) between
        the system prompt and ``prompt``; a repair sent as the next turn keeps the first request's
        text as the prompt's start, which a llama.cpp server does not read again (its prompt cache).

        Returns a model instance (or the parsed JSON for a dict schema). An answer that does not
        validate raises ``LLMOutputValidationError`` (an ``LLMResponseError``) with ``raw_text``
        and ``validation_errors``. Servers may ignore the schema, so the answer is always checked.

        With ``on_chunk`` the answer is streamed and ``on_chunk(text)`` is called for every piece
        as it arrives (progress views; raising in it abandons the request). The result, the
        cache and the validation are the same as without it; a cache hit calls it once.
        """
        json_schema, validator, default_name = _schema_parts(schema, self.lang)
        name = _NAME_OK.sub("_", name or default_name)[:64] or "response"
        response_format = {"type": "json_schema",
                           "json_schema": {"name": name, "schema": json_schema, "strict": strict}}
        if on_chunk is not None:
            return await self._stream_json(prompt, system_prompt, temperature, max_tokens, response_format,
                                           validator, on_chunk, seed=seed, prompt_version=prompt_version,
                                           use_cache=use_cache, prompt_type=prompt_type, timeout=timeout,
                                           history=history)
        result: list[Any] = []
        await self._complete(self._messages(prompt, system_prompt, history=history), temperature, max_tokens,
                             response_format=response_format, seed=seed, prompt_version=prompt_version,
                             use_cache=use_cache, prompt_type=prompt_type, timeout=timeout,
                             validate=lambda text: result.append(validator(text)))
        return result[-1]

    def _stream_request(self, prompt: str, system_prompt: str | None, temperature: float | None,
                        max_tokens: int | None, response_format: dict[str, Any] | None, seed: int | None,
                        prompt_version: str | None, use_cache: bool,
                        prompt_type: str | None, answer_prefix: str | None = None,
                        history: list[dict[str, str]] | None = None) -> tuple[dict[str, Any], str | None, dict[str, Any]]:
        """(body, cache key or None, log fields) of a streamed request."""
        temperature = self.temperature if temperature is None else temperature
        max_tokens = self.max_tokens if max_tokens is None else max_tokens
        body = self._body(self._messages(prompt, system_prompt, answer_prefix, history), temperature, max_tokens,
                          response_format, seed, stream=True)
        key = self._key(body, prompt_version) if use_cache and self.cache is not None else None
        log = {"prompt_type": prompt_type, "prompt_version": prompt_version, "temperature": temperature,
               "stream": True}
        return body, key, log

    async def _stream_json(self, prompt: str, system_prompt: str | None, temperature: float | None,
                           max_tokens: int | None, response_format: dict[str, Any],
                           validator: Callable[[str], Any], on_chunk: Callable[[str], None], *,
                           seed: int | None, prompt_version: str | None, use_cache: bool,
                           prompt_type: str | None, timeout: float | None,
                           history: list[dict[str, str]] | None = None) -> Any:
        """``complete_json`` over a stream: only a validated answer goes into the cache."""
        body, key, log = self._stream_request(prompt, system_prompt, temperature, max_tokens, response_format,
                                              seed, prompt_version, use_cache, prompt_type, history=history)
        hit = self._lookup(key, log) if key is not None else None
        if hit is not None:
            on_chunk(hit.content)
            return validator(hit.content)
        result: list[Any] = []
        async for chunk in self._live_stream(body, log, key, prompt_version, timeout,
                                             validate=lambda text: result.append(validator(text))):
            on_chunk(chunk)
        return result[-1]

    async def _live_stream(self, body: dict[str, Any], log: dict[str, Any], key: str | None,
                           prompt_version: str | None, timeout: float | None,
                           validate: Callable[[str], Any] | None = None) -> AsyncIterator[str]:
        """Send ``body`` (stream=true) and yield its text chunks; retries happen only before the
        first chunk. The whole answer is cached at the end (after ``validate``, which may raise)."""
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        parts: list[str] = []
        meta: dict[str, Any] = {"model": self.model, "usage": None}
        started = time.perf_counter()
        tries = [0]
        try:
            async with self._limiter():
                response = await self._with_retries(lambda: self._send(payload, timeout), None, tries)
                try:
                    async with contextlib.aclosing(self._events(response, timeout, meta)) as events:
                        async for chunk in events:
                            parts.append(chunk)
                            yield chunk
                finally:
                    await response.aclose()
        except LLMError as exc:
            self._record(log, started, tries[0], error=exc)
            raise
        usage = meta["usage"]
        tokens = LLMResponse(content="", model="", usage=usage).total_tokens
        self._record(log, started, tries[0], model=meta["model"], tokens=tokens)
        text = "".join(parts)
        if validate is not None:
            validate(text)  # an invalid answer is not cached
        if key is not None and self.cache is not None:
            self.cache.set(key, CachedResponse(text, meta["model"], usage), prompt_version=prompt_version)

    async def stream(self, prompt: str, system_prompt: str | None = None,
                     temperature: float | None = None, max_tokens: int | None = None, *,
                     response_format: dict[str, Any] | None = None, seed: int | None = None,
                     prompt_version: str | None = None, use_cache: bool = True,
                     prompt_type: str | None = None, timeout: float | None = None,
                     answer_prefix: str | None = None) -> AsyncIterator[str]:
        """Text chunks as the server sends them (SSE). Retries happen only before the first
        chunk. A finished stream is cached whole and replayed in chunks on a hit.
        ``answer_prefix`` is sent as the start of the answer for the model to continue (llama.cpp's
        prefill; the chunks are the continuation only): use it only with a server that does it."""
        body, key, log = self._stream_request(prompt, system_prompt, temperature, max_tokens, response_format,
                                              seed, prompt_version, use_cache, prompt_type, answer_prefix)
        hit = self._lookup(key, log)
        if hit is not None:
            for start in range(0, len(hit.content), _REPLAY_PIECE):
                yield hit.content[start:start + _REPLAY_PIECE]
            return
        async for chunk in self._live_stream(body, log, key, prompt_version, timeout):
            yield chunk

    async def _events(self, response: httpx.Response, timeout: float | None,
                      meta: dict[str, Any]) -> AsyncIterator[str]:
        """Parse server-sent events into text chunks; fills ``meta`` with model and usage."""
        if "text/event-stream" not in response.headers.get("content-type", ""):
            data = self._parse(await self._read(response, timeout))  # the server ignored stream=true
            meta.update(model=data["model"], usage=data["usage"])
            if data["content"]:
                yield data["content"]
            return
        done = finished = False
        extra = 0
        try:
            # The body is read to its end (after [DONE] a server closes it at once): httpx's nested
            # line/text/byte iterators then finish here instead of being left suspended for the
            # garbage collector, whose finalizer runs their aclose() as a task on the loop, a task
            # the loop stopping at exit destroys ("Task was destroyed but it is pending!").
            async with contextlib.aclosing(response.aiter_lines()) as lines:
                async for line in lines:
                    if done:
                        extra += 1
                        if extra > _AFTER_DONE_LINES:     # a server that goes on after [DONE]
                            break
                        continue
                    if not line.startswith("data:"):
                        continue  # blank separators, comments, event:/id: fields
                    data_text = line[5:].strip()
                    if data_text == "[DONE]":
                        done = True
                        continue
                    try:
                        event = json.loads(data_text)
                    except ValueError:
                        raise self._invalid("a stream event is not JSON") from None
                    if not isinstance(event, dict):
                        raise self._invalid("a stream event is not a JSON object")
                    if "error" in event:
                        raise self._invalid(_error_detail(data_text.encode()))
                    if event.get("model"):
                        meta["model"] = str(event["model"])
                    if isinstance(event.get("usage"), dict):
                        meta["usage"] = event["usage"]
                    for choice in event.get("choices") or []:
                        delta = choice.get("delta") or {}
                        text = delta.get("content")
                        if isinstance(text, str) and text:
                            yield text
                        if choice.get("finish_reason"):
                            finished = True
        except httpx.TimeoutException as exc:
            raise self._timeout_error(timeout or self.timeout) from exc
        except httpx.TransportError as exc:
            raise self._invalid(f"the stream was cut ({type(exc).__name__})") from exc
        if not (done or finished):
            raise self._invalid("the stream ended before the answer was complete")

    async def list_models(self, *, timeout: float | None = None) -> list[str]:
        """Model ids from ``GET {base_url}/models`` (one attempt, errors mapped)."""
        http = self._state().http
        url = self.base_url + "/models"
        try:
            response = await http.get(url, timeout=httpx.Timeout(timeout) if timeout
                                      else httpx.USE_CLIENT_DEFAULT)
        except httpx.TimeoutException as exc:
            raise self._timeout_error(timeout or self.timeout) from exc
        except httpx.TransportError as exc:
            raise self._connection_error(exc) from exc
        if response.status_code >= 400:
            raise self._status_error(response.status_code, response.content, response.headers)
        try:
            data = response.json()["data"]
            return [str(item["id"]) for item in data]
        except (ValueError, KeyError, TypeError):
            raise self._invalid("GET /models did not return a model list") from None


def _turns(history: list[dict[str, str]] | None) -> list[dict[str, str]]:
    """Earlier turns as plain messages: only ``user`` and ``assistant`` roles, text content."""
    turns = []
    for turn in history or ():
        role, content = turn.get("role"), turn.get("content")
        if role not in ("user", "assistant") or not isinstance(content, str):
            raise ValueError(f"a history turn needs role 'user' or 'assistant' and text content, not {turn!r}")
        turns.append({"role": role, "content": content})
    return turns


def _error_detail(raw: bytes, limit: int = 200) -> str:
    """The server's error message (OpenAI ``{"error": {"message": ...}}`` or plain text)."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:limit] or "-"
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, dict):
            message = error.get("message") or error.get("detail") or json.dumps(error)
        else:
            message = str(error)
        return str(message)[:limit]
    return text[:limit]


def _strip_fences(text: str) -> str:
    """Drop a ```json fence around the whole answer (servers that ignore the grammar add one)."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```") and stripped.count("\n") >= 1:
        stripped = stripped[stripped.index("\n") + 1:-3].strip()
    return stripped


def _schema_parts(schema: type[BaseModel] | dict[str, Any],
                  lang: str) -> tuple[dict[str, Any], Callable[[str], Any], str]:
    """(JSON schema, validator(text) -> value, default name) for a pydantic class or a dict."""
    if isinstance(schema, type) and issubclass(schema, BaseModel):
        model = schema

        def validate_model(text: str) -> Any:
            try:
                return model.model_validate_json(_strip_fences(text))
            except ValidationError as exc:
                errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
                raise LLMOutputValidationError(raw_text=text, validation_errors=errors, lang=lang) from None

        return model.model_json_schema(), validate_model, model.__name__
    if isinstance(schema, dict):
        import jsonschema

        validator = jsonschema.Draft202012Validator(schema)

        def validate_dict(text: str) -> Any:
            try:
                value = json.loads(_strip_fences(text))
            except ValueError as exc:
                raise LLMOutputValidationError(
                    raw_text=text, validation_errors=[{"loc": [], "msg": f"invalid JSON: {exc}",
                                                       "type": "json_invalid"}], lang=lang) from None
            errors = [{"loc": list(e.absolute_path), "msg": e.message, "type": str(e.validator)}
                      for e in validator.iter_errors(value)]
            if errors:
                raise LLMOutputValidationError(raw_text=text, validation_errors=errors, lang=lang)
            return value

        return schema, validate_dict, str(schema.get("title") or "response")
    raise TypeError("schema must be a pydantic BaseModel subclass or a JSON Schema dict")
