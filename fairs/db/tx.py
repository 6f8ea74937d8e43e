"""Transactions and statements: `write_transaction()`, `fetch()` (a read), `write()`.

The caller says what a statement does. Inside `write_transaction()` everything runs on the
transaction's connection. Outside one, `fetch()` is a read (on SQLite a read-only reader
connection, so a write sent through it raises at once) and `write()` runs on the writer. On
PostgreSQL both take a pooled connection; the distinction costs nothing there and keeps the code
honest for SQLite.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime
from string import Formatter
from typing import Any

from piccolo.columns import Column
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from fairs.db.engine import FairsSQLiteEngine, current_engine


@contextlib.asynccontextmanager
async def write_transaction(engine: Engine | None = None) -> AsyncIterator[Any]:
    """The one way to run a multi-step write: all of it or none of it.

    SQLite: BEGIN IMMEDIATE on the engine's writer connection (a DEFERRED transaction fails with
    "database is locked" when two writers upgrade at once). PostgreSQL: a normal transaction.
    """
    engine = engine or current_engine()
    async with engine.transaction() as transaction:
        yield transaction


def in_transaction(engine: Engine | None = None) -> bool:
    return bool((engine or current_engine()).current_transaction.get())


# The types of most arguments: never a QueryString or a Column (whose isinstance checks, through
# the ABC machinery, cost more than the rest of the test on a hot path).
_PLAIN = frozenset({int, str, float, bool, type(None), datetime, bytes, list, tuple})


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


async def fetch(sql: str, *args: Any, engine: Engine | None = None,
                write: bool = False) -> list[dict]:
    """A raw statement, for the aggregate queries Piccolo's builder cannot express. `{}`
    placeholders; in the current transaction if there is one. Rows are plain dicts on both
    engines (asyncpg's records are read-only and differ from SQLite's rows in what they allow).

    Outside a transaction this is a READ (SQLite: a read-only reader connection); a statement
    that writes says so: `write(sql, ...)` (or `fetch(..., write=True)`).

    The hot paths (a scan, a booking, a bearer token) run a few of these per request, so they
    go straight to the connection; Piccolo's QueryString (nested queries, columns as arguments)
    only where an argument needs it."""
    engine = engine or current_engine()
    query, count = _compiled(sql, engine.engine_type)
    if count != len(args) or engine.log_queries or any(
            type(arg) not in _PLAIN and isinstance(arg, QueryString | Column) for arg in args):
        if isinstance(engine, FairsSQLiteEngine):
            rows = await engine.run_querystring(QueryString(sql, *args), read=not write)
        else:
            rows = await engine.run_querystring(QueryString(sql, *args))
    elif isinstance(engine, FairsSQLiteEngine):
        current = engine.current_transaction.get()
        if current:
            return await engine._execute(current.connection, query, list(args))
        if write:
            return await engine.write(query, list(args))
        return await engine.read(query, list(args))
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


def write(sql: str, *args: Any, engine: Engine | None = None) -> Coroutine[Any, Any, list[dict]]:
    """A statement that writes (INSERT/UPDATE/DELETE, a WITH ... INSERT, DDL), with its RETURNING
    rows: on the writer outside a transaction, in the transaction inside one. (A plain function
    returning fetch()'s coroutine: no extra layer on a hot path.)"""
    return fetch(sql, *args, engine=engine, write=True)


# A statement run for its effect: the same as write() (migrations and services use this name).
execute = write


def as_datetime(value: Any) -> datetime | None:
    """A timestamp from a raw row: asyncpg gives datetimes, SQLite text (in expressions and
    aggregates). Naive values are UTC, as they are stored; None stays None."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
