"""The few things SQLite and PostgreSQL spell differently, in one place.

Services build their SQL from these pieces and never ask which engine runs. Each function
returns SQL text (or runs the one statement it stands for) for the current engine; the text is
the same shape on both engines (same columns, same types as a service reads them), which
tests/test_db.py checks on whichever engine the suite runs on.

Local time is the bureau's: Asia/Shanghai, UTC+8 the whole year (China has no summer time), so
SQLite's fixed '+8 hours' and PostgreSQL's named zone agree on every date.
"""

from __future__ import annotations

from piccolo.engine.base import Engine

from fairs.db.engine import current_engine
from fairs.db.tx import execute

ZONE = "Asia/Shanghai"
SQLITE_OFFSET = "'+8 hours'"

__all__ = [
    "char", "date_month", "date_text", "index_join", "local_day", "local_month", "local_quarter",
    "lock_order", "lock_row", "percentile_cont", "row_lock", "skip_locked", "string_agg", "text",
    "timestamp", "unindexed",
]


def _sqlite(engine: Engine | None = None) -> bool:
    return (engine or current_engine()).engine_type == "sqlite"


def local_day(column: str) -> str:
    """The local date of a timestamp column as text, 'YYYY-MM-DD'."""
    if _sqlite():
        return f"date({column}, {SQLITE_OFFSET})"
    return f"to_char({column} AT TIME ZONE '{ZONE}', 'YYYY-MM-DD')"


def date_text(column: str) -> str:
    """A DATE column (a day without a time or a zone) as text, 'YYYY-MM-DD': the same text
    `local_day` gives for a timestamp, so the two compare and combine."""
    if _sqlite():
        return f"date({column})"
    return f"to_char({column}, 'YYYY-MM-DD')"


def local_month(column: str) -> str:
    """The local month of a timestamp column as text, 'YYYY-MM'."""
    if _sqlite():
        return f"strftime('%Y-%m', {column}, {SQLITE_OFFSET})"
    return f"to_char({column} AT TIME ZONE '{ZONE}', 'YYYY-MM')"


def local_quarter(column: str) -> str:
    """The local quarter of a timestamp column as text, 'YYYY-Qn'."""
    if _sqlite():
        local = f"{column}, {SQLITE_OFFSET}"
        return (f"(strftime('%Y', {local}) || '-Q' || "
                f"((CAST(strftime('%m', {local}) AS INTEGER) + 2) / 3))")
    return f"to_char({column} AT TIME ZONE '{ZONE}', 'YYYY-\"Q\"Q')"


def date_month(column: str) -> str:
    """The month of a DATE column (a calendar date, no time zone) as text, 'YYYY-MM': SQLite
    stores a date as its 'YYYY-MM-DD' text."""
    if _sqlite():
        return f"substr({column}, 1, 7)"
    return f"to_char({column}, 'YYYY-MM')"


def percentile_cont(fraction: float, expr: str) -> str:
    """An aggregate: the value at `fraction` (0 to 1) of `expr` over the group's rows, linearly
    interpolated between the two nearest ranks (the value at rank 1 + fraction x (n - 1)); NULL
    over no rows. PostgreSQL's ordered-set aggregate; on SQLite the same-named aggregate the
    engine registers on its connections (fairs.db.engine.PercentileCont)."""
    fraction = float(fraction)
    if not 0 <= fraction <= 1:
        raise ValueError("a fraction from 0 to 1")
    if _sqlite():
        return f"percentile_cont({expr}, {fraction!r})"
    return f"percentile_cont({fraction!r}) WITHIN GROUP (ORDER BY {expr})"


def row_lock(mode: str = "UPDATE") -> str:
    """A row-lock clause for the end of a SELECT inside a write transaction: ' FOR UPDATE'
    (or ' FOR SHARE', ' FOR NO KEY UPDATE') on PostgreSQL; nothing on SQLite, whose IMMEDIATE
    write transaction already holds the whole database for one writer."""
    return "" if _sqlite() else f" FOR {mode}"


def lock_order(columns: str) -> str:
    """' ORDER BY <columns>' for the rows an INSERT ... SELECT writes, on PostgreSQL: writers
    that take row and index locks in the same order never wait on each other in a cycle;
    nothing on SQLite, whose IMMEDIATE write transaction already holds the whole database for
    one writer (and whose sort would only cost time)."""
    return "" if _sqlite() else f" ORDER BY {columns}"


def skip_locked(of: str, mode: str = "NO KEY UPDATE") -> str:
    """' FOR <mode> OF <alias> SKIP LOCKED' on PostgreSQL (take a row nobody else is taking
    right now); nothing on SQLite (one writer at a time: nothing is being taken)."""
    return "" if _sqlite() else f" FOR {mode} OF {of} SKIP LOCKED"


async def lock_row(table: str, row_id: int, mode: str = "UPDATE") -> None:
    """Inside a write transaction, serialise the writers of one row's dependants: PostgreSQL
    locks the row (`mode`: UPDATE, NO KEY UPDATE, SHARE); SQLite needs nothing (its IMMEDIATE
    transaction already serialises every writer), so no statement is run."""
    if _sqlite():
        return
    await execute(f"SELECT id FROM {table} WHERE id = {{}} FOR {mode}", row_id)


def string_agg(expr: str, separator: str, order_by: str | None = None) -> str:
    """The values of `expr` joined by `separator` (SQL text, e.g. "';'") into one text, NULL
    over no rows. SQLite's group_concat follows the order of its input rows (order them in a
    subquery); `order_by` orders them on PostgreSQL, whose string_agg needs it said."""
    if _sqlite():
        return f"group_concat({expr}, {separator})"
    order = f" ORDER BY {order_by}" if order_by else ""
    return f"string_agg({expr}, {separator}{order})"


def char(code: int) -> str:
    """The one-character text with this code point (a separator nobody types)."""
    return f"char({int(code)})" if _sqlite() else f"chr({int(code)})"


def text(expr: str) -> str:
    """An expression as text, spelled alike on both engines for a timestamp column: SQLite
    stores timestamps as ISO text already; PostgreSQL's cast gives '2027-03-01 01:00:00+00'."""
    return f"CAST({expr} AS TEXT)"


def timestamp(expr: str) -> str:
    """A timestamp value where PostgreSQL cannot tell its type from the context (a `{}`
    placeholder in a CASE of an INSERT ... SELECT): cast to timestamptz there; as it is on
    SQLite, which stores the text the driver gives for a datetime (a cast would turn it into a
    number)."""
    return expr if _sqlite() else f"CAST({expr} AS TIMESTAMPTZ)"


def unindexed(scan_many: bool) -> str:
    """A prefix for a column in a join condition that stops SQLite's planner (which has no
    statistics) from looking rows up one by one through an index when `scan_many` (a scan of
    the whole table is then several times faster); the unary plus is valid, and harmless, on
    PostgreSQL, whose planner needs no hint: nothing there."""
    return "+" if scan_many and _sqlite() else ""


def index_join(table: str, alias: str, condition: str) -> str:
    """' LEFT JOIN <table> <alias> ON <condition>', for a condition that finds at most one row of
    a table that grows by one of its indexes (a primary key, a unique code), for each row on the
    left: a batched statement's lookups (fairs.db.BatchedFetch). PostgreSQL: a LATERAL subquery
    with OFFSET 0, so that the lookup stays an index probe per row whatever the table's size
    when the statement's generic plan was made (a plain join could become a hash join over a
    full scan); SQLite, which has no LATERAL, always probes: the plain join."""
    if _sqlite():
        return f" LEFT JOIN {table} {alias} ON {condition}"
    return (f" LEFT JOIN LATERAL (SELECT * FROM {table} {alias} WHERE {condition} OFFSET 0) "
            f"{alias} ON true")
