"""Follow-up tasks made from hiring intentions: each intention gets three, due 7, 30 and 90 days
(China-time dates) after the day it was recorded.

`on_intention` is the receiver of fairs.hooks.intention_recorded: it runs inside the
intention's write transaction, so the tasks exist exactly when the intention does. Writing them
is one INSERT ... ON CONFLICT (intention, step) DO NOTHING: the unique index followup_task_once
makes a replay (a repeated hook, the backfill running beside it) write nothing twice.
`backfill()` gives every intention without tasks its three (the migration runs it for the
intentions recorded before this slice; the demo for those it writes directly).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from fairs import clock, db
from fairs.hooks import NewIntention
from fairs.i18n import TZ

# step -> days after the intention's (China-time) day.
STEPS = {1: 7, 2: 30, 3: 90}
BATCH = 500


def due_dates(recorded_at: datetime) -> dict[int, date]:
    """The due date of each step for an intention recorded at `recorded_at` (aware)."""
    day = recorded_at.astimezone(TZ).date()
    return {step: day + timedelta(days=days) for step, days in STEPS.items()}


async def _insert(intentions: Iterable[tuple[int, int, datetime]]) -> None:
    """Three tasks for each (intention id, fair id, recorded at), in one statement."""
    values: list = []
    at = clock.now()
    for intention_id, fair_id, recorded_at in intentions:
        for step, due_on in due_dates(recorded_at).items():
            values += [intention_id, fair_id, step, due_on, at]
    if not values:
        return
    rows = len(values) // 5
    await db.execute(
        "INSERT INTO followup_task (intention, fair, step, due_on, status, created_at) VALUES "
        + ", ".join("({}, {}, {}, {}, 'open', {})" for _ in range(rows))
        + " ON CONFLICT (intention, step) DO NOTHING", *values)


async def on_intention(new: NewIntention) -> None:
    """fairs.hooks.intention_recorded: inside the intention's write transaction."""
    await _insert([(new.id, new.fair, new.created_at)])


async def ensure(intention_id: int) -> None:
    """The tasks of one intention, made now if it has none (inside the caller's transaction)."""
    rows = await db.fetch(
        "SELECT i.id, i.fair, i.created_at FROM intention i WHERE i.id = {} AND NOT EXISTS "
        "(SELECT 1 FROM followup_task t WHERE t.intention = i.id)", intention_id)
    await _insert([(r["id"], r["fair"], db.as_datetime(r["created_at"])) for r in rows])


async def backfill() -> int:
    """Tasks for every intention that has none, in batches (one write transaction each):
    the number of intentions given tasks. Running it again adds nothing."""
    done, last = 0, 0
    while True:
        rows = await db.fetch(
            "SELECT i.id, i.fair, i.created_at FROM intention i WHERE i.id > {} AND NOT EXISTS "
            "(SELECT 1 FROM followup_task t WHERE t.intention = i.id) "
            f"ORDER BY i.id LIMIT {BATCH}", last)
        if not rows:
            return done
        async with db.write_transaction():
            await _insert([(r["id"], r["fair"], db.as_datetime(r["created_at"]))
                           for r in rows])
        done += len(rows)
        last = rows[-1]["id"]
