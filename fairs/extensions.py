"""Hooks through which a later slice adds to an earlier one without the earlier importing it.

`me_extras`: fields added to GET /api/v1/auth/me (the employers slice adds "employer").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MeExtra = Callable[[Any], Awaitable[dict[str, Any]]]
_me_extras: list[MeExtra] = []


def register_me_extra(func: MeExtra) -> MeExtra:
    if func not in _me_extras:
        _me_extras.append(func)
    return func


async def me_extras(principal: Any) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for func in _me_extras:
        extras.update(await func(principal))
    return extras


HomeSection = Callable[[Any], Awaitable[dict[str, Any] | None]]
_home_sections: list[HomeSection] = []


def register_home_section(func: HomeSection) -> HomeSection:
    """A slice adds a section to the home page (upcoming fairs, say)."""
    if func not in _home_sections:
        _home_sections.append(func)
    return func


async def home_sections(request: Any) -> list[dict[str, Any]]:
    sections = []
    for func in _home_sections:
        section = await func(request)
        if section:
            sections.append(section)
    return sections


FairCounts = Callable[[list[int]], Awaitable[dict[int, dict[str, int]]]]
_fair_counts: list[FairCounts] = []


def register_fair_counts(func: FairCounts) -> FairCounts:
    """A slice adds counts to every fair answer (tickets: registered; check-in: checked_in)."""
    if func not in _fair_counts:
        _fair_counts.append(func)
    return func


async def fair_counts(fair_ids: list[int]) -> dict[int, dict[str, int]]:
    merged: dict[int, dict[str, int]] = {}
    if not fair_ids:
        return merged
    for func in _fair_counts:
        for fair_id, counts in (await func(fair_ids)).items():
            merged.setdefault(fair_id, {}).update(counts)
    return merged


OrganiserLink = tuple[int, str, str, str]  # order, href, title msgid, text msgid
_organiser_links: list[OrganiserLink] = []


def register_organiser_link(order: int, href: str, title: str, text: str) -> None:
    """A slice adds a tile to the organiser's home page (msgids, translated when shown)."""
    link = (order, href, title, text)
    if link not in _organiser_links:
        _organiser_links.append(link)


def organiser_links() -> list[OrganiserLink]:
    return sorted(_organiser_links)


# --- door codes that are not job seekers' tickets -------------------------------------------
#
# The check-in service (fairs.checkin) decides every scan. A code that is not a ticket may be
# another slice's: a booking's QR (the employer arrives at its booth). That slice registers a
# resolver; check-in calls it, applies the same rules (wrong fair, cancelled, window), logs the
# scan, and lets the resolution admit the holder once.


@dataclass
class CodeResolution:
    kind: str  # "employer" for a booking's code
    fair_id: int
    cancelled: bool
    label: str  # what the scanner shows: the employer's name and booth
    # admit(at) -> (counted now?, first admission time): race-safe, counts once.
    admit: Callable[[datetime], Awaitable[tuple[bool, datetime]]]
    extra: dict[str, Any] = field(default_factory=dict)


CodeResolver = Callable[[str], Awaitable[CodeResolution | None]]
_code_resolvers: list[CodeResolver] = []


def register_code_resolver(func: CodeResolver) -> CodeResolver:
    if func not in _code_resolvers:
        _code_resolvers.append(func)
    return func


async def resolve_code(code: str) -> CodeResolution | None:
    for func in _code_resolvers:
        found = await func(code)
        if found is not None:
            return found
    return None


# --- sections of the fair page (events slice) -----------------------------------------------
#
# Later slices add to /fairs/{id} without editing its template: "register" (tickets), "jobs at
# this fair" (positions), "subscribe" (calendar). A section function takes (request, fair) — the
# fair as fairs.events.services.get_fair returns it — and returns None (nothing to show) or a
# dict with at least "template" (a Jinja template name, included with `section` and `fair` in
# context) and optionally "order" (smaller first; default 50; register 10, jobs 30, subscribe
# 70) and "slot" ("main", the default, or "aside"). The function may be sync or async.

FairSection = Callable[[Any, dict[str, Any]], Awaitable[dict[str, Any] | None] | dict | None]
_fair_sections: list[FairSection] = []


def register_fair_section(func: FairSection) -> FairSection:
    if func not in _fair_sections:
        _fair_sections.append(func)
    return func


async def fair_sections(request: Any, fair: dict[str, Any]) -> list[dict[str, Any]]:
    import inspect

    sections = []
    for func in _fair_sections:
        section = func(request, fair)
        if inspect.isawaitable(section):
            section = await section
        if section:
            sections.append({"order": 50, "slot": "main", **section})
    return sorted(sections, key=lambda s: s["order"])


# --- a plan's attendance totals (plans slice) ------------------------------------------------
#
# GET /api/v1/plans/{id}/progress answers an `attendance` object summed over the plan's *held*
# fairs. Slices that count people (tickets, check-in, booths, reports) register a function that
# takes a PlanScope and returns some of PLAN_ATTENDANCE_KEYS; the answers are added up.


PLAN_ATTENDANCE_KEYS = ("admissions", "walk_ins", "employers_present", "employer_visits",
                        "online_views")


@dataclass(frozen=True)
class PlanScope:
    """The plan's held fairs: published, ended by `now`, of an organisation whose path starts with
    `org_path`, starting in [`starts_at`, `ends_at`) (UTC)."""

    plan_id: int
    org_path: str
    starts_at: datetime
    ends_at: datetime
    now: datetime

    def held_fair_ids(self) -> tuple[str, tuple[Any, ...]]:
        """A subquery of the held fairs' ids, with `{}` placeholders for fairs.db.fetch."""
        sql = ("SELECT f.id FROM fair f WHERE f.status = 'published' AND f.ends_at <= {} "
               "AND f.starts_at >= {} AND f.starts_at < {} AND f.org IN "
               "(SELECT o.id FROM organisation o WHERE o.path LIKE {})")
        return sql, (self.now, self.starts_at, self.ends_at, f"{self.org_path}%")


PlanAttendance = Callable[[PlanScope], Awaitable[dict[str, int]]]
_plan_attendance: list[PlanAttendance] = []


def register_plan_attendance(func: PlanAttendance) -> PlanAttendance:
    if func not in _plan_attendance:
        _plan_attendance.append(func)
    return func


async def plan_attendance(scope: PlanScope) -> dict[str, int]:
    totals = dict.fromkeys(PLAN_ATTENDANCE_KEYS, 0)
    for func in _plan_attendance:
        for key, value in (await func(scope)).items():
            totals[key] = totals.get(key, 0) + int(value or 0)
    return totals


# --- calendar feeds (calendar slice) --------------------------------------------------------
#
# The calendar slice serves iCalendar feeds; two things in them come from other slices.
#
# `register_employer_calendar(func)`: func(employer_id) -> list of dicts, the employer's own
# booked booths and guest slots: {"id", "kind": "booth"|"slot", "fair": fair id, "title"?,
# "starts_at"?, "ends_at"? (aware datetimes; a guest slot's own times), "place"?, "label"
# (booth code or slot label), "status": "confirmed"|"waitlisted"|"cancelled", "updated_at"?,
# "sequence"?}. Without a registered provider the calendar slice imports
# fairs.booths.services.employer_calendar_items lazily.
#
# `register_fair_jobs(summaries, stamp=None)`: summaries(fair_ids) -> {fair_id: {"positions":
# n, "headcount": m}} for the short jobs line of each event; stamp() -> str, a cheap value that
# changes whenever any position changes (e.g. count and max(updated_at) of the positions table)
# so the feeds' ETags see new jobs. Both are async.

EmployerCalendar = Callable[[int], Awaitable[list[dict[str, Any]]]]
_employer_calendar: list[EmployerCalendar] = []


def register_employer_calendar(func: EmployerCalendar | None) -> EmployerCalendar | None:
    """Set (or, with None, clear) the provider of employers' calendar items."""
    _employer_calendar.clear()
    if func is not None:
        _employer_calendar.append(func)
    return func


def employer_calendar_provider() -> EmployerCalendar | None:
    return _employer_calendar[0] if _employer_calendar else None


FairJobs = Callable[[list[int]], Awaitable[dict[int, dict[str, int]]]]
JobsStamp = Callable[[], Awaitable[str]]
_fair_jobs: list[tuple[FairJobs, JobsStamp | None]] = []


def register_fair_jobs(summaries: FairJobs | None, stamp: JobsStamp | None = None) -> None:
    """Set (or, with None, clear) the jobs summary used in calendar events."""
    _fair_jobs.clear()
    if summaries is not None:
        _fair_jobs.append((summaries, stamp))


def has_fair_jobs() -> bool:
    return bool(_fair_jobs)


async def fair_jobs(fair_ids: list[int]) -> dict[int, dict[str, int]]:
    if not _fair_jobs or not fair_ids:
        return {}
    return await _fair_jobs[0][0](fair_ids)


async def calendar_jobs_stamp() -> str:
    if not _fair_jobs or _fair_jobs[0][1] is None:
        return ""
    return await _fair_jobs[0][1]()


# --- sections of the ticket page (tickets slice) --------------------------------------------
#
# Later slices add to a job seeker's ticket page ({ticket.url}) without editing its template:
# "employers interested in you" (reports: the hiring intentions recorded with this ticket). A
# section function takes (request, ticket, fair) — the registration row (with "id") and its fair
# — and returns None or a dict with "template" (included with `section`, `ticket` and `fair`)
# and optionally "order" (smaller first; default 50). The function may be sync or async.

TicketSection = Callable[[Any, dict[str, Any], dict[str, Any]],
                         Awaitable[dict[str, Any] | None] | dict | None]
_ticket_sections: list[TicketSection] = []


def register_ticket_section(func: TicketSection) -> TicketSection:
    if func not in _ticket_sections:
        _ticket_sections.append(func)
    return func


async def ticket_sections(request: Any, ticket: dict[str, Any],
                          fair: dict[str, Any]) -> list[dict[str, Any]]:
    import inspect

    sections = []
    for func in _ticket_sections:
        section = func(request, ticket, fair)
        if inspect.isawaitable(section):
            section = await section
        if section:
            sections.append({"order": 50, **section})
    return sorted(sections, key=lambda s: s["order"])
