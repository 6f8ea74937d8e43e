"""Database engine helpers: the engine for a URL, write_transaction(), integrity errors, health.

SQLite: Piccolo's stock SQLiteEngine opens a new aiosqlite connection (and a new thread) for every
query outside a transaction. `FairsSQLiteEngine` keeps long-lived connections instead: one writer
(WAL, `synchronous=NORMAL` by default, writes serialised by one asyncio lock per process and by
`BEGIN IMMEDIATE` plus a busy timeout across processes) and a few readers, which in WAL mode read
committed data without waiting for the writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import re
import sqlite3
import sys
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from string import Formatter
from typing import Any
from urllib.parse import urlsplit

import aiosqlite
from piccolo.columns import Column
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import (
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
    dict_factory,
)
from piccolo.querystring import QueryString

try:  # asyncpg is a declared dependency, but keep SQLite-only tooling importable without it
    import asyncpg
except ImportError:  # pragma: no cover
    asyncpg = None

BUSY_TIMEOUT_MS = 15_000
READ_PREFIXES = ("SELECT", "WITH", "EXPLAIN")


_WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _is_read(sql: str) -> bool:
    """A statement the reader connections may run: a SELECT, or a WITH that writes nothing
    (`WITH free AS (...) INSERT ...` is a write)."""
    head = sql.lstrip()[:8].upper()
    if not head.startswith(READ_PREFIXES):
        return False
    return not head.startswith("WITH") or not _WRITES.search(sql)


class _InlineCursor:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def fetchall(self) -> list:
        return self._cursor.fetchall()

    async def fetchone(self):
        return self._cursor.fetchone()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def lastrowid(self):
        return self._cursor.lastrowid


class _InlineResult:
    """What aiosqlite's `execute()` returns: awaitable, and an async context manager."""

    __slots__ = ("_conn", "_sql", "_args", "_cursor")

    def __init__(self, conn: sqlite3.Connection, sql: str, args) -> None:
        self._conn, self._sql, self._args = conn, sql, args
        self._cursor: _InlineCursor | None = None

    def _run(self) -> _InlineCursor:
        self._cursor = _InlineCursor(self._conn.execute(self._sql, self._args or ()))
        return self._cursor

    def __await__(self):
        return self._result().__await__()

    async def _result(self) -> _InlineCursor:
        return self._run()

    async def __aenter__(self) -> _InlineCursor:
        return self._run()

    async def __aexit__(self, *exc) -> None:
        if self._cursor is not None:
            self._cursor._cursor.close()


class InlineConnection:
    """A plain sqlite3 connection used on the event loop's own thread, with aiosqlite's async
    surface. SQLite answers an indexed query in microseconds, while handing each query to a
    connection thread and back costs a context switch or two: on the hot paths (a scan, a
    booking) that hop, not SQLite, was the cost. Statements are short; the few long reads
    (reports, a cold 20,000-fair feed) hold the loop for their duration, which one worker
    serving one district can afford. FAIRS_SQLITE_INLINE=off goes back to threads."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._conn = raw

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def execute(self, sql: str, args=None) -> _InlineResult:
        return _InlineResult(self._conn, sql, args)

    async def _execute(self, fn, *args):
        return fn(*args)

    async def commit(self) -> None:
        self._conn.commit()

    async def close(self) -> None:
        self._conn.close()


@dataclass
class _LoopState:
    loop: asyncio.AbstractEventLoop
    writer: aiosqlite.Connection | InlineConnection
    write_lock: asyncio.Lock
    readers: asyncio.Queue


class FairsSQLiteTransaction(SQLiteTransaction):
    """A transaction on the engine's one writer connection, holding the process's write lock."""

    __slots__ = ("_state",)

    async def __aenter__(self) -> FairsSQLiteTransaction:
        if self._parent is not None:
            return self._parent
        engine: FairsSQLiteEngine = self.engine  # type: ignore[assignment]
        self._state = await engine._get_state()
        await self._state.write_lock.acquire()
        try:
            self.connection = self._state.writer
            if self.connection.in_transaction:  # left open by a cancelled task
                await self.connection.execute("ROLLBACK")
            await self.begin()
        except BaseException:
            self._state.write_lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await asyncio.shield(self.rollback())
            elif not self._committed and not self._rolled_back:
                try:
                    await self.commit()
                except BaseException:
                    await asyncio.shield(self.rollback())
                    raise
        finally:
            self.engine.current_transaction.reset(self.context)
            self._state.write_lock.release()
        return exception is None


class FairsSQLiteEngine(SQLiteEngine):
    """SQLite with long-lived connections: one writer and a small pool of readers per process."""

    __slots__ = ("synchronous", "reader_count", "inline", "_state", "_state_lock",
                 "_group_commit")

    def __init__(self, path: str, synchronous: str = "NORMAL", readers: int = 2,
                 inline: bool = True, **kwargs):
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000, **kwargs)
        self.synchronous = synchronous
        self.inline = inline
        # Inline, one query runs at a time anyway: one reader connection is enough.
        self.reader_count = 1 if inline else readers
        self._state: _LoopState | None = None
        self._state_lock: asyncio.Lock | None = None
        self._group_commit = Batcher(self._commit_jobs, engine=self)

    async def _commit_jobs(self, jobs: list[Callable]) -> list[tuple[str, Any]]:
        """sqlite_write's jobs in one write transaction on the writer connection."""
        state = await self._get_state()
        async with state.write_lock:
            if self.inline:
                return _run_batch(state.writer._conn, jobs)
            return await state.writer._execute(functools.partial(
                _run_batch, state.writer._conn, jobs))

    async def _connect(self, writer: bool) -> aiosqlite.Connection | InlineConnection:
        if self.inline:
            raw = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
            raw.row_factory = dict_factory
            raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if writer:
                raw.execute("PRAGMA journal_mode = WAL")
            raw.execute(f"PRAGMA synchronous = {self.synchronous}")
            raw.execute("PRAGMA foreign_keys = 1")
            if not writer:
                raw.execute("PRAGMA query_only = 1")
            return InlineConnection(raw)
        conn = aiosqlite.connect(**self.connection_kwargs)
        # The connection's worker thread must not keep a finished command (or a test run) alive.
        thread = getattr(conn, "_thread", None)
        if thread is not None:
            thread.daemon = True
        conn = await conn
        conn.row_factory = dict_factory  # type: ignore[assignment]
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if writer:
            await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        await conn.execute("PRAGMA foreign_keys = 1")
        if not writer:
            await conn.execute("PRAGMA query_only = 1")
        return conn

    async def _get_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._state
        if state is not None and state.loop is loop:
            return state
        if self._state_lock is None or self._state is None or self._state.loop is not loop:
            # A new event loop (a new process, or a test run): the old connections belong to the
            # old loop and are dropped.
            self._state_lock = asyncio.Lock()
            self._state = None
        async with self._state_lock:
            if self._state is not None and self._state.loop is loop:
                return self._state
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            writer = await self._connect(writer=True)
            readers: asyncio.Queue = asyncio.Queue()
            for _ in range(self.reader_count):
                readers.put_nowait(await self._connect(writer=False))
            self._state = _LoopState(loop, writer, asyncio.Lock(), readers)
            return self._state

    async def close(self) -> None:
        state, self._state = self._state, None
        if state is None:
            return
        with contextlib.suppress(Exception):
            await state.writer.close()
        while not state.readers.empty():
            with contextlib.suppress(Exception):
                await state.readers.get_nowait().close()

    @staticmethod
    async def _execute(conn: aiosqlite.Connection, query: str, args: list[Any] | None):
        async with conn.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    async def _run_in_existing_connection(self, connection, query, args=None, query_type="generic",
                                          table=None):
        return await self._execute(connection, query, args)

    async def _run_outside_transaction(self, query: str, args: list[Any] | None):
        state = await self._get_state()
        if _is_read(query):
            conn = await state.readers.get()
            try:
                return await self._execute(conn, query, args)
            finally:
                state.readers.put_nowait(conn)
        async with state.write_lock:
            if state.writer.in_transaction:
                await state.writer.execute("ROLLBACK")
            return await self._execute(state.writer, query, args)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False):
        query, query_args = querystring.compile_string(engine_type=self.engine_type)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=str(querystring))
        current = self.current_transaction.get()
        if current:
            return await self._execute(current.connection, query, query_args)
        return await self._run_outside_transaction(query, query_args)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        current = self.current_transaction.get()
        if current:
            return await self._execute(current.connection, ddl, None)
        return await self._run_outside_transaction(ddl, None)

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> FairsSQLiteTransaction:
        return FairsSQLiteTransaction(
            engine=self, transaction_type=TransactionType.immediate, allow_nested=allow_nested
        )


def sqlite_path(url: str) -> str:
    """`sqlite:///relative/path.db` or `sqlite:////absolute/path.db` (the SQLAlchemy convention)."""
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite URL: {url!r}")
    return url[len("sqlite:///"):]


def engine_from_url(url: str, synchronous: str = "NORMAL", inline: bool = True) -> Engine:
    if url.startswith("sqlite:"):
        return FairsSQLiteEngine(path=sqlite_path(url), synchronous=synchronous, inline=inline)
    scheme = urlsplit(url).scheme
    if scheme in {"postgresql", "postgres"}:
        return PostgresEngine(config={"dsn": url}, extensions=())
    raise ValueError(f"FAIRS_DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")


_conf_module: Any = None


def current_engine() -> Engine:
    """piccolo_conf's DB. Read from the imported module (an attribute lookup, and a reload of
    the module is seen at once; the module is found once, PICCOLO_CONF being set before any
    import); Piccolo's Finder, which resolves and imports the module anew on every call, only
    the first time."""
    global _conf_module
    module = _conf_module
    if module is None:
        module = sys.modules.get(os.environ.get("PICCOLO_CONF", "piccolo_conf"))
    engine = getattr(module, "DB", None)
    if engine is not None:
        _conf_module = module
        return engine
    from piccolo.conf.apps import Finder

    engine = Finder().get_engine()
    if engine is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("piccolo_conf.py defines no DB")
    return engine


def is_sqlite(engine: Engine | None = None) -> bool:
    return (engine or current_engine()).engine_type == "sqlite"


@contextlib.asynccontextmanager
async def write_transaction(engine: Engine | None = None) -> AsyncIterator[Any]:
    """The one way to run a multi-step write: all of it or none of it.

    SQLite: BEGIN IMMEDIATE on the engine's writer connection (a DEFERRED transaction fails with
    "database is locked" when two writers upgrade at once). PostgreSQL: a normal transaction.
    """
    engine = engine or current_engine()
    async with engine.transaction() as transaction:
        yield transaction


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
    scans at the door then pay for one. Each caller is answered only after the commit.
    """
    engine = engine or current_engine()
    if not isinstance(engine, FairsSQLiteEngine):
        raise TypeError("sqlite_write needs the SQLite engine")
    if engine.current_transaction.get():
        raise RuntimeError("sqlite_write cannot run inside another transaction")
    outcome, value = await engine._group_commit(fn)
    if outcome == "error":
        raise value
    return value


def _run_batch(raw: sqlite3.Connection, jobs: list[Callable]) -> list[tuple[str, Any]]:
    """Every job in one transaction, each in a savepoint: [("ok", result) | ("error", exc)]."""
    if raw.in_transaction:  # left open by a cancelled task
        raw.execute("ROLLBACK")
    raw.execute("BEGIN IMMEDIATE")
    outcomes: list[tuple[str, Any]] = []
    try:
        for fn in jobs:
            raw.execute("SAVEPOINT job")
            try:
                outcomes.append(("ok", fn(raw)))
            except Exception as exc:  # noqa: BLE001 - handed to the job's caller
                raw.execute("ROLLBACK TO job")
                outcomes.append(("error", exc))
            raw.execute("RELEASE job")
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise
    return outcomes


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


class BatchedFetch(Batcher):
    """fetch() for many callers in one round trip (PostgreSQL). `sql` reads the callers' items
    from `unnest({}::type[], ...) WITH ORDINALITY AS i(..., ord)`, one array per item field,
    and returns `ord` in every row; each caller gets the rows of its own item, as fetch() would
    have returned them. Write it so that every join into a table that grows is an index lookup
    whatever the table's size when the statement was first planned (a scalar subquery, not a
    join that could become a hash join over a full scan)."""

    def __init__(self, sql: str, max_size: int = 64) -> None:
        super().__init__(self._rows, max_size)
        self.sql = sql

    async def _rows(self, items: list[tuple]) -> list[list[dict]]:
        rows = await fetch(self.sql, *(list(column) for column in zip(*items, strict=True)))
        out: list[list[dict]] = [[] for _ in items]
        for row in rows:
            out[row.pop("ord") - 1].append(row)
        return out

    async def fetch(self, *args: Any) -> list[dict]:
        return await self(args)


async def _keep_session(connection: Any) -> None:
    """What a pooled connection needs on its way back to the pool, beyond the rollback of an
    open transaction that asyncpg always does: nothing. asyncpg's default reset is one more round
    trip on every release (`SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`)
    for session state this service never leaves on a pooled connection: no session-level
    advisory locks (the migration lock has its own connection), no cursors outside a
    transaction, no LISTEN (live events go through Redis), no SET."""


async def start(engine: Engine | None = None) -> None:
    engine = engine or current_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        # Per worker process: workers x machines x this must stay under PostgreSQL's
        # max_connections (100 by default).
        size = int(os.environ.get("FAIRS_DB_POOL_SIZE") or 10)
        # The whole pool is opened at start: a rush (a booking opening, the doors opening)
        # must not wait while each worker opens its connections one by one.
        # Generic plans: asyncpg prepares every statement once per connection, but PostgreSQL
        # plans each execution anew ("custom plans") unless told otherwise; for the hot path's
        # short indexed statements that planning cost more than running them.
        # FAIRS_PG_PLAN_CACHE_MODE=auto gives PostgreSQL's default back.
        mode = os.environ.get("FAIRS_PG_PLAN_CACHE_MODE") or "force_generic_plan"
        # No inactive-connection timer: asyncpg re-arms it on every release (a timer handle per
        # query), to close connections that the whole-pool opening would want back anyway.
        await engine.start_connection_pool(min_size=size, max_size=size,
                                           reset=_keep_session,
                                           max_inactive_connection_lifetime=0,
                                           server_settings={"plan_cache_mode": mode})


async def stop(engine: Engine | None = None) -> None:
    engine = engine or current_engine()
    if isinstance(engine, PostgresEngine):
        if engine.pool is not None:
            await engine.close_connection_pool()
    elif isinstance(engine, FairsSQLiteEngine):
        await engine.close()


@functools.lru_cache(maxsize=4096)
def _compiled(sql: str, engine_type: str) -> tuple[str, int]:
    """`{}` placeholders as the engine's (`?` or `$n`), and how many there are: what Piccolo's
    QueryString does, done once per statement text instead of on every call."""
    out: list[str] = []
    count = 0
    for literal, name, _spec, _conversion in Formatter().parse(sql):
        out.append(literal)
        if name is not None:
            count += 1
            out.append("?" if engine_type == "sqlite" else f"${count}")
    return "".join(out), count


async def fetch(sql: str, *args: Any, engine: Engine | None = None) -> list[dict]:
    """A raw statement, for the aggregate queries Piccolo's builder cannot express. `{}`
    placeholders; in the current transaction if there is one. Rows are plain dicts on both
    engines (asyncpg's records are read-only and differ from SQLite's rows in what they allow).

    The hot paths (a scan, a booking, a bearer token) run a few of these per request, so they
    go straight to the connection; Piccolo's QueryString (nested queries, columns as arguments)
    only where an argument needs it."""
    engine = engine or current_engine()
    query, count = _compiled(sql, engine.engine_type)
    if count != len(args) or engine.log_queries or any(
            isinstance(arg, QueryString | Column) for arg in args):
        rows = await engine.run_querystring(QueryString(sql, *args))
    elif isinstance(engine, FairsSQLiteEngine):
        current = engine.current_transaction.get()
        if current:
            return await engine._execute(current.connection, query, list(args))
        return await engine._run_outside_transaction(query, list(args))
    elif isinstance(engine, PostgresEngine) and engine.pool is not None:
        current = engine.current_transaction.get()
        if current:
            rows = await current.connection.fetch(query, *args)
        else:
            async with engine.pool.acquire() as connection:
                rows = await connection.fetch(query, *args)
    else:
        rows = await engine.run_querystring(QueryString(sql, *args))
    if rows and not isinstance(rows[0], dict):
        return [dict(row) for row in rows]
    return rows


execute = fetch


def as_datetime(value: Any) -> datetime | None:
    """A timestamp from a raw row: asyncpg gives datetimes, SQLite text (in expressions and
    aggregates). Naive values are UTC, as they are stored; None stays None."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- integrity errors -----------------------------------------------------------------------


def is_integrity_error(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    return asyncpg is not None and isinstance(exc, asyncpg.IntegrityConstraintViolationError)


def is_unique_violation(exc: BaseException, *names: str) -> bool:
    """True when `exc` is a unique-constraint violation, optionally of one of the named
    indexes/constraints (PostgreSQL) or involving one of the named columns (SQLite)."""
    if isinstance(exc, sqlite3.IntegrityError):
        msg = str(exc)
        if "UNIQUE constraint failed" not in msg:
            return False
        return not names or any(name in msg for name in names)
    if asyncpg is not None and isinstance(exc, asyncpg.UniqueViolationError):
        if not names:
            return True
        constraint = getattr(exc, "constraint_name", "") or ""
        detail = str(getattr(exc, "detail", "") or "")
        return any(name in constraint or name in detail for name in names)
    return False


# --- health ---------------------------------------------------------------------------------


async def check_database(engine: Engine | None = None, wait: float = 3.0) -> tuple[bool, str]:
    engine = engine or current_engine()
    try:
        rows = await asyncio.wait_for(engine.run_querystring(QueryString("SELECT 1 AS ok")),
                                      wait)
        return (bool(rows) and rows[0].get("ok") == 1, "ok")
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return (False, type(exc).__name__)
