"""Batching: how the db package runs many callers' work in fewer round trips.

- `Batcher`: concurrent calls coalesced into one run (a data loader for reads, group commit for
  writes); one batch per event loop in flight, no timer.
- `BatchedFetch`: one read for many callers, written once over an input relation `i` (one row
  per caller): PostgreSQL reads the callers' items from `unnest(...) WITH ORDINALITY` in one
  round trip; SQLite runs the same text for one caller, where batching buys nothing.
- `sqlite_write()`: the SQLite group commit: short synchronous jobs sharing one
  BEGIN IMMEDIATE ... COMMIT on the writer connection, each in its own savepoint.
- `fairs.db.pipeline.Pipeline` (its own module): a write of several steps over a batch, built on
  these.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import weakref
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from piccolo.engine.base import Engine

from fairs.db.engine import FairsSQLiteEngine, current_engine
from fairs.db.tx import fetch


async def sqlite_write(fn: Callable[[sqlite3.Connection], Any],
                       engine: Engine | None = None) -> Any:
    """SQLite only: run `fn(connection)` (plain sqlite3, `?` placeholders) on the engine's writer
    connection inside a write transaction, and return what it returns.

    A transaction made of several awaited statements holds the process's write lock while the
    event loop gets round to each next statement; under load that is most of the time the lock
    is held. A short hot-path write (a check-in) done in one go holds it for microseconds.
    `fn` must not await; an exception in it undoes everything it did and is raised here.

    Group commit (a Batcher): the jobs that arrive while the event loop is busy with other
    requests share one BEGIN IMMEDIATE ... COMMIT, each in its own savepoint (a failing job is
    rolled back alone). The commit, with its WAL write, is most of a short write's cost; sixteen
    scans at the door then pay for one. Each caller is answered only after the commit. Jobs
    that say they run `together` (the items of one fairs.db.Pipeline) run as one batch.
    """
    engine = engine or current_engine()
    if not isinstance(engine, FairsSQLiteEngine):
        raise TypeError("sqlite_write needs the SQLite engine")
    if engine.current_transaction.get():
        raise RuntimeError("sqlite_write cannot run inside another transaction")
    batcher = engine._group_commit
    if batcher is None:
        batcher = engine._group_commit = Batcher(functools.partial(_commit_jobs, engine),
                                                 engine=engine)
    outcome, value = await batcher(fn)
    if outcome == "error":
        raise value
    return value


async def _commit_jobs(engine: FairsSQLiteEngine,
                       jobs: list[Callable]) -> list[tuple[str, Any]]:
    """sqlite_write's jobs in one write transaction on the writer connection."""
    state = await engine._get_state()
    async with state.write_lock:
        if engine.inline:
            return _run_batch(state.writer._conn, jobs)
        return await state.writer._execute(functools.partial(
            _run_batch, state.writer._conn, jobs))


def _run_batch(raw: sqlite3.Connection, jobs: list[Callable]) -> list[tuple[str, Any]]:
    """Every job in one transaction, each in a savepoint: [("ok", result) | ("error", exc)].

    Jobs that carry the same `together` attribute (a function of the connection and those
    jobs, returning one result per job: fairs.db.Pipeline's items) run as one, in one
    savepoint, where the first of them stands; if that raises, each runs alone."""
    if raw.in_transaction:  # left open by a cancelled task
        raw.execute("ROLLBACK")
    raw.execute("BEGIN IMMEDIATE")
    outcomes: dict[int, tuple[str, Any]] = {}
    groups: dict[Any, list[int]] = {}
    for n, fn in enumerate(jobs):
        groups.setdefault(getattr(fn, "together", None) or n, []).append(n)
    try:
        for key, members in groups.items():
            if len(members) > 1 and not isinstance(key, int):
                raw.execute("SAVEPOINT job")
                try:
                    results = key(raw, [jobs[n] for n in members])
                except Exception:  # noqa: BLE001 - each again, alone, below
                    raw.execute("ROLLBACK TO job")
                else:
                    outcomes.update((n, ("ok", r)) for n, r in zip(members, results,
                                                                   strict=True))
                raw.execute("RELEASE job")
            for n in members:
                if n in outcomes:
                    continue
                raw.execute("SAVEPOINT job")
                try:
                    outcomes[n] = ("ok", jobs[n](raw))
                except Exception as exc:  # noqa: BLE001 - handed to the job's caller
                    raw.execute("ROLLBACK TO job")
                    outcomes[n] = ("error", exc)
                raw.execute("RELEASE job")
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise
    return [outcomes[n] for n in range(len(jobs))]


_BACKGROUND: set[asyncio.Task] = set()


def _spawn(loop: asyncio.AbstractEventLoop, coro: Any) -> asyncio.Task:
    """A background task held until it ends (the event loop keeps only a weak reference)."""
    task = loop.create_task(coro)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)
    return task


class Batcher:
    """Concurrent calls coalesced into one database round trip: the calls that arrive while a
    batch is in flight form the next one (a data loader for reads, group commit for writes).

    `run(items)` is awaited with the waiting items (at most `max_size`) and returns one value
    per item, in order. If it raises, each item of that batch is run again alone, so a bad item
    fails only its own caller. One batch per event loop is in flight at a time: a call on an
    idle loop goes out at once (no timer, no added latency); under load each round trip, each
    statement's overhead and each commit (its WAL flush) are shared by the whole batch.
    Inside a transaction a call runs alone on the transaction's connection.
    """

    def __init__(self, run: Callable[[list[Any]], Any], max_size: int = 64,
                 engine: Engine | None = None) -> None:
        self._run = run
        self.max_size = max_size
        self._engine = engine  # whose transaction makes a call run alone (default: current)
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list] = (
            weakref.WeakKeyDictionary())

    async def __call__(self, item: Any) -> Any:
        engine = self._engine or current_engine()
        if engine.current_transaction.get():
            return (await self._run([item]))[0]
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = []
        done = loop.create_future()
        queue.append((item, done))
        if len(queue) == 1:
            _spawn(loop, self._drain(queue))
        return await done

    async def _drain(self, queue: list) -> None:
        """Runs while calls are waiting; the queue's first entry marks a drain in progress."""
        while queue:
            # One turn of the event loop first: the requests whose bytes have already arrived
            # reach this batcher and join the batch (no timer, no added latency on a quiet loop).
            await asyncio.sleep(0)
            batch = queue[:self.max_size]
            try:
                await self._settle(batch)
            finally:
                del queue[:len(batch)]
                for _item, done in batch:  # the drain itself was cancelled (shutdown)
                    if not done.done():
                        done.cancel()

    async def _settle(self, batch: list) -> None:
        try:
            values = await self._run([item for item, _done in batch])
        except Exception as exc:  # noqa: BLE001 - retried alone, or handed to the caller
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(exc)
                return
            for entry in batch:
                await self._settle([entry])
            return
        for (_item, done), value in zip(batch, values, strict=True):
            if not done.done():  # a caller that went away: its write stands, like any other
                done.set_result(value)


Inputs = Sequence[tuple[str, str]]


def unnest_relation(inputs: Inputs) -> str:
    """PostgreSQL: the input relation `i` of a batch, one row per item: `inputs` are the item's
    fields as (name, PostgreSQL type), each passed as one array; `ord` numbers the items from 1."""
    arrays = ", ".join(f"{{}}::{pg_type}[]" for _name, pg_type in inputs)
    names = ", ".join(name for name, _type in inputs)
    return f"i AS (SELECT * FROM unnest({arrays}) WITH ORDINALITY AS i({names}, ord))"


def _one_row_relation(inputs: Inputs) -> str:
    """The input relation `i` of one item, its fields as `{}` placeholders, `ord` 1."""
    names = ", ".join(name for name, _type in inputs)
    marks = ", ".join("{}" for _ in inputs)
    return f"i({names}, ord) AS (SELECT {marks}, 1)"


def sql_text(sql: str | Callable[[], str]) -> str:
    """A statement given as text, or as a function building it from fairs.db.dialect's pieces
    (called on first use, when the engine is known)."""
    return sql if isinstance(sql, str) else sql()


class BatchedFetch(Batcher):
    """One read for many callers in one round trip where that pays (PostgreSQL), the plain
    statement where it does not (SQLite, whose statements run on the event loop's thread: there
    is no round trip to share). The service writes ONE rule; the db package, not the service,
    picks the strategy.

    The one-text form (`inputs`): `sql` reads the callers' items from a relation `i` with the
    columns `inputs` names (name, PostgreSQL type) and `ord`, and selects `i.ord`. PostgreSQL runs
    it once for every waiting caller, `i` made of `unnest(...) WITH ORDINALITY`; SQLite runs it
    for each caller with `i` one row of parameters. `sql` may be a function returning the text
    (for fairs.db.dialect's pieces, resolved on first use). Write it so that every join into a
    table that grows is an index lookup whatever the table's size when the statement was first
    planned (`dialect.index_join`, or a scalar subquery; not a join that could become a hash join
    over a full scan).

    The two-text form (no `inputs`): `sql` is the batched form, reading `unnest({}::type[], ...)
    WITH ORDINALITY AS i(..., ord)` itself, and `single` the statement for one caller with `{}`
    placeholders for its item's fields. Without `single` every call is batched.

    Each caller gets the rows of its own item (without `ord`), as fetch() would have returned
    them."""

    def __init__(self, sql: str | Callable[[], str], max_size: int = 64,
                 single: str | None = None, write: bool = False,
                 inputs: Inputs | None = None) -> None:
        super().__init__(self._rows, max_size)
        self._sql = sql
        self.single = single
        self.write = write
        self.inputs = tuple(inputs) if inputs is not None else None
        self._texts: dict[str, str] = {}

    def _text(self, engine_type: str) -> str:
        text = self._texts.get(engine_type)
        if text is None:
            body = sql_text(self._sql)
            if self.inputs is None:
                text = body
            elif engine_type == "sqlite":
                text = f"WITH {_one_row_relation(self.inputs)} {body}"
            else:
                text = f"WITH {unnest_relation(self.inputs)} {body}"
            self._texts[engine_type] = text
        return text

    @property
    def sql(self) -> str:
        """The batched statement (PostgreSQL's form)."""
        return self._text("postgres")

    async def _rows(self, items: list[tuple]) -> list[list[dict]]:
        rows = await fetch(self._text("postgres" if self.inputs is not None else "any"),
                           *(list(column) for column in zip(*items, strict=True)),
                           write=self.write)
        out: list[list[dict]] = [[] for _ in items]
        for row in rows:
            out[row.pop("ord") - 1].append(row)
        return out

    async def _one(self, engine: Engine, args: tuple) -> list[dict]:
        rows = await fetch(self._text("sqlite"), *args, engine=engine, write=self.write)
        for row in rows:
            row.pop("ord", None)
        return rows

    def fetch(self, *args: Any) -> Coroutine[Any, Any, list[dict]]:
        """The rows of one item (a plain function returning the coroutine: no extra layer)."""
        if self.single is not None or self.inputs is not None:
            engine = current_engine()
            if isinstance(engine, FairsSQLiteEngine):
                if self.inputs is not None:
                    return self._one(engine, args)
                return fetch(self.single, *args, engine=engine, write=self.write)
        return self(args)
