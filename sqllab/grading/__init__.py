"""Grading: whether a student's query is right (visible and hidden databases) and why it is not."""

from .grader import Grader, Verdict, grade, grade_many, grader_for

__all__ = ["grade", "grade_many", "grader_for", "Grader", "Verdict"]
