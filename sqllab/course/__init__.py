"""The class: personal notebooks for a roster, nbgrader assignments and their graded lessons."""

from .assignments import build_assignments
from .build import Student, build_course, lesson_notebooks, personal_seed, plan, read_roster
from .graded import GradedLesson

__all__ = ["build_course", "build_assignments", "GradedLesson", "Student", "lesson_notebooks",
           "personal_seed", "plan", "read_roster"]
