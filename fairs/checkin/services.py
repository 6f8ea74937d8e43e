"""Check-in: the one function that decides every scan, and attendance.

`check_in()` answers every code a door sees (a ticket, a booking's code through
fairs.hooks.door_codes, a forged or mistyped one) with one of API.md's results, in this
order: unknown, wrong_fair, cancelled, not_open, then ok / already_checked_in. The database
decides "counted once": a unique index on admission(registration) and
`INSERT ... ON CONFLICT DO NOTHING`. A scan carrying a `nonce` seen before returns the first
answer and counts nothing (a unique index on scan(fair, nonce)). Every attempt is logged in
`scan` (device, times, result code, offline flag, and the data its answer is rendered from;
never the code, never a phone number, never the explanation's text).

The hot path is short and the same on both engines: one read (`_LOOKUPS`: fair, window,
registration and, for a device's bearer token, the scanner, in one statement) and one write
(fairs.checkin.admit.DOOR: the admission, its tally, the scan log and the counts). How each runs
is the db package's business: on PostgreSQL the scans that arrive together at a worker share
each round trip and the commit (two round trips per batch, not per scan); on SQLite the read
is one statement on the event loop's thread and the write one job sharing the writer's group
commit. The answer is built by one function (fairs.checkin.answers.render) from the same data
a replay reads back, so a replayed nonce is answered at once, in the retry's language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fairs import clock, db, hooks, i18n
from fairs import measures as read_model
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from fairs.hooks import FairCounts
from fairs.i18n import N_
from fairs.tickets import codes

from . import admit, live
from .admit import TALLY_SHARDS  # noqa: F401 (callers read it here)
from .answers import (  # noqa: F401 (callers read them here)
    FUTURE_SLACK,
    METHODS,
    OPENS_BEFORE,
    RESULTS,
    events_iso,
    explain,
    render,
    window,
)

now = clock.now


# --- counts ---------------------------------------------------------------------------------


# registered: the tally kept with every registration and cancellation (fairs.tickets);
# checked_in: the admission tally kept in every admission's transaction. Both exact, both O(1);
# their one definition is the read model's (fairs.measures).
_COUNTS = read_model.LIVE_COUNTS


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
        raise NotFound(N_("no such fair"), code="unknown_fair")
    return found


# --- the one rule -----------------------------------------------------------------------------


def _lookup_sql() -> str:
    token_columns, token_joins = accounts.token_principal_join("i.token_hash")
    return (
        "SELECT i.ord, f.id AS fair_id, f.status AS fair_status, f.starts_at, f.ends_at, "
        "o.path AS org_path, w.opens_at, w.closes_at, "
        "r.id AS reg_id, r.fair AS reg_fair, r.name AS reg_name, r.audiences AS reg_audiences, "
        f"r.status AS reg_status, {token_columns} FROM i"
        + db.dialect.index_join("fair", "f", "f.id = i.fair")
        + " LEFT JOIN organisation o ON o.id = f.org"
        + db.dialect.index_join("checkin_window", "w", "w.fair = f.id")
        + db.dialect.index_join("registration", "r", "r.code = i.code")
        + token_joins
    )


# The fair, its window, the ticket and the scanner's bearer token in one statement (a row also
# for a fair that does not exist, so that a bad token is answered 401 before anything else);
# the scans that arrive together share one round trip where the db package batches.
_LOOKUPS = db.BatchedFetch(_lookup_sql, inputs=(("fair", "integer"), ("code", "varchar"),
                                                 ("token_hash", "varchar")))


async def _lookup(fair_id: int, code: str, bearer: str | None) -> tuple[dict | None,
                                                                       Principal | None]:
    """The fair, its window and the ticket `code` (columns of _lookup_sql; None: no such fair)
    and, for a bearer token, its principal (NotAuthenticated if it is not live)."""
    hashed = None if bearer is None else accounts.token_hash(bearer)
    row = (await _LOOKUPS.fetch(fair_id, code, hashed))[0]
    principal = None
    if bearer is not None:
        principal = accounts.principal_from_token_row(row)
        if principal is None:
            raise NotAuthenticated(N_("Invalid or revoked token"), code="invalid_token")
    return (row if row["fair_id"] is not None else None), principal


async def fair_door(fair_id: int) -> dict | None:
    """A fair's row as check-in reads it (status, times, organisation, window), or None."""
    return (await _lookup(fair_id, "", None))[0]


def may_scan(principal: Principal | None, org_path: str) -> bool:
    if principal is None:
        return True  # the service's own callers (self check-in, kiosk) decided already
    if not principal.has_role("scanner", "organiser"):
        return False
    return accounts.in_subtree(principal, org_path)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


# What a refusal's explanation needs, kept in the scan's detail for a retry.
def _refusal(fair_cancelled: bool) -> dict:
    return {"fair_cancelled": True} if fair_cancelled else {}


def _closed(opens: datetime, closes: datetime) -> dict:
    return {"opens": _iso(opens), "closes": _iso(closes)}


async def check_in(fair_id: int, code: str, *, principal: Principal | None = None,
                   bearer: str | None = None, nonce: str | None = None,
                   scanned_at: datetime | None = None, device: str = "", offline: bool = False,
                   method: str = "scan") -> dict:
    """Decide one scan at fair `fair_id`. Returns API.md's answer:
    {result, explanation, attendee? | employer?, checked_in_at?, conflict?, replayed?, counts}.

    The scanner is `principal`, or the owner of the bearer token `bearer` (looked up with the
    ticket; 401 if it is not live); either needs the scanner or organiser role (403). Neither:
    the service's own callers (self check-in), who decided already."""
    if method not in METHODS:
        raise Invalid("method", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": list(METHODS)})
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
    # the same statement as the admission: no read before, and nothing counted twice.
    ticket_shaped = codes.looks_like_ticket(code)
    fair, scanner = await _lookup(fair_id, code if ticket_shaped else "", bearer)
    principal = scanner or principal
    if principal is not None:
        principal.require_role("scanner", "organiser")
    if fair is None:
        raise NotFound(N_("no such fair"), code="unknown_fair")
    if not may_scan(principal, fair["org_path"]):
        raise Forbidden(N_("this fair belongs to another organisation"), code="other_organisation")
    fair_cancelled = fair["fair_status"] == "cancelled"
    opens, closes = window(fair)
    in_window = fair["fair_status"] == "published" and opens <= at < closes
    holder: dict | None = None
    detail: dict[str, Any] | None = None
    reg_id = fair["reg_id"]

    if reg_id is not None:
        kind = "ticket"
        if fair["reg_fair"] != fair_id:
            result = "wrong_fair"
        elif fair["reg_status"] != "active" or fair_cancelled:
            result, detail = "cancelled", _refusal(fair_cancelled)
        elif not in_window:
            result, detail = "not_open", _closed(opens, closes)
        else:
            result = "admit"
        holder = admit.attendee(fair["reg_name"], fair["reg_audiences"])
    else:
        resolution = None if ticket_shaped or not code else await hooks.door_codes.first(code)
        if resolution is None:
            kind, result = "", "unknown"
            detail = {"mistyped": ticket_shaped and not codes.is_well_formed(code)}
        else:
            kind = resolution.kind
            if nonce is not None:
                return await _resolved_once(fair_id, resolution, nonce, method, at, received,
                                            device, offline, in_window, fair_cancelled, opens,
                                            closes)
            result, detail = await _resolved(fair_id, resolution, at, in_window,
                                             fair_cancelled, opens, closes)
    admitting = result == "admit"
    row = await admit.record(fair_id, reg_id, admitting, method, at, received, device, offline,
                             nonce, kind, None if admitting else result, detail)
    if row["replayed"]:
        again = await admit.replayed(fair_id, nonce)
        if again is None:  # pragma: no cover - a replay's first scan is in the log
            raise NotFound(N_("no such scan"), code="unknown_scan")
        return again
    answer = render(row["result"], kind=kind, detail=detail, attendee=holder,
                    first_at=db.as_datetime(row["first_at"]), first_device=row["first_device"],
                    device=device, offline=offline)
    answer["counts"] = admit.counts_of(row)
    if row["result"] == "ok" and kind == "ticket":
        live.changed(fair_id)
    return answer


async def _resolved(fair_id: int, resolution: hooks.DoorCode, at: datetime, in_window: bool,
                    fair_cancelled: bool, opens: datetime, closes: datetime) -> tuple[str, dict]:
    """A code another slice knows (a booking's): the same rules, its own admission. The
    result code and the detail its answer is rendered from."""
    holder: dict[str, Any] = {"name": resolution.label}
    if resolution.employer_id is not None:
        holder["employer"] = {"id": resolution.employer_id, "name": resolution.employer_name,
                              "booth": resolution.booth}
    if resolution.fair_id != fair_id:
        return "wrong_fair", {}
    if resolution.cancelled or fair_cancelled:
        return "cancelled", {"employer": holder, **_refusal(fair_cancelled)}
    if not in_window:
        return "not_open", {"employer": holder, **_closed(opens, closes)}
    counted, first = await resolution.admit(at)
    if counted:
        live.changed(fair_id)
    return ("ok" if counted else "already_checked_in"), {"employer": holder, "first": _iso(first)}


async def _resolved_once(fair_id: int, resolution: hooks.DoorCode, nonce: str, method: str,
                         at: datetime, received: datetime, device: str, offline: bool,
                         in_window: bool, fair_cancelled: bool, opens: datetime,
                         closes: datetime) -> dict:
    """A booking's scan with a nonce, in one transaction: its log row (by the nonce's unique
    index), the booking's admission, and the row's result. A twin sent at the same moment waits
    on the index until this one commits, then finds the row and gets this scan's answer: the
    scan that let the employer in is never logged or answered "already checked in"."""
    async with db.write_transaction():
        scan_id = await admit.claim(fair_id, nonce, method, at, received, device, offline,
                                    resolution.kind)
        if scan_id is not None:
            result, detail = await _resolved(fair_id, resolution, at, in_window,
                                             fair_cancelled, opens, closes)
            await admit.settle(scan_id, result, detail)
    if scan_id is None:
        again = await admit.replayed(fair_id, nonce)
        if again is None:  # pragma: no cover - the nonce's row is committed
            raise NotFound(N_("no such scan"), code="unknown_scan")
        return again
    answer = render(result, kind=resolution.kind, detail=detail, device=device, offline=offline)
    answer["counts"] = await counts(fair_id)
    return answer


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
