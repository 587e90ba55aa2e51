"""Explain: a student's query run clause by clause on their own data.

``explain(db, sql, lang=...)`` evaluates one SELECT in SQL's logical order — each CTE, FROM,
every JOIN, WHERE, GROUP BY, HAVING, the subqueries and window functions, SELECT, DISTINCT,
ORDER BY, LIMIT/OFFSET — and returns an :class:`Explanation`: one :class:`Step` per clause
with a small table (columns, first rows), the number of rows that go on, and a one-line
caption in the student's language.

Each step is SQL that sqllab builds from the student's query with sqlglot (``SELECT * FROM
<from + joins>``, then the same with WHERE, …) and runs read-only through the sandbox, so
every count is SQLite's own; the last step is the student's query itself. A query that cannot
be split (UNION, a write, a syntax error) gives an Explanation with ``message`` and no steps —
for errors the sandbox's own message. Only the SQL given is explained: nothing here reads an
exercise or its reference.
"""

from __future__ import annotations

import html
import logging
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlglot
from sqlglot import exp

from .. import i18n, sandbox
from ..errors import SQLLabError
from ..sandbox import QueryResult

log = logging.getLogger(__name__)

MAX_ROWS = 1000          # rows a step keeps (its table); counts are always exact
SHOW_ROWS = 10           # rows a step shows in HTML
LABEL_CHARS = 60         # a condition or an expression in a caption or a column name
MARK = "__sqllab_matched"


@dataclass
class Step:
    """One clause: ``rows`` (at most ``MAX_ROWS``) of ``columns``, and ``row_count`` rows going on.

    For WHERE and HAVING the table is the rows (groups) *before* the filter with the condition's
    value in its last column (``detail["condition_column"]``), and ``row_count`` is how many
    are kept. ``detail`` holds the figures of the caption (``kept``, ``unmatched``, ``tie``, …).
    """

    clause: str
    caption: str
    columns: list[str]
    rows: list[tuple[Any, ...]]
    row_count: int
    sql: str = ""
    notes: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Step({self.clause!r}, row_count={self.row_count}, columns={self.columns!r})"


@dataclass
class Explanation:
    """The steps of one query, or ``message`` saying why it cannot be split (then no steps)."""

    sql: str
    lang: str
    steps: list[Step] = field(default_factory=list)
    message: str | None = None
    key: str | None = None

    @property
    def ok(self) -> bool:
        return self.message is None

    def __repr__(self) -> str:
        if not self.ok:
            return f"Explanation(message={self.message!r})"
        return f"Explanation(steps={[s.clause for s in self.steps]!r})"

    def __str__(self) -> str:
        if not self.ok:
            return str(self.message)
        lines = []
        for i, s in enumerate(self.steps, 1):
            lines.append(f"{i}. {s.caption}")
            lines += [f"   {n}" for n in s.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return explanation_html(self)


# --- the public function -------------------------------------------------------------------

def explain(db: sandbox.DB, sql: str, *, lang: str | None = None, max_rows: int = MAX_ROWS,
            timeout_s: float = 2.0) -> Explanation:
    """``sql`` run clause by clause on ``db`` (a path or a connection), never changing it."""
    lang = i18n.normalize_lang(lang)

    def refused(key: str | None, message: str) -> Explanation:
        return Explanation(sql=sql, lang=lang, message=message, key=key)

    try:
        sandbox.check_sql(sql, lang=lang)
    except SQLLabError as exc:
        return refused(exc.key, exc.message_in(lang))
    keyword = sandbox.main_keyword(sql)
    if keyword in sandbox.WRITE_KEYWORDS:
        return refused("explain.cannot.modify", i18n.t("explain.cannot.modify", lang, keyword=keyword))
    if keyword in sandbox.OTHER_KEYWORDS:
        return refused("explain.cannot.other", i18n.t("explain.cannot.other", lang, keyword=keyword))
    with _connection(db, lang) as conn:
        try:
            result = sandbox.run_query(conn, sql, lang=lang, max_rows=max_rows, timeout_s=timeout_s)
        except SQLLabError as exc:               # syntax, unknown names, …: the sandbox's own words
            return refused(exc.key, exc.message_in(lang))
        try:
            tree = sqlglot.parse_one(sql, read="sqlite")
        except Exception:  # noqa: BLE001 - sqlglot cannot read what SQLite ran: say so
            log.info("explain: sqlglot cannot parse %r", sql, exc_info=True)
            return refused("explain.cannot.split", i18n.t("explain.cannot.split", lang))
        compound = tree if isinstance(tree, exp.SetOperation) else None
        if compound is not None:
            op = {exp.Union: "UNION", exp.Intersect: "INTERSECT", exp.Except: "EXCEPT"}.get(type(compound), "UNION")
            if isinstance(compound, exp.Union) and not compound.args.get("distinct"):
                op = "UNION ALL"
            return refused("explain.cannot.compound", i18n.t("explain.cannot.compound", lang, op=op))
        if not isinstance(tree, exp.Select):
            return refused("explain.cannot.split", i18n.t("explain.cannot.split", lang))
        try:
            steps = _Explainer(conn, tree, sql, result, lang=lang, max_rows=max_rows, timeout_s=timeout_s).run()
        except SQLLabError:
            log.warning("explain: a step of %r did not run", sql, exc_info=True)
            return refused("explain.cannot.split", i18n.t("explain.cannot.split", lang))
        return Explanation(sql=sql, lang=lang, steps=steps)


@contextmanager
def _connection(db: sandbox.DB, lang: str) -> Iterator[sqlite3.Connection]:
    """One read-only connection for every step (``mode=ro``; the sandbox guards each statement)."""
    if isinstance(db, sqlite3.Connection):
        yield db
        return
    path = Path(os.fspath(db))
    if not path.is_file():
        raise SQLLabError(key="sql.error", lang=lang, detail=f"no database file {path}")
    conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, check_same_thread=False)
    try:
        yield conn
    finally:
        conn.close()


# --- building and running the steps ----------------------------------------------------------

def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sql(node: exp.Expression) -> str:
    return node.sql(dialect="sqlite")


def _count_star() -> exp.Expression:
    return exp.Count(this=exp.Star())


RUNNING = (exp.Sum, exp.Avg, exp.Count, exp.Min, exp.Max, exp.GroupConcat)


def _is_aggregate(select: exp.Select) -> bool:
    """Whether ``select``'s list holds an aggregate (not a window's, not a subquery's)."""
    for node in select.expressions:
        for agg in node.find_all(exp.AggFunc):
            if agg.find_ancestor(exp.Window, exp.Select) in (None, select):
                return True
    return False


def _own_subqueries(select: exp.Select) -> list[exp.Select]:
    """The SELECTs directly inside ``select``'s clauses (not FROM/JOIN sources, not deeper)."""
    found = []
    for sub in select.find_all(exp.Select):
        if sub is select or sub.parent_select is not select:
            continue
        node, child = sub, sub
        while node.parent is not None and node.parent is not select:
            child, node = node, node.parent
        key = node.arg_key
        if key == "from_" or (key == "joins" and child is not node.args.get("on") and not _within(sub, node.args.get("on"))):
            continue
        found.append(sub)
    return found


def _within(node: exp.Expression, root: exp.Expression | None) -> bool:
    while node is not None:
        if node is root:
            return True
        node = node.parent
    return False


def _location(sub: exp.Select, select: exp.Select) -> str:
    node = sub
    while node.parent is not None and node.parent is not select:
        node = node.parent
    return {"expressions": "select", "joins": "join"}.get(node.arg_key, node.arg_key)


def _truth(value: Any) -> bool | None:
    """SQLite's reading of a condition's value: None is unknown, 0 and non-numbers are false."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        m = re.match(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value)
        return bool(m) and float(m.group(0)) != 0
    return value != 0


class _Explainer:
    def __init__(self, conn: sqlite3.Connection, tree: exp.Select, sql: str, result: QueryResult, *,
                 lang: str, max_rows: int, timeout_s: float) -> None:
        self.conn = conn
        self.sql = sql
        self.result = result
        self.lang = lang
        self.max_rows = max_rows
        self.timeout_s = timeout_s
        self.with_ = tree.args.get("with_")
        self.select = tree.copy()
        self.select.set("with_", None)
        s = self.select
        self.from_ = s.args.get("from_")
        self.joins: list[exp.Join] = list(s.args.get("joins") or [])
        self.sources = ([self.from_.this] if self.from_ is not None else []) + [j.this for j in self.joins]
        self.aliases = {e.alias.lower(): e.this for e in s.expressions if isinstance(e, exp.Alias) and e.alias}
        self.source_cols: set[str] = set()
        self.steps: list[Step] = []

    def t(self, key: str, **params: Any) -> str:
        return i18n.t(key, self.lang, **params)

    # --- running ------------------------------------------------------------------------

    def text(self, query: exp.Expression) -> str:
        q = query.copy()
        if self.with_ is not None:
            q.set("with_", self.with_.copy())
        return _sql(q)

    def run(self) -> list[Step]:
        self.build()
        return self.steps

    def query(self, query: exp.Expression | str, max_rows: int | None = None) -> QueryResult:
        text = query if isinstance(query, str) else self.text(query)
        return sandbox.run_query(self.conn, text, lang=self.lang, timeout_s=self.timeout_s,
                                 max_rows=self.max_rows if max_rows is None else max_rows)

    def count(self, query: exp.Select) -> int:
        wrapped = exp.Select(expressions=[_count_star()], from_=exp.From(this=query.copy().subquery("_sqllab_q")))
        return int(self.query(wrapped).rows[0][0])

    def value(self, node: exp.Expression) -> Any:
        return self.query(exp.Select(expressions=[node.copy()])).rows[0][0]

    # --- pieces of the query --------------------------------------------------------------

    def base(self, *, joins: int | None = None, where: exp.Expression | None = None,
             group: list[exp.Expression] | None = None, having: exp.Expression | None = None,
             expressions: list[exp.Expression] | None = None) -> exp.Select:
        """A SELECT over the FROM and the first ``joins`` joins with the given clauses."""
        n = len(self.joins) if joins is None else joins
        q = exp.Select(expressions=[e.copy() for e in (expressions or [exp.Star()])])
        if self.from_ is not None:
            q.set("from_", self.from_.copy())
        if n:
            q.set("joins", [j.copy() for j in self.joins[:n]])
        if where is not None:
            q.set("where", exp.Where(this=where.copy()))
        if group:
            q.set("group", exp.Group(expressions=[g.copy() for g in group]))
        if having is not None:
            q.set("having", exp.Having(this=having.copy()))
        if self.select.args.get("windows"):
            q.set("windows", [w.copy() for w in self.select.args["windows"]])
        return q

    def source_name(self, source: exp.Expression) -> str:
        return source.alias_or_name if isinstance(source, (exp.Table, exp.Subquery)) else ""

    def star(self, upto: int) -> tuple[list[exp.Expression], list[str] | None]:
        """The select list for the rows of the first ``upto`` sources and their column labels
        (``alias.column`` when there are several sources, else None: the result's own names)."""
        sources = self.sources[:upto]
        names = [self.source_name(s) for s in sources]
        if len(sources) <= 1 or not all(names):
            return [exp.Star()], None
        exprs, labels = [], []
        for name in names:
            exprs.append(exp.Column(this=exp.Star(), table=exp.to_identifier(name)))
            labels += [f"{name}.{c}" for c in self.columns_of(name)]
        return exprs, labels

    def columns_of(self, name: str) -> list[str]:
        if not hasattr(self, "_columns_of"):
            self._columns_of: dict[str, list[str]] = {}
        if name not in self._columns_of:
            q = self.base(expressions=[exp.Column(this=exp.Star(), table=exp.to_identifier(name))])
            q.set("limit", exp.Limit(expression=exp.Literal.number(0)))
            self._columns_of[name] = self.query(q).columns
        return self._columns_of[name]

    def resolve(self, node: exp.Expression, *, aliases_first: bool = False) -> exp.Expression:
        """``node`` with select-list aliases replaced by their expressions, as SQLite reads them:
        WHERE, GROUP BY and HAVING look for a column first, ORDER BY for an alias first."""
        node = node.copy()
        if isinstance(node, exp.Column) and not node.table and node.name.lower() in self.aliases:
            if aliases_first or node.name.lower() not in self.source_cols:
                return exp.Paren(this=self.aliases[node.name.lower()].copy())
        for col in list(node.find_all(exp.Column)):
            if col is node or col.table or col.find_ancestor(exp.Select) is not None:
                continue
            name = col.name.lower()
            if name in self.aliases and name not in self.source_cols:
                col.replace(exp.Paren(this=self.aliases[name].copy()))
        return node

    def term(self, node: exp.Expression, *, order: bool) -> exp.Expression:
        """A GROUP BY or ORDER BY term: a position is the select list's expression."""
        if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
            i = int(node.this) - 1
            if 0 <= i < len(self.select.expressions):
                e = self.select.expressions[i]
                return exp.Paren(this=(e.this if isinstance(e, exp.Alias) else e).copy())
        return self.resolve(node, aliases_first=order)

    # --- the steps --------------------------------------------------------------------------

    def add(self, clause: str, caption: str, res: QueryResult, row_count: int, query: exp.Expression | str,
            labels: list[str] | None = None, notes: list[str] | None = None, **detail: Any) -> Step:
        columns = labels if labels is not None and len(labels) == len(res.columns) else list(res.columns)
        step = Step(clause=clause, caption=caption, columns=columns, rows=list(res.rows), row_count=row_count,
                    sql=query if isinstance(query, str) else self.text(query), notes=notes or [], detail=detail)
        self.steps.append(step)
        return step

    def build(self) -> None:
        s = self.select
        self.ctes()
        n = self.from_and_joins()
        where = s.args.get("where")
        where_cond = self.resolve(where.this) if where is not None else None
        self.subqueries("join")
        self.subqueries("where", where_cond)
        if where_cond is not None:
            n = self.where(where_cond, n)
        group_terms = [self.term(g, order=False) for g in (s.args["group"].expressions if s.args.get("group") else [])]
        having = s.args.get("having")
        having_cond = self.resolve(having.this) if having is not None else None
        if group_terms:
            n = self.group(where_cond, group_terms, s.args["group"].expressions, n)
        self.subqueries("having", where_cond, group_terms)
        if having_cond is not None:
            n = self.having(where_cond, group_terms, having_cond, n)
        self.subqueries("select", where_cond, group_terms, having_cond)
        self.subqueries("order", where_cond, group_terms, having_cond)
        stage = self.base(where=where_cond, group=group_terms, having=having_cond,
                          expressions=list(s.expressions))
        self.windows(stage, n)
        n = self.select_step(stage, n, grouped=bool(group_terms), having=having_cond is not None)
        if s.args.get("distinct"):
            stage = stage.copy()
            stage.set("distinct", s.args["distinct"].copy())
            n = self.distinct(stage, n)
        order = s.args.get("order")
        keys: list[tuple] | None = None
        if order is not None:
            stage = stage.copy()
            stage.set("order", order.copy())
            keys = self.order_keys(stage, order)
            self.order_step(stage, order, n, keys)
        if s.args.get("limit") is not None or s.args.get("offset") is not None:
            self.limit(n, keys, order is not None)
        self.finish()

    def ctes(self) -> None:
        if self.with_ is None:
            return
        for cte in self.with_.expressions:
            name = cte.alias
            ref = exp.Table(this=exp.to_identifier(name))
            q = exp.Select(expressions=[exp.Star()], from_=exp.From(this=ref))
            res = self.query(q)
            n = self.count(q)
            self.add("WITH", self.t("explain.cte", name=name, n=n), res, n, q, name=name)

    def from_and_joins(self) -> int:
        if self.from_ is None:
            return 1
        q = self.base(joins=0)
        res = self.query(q)
        self.source_cols |= {c.lower() for c in res.columns}
        n = self.count(q)
        source = _short(_sql(self.from_.this))
        self.add("FROM", self.t("explain.from", source=source, n=n), res, n, q)
        for k, join in enumerate(self.joins, 1):
            n = self.join(k, join, n)
        return n

    def join(self, k: int, join: exp.Join, left: int) -> int:
        exprs, labels = self.star(k + 1)
        q = self.base(joins=k, expressions=exprs)
        res = self.query(q)
        self.source_cols |= {c.lower() for c in self.query(self.base(joins=k), max_rows=0).columns}
        n = self.count(q)
        side = (join.side or "").upper()
        kind = (join.kind or "").upper()
        method = (join.method or "").upper()
        words = [method] if method else []
        if side:
            words.append(side)
        elif kind in ("CROSS", "INNER"):
            words.append(kind)
        clause = " ".join(words + ["JOIN"])
        on = join.args.get("on")
        condition = (f" ON {_sql(on)}" if on is not None else
                     f" USING ({', '.join(_sql(u) for u in join.args.get('using') or [])})" if join.args.get("using") else "")
        text = _short(f"{clause} {_sql(join.this)}{condition}", 2 * LABEL_CHARS)
        name = self.source_name(join.this) or _short(_sql(join.this), 30)
        detail: dict[str, Any] = {"left": left, "kind": clause}
        notes: list[str] = []
        if side in ("RIGHT", "FULL"):
            caption = self.t("explain.join.other", join=text, n=n, left=left)
        elif on is None and not join.args.get("using") and method != "NATURAL":
            right = self.count(exp.Select(expressions=[exp.Star()], from_=exp.From(this=join.this.copy())))
            caption = self.t("explain.join.cross", join=text, left=left, right=right, n=n)
            detail["right"] = right
        else:
            unmatched = self.unmatched(k, join)
            matched = left - unmatched
            detail.update(matched=matched, unmatched=unmatched)
            key = "explain.join.left" if side == "LEFT" else "explain.join.inner"
            caption = self.t(key, join=text, n=n, left=left, matched=matched, unmatched=unmatched, name=name)
            from_matches = n - unmatched if side == "LEFT" else n
            if from_matches > matched:
                notes.append(self.t("explain.join.repeated", matched=matched, n=from_matches))
        self.add(clause, caption, res, n, q, labels=labels, notes=notes, **detail)
        return n

    def unmatched(self, k: int, join: exp.Join) -> int:
        """How many rows before join ``k`` have no partner in it: the same join made LEFT on a
        copy of its right side that carries a marker column, counting rows where the marker is NULL."""
        right = join.this
        name = self.source_name(right)
        if isinstance(right, exp.Table):
            inner = right.copy()
            inner.set("alias", None)
        else:
            inner = right.copy()
            inner.set("alias", exp.TableAlias(this=exp.to_identifier("_sqllab_r")))
        marked = exp.Subquery(
            this=exp.Select(expressions=[exp.alias_(exp.Literal.number(1), MARK), exp.Star()],
                            from_=exp.From(this=inner)),
            alias=exp.TableAlias(this=exp.to_identifier(name)))
        j = join.copy()
        j.set("this", marked)
        j.set("side", "LEFT")
        j.set("kind", None)
        q = self.base(joins=k - 1, where=exp.Is(this=exp.column(MARK), expression=exp.Null()))
        q.set("joins", (q.args.get("joins") or []) + [j])
        return self.count(q)

    def where(self, cond: exp.Expression, total: int) -> int:
        exprs, labels = self.star(len(self.sources))
        label = "WHERE " + _short(_sql(self.select.args["where"].this))
        q = self.base(expressions=exprs + [exp.alias_(exp.Paren(this=cond.copy()), label, quoted=True)])
        res = self.query(q)
        kept = self.count(self.base(where=cond))
        unknown = self.count(self.base(where=exp.Is(this=exp.Paren(this=cond.copy()), expression=exp.Null())))
        false = total - kept - unknown
        notes = []
        if unknown:
            notes.append(self.t("explain.where.unknown", unknown=unknown))
        if _compares_with_null(cond):
            notes.append(self.t("explain.eq_null"))
        caption = self.t("explain.where", cond=_short(_sql(self.select.args["where"].this)), kept=kept,
                         total=total, false=false)
        self.add("WHERE", caption, res, kept, q, labels=(labels + [label]) if labels else None, notes=notes,
                 kept=kept, dropped=false, unknown=unknown, total=total, condition_column=len(res.columns) - 1)
        return kept

    def group_exprs(self, terms: list[exp.Expression], originals: list[exp.Expression]) -> list[exp.Expression]:
        return [exp.alias_(t.copy(), _short(_sql(o)), quoted=True) for t, o in zip(terms, originals)]

    def group(self, where: exp.Expression | None, terms: list[exp.Expression], originals: list[exp.Expression],
              rows: int) -> int:
        exprs = self.group_exprs(terms, originals) + [exp.alias_(_count_star(), self.t("explain.column.rows"), quoted=True)]
        q = self.base(where=where, group=terms, expressions=exprs)
        res = self.query(q)
        groups = self.count(q)
        notes = [self.t("explain.group.null")] if any(
            v is None for row in res.rows for v in row[: len(terms)]) else []
        caption = self.t("explain.group", keys=_short(", ".join(_sql(o) for o in originals)), rows=rows, groups=groups)
        self.add("GROUP BY", caption, res, groups, q, notes=notes, groups=groups, rows=rows)
        return groups

    def having(self, where: exp.Expression | None, terms: list[exp.Expression], cond: exp.Expression,
               before: int) -> int:
        s = self.select
        originals = s.args["group"].expressions if s.args.get("group") else []
        label = "HAVING " + _short(_sql(s.args["having"].this))
        exprs = (self.group_exprs(terms, originals)
                 + [exp.alias_(_count_star(), self.t("explain.column.rows"), quoted=True),
                    exp.alias_(exp.Paren(this=cond.copy()), label, quoted=True)])
        q = self.base(where=where, group=terms, expressions=exprs)
        res = self.query(q)
        total = self.count(self.base(where=where, group=terms, expressions=[_count_star()]))
        kept = self.count(self.base(where=where, group=terms, having=cond, expressions=[_count_star()]))
        unknown = self.count(self.base(where=where, group=terms, expressions=[_count_star()],
                                       having=exp.Is(this=exp.Paren(this=cond.copy()), expression=exp.Null())))
        false = total - kept - unknown
        notes = [self.t("explain.having.unknown", unknown=unknown)] if unknown else []
        if _compares_with_null(cond):
            notes.append(self.t("explain.eq_null"))
        caption = self.t("explain.having", cond=_short(_sql(s.args["having"].this)), kept=kept, total=total,
                         false=false)
        self.add("HAVING", caption, res, kept, q, notes=notes, kept=kept, dropped=false, unknown=unknown,
                 total=total, condition_column=len(res.columns) - 1)
        return kept

    def subqueries(self, where_at: str, where: exp.Expression | None = None,
                   group: list[exp.Expression] | None = None, having: exp.Expression | None = None) -> None:
        """A step for each subquery of the clause ``where_at``: its result when it stands alone,
        else (correlated) its value for each row of the clause's input."""
        seen: set[str] = set()
        for sub in _own_subqueries(self.select):
            if _location(sub, self.select) != where_at:
                continue
            text = _sql(sub)
            if text in seen:
                continue
            seen.add(text)
            wrapper: exp.Expression = sub.parent if isinstance(sub.parent, exp.Subquery) else sub
            kind = "scalar"
            if isinstance(wrapper.parent, exp.In) and wrapper.arg_key == "query":
                wrapper, kind = wrapper.parent, "in"
            elif isinstance(sub.parent, exp.Exists):
                wrapper, kind = sub.parent, "exists"
            negated = isinstance(wrapper.parent, exp.Not)
            label = _short(f"({text})")
            try:
                alone = sub.copy()
                res = self.query(alone)
            except SQLLabError:
                self.correlated(sub, wrapper, where_at, where, group, having)
                continue
            n = self.count(alone)
            notes: list[str] = []
            if kind == "in":
                caption = self.t("explain.subquery.in", sql=label, n=n)
                if negated and any(r and r[0] is None for r in res.rows):
                    notes.append(self.t("explain.subquery.not_in_null"))
            elif kind == "exists":
                caption = self.t("explain.subquery.exists", sql=label, n=n)
            elif n <= 1 and len(res.columns) == 1:
                value = res.rows[0][0] if res.rows else None
                caption = self.t("explain.subquery.scalar", sql=label, value="NULL" if value is None else value)
            else:
                caption = self.t("explain.subquery.scalar_rows", sql=label, n=n)
            self.add("SUBQUERY", caption, res, n, alone, notes=notes, correlated=False, subquery=text,
                     location=where_at, kind=kind)

    def correlated(self, sub: exp.Select, wrapper: exp.Expression, where_at: str, where: exp.Expression | None,
                   group: list[exp.Expression] | None, having: exp.Expression | None) -> None:
        label = _short(_sql(wrapper))
        value = exp.alias_(wrapper.copy(), label, quoted=True)
        if where_at in ("where", "join"):
            exprs, labels = self.star(len(self.sources))
            q = self.base(expressions=exprs + [value])
        elif group:
            exprs, labels = [g.copy() for g in group], None
            q = self.base(where=where, group=group, having=having if where_at != "having" else None,
                          expressions=exprs + [value])
        else:
            exprs, labels = self.star(len(self.sources))
            q = self.base(where=where, expressions=exprs + [value])
        try:
            res = self.query(q)
            n = self.count(q)
        except SQLLabError:
            log.info("explain: no per-row view of %s", _sql(sub), exc_info=True)
            return
        caption = self.t("explain.subquery.correlated", sql=_short(f"({_sql(sub)})"), n=n)
        self.add("SUBQUERY", caption, res, n, q, labels=(labels + [label]) if labels else None,
                 correlated=True, subquery=_sql(sub), location=where_at)

    def windows(self, stage: exp.Select, rows: int) -> None:
        seen: set[str] = set()
        plain = [e for e in self.select.expressions if not list(e.find_all(exp.Window))]
        for window in self.select.find_all(exp.Window):
            if window.find_ancestor(exp.Select) is not self.select or window.find_ancestor(exp.Window):
                continue
            text = _sql(window)
            if text in seen:
                continue
            seen.add(text)
            partition = list(window.args.get("partition_by") or [])
            order = window.args.get("order")
            ordered = list(order.expressions) if order is not None else []
            exprs = ([exp.alias_(p.copy(), _short("PARTITION BY " + _sql(p)), quoted=True) for p in partition]
                     + [exp.alias_(o.this.copy(), _short("ORDER BY " + _sql(o)), quoted=True) for o in ordered]
                     + [exp.alias_(window.copy(), _short(text), quoted=True)]
                     + [e.copy() for e in plain])
            q = stage.copy()
            q.set("expressions", exprs)
            sort = [exp.Ordered(this=p.copy(), nulls_first=True) for p in partition] + [o.copy() for o in ordered]
            if sort:
                q.set("order", exp.Order(expressions=sort))
            res = self.query(q)
            if partition:
                distinct = stage.copy()
                distinct.set("expressions", [p.copy() for p in partition])
                distinct.set("distinct", exp.Distinct())
                partitions = self.count(distinct)
                keys = _short(", ".join(_sql(p) for p in partition))
            else:
                partitions, keys = (1 if rows else 0), None
            order_text = _short(", ".join(_sql(o) for o in ordered)) if ordered else self.t("explain.window.no_order")
            func = _short(text)
            notes = []
            if ordered and isinstance(window.this, RUNNING) and not window.args.get("spec"):
                notes.append(self.t("explain.window.running"))
            caption = (self.t("explain.window", func=func, partitions=partitions, keys=keys, order=order_text)
                       if keys else self.t("explain.window.whole", func=func, order=order_text))
            self.add("WINDOW", caption, res, rows, q, notes=notes, partitions=partitions, window=text)

    def select_step(self, stage: exp.Select, before: int, *, grouped: bool, having: bool) -> int:
        res = self.query(stage)
        n = self.count(stage)
        columns = _short(", ".join(_sql(e) for e in self.select.expressions), 2 * LABEL_CHARS)
        k = len(res.columns)
        if not grouped and (having or _is_aggregate(self.select)):
            caption = self.t("explain.select.aggregate", columns=columns, before=before, n=n)
        elif grouped:
            caption = self.t("explain.select.groups", columns=columns, k=k, n=n)
        else:
            caption = self.t("explain.select", columns=columns, k=k, n=n)
        self.add("SELECT", caption, res, n, stage)
        return n

    def distinct(self, stage: exp.Select, before: int) -> int:
        res = self.query(stage)
        n = self.count(stage)
        caption = self.t("explain.distinct", removed=before - n, before=before, after=n)
        self.add("DISTINCT", caption, res, n, stage, removed=before - n)
        return n

    def order_keys(self, stage: exp.Select, order: exp.Order) -> list[tuple] | None:
        """The ORDER BY values of the sorted rows, one tuple per row (None when unknown)."""
        try:
            if stage.args.get("distinct"):
                idx = [self.output_index(o.this) for o in order.expressions]
                if any(i is None for i in idx):
                    return None
                rows = self.query(stage).rows
                return [tuple(r[i] for i in idx) for r in rows]
            terms = [self.term(o.this, order=True) for o in order.expressions]
            q = stage.copy()
            q.set("distinct", None)
            q.set("expressions", [exp.alias_(t, f"k{i}") for i, t in enumerate(terms)])
            q.set("order", exp.Order(expressions=[_reorder(o, t) for o, t in zip(order.expressions, terms)]))
            return [tuple(r) for r in self.query(q).rows]
        except SQLLabError:
            log.info("explain: no ORDER BY keys for %r", self.sql, exc_info=True)
            return None

    def output_index(self, node: exp.Expression) -> int | None:
        exprs = self.select.expressions
        if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
            i = int(node.this) - 1
            return i if 0 <= i < len(exprs) else None
        if isinstance(node, exp.Column) and not node.table:
            for i, e in enumerate(exprs):
                if isinstance(e, exp.Alias) and e.alias.lower() == node.name.lower():
                    return i
        for i, e in enumerate(exprs):
            inner = e.this if isinstance(e, exp.Alias) else e
            if _sql(inner).lower() == _sql(node).lower() or (
                    isinstance(node, exp.Column) and isinstance(inner, exp.Column) and inner.name.lower() == node.name.lower()):
                return i
        return None

    def order_step(self, stage: exp.Select, order: exp.Order, n: int, keys: list[tuple] | None) -> None:
        res = self.query(stage)
        notes = [self.t("explain.order.null")] if keys and any(v is None for k in keys for v in k) else []
        caption = self.t("explain.order", keys=_short(", ".join(_sql(o) for o in order.expressions)), n=n)
        self.add("ORDER BY", caption, res, n, stage, notes=notes)

    def limit(self, total: int, keys: list[tuple] | None, ordered: bool) -> None:
        s = self.select
        limit_node, offset_node = s.args.get("limit"), s.args.get("offset")
        parts = []
        if limit_node is not None:
            parts.append(f"LIMIT {_sql(limit_node.expression)}")
        if offset_node is not None:
            parts.append(f"OFFSET {_sql(offset_node.expression)}")
        clause_text = " ".join(parts)
        offset = int(self.value(offset_node.expression) or 0) if offset_node is not None else 0
        offset = max(offset, 0)
        kept = self.count(s)
        notes: list[str] = []
        detail: dict[str, Any] = {"offset": offset, "kept": kept, "total": total, "tie": False}
        if kept:
            caption = self.t("explain.limit", clause=clause_text, n=total, first=offset + 1, last=offset + kept,
                             kept=kept)
        else:
            caption = self.t("explain.limit.none", clause=clause_text, n=total)
        if not ordered:
            notes.append(self.t("explain.limit.no_order"))
        elif keys is not None:
            cuts = []
            if offset + kept < total and kept:            # the end of the kept rows
                cuts.append(offset + kept)
            if 0 < offset < total:                        # where OFFSET starts
                cuts.append(offset)
            for cut in cuts:
                if cut < len(keys) and keys[cut - 1] == keys[cut]:
                    value = ", ".join("NULL" if v is None else str(v) for v in keys[cut])
                    notes.append(self.t("explain.limit.tie", a=cut, b=cut + 1, value=value))
                    detail["tie"] = True
                    detail.setdefault("tie_at", cut)
        self.add("LIMIT", caption, self.result, kept, self.sql, notes=notes, **detail)

    def finish(self) -> None:
        """The last step is the student's query itself: its rows are what Run shows."""
        last = self.steps[-1]
        if last.clause != "LIMIT":
            last.columns, last.rows, last.sql = list(self.result.columns), list(self.result.rows), self.sql
        if not self.result.truncated and len(self.result.rows) != last.row_count:
            log.warning("explain: the last step of %r counts %d rows, the query gives %d", self.sql,
                        last.row_count, len(self.result.rows))


def _reorder(ordered: exp.Ordered, term: exp.Expression) -> exp.Ordered:
    o = ordered.copy()
    o.set("this", term.copy())
    return o


def _compares_with_null(cond: exp.Expression) -> bool:
    """``x = NULL`` or ``x <> NULL`` (or ``!=``) somewhere in ``cond``."""
    for node in cond.find_all(exp.EQ, exp.NEQ):
        if isinstance(node.this, exp.Null) or isinstance(node.expression, exp.Null):
            return True
    return False


# --- HTML ------------------------------------------------------------------------------------

def _cell(value: Any) -> str:
    return "<i>NULL</i>" if value is None else html.escape(str(value))


def _pick(step: Step, show: int) -> list[int]:
    """Which rows a step shows: the first ones, and for a filter some of the dropped ones too."""
    col = step.detail.get("condition_column")
    n = len(step.rows)
    if col is None:
        return list(range(min(n, show)))
    kept = [i for i, r in enumerate(step.rows) if _truth(r[col])]
    dropped = [i for i, r in enumerate(step.rows) if not _truth(r[col])]
    take_dropped = dropped[: max(min(len(dropped), show // 2), show - len(kept))]
    return sorted(kept[: show - len(take_dropped)] + take_dropped)


def step_html(step: Step, lang: str, number: int, show: int = SHOW_ROWS) -> str:
    t = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    col = step.detail.get("condition_column")
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in step.columns)
    body = []
    chosen = _pick(step, show)
    for i in chosen:
        row = step.rows[i]
        cells = []
        for j, v in enumerate(row):
            if j == col:
                truth = _truth(v)
                word = t("explain.row.kept" if truth else "explain.row.unknown" if truth is None else "explain.row.dropped")
                state = "kept" if truth else "unknown" if truth is None else "dropped"
                cells.append(f'<td data-sqllab="explain-{state}"><b>{_cell(v)}</b> <small>({html.escape(word)})</small></td>')
            else:
                cells.append(f"<td>{_cell(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not step.rows:
        body.append(f'<tr><td colspan="{max(1, len(step.columns))}"><i>{html.escape(t("explain.no_rows"))}</i></td></tr>')
    total = len(step.rows) if col is not None else step.row_count
    if col is not None:
        total = step.detail.get("total", len(step.rows))
    shown = (f'<div class="sqllab-diff-note">{html.escape(t("explain.shown", shown=len(chosen), n=total))}</div>'
             if len(chosen) < total else "")
    notes = "".join(f'<div class="sqllab-diff-note" data-sqllab="explain-note">{html.escape(n)}</div>' for n in step.notes)
    return (f'<li data-sqllab="explain-step" data-clause="{html.escape(step.clause)}" data-rows="{step.row_count}">'
            f'<div data-sqllab="explain-caption">{html.escape(step.caption)}</div>{notes}'
            f'<div style="overflow-x:auto"><table class="sqllab-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>{shown}</li>')


def explanation_html(explanation: Explanation, show: int = SHOW_ROWS) -> str:
    lang = explanation.lang
    if not explanation.ok:
        return (f'<div class="sqllab-explain" data-sqllab="explain-refused" style="color:#c62828">'
                f"{html.escape(str(explanation.message))}</div>")
    steps = "".join(step_html(s, lang, i, show) for i, s in enumerate(explanation.steps, 1))
    return (f'<div class="sqllab-explain" data-sqllab="explain"><b>{html.escape(i18n.t("explain.title", lang))}</b>'
            f'<ol style="padding-left:1.5em">{steps}</ol></div>')
