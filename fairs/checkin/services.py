"""Check-in: the one function that decides every scan, and attendance.

`check_in()` answers every code a door sees (a ticket, a booking's code through
fairs.hooks.door_codes, a forged or mistyped one) with one of API.md's results, in this
order: unknown, wrong_fair, cancelled, not_open, then ok / already_checked_in. The database
decides "counted once": a unique index on admission(registration) and
`INSERT ... ON CONFLICT DO NOTHING RETURNING`. A scan carrying a `nonce` seen before returns the
first answer and counts nothing (a unique index on scan(fair, nonce) and the stored answer).
Every attempt is logged in `scan` (device, times, result, offline flag; never the code, never a
phone number).

The hot path is short: one read (fair, window, registration and, for a device's bearer token,
the scanner, in one query) and one write (the admission, its tally, the scan log and the counts
in one statement; on SQLite one hop to the writer, sharing its commit). On PostgreSQL both are
batched (fairs.db.Batcher): the scans that arrive together at a worker share each round trip
and the commit, so a busy door costs two round trips per batch, not per scan.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from typing import Any

import msgspec

from fairs import clock, db, hooks, i18n
from fairs import measures as read_model
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from fairs.hooks import FairCounts
from fairs.tickets import codes
from fairs.tickets import services as tickets

from . import live
from .answers import (  # noqa: F401 (callers read them here)
    FUTURE_SLACK,
    METHODS,
    OPENS_BEFORE,
    RESULTS,
    events_iso,
    explain,
    window,
)

now = clock.now


# --- counts ---------------------------------------------------------------------------------


# registered: the tally kept with every registration and cancellation (fairs.tickets);
# checked_in: the admission tally kept in every admission's transaction. Both exact, both O(1);
# their one definition is the read model's (fairs.measures).
_COUNTS = read_model.LIVE_COUNTS
_COUNTS_Q = _COUNTS.replace("{}", "?")
_TALLY_UP = ("INSERT INTO admission_tally (fair, shard, n) VALUES ({}, {}, 1) "
             "ON CONFLICT (fair, shard) DO UPDATE SET n = admission_tally.n + 1")
TALLY_SHARDS = 8


async def counts(fair_id: int) -> dict[str, int]:
    rows = await db.fetch(_COUNTS, fair_id, fair_id)
    return {"registered": int(rows[0]["registered"]), "checked_in": int(rows[0]["checked_in"])}


async def checked_in_counts(fair_ids: list[int]) -> dict[int, FairCounts]:
    return {fair: FairCounts(checked_in=n)
            for fair, n in (await read_model.admissions_by_fair(fair_ids)).items()}


async def attendance(fair_id: int) -> dict[str, int]:
    """registered, checked_in (admissions), walk_ins, employers_present, online_viewers (total
    views of the fair's online sessions), online_peak: the read model's live counts."""
    found = await read_model.fair_attendance(fair_id, now())
    if found is None:
        raise NotFound("no such fair")
    return found


# --- the one rule -----------------------------------------------------------------------------

_LOOKUP = (
    "SELECT f.id AS fair_id, f.status AS fair_status, f.starts_at, f.ends_at, "
    "o.path AS org_path, w.opens_at, w.closes_at, "
    "r.id AS reg_id, r.fair AS reg_fair, r.name AS reg_name, r.audiences AS reg_audiences, "
    "r.status AS reg_status "
    "FROM fair f JOIN organisation o ON o.id = f.org "
    "LEFT JOIN checkin_window w ON w.fair = f.id "
    "LEFT JOIN registration r ON r.code = {} "
    "WHERE f.id = {}"
)


# PostgreSQL: the scans that arrive together look up their tickets, and the scanners' bearer
# tokens, in one round trip (a row per scan, also for a fair that does not exist, so that a bad
# token is answered 401 before anything else).
_LOOKUPS = db.BatchedFetch(
    "SELECT i.ord, f.*, "
    "r.id AS reg_id, r.fair AS reg_fair, r.name AS reg_name, r.audiences AS reg_audiences, "
    "r.status AS reg_status, tp.* "
    "FROM unnest({}::integer[], {}::varchar[], {}::varchar[]) WITH ORDINALITY "
    "AS i(fair, code, token_hash, ord) "
    "LEFT JOIN LATERAL (SELECT f.id AS fair_id, f.status AS fair_status, f.starts_at, "
    "f.ends_at, o.path AS org_path, w.opens_at, w.closes_at FROM fair f "
    "JOIN organisation o ON o.id = f.org LEFT JOIN checkin_window w ON w.fair = f.id "
    "WHERE f.id = i.fair OFFSET 0) f ON true "
    "LEFT JOIN LATERAL (SELECT id, fair, name, audiences, status FROM registration "
    "WHERE code = i.code OFFSET 0) r ON true "
    + accounts.token_principal_subquery("i.token_hash")
)


async def _lookup(fair_id: int, code: str, bearer: str | None) -> tuple[dict | None,
                                                                       Principal | None]:
    """The fair, its window and the ticket `code` (columns of _LOOKUP; None: no such fair) and,
    for a bearer token, its principal (NotAuthenticated if it is not live)."""
    if db.is_sqlite():
        principal = None
        if bearer is not None:
            principal = await accounts.principal_by_token(bearer)
            if principal is None:
                raise NotAuthenticated("Invalid or revoked token")
        rows = await db.fetch(_LOOKUP, code, fair_id)
        return (rows[0] if rows else None), principal
    hashed = None if bearer is None else accounts.token_hash(bearer)
    row = (await _LOOKUPS.fetch(fair_id, code, hashed))[0]
    principal = None
    if bearer is not None:
        principal = accounts.principal_from_token_row(row)
        if principal is None:
            raise NotAuthenticated("Invalid or revoked token")
    return (row if row["fair_id"] is not None else None), principal


def _stored(answer: dict) -> str:
    """An answer as kept in the scan log for a retry of the same scan (JSON, UTF-8 text)."""
    return msgspec.json.encode(answer).decode()


class _Replay(Exception):
    """The nonce was seen: undo this attempt and answer what was answered then."""


def may_scan(principal: Principal | None, org_path: str) -> bool:
    if principal is None:
        return True  # the service's own callers (self check-in, kiosk) decided already
    if not principal.has_role("scanner", "organiser"):
        return False
    return accounts.in_subtree(principal, org_path)


async def _stored_answer(fair_id: int, nonce: str) -> dict | None:
    rows = await db.fetch("SELECT answer FROM scan WHERE fair = {} AND nonce = {}",
                          fair_id, nonce)
    if not rows or not rows[0]["answer"]:
        return None
    answer = msgspec.json.decode(rows[0]["answer"])
    answer["replayed"] = True
    return answer


_SCAN_INSERT = (
    "INSERT INTO scan (fair, scanned_at, received_at, device, method, kind, registration_id, "
    "result, offline, nonce, answer) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) "
    "ON CONFLICT (fair, nonce) DO NOTHING RETURNING id"
)


async def _log(fair_id: int, at: datetime, received: datetime, device: str, method: str,
               kind: str, reg_id: int | None, answer: dict, offline: bool,
               nonce: str | None) -> bool:
    """Log the attempt; False when the nonce was seen before (a replay)."""
    rows = await db.write(_SCAN_INSERT, fair_id, at, received, device, method, kind, reg_id,
                          answer["result"], offline, nonce,
                          _stored(answer) if nonce else None)
    return bool(rows)


async def check_in(fair_id: int, code: str, *, principal: Principal | None = None,
                   bearer: str | None = None, nonce: str | None = None,
                   scanned_at: datetime | None = None, device: str = "", offline: bool = False,
                   method: str = "scan") -> dict:
    """Decide one scan at fair `fair_id`. Returns API.md's answer:
    {result, explanation, attendee? | employer?, checked_in_at?, counts}.

    The scanner is `principal`, or the owner of the bearer token `bearer` (looked up with the
    ticket; 401 if it is not live); either needs the scanner or organiser role (403). Neither:
    the service's own callers (self check-in), who decided already."""
    if method not in METHODS:
        raise Invalid("method", f"one of {', '.join(METHODS)}")
    received = now()
    if scanned_at is None:
        at = received
    else:
        at = scanned_at if scanned_at.tzinfo else scanned_at.replace(tzinfo=i18n.TZ)
        at = at.astimezone(UTC)
        if at > received + FUTURE_SLACK:  # a device clock ahead: trust the server
            at = received
    code = codes.normalise(code)
    device = (device or "")[:100]
    nonce = (nonce or "").strip()[:64] or None
    # A replayed nonce is found by the scan log's unique index when the log is written, in
    # the same transaction as the admission: no read before, and nothing counted twice.
    ticket_shaped = codes.looks_like_ticket(code)
    fair, scanner = await _lookup(fair_id, code if ticket_shaped else "", bearer)
    principal = scanner or principal
    if principal is not None:
        principal.require_role("scanner", "organiser")
    if fair is None:
        raise NotFound("no such fair")
    if not may_scan(principal, fair["org_path"]):
        raise Forbidden("this fair belongs to another organisation")
    fair_cancelled = fair["fair_status"] == "cancelled"
    opens, closes = window(fair)
    in_window = fair["fair_status"] == "published" and opens <= at < closes
    answer: dict[str, Any]

    if fair["reg_id"] is not None:
        reg_id = fair["reg_id"]
        if fair["reg_fair"] != fair_id:
            result = "wrong_fair"
        elif fair["reg_status"] != "active" or fair_cancelled:
            result = "cancelled"
        elif not in_window:
            result = "not_open"
        else:
            result = "admit"
        attendee = {"name": tickets.mask_name(fair["reg_name"]),
                    "audiences": tickets.audience_list(fair["reg_audiences"])}
        if result != "admit":
            answer = {"result": result,
                      "explanation": explain(result, fair_cancelled=fair_cancelled,
                                             opens=opens, closes=closes)}
            if result != "wrong_fair":
                answer["attendee"] = attendee
            if not await _log(fair_id, at, received, device, method, "ticket", reg_id, answer,
                              offline, nonce):
                return await _replayed(fair_id, nonce)
        else:
            try:
                answer = await _admit(fair_id, reg_id, at, received, device, method, offline,
                                      nonce, attendee)
            except _Replay:
                return await _replayed(fair_id, nonce)
            if answer["result"] == "ok":
                live.changed(fair_id)
    else:
        resolution = None if ticket_shaped or not code else await hooks.door_codes.first(code)
        if resolution is None:
            answer = {"result": "unknown",
                      "explanation": explain("unknown", mistyped=ticket_shaped and not
                                             codes.is_well_formed(code))}
            kind = ""
        else:
            kind = resolution.kind
            answer = await _resolved(fair_id, resolution, at, in_window, fair_cancelled, opens,
                                     closes)
        if not await _log(fair_id, at, received, device, method, kind, None, answer, offline,
                          nonce):
            return await _replayed(fair_id, nonce)
    if "counts" not in answer:
        answer["counts"] = await counts(fair_id)
    return answer


async def _replayed(fair_id: int, nonce: str | None) -> dict:
    stored = await _stored_answer(fair_id, nonce or "")
    for _attempt in range(20):  # PostgreSQL stores an "already" answer just after its log row
        if stored is not None:
            break
        await asyncio.sleep(0.05)
        stored = await _stored_answer(fair_id, nonce or "")
    if stored is None:  # pragma: no cover - a replay always has a stored answer
        raise NotFound("no such scan")
    stored["counts"] = await counts(fair_id)
    return stored


async def _admit(fair_id: int, reg_id: int, at: datetime, received: datetime, device: str,
                 method: str, offline: bool, nonce: str | None, attendee: dict) -> dict:
    """One short write transaction: the admission (once, by the unique index) and the log."""
    if db.is_sqlite():
        job = _admit_job(i18n.current_locale.get(), fair_id, reg_id, at, received, device,
                         method, offline, nonce, attendee)
        return await db.sqlite_write(job)
    return await _admit_pg(fair_id, reg_id, at, received, device, method, offline, nonce,
                           attendee)


# PostgreSQL: the admissions of every scan waiting in this worker, their tally, their scan log
# rows and the counts in ONE statement (fairs.db.Batcher: the scans that arrive while one batch
# is in flight share the next round trip and its commit, whose WAL flush is most of a short
# write's cost). Data-modifying CTEs run atomically; an admission counts once by its unique
# index, the tally moves by the new admissions only, and a replayed nonce is caught by the scan
# log's unique index. Rows go in in key order (registrations, then fairs), so two batches never
# wait on each other in a cycle. The reads in the final SELECT see the statement's starting
# snapshot, so the batch's new admissions are added on top of the tally; the counts are read
# once per fair, the first admission's time only for a scan that found one.
_ADMIT_PG = (
    "WITH i AS (SELECT * FROM unnest({}::integer[], {}::integer[], {}::varchar[], "
    "{}::timestamptz[], {}::timestamptz[], {}::varchar[], {}::boolean[], {}::varchar[], "
    "{}::text[]) WITH ORDINALITY AS i(fair, reg, method, at, received, device, offline, nonce, "
    "answer, ord)), "
    "a AS (INSERT INTO admission (fair, registration, method, admitted_at, recorded_at, device, "
    "offline) SELECT fair, reg, method, at, received, device, offline FROM i ORDER BY reg "
    "ON CONFLICT (registration) DO NOTHING RETURNING fair, registration, admitted_at), "
    "t AS (INSERT INTO admission_tally (fair, shard, n) SELECT fair, {}::integer, COUNT(*) "
    "FROM a GROUP BY fair ORDER BY fair "
    "ON CONFLICT (fair, shard) DO UPDATE SET n = admission_tally.n + EXCLUDED.n RETURNING 1), "
    "s AS (INSERT INTO scan (fair, scanned_at, received_at, device, method, kind, "
    "registration_id, result, offline, nonce, answer) "
    "SELECT i.fair, i.at, i.received, i.device, i.method, 'ticket', i.reg, "
    "CASE WHEN a.registration IS NULL THEN 'already_checked_in' ELSE 'ok' END, i.offline, "
    "i.nonce, CASE WHEN a.registration IS NOT NULL THEN i.answer END "
    "FROM i LEFT JOIN a ON a.registration = i.reg ORDER BY i.fair, i.nonce "
    "ON CONFLICT (fair, nonce) DO NOTHING RETURNING id, registration_id), "
    "c AS (SELECT f.fair, "
    "(SELECT COALESCE(SUM(active), 0) FROM registration_tally WHERE fair = f.fair) "
    "AS registered, "
    "(SELECT COALESCE(SUM(n), 0) FROM admission_tally WHERE fair = f.fair) "
    "+ (SELECT COUNT(*) FROM a n WHERE n.fair = f.fair) AS checked_in "
    "FROM (SELECT DISTINCT fair FROM i) f) "
    "SELECT a.admitted_at AS new_at, s.id AS scan_id, "
    "CASE WHEN a.registration IS NULL THEN "
    "(SELECT admitted_at FROM admission WHERE registration = i.reg) END AS old_at, "
    "CASE WHEN a.registration IS NULL THEN "
    "(SELECT device FROM admission WHERE registration = i.reg) END AS old_device, "
    "c.registered, c.checked_in "
    "FROM i LEFT JOIN a ON a.registration = i.reg LEFT JOIN s ON s.registration_id = i.reg "
    "JOIN c ON c.fair = i.fair ORDER BY i.ord"
)


async def _admit_rows(scans: list[tuple]) -> list[dict]:
    """The admission statement for a batch of scans (fair, registration, method, at, received,
    device, offline, nonce, stored answer): one row per scan, in order. A batch holds each
    ticket and each nonce once (a second scan of the same ticket in the same instant waits for
    the next round, and then finds the first one's admission)."""
    rows: list[dict | None] = [None] * len(scans)
    pending = list(range(len(scans)))
    while pending:
        seen_regs: set[int] = set()
        seen_nonces: set[tuple] = set()
        this_round, later = [], []
        for n in pending:
            scan = scans[n]
            nonce_key = (scan[0], scan[7])
            if scan[1] in seen_regs or (scan[7] is not None and nonce_key in seen_nonces):
                later.append(n)
                continue
            seen_regs.add(scan[1])
            seen_nonces.add(nonce_key)
            this_round.append(n)
        columns = list(zip(*(scans[n] for n in this_round), strict=True))
        got = await db.write(_ADMIT_PG, *map(list, columns), random.randrange(TALLY_SHARDS))
        for n, row in zip(this_round, got, strict=True):
            rows[n] = row
        pending = later
    return rows


_admit_batch = db.Batcher(_admit_rows)


async def _store_answers(answers: list[tuple[int, str]]) -> list[None]:
    """The answers of repeat scans that carried a nonce, kept for a retry: one statement."""
    await db.execute(
        "UPDATE scan SET answer = v.answer FROM unnest({}::integer[], {}::text[]) "
        "AS v(id, answer) WHERE scan.id = v.id",
        [scan_id for scan_id, _answer in answers], [answer for _id, answer in answers])
    return [None] * len(answers)


_store_answer = db.Batcher(_store_answers)


async def _admit_pg(fair_id: int, reg_id: int, at: datetime, received: datetime, device: str,
                    method: str, offline: bool, nonce: str | None, attendee: dict) -> dict:
    ok = {"result": "ok", "explanation": explain("ok"), "attendee": attendee,
          "checked_in_at": events_iso(at)}
    stored = _stored(ok) if nonce else None
    row = await _admit_batch((fair_id, reg_id, method, at, received, device, offline, nonce,
                              stored))
    if row["scan_id"] is None:
        raise _Replay()
    if row["new_at"] is not None:
        answer = ok
    else:
        first_at, first_device = db.as_datetime(row["old_at"]), row["old_device"]
        if first_at is None:  # admitted by a concurrent scan after this statement's snapshot
            first = await db.fetch(
                "SELECT admitted_at, device FROM admission WHERE registration = {}", reg_id)
            first_at, first_device = db.as_datetime(first[0]["admitted_at"]), first[0]["device"]
        answer = {"result": "already_checked_in",
                  "explanation": explain("already_checked_in", first=first_at),
                  "attendee": attendee, "checked_in_at": events_iso(first_at)}
        if offline and first_device != device:
            answer["conflict"] = True
        if nonce:  # a retry of this scan must get this same answer
            await _store_answer((row["scan_id"], _stored(answer)))
    answer["counts"] = {"registered": int(row["registered"]),
                        "checked_in": int(row["checked_in"])}
    return answer


def _admit_job(locale: str, fair_id: int, reg_id: int, at: datetime, received: datetime,
               device: str, method: str, offline: bool, nonce: str | None, attendee: dict):
    """SQLite: the admission, the log and the counts in one hop to the writer thread
    (fairs.db.sqlite_write). The same statements as the PostgreSQL path."""

    def job(conn) -> dict:
        token = i18n.current_locale.set(locale)  # the writer thread's context
        try:
            made = conn.execute(
                "INSERT INTO admission (fair, registration, method, admitted_at, recorded_at, "
                "device, offline) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (registration) DO NOTHING RETURNING id",
                (fair_id, reg_id, method, at, received, device, offline)).fetchall()
            if made:
                conn.execute(_TALLY_UP.replace("{}", "?"), (fair_id, 0))
                answer = {"result": "ok", "explanation": explain("ok"), "attendee": attendee,
                          "checked_in_at": events_iso(at)}
            else:
                first = conn.execute(
                    "SELECT admitted_at, device FROM admission WHERE registration = ?",
                    (reg_id,)).fetchall()[0]
                first_at = db.as_datetime(first["admitted_at"])
                answer = {"result": "already_checked_in",
                          "explanation": explain("already_checked_in", first=first_at),
                          "attendee": attendee, "checked_in_at": events_iso(first_at)}
                if offline and first["device"] != device:
                    answer["conflict"] = True
            logged = conn.execute(
                _SCAN_INSERT.replace("{}", "?"),
                (fair_id, at, received, device, method, "ticket", reg_id, answer["result"],
                 offline, nonce,
                 _stored(answer) if nonce else None)).fetchall()
            if not logged:
                raise _Replay()
            row = conn.execute(_COUNTS_Q, (fair_id, fair_id)).fetchall()[0]
            answer["counts"] = {"registered": int(row["registered"]),
                                "checked_in": int(row["checked_in"])}
            return answer
        finally:
            i18n.current_locale.reset(token)

    return job


async def _resolved(fair_id: int, resolution: hooks.DoorCode, at: datetime, in_window: bool,
                    fair_cancelled: bool, opens: datetime, closes: datetime) -> dict:
    """A code another slice knows (a booking's): the same rules, its own admission."""
    holder: dict[str, Any] = {"name": resolution.label}
    if resolution.employer_id is not None:
        holder["employer"] = {"id": resolution.employer_id, "name": resolution.employer_name,
                              "booth": resolution.booth}
    if resolution.fair_id != fair_id:
        return {"result": "wrong_fair", "explanation": explain("wrong_fair")}
    if resolution.cancelled or fair_cancelled:
        return {"result": "cancelled", "employer": holder,
                "explanation": explain("cancelled", fair_cancelled=fair_cancelled)}
    if not in_window:
        return {"result": "not_open", "employer": holder,
                "explanation": explain("not_open", opens=opens, closes=closes)}
    counted, first = await resolution.admit(at)
    if counted:
        live.changed(fair_id)
        return {"result": "ok", "employer": holder, "checked_in_at": events_iso(first),
                "explanation": explain("ok", kind="employer", label=resolution.label)}
    return {"result": "already_checked_in", "employer": holder,
            "checked_in_at": events_iso(first),
            "explanation": explain("already_checked_in", first=first)}


async def check_in_batch(fair_id: int, scans: list[dict], *,
                         principal: Principal | None = None) -> list[dict]:
    """Offline scans, uploaded in the order they were taken: each through check_in(), with its
    own scanned_at, flagged offline unless it says otherwise. A ticket admitted on two devices
    while offline counts once; the later scan answers already_checked_in with "conflict"."""
    results = []
    for scan in scans:
        results.append(await check_in(
            fair_id, scan.get("code") or "", principal=principal, nonce=scan.get("nonce"),
            scanned_at=scan.get("scanned_at"), device=scan.get("device") or "",
            offline=scan.get("offline", True), method="scan"))
    return results
