"""Content written ahead of the student: while a student works on one lesson, the next lessons'
LLM content is written in the background, in course order, for the same student, seed,
language and theme, so that a lesson opens with its verified LLM exercises already there.

One writer thread per process takes the lessons one at a time. Its requests go at
``priority.AHEAD``: they wait while this process has feedback or an open lesson's content in
flight, and they have no time budget (when the machine is busy the writer slows down; it does
not give up). A lesson the student opens while the writer is on it is promoted to
``priority.LESSON`` and the lesson waits for that result instead of writing it twice; across
processes a lock file per lesson content does the same (``Lesson.writing_lock``).
"""

from __future__ import annotations

import collections
import logging
import os
import threading
from typing import Any

from ..content.jobs import GenerationCancelled, GenerationProgress
from ..llm import priority

log = logging.getLogger(__name__)

#: how many lessons after the open one are written ahead by default (``SQLLAB_WRITE_AHEAD``): the
#: rest of the course. With only the next two, a writer that got ahead sat idle until the student
#: opened the next lesson, and fell behind later: its time is free while the student reads.
DEFAULT_AHEAD = 8


def ahead_count() -> int | None:
    """``SQLLAB_WRITE_AHEAD`` as a number of lessons, or None when it is not set."""
    raw = os.environ.get("SQLLAB_WRITE_AHEAD", "").strip()
    if not raw:
        return None
    try:
        return max(0, int(raw))
    except ValueError:
        log.warning("SQLLAB_WRITE_AHEAD=%r is not a number of lessons: writing ahead is off", raw)
        return 0


class AheadWriter:
    """The process's background writer of next lessons (``writer()``)."""

    def __init__(self) -> None:
        self._queue: collections.deque[Any] = collections.deque()
        self._keys: set[str] = set()
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self.current: tuple[str, GenerationProgress] | None = None
        self.written: list[str] = []           # content keys written, in order (for tests and the bench)

    def add(self, lessons: list[Any]) -> None:
        """Queue ``lessons`` (``Lesson`` objects made with ``generate=False``) in this order."""
        with self._cv:
            for lesson in lessons:
                key = lesson.content_key("llm")
                if key in self._keys or (self.current and self.current[0] == key):
                    continue
                self._keys.add(key)
                self._queue.append(lesson)
            if self._queue and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._run, name="sqllab-write-ahead", daemon=True)
                self._thread.start()
            self._cv.notify_all()

    def promote(self, key: str) -> GenerationProgress | None:
        """The student opened the lesson being written: its requests go at the open lesson's
        level from now on. Returns its progress (None when that lesson is not being written)."""
        with self._cv:
            if self.current is None or self.current[0] != key:
                return None
            progress = self.current[1]
            progress.priority = priority.LESSON
            return progress

    def drop(self, key: str) -> None:
        """Forget a queued lesson (the student opened it before the writer got to it)."""
        with self._cv:
            self._queue = collections.deque(x for x in self._queue if x.content_key("llm") != key)
            self._keys.discard(key)

    def clear(self) -> None:
        """Forget what is queued and stop the lesson being written (its content is not saved)."""
        with self._cv:
            self._queue.clear()
            self._keys.clear()
            if self.current is not None:
                self.current[1].cancel()

    def idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing is queued or being written; True when so."""
        with self._cv:
            return self._cv.wait_for(lambda: not self._queue and self.current is None, timeout)

    def _run(self) -> None:
        while True:
            with self._cv:
                if not self._queue:
                    self._cv.notify_all()
                    return
                lesson = self._queue.popleft()
                key = lesson.content_key("llm")
                self._keys.discard(key)
                progress = GenerationProgress(budget_s=None, priority=priority.AHEAD)
                self.current = (key, progress)
            try:
                self._write(lesson, progress)
            except GenerationCancelled:
                log.info("writing %s ahead was stopped", lesson.lesson_id)
            except Exception:  # a bug must not stop the lessons after it, nor reach a notebook
                log.exception("writing %s ahead failed", lesson.lesson_id)
            finally:
                with self._cv:
                    self.current = None
                    self._cv.notify_all()

    def _write(self, lesson: Any, progress: GenerationProgress) -> None:
        priority.wait_turn_blocking(priority.AHEAD)
        with lesson.writing_lock():
            if lesson.has_llm_content():
                return
            content, reason = lesson._generate_llm(progress, written_ahead=True)
            if content is not None and (content.dataset_source == "llm" or content.llm_exercises):
                self.written.append(lesson.content_key("llm"))
                log.info("wrote %s ahead: %d LLM exercises in %.0f s", lesson.lesson_id,
                         content.llm_exercises, progress.elapsed)
            else:
                log.info("writing %s ahead gave no LLM content: %s", lesson.lesson_id, reason)


_writer: AheadWriter | None = None
_writer_lock = threading.Lock()


def writer() -> AheadWriter:
    global _writer
    with _writer_lock:
        if _writer is None:
            _writer = AheadWriter()
        return _writer
