"""The database: engine, transactions, batching, the dialect, health (DESIGN.md section 9).

- `engine`: Piccolo's engine for a URL; the SQLite engine's writer, readers and inline
  connection; the PostgreSQL pool (`start()`/`stop()`).
- `tx`: `write_transaction()`, `fetch()` (a read outside a transaction), `write()`.
- `batch`: `Batcher`, `BatchedFetch`, `sqlite_write()` (the SQLite group commit).
- `pipeline`: `Pipeline`, `Step`: a write of several steps over a batch of items, written once
  (PostgreSQL: data-modifying CTEs in one statement; SQLite: the same steps in one writer job).
- `dialect`: what the engines spell differently (local day, row locks, string aggregation...).
- `integrity`: integrity errors by the violated constraint's name.
- `locks`: `process_lock()`, one process at a time by name (migrating, purging).
- `health`: `check_database()`.

`from fairs import db; db.fetch(...)` and `from fairs.db import ...` keep working: the public
names are re-exported here.
"""

from fairs.db import dialect
from fairs.db.batch import BatchedFetch, Batcher, _run_batch, sqlite_write
from fairs.db.engine import (
    BUSY_TIMEOUT_MS,
    FairsSQLiteEngine,
    FairsSQLiteTransaction,
    InlineConnection,
    current_engine,
    engine_from_settings,
    engine_from_url,
    is_sqlite,
    sqlite_path,
    start,
    stop,
)
from fairs.db.health import check_database
from fairs.db.integrity import (
    is_integrity_error,
    is_unique_violation,
    unique_indexes,
    violated_constraint,
)
from fairs.db.locks import process_lock
from fairs.db.pipeline import Pipeline, PipelineAborted, Step
from fairs.db.tx import (
    as_datetime,
    execute,
    fetch,
    in_transaction,
    write,
    write_transaction,
)

__all__ = [
    "BUSY_TIMEOUT_MS", "Batcher", "BatchedFetch", "FairsSQLiteEngine", "FairsSQLiteTransaction",
    "InlineConnection", "Pipeline", "PipelineAborted", "Step", "_run_batch", "as_datetime",
    "check_database", "current_engine", "dialect", "engine_from_settings", "engine_from_url",
    "execute", "fetch", "in_transaction", "is_integrity_error", "is_sqlite",
    "is_unique_violation", "process_lock", "sqlite_path", "sqlite_write", "start", "stop",
    "unique_indexes", "violated_constraint", "write", "write_transaction",
]
