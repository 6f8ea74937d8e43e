"""Pipeline: a write of several steps over a batch of items, written once for both engines.

A service writes its rule as SQL steps over an input relation `i` (one row per item, the
columns it names, and `ord`): each step a data-modifying statement with RETURNING, which later
steps read as a relation named after the step, and a final SELECT giving one row per item. How
the batch runs is this module's business, not the service's:

- PostgreSQL: ONE statement, the steps chained as data-modifying CTEs, `i` made of
  `unnest(...) WITH ORDINALITY`: the items waiting at a worker share one round trip and one
  commit (its WAL flush is most of a short write's cost).
- SQLite: each item is a job of the writer's group commit (fairs.db.sqlite_write), and the
  items of one pipeline in the same commit run `together`: the same step texts in order, `i`
  and each earlier step's RETURNING rows given to the next statements as relations read from
  TEMP tables of the writer's connection, filled with bound parameters for the round and
  emptied after it; a step `over` an earlier step that made no row is not run. Measured here
  (CPU per scan, batches of 16): handing the rows over as JSON read back with `json_each(?)`
  costs half as much again (every column is a JSON extraction); running the steps once per
  scan with the rows as `VALUES` of parameters, about twice as much (INSERT ... SELECT ...
  RETURNING is heavier than a plain one-row insert, and only a batch pays for that); a batching
  level of the pipeline's own, in front of the group commit's, made the batches smaller.

So that the two agree, a step reads what an earlier step did only through that step's relation,
never by reading the table again: PostgreSQL's steps all see the tables as they were when the
statement started, SQLite's see the earlier steps' writes.

Items that arrive together form one batch; an item whose `distinct` key is already in the batch
waits for the next round (a statement of its own on PostgreSQL, run after the first; the next
statements of the same job on SQLite). A batch that fails is undone (a PostgreSQL round;
SQLite's whole savepoint) and its items run again one by one, so a bad item fails only its own
caller. `abort_if`, a condition on the final SELECT's row, undoes the round when it holds for
an item (PostgreSQL: an error raised inside the statement; SQLite: the savepoint rolled back):
for a race a statement cannot see coming, such as another worker's transaction committing a
conflicting row after this statement's snapshot. The item then runs again alone (up to
ABORT_TRIES times), one statement later, when it sees that row.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from string import Formatter
from typing import Any

from fairs.db.batch import Batcher, Inputs, sql_text, sqlite_write, unnest_relation
from fairs.db.engine import FairsSQLiteEngine, current_engine
from fairs.db.tx import in_transaction, write

_ABORT_MARK = "pipeline aborted"
ABORT_TRIES = 3  # an item whose round was undone by `abort_if` runs again, alone, this often


class PipelineAborted(Exception):
    """An item's round was undone ABORT_TRIES times because its `abort_if` held for it."""


@dataclass(frozen=True)
class Step:
    """One step: `name` (the relation later steps read), `sql` (a data-modifying statement over
    `i` and earlier steps, ending in RETURNING; or a function building it with
    fairs.db.dialect's pieces), `returns`, the names of its RETURNING columns in order, and
    `keys`, the column lists later statements find its rows by (SQLite indexes its TEMP table
    on each; a PostgreSQL CTE needs nothing), and `over`, the earlier step whose rows this
    step's rows come from (`INSERT ... SELECT ... FROM <over>`): when that step made no row,
    neither does this one, and SQLite does not run it."""

    name: str
    sql: str | Callable[[], str]
    returns: tuple[str, ...]
    keys: tuple[tuple[str, ...], ...] = ()
    over: str | None = None


@dataclass(frozen=True)
class _Texts:
    pg: str = ""  # the one statement, `{}` placeholders: the input arrays, then params
    pg_params: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()  # SQLite: one statement per step, then the final SELECT
    result: str = ""
    create: tuple[str, ...] = ()  # SQLite: the TEMP tables of `i` and of each step's rows
    clear: tuple[str, ...] = ()
    fill: tuple[str, ...] = ()


class _Item:
    """SQLite: one item as a group-commit job; the items of one pipeline that arrive together
    run `together` (fairs.db.batch._run_batch)."""

    __slots__ = ("item", "pipeline", "together")

    def __init__(self, pipeline: Pipeline, item: tuple) -> None:
        self.pipeline, self.item = pipeline, item
        self.together = pipeline._sqlite_together

    def __call__(self, raw: sqlite3.Connection) -> dict:
        return self.pipeline._sqlite_items([self.item], raw)[0]


class Pipeline:
    """A batched write of several steps, written once (see the module's docstring).

    - `inputs`: the item's fields as (name, PostgreSQL type); an item is a tuple in this order.
    - `steps`: the Steps, in order.
    - `result`: a SELECT over `i` and the steps' relations, selecting `i.ord`; one row per item.
    - `params`: per-round values, {name: (PostgreSQL type, function)}, written `{name}` in the
      steps and the result; each function is called once per round.
    - `distinct`: groups of input names that must not repeat within a round (a group with a
      NULL in it does not count).
    - `abort_if`: a condition over the result's relations that undoes the round.

    `name` names the SQLite TEMP tables (one set per pipeline: a name for one shape of
    relations). `await pipeline(item)` returns the item's result row (without `ord`)."""

    def __init__(self, name: str, inputs: Inputs, steps: Sequence[Step],
                 result: str | Callable[[], str], *,
                 params: Mapping[str, tuple[str, Callable[[], Any]]] | None = None,
                 distinct: Sequence[Sequence[str]] = (), abort_if: str | None = None,
                 max_size: int = 64) -> None:
        self.name = name
        self.inputs = tuple(inputs)
        names = [field for field, _type in self.inputs]
        self.steps = tuple(steps)
        self.result = result
        self.params = dict(params or {})
        self.distinct = tuple(tuple(names.index(field) for field in group) for group in distinct)
        self.abort_if = abort_if
        self._texts: dict[str, _Texts] = {}
        self._batcher = Batcher(self._run, max_size)

    async def __call__(self, item: tuple) -> dict:
        engine = current_engine()
        if isinstance(engine, FairsSQLiteEngine):
            return await self._sqlite_call(engine, item)
        outcome, value = await self._batcher(item)
        if outcome == "error":
            raise value
        return value

    # --- the texts, made once per engine ----------------------------------------------------

    def _bind(self, sql: str, pg: bool, order: list[str]) -> str:
        """`{name}` params as the engine's placeholders (PostgreSQL: `{}` in `order`, cast to
        their type, the statement going through fairs.db.fetch; SQLite: `:p_name`)."""
        out: list[str] = []
        for literal, name, _spec, _conversion in Formatter().parse(sql):
            out.append(literal.replace("{", "{{").replace("}", "}}") if pg else literal)
            if name is None:
                continue
            if name not in self.params:
                raise KeyError(f"pipeline parameter {{{name}}} is not declared")
            if pg:
                order.append(name)
                out.append(f"CAST({{}} AS {self.params[name][0]})")
            else:
                out.append(f":p_{name}")
        return "".join(out)

    def _result_sql(self, pg: bool) -> str:
        result = sql_text(self.result).strip()
        if not result[:7].upper() == "SELECT ":
            raise ValueError("a pipeline's result is a SELECT")
        if self.abort_if is None:
            return result
        if pg:  # an error raised inside the statement undoes all of it
            guard = (f"CASE WHEN {self.abort_if} THEN "
                     f"CAST('{_ABORT_MARK} ' || i.ord AS integer) END AS _abort")
        else:  # checked by the job, which rolls the round back
            guard = f"CASE WHEN {self.abort_if} THEN 1 END AS _abort"
        return f"SELECT {guard}, {result[7:]}"

    def _compile(self, engine_type: str) -> _Texts:
        texts = self._texts.get(engine_type)
        if texts is not None:
            return texts
        if engine_type == "sqlite":
            tables = {"i": [n for n, _t in self.inputs] + ["ord"]}
            tables.update({step.name: list(step.returns) for step in self.steps})
            # NOT MATERIALIZED: a relation read twice is still read from its table, not copied.
            relations = [f"i AS NOT MATERIALIZED (SELECT * FROM {self._table('i')})"]
            steps = []
            for step in self.steps:
                steps.append(f"WITH {', '.join(relations)} "
                             f"{self._bind(sql_text(step.sql), False, [])}")
                relations.append(f"{step.name} AS NOT MATERIALIZED "
                                 f"(SELECT * FROM {self._table(step.name)})")
            result = f"WITH {', '.join(relations)} {self._bind(self._result_sql(False), False, [])}"
            create = [f"CREATE TEMP TABLE IF NOT EXISTS {self._table(rel)[5:]} "
                      f"({', '.join(columns)})" for rel, columns in tables.items()]
            create += [f'CREATE INDEX IF NOT EXISTS temp."pipeline_{self.name}_{step.name}_{n}" '
                       f"ON {self._table(step.name)[5:]} ({', '.join(key)})"
                       for step in self.steps for n, key in enumerate(step.keys)]
            texts = _Texts(
                steps=tuple(steps), result=result, create=tuple(create),
                clear=tuple(f"DELETE FROM {self._table(rel)}" for rel in tables),
                fill=tuple(f"INSERT INTO {self._table(rel)} VALUES "
                           f"({', '.join('?' for _ in columns)})"
                           for rel, columns in tables.items()))
        else:
            order: list[str] = []
            ctes = [unnest_relation(self.inputs)]
            ctes += [f"{step.name} AS ({self._bind(sql_text(step.sql), True, order)})"
                     for step in self.steps]
            pg = f"WITH {', '.join(ctes)} {self._bind(self._result_sql(True), True, order)}"
            texts = _Texts(pg=pg, pg_params=tuple(order))
        self._texts[engine_type] = texts
        return texts

    def _table(self, relation: str) -> str:
        """SQLite: the TEMP table holding a relation of this pipeline's round."""
        return f'temp."pipeline_{self.name}_{relation}"'

    # --- running a batch --------------------------------------------------------------------

    def _rounds(self, items: list[tuple]) -> list[list[int]]:
        """The items' positions, in rounds: within a round no `distinct` key repeats."""
        keys = [[(g, tuple(item[k] for k in group)) for g, group in enumerate(self.distinct)]
                for item in items]
        flat = [key for mine in keys for key in mine if None not in key[1]]
        if len(set(flat)) == len(flat):  # the usual case: one round
            return [list(range(len(items)))]
        rounds, pending = [], list(range(len(items)))
        while pending:
            seen: set = set()
            this, later = [], []
            for n in pending:
                mine = [key for key in keys[n] if None not in key[1]]
                if seen.isdisjoint(mine):
                    seen.update(mine)
                    this.append(n)
                else:
                    later.append(n)
            rounds.append(this)
            pending = later
        return rounds

    def _param_values(self) -> dict[str, Any]:
        return {name: make() for name, (_type, make) in self.params.items()}

    async def _run(self, items: list[tuple]) -> list[tuple[str, Any]]:
        """PostgreSQL: [("ok", row) | ("error", exception)] per item, in order."""
        texts = self._compile("postgres")
        outcomes: list[tuple[str, Any]] = [("error", RuntimeError("not run"))] * len(items)
        for round_ in self._rounds(items):
            results = await self._pg_attempt(texts, [items[n] for n in round_])
            for n, outcome in zip(round_, results, strict=True):
                outcomes[n] = outcome
        return outcomes

    @staticmethod
    def _rows_by_ord(rows: list[dict], count: int) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = [("ok", None)] * count
        for row in rows:
            row.pop("_abort", None)
            out[row.pop("ord") - 1] = ("ok", row)
        return out

    async def _pg_attempt(self, texts: _Texts, batch: list[tuple],
                          tries: int = ABORT_TRIES) -> list[tuple[str, Any]]:
        params = self._param_values()
        try:
            rows = await write(texts.pg, *(list(column) for column in zip(*batch, strict=True)),
                               *(params[name] for name in texts.pg_params))
        except Exception as exc:  # noqa: BLE001 - retried alone, or handed to the caller
            if in_transaction():  # the caller's transaction failed with it: theirs to retry
                return [("error", exc)] * len(batch)
            if len(batch) > 1:
                return [(await self._pg_attempt(texts, [item]))[0] for item in batch]
            if _ABORT_MARK in str(exc):
                if tries > 1:
                    return await self._pg_attempt(texts, batch, tries - 1)
                exc = PipelineAborted(str(exc))
            return [("error", exc)]
        return self._rows_by_ord(rows, len(batch))

    async def _sqlite_call(self, engine: FairsSQLiteEngine, item: tuple) -> dict:
        """SQLite: the item as a job of the writer's group commit (fairs.db.sqlite_write),
        which runs the items of this pipeline that arrive together as one batch (`together`)
        in a savepoint of its shared transaction; inside a caller's transaction, alone on its
        connection in a savepoint. An item whose round `abort_if` undid runs again alone."""
        current = engine.current_transaction.get()
        if current:
            connection = current.connection
            rows = await connection._execute(functools.partial(
                self._sqlite_items, [item], savepoint=True), connection._conn)
            return rows[0]
        for tries in range(ABORT_TRIES, 0, -1):
            try:
                return await sqlite_write(_Item(self, item), engine)
            except PipelineAborted:
                if tries == 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _sqlite_together(self, raw: sqlite3.Connection, jobs: list[_Item]) -> list[dict]:
        return self._sqlite_items([job.item for job in jobs], raw)

    def _sqlite_items(self, items: list[tuple], raw: sqlite3.Connection,
                      savepoint: bool = False) -> list[dict]:
        """Every round of `items`, in order; the items' result rows (an exception undoes them
        all: the caller runs them again one by one)."""
        texts = self._compile("sqlite")
        if savepoint:
            raw.execute("SAVEPOINT pipeline")
        try:
            rows: list[dict] = [{}] * len(items)
            for round_ in self._rounds(items):
                found = self._sqlite_round(texts, [items[n] for n in round_], raw)
                for n, row in zip(round_, self._rows_by_ord(found, len(round_)), strict=True):
                    rows[n] = row[1]
        except BaseException:
            if savepoint:
                raw.execute("ROLLBACK TO pipeline")
                raw.execute("RELEASE pipeline")
            raise
        if savepoint:
            raw.execute("RELEASE pipeline")
        return rows

    @staticmethod
    def _fill(raw: sqlite3.Connection, sql: str, rows: list[tuple]) -> None:
        if len(rows) == 1:
            raw.execute(sql, rows[0])
        else:
            raw.executemany(sql, rows)

    def _sqlite_round(self, texts: _Texts, batch: list[tuple],
                      raw: sqlite3.Connection) -> list[dict]:
        # Values go in as sqlite3 binds them anywhere (Piccolo's adapters: a timestamp as UTC
        # text), so a step reads them as it would read them from their own table.
        rows = [(*item, n) for n, item in enumerate(batch, start=1)]
        try:
            self._fill(raw, texts.fill[0], rows)
        except sqlite3.OperationalError:  # the connection's first round: no TEMP tables yet
            for create in texts.create:
                raw.execute(create)
            self._fill(raw, texts.fill[0], rows)
        filled = [texts.clear[0]]
        made = {"i": len(rows)}
        args = {f"p_{name}": value for name, value in self._param_values().items()}
        for step, sql, fill, clear in zip(self.steps, texts.steps, texts.fill[1:],
                                          texts.clear[1:], strict=True):
            if step.over is not None and not made[step.over]:
                made[step.name] = 0
                continue
            cursor = raw.execute(sql, args)
            cursor.row_factory = None  # tuples: they fill the step's TEMP table as they are
            rows = cursor.fetchall()
            names = tuple(d[0] for d in cursor.description or ())
            if names != step.returns:
                raise ValueError(f"step {step.name} returns {names}, declared {step.returns}")
            made[step.name] = len(rows)
            if rows:
                self._fill(raw, fill, rows)
                filled.append(clear)
        result = raw.execute(texts.result, args).fetchall()
        if self.abort_if is not None and any(row["_abort"] for row in result):
            raise PipelineAborted(f"{_ABORT_MARK}: abort_if held")
        for clear in filled:  # the TEMP tables empty for the next round
            raw.execute(clear)
        return result
