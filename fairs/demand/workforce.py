"""An employer's district and staff count (在职职工人数), and who may act for an employer in the
demand slice.

Employers belong to no district in the register (the register is the city's). The survey of
needs (用工需求摸底) is done by districts and streets, so an employer's district here is the
organisation of its latest staff report: the employer names it when it reports its staff, or the
organiser who records the report files it with its own organisation (or one below it). An
employer nobody has surveyed yet may be surveyed by any organiser; once it reports to a
district, only that district's organisers (and those above them) act for it.

Staff counts are kept per month (one report per employer and month, a later report replacing
it: the unique index staff_report_once decides, by an upsert), because vacancy is read by month:
a month's staff is the latest report at or before it. A column with a history table would hold
the same thing twice.
"""

from __future__ import annotations

import re
from datetime import date

from fairs import clock, db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.employers import services as employers
from fairs.errors import Forbidden, Invalid, NotFound
from fairs.i18n import N_

MAX_STAFF = 10_000_000
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def check_month(value: str | None, field: str = "month") -> str:
    """A month 'YYYY-MM' from 2000-01 to 2100-12, else a 422 naming `field`."""
    match = MONTH.match((value or "").strip())
    if not match or not 2000 <= int(match.group(1)) <= 2100 or not (
            1 <= int(match.group(2)) <= 12):
        raise Invalid(field, N_("a month YYYY-MM from 2000-01 to 2100-12"), code="invalid_month")
    return match.group(0)


def this_month() -> str:
    return clock.today_local().strftime("%Y-%m")


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


async def district_of(employer_id: int) -> dict | None:
    """The organisation of the employer's latest staff report ({"id","code","path","name_zh",
    "name_en"}), or None when it has reported none."""
    rows = await db.fetch(
        "SELECT o.id, o.code, o.path, o.name_zh, o.name_en FROM staff_report s "
        "JOIN organisation o ON o.id = s.org WHERE s.employer = {} "
        "ORDER BY s.month DESC LIMIT 1", employer_id)
    return rows[0] if rows else None


async def own_employer(principal: Principal | None) -> int | None:
    """The employer an employer's login belongs to (None for anyone else)."""
    if principal is None or principal.role != "employer":
        return None
    return await employers.employer_id_of(principal.id)


async def check_acts_for(principal: Principal | None, employer_id: int) -> dict:
    """The employer, if the caller may state its needs and staff: its own staff; an admin; an
    organiser whose subtree holds the employer's district, or any organiser while the employer
    has none (403 otherwise, 404 for no such employer)."""
    employer = await employers.get_employer(employer_id)
    if principal is not None and principal.role == "employer":
        if await own_employer(principal) != employer_id:
            raise Forbidden(N_("not your company"), code="other_company")
        return employer
    if principal is None or not principal.is_organiser:
        raise Forbidden(N_("only this employer's staff, or an organiser over it, do this"),
                        code="other_company")
    if principal.is_admin:
        return employer
    district = await district_of(employer_id)
    if district is not None and not accounts.in_subtree(principal, district["path"]):
        raise Forbidden(N_("This employer belongs to another organisation's district."),
                        code="other_organisation")
    return employer


async def known_org(code: str, field: str = "org") -> dict:
    """The organisation of `code` given in a body, a form or a query: an unknown one is a 422
    naming `field` (not a 404: the address names something that exists)."""
    try:
        return await accounts.org_by_code(code)
    except NotFound as exc:
        raise Invalid(field, N_("no organisation {code}"), code="unknown_org",
                      params={"code": code}) from exc


async def org_for(principal: Principal, code: str | None, employer_id: int,
                  field: str = "org") -> dict:
    """The organisation a report or a need is filed with: `code` when given (an employer may
    name any active organisation; an organiser one of its subtree), else the employer's
    district, else the organiser's own organisation, else the city (the top organisation)."""
    if code:
        org = await known_org(code, field)
        if not org["active"]:
            raise Invalid(field, N_("this organisation is deactivated"), code="org_inactive")
        if principal.is_organiser and not accounts.in_subtree(principal, org["path"]):
            raise Forbidden(N_("This organisation is outside yours."),
                            code="other_organisation")
        return org
    district = await district_of(employer_id)
    if district is not None and (not principal.is_organiser
                                 or accounts.in_subtree(principal, district["path"])):
        return district
    if principal.is_organiser and principal.org_id and not principal.is_admin:
        return await accounts.org_by_code(principal.org_code)
    return await accounts.top_org()


async def report_staff(principal: Principal, employer_id: int, staff: int,
                       month: str | None = None, org: str | None = None) -> dict:
    """Record the employer's staff count for a month (this month by default; not a later one),
    filed with `org` (see `org_for`); a second report for the same month replaces the first.
    -> the report."""
    await check_acts_for(principal, employer_id)
    if not isinstance(staff, int) or isinstance(staff, bool) or not 0 <= staff <= MAX_STAFF:
        raise Invalid("staff", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 0, "hi": MAX_STAFF})
    month = check_month(month) if month else this_month()
    if month > this_month():
        raise Invalid("month", N_("not a month still to come"), code="future_month")
    filed = await org_for(principal, org, employer_id)
    at = clock.now()
    await db.write(
        "INSERT INTO staff_report (employer, month, staff, org, reported_by, reported_at) "
        "VALUES ({}, {}, {}, {}, {}, {}) ON CONFLICT (employer, month) DO UPDATE SET "
        "staff = excluded.staff, org = excluded.org, reported_by = excluded.reported_by, "
        "reported_at = excluded.reported_at", employer_id, month, staff, filed["id"],
        principal.id, at)
    return {"employer": employer_id, "month": month, "staff": staff, "org": filed["code"],
            "reported_at": at}


async def staff_reports(principal: Principal, employer_id: int, limit: int = 24) -> list[dict]:
    """The employer's staff reports, latest month first."""
    await check_acts_for(principal, employer_id)
    rows = await db.fetch(
        "SELECT s.month, s.staff, o.code AS org, o.name_zh AS org_name_zh, "
        "o.name_en AS org_name_en, s.reported_at FROM staff_report s "
        "JOIN organisation o ON o.id = s.org WHERE s.employer = {} "
        f"ORDER BY s.month DESC LIMIT {int(limit)}", employer_id)
    return [{**r, "reported_at": db.as_datetime(r["reported_at"])} for r in rows]
