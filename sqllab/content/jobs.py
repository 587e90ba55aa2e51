"""Progress and cancellation of long LLM work (a lesson's content generation).

Generation runs in the background while the student works on the first exercises, so the
student needs to see what it is doing and be able to stop it. ``GenerationProgress`` is the
one object the generator updates and the views read:

- ``stage``: ``dataset`` → ``exercises`` (the queries) → ``checking`` (``step`` of ``steps``) →
  ``questions`` (``step`` of ``steps``) → ``repair``
  (round ``step``) → ``done`` | ``cancelled`` | ``failed``;
- ``tokens``: pieces of the LLM's answers received so far (streamed), ``elapsed`` seconds;
- ``cancel()``: the generator stops at its next step or token (``GenerationCancelled``).

Listeners are called from the generating thread, at most every ``min_interval`` seconds for
token counts (stage changes always); a listener that fails is logged, never propagated.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

STAGES = ("queued", "server", "dataset", "exercises", "checking", "questions", "repair", "done", "cancelled",
          "failed")
FINAL_STAGES = ("done", "cancelled", "failed")
#: A lesson's LLM content is to be ready within 120 s of the lesson opening (its job's clock, server
#: start included). No request is started that would likely end after READY_BUDGET_S; what is
#: verified by then is used and the bank fills the rest, with the notice it always has.
READY_BUDGET_S = 110.0


class GenerationCancelled(Exception):
    """Raised inside the generator when the student pressed Cancel (not an error)."""


@dataclass
class GenerationProgress:
    stage: str = "queued"
    step: int = 0
    steps: int = 0
    tokens: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    min_interval: float = 0.25
    #: seconds the content must be ready in (the open lesson: ``generation.READY_BUDGET_S``);
    #: None for content written ahead, which the student is not waiting on: no hard budget
    budget_s: float | None = READY_BUDGET_S
    #: ``sqllab.llm.priority`` level of this job's requests (LESSON, or AHEAD for the next lessons)
    priority: int = 1
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _listeners: list[Callable[["GenerationProgress"], None]] = field(default_factory=list, repr=False)
    _last_notice: float = field(default=0.0, repr=False)
    _on_cancel: list[Callable[[], None]] = field(default_factory=list, repr=False)

    @property
    def elapsed(self) -> float:
        end = self.finished if self.finished is not None else time.monotonic()
        return end - self.started

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return self.stage not in FINAL_STAGES

    def listen(self, listener: Callable[["GenerationProgress"], None]) -> None:
        self._listeners.append(listener)

    def cancel(self) -> None:
        self._cancel.set()
        for callback in list(self._on_cancel):
            callback()

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` when cancelled (e.g. to abandon a request in flight); returns the
        function that unregisters it."""
        self._on_cancel.append(callback)
        return lambda: self._on_cancel.remove(callback) if callback in self._on_cancel else None

    def check(self) -> None:
        """Stop here if the student cancelled."""
        if self._cancel.is_set():
            raise GenerationCancelled()

    def set(self, stage: str, step: int = 0, steps: int | None = None) -> None:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        if stage not in FINAL_STAGES:
            self.check()
        self.stage, self.step = stage, step
        if steps is not None:
            self.steps = steps
        if stage in FINAL_STAGES:
            self.finished = time.monotonic()
        self._notify(force=True)

    def token(self, n: int = 1) -> None:
        """``n`` more pieces of an answer arrived (called for every streamed chunk)."""
        self.check()
        self.tokens += n
        self._notify(force=False)

    def _notify(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last_notice < self.min_interval:
            return
        self._last_notice = now
        for listener in list(self._listeners):
            try:
                listener(self)
            except Exception:  # a broken view must not stop generation
                log.exception("progress listener failed")
