"""The door's one write: every scan's log row, and for a ticket that may come in its admission,
the admission tally and the counts, as ONE rule written once (fairs.db.Pipeline), and the read
that answers a replayed nonce from what was stored.

The steps, over the scans that arrive together (`i`, one row per scan):

- `s`: the scan log, `INSERT ... ON CONFLICT (fair, nonce) DO NOTHING`, with the result code and
  the `detail` (JSON) the answer is rendered from again on a retry: never the explanation text.
  A scan whose nonce is logged already gets no row: it is a replay, and nothing below happens
  for it (a retry of a scan first answered not_open admits nothing, even once the door is open).
  A scan that may admit is logged `ok` unless its ticket was admitted when the statement began.
- `a`: the admissions of the scans logged `ok`, `INSERT ... ON CONFLICT (registration) DO
  NOTHING`: a ticket counts once, by the unique index.
- `t`: the admission tally, moved by the new admissions only, on one shard per round (chosen at
  random, on both engines: concurrent rounds rarely wait on each other's shard row).
- `g`: the audience tally (fairs.measures.tally), moved by the new admissions by their
  ticket's target groups, on the same shard: the reports by audience read it.
- the result: per scan its result code, whether it was a replay, the first admission's time and
  device, and the fair's counts (registered, and checked in including this round).

A scan logged `ok` whose admission lost to a concurrent round (another worker admitting the
same ticket after this statement began) undoes the round (`abort_if`), which runs again one
scan at a time and finds that admission: the log never says `ok` for a scan that counted
nothing. Rows go in in key order (fairs and nonces, registrations, fairs), so two rounds never
wait on each other in a cycle. How the rounds run (one statement on PostgreSQL, a group-commit
job on SQLite) is the db package's business.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import msgspec

from fairs import db
from fairs import measures as read_model
from fairs.tickets import services as tickets

from .answers import render

TALLY_SHARDS = 8

DOOR = db.Pipeline(
    "door",
    inputs=(("fair", "integer"), ("reg", "integer"), ("admit", "boolean"), ("method", "varchar"),
            ("at", "timestamptz"), ("received", "timestamptz"), ("device", "varchar"),
            ("offline", "boolean"), ("nonce", "varchar"), ("kind", "varchar"),
            ("result", "varchar"), ("detail", "text")),
    steps=(
        db.Step("s", lambda: (
            "INSERT INTO scan (fair, scanned_at, received_at, device, method, kind, "
            "registration_id, result, offline, nonce, detail) "
            "SELECT i.fair, i.at, i.received, i.device, i.method, i.kind, i.reg, "
            "CASE WHEN NOT i.admit THEN i.result WHEN (SELECT x.id FROM admission x "
            "WHERE x.registration = i.reg) IS NULL THEN 'ok' ELSE 'already_checked_in' END, "
            "i.offline, i.nonce, i.detail FROM i WHERE true"
            + db.dialect.lock_order("i.fair, i.nonce")
            + " ON CONFLICT (fair, nonce) DO NOTHING "
            "RETURNING fair, nonce, registration_id, result"),
            ("fair", "nonce", "registration_id", "result"),
            keys=(("fair", "nonce"), ("registration_id",))),
        db.Step("a", lambda: (
            "INSERT INTO admission (fair, registration, method, admitted_at, recorded_at, device, "
            "offline) SELECT i.fair, i.reg, i.method, i.at, i.received, i.device, i.offline "
            "FROM i JOIN s ON s.registration_id = i.reg WHERE i.admit AND s.result = 'ok'"
            + db.dialect.lock_order("i.reg")
            + " ON CONFLICT (registration) DO NOTHING "
            "RETURNING fair, registration, admitted_at, device, method"),
            ("fair", "registration", "admitted_at", "device", "method"),
            keys=(("registration",),)),
        db.Step("t", lambda: (
            "INSERT INTO admission_tally (fair, shard, n) SELECT a.fair, {shard}, COUNT(*) "
            "FROM a WHERE true GROUP BY a.fair" + db.dialect.lock_order("a.fair")
            + " ON CONFLICT (fair, shard) DO UPDATE SET n = admission_tally.n + excluded.n "
            "RETURNING fair, shard, n"),
            ("fair", "shard", "n"), keys=(("fair",),), over="a"),
        db.Step("g", read_model.audience_tally_admitted, ("fair",), over="a"),
    ),
    # `sn`: the scan's log row by its nonce (none: a replay); `sr`: a ticket's by its
    # registration (one per round). The counts: registered as the read model defines it;
    # checked in is the read model's admission tally, its shard moved in this round read from
    # `t` (PostgreSQL's statement does not see its own writes; SQLite's steps do). Per scan, as
    # both planners evaluate them anyway (a per-fair derived table is pulled up into the join).
    result=(
        "SELECT i.ord, CASE WHEN NOT i.admit THEN i.result ELSE sr.result END AS result, "
        "CASE WHEN i.nonce IS NOT NULL AND sn.nonce IS NULL THEN 1 ELSE 0 END AS replayed, "
        "CASE WHEN a.registration IS NOT NULL THEN a.admitted_at WHEN i.admit THEN "
        "(SELECT x.admitted_at FROM admission x WHERE x.registration = i.reg) END AS first_at, "
        "CASE WHEN a.registration IS NOT NULL THEN a.device WHEN i.admit THEN "
        "(SELECT x.device FROM admission x WHERE x.registration = i.reg) END AS first_device, "
        + read_model.REGISTERED_ONE.replace("{}", "i.fair") + " AS registered, "
        "(SELECT COALESCE(SUM(x.n), 0) FROM admission_tally x WHERE x.fair = i.fair "
        "AND NOT EXISTS (SELECT 1 FROM t WHERE t.fair = x.fair AND t.shard = x.shard)) "
        "+ (SELECT COALESCE(SUM(t.n), 0) FROM t WHERE t.fair = i.fair) AS checked_in "
        "FROM i LEFT JOIN s sn ON sn.fair = i.fair AND sn.nonce = i.nonce "
        "LEFT JOIN s sr ON sr.registration_id = i.reg "
        "LEFT JOIN a ON a.registration = i.reg"),
    params={"shard": ("integer", lambda: random.randrange(TALLY_SHARDS))},
    # A second scan of a ticket, or a second use of a nonce, waits for the next round, and then
    # finds the first one's admission, or its log row.
    distinct=(("reg",), ("fair", "nonce")),
    abort_if="i.admit AND sr.result = 'ok' AND a.registration IS NULL",
)


def stored(detail: dict | None) -> str | None:
    """A scan's detail as the log keeps it (JSON text), or None when there is none."""
    return msgspec.json.encode(detail).decode() if detail else None


async def record(fair_id: int, reg_id: int | None, admit: bool, method: str, at: datetime,
                 received: datetime, device: str, offline: bool, nonce: str | None, kind: str,
                 result: str | None, detail: dict | None) -> dict:
    """Log one scan (and admit its ticket when `admit`): the DOOR pipeline's row for it,
    {result, replayed, first_at, first_device, registered, checked_in}."""
    return await DOOR((fair_id, reg_id, admit, method, at, received, device, offline, nonce,
                       kind, result, stored(detail)))


# A booking's scan carrying a nonce: its log row first, inside the transaction that admits
# the booking (fairs.checkin.services), so that a twin of the scan with the same nonce waits
# on the unique index until this one is settled and is then answered from its row.
_CLAIM = (
    "INSERT INTO scan (fair, scanned_at, received_at, device, method, kind, result, offline, "
    "nonce) VALUES ({}, {}, {}, {}, {}, {}, 'unknown', {}, {}) "
    "ON CONFLICT (fair, nonce) DO NOTHING RETURNING id"
)


async def claim(fair_id: int, nonce: str, method: str, at: datetime, received: datetime,
                device: str, offline: bool, kind: str) -> int | None:
    """Log a scan by its nonce before deciding it (in the caller's write transaction): the
    row's id, or None when the nonce is logged already (a replay)."""
    rows = await db.write(_CLAIM, fair_id, at, received, device, method, kind, offline, nonce)
    return rows[0]["id"] if rows else None


async def settle(scan_id: int, result: str, detail: dict | None) -> None:
    """The claimed scan's result and the data its answer is rendered from."""
    await db.write("UPDATE scan SET result = {}, detail = {} WHERE id = {}", result,
                   stored(detail), scan_id)


def attendee(name: str, audiences: str | None) -> dict:
    """A ticket's holder as a scanner sees them: the name masked, the target groups."""
    return {"name": tickets.mask_name(name), "audiences": tickets.audience_list(audiences)}


def counts_of(row: dict) -> dict[str, int]:
    return {"registered": int(row["registered"]), "checked_in": int(row["checked_in"])}


# A retried scan: its log row, the ticket's holder and admission, and the fair's counts, read
# in one statement and rendered as the first answer was (in the retry's language).
_REPLAY = (
    "SELECT s.result, s.kind, s.detail, s.device, s.offline, r.name AS reg_name, "
    "r.audiences AS reg_audiences, ad.admitted_at AS first_at, ad.device AS first_device, "
    + read_model.REGISTERED_ONE.replace("{}", "s.fair") + " AS registered, "
    + read_model.ADMISSIONS_ONE.replace("{}", "s.fair") + " AS checked_in "
    "FROM scan s LEFT JOIN registration r ON r.id = s.registration_id "
    "LEFT JOIN admission ad ON ad.registration = s.registration_id "
    "WHERE s.fair = {} AND s.nonce = {}"
)


async def replayed(fair_id: int, nonce: str | None) -> dict | None:
    """The answer given to the scan that first carried `nonce` at this fair, rendered again and
    marked `replayed`, with today's counts; None if no scan carried it."""
    if not nonce:
        return None
    rows = await db.fetch(_REPLAY, fair_id, nonce)
    if not rows:
        return None
    row = rows[0]
    holder = attendee(row["reg_name"], row["reg_audiences"]) if row["reg_name"] else None
    detail: Any = msgspec.json.decode(row["detail"]) if row["detail"] else None
    answer = render(row["result"], kind=row["kind"] or "", detail=detail, attendee=holder,
                    first_at=db.as_datetime(row["first_at"]), first_device=row["first_device"],
                    device=row["device"], offline=bool(row["offline"]))
    answer["replayed"] = True
    answer["counts"] = counts_of(row)
    return answer
