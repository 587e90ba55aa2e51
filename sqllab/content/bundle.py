"""Lesson content that travels with a notebook: ``<lesson_id>.sqllab.json`` beside it.

``sqllab course build`` writes each student's dataset and exercises next to the student's
notebook, and ``sqllab course nbgrader`` next to an assignment's notebook, so whoever opens the
notebook (another machine, another ``SQLLAB_CACHE_DIR``, nbgrader's autograder) gets exactly the
content that was built instead of content generated anew. A :class:`~sqllab.notebook.lesson.Lesson` whose
parameters match the file's loads it first.

The file holds the lesson's parameters, the dataset and the exercises. With
``with_reference=False`` (nbgrader releases) the exercises carry no ``reference_sql`` key at
all (and no hints, whose last level is a near-solution): the reference queries then live only in
the assignment's hidden tests.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, SQLLabError

FORMAT = "sqllab-content"
VERSION = 1
SUFFIX = ".sqllab.json"
#: when set (``sqllab course build`` sets it per notebook), a lesson writes its content there
SHIP_ENV = "SQLLAB_SHIP_CONTENT"


@dataclass
class Content:
    """A lesson's dataset and exercises, and where they came from."""

    dataset: Any
    exercises: list[Any]
    theme: str
    difficulty: str
    dataset_source: str          # "llm" | "bank"
    fallback_reason: str | None = None
    key: str | None = None       # content read from a notebook's bundle: its digest (names the database)
    written_ahead: bool = False  # written in the background while the student was on an earlier lesson

    @property
    def exercise_source(self) -> str:
        return "llm" if any(getattr(e, "source", "bank") == "llm" for e in self.exercises) else "bank"

    @property
    def llm_exercises(self) -> int:
        return sum(getattr(e, "source", "bank") == "llm" for e in self.exercises)


def bundle_path(folder: str | Path, lesson_id: str) -> Path:
    return Path(folder) / f"{lesson_id}{SUFFIX}"


@dataclass(frozen=True)
class Bundle:
    """A content file: the lesson's parameters and its content."""

    lesson_id: str
    params: dict[str, Any]
    content: Content
    with_reference: bool
    digest: str               # of the dataset and exercises: names the lesson database built from it


def lesson_params(lesson: Any) -> dict[str, Any]:
    """The parameters a lesson's content depends on (compared when a bundle is found)."""
    return {"student_id": lesson.student_id, "lang": lesson.lang, "seed": lesson.seed,
            "theme": lesson.theme, "difficulty": lesson.difficulty, "n_exercises": lesson.n_exercises,
            "topics": list(lesson.topics)}


def _digest(dataset: dict, exercises: list[dict]) -> str:
    payload = json.dumps({"dataset": dataset, "exercises": exercises}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def write_bundle(path: str | Path, lesson_id: str, params: dict[str, Any], content: Any, *,
                 with_reference: bool = True) -> Path:
    """Write ``content`` (a :class:`Content`) to ``path`` atomically."""
    from pydantic import TypeAdapter

    from .exercises import Exercise

    exercises = TypeAdapter(list[Exercise]).dump_python(content.exercises, mode="json")
    if not with_reference:            # nothing that gives an answer away: no reference, no near-solution hints
        for ex in exercises:
            ex.pop("reference_sql", None)
            ex.pop("hints", None)
    dataset = content.dataset.model_dump(mode="json")
    raw = {"format": FORMAT, "version": VERSION, "lesson": lesson_id, "params": params,
           "with_reference": with_reference, "theme": content.theme, "difficulty": content.difficulty,
           "dataset_source": content.dataset_source, "notice": content.fallback_reason,
           "dataset": dataset, "exercises": exercises}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(raw, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_bundle(path: str | Path, *, lang: str | None = None) -> Bundle:
    """Read a content file; a file that is not one (or is damaged) raises :class:`ConfigError`."""
    from pydantic import TypeAdapter

    from ..dataset import Dataset
    from .exercises import Exercise

    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT or int(raw.get("version", 0)) > VERSION:
            raise ValueError(f"not a {FORMAT} file of version <= {VERSION}")
        exercises_raw = [dict(e) for e in raw["exercises"]]
        digest = _digest(raw["dataset"], exercises_raw)
        for ex in exercises_raw:
            ex.setdefault("reference_sql", "")
        content = Content(dataset=Dataset.model_validate(raw["dataset"]),
                          exercises=TypeAdapter(list[Exercise]).validate_python(exercises_raw),
                          theme=raw["theme"], difficulty=raw["difficulty"],
                          dataset_source=raw["dataset_source"], fallback_reason=raw.get("notice"),
                          key=digest)
        return Bundle(raw["lesson"], dict(raw["params"]), content, bool(raw.get("with_reference", True)),
                      digest)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, SQLLabError) as exc:
        raise ConfigError(key="bundle.unreadable", lang=lang, path=str(path), reason=str(exc)[:200]) from None
