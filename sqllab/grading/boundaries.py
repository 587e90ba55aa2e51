"""Values next to a value: the data on which coincidentally right queries go wrong.

Given a constant of the reference (or a value of the visible data), these functions give
the values a student's slightly different condition treats differently:

- text: case flips (LIKE ignores ASCII case, GLOB and ``=`` do not), one character more or
  less, a missing or extra space (also the full-width space), code-point neighbours of each
  non-ASCII character (voiced/unvoiced kana are neighbours: か U+304B, が U+304C) and the
  other kana script;
- LIKE/GLOB patterns: the shortest and a longer text the pattern matches, then the above;
- dates and times stored as text, in the column's own format: the unit boundaries (first and
  last day of the month and year, 00:00:00 and 23:59:59, whole hours) around a value, and
  values far past the open end of a range;
- numbers: ±1 (±0.01 for REAL), the value itself, and far beyond the visible range;
- calendar edges (:func:`calendar_edges`): February 28 and 29 of a leap year and March 1, the 30th
  and 31st, month and year ends, near the years a query or the data names;
- values far past a bound (:func:`far_values`), where an open-ended range and a bounded one part;
- kana voicing (:func:`kana_family`, :func:`voicing_neighbours`): か/が, は/ば/ぱ, つ/っ/づ, which
  are not all one code point apart.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from typing import Any

DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})([ T])(\d{2}):(\d{2})(?::(\d{2}))?$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
YEAR = re.compile(r"^(\d{4})$")
TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?$")


# --- formats -----------------------------------------------------------------------------

def text_format(values: list[Any]) -> str | None:
    """'date', 'datetime', 'datetime_min' (no seconds), 'month', 'time', 'time_min' or None."""
    texts = [v for v in values if isinstance(v, str)]
    if not texts:
        return None
    for name, pattern in (("date", DATE), ("month", MONTH), ("time", TIME)):
        if all(pattern.match(v) for v in texts):
            if name == "time" and not all(TIME.match(v).group(3) for v in texts):
                return "time_min"
            return name
    if all(DATETIME.match(v) for v in texts):
        sep = DATETIME.match(texts[0]).group(4)
        seconds = all(DATETIME.match(v).group(7) for v in texts)
        return ("datetime" if seconds else "datetime_min") + ("_t" if sep == "T" else "")
    return None


def _render(moment: dt.datetime, fmt: str) -> str:
    if fmt == "date":
        return moment.strftime("%Y-%m-%d")
    if fmt == "month":
        return moment.strftime("%Y-%m")
    if fmt == "time":
        return moment.strftime("%H:%M:%S")
    if fmt == "time_min":
        return moment.strftime("%H:%M")
    sep = "T" if fmt.endswith("_t") else " "
    if fmt.startswith("datetime_min"):
        return moment.strftime(f"%Y-%m-%d{sep}%H:%M")
    return moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S")


def _moment(value: str) -> tuple[dt.datetime, str] | None:
    """A datetime for a date-like text and the unit it names ('year', 'month', 'day', 'minute', 'second')."""
    try:
        if m := YEAR.match(value):
            return dt.datetime(int(m.group(1)), 1, 1), "year"
        if m := MONTH.match(value):
            return dt.datetime(int(m.group(1)), int(m.group(2)), 1), "month"
        if m := DATE.match(value):
            return dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3))), "day"
        if m := DATETIME.match(value):
            return (dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(5)),
                                int(m.group(6)), int(m.group(7) or 0)),
                    "second" if m.group(7) else "minute")
        if m := TIME.match(value):
            return dt.datetime(2000, 1, 1, int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)), "time"
    except ValueError:
        return None
    return None


def _month_end(d: dt.datetime) -> dt.datetime:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _shift_years(d: dt.datetime, years: int) -> dt.datetime:
    try:
        return d.replace(year=d.year + years)
    except ValueError:                     # 29 February
        return d.replace(year=d.year + years, day=28)


def date_neighbours(value: str, fmt: str, *, open_ends: bool = True) -> list[str]:
    """Unit boundaries around a date-like ``value``, rendered in the column format ``fmt``."""
    parsed = _moment(value)
    if parsed is None:
        return []
    moment, unit = parsed
    out: list[dt.datetime] = []
    if fmt.startswith("time"):
        base = moment
        for delta in (dt.timedelta(seconds=-1), dt.timedelta(minutes=-1), dt.timedelta(0),
                      dt.timedelta(minutes=1), dt.timedelta(seconds=1), dt.timedelta(hours=1)):
            out.append(base + delta)
        out += [base.replace(minute=0, second=0), base.replace(minute=59, second=59)]
        return _unique(_render(m, fmt) for m in out)
    day = moment.replace(hour=0, minute=0, second=0)
    month_start = day.replace(day=1)
    year_start = day.replace(month=1, day=1)
    if unit == "year":
        out += [year_start, year_start.replace(month=12, day=31), year_start - dt.timedelta(days=1),
                year_start.replace(year=year_start.year + 1)]
    elif unit == "month":
        out += [month_start, _month_end(month_start), month_start - dt.timedelta(days=1),
                _month_end(month_start) + dt.timedelta(days=1)]
    else:
        out += [day, day - dt.timedelta(days=1), day + dt.timedelta(days=1), month_start, _month_end(day),
                month_start - dt.timedelta(days=1), _month_end(day) + dt.timedelta(days=1),
                year_start.replace(month=12, day=31), year_start]
    out += [_shift_years(day, 1), _shift_years(day, -1)]        # the same day, month in a neighbouring year
    if open_ends:
        out += [_shift_years(day, 3), _shift_years(day, -3), _shift_years(day, 10), _shift_years(day, -10),
                _shift_years(day, 100), _shift_years(day, -100)]
    rendered: list[str] = []
    timed = fmt.startswith("datetime")
    for m in out:
        if timed:
            rendered += [_render(m, fmt), _render(m.replace(hour=23, minute=59, second=59), fmt),
                         _render(m.replace(hour=12), fmt)]
        else:
            rendered.append(_render(m, fmt))
    if timed and unit in ("minute", "second"):
        step = dt.timedelta(seconds=1) if fmt.startswith("datetime") and not fmt.startswith("datetime_min") \
            else dt.timedelta(minutes=1)
        rendered += [_render(moment - step, fmt), _render(moment, fmt), _render(moment + step, fmt),
                     _render(moment.replace(minute=0, second=0), fmt),
                     _render(moment.replace(minute=59, second=59), fmt)]
    return _unique(rendered)


def with_time_near(value: str, time_text: str, fmt: str) -> list[str]:
    """The day of ``value`` at times next to ``time_text`` ('12:00' -> 11:59, 12:00, 12:01, 11:00, 10:00, 13:00)."""
    day, t = _moment(value), _moment(time_text)
    if day is None or t is None:
        return []
    at = day[0].replace(hour=t[0].hour, minute=t[0].minute, second=t[0].second)
    steps = [dt.timedelta(seconds=s) for s in (-3600 * 2, -3600, -60, -1, 0, 1, 60, 3600)]
    return _unique(_render(at + step, fmt) for step in steps)


def unit_values(value: str, number: int, fmt: str) -> list[str]:
    """Dates like ``value`` whose hour, day, month or year is ``number`` or next to it (for strftime tests)."""
    parsed = _moment(value)
    if parsed is None:
        return []
    moment = parsed[0]
    out: list[dt.datetime] = []
    for n in (number - 1, number, number + 1):
        for unit in ("hour", "day", "month", "year"):
            try:
                if unit == "hour" and 0 <= n <= 23 and (fmt.startswith("datetime") or fmt.startswith("time")):
                    out += [moment.replace(hour=n, minute=0, second=0), moment.replace(hour=n, minute=59, second=59)]
                elif unit == "day" and 1 <= n <= 31 and not fmt.startswith("time"):
                    out.append(moment.replace(day=n))
                elif unit == "month" and 1 <= n <= 12 and not fmt.startswith("time"):
                    out += [moment.replace(month=n, day=1), _month_end(moment.replace(month=n, day=1))]
                elif unit == "year" and 1000 <= n <= 9999 and not fmt.startswith("time"):
                    out += [moment.replace(year=n, month=1, day=1), moment.replace(year=n, month=12, day=31)]
            except ValueError:
                continue
    return _unique(_render(m, fmt) for m in out)


def _leap_years(year: int) -> list[int]:
    """``year`` when it is a leap year, else the leap years just before and after it."""
    if calendar.isleap(year):
        return [year]
    before = next(y for y in range(year - 1, year - 9, -1) if calendar.isleap(y))
    after = next(y for y in range(year + 1, year + 9) if calendar.isleap(y))
    return [after, before]


def calendar_edges(moments: list[str], fmt: str) -> list[str]:
    """Leap days and month ends near the dates ``moments`` (constants of a query, visible values),
    rendered in the column format ``fmt``: Feb 28, Feb 29 and Mar 1 of the nearest leap years, Feb 28
    and Mar 1 of the year itself, the 28th to 31st of the dates' own months (those that exist) and
    the 1st after, Jan 30/31, Apr 30, May 1, Dec 31 and Jan 1 of the next year. A datetime format
    gets each day at 00:00:00 and 23:59:59."""
    if fmt.startswith("time"):
        return []
    days: list[dt.datetime] = []
    for value in moments:
        parsed = _moment(value)
        if parsed is None:
            continue
        moment = parsed[0]
        year = moment.year
        if not 1001 <= year <= 9998:
            continue
        for leap in _leap_years(year):
            days += [dt.datetime(leap, 2, 28), dt.datetime(leap, 2, 29), dt.datetime(leap, 3, 1)]
        days += [dt.datetime(year, 2, 28), dt.datetime(year, 3, 1)]
        last = calendar.monthrange(year, moment.month)[1]
        days += [moment.replace(day=d, hour=0, minute=0, second=0) for d in range(28, last + 1)]
        days.append(_month_end(moment.replace(hour=0, minute=0, second=0)) + dt.timedelta(days=1))
        days += [dt.datetime(year, 1, 30), dt.datetime(year, 1, 31), dt.datetime(year, 4, 30),
                 dt.datetime(year, 5, 1), dt.datetime(year, 12, 31), dt.datetime(year + 1, 1, 1)]
    if fmt == "month":
        return _unique(_render(d, fmt) for d in days)
    if fmt.startswith("datetime"):
        return _unique(_render(d.replace(hour=h, minute=m, second=s), fmt) for d in days
                       for h, m, s in ((0, 0, 0), (23, 59, 59)))
    return _unique(_render(d, fmt) for d in days)


def far_values(value: Any, fmt: str | None = None, *, real: bool = False) -> list[Any]:
    """Values far past ``value`` on both sides (a bound of a range): a student's bounded range
    (``BETWEEN 600 AND 100000``) and an open one (``>= 600``) part there. Dates stay in ``fmt``;
    texts get the greatest and smallest texts a lesson holds (full-width forms, kana after it)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        steps = [10**3, 10**6, 10**9]
        out = [value + s for s in steps] + [value - s for s in steps] + [abs(value) * 10 + 7, -abs(value) * 10 - 7]
        if real or isinstance(value, float):
            out = [float(v) for v in out] + [value + 0.5, value - 0.5]
        return _unique(out)
    if not isinstance(value, str):
        return []
    if fmt:
        parsed = _moment(value)
        if parsed is None or fmt.startswith("time"):
            return []
        moment = parsed[0]
        out = [moment.replace(year=9999, month=12, day=31, hour=23, minute=59, second=59),
               dt.datetime(1000, 1, 1)]
        for years in (500, -500):
            if 1000 <= moment.year + years <= 9999:
                out.append(_shift_years(moment, years))
        return _unique(_render(m, fmt) for m in out)
    return _unique([value + "\u3093", value + "\uff5e", "\uff5a\uff5a", "\uff5e\uff5e", "\u9fa0",
                    "0", "!", " " + value])


# --- text ----------------------------------------------------------------------------------

def _kana_swap(ch: str) -> str | None:
    code = ord(ch)
    if 0x3041 <= code <= 0x3096:
        return chr(code + 0x60)
    if 0x30A1 <= code <= 0x30F6:
        return chr(code - 0x60)
    return None


_VOICED, _SEMI_VOICED = "\u3099", "\u309a"


def kana_family(ch: str) -> list[str]:
    """The kana that differ from ``ch`` only in voicing marks or size, itself left out: か → が,
    は → ば, ぱ, ぱ → は, ば, つ → づ, っ; ``[]`` for anything else. They are not all one code point
    apart (は U+306F, ぱ U+3071), so a range or a list of first letters can miss one of them."""
    try:
        name = unicodedata.name(ch)
    except (TypeError, ValueError):
        return []
    if not name.startswith(("HIRAGANA LETTER", "KATAKANA LETTER")):
        return []
    base = unicodedata.normalize("NFD", ch)[0]
    forms = [base] + [unicodedata.normalize("NFC", base + mark) for mark in (_VOICED, _SEMI_VOICED)]
    base_name = unicodedata.name(base)
    other_size = (base_name.replace(" SMALL ", " ") if " SMALL " in base_name
                  else base_name.replace(" LETTER ", " LETTER SMALL "))
    try:
        forms.append(unicodedata.lookup(other_size))
    except KeyError:
        pass
    return [f for f in _unique(forms) if len(f) == 1 and f != ch]


def voicing_neighbours(value: str, *, most: int = 24) -> list[str]:
    """``value`` with one kana changed in its voicing or size (at every position), that text with
    ん after it and cut after the change, for ranges: 'はら' → 'ばら', 'ばらん', 'ば', 'ぱら', …"""
    out: list[str] = []
    for i, ch in enumerate(value):
        for other in kana_family(ch):
            changed = value[:i] + other + value[i + 1:]
            out += [changed, changed + "\u3093", value[:i] + other]
    return [v for v in _unique(out) if v != value][:most]


def _printable(ch: str) -> bool:
    return ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF


def text_neighbours(value: str, *, most: int = 32) -> list[str]:
    """Texts next to ``value``: other case, one character more/less, spaces, code-point neighbours."""
    if not value:
        return ["a", " "]
    out: list[str] = [value.swapcase(), value.upper(), value.lower(), value.capitalize(),
                      value[:-1], value + value[-1], value + " ", " " + value, value + "x", "x" + value, value[1:]]
    if " " in value:
        out += [value.replace(" ", ""), value.replace(" ", "  "), value.replace(" ", "\u3000")]
    if "\u3000" in value:
        out += [value.replace("\u3000", " "), value.replace("\u3000", "")]
    last = ord(value[-1])
    if last > 32:                          # the greatest texts just below value (for an exclusive upper bound)
        below = value[:-1] + chr(last - 1)
        out += [below + "~", below + "\uff5e", below + "zz"]
    for i, ch in enumerate(value):
        if ord(ch) > 127 or i == len(value) - 1:
            for delta in (1, -1):
                code = ord(ch) + delta
                if 0 < code < 0x110000 and _printable(chr(code)):
                    out.append(value[:i] + chr(code) + value[i + 1:])
            swapped = _kana_swap(ch)
            if swapped:
                out.append(value[:i] + swapped + value[i + 1:])
    return [v for v in _unique(out) if v != value][:most]


def like_instances(pattern: str, *, glob: bool = False) -> list[str]:
    """Texts that a LIKE (or GLOB) pattern matches: wildcards empty, one character, several."""
    many, one = ("*", "?") if glob else ("%", "_")
    out = []
    for fill_many, fill_one in (("", "x"), ("Ab", "y"), ("あ", "ア"), ("\uff5e", "\uff5e")):
        text = pattern
        if glob:
            text = re.sub(r"\[[^\]]*\]", "b", text)
        out.append(text.replace(many, fill_many).replace(one, fill_one))
    return _unique(out)


def like_neighbours(pattern: str, *, glob: bool = False) -> list[str]:
    """Instances of a pattern and the texts next to them (which the pattern may or may not match)."""
    out: list[str] = []
    for instance in like_instances(pattern, glob=glob):
        out.append(instance)
        out += text_neighbours(instance, most=12)
    return _unique(out)


def digit_variants(value: str, numbers: list[int]) -> list[str]:
    """``value`` with its first run of digits written with another width or value ('JZ-01' -> 'JZ-1', 'JZ-10')."""
    m = re.search(r"\d+", value)
    if not m:
        return []
    run = m.group(0)
    n = int(run)
    candidates = {str(n), str(n + 1), str(n * 10), run + "0", "0" + run, str(n + 9)}
    for k in numbers:
        if 0 <= k < 10**6:
            candidates |= {str(k - 1), str(k), str(k + 1), str(k * 10)}
    return _unique(value[:m.start()] + c + value[m.end():] for c in sorted(candidates) if not c.startswith("-"))


# --- numbers -------------------------------------------------------------------------------

def number_neighbours(value: int | float, *, real: bool) -> list[int | float]:
    if isinstance(value, bool):
        return []
    if real or isinstance(value, float):
        return _unique([value - 1, value - 0.01, value - 0.001, value, value + 0.001, value + 0.01, value + 1])
    return _unique([value - 1, value, value + 1])


def _unique(values) -> list:
    seen: list = []
    keys = set()
    for v in values:
        key = (type(v).__name__, v)
        if v is None or key in keys:
            continue
        keys.add(key)
        seen.append(v)
    return seen
