"""Content: what a lesson shows — datasets (the LLM's or offline), exercises (the LLM's or the bank's)."""

from .bundle import Content
from .exercises import Exercise, bank_exercises
from .generation import generate_content, generate_dataset, generate_exercises
from .offline import THEMES, generate_offline_dataset

__all__ = ["Content", "Exercise", "bank_exercises", "generate_content", "generate_dataset",
           "generate_exercises", "THEMES", "generate_offline_dataset"]
