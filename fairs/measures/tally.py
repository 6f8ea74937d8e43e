"""The audience tally: the person measures (admissions, walk-ins, intentions) per fair and
declared target-group combination, kept exact as they arrive, so that a report by audience
reads a few rows per fair (`read.by_audience`) instead of joining every admission to its
ticket (1.6 million of them in a province's year).

A combination is a registration's `audiences` as written ("graduates,veterans", "" for none);
registrations keep it for good (nothing edits it) and admissions and intentions are never
removed, so adding at each arrival keeps the tally equal to a recount from the raw rows. It is
written by the door's pipeline step (fairs.checkin.admit, in the admission's own statement) and
by the intention's transaction (fairs.reports.services), one shard per round as the admission
tally is; `recount_audiences()` rebuilds it from the raw rows (the migration's backfill, bulk
loads that write admissions directly).
"""

from __future__ import annotations

from fairs import db

from .definitions import WALK_IN

# Shards per (fair, combination): concurrent rounds rarely wait on one another's row.
TALLY_SHARDS = 8
COLUMNS = "INSERT INTO audience_tally (fair, audiences, shard, admissions, walk_ins, intentions) "
# Adding to a row already there: every writer ends its INSERT ... SELECT with this.
ADD = (" ON CONFLICT (fair, audiences, shard) DO UPDATE SET "
       "admissions = audience_tally.admissions + excluded.admissions, "
       "walk_ins = audience_tally.walk_ins + excluded.walk_ins, "
       "intentions = audience_tally.intentions + excluded.intentions")


def admitted(over: str = "a", shard: str = "{shard}") -> str:
    """The door's step: the new admissions of a round (the relation `over`, alias a: fair,
    registration, method) added to their fair's and combination's row on `shard`."""
    return (COLUMNS + f"SELECT a.fair, r.audiences, {shard}, COUNT(*), "
            f"SUM(CASE WHEN {WALK_IN} THEN 1 ELSE 0 END), 0 FROM {over} a "
            "JOIN registration r ON r.id = a.registration WHERE true GROUP BY a.fair, r.audiences"
            + db.dialect.lock_order("a.fair, r.audiences") + ADD + " RETURNING fair")


# One intention recorded (placeholders: fair, shard, registration).
INTENDED = (COLUMNS + "SELECT {}, r.audiences, {}, 0, 0, 1 FROM registration r WHERE r.id = {}"
            + ADD)


async def recount_audiences(fair_ids: list[int] | None = None) -> None:
    """Rebuild the tally of these fairs (all when None) from the admissions and intentions
    themselves, in one transaction."""
    where = ""
    args: list[int] = []
    if fair_ids is not None:
        if not fair_ids:
            return
        marks = ", ".join("{}" for _ in fair_ids)
        where = f" WHERE {{alias}}.fair IN ({marks})"
        args = list(fair_ids)
    async with db.write_transaction():
        await db.execute("DELETE FROM audience_tally" + where.replace("{alias}.", ""), *args)
        await db.execute(
            COLUMNS + "SELECT fair, combo, 0, SUM(adm), SUM(walk), SUM(itn) FROM ("
            "SELECT a.fair, r.audiences AS combo, COUNT(*) AS adm, "
            f"SUM(CASE WHEN {WALK_IN} THEN 1 ELSE 0 END) AS walk, 0 AS itn FROM admission a "
            "JOIN registration r ON r.id = a.registration" + where.replace("{alias}", "a")
            + " GROUP BY a.fair, r.audiences UNION ALL "
            "SELECT i.fair, r.audiences, 0, 0, COUNT(*) FROM intention i "
            "JOIN registration r ON r.id = i.registration" + where.replace("{alias}", "i")
            + " GROUP BY i.fair, r.audiences) x GROUP BY fair, combo", *args, *args)
