"""Lesson texts as data (sqllab/content/lessons/*.md): the format, every lesson on every dataset,
the measures a teaching lesson meets, and the widgets woven into the text, driven by clicks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sqllab.content import lesson_text
from sqllab.course import lesson_check
from sqllab.content.lesson_text import parse
from sqllab.errors import ConfigError
from sqllab.notebook import practice, widgets
from sqllab.notebook.lesson import Lesson
from sqllab.notebook.progress import ProgressStore

LESSONS = [i for i in lesson_text.lesson_ids() if i != "00_start_here"]

SAMPLE = '''+++
bind = "playground=True"
+++
# 02 · A sample

The introduction.

## First idea

Some text, with a fence that stays in the Markdown:

```text
SELECT columns FROM table
```

```sql
SELECT {t.key}, {t.number} FROM {t.table} LIMIT 3;
```

```step
kind = "change"
task = """Show `{t.key}` and `{t.number}` of the rows where `{t.number}` is at least {t.low}."""
start = """SELECT {t.key}, {t.number} FROM {t.table};"""
answer = """SELECT {t.key}, {t.number} FROM {t.table} WHERE {t.number} >= {t.low};"""
hint = """The condition goes after `FROM {t.table}`."""
```

```quiz
question = """How many rows does this query return?"""
sql = """SELECT * FROM {t.table} WHERE {t.nullable} = NULL;"""

[[option]]
text = "None"
correct = true
why = "`= NULL` is never true."

[[option]]
text = "The rows where it is missing"
why = "That is `IS NULL`."
```

## Second idea

```mistake
title = "A boundary left out"
query = """SELECT {t.key} FROM {t.table} WHERE {t.number} > {t.low};"""
fix = """SELECT {t.key} FROM {t.table} WHERE {t.number} >= {t.low};"""
why = """`>` drops the rows equal to it."""
```

## Recap
Done.
'''


# --- the format ----------------------------------------------------------------------------------

def test_a_lesson_file_becomes_blocks() -> None:
    text = parse(SAMPLE, "02_where", "en")
    assert text.title == "02 · A sample" and text.intro == "The introduction."
    assert text.bind == "playground=True" and text.has_setup
    assert [b.kind for b in text.blocks] == ["markdown", "sql", "step", "quiz", "markdown", "mistake", "markdown"]
    assert "```text\nSELECT columns FROM table\n```" in text.blocks[0].text      # other fences stay
    assert text.examples == ["SELECT {t.key}, {t.number} FROM {t.table} LIMIT 3;"]
    [step] = text.steps
    assert step.kind == "change" and step.first_sql == step.start
    [quiz] = text.quizzes
    assert [o.correct for o in quiz.options] == [True, False] and not quiz.multiple
    assert text.mistakes[0].title == "A boundary left out"
    # code is not the lesson's text; the widgets' texts are
    prose = text.prose()
    assert "LIMIT 3" not in prose and "SELECT columns" not in prose
    assert "drops the rows" in prose and "at least" in prose


@pytest.mark.parametrize("broken, complaint", [
    (SAMPLE.replace("# 02 · A sample", "02 · A sample"), "first line must be the title"),
    (SAMPLE.replace('kind = "change"', 'kind = "guess"'), "step"),
    (SAMPLE.replace('start = """SELECT {t.key}, {t.number} FROM {t.table};"""\n', ""), "needs a start query"),
    (SAMPLE.replace("correct = true\n", ""), "at least one correct option"),
    (SAMPLE.replace('title = "A boundary left out"', 'title = "A boundary'), "not valid TOML"),
    (SAMPLE.replace("## Recap\nDone.\n", "```sql\nSELECT 1;\n"), "never closed"),
    (SAMPLE.replace('why = "That is `IS NULL`."', 'because = "x"'), "option"),
])
def test_a_malformed_lesson_file_says_where(broken: str, complaint: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse(broken, "02_where", "en")
    assert complaint in str(err.value) and "02_where.en.md" in str(err.value)


def test_text_size_counts_words_and_japanese_characters() -> None:
    assert lesson_text.text_size("Rows where `x` is NULL don't match.", "en") == 7
    assert lesson_text.text_size("`WHERE` は行を残します。", "ja") == len("WHERE") + len("は行を残します")


# --- every lesson ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson_id", lesson_text.lesson_ids())
def test_english_and_japanese_have_the_same_cells_and_sql(lesson_id: str) -> None:
    en, ja = lesson_text.load(lesson_id, "en"), lesson_text.load(lesson_id, "ja")
    assert [b.kind for b in en.blocks] == [b.kind for b in ja.blocks]
    assert en.options == ja.options
    for a, b in zip(en.blocks, ja.blocks):
        if a.kind in ("sql", "python"):
            assert a.text == b.text
        elif a.kind == "step":
            assert (a.item.kind, a.item.start, a.item.answer) == (b.item.kind, b.item.start, b.item.answer)
        elif a.kind == "quiz":
            assert a.item.sql == b.item.sql and [o.correct for o in a.item.options] == [o.correct for o in b.item.options]
        elif a.kind == "mistake":
            assert (a.item.query, a.item.fix) == (b.item.query, b.item.fix)


@pytest.fixture(scope="module")
def every_dataset() -> Iterator[list[lesson_check.Dataset]]:
    with lesson_check.datasets() as found:
        assert {d.name for d in found} >= {"shop/en", "flights/ja", "llm:shop-en-41", "llm:shop-ja-42"}
        yield found


@pytest.mark.parametrize("lang", lesson_text.LANGS)
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_example_step_and_mistake_works_on_every_dataset(lesson_id: str, lang: str,
                                                               every_dataset: list) -> None:
    text = lesson_text.load(lesson_id, lang)
    found = {d.name: lesson_check.problems(text, d.path) for d in every_dataset if d.lang == lang}
    assert {name: p for name, p in found.items() if p} == {}


@pytest.mark.parametrize("lang", lesson_text.LANGS)
@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_lesson_teaches_enough(lesson_id: str, lang: str) -> None:
    """1,200 words (3,000 Japanese characters) of its own, 6 examples, 4 steps, 4 quiz questions, 2 mistakes."""
    text = lesson_text.load(lesson_id, lang)
    assert lesson_check.shortfalls(text) == []
    assert {s.kind for s in text.steps} == {"run", "change", "fix"}
    assert text.blocks[-1].kind == "markdown" and "## " in text.blocks[-1].text    # ends with its recap


def test_the_checker_catches_what_would_mislead(tmp_path: Path, every_dataset: list) -> None:
    db = next(d.path for d in every_dataset if d.name == "shop/en")
    broken = parse(SAMPLE.replace(">= {t.low};\"\"\"\nhint", "> {t.low} OR 1 = 1;\"\"\"\nhint")
                   .replace('fix = """SELECT {t.key} FROM {t.table} WHERE {t.number} >= {t.low};"""',
                            'fix = """SELECT {t.key} FROM {t.table} WHERE {t.number} + 0 > {t.low};"""')
                   .replace("LIMIT 3;", "LIMT 3;"), "02_where", "en")
    found = "\n".join(lesson_check.problems(broken, db))
    assert "example 1 fails" in found
    assert "step 1 start already gives the answer's result" in found
    assert "mistake 1: the grader finds no database" in found
    assert lesson_check.problems(parse(SAMPLE, "02_where", "en"), db) == []


def test_split_statements_keeps_semicolons_in_strings() -> None:
    assert lesson_check.split_statements("SELECT ';'; SELECT 2;\n") == ["SELECT ';';", "SELECT 2;"]


# --- the widgets, clicked as a student would ----------------------------------------------------------

@pytest.fixture
def lesson(tmp_path: Path) -> Lesson:
    return Lesson("02_where", lang="en", seed=11, student_id="amy", n_exercises=3, llm="offline",
                  progress=ProgressStore(tmp_path / "progress.db"), work_dir=tmp_path / "work")


def _reopened(lesson: Lesson, tmp_path: Path) -> Lesson:
    return Lesson("02_where", lang=lesson.lang, seed=11, student_id="amy", n_exercises=3, llm="offline",
                  progress=ProgressStore(tmp_path / "progress.db"), work_dir=tmp_path / "work")


def test_a_guided_step_is_checked_and_kept(lesson: Lesson, tmp_path: Path) -> None:
    text = parse(SAMPLE, "02_where", "en")
    card = practice.StepCard(lesson, text.steps[0], 1)
    names = lesson.names
    assert card.editor.value == f"SELECT {names.key}, {names.number} FROM {names.table};"
    assert f"<code>{names.number}</code>" in card.question.value and "{t." not in card.question.value
    card.check_button.click()                               # the start query: not what the task asks
    assert 'data-sqllab="verdict-wrong_result"' in card.verdict.value and not card.solved
    assert 'data-sqllab="diff"' in card.diff.value
    card.editor.value = f"SELECT {names.key}, {names.number} FROM {names.table} WHERE {names.number} >= {names.low};"
    card.check_button.click()
    assert 'data-sqllab="verdict-correct"' in card.verdict.value and card.solved
    card.hint_button.click()
    assert f"FROM {names.table}" in card.hint.value
    again = practice.StepCard(_reopened(lesson, tmp_path), text.steps[0], 1)      # after a restart
    assert again.solved and again.attempts == 2 and "WHERE" in again.editor.value
    assert lesson.solved_count() == (0, 3)                  # steps are not exercises


def test_a_quiz_explains_every_option_once_answered_and_remembers(lesson: Lesson, tmp_path: Path) -> None:
    quiz = parse(SAMPLE, "02_where", "en").quizzes[0]
    card = practice.QuizCard(lesson, quiz, 1)
    assert all(not w.value for w in card.whys)
    card.answer_button.click()
    assert "msg-muted" in card.verdict.value and all(not w.value for w in card.whys)    # nothing chosen
    card.toggles[1].value = True
    card.answer_button.click()
    assert 'data-sqllab="quiz-wrong"' in card.verdict.value
    assert all('data-sqllab="quiz-why"' in w.value for w in card.whys)
    assert "IS NULL" in card.whys[1].value and "never true" in card.whys[0].value
    card.toggles[0].value = True                            # one choice: choosing A clears B
    assert card.chosen == [0]
    card.answer_button.click()
    assert 'data-sqllab="quiz-correct"' in card.verdict.value
    again = practice.QuizCard(_reopened(lesson, tmp_path), quiz, 1)
    assert again.chosen == [0] and 'data-sqllab="quiz-correct"' in again.verdict.value


def test_a_multiple_answer_quiz_needs_every_right_option(lesson: Lesson) -> None:
    quiz = parse(SAMPLE.replace('why = "That is `IS NULL`."', 'why = "x"\ncorrect = true'), "02_where", "en").quizzes[0]
    card = practice.QuizCard(lesson, quiz, 1)
    assert quiz.multiple
    card.toggles[0].value = True
    card.toggles[1].value = True
    assert card.chosen == [0, 1]
    card.answer_button.click()
    assert 'data-sqllab="quiz-correct"' in card.verdict.value
    card.toggles[1].value = False
    card.answer_button.click()
    assert 'data-sqllab="quiz-wrong"' in card.verdict.value


def test_a_mistake_shows_the_database_where_it_goes_wrong(lesson: Lesson) -> None:
    card = practice.MistakeCard(lesson, parse(SAMPLE, "02_where", "en").mistakes[0], 1)
    names = lesson.names
    assert f"WHERE {names.number} &gt; {names.low}" in card.head.value
    card.run_button.click()
    assert 'data-sqllab="result"' in card.result.value
    card.reveal_button.click()
    assert card.verdict is not None and not card.verdict.correct
    assert 'data-sqllab="diff"' in card.reveal.value and "With the fix" in card.reveal.value
    assert "drops the rows" in card.reveal.value and f"&gt;= {names.low}" in card.reveal.value


def test_the_lesson_widgets_read_the_lesson_file(lesson: Lesson) -> None:
    text = lesson_text.load("02_where", "en")
    if text.steps:
        assert isinstance(practice.step(lesson, 1), practice.StepCard)
    if text.quizzes:
        assert practice.quiz(lesson, len(text.quizzes)).quiz == text.quizzes[-1]
    if text.mistakes:
        assert practice.mistake(lesson, 1).mistake == text.mistakes[0]
    out = practice.step(lesson, len(text.steps) + 1)        # a notebook older than its text: a message
    assert "msg-bad" in out.value and "rebuild the notebook" in out.value


def test_each_exercise_shows_its_expected_result_unless_turned_off(lesson: Lesson) -> None:
    card = widgets.exercises(lesson).cards[0]
    assert 'data-sqllab="expected"' in card.expected.value and "<details open" in card.expected.value
    first = lesson.run(card.exercise.reference_sql)
    assert all(f"<th>{c}</th>" in card.expected.value for c in first.columns)
    assert widgets.exercises(lesson, show_expected=False).cards[0].expected.value == ""
