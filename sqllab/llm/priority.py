"""Who goes first at the model: what a student waits for before what is written ahead.

Three levels, highest first: ``FEEDBACK`` (a student's wrong answer, explained), ``LESSON`` (the
content of the lesson the student has open) and ``AHEAD`` (content of the next lessons, written
in the background). Work at a level holds ``active(level)`` while it runs; a request at a lower
level waits in ``wait_turn(level)`` until nothing above it is active in this process. Waiting
has no deadline: when the machine is busy, the writer ahead slows down, it does not give up.

The gate is per process (one kernel's feedback holds back that kernel's writer ahead); the
embedded server's parallel slots take the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

FEEDBACK, LESSON, AHEAD = 0, 1, 2

_lock = threading.Condition()
_active = {FEEDBACK: 0, LESSON: 0, AHEAD: 0}


@contextlib.contextmanager
def active(level: int) -> Iterator[None]:
    """Mark work at ``level`` as running (from any thread) for the ``with`` block."""
    with _lock:
        _active[level] += 1
    try:
        yield
    finally:
        with _lock:
            _active[level] -= 1
            _lock.notify_all()


def busy_above(level: int) -> bool:
    """True while work of a higher level than ``level`` runs in this process."""
    with _lock:
        return any(n for lvl, n in _active.items() if lvl < level)


def wait_turn_blocking(level: int, *, poll_s: float = 0.5, stop: threading.Event | None = None) -> None:
    """Block the calling thread until no higher-level work runs (or ``stop`` is set)."""
    with _lock:
        while any(n for lvl, n in _active.items() if lvl < level):
            if stop is not None and stop.is_set():
                return
            _lock.wait(poll_s)


async def wait_turn(level: int, *, poll_s: float = 0.25) -> None:
    """The same from a coroutine: yields to the event loop while it waits."""
    while busy_above(level):
        await asyncio.sleep(poll_s)
