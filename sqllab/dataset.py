"""Practice datasets: tables with typed columns, keys and rows, validated before they reach SQLite.

``Dataset`` is what the LLM (``Dataset.parse_llm_json``) or the offline generator produces and
what ``sqllab.db.load_dataset`` writes. Validation collects every problem with its place
("table orders, row 3, column customer_id: 42 is not in customers.id") and raises one
``DatasetValidationError`` (a ``DatasetError``) whose text can be sent back to the LLM for repair.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import i18n
from .errors import DatasetError

Value = str | int | float | bool | None

MAX_IDENT = 40
MAX_TABLES = 12
MAX_COLUMNS = 30
MAX_ROWS = 5000
MAX_TEXT = 2000
MAX_PROBLEMS = 30
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUM = r"(-?\d+(?:\.\d+)?)"
_CHECK_CMP = re.compile(rf"\s*(?:([A-Za-z_][A-Za-z0-9_]*)\s*)?(>=|<=|<>|!=|>|<)\s*{_NUM}\s*", re.I)
_CHECK_BETWEEN = re.compile(rf"\s*(?:([A-Za-z_][A-Za-z0-9_]*)\s+)?BETWEEN\s+{_NUM}\s+AND\s+{_NUM}\s*", re.I)
_TYPE_ALIASES = {"INT": "INTEGER", "BIGINT": "INTEGER", "SMALLINT": "INTEGER", "FLOAT": "REAL",
                 "DOUBLE": "REAL", "NUMERIC": "REAL", "DECIMAL": "REAL", "VARCHAR": "TEXT",
                 "STRING": "TEXT", "CHAR": "TEXT", "BOOL": "BOOLEAN"}


class ColumnType(str, Enum):
    INTEGER = "INTEGER"
    REAL = "REAL"
    TEXT = "TEXT"
    DATE = "DATE"
    BOOLEAN = "BOOLEAN"


# --- reserved words ----------------------------------------------------------------------

@lru_cache(maxsize=1)
def sql_keywords() -> frozenset[str]:
    """SQLite's own keyword list (``sqlite3_keyword_name``), plus sqlglot's if that is unreachable."""
    try:
        import _sqlite3

        lib = ctypes.CDLL(_sqlite3.__file__)
        name = lib.sqlite3_keyword_name
        name.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_int)]
        out = set()
        for i in range(lib.sqlite3_keyword_count()):
            p, n = ctypes.c_char_p(), ctypes.c_int()
            name(i, ctypes.byref(p), ctypes.byref(n))
            out.add(ctypes.string_at(p, n.value).decode().upper())
        if out:
            return frozenset(out)
    except (OSError, AttributeError, ImportError):  # pragma: no cover - depends on the build
        pass
    from sqlglot.tokens import Tokenizer  # pragma: no cover

    return frozenset(k.upper() for k in Tokenizer.KEYWORDS if _IDENT.fullmatch(k))  # pragma: no cover


# --- problems ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset: where (a ``dataset.at.*`` key) and what (``dataset.p.*``)."""

    where: str
    what: str
    where_params: dict[str, Any] = field(default_factory=dict)
    what_params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        return i18n.t("dataset.problem", lang, where=i18n.t(self.where, lang, **self.where_params),
                      what=i18n.t(self.what, lang, **self.what_params))


class DatasetValidationError(DatasetError):
    """A dataset with problems; ``problems`` lists them, ``str(err)`` is a readable list."""

    key = "dataset.invalid"

    def __init__(self, problems: list[Problem], *, lang: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__(None, lang=lang, count=len(self.problems),
                         problems=self._listing(self._lang_or_default(lang)))

    @staticmethod
    def _lang_or_default(lang: str | None) -> str:
        return i18n.normalize_lang(lang) if lang else i18n.default_lang()

    def _listing(self, lang: str) -> str:
        lines = [f"- {p.render(lang)}" for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append("- " + i18n.t("dataset.more", lang, n=len(self.problems) - MAX_PROBLEMS))
        return "\n".join(lines)

    def message_in(self, lang: str) -> str:
        return i18n.t(self.key, lang, count=len(self.problems), problems=self._listing(lang))

    def problem_texts(self, lang: str | None = None) -> list[str]:
        return [p.render(lang or self.lang) for p in self.problems]


# --- CHECK constraints -------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """A CHECK from the safe set: a comparison with a number, or BETWEEN two numbers."""

    op: str
    low: float
    high: float | None = None

    @classmethod
    def parse(cls, text: str, column: str) -> "Check | None":
        m = _CHECK_BETWEEN.fullmatch(text)
        if m and (m.group(1) is None or m.group(1).lower() == column.lower()):
            low, high = float(m.group(2)), float(m.group(3))
            return cls("BETWEEN", low, high) if low <= high else None
        m = _CHECK_CMP.fullmatch(text)
        if m and (m.group(1) is None or m.group(1).lower() == column.lower()):
            op = "<>" if m.group(2) == "!=" else m.group(2)
            return cls(op, float(m.group(3)))
        return None

    @staticmethod
    def _num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else repr(float(x))

    def text(self) -> str:
        if self.op == "BETWEEN":
            return f"BETWEEN {self._num(self.low)} AND {self._num(self.high or 0)}"
        return f"{self.op} {self._num(self.low)}"

    def sql(self, quoted_column: str) -> str:
        """SQL text built by code from the parsed form (never the input text)."""
        return f"{quoted_column} {self.text()}"

    def holds(self, v: float) -> bool:
        if self.op == "BETWEEN":
            return self.low <= v <= (self.high if self.high is not None else self.low)
        return {">": v > self.low, ">=": v >= self.low, "<": v < self.low, "<=": v <= self.low,
                "<>": v != self.low}[self.op]


# --- the models --------------------------------------------------------------------------

class Column(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    type: ColumnType
    nullable: bool = True
    unique: bool = False
    check: str | None = None
    description: str = ""

    @field_validator("type", mode="before")
    @classmethod
    def _type_alias(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.strip().upper()
            return _TYPE_ALIASES.get(v, v)
        return v

    def parsed_check(self) -> Check | None:
        return Check.parse(self.check, self.name) if self.check else None


class ForeignKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    columns: list[str]
    ref_table: str
    ref_columns: list[str]


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    columns: list[Column]
    primary_key: list[str] = Field(default_factory=list)
    foreign_keys: list[ForeignKey] = Field(default_factory=list)
    rows: list[list[Value]] = Field(default_factory=list)
    description: str = ""

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name.lower() == name.lower()), None)

    def index(self, name: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.name.lower() == name.lower())

    def values(self, name: str) -> list[Value]:
        """The values of one column, in row order."""
        i = self.index(name)
        return [r[i] for r in self.rows]

    def records(self) -> list[dict[str, Value]]:
        return [dict(zip((c.name for c in self.columns), r)) for r in self.rows]


class Dataset(BaseModel):
    """A practice dataset; constructing one validates it (see ``problems``)."""

    model_config = ConfigDict(extra="forbid")

    title: str
    theme: str = "custom"
    lang: Literal["en", "ja"] = "en"
    description: str = ""
    tables: list[Table]
    source: Literal["llm", "bank"] = Field("bank", description="who wrote the content: the LLM or the offline generator")
    notice: str = Field("", description="what the student is told about where the content came from")

    @model_validator(mode="after")
    def _validate(self) -> "Dataset":
        found = problems(self)
        if found:
            raise DatasetValidationError(found, lang=self.lang)
        return self

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name.lower() == name.lower():
                return t
        raise KeyError(name)

    @classmethod
    def parse_llm_json(cls, text_or_dict: str | bytes | dict[str, Any], *, theme: str | None = None,
                       lang: str | None = None) -> "Dataset":
        """A Dataset from an LLM answer, or a ``DatasetError`` listing every problem.

        Accepts this model's own JSON and the flat shape of ``llm_json_schema`` (columns with
        ``primary_key`` and ``references: "table.column"``); code fences around JSON are ignored.
        """
        msg_lang = i18n.normalize_lang(lang) if lang else None
        data = _load_json(text_or_dict, msg_lang)
        if not isinstance(data, dict):
            raise DatasetError(key="dataset.not_object", lang=msg_lang, kind=type(data).__name__)
        data = _from_flat_shape(data)
        if theme is not None:
            data["theme"] = theme
        if lang is not None:
            data["lang"] = lang
        data.setdefault("title", data.get("theme") or "dataset")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise DatasetValidationError([_shape_problem(e) for e in exc.errors()], lang=msg_lang) from None
        except DatasetValidationError as exc:
            if msg_lang and exc.lang != msg_lang:
                raise DatasetValidationError(exc.problems, lang=msg_lang) from None
            raise

    @staticmethod
    def llm_json_schema() -> dict[str, Any]:
        """A compact JSON schema for ``response_format`` (no $ref, plain objects/arrays/enums).

        Flat columns (``primary_key`` flag, ``references`` "table.column" or null) keep the
        grammar small; ``parse_llm_json`` turns this shape into a Dataset.
        """
        string = {"type": "string"}
        cell = {"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]}
        column = {
            "type": "object",
            "properties": {
                "name": string,
                "type": {"type": "string", "enum": [t.value for t in ColumnType]},
                "primary_key": {"type": "boolean"},
                "nullable": {"type": "boolean"},
                "references": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
            "required": ["name", "type", "primary_key", "nullable", "references"],
            "additionalProperties": False,
        }
        table = {
            "type": "object",
            "properties": {
                "name": string,
                "description": string,
                "columns": {"type": "array", "items": column, "minItems": 1},
                "rows": {"type": "array", "items": {"type": "array", "items": cell}, "minItems": 1},
            },
            "required": ["name", "description", "columns", "rows"],
            "additionalProperties": False,
        }
        return {
            "type": "object",
            "properties": {
                "name": string,
                "description": string,
                "tables": {"type": "array", "items": table, "minItems": 1},
            },
            "required": ["name", "description", "tables"],
            "additionalProperties": False,
        }


# --- validation --------------------------------------------------------------------------

def _fmt(v: Value) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return repr(v if len(v) <= 40 else v[:37] + "...")
    return repr(v)


def _ident_problem(name: str) -> tuple[str, dict[str, Any]] | None:
    if not name:
        return "dataset.p.ident_empty", {}
    if not _IDENT.fullmatch(name):
        return "dataset.p.ident_chars", {"name": name[:60]}
    if len(name) > MAX_IDENT:
        return "dataset.p.ident_long", {"name": name[:60], "limit": MAX_IDENT}
    if name.upper() in sql_keywords():
        return "dataset.p.ident_reserved", {"name": name}
    if name.lower().startswith("sqlite_"):
        return "dataset.p.ident_internal", {"name": name}
    return None


def _fit(value: Value, ctype: ColumnType) -> tuple[Value, tuple[str, dict[str, Any]] | None]:
    """``value`` normalized for ``ctype`` (3.0 -> 3, 1 -> True), or the problem with it."""
    bad = ("dataset.p.type", {"value": _fmt(value), "type": ctype.value})
    if value is None:
        return None, None
    if ctype is ColumnType.INTEGER:
        if isinstance(value, bool):
            return value, bad
        if isinstance(value, float) and value.is_integer():
            return int(value), None
        return (value, None) if isinstance(value, int) else (value, bad)
    if ctype is ColumnType.REAL:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return value, bad
        return float(value), None
    if ctype is ColumnType.BOOLEAN:
        if isinstance(value, bool):
            return value, None
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value), None
        return value, bad
    if not isinstance(value, str):
        return value, bad
    if "\x00" in value:
        return value, ("dataset.p.text_nul", {})
    if len(value) > MAX_TEXT:
        return value, ("dataset.p.text_long", {"n": len(value), "limit": MAX_TEXT})
    if ctype is ColumnType.DATE:
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            dt.date.fromisoformat(value)
        except ValueError:
            return value, ("dataset.p.date", {"value": _fmt(value)})
    return value, None


def problems(ds: Dataset) -> list[Problem]:
    """Everything wrong with ``ds`` (normalizing values that fit, e.g. 2.0 in an INTEGER column)."""
    out: list[Problem] = []
    if not ds.tables:
        out.append(Problem("dataset.at.dataset", "dataset.p.no_tables"))
    if len(ds.tables) > MAX_TABLES:
        out.append(Problem("dataset.at.dataset", "dataset.p.too_many_tables", {},
                           {"n": len(ds.tables), "limit": MAX_TABLES}))
    seen: set[str] = set()
    good_tables: dict[str, Table] = {}
    for t in ds.tables:
        at = {"table": t.name[:60]}
        bad_name = _ident_problem(t.name)
        if bad_name:
            out.append(Problem("dataset.at.table", bad_name[0], at, bad_name[1]))
        elif t.name.lower() in seen:
            out.append(Problem("dataset.at.table", "dataset.p.duplicate_table", at, {"name": t.name}))
        seen.add(t.name.lower())
        table_problems, structure_ok = _table_problems(t)
        out += table_problems
        if not bad_name and structure_ok:
            good_tables.setdefault(t.name.lower(), t)
    for t in ds.tables:
        if good_tables.get(t.name.lower()) is t:
            out += _fk_problems(t, good_tables)
    return out


def _table_problems(t: Table) -> tuple[list[Problem], bool]:
    """Problems of one table, and whether its columns and keys are sound (rows may still be bad)."""
    out: list[Problem] = []
    name = t.name[:60]
    if not t.columns:
        return [Problem("dataset.at.table", "dataset.p.no_columns", {"table": name})], False
    if len(t.columns) > MAX_COLUMNS:
        out.append(Problem("dataset.at.table", "dataset.p.too_many_columns", {"table": name},
                           {"n": len(t.columns), "limit": MAX_COLUMNS}))
    if len(t.rows) > MAX_ROWS:
        return out + [Problem("dataset.at.table", "dataset.p.too_many_rows", {"table": name},
                              {"n": len(t.rows), "limit": MAX_ROWS})], False
    cols_ok = True
    seen: set[str] = set()
    checks: dict[int, Check] = {}
    for i, c in enumerate(t.columns):
        at = {"table": name, "column": c.name[:60]}
        bad = _ident_problem(c.name)
        if bad:
            out.append(Problem("dataset.at.column", bad[0], at, bad[1]))
            cols_ok = False
        elif c.name.lower() in seen:
            out.append(Problem("dataset.at.column", "dataset.p.duplicate_column", at, {"name": c.name}))
            cols_ok = False
        seen.add(c.name.lower())
        if c.check:
            chk = c.parsed_check()
            if chk is None:
                out.append(Problem("dataset.at.column", "dataset.p.bad_check", at, {"check": c.check[:60]}))
            elif c.type not in (ColumnType.INTEGER, ColumnType.REAL):
                out.append(Problem("dataset.at.column", "dataset.p.check_type", at, {"type": c.type.value}))
            else:
                checks[i] = chk
    for role, names in [("PRIMARY KEY", t.primary_key)] + [("FOREIGN KEY", fk.columns) for fk in t.foreign_keys]:
        for n in names:
            if t.column(n) is None:
                out.append(Problem("dataset.at.table", "dataset.p.unknown_column", {"table": name},
                                   {"role": role, "name": n[:60]}))
                cols_ok = False
    if not cols_ok:
        return out, False
    pk = [t.index(n) for n in t.primary_key]
    width = len(t.columns)
    pk_seen: dict[tuple, int] = {}
    unique_seen: dict[int, dict[Value, int]] = {i: {} for i, c in enumerate(t.columns) if c.unique}
    for r, row in enumerate(t.rows, start=1):
        if len(row) != width:
            out.append(Problem("dataset.at.row", "dataset.p.arity", {"table": name, "row": r},
                               {"got": len(row), "want": width}))
            continue
        pk_ok = True
        for i, c in enumerate(t.columns):
            at = {"table": name, "row": r, "column": c.name}
            value, bad = _fit(row[i], c.type)
            if bad:
                out.append(Problem("dataset.at.cell", bad[0], at, bad[1]))
                pk_ok = pk_ok and i not in pk
                continue
            row[i] = value
            if value is None:
                if not c.nullable or i in pk:
                    out.append(Problem("dataset.at.cell", "dataset.p.null", at))
                    pk_ok = pk_ok and i not in pk
                continue
            if i in checks and not checks[i].holds(float(value)):
                out.append(Problem("dataset.at.cell", "dataset.p.check_failed", at,
                                   {"value": _fmt(value), "check": checks[i].sql(c.name)}))
            if i in unique_seen:
                key = _key(value)
                if key in unique_seen[i]:
                    out.append(Problem("dataset.at.cell", "dataset.p.duplicate_unique", at,
                                       {"value": _fmt(value), "first": unique_seen[i][key]}))
                else:
                    unique_seen[i][key] = r
        if pk and pk_ok:
            key = tuple(_key(row[i]) for i in pk)
            if key in pk_seen:
                out.append(Problem("dataset.at.row", "dataset.p.duplicate_key", {"table": name, "row": r},
                                   {"columns": ", ".join(t.primary_key),
                                    "value": ", ".join(_fmt(row[i]) for i in pk), "first": pk_seen[key]}))
            else:
                pk_seen[key] = r
    return out, True


def _key(v: Value) -> Value:
    """How SQLite compares key values: 1 = 1.0 = TRUE."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _fk_problems(t: Table, tables: dict[str, Table]) -> list[Problem]:
    out: list[Problem] = []
    for fk in t.foreign_keys:
        at = {"table": t.name, "columns": ", ".join(fk.columns)}
        ref = tables.get(fk.ref_table.lower())
        if ref is None:
            out.append(Problem("dataset.at.fk", "dataset.p.fk_table", at, {"ref": fk.ref_table[:60]}))
            continue
        missing = [c for c in fk.ref_columns if ref.column(c) is None]
        if missing:
            out += [Problem("dataset.at.fk", "dataset.p.fk_column", at, {"ref": m[:60], "table": ref.name})
                    for m in missing]
            continue
        if len(fk.columns) != len(fk.ref_columns) or not fk.columns:
            out.append(Problem("dataset.at.fk", "dataset.p.fk_arity", at,
                               {"n": len(fk.columns), "m": len(fk.ref_columns)}))
            continue
        ref_cols = [ref.column(c).name for c in fk.ref_columns]  # type: ignore[union-attr]
        keys = [[c.lower() for c in ref.primary_key]] + [[c.name.lower()] for c in ref.columns if c.unique]
        if [c.lower() for c in ref_cols] not in keys:
            out.append(Problem("dataset.at.fk", "dataset.p.fk_not_key", at,
                               {"ref": ", ".join(f"{ref.name}.{c}" for c in ref_cols)}))
            continue
        type_ok = True
        for c, rc in zip(fk.columns, ref_cols):
            a, b = t.column(c), ref.column(rc)
            if a.type != b.type:  # type: ignore[union-attr]
                type_ok = False
                out.append(Problem("dataset.at.fk", "dataset.p.fk_type", at, {
                    "column": c, "type": a.type.value, "ref": f"{ref.name}.{rc}",  # type: ignore[union-attr]
                    "ref_type": b.type.value}))  # type: ignore[union-attr]
        if not type_ok:
            continue
        idx = [t.index(c) for c in fk.columns]
        ridx = [ref.index(c) for c in ref_cols]
        existing = {tuple(_key(r[i]) for i in ridx) for r in ref.rows}
        target = ", ".join(f"{ref.name}.{c}" for c in ref_cols)
        width = len(t.columns)
        for n, row in enumerate(t.rows, start=1):
            if len(row) != width:
                continue
            vals = [row[i] for i in idx]
            if any(v is None or _fit(v, t.columns[i].type)[1] for v, i in zip(vals, idx)):
                continue
            if tuple(_key(v) for v in vals) not in existing:
                where = {"table": t.name, "row": n, "column": ", ".join(fk.columns)}
                out.append(Problem("dataset.at.cell", "dataset.p.fk_dangling", where,
                                   {"value": ", ".join(_fmt(v) for v in vals), "ref": target}))
    return out


# --- LLM answers -------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*```[A-Za-z]*\s*\n(.*?)\n?```\s*$", re.S)


def _load_json(text_or_dict: str | bytes | dict[str, Any], lang: str | None) -> Any:
    if isinstance(text_or_dict, dict):
        return json.loads(json.dumps(text_or_dict))  # a private copy; rows are normalized in place
    text = text_or_dict.decode("utf-8", "replace") if isinstance(text_or_dict, bytes) else text_or_dict
    m = _FENCE.match(text)
    if m:
        text = m.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(key="dataset.json", lang=lang, line=exc.lineno, col=exc.colno, reason=exc.msg) from None


def _from_flat_shape(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the flat LLM shape (per-column ``primary_key``/``references``) into this model's."""
    data = dict(data)
    if "title" not in data and isinstance(data.get("name"), str):
        data["title"] = data.pop("name")
    tables = data.get("tables")
    if not isinstance(tables, list):
        return data
    out = []
    for t in tables:
        if not isinstance(t, dict) or not isinstance(t.get("columns"), list):
            out.append(t)
            continue
        t = dict(t)
        cols, pk, fks = [], list(t.get("primary_key") or []), list(t.get("foreign_keys") or [])
        for c in t["columns"]:
            if not isinstance(c, dict):
                cols.append(c)
                continue
            c = dict(c)
            is_pk = c.pop("primary_key", False)
            ref = c.pop("references", None)
            if is_pk is True and isinstance(c.get("name"), str):
                pk.append(c["name"])
            if isinstance(ref, str) and ref.strip():
                table, _, column = ref.strip().partition(".")
                fks.append({"columns": [c.get("name")], "ref_table": table, "ref_columns": [column or "id"]})
            cols.append(c)
        t.update(columns=cols, primary_key=pk, foreign_keys=fks)
        out.append(t)
    data["tables"] = out
    return data


def _shape_problem(err: Any) -> Problem:
    loc = " → ".join(str(x) for x in err.get("loc", ())) or "-"
    return Problem("dataset.at.dataset", "dataset.shape", {}, {"where": loc, "reason": err.get("msg", "")})
