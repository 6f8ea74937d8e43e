"""Service officers (用工专员) and the lists that keep employers from being forgotten.

An organiser who serves an employer assigns it officers: logins of organisers (or admins) of
the assigner's own subtree ("一企一策", one or more per employer); the same pair twice is one
assignment. Each officer's list ("我的企业") shows per assigned employer its last contact (the
latest employer-service visit of any kind, fair attendance included: fairs.measures), its open
follow-ups (services whose follow-up day is set and after which nothing was done for that
employer: no later service, recorded or at a fair) and which of them are overdue. The
organisation's view lists the employers it serves that nobody contacted this quarter (China
time): no visit of any kind, by anyone, since the quarter began.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from fairs import clock, db
from fairs import measures as read_model
from fairs.accounts.services import Principal, in_subtree
from fairs.audit import services as audit
from fairs.errors import Forbidden, Invalid, NotFound
from fairs.i18n import N_, TZ

from . import scope
from .services import as_day

now = clock.now  # the one clock (tests set it)
ORGANISER_ROLES = ("organiser", "admin")


def quarter_of(day: date) -> tuple[str, date, date]:
    """("2027-Q1", its first day, the first day of the next quarter)."""
    q = (day.month - 1) // 3
    first = date(day.year, 3 * q + 1, 1)
    after = date(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
    return f"{day.year}-Q{q + 1}", first, after


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TZ)


# --- assignments ----------------------------------------------------------------------------------


async def _officer(principal: Principal, user_id: int, field: str = "user") -> dict:
    rows = await db.fetch(
        "SELECT u.id, u.username, u.display_name, u.role, u.active, o.path AS org_path "
        "FROM app_user u LEFT JOIN organisation o ON o.id = u.org WHERE u.id = {}", user_id)
    if not rows or rows[0]["role"] not in ORGANISER_ROLES or not rows[0]["active"]:
        raise Invalid(field, N_("not an organiser's login"), code="not_an_organiser")
    officer = rows[0]
    if not in_subtree(principal, officer["org_path"] or "\0"):
        raise Forbidden(N_("Officers are assigned from your own organisation's staff."),
                        code="other_organisation")
    return officer


async def officers_of(principal: Principal | None, employer_id: int) -> list[dict]:
    """The employer's officers, for the organisers who serve it."""
    await scope.require_cover(principal, employer_id)
    rows = await db.fetch(
        "SELECT eo.officer, eo.created_at, u.username, u.display_name, o.code AS org_code, "
        "o.name_zh AS org_name_zh, o.name_en AS org_name_en, o.path AS org_path "
        "FROM employer_officer eo JOIN app_user u ON u.id = eo.officer "
        "LEFT JOIN organisation o ON o.id = u.org WHERE eo.employer = {} ORDER BY eo.id",
        employer_id)
    return [{"user": r["officer"], "username": r["username"],
             "name": r["display_name"] or r["username"], "org": r["org_code"],
             "org_name_zh": r["org_name_zh"], "org_name_en": r["org_name_en"],
             "assigned_at": db.as_datetime(r["created_at"]),
             "removable": in_subtree(principal, r["org_path"] or "\0")} for r in rows]


async def assign(principal: Principal | None, employer_id: int, user_id: int
                 ) -> tuple[dict, bool]:
    """Make a login of the caller's subtree an officer of an employer it serves; audited.
    -> (the assignment, made now?): the same pair again changes nothing."""
    await scope.require_cover(principal, employer_id)
    officer = await _officer(principal, user_id)
    async with db.write_transaction():
        made = await db.write(
            "INSERT INTO employer_officer (employer, officer, assigned_by, created_at) "
            "VALUES ({}, {}, {}, {}) ON CONFLICT (employer, officer) DO NOTHING RETURNING id",
            employer_id, user_id, principal.id, now())
        if made:
            await audit.record(principal, "employer.officer_add", "employer", employer_id,
                               after={"user": user_id, "username": officer["username"]})
    return {"employer": employer_id, "user": user_id, "username": officer["username"],
            "name": officer["display_name"] or officer["username"]}, bool(made)


async def unassign(principal: Principal | None, employer_id: int, user_id: int) -> None:
    """Remove an officer of the caller's subtree from an employer it serves; audited."""
    await scope.require_cover(principal, employer_id)
    officer = await _officer(principal, user_id)
    async with db.write_transaction():
        gone = await db.write(
            "DELETE FROM employer_officer WHERE employer = {} AND officer = {} RETURNING id",
            employer_id, user_id)
        if not gone:
            raise NotFound(N_("this login is not an officer of this employer"),
                           code="unknown_officer")
        await audit.record(principal, "employer.officer_remove", "employer", employer_id,
                           before={"user": user_id, "username": officer["username"]})


async def assignable(principal: Principal | None) -> list[dict]:
    """The logins the caller may make officers: the organisers of its subtree (admins: all)."""
    principal = scope.organisers_only(principal)
    rows = await db.fetch(
        "SELECT u.id, u.username, u.display_name, o.name_zh, o.name_en FROM app_user u "
        "JOIN organisation o ON o.id = u.org WHERE u.role IN ('organiser', 'admin') "
        "AND u.active = {} AND o.path LIKE {} ORDER BY o.path, u.username", True,
        f"{scope.subtree(principal)}%")
    return [{"id": r["id"], "name": r["display_name"] or r["username"],
             "org_name_zh": r["name_zh"], "org_name_en": r["name_en"]} for r in rows]


# --- an officer's employers -----------------------------------------------------------------------


async def _open_follow_ups(employer_ids: list[int], last: dict[int, date],
                           today: date) -> dict[int, list[dict]]:
    """Per employer, its services with a follow-up day after which nothing was done: no later
    recorded service (a later day, or the same day recorded after it) and no visit of any kind
    on a later day (`last`: each employer's latest visit day)."""
    if not employer_ids:
        return {}
    marks = ", ".join("{}" for _ in employer_ids)
    rows = await db.fetch(
        "SELECT s.id, s.employer, s.kind, s.served_on, s.follow_up_on, s.notes "
        f"FROM employer_service s WHERE s.employer IN ({marks}) "
        "AND s.follow_up_on IS NOT NULL AND NOT EXISTS (SELECT 1 FROM employer_service t "
        "WHERE t.employer = s.employer AND (t.served_on > s.served_on OR "
        "(t.served_on = s.served_on AND t.id > s.id))) ORDER BY s.follow_up_on, s.id",
        *employer_ids)
    out: dict[int, list[dict]] = {}
    for r in rows:
        on, due = as_day(r["served_on"]), as_day(r["follow_up_on"])
        if last.get(r["employer"], on) > on:
            continue  # a fair attended after the service is a later contact
        out.setdefault(r["employer"], []).append({
            "service": r["id"], "kind": r["kind"], "on": on, "follow_up_on": due,
            "notes": r["notes"], "overdue": due < today})
    return out


async def my_employers(principal: Principal | None) -> list[dict]:
    """The caller's assigned employers ("我的企业"): overdue first, then the longest without
    contact. Each: employer, industry, status, last_contact (a day or None), follow_ups (the
    open ones, each with `overdue`), overdue (how many)."""
    principal = scope.organisers_only(principal)
    rows = await db.fetch(
        "SELECT e.id, e.name, e.industry, e.status, eo.created_at FROM employer_officer eo "
        "JOIN employer e ON e.id = eo.employer WHERE eo.officer = {} ORDER BY e.name",
        principal.id)
    ids = [r["id"] for r in rows]
    at = now()
    today = at.astimezone(TZ).date()
    last = await read_model.last_visits(ids, at)
    follow_ups = await _open_follow_ups(ids, last, today)
    out = []
    for r in rows:
        open_ = follow_ups.get(r["id"], [])
        out.append({"employer": r["id"], "name": r["name"], "industry": r["industry"],
                    "status": r["status"], "assigned_at": db.as_datetime(r["created_at"]),
                    "last_contact": last.get(r["id"]), "follow_ups": open_,
                    "overdue": sum(f["overdue"] for f in open_)})
    out.sort(key=lambda e: (-e["overdue"], e["last_contact"] or date.min, e["name"]))
    return out


# --- nobody contacted this quarter ----------------------------------------------------------------


async def uncontacted(principal: Principal | None, limit: int = 100, offset: int = 0
                      ) -> tuple[list[dict], int, str]:
    """The employers the caller's organisation serves (not rejected) that had no visit of any
    kind this quarter, by anyone: (rows with their last contact, total, "YYYY-Qn")."""
    principal = scope.organisers_only(principal)
    if not 1 <= limit <= 500:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 500})
    at = now()
    name, first, after = quarter_of(at.astimezone(TZ).date())
    served, served_args = scope.covered(scope.subtree(principal))
    visited, visited_args = read_model.visits(read_model.Scope(
        at=at, org_path="", start=_start(first), end=_start(after)))
    where = (f" FROM employer e WHERE e.status <> 'rejected' AND e.id IN ({served}) "
             f"AND e.id NOT IN (SELECT v.employer FROM ({visited}) v)")
    args: list[Any] = [*served_args, *visited_args]
    total = (await db.fetch("SELECT COUNT(*) AS n" + where, *args))[0]["n"]
    rows = await db.fetch("SELECT e.id, e.name, e.industry, e.status" + where
                          + f" ORDER BY e.name, e.id LIMIT {int(limit)} OFFSET {int(offset)}",
                          *args)
    last = await read_model.last_visits([r["id"] for r in rows], at)
    return ([{"employer": r["id"], "name": r["name"], "industry": r["industry"],
              "status": r["status"], "last_contact": last.get(r["id"])} for r in rows],
            int(total), name)
