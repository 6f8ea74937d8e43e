"""The engine: Piccolo's engine for a URL, the SQLite engine's long-lived connections, the pool.

SQLite: Piccolo's stock SQLiteEngine opens a new aiosqlite connection (and a new thread) for every
query outside a transaction. `FairsSQLiteEngine` keeps long-lived connections instead: one writer
(WAL, `synchronous=NORMAL` by default, writes serialised by one asyncio lock per process and by
`BEGIN IMMEDIATE` plus a busy timeout across processes) and a few readers, which in WAL mode read
committed data without waiting for the writer.

Which connection runs a statement is the caller's word, never a guess from the SQL text: inside a
write transaction, its connection; outside one, `fairs.db.fetch()` reads on a reader and
`fairs.db.write()` writes on the writer; Piccolo's read queries (select, objects, count, exists)
read on a reader, every other Piccolo query (insert, update, delete, DDL) runs on the writer.
Readers are opened with `PRAGMA query_only`, so a write sent to one fails at once ("attempt to
write a readonly database") instead of working by luck.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import operator
import os
import sqlite3
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import (
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
)
from piccolo.query.methods.count import Count
from piccolo.query.methods.exists import Exists
from piccolo.query.methods.objects import Objects
from piccolo.query.methods.select import Select
from piccolo.query.methods.table_exists import TableExists
from piccolo.querystring import QueryString

from fairs.settings import DatabaseSettings

BUSY_TIMEOUT_MS = 15_000


# --- Piccolo's SQLite output converters, made cheap -----------------------------------------------
# Piccolo registers (globally, for every connection opened with PARSE_DECLTYPES) a Python
# converter per declared column type. Two of them cost every row on every SQLite read: INTEGER's
# decodes the bytes and goes through Decimal (0.4 us a value: ~30 of them in a check-in), for a
# value SQLite already returns as an int; BOOLEAN's and the timestamps' go through a wrapper
# that also accepts str (for Piccolo's array columns, which call them directly). Here: no
# converter for INTEGER (a column of INTEGER affinity holding an integer comes back as an int
# from sqlite3 itself; anything else comes back as stored instead of raising or being
# truncated), and the others without the wrapper. Same values for everything this service
# stores; Piccolo's array converters keep using its own functions.


def _boolean_out(value: bytes) -> bool:
    return value == b"1"


def _timestamptz_out(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode()).replace(tzinfo=UTC)


def _timestamp_out(value: bytes) -> datetime:
    return datetime.fromisoformat(value.decode())


def dict_row(cursor: sqlite3.Cursor, row: tuple) -> dict:
    """A row as a dict by column name, as Piccolo's `dict_factory` makes it, in half its time
    (no Python-level loop over the columns)."""
    return dict(zip(map(_first, cursor.description), row, strict=True))


_first = operator.itemgetter(0)

sqlite3.converters.pop("INTEGER", None)
sqlite3.register_converter("BOOLEAN", _boolean_out)
sqlite3.register_converter("TIMESTAMPTZ", _timestamptz_out)
sqlite3.register_converter("TIMESTAMP", _timestamp_out)

# Set while one of Piccolo's read queries runs: the query's kind is the caller's word.
_READING: ContextVar[bool] = ContextVar("fairs_db_reading", default=False)


def _mark_reads(query_class: type) -> None:
    """Piccolo's engine API hands the engine a QueryString, not the query that made it; wrap the
    read queries' `_run` once so the engine knows a select from an update without reading SQL.
    (Should Piccolo rename `_run`, reads would go to the writer: slower, never wrong.)"""
    run = query_class._run

    @functools.wraps(run)
    async def _run(self, *args, **kwargs):
        token = _READING.set(True)
        try:
            return await run(self, *args, **kwargs)
        finally:
            _READING.reset(token)

    if not getattr(run, "_fairs_reads", False):
        _run._fairs_reads = True  # type: ignore[attr-defined]
        query_class._run = _run


for _query_class in (Select, Objects, Count, Exists, TableExists):
    _mark_reads(_query_class)


class PercentileCont:
    """SQLite's `percentile_cont(Y, P)` aggregate (as SQLite 3.47's percentile extension spells
    it; the SQLite this service runs on is older): the value at fraction P (0 to 1) of the
    non-NULL Y, interpolated linearly between the two nearest ranks, as PostgreSQL's
    `percentile_cont(P) WITHIN GROUP (ORDER BY Y)` computes it. fairs.db.dialect.percentile_cont
    spells either; registered on every SQLite connection (`_prepare`)."""

    __slots__ = ("fraction", "values")

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction: float | None = None

    def step(self, value: Any, fraction: Any) -> None:
        if value is not None:
            self.values.append(value)
            self.fraction = fraction

    def finalize(self) -> float | None:
        if not self.values or self.fraction is None:
            return None
        values = sorted(self.values)
        position = float(self.fraction) * (len(values) - 1)
        low = int(position)
        high = min(low + 1, len(values) - 1)
        return values[low] + (position - low) * (values[high] - values[low])


def _prepare(raw: sqlite3.Connection) -> None:
    """What every SQLite connection of the engine has: the aggregates PostgreSQL has built in."""
    raw.create_aggregate("percentile_cont", 2, PercentileCont)


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
    # Inline (FairsSQLiteEngine.inline): the one reader's sqlite3 connection, used directly.
    inline_reader: sqlite3.Connection | None = None


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
        self._group_commit: Any = None  # fairs.db.batch's group commit, made on first use

    async def _connect(self, writer: bool) -> aiosqlite.Connection | InlineConnection:
        if self.inline:
            raw = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
            raw.row_factory = dict_row
            raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if writer:
                raw.execute("PRAGMA journal_mode = WAL")
            raw.execute(f"PRAGMA synchronous = {self.synchronous}")
            raw.execute("PRAGMA foreign_keys = 1")
            if not writer:
                raw.execute("PRAGMA query_only = 1")
            _prepare(raw)
            return InlineConnection(raw)
        conn = aiosqlite.connect(**self.connection_kwargs)
        # The connection's worker thread must not keep a finished command (or a test run) alive.
        thread = getattr(conn, "_thread", None)
        if thread is not None:
            thread.daemon = True
        conn = await conn
        conn.row_factory = dict_row  # type: ignore[assignment]
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if writer:
            await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        await conn.execute("PRAGMA foreign_keys = 1")
        if not writer:
            await conn.execute("PRAGMA query_only = 1")
        # On the connection's own thread, as aiosqlite runs everything it is asked.
        await conn._execute(_prepare, conn._conn)
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
            opened = [await self._connect(writer=False) for _ in range(self.reader_count)]
            for reader in opened:
                readers.put_nowait(reader)
            inline_reader = opened[0]._conn if isinstance(opened[0], InlineConnection) else None
            self._state = _LoopState(loop, writer, asyncio.Lock(), readers, inline_reader)
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

    async def read(self, query: str, args: list[Any] | None):
        """A statement outside any transaction on a reader (read-only: a write raises)."""
        state = self._state
        if state is None or state.loop is not asyncio.get_running_loop():
            state = await self._get_state()
        raw = state.inline_reader
        if raw is not None:
            # Inline, the statement runs and all its rows are read before this returns, with
            # no suspension in between: the one reader is never wanted by two callers at once,
            # so no queue is asked for it (a queue's get and put were a tenth of a check-in's
            # lookup).
            return raw.execute(query, args or ()).fetchall()
        conn = await state.readers.get()
        try:
            return await self._execute(conn, query, args)
        finally:
            state.readers.put_nowait(conn)

    async def write(self, query: str, args: list[Any] | None):
        """A statement outside any transaction on the writer, under the process's write lock."""
        state = self._state
        if state is None or state.loop is not asyncio.get_running_loop():
            state = await self._get_state()
        async with state.write_lock:
            if state.writer.in_transaction:
                await state.writer.execute("ROLLBACK")
            return await self._execute(state.writer, query, args)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False,
                              read: bool | None = None):
        """Piccolo's entry point. `read`: the caller's word (fairs.db.fetch passes it); None
        means Piccolo's query said it (a read query runs marked by _mark_reads)."""
        query, query_args = querystring.compile_string(engine_type=self.engine_type)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=str(querystring))
        current = self.current_transaction.get()
        if current:
            return await self._execute(current.connection, query, query_args)
        if read is None:
            read = _READING.get()
        if read:
            return await self.read(query, query_args)
        return await self.write(query, query_args)

    async def run_ddl(self, ddl: str, in_pool: bool = False):
        current = self.current_transaction.get()
        if current:
            return await self._execute(current.connection, ddl, None)
        return await self.write(ddl, None)

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
    """The engine for a FAIRS_DATABASE_URL (piccolo_conf's DB; tests make their own)."""
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


def engine_from_settings(settings: DatabaseSettings) -> Engine:
    return engine_from_url(settings.url, synchronous=settings.sqlite_synchronous,
                           inline=settings.sqlite_inline)


def is_sqlite(engine: Engine | None = None) -> bool:
    """For the db package and tooling (backups, the CLI); services ask fairs.db.dialect."""
    return (engine or current_engine()).engine_type == "sqlite"


async def _keep_session(connection: Any) -> None:
    """What a pooled connection needs on its way back to the pool, beyond the rollback of an
    open transaction that asyncpg always does: nothing. asyncpg's default reset is one more round
    trip on every release (`SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`)
    for session state this service never leaves on a pooled connection: no session-level
    advisory locks (the migration lock has its own connection), no cursors outside a
    transaction, no LISTEN (live events go through Redis), no SET."""


async def start(engine: Engine | None = None, settings: Any = None) -> None:
    """Open the PostgreSQL pool (nothing to do for SQLite). `settings`: a Settings or a
    DatabaseSettings (FAIRS_DB_POOL_SIZE, FAIRS_PG_PLAN_CACHE_MODE); read from the
    environment when not given."""
    engine = engine or current_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        settings = settings or DatabaseSettings.from_env()
        # Per worker process: workers x machines x this must stay under PostgreSQL's
        # max_connections (100 by default).
        size = settings.db_pool_size
        # The whole pool is opened at start: a rush (a booking opening, the doors opening)
        # must not wait while each worker opens its connections one by one.
        # Generic plans: asyncpg prepares every statement once per connection, but PostgreSQL
        # plans each execution anew ("custom plans") unless told otherwise; for the hot path's
        # short indexed statements that planning cost more than running them.
        # FAIRS_PG_PLAN_CACHE_MODE=auto gives PostgreSQL's default back.
        mode = settings.pg_plan_cache_mode
        # No inactive-connection timer: asyncpg re-arms it on every release (a timer handle per
        # query), to close connections that the whole-pool opening would want back anyway.
        # No JIT: PostgreSQL compiles a statement whose estimated cost passes jit_above_cost
        # (the reports' aggregates over a year), and on a fresh connection that compiling took
        # 1.2-2 s of a report that then runs in 80 ms; this service's statements are short.
        await engine.start_connection_pool(min_size=size, max_size=size,
                                           reset=_keep_session,
                                           max_inactive_connection_lifetime=0,
                                           server_settings={"plan_cache_mode": mode,
                                                            "jit": "off"})


async def stop(engine: Engine | None = None) -> None:
    engine = engine or current_engine()
    if isinstance(engine, PostgresEngine):
        if engine.pool is not None:
            await engine.close_connection_pool()
    elif isinstance(engine, FairsSQLiteEngine):
        await engine.close()
