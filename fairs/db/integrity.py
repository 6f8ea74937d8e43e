"""Integrity errors, recognised by the violated constraint's (index's) name on both engines.

PostgreSQL names it: asyncpg's `UniqueViolationError.constraint_name`. SQLite does not: its
message names the index only for an index on expressions ("UNIQUE constraint failed: index
'x'"), otherwise the columns ("UNIQUE constraint failed: booking.fair, booking.employer"). So
on SQLite the columns are mapped back to index names through the schema itself: every unique
index's columns, read once with `PRAGMA index_list` / `PRAGMA index_info` on a read-only
connection and kept per database file (read again when a message names columns the map does
not know: a migration added an index). A UNIQUE column constraint's automatic index
(`sqlite_autoindex_*`) is given PostgreSQL's default name, `<table>_<columns>_key`, so one name
works on both engines. Two unique indexes over the same columns could not be told apart on
SQLite; the schema has none (tests/test_db.py checks).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from piccolo.engine.base import Engine

from fairs.db.engine import FairsSQLiteEngine, current_engine

try:  # asyncpg is a declared dependency, but keep SQLite-only tooling importable without it
    import asyncpg
except ImportError:  # pragma: no cover
    asyncpg = None

_FAILED = "UNIQUE constraint failed: "
# database path -> {"t.c1, t.c2": {index names}}
_UNIQUE_COLUMNS: dict[str, dict[str, set[str]]] = {}


def is_integrity_error(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    return asyncpg is not None and isinstance(exc, asyncpg.IntegrityConstraintViolationError)


def unique_indexes(path: str) -> dict[str, set[str]]:
    """SQLite: the unique indexes of the database at `path`, by their columns as SQLite's
    message spells them ("table.a, table.b")."""
    found: dict[str, set[str]] = {}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            for _seq, name, unique, origin, *_rest in conn.execute(
                    f'PRAGMA index_list("{table}")'):
                if not unique or origin == "pk":
                    continue
                columns = [r[2] for r in conn.execute(f'PRAGMA index_info("{name}")')]
                if any(c is None for c in columns):  # an index on expressions names itself
                    continue
                if origin == "u":  # a UNIQUE constraint's automatic index
                    name = f"{table}_{'_'.join(columns)}_key"
                key = ", ".join(f"{table}.{c}" for c in columns)
                found.setdefault(key, set()).add(name)
    finally:
        conn.close()
    return found


def _sqlite_names(exc: sqlite3.IntegrityError, engine: Any) -> set[str]:
    msg = str(exc)
    if not msg.startswith(_FAILED):
        return set()
    rest = msg[len(_FAILED):]
    if rest.startswith("index '") and rest.endswith("'"):
        return {rest[len("index '"):-1]}
    engine = engine or current_engine()
    if not isinstance(engine, FairsSQLiteEngine):
        return set()
    known = _UNIQUE_COLUMNS.get(engine.path)
    if known is None or rest not in known:
        known = _UNIQUE_COLUMNS[engine.path] = unique_indexes(engine.path)
    return known.get(rest, set())


def violated_constraint(exc: BaseException, engine: Engine | None = None) -> set[str]:
    """The name(s) of the unique constraint/index `exc` violated (empty: not a unique
    violation, or one whose name cannot be known)."""
    if isinstance(exc, sqlite3.IntegrityError):
        return _sqlite_names(exc, engine)
    if asyncpg is not None and isinstance(exc, asyncpg.UniqueViolationError):
        name = getattr(exc, "constraint_name", None)
        return {name} if name else set()
    return set()


def is_unique_violation(exc: BaseException, *names: str, engine: Engine | None = None) -> bool:
    """True when `exc` is a unique-constraint violation and, if `names` are given, of one of
    the named constraints/indexes (the names of the migrations' `CREATE UNIQUE INDEX`, or
    `<table>_<column>_key` for a unique column), on either engine."""
    if isinstance(exc, sqlite3.IntegrityError):
        if not str(exc).startswith(_FAILED):
            return False
    elif asyncpg is None or not isinstance(exc, asyncpg.UniqueViolationError):
        return False
    if not names:
        return True
    return not violated_constraint(exc, engine).isdisjoint(names)
