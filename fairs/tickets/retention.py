"""Job seekers' personal data is kept while it serves, and then erased (the privacy note on the
registration form says what this module does: keep the two in step).

What a registration holds: a name and a mobile number (and its last four digits), which admit
the holder at the door (door staff find a ticket by those digits; one registration per number
per fair); the holder's secret (hashed), the key to the ticket page; the door code; and the
target groups the holder ticked (optional), which the reports count. Check-in's scan log keeps
result codes only (a retried scan's answer is rendered again from the registration): no name.

`purge()` erases, for every registration of a fair that ended more than `retention_days` ago,
the name, the phone number and its last four digits, and the secret; in the same run the other
slices erase what they keep about those job seekers (fairs.hooks.retention_purge: the matching
slice's profiles, and at once the profiles of cancelled registrations). The rows stay, anonymous:
admissions, walk-ins, hiring intentions and the target-group figures of the reports count them,
and count the same after.
An erased registration's phone is "#<id>" (never a number: no look-up finds it, and the
one-registration-per-phone index never sees two alike); its name is empty.

Each fair's registrations are erased in chunks, one short write transaction each (a check-in
at another fair waits for a chunk, never for the whole purge). Running it again erases nothing
new. It runs from `fairs purge` (cron, a systemd timer) and in the serving process
(`scheduler()`, a lifespan: at start-up, then every `purge_interval_hours`), one process at a
time: a lock file beside SQLite's database, or a PostgreSQL advisory lock; a worker that finds
the lock taken skips that round (another is purging).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fairs import clock, db, hooks
from fairs.settings import Settings

log = logging.getLogger("fairs.retention")

CHUNK = 500
ERASED_PREFIX = "#"

# The registrations whose personal data is still there, of one fair.
_KEPT = "fair = {} AND substr(phone, 1, 1) <> '#'"


def is_erased(phone: str | None) -> bool:
    return (phone or "").startswith(ERASED_PREFIX)


@dataclass(frozen=True)
class Purged:
    cutoff: datetime  # fairs that ended before this
    fairs: int  # fairs with registrations erased now
    registrations: int  # registrations erased now
    # What other slices erased in the same run (fairs.hooks.retention_purge): {what: how many}
    # (matching: "profiles").
    others: Mapping[str, int] = field(default_factory=dict)


async def due_fairs(cutoff: datetime) -> list[int]:
    """Fairs that ended before `cutoff` and still hold someone's name or number."""
    rows = await db.fetch(
        "SELECT f.id FROM fair f WHERE f.ends_at < {} AND EXISTS (SELECT 1 FROM registration r "
        "WHERE r.fair = f.id AND substr(r.phone, 1, 1) <> '#') ORDER BY f.id", cutoff)
    return [r["id"] for r in rows]


async def _erase_chunk(fair_id: int) -> int:
    async with db.write_transaction():
        rows = await db.write(
            "UPDATE registration SET name = '', phone = '#' || CAST(id AS VARCHAR(20)), "
            "phone_last4 = '', secret_hash = NULL "
            f"WHERE id IN (SELECT id FROM registration WHERE {_KEPT} ORDER BY id LIMIT {CHUNK}) "
            "RETURNING id", fair_id)
    return len(rows)


async def purge(retention_days: int, *, at: datetime | None = None,
                dry_run: bool = False) -> Purged:
    """Erase the personal data of the registrations of fairs that ended more than
    `retention_days` before `at` (now). `dry_run`: count only."""
    cutoff = (at or clock.now()) - timedelta(days=retention_days)
    others: dict[str, int] = {}
    for answer in await hooks.retention_purge.collect(cutoff, dry_run):
        for what, count in answer.items():
            others[what] = others.get(what, 0) + count
    fairs = await due_fairs(cutoff)
    erased = 0
    for fair_id in fairs:
        if dry_run:
            rows = await db.fetch(f"SELECT COUNT(*) AS n FROM registration WHERE {_KEPT}",
                                  fair_id)
            erased += int(rows[0]["n"])
            continue
        while True:
            n = await _erase_chunk(fair_id)
            erased += n
            if n < CHUNK:
                break
    return Purged(cutoff, len(fairs), erased, others)


# --- one process at a time ------------------------------------------------------------------


def purge_lock(settings: Settings) -> contextlib.AbstractAsyncContextManager[bool]:
    """Yields whether this process holds the purge lock (False: another is purging now)."""
    return db.process_lock(settings.database_url, "purge", wait=False)


async def purge_once(settings: Settings) -> Purged | None:
    """One scheduled round: the purge if this process gets the lock, else None."""
    async with purge_lock(settings) as held:
        if not held:
            return None
        return await purge(settings.retention_days)


async def run_schedule(settings: Settings, rounds: int | None = None) -> None:
    """Purge now, then every `purge_interval_hours` (`rounds`: stop after that many, for
    tests). A round that fails is logged and the schedule goes on."""
    done = 0
    while rounds is None or done < rounds:
        try:
            purged = await purge_once(settings)
            if purged is not None and purged.registrations:
                log.info("retention: erased the personal data of %d registrations of %d fairs "
                         "that ended before %s", purged.registrations, purged.fairs,
                         purged.cutoff.date().isoformat())
        except Exception:  # noqa: BLE001 - the next round tries again
            log.exception("retention: the purge failed")
        done += 1
        if rounds is not None and done >= rounds:
            return
        await asyncio.sleep(settings.purge_interval_hours * 3600)


@contextlib.asynccontextmanager
async def scheduler(settings: Settings) -> AsyncIterator[asyncio.Task | None]:
    """For the serving process's lifespan: the schedule as a background task (none when
    `purge_interval_hours` is 0), cancelled at shut-down."""
    if settings.purge_interval_hours <= 0:
        yield None
        return
    task = asyncio.create_task(run_schedule(settings), name="fairs-retention")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
