"""Services to employers (服务台账): record, list, change and delete them; the organisation's
ledger and its export rows.

A service is one organiser's record of what was done for one company: its kind (a field visit,
a phone call, a symposium, policy help, other), the day, who gave it (the recording login and a
free text of names), the topics, notes and the day a follow-up is due. It counts for the
recording organiser's organisation. An employer's service history also shows its fair
attendance, which records itself (fairs.measures.employer_presences); each counts as an
employer-service visit (家次) by the one definition of fairs.measures. Who may record or read:
the organisers who serve the employer (fairs.outreach.scope); a record is changed or deleted by
whoever recorded it or an organiser over the organisation it counts for; every change audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from fairs import bounds, clock, db
from fairs import measures as read_model
from fairs.accounts.services import Principal, in_subtree
from fairs.audit import services as audit
from fairs.errors import Forbidden, Invalid, NotFound
from fairs.i18n import N_, TZ

from . import scope

KINDS = read_model.SERVICE_KINDS
TOPICS = ("recruiting", "training", "social_insurance", "subsidies", "labour_relations", "other")
MAX_TOPICS = len(TOPICS)
NOTES_MAX = 2000
STAFF_NAMES_MAX = 200
EDITABLE = ("kind", "on", "topics", "notes", "staff_names", "follow_up_on")

now = clock.now  # the one clock (tests set it)


# --- checks -----------------------------------------------------------------------------------


def check_kind(kind: Any, field: str = "kind") -> str:
    if kind not in KINDS:
        raise Invalid(field, N_("one of {choices}"), code="invalid_choice",
                      params={"choices": list(KINDS)})
    return kind


def check_topics(topics: Any, field: str = "topics") -> list[str]:
    """Known topic codes, each once, in the catalogue's order."""
    topics = list(topics or [])
    if len(topics) > MAX_TOPICS:
        raise Invalid(field, N_("at most {n} topics"), code="too_many",
                      params={"n": MAX_TOPICS})
    for n, code in enumerate(topics):
        if code not in TOPICS:
            raise Invalid(f"{field}[{n}]", N_("one of {choices}"), code="invalid_choice",
                          params={"choices": list(TOPICS)})
    return [t for t in TOPICS if t in topics]


def check_day(value: Any, field: str, *, not_after: date | None = None) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise Invalid(field, N_("a date YYYY-MM-DD"), code="invalid_date")
    bounds.check_date(value, field)
    if not_after is not None and value > not_after:
        raise Invalid(field, N_("a service is recorded once it was given: not after today"),
                      code="in_future")
    return value


def _values(data: dict[str, Any], today: date) -> dict[str, Any]:
    """A service's fields, checked (422 naming the field)."""
    kind = check_kind(data.get("kind"))
    on = check_day(data.get("on"), "on", not_after=today)
    follow_up_on = data.get("follow_up_on")
    if follow_up_on is not None:
        follow_up_on = check_day(follow_up_on, "follow_up_on")
        if follow_up_on < on:
            raise Invalid("follow_up_on", N_("must not be before {other}"),
                          code="before_start", params={"other": "on"})
    return {
        "kind": kind, "on": on, "follow_up_on": follow_up_on,
        "topics": check_topics(data.get("topics")),
        "notes": bounds.check_text(data.get("notes"), "notes", NOTES_MAX),
        "staff_names": bounds.check_text(data.get("staff_names"), "staff_names",
                                         STAFF_NAMES_MAX),
    }


# --- reading ----------------------------------------------------------------------------------

_SELECT = (
    "SELECT s.id, s.employer, s.kind, s.served_on, s.recorded_by, s.staff_names, s.topics, "
    "s.notes, s.follow_up_on, s.org, s.created_at, s.updated_at, e.name AS employer_name, "
    "u.username, u.display_name, o.code AS org_code, o.path AS org_path, "
    "o.name_zh AS org_name_zh, o.name_en AS org_name_en "
    "FROM employer_service s JOIN employer e ON e.id = s.employer "
    "JOIN app_user u ON u.id = s.recorded_by JOIN organisation o ON o.id = s.org "
)


def as_day(value: Any) -> date | None:
    """A DATE from a raw row (a date on PostgreSQL, a date or its text on SQLite)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    return date.fromisoformat(str(value)[:10])


def _row(r: dict, principal: Principal | None = None) -> dict:
    """A recorded service as the API and the pages show it."""
    out = {
        "id": r["id"], "employer": r["employer"], "employer_name": r["employer_name"],
        "kind": r["kind"], "on": as_day(r["served_on"]),
        "topics": [t for t in str(r["topics"] or "").split(",") if t],
        "notes": r["notes"], "staff_names": r["staff_names"],
        "staff": {"id": r["recorded_by"], "name": r["display_name"] or r["username"]},
        "follow_up_on": as_day(r["follow_up_on"]), "org": r["org_code"],
        "org_name_zh": r["org_name_zh"], "org_name_en": r["org_name_en"],
        "created_at": db.as_datetime(r["created_at"]),
        "updated_at": db.as_datetime(r["updated_at"]), "source": "recorded", "fair": None,
        "org_path": r["org_path"],
    }
    out["editable"] = principal is not None and may_change(principal, out)
    return out


def may_change(principal: Principal, service: dict) -> bool:
    """A record is changed by whoever recorded it, or an organiser over its organisation."""
    return principal.is_organiser and (service["staff"]["id"] == principal.id
                                       or in_subtree(principal, service["org_path"]))


async def _fair_rows(employer_id: int, at: datetime) -> list[dict]:
    """The employer's fair attendance, as the read model defines it, as service rows."""
    found = await read_model.employer_presences(employer_id, at)
    if not found:
        return []
    ids = sorted({p["fair"] for p in found})
    marks = ", ".join("{}" for _ in ids)
    fairs = {r["id"]: r for r in await db.fetch(
        "SELECT f.id, f.title, f.kind, o.code AS org_code, o.name_zh AS org_name_zh, "
        f"o.name_en AS org_name_en FROM fair f JOIN organisation o ON o.id = f.org "
        f"WHERE f.id IN ({marks})", *ids)}
    return [{"id": None, "employer": employer_id, "kind": "fair", "on": p["day"], "topics": [],
             "notes": "", "staff_names": "", "staff": None, "follow_up_on": None,
             "org": fairs[p["fair"]]["org_code"], "org_name_zh": fairs[p["fair"]]["org_name_zh"],
             "org_name_en": fairs[p["fair"]]["org_name_en"], "created_at": None,
             "updated_at": None, "source": "fair", "editable": False,
             "fair": {"id": p["fair"], "title": fairs[p["fair"]]["title"],
                      "kind": fairs[p["fair"]]["kind"]}} for p in found]


async def employer_services(principal: Principal | None, employer_id: int, limit: int = 100,
                            offset: int = 0) -> tuple[list[dict], int]:
    """An employer's services, newest first: those recorded (by any organisation) and its
    attendance at fairs (recorded by themselves: a booth checked in or a guest slot ended, at
    a fair held by now, as the measures count it: a fair still running shows once it ends);
    for the organisers who serve it."""
    await scope.require_cover(principal, employer_id)
    at = now()
    recorded_total = (await db.fetch(
        "SELECT COUNT(*) AS n FROM employer_service WHERE employer = {}", employer_id))[0]["n"]
    rows = await db.fetch(
        _SELECT + "WHERE s.employer = {} ORDER BY s.served_on DESC, s.id DESC "
        f"LIMIT {int(offset) + int(limit)}", employer_id)
    recorded = [_row(r, principal) for r in rows]
    fairs = await _fair_rows(employer_id, at)
    merged = sorted(recorded + fairs, key=lambda s: (s["on"], s["source"] == "recorded",
                                                     s["id"] or 0), reverse=True)
    return merged[offset:offset + limit], int(recorded_total) + len(fairs)


async def get_service(principal: Principal | None, service_id: int) -> dict:
    """One recorded service, for the organisers who serve its employer."""
    scope.organisers_only(principal)
    rows = await db.fetch(_SELECT + "WHERE s.id = {}", service_id)
    if not rows:
        raise NotFound(N_("no such service record"), code="unknown_service")
    if not await scope.covers(principal, rows[0]["employer"]):
        raise Forbidden(N_("This employer is outside your organisation's services."),
                        code="other_organisation")
    return _row(rows[0], principal)


# --- writing ----------------------------------------------------------------------------------


def _audited(service: dict) -> dict:
    return {"service": service["id"], "kind": service["kind"], "on": service["on"],
            "topics": service["topics"], "notes": service["notes"],
            "staff_names": service["staff_names"], "follow_up_on": service["follow_up_on"]}


async def record_service(principal: Principal | None, employer_id: int,
                         data: dict[str, Any]) -> dict:
    """Record a service to an employer the caller serves; audited. -> the service."""
    await scope.require_cover(principal, employer_id)
    values = _values(data, clock.today_local())
    org_id = await scope.recording_org(principal)
    async with db.write_transaction():
        made = await db.write(
            "INSERT INTO employer_service (employer, kind, served_on, recorded_by, staff_names, "
            "topics, notes, follow_up_on, org, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, "
            "{}, {}, {}) RETURNING id", employer_id, values["kind"], values["on"],
            principal.id, values["staff_names"], ",".join(values["topics"]), values["notes"],
            values["follow_up_on"], org_id, now())
        service_id = made[0]["id"]
        await audit.record(principal, "employer.service_add", "employer", employer_id,
                           after={"service": service_id, **{k: values[k] for k in EDITABLE}})
    return await get_service(principal, service_id)


async def _own(principal: Principal | None, service_id: int) -> dict:
    service = await get_service(principal, service_id)
    if not may_change(principal, service):
        raise Forbidden(N_("Only whoever recorded this service, or an organiser over its "
                           "organisation, changes it."), code="not_your_record")
    return service


async def update_service(principal: Principal | None, service_id: int,
                         changes: dict[str, Any]) -> dict:
    """Change some fields of a record (the same checks as recording it); audited."""
    current = await _own(principal, service_id)
    merged = {k: current[k] for k in EDITABLE}
    merged.update({k: v for k, v in changes.items() if k in EDITABLE})
    values = _values(merged, max(clock.today_local(), current["on"]))
    async with db.write_transaction():
        await db.write(
            "UPDATE employer_service SET kind = {}, served_on = {}, topics = {}, notes = {}, "
            "staff_names = {}, follow_up_on = {}, updated_at = {} WHERE id = {}",
            values["kind"], values["on"], ",".join(values["topics"]), values["notes"],
            values["staff_names"], values["follow_up_on"], now(), service_id)
        before = _audited(current)
        after = {**before, **{k: values[k] for k in EDITABLE}}
        await audit.record(principal, "employer.service_update", "employer",
                           current["employer"], before=before, after=after)
    return await get_service(principal, service_id)


async def delete_service(principal: Principal | None, service_id: int) -> dict:
    """Delete a record (a mistake); audited with what it said. -> the deleted service."""
    current = await _own(principal, service_id)
    async with db.write_transaction():
        await db.write("DELETE FROM employer_service WHERE id = {}", service_id)
        await audit.record(principal, "employer.service_delete", "employer",
                           current["employer"], before=_audited(current))
    return current


# --- the organisation's ledger ------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilter:
    kind: str | None = None
    month: str | None = None  # "YYYY-MM"
    staff: int | None = None  # the recording login
    employer: int | None = None


def month_bounds(month: str | None, field: str = "month") -> tuple[date, date] | None:
    """A "YYYY-MM" as its first day and the first day of the next month (422 naming the
    field when it is no month from 2000 to 2100)."""
    if not month:
        return None
    try:
        first = date.fromisoformat(f"{month}-01") if len(month) == 7 else None
    except ValueError:
        first = None
    if first is None:
        raise Invalid(field, N_("a month YYYY-MM"), code="invalid_month")
    bounds.check_date(first, field)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, after


def _ledger_where(principal: Principal, flt: LedgerFilter) -> tuple[str, list[Any]]:
    where = ["o.path LIKE {}"]
    args: list[Any] = [f"{scope.subtree(principal)}%"]
    if flt.kind:
        where.append("s.kind = {}")
        args.append(check_kind(flt.kind))
    span = month_bounds(flt.month)
    if span:
        where += ["s.served_on >= {}", "s.served_on < {}"]
        args += list(span)
    for column, value in (("s.recorded_by", flt.staff), ("s.employer", flt.employer)):
        if value is not None:
            where.append(f"{column} = {{}}")
            args.append(value)
    return " WHERE " + " AND ".join(where), args


async def ledger(principal: Principal | None, flt: LedgerFilter, limit: int = 100,
                 offset: int = 0) -> tuple[list[dict], int]:
    """The services recorded in the caller's organisation subtree (an admin: all), newest
    first, narrowed by kind, month (of the service's day), recording staff and employer."""
    principal = scope.organisers_only(principal)
    if not 1 <= limit <= 10_000:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 10_000})
    where, args = _ledger_where(principal, flt)
    total = (await db.fetch(
        "SELECT COUNT(*) AS n FROM employer_service s JOIN organisation o ON o.id = s.org"
        + where, *args))[0]["n"]
    rows = await db.fetch(_SELECT + where + " ORDER BY s.served_on DESC, s.id DESC "
                          f"LIMIT {int(limit)} OFFSET {int(offset)}", *args)
    return [_row(r, principal) for r in rows], int(total)


async def ledger_staff(principal: Principal | None) -> list[dict]:
    """The logins that recorded services in the caller's subtree (the ledger's staff filter)."""
    principal = scope.organisers_only(principal)
    rows = await db.fetch(
        "SELECT DISTINCT u.id, u.username, u.display_name FROM employer_service s "
        "JOIN organisation o ON o.id = s.org JOIN app_user u ON u.id = s.recorded_by "
        "WHERE o.path LIKE {}", f"{scope.subtree(principal)}%")
    return sorted(({"id": r["id"], "name": r["display_name"] or r["username"]} for r in rows),
                  key=lambda r: r["name"])


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TZ)


async def visits_summary(principal: Principal | None, month: str | None) -> dict[str, Any]:
    """The employer-service visits (家次) of the caller's subtree in a month (or this year), by
    kind: the read model's numbers (fairs.measures), fair attendance included."""
    principal = scope.organisers_only(principal)
    today = clock.today_local()
    first, after = month_bounds(month) or (date(today.year, 1, 1), date(today.year + 1, 1, 1))
    by_month = await read_model.visits_by_month(read_model.Scope(
        at=now(), org_path=scope.subtree(principal), start=_start(first), end=_start(after)))
    by_kind = dict.fromkeys(read_model.VISIT_KINDS, 0)
    for kinds in by_month.values():
        for kind, n in kinds.items():
            by_kind[kind] += n
    return {"first": first, "last": after - timedelta(days=1), "by_kind": by_kind,
            "total": sum(by_kind.values())}
