"""How much each lesson teaches, counted the same way for sqllab and for Select Star SQL.

    .venv/bin/python bench/lesson_text.py [--selectstar PATH/TO/selectstarsql/beazley.md]

Per lesson and language: the lesson's own text (English words; Japanese characters, without
spaces and punctuation), the runnable worked examples, the guided steps that sqllab checks, the
quiz questions, and the common mistakes shown on a database where they go wrong. Boilerplate
(the cells every notebook has: parameters, dataset panel, exercise instructions) and code are not
counted. With ``--selectstar`` the first chapter of Select Star SQL (``beazley.md`` in
github.com/zichongkao/selectstarsql) is counted beside them: its prose and the questions and
comments of its exercises and quiz, without their code; every ``<sql-exercise>`` is a runnable
query, those with a solution are checked steps, each ``<sql-quiz>`` is one question.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqllab.content import lesson_text  # noqa: E402
from sqllab.course.lesson_check import MIN_WORDS, MINIMUM, counts  # noqa: E402
from sqllab.content.lesson_text import text_size  # noqa: E402

_ATTR = re.compile(r'data-(question|comment|text|explanation)\s*=\s*"([^"]*)"', re.S)


def selectstar_counts(path: Path) -> dict[str, int]:
    """The same measures for one Select Star SQL chapter (Jekyll Markdown with custom HTML tags)."""
    source = path.read_text(encoding="utf-8")
    body = re.sub(r"^---.*?---", "", source, count=1, flags=re.S)          # the front matter
    readable = [m.group(2) for m in _ATTR.finditer(body)]                # questions, comments, options
    prose = re.sub(r"<sql-(exercise|quiz|quiz-option)\b.*?>", " ", body, flags=re.S)
    prose = re.sub(r"<code class=.codeblock.>.*?</code>", " ", prose, flags=re.S)   # code shown as blocks
    prose = re.sub(r"<[^>]+>", " ", prose)
    text = html.unescape(prose + "\n" + "\n".join(readable))
    exercises = re.findall(r"<sql-exercise\b.*?>", body, flags=re.S)
    return {"size": text_size(text, "en"), "examples": len(exercises),
            "steps": sum("data-solution" in e for e in exercises),
            "quizzes": len(re.findall(r"<sql-quiz(?![-\w])", body)), "mistakes": 0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--selectstar", type=Path, help="Select Star SQL's beazley.md (its first chapter)")
    args = parser.parse_args(argv)
    print(f"{'lesson':<26}{'text':>7}{'examples':>10}{'steps':>7}{'quiz':>6}{'mistakes':>10}   meets the minimums")
    print(f"{'(minimum)':<26}{'1200/3000':>7}{MINIMUM['examples']:>10}{MINIMUM['steps']:>7}"
          f"{MINIMUM['quizzes']:>6}{MINIMUM['mistakes']:>10}")
    rows = []
    for lesson_id in lesson_text.lesson_ids():
        if lesson_id == "00_start_here":
            continue
        for lang in lesson_text.LANGS:
            c = counts(lesson_text.load(lesson_id, lang))
            ok = c["size"] >= MIN_WORDS[lang] and all(c[k] >= n for k, n in MINIMUM.items())
            rows.append(ok)
            unit = "chars" if lang == "ja" else "words"
            print(f"{lesson_id + ' (' + lang + ', ' + unit + ')':<26}{c['size']:>7}{c['examples']:>10}"
                  f"{c['steps']:>7}{c['quizzes']:>6}{c['mistakes']:>10}   {'yes' if ok else 'NO'}")
    if args.selectstar:
        c = selectstar_counts(args.selectstar)
        print(f"{'Select Star SQL ch. 1 (en)':<26}{c['size']:>7}{c['examples']:>10}{c['steps']:>7}"
              f"{c['quizzes']:>6}{c['mistakes']:>10}   (for comparison)")
    print(f"\n{sum(rows)} of {len(rows)} lesson texts meet every minimum")
    return 0


if __name__ == "__main__":
    sys.exit(main())
