"""Write notebooks/en/*.ipynb and notebooks/ja/*.ipynb from the lesson texts.

Each lesson's text, examples, guided steps, quiz and mistakes are data files,
``sqllab/content/lessons/<lesson_id>.<lang>.md`` (see the README there); this script adds the
cells every lesson has (parameters, dataset, exercises, progress) around them. Notebooks are
stored without outputs. Run after editing a lesson file:

    .venv/bin/python notebooks/build_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sqllab.content import lesson_text
from sqllab.content.lesson_text import LessonText

HERE = Path(__file__).resolve().parent
DEFAULT_THEME = "shop"

PARAMETERS = '''# Parameters (papermill can override every one of them)
lang = "{lang}"          # "en" or "ja"
seed = 0               # same seed, same dataset and exercises
student_id = "student"  # progress is saved under this id
theme = "{theme}"        # dataset theme
difficulty = "easy"    # easy | medium | hard
n_exercises = 3        # exercises in this lesson
show_expected = True   # each exercise shows its expected result (False for a test: no target rows)
llm = "auto"           # auto | embedded | remote | offline ("auto" defers to SQLLAB_LLM_MODE when set)'''

SETUP = '''from sqllab.notebook import practice, widgets
from sqllab import Lesson

lesson = Lesson("{lesson_id}", lang=lang, seed=seed, student_id=student_id, theme=theme,
                difficulty=difficulty, n_exercises=n_exercises, llm=llm)
print(lesson.bind_sql({bind_args}))
widgets.dataset_panel(lesson)'''

NAMES = "t  # the names {t.…} stands for in the examples below"

EXERCISES = "widgets.exercises(lesson, show_expected=show_expected)"

SUMMARY = "print(lesson.resume_message())"

MD_SETUP = {
    "en": "## Your dataset\nRun the next cell: it prepares a practice database for you and connects "
          "`%sql` to it. Use the panel to pick another theme or difficulty and press **Generate**; "
          "the badge tells whether the content came from the LLM or from the built-in bank.",
    "ja": "## データセット\n次のセルを実行すると、練習用のデータベースを用意し、`%sql` をそこに接続します。"
          "パネルでテーマや難易度を選んで **生成** を押すと作り直せます。バッジは、内容が LLM から来たか、"
          "組み込みの問題集から来たかを示します。",
}
MD_NAMES = {
    "en": "Each student gets a different dataset, so the examples below write `{t.table}`, "
          "`{t.number}`, ... instead of real names; `%%sql` fills them in. This table shows what they "
          "stand for in *your* dataset. In your own queries, write the real names.",
    "ja": "データセットは受講者ごとに異なるため、下の例では実際の名前の代わりに `{t.table}` や `{t.number}` "
          "などと書いています。`%%sql` が実行時に置き換えます。次の表は、あなたのデータセットで何に置き換わるかを"
          "示します。自分のクエリでは実際の名前を書いてください。",
}
MD_EXERCISES = {
    "en": "## Exercises\nWrite your query in the editor. **Run** shows its result; **Check** tells you at "
          "once whether it is right (on your data and on hidden variations of it), then feedback may "
          "follow. **Hint** shows hints one level at a time. Every attempt is saved: after a restart "
          "you continue where you stopped.",
    "ja": "## 問題\nエディタに SQL を書きます。**実行** で結果を確認し、**採点** で正誤がすぐに分かります"
          "（見えているデータと、それを変化させた隠しデータの両方で判定します）。続いてフィードバックが表示される"
          "ことがあります。**ヒント** は段階的に表示されます。解答はすべて保存され、再起動しても続きから始められます。",
}
MD_END = {
    "en": "## Where you are\nThe next cell prints your progress in this lesson.",
    "ja": "## 進み具合\n次のセルは、このレッスンでの進み具合を表示します。",
}


def _parameters(lang: str) -> nbformat.NotebookNode:
    cell = new_code_cell(PARAMETERS.format(lang=lang, theme=DEFAULT_THEME))
    cell.metadata["tags"] = ["parameters"]
    return cell


def _notebook(cells: list[nbformat.NotebookNode], lang: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["sqllab"] = {"lang": lang}
    for i, cell in enumerate(nb.cells):  # stable ids: rebuilding changes nothing
        cell["id"] = f"cell-{i:02d}"
    return nb


WIDGET_CELLS = {"step": "practice.step(lesson, {n})", "quiz": "practice.quiz(lesson, {n})",
                "mistake": "practice.mistake(lesson, {n})"}


def _body(text: LessonText) -> list[nbformat.NotebookNode]:
    """The lesson's own cells: its Markdown, examples, code, and a widget per step/quiz/mistake."""
    cells, numbers = [], {kind: 0 for kind in WIDGET_CELLS}
    for block in text.blocks:
        if block.kind == "markdown":
            cells.append(new_markdown_cell(block.text))
        elif block.kind == "sql":
            cells.append(new_code_cell("%%sql\n" + block.text))
        elif block.kind == "python":
            cells.append(new_code_cell(block.text))
        else:
            numbers[block.kind] += 1
            cells.append(new_code_cell(WIDGET_CELLS[block.kind].format(n=numbers[block.kind])))
    return cells


def lesson_notebook(text: LessonText) -> nbformat.NotebookNode:
    lang = text.lang
    head = f"# {text.title}" + (f"\n\n{text.intro}" if text.intro else "")
    if not text.has_setup:                       # 00_start_here: no dataset of its own
        return _notebook([new_markdown_cell(head), _parameters(lang), *_body(text)], lang)
    cells = [new_markdown_cell(head), _parameters(lang), new_markdown_cell(MD_SETUP[lang]),
             new_code_cell(SETUP.format(lesson_id=text.lesson_id, bind_args=text.bind)),
             new_markdown_cell(MD_NAMES[lang]), new_code_cell(NAMES), *_body(text),
             new_markdown_cell(MD_EXERCISES[lang]), new_code_cell(EXERCISES),
             new_markdown_cell(MD_END[lang]), new_code_cell(SUMMARY)]
    return _notebook(cells, lang)


def build(out: Path = HERE) -> list[Path]:
    written = []
    for lang in lesson_text.LANGS:
        (out / lang).mkdir(parents=True, exist_ok=True)
        for lesson_id in lesson_text.lesson_ids():
            nb = lesson_notebook(lesson_text.load(lesson_id, lang))
            nbformat.validate(nb)
            path = out / lang / f"{lesson_id}.ipynb"
            nbformat.write(nb, path)
            written.append(path)
    return written


if __name__ == "__main__":
    for p in build():
        print(p.relative_to(HERE.parent))
