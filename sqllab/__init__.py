"""sqllab: a Jupyter course kit for learning SQL.

The public API, one import away::

    from sqllab import grade, run_query, load_dataset, describe, generate_dataset, \\
        generate_exercises, Lesson, LLMClient, check_llm_health

Its parts, each a subpackage: ``grading`` (is the answer right, and why not), ``content``
(datasets and exercises), ``notebook`` (a lesson and its widgets), ``course`` (a class), ``llm``
(talking to a model); ``sandbox``, ``db``, ``dataset``, ``settings``, ``errors`` and ``i18n`` are
the base they all stand on. Names are imported on first use, so ``import sqllab`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_API = {
    "grade": "sqllab.grading", "grade_many": "sqllab.grading", "Verdict": "sqllab.grading",
    "run_query": "sqllab.sandbox", "QueryResult": "sqllab.sandbox",
    "load_dataset": "sqllab.db", "describe": "sqllab.db", "Dataset": "sqllab.dataset",
    "generate_dataset": "sqllab.content", "generate_exercises": "sqllab.content",
    "Exercise": "sqllab.content", "bank_exercises": "sqllab.content",
    "Lesson": "sqllab.notebook", "overview": "sqllab.notebook",
    "build_course": "sqllab.course",
    "LLMClient": "sqllab.llm", "check_llm_health": "sqllab.llm", "default_client": "sqllab.llm",
    "SQLLabError": "sqllab.errors",
}
__all__ = sorted(_API)

if TYPE_CHECKING:
    from .content import Exercise, bank_exercises, generate_dataset, generate_exercises
    from .course import build_course
    from .dataset import Dataset
    from .db import describe, load_dataset
    from .errors import SQLLabError
    from .grading import Verdict, grade, grade_many
    from .llm import LLMClient, check_llm_health, default_client
    from .notebook import Lesson, overview
    from .sandbox import QueryResult, run_query


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'sqllab' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
