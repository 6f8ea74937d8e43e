"""What the public fair pages' cache keys on (fairs.pagecache): cheap values, read from the
database on every request, that change whenever what a page shows changes, on whichever worker
the change was made. Like the calendar feeds' stamps (fairs.calendar.services): index probes
and small aggregates, never a time-based guess.

- `list_stamp()`: any fair added, removed or changed (MAX(updated_at), COUNT, SUM(revision):
  every change of a fair sets updated_at), and the names the list and its filters show
  (venues, channels, organisations, industries, audiences: count and total length of names).
- `fair_stamp(fair_id)`: the fair's row with its venue, channel and organisation, its registered
  count and its jobs line (positions, openings), as the page shows them: one statement.
- `next_change(...)`: when time alone changes a page (a fair ends and leaves the upcoming list
  or becomes "held"; registration opens or closes): a cached page is kept only until then.
"""

from __future__ import annotations

from datetime import datetime

from fairs import db
from fairs.measures import ACTIVE_POSITION

from .times import now

_LIST_SQL = (
    "SELECT (SELECT MAX(updated_at) FROM fair) AS m, (SELECT COUNT(*) FROM fair) AS n, "
    "(SELECT COALESCE(SUM(revision), 0) FROM fair) AS r, "
    "(SELECT COUNT(*) + COALESCE(SUM(LENGTH(name) + LENGTH(address)), 0) * 1000 FROM venue) "
    "AS v, "
    "(SELECT COUNT(*) + COALESCE(SUM(LENGTH(name) + LENGTH(url)), 0) * 1000 FROM channel) AS c, "
    "(SELECT COUNT(*) + COALESCE(SUM(LENGTH(name_zh) + LENGTH(name_en)), 0) * 1000 "
    "FROM organisation) AS o, "
    "(SELECT COUNT(*) + COALESCE(SUM(LENGTH(name_zh) + LENGTH(name_en)), 0) * 1000 "
    "FROM industry) AS i, "
    "(SELECT COUNT(*) + COALESCE(SUM(LENGTH(name_zh) + LENGTH(name_en)), 0) * 1000 "
    "FROM audience) AS a"
)

# The fair's row with its venue, channel and organisation; its registered count (as
# fairs.tickets.services.registered_counts sums it) and its jobs line (positions and openings,
# as fairs.booths.counts.jobs_summaries counts them): one statement, index probes only.
_FAIR_SQL = (
    "SELECT f.updated_at, f.revision, f.status, v.name AS vn, v.address AS va, "
    "v.capacity AS vc, v.step_free AS vs, v.active AS vact, c.name AS cn, c.url AS cu, "
    "c.active AS cact, o.name_zh AS oz, o.name_en AS oe, "
    "(SELECT COALESCE(SUM(t.active), 0) FROM registration_tally t WHERE t.fair = f.id) AS reg, "
    "(SELECT COUNT(*) + 1000000 * COALESCE(SUM(p.headcount), 0) FROM job_position p "
    f"WHERE p.fair = f.id AND {ACTIVE_POSITION}) AS jobs "
    "FROM fair f LEFT JOIN venue v ON v.id = f.venue LEFT JOIN channel c ON c.id = f.channel "
    "LEFT JOIN organisation o ON o.id = f.org WHERE f.id = {}"
)


def _join(row: dict) -> str:
    return "|".join(str(v) for v in row.values())


async def list_stamp() -> str:
    rows = await db.fetch(_LIST_SQL)
    return _join(rows[0])


async def fair_stamp(fair_id: int) -> str | None:
    """None for no such fair (the page answers 404, uncached)."""
    rows = await db.fetch(_FAIR_SQL, fair_id)
    return _join(rows[0]) if rows else None


async def next_list_change() -> datetime | None:
    """The next time a fair ends (it leaves the upcoming list, and shows as held)."""
    rows = await db.fetch("SELECT MIN(ends_at) AS e FROM fair WHERE ends_at > {}", now())
    return db.as_datetime(rows[0]["e"]) if rows and rows[0]["e"] is not None else None


def next_fair_change(fair: dict, at: datetime | None = None) -> datetime | None:
    """The next of the fair's own times (start, end, booking and registration windows,
    publication) after `at`."""
    at = at or now()
    times = [v for k, v in fair.items()
             if isinstance(v, datetime) and k.endswith("_at") and v > at]
    return min(times) if times else None
