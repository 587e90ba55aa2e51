"""The notebook: a lesson, its widgets, the ``%sql`` binding, recorded attempts and kept answers."""

from .lesson import Lesson, overview

__all__ = ["Lesson", "overview"]
