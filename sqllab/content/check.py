"""Check the content files as a lesson would use them (``sqllab content check``).

Reading the files already checks their form (a malformed one raises ``ConfigError`` at import).
This runs what is in them: every theme makes a dataset of every difficulty in both languages,
and every bank template's reference SQL runs on each of them through the sandbox the grader
uses; a query that fails, returns no rows, or changes no rows is a problem.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..db import load_dataset
from ..errors import SQLLabError
from ..sandbox import WRITE_KEYWORDS, main_keyword, run_modification, run_query
from . import exercises
from .offline import DIFFICULTIES, THEMES, generate_offline_dataset

#: the seed of each difficulty's dataset (two seeds per theme and language in all)
SEEDS = {"easy": 0, "medium": 1, "hard": 2}


@dataclass
class ContentReport:
    themes: list[str]
    templates: int
    datasets: int = 0
    queries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_content(themes: list[str] | None = None, templates: list[str] | None = None) -> ContentReport:
    """Run every template (or those whose key is in ``templates``) on every theme's datasets
    (or those of ``themes``); see the module's docstring."""
    names = list(THEMES) if themes is None else themes
    chosen = [t for t in exercises.TEMPLATES if templates is None or t.key in templates]
    report = ContentReport(themes=names, templates=len(chosen))
    with tempfile.TemporaryDirectory(prefix="sqllab-content-check-") as tmp:
        for theme in names:
            for lang in ("en", "ja"):
                for difficulty in DIFFICULTIES:
                    seed = SEEDS[difficulty]
                    at = f"{theme}/{lang}/{difficulty}"
                    try:
                        dataset = generate_offline_dataset(theme, lang=lang, seed=seed, difficulty=difficulty)
                        db = load_dataset(dataset, Path(tmp) / f"{theme}-{lang}-{difficulty}.db")
                        ctx = exercises._context(dataset, lang, seed)
                    except (SQLLabError, ValueError) as exc:
                        report.problems.append(f"{at}: the theme makes no dataset: {exc}")
                        continue
                    report.datasets += 1
                    for t in chosen:
                        problem = _run(t, ctx, lang, db)
                        report.queries += 1
                        if problem:
                            report.problems.append(f"{at} {t.key}: {problem}")
    return report


def _run(t: exercises.Template, ctx: dict[str, str], lang: str, db: Path) -> str | None:
    try:
        ex = exercises._build(t, ctx, lang)
    except Exception as exc:  # noqa: BLE001 - a template that does not fill is the problem reported
        return f"the template does not fill in: {type(exc).__name__}: {exc}"
    try:
        if main_keyword(ex.reference_sql) in WRITE_KEYWORDS:
            changes = run_modification(db, ex.reference_sql, lang=lang).changes
            return None if changes else f"changes no rows: {ex.reference_sql}"
        rows = run_query(db, ex.reference_sql, lang=lang).rows
        return None if rows else f"returns no rows: {ex.reference_sql}"
    except SQLLabError as exc:
        return f"{exc.message_in('en')}: {ex.reference_sql}"
