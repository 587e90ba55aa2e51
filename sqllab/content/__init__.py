"""Content: what a lesson shows — datasets (the LLM's or offline), exercises (the LLM's or the bank's).

The offline themes and the bank's templates are data files (``themes/``, ``bank/``; ``README.md``),
read at import together with an instructor's folder (``SQLLAB_CONTENT_DIR``).
"""

from . import exercises, generation, offline
from .bundle import Content
from .exercises import Exercise, bank_exercises
from .generation import generate_content, generate_dataset, generate_exercises
from .offline import THEMES, generate_offline_dataset

__all__ = ["Content", "Exercise", "bank_exercises", "generate_content", "generate_dataset",
           "generate_exercises", "THEMES", "generate_offline_dataset", "reload_content"]


def reload_content() -> None:
    """Read the theme and bank files again (after changing ``SQLLAB_CONTENT_DIR`` or a file).

    ``THEMES``, ``TEMPLATES`` and ``CONCEPTS`` are refilled in place, so every module that imported
    them sees the new content; a malformed file raises ``ConfigError`` and leaves them as they were.
    """
    from .. import settings

    settings.reload()
    themes = offline.load_themes()
    templates, concepts = exercises.load_bank()
    offline.THEMES.clear()
    offline.THEMES.update(themes)
    exercises.TEMPLATES[:] = templates
    exercises.CONCEPTS.clear()
    exercises.CONCEPTS.update(concepts)
    generation._column_words.cache_clear()
    generation._column_labels.cache_clear()
