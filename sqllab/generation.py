"""``sqllab.generation``: the path DESIGN.md gives the content writers; they live in
:mod:`sqllab.content.generation`."""

from .content.generation import GeneratedContent, generate_content, generate_dataset, generate_exercises

__all__ = ["generate_dataset", "generate_exercises", "generate_content", "GeneratedContent"]
