"""Reports: hiring intentions, and the official measures the bureau reports upward.

The measures, over the fairs HELD in a window (published, ended, never cancelled), of an
organisation's subtree, optionally of one kind, industry or audience (the fair's themes, as in
GET /api/v1/fairs):

- events_held (场次): the held fairs;
- employers_present (到场企业, 家): distinct employers present at any of them — checked in at a
  booth (booking.checked_in_at) or presenting in an ended guest slot of an online fair;
- employer_visits (服务企业, 家次): one employer, one day, one kind of service (fair
  attendance, and the services organisers record: fairs.outreach): an employer at three fairs
  on three days is one employer and three visits; a service counts for the organisation that
  recorded it, on its day, and only when the filter is not narrowed to fairs (a kind, an
  industry, an audience): the kind breakdown shows them on a row of their own;
- positions (岗位数): openings offered, the sum of the headcounts of positions on active bookings;
- admissions (进场求职人数): admitted job seekers, once per fair (one admission per ticket, by a
  unique index); walk_ins: those of them registered at the door (also in admissions);
- intentions (达成初步就业意向): (ticket, position) pairs recorded by employers, once each;
- online_views (直播观看人次): total views of the held fairs' livestream sessions.

Each measure is defined once, in the read model fairs.measures (which plans, the wall and the
fair pages ask too): one statement gives every breakdown (month, quarter, organisation, kind,
industry, industry group, fair) of the fair-level measures, and one more the job seekers' own
target groups. Those rows are people's personal data, so they are only shown in aggregate: every
target group of the catalogue is listed, and any count from 1 to min_cell - 1 is shown as "<5".
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from fairs import clock, db, hooks
from fairs import measures as read_model
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.catalog import services as catalog
from fairs.catalog.reference import INDUSTRY_GROUPS as INDUSTRY_GROUPS_ZH_EN
from fairs.errors import Conflict, Forbidden, Invalid, NotFound
from fairs.events.tables import KINDS
from fairs.i18n import N_, TZ

MEASURES = read_model.MEASURES
# The measures that count people by their declared target group (the audience breakdown).
PERSON_MEASURES = read_model.PERSON_MEASURES
INDUSTRY_GROUPS = ("traditional", "emerging", "services", "other")
DEFAULT_EVENTS_TARGET = 200
# Intentions are recorded at the fair: from an hour before it starts to a day after it ends
# (staff may type the last ones in after the doors close).
INTENTIONS_OPEN_BEFORE = timedelta(hours=1)
INTENTIONS_CLOSE_AFTER = timedelta(days=1)

_ACTIVE_POSITION = read_model.ACTIVE_POSITION


now = clock.now  # the one clock (tests set it)


def _marks(values: list) -> str:
    return ", ".join("{}" for _ in values)


# --- hiring intentions ------------------------------------------------------------------------


async def _employer_of(principal: Principal | None) -> int:
    from fairs.employers import services as employers

    return (await employers.employer_for(principal))["id"]


async def employer_fair(principal: Principal | None, fair_id: int) -> dict:
    """The fair and the calling employer, who must have a confirmed booth or guest slot there."""
    employer_id = await _employer_of(principal)
    rows = await db.fetch(
        "SELECT f.id, f.title, f.kind, f.status, f.starts_at, f.ends_at, "
        "(SELECT COUNT(*) FROM booking b WHERE b.fair = f.id AND b.employer = {} "
        " AND b.status = 'confirmed') + (SELECT COUNT(*) FROM slot_booking s WHERE s.fair = f.id "
        " AND s.employer = {} AND s.status = 'confirmed') AS booked "
        "FROM fair f WHERE f.id = {}", employer_id, employer_id, fair_id)
    if not rows:
        raise NotFound(N_("no such fair"))
    fair = dict(rows[0])
    if not int(fair["booked"]):
        raise Forbidden(N_("Your company has no confirmed booking at this fair."),
                        code="not_booked")
    fair["starts_at"] = db.as_datetime(fair["starts_at"])
    fair["ends_at"] = db.as_datetime(fair["ends_at"])
    fair["employer"] = employer_id
    fair["intentions_open"] = intentions_open(fair)
    return fair


def intentions_open(fair: dict, at: datetime | None = None) -> bool:
    at = at or now()
    return (fair["status"] == "published"
            and fair["starts_at"] - INTENTIONS_OPEN_BEFORE <= at
            < fair["ends_at"] + INTENTIONS_CLOSE_AFTER)


async def employer_positions(employer_id: int, fair_id: int) -> list[dict]:
    """The employer's active positions at the fair, with how many intentions each has."""
    return await db.fetch(
        "SELECT p.id, p.title, p.headcount, (SELECT COUNT(*) FROM intention i "
        "WHERE i.position = p.id) AS intentions FROM job_position p "
        f"WHERE p.fair = {{}} AND p.employer = {{}} AND {_ACTIVE_POSITION} ORDER BY p.id",
        fair_id, employer_id)


async def record_intention(principal: Principal | None, fair_id: int, code: str,
                           position_id: int) -> tuple[dict, bool]:
    """An employer at the fair records that a job seeker (their ticket) and one of its positions
    matched. -> (the intention, created?): the same pair again is not a new one."""
    from fairs.tickets import services as tickets

    fair = await employer_fair(principal, fair_id)
    if fair["status"] == "cancelled":
        raise Conflict(N_("The fair is cancelled."), code="fair_cancelled")
    if not fair["intentions_open"]:
        raise Conflict(N_("Intentions are recorded at the fair: from an hour before it starts "
                          "to a day after it ends."), code="intentions_closed")
    if not (code or "").strip():
        raise Invalid("code", N_("required"), code="required")
    ticket = await tickets.by_code(code)
    if ticket is None:
        raise Invalid("code", N_("no such ticket"), code="unknown_ticket")
    if ticket["fair"] != fair_id:
        raise Invalid("code", N_("a ticket for another fair"), code="wrong_fair")
    if ticket["status"] != "active":
        raise Invalid("code", N_("this ticket is cancelled"), code="ticket_cancelled")
    at = now()
    async with db.write_transaction():
        position = await db.fetch(
            "SELECT p.id, p.title FROM job_position p WHERE p.id = {} AND p.fair = {} "
            f"AND p.employer = {{}} AND {_ACTIVE_POSITION}", position_id, fair_id,
            fair["employer"])
        if not position:
            raise Invalid("position", N_("not one of your company's positions at this fair"),
                          code="unknown_position")
        made = await db.write(
            "INSERT INTO intention (fair, registration, position, employer, recorded_by, "
            "created_at) VALUES ({}, {}, {}, {}, {}, {}) "
            "ON CONFLICT (registration, position) DO NOTHING RETURNING id",
            fair_id, ticket["id"], position_id, fair["employer"],
            principal.id if principal else None, at)
        if made:
            intention_id, created_at, created = made[0]["id"], at, True
            # The audience tally, in the intention's transaction (fairs.measures.tally).
            await db.execute(read_model.AUDIENCE_INTENDED, fair_id,
                             random.randrange(read_model.TALLY_SHARDS), ticket["id"])
            # Other slices' part of a new intention, in its transaction (followup: its tasks).
            await hooks.intention_recorded.notify(hooks.NewIntention(
                id=intention_id, fair=fair_id, registration=ticket["id"],
                position=position_id, employer=fair["employer"], created_at=at))
        else:
            old = await db.fetch(
                "SELECT id, created_at FROM intention WHERE registration = {} AND position = {}",
                ticket["id"], position_id)
            intention_id, created = old[0]["id"], False
            created_at = db.as_datetime(old[0]["created_at"])
    return {"id": intention_id, "fair": fair_id, "position": position_id,
            "position_title": position[0]["title"], "employer": fair["employer"],
            "created_at": created_at, "created": created}, created


async def intentions_for_ticket(ticket_id: int) -> list[dict]:
    """For the job seeker's ticket page: which employers recorded an intention, for which
    position, when. [{"employer", "position", "created_at"}], oldest first."""
    rows = await db.fetch(
        "SELECT e.name AS employer, p.title AS position, i.created_at FROM intention i "
        "JOIN employer e ON e.id = i.employer JOIN job_position p ON p.id = i.position "
        "WHERE i.registration = {} ORDER BY i.created_at, i.id", ticket_id)
    return [{**dict(r), "created_at": db.as_datetime(r["created_at"])} for r in rows]


async def recent_intentions(employer_id: int, fair_id: int, limit: int = 20) -> list[dict]:
    """The employer's latest intentions at a fair (for its page): the job seeker masked."""
    from fairs.tickets.services import mask_name

    rows = await db.fetch(
        "SELECT i.id, i.created_at, p.title AS position, r.name FROM intention i "
        "JOIN job_position p ON p.id = i.position JOIN registration r ON r.id = i.registration "
        f"WHERE i.fair = {{}} AND i.employer = {{}} ORDER BY i.id DESC LIMIT {int(limit)}",
        fair_id, employer_id)
    return [{"id": r["id"], "created_at": db.as_datetime(r["created_at"]),
             "position": r["position"],
             "name": mask_name(r["name"])} for r in rows]


# --- the measures ---------------------------------------------------------------------------


@dataclass
class MeasureFilter:
    start: datetime | None = None  # fairs starting at or after
    end: datetime | None = None  # fairs starting before
    org: str | None = None  # an organisation code: its subtree
    kind: str | None = None
    industry: str | None = None
    audience: str | None = None
    fair_id: int | None = None  # one fair (its summary)


@dataclass
class Scope:
    """A resolved filter: the organisation whose subtree is counted, and the moment of `held`."""

    flt: MeasureFilter
    org: dict
    at: datetime = field(default_factory=now)

    @property
    def org_path(self) -> str:
        return self.org["path"]

    def measures(self) -> read_model.Scope:
        """The read model's scope: the held fairs this filter covers."""
        f = self.flt
        return read_model.Scope(at=self.at, org_path=self.org_path, start=f.start, end=f.end,
                                kind=f.kind, industry=f.industry, audience=f.audience,
                                fair_id=f.fair_id)


async def resolve(principal: Principal | None, flt: MeasureFilter,
                  at: datetime | None = None) -> Scope:
    """Check the filter and who asks: organisers see their subtree; admins everything."""
    if principal is None or not principal.is_organiser:
        raise Forbidden(N_("Only organisers can do this."), code="organisers_only")
    if flt.kind and flt.kind not in KINDS:
        raise Invalid("kind", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": KINDS})
    if flt.industry:
        await catalog.check_industries([flt.industry], "industry")
    if flt.audience:
        await catalog.check_audiences([flt.audience], "audience")
    if flt.start and flt.end and flt.end <= flt.start:
        raise Invalid("to", N_("must not be before {other}"), code="before_start",
                      params={"other": "from"})
    if flt.org:
        rows = await accounts.list_orgs()
        org = next((o for o in rows if o["code"] == flt.org), None)
        if org is None:
            raise Invalid("org", N_("no organisation {code}"), code="unknown_org",
                          params={"code": flt.org})
        if not accounts.in_subtree(principal, org["path"]):
            raise Forbidden(N_("This organisation is outside yours."), code="other_organisation")
    elif principal.is_admin or not principal.org_path:
        if not principal.is_admin:
            raise Forbidden(N_("Your account belongs to no organisation."), code="no_organisation")
        top = await accounts.top_org()
        org = next(o for o in await accounts.list_orgs() if o["id"] == top["id"])
        org = {**org, "path": ""}  # everything, whatever the tree's roots
    else:
        org = next(o for o in await accounts.list_orgs(principal.org_path)
                   if o["path"] == principal.org_path)
    return Scope(flt=flt, org=org, at=at or now())


async def aggregates(scope: Scope) -> dict[str, dict[str, dict[str, int]]]:
    """{dim: {key: {measure: n}}} for every breakdown; "total" has the key ""."""
    return await read_model.breakdowns(scope.measures())


async def measures(principal: Principal | None, flt: MeasureFilter,
                   at: datetime | None = None) -> dict[str, int]:
    """The eight numbers of GET /api/v1/reports/measures."""
    scope = await resolve(principal, flt, at)
    return await read_model.totals(scope.measures())


def suppress(n: int, min_cell: int) -> int | str:
    """A count of people in a target group: from 1 to min_cell - 1 it is shown as "<min_cell"."""
    return f"<{min_cell}" if 0 < n < min_cell else n


# --- the report: rows with labels, sub-totals and totals --------------------------------------


KIND_NAMES = {"offline": ("线下招聘会", "Offline fairs"),
              "online": ("网络招聘会", "Online fairs")}
GROUP_NAMES = {**INDUSTRY_GROUPS_ZH_EN, "other": ("其他行业", "Other industries")}
SERVICES_NAMES = ("企业服务（走访、电话、座谈、政策帮办等）",
                  "Employer services (visits, calls, symposiums, policy help)")
TOTAL = ("合计", "Total")


def _row(names: tuple[str, str], values: dict, *, kind: str = "row", depth: int = 0,
         key: str = "") -> dict:
    """A table row: names (Chinese, English); kind "row", "own" (an organisation's own fairs),
    "subtotal", "none" (no target group declared) or "total"."""
    return {"name_zh": names[0], "name_en": names[1], "values": values, "kind": kind,
            "depth": depth, "key": key}


def _names(row: dict) -> tuple[str, str]:
    return row.get("name_zh") or row.get("code", ""), row.get("name_en") or row.get("code", "")


def _month_rows(agg: dict, total: dict) -> list[dict]:
    months = agg.get("month", {})
    quarters = agg.get("quarter", {})
    rows = []
    for q in sorted(quarters):
        year, qn = q.split("-Q")
        for m in sorted(months):
            if m.startswith(year + "-") and (int(m[5:7]) + 2) // 3 == int(qn):
                month = date(int(year), int(m[5:7]), 1)
                rows.append(_row((f"{year}年{month.month}月", month.strftime("%b %Y")),
                                 months[m], key=m, depth=1))
        rows.append(_row((f"{year}年第{qn}季度小计", f"Q{qn} {year} subtotal"), quarters[q],
                         kind="subtotal", key=q))
    rows.append(_row(TOTAL, total, kind="total"))
    return rows


def _org_rows(agg: dict, orgs: list[dict], total: dict) -> list[dict]:
    own = agg.get("org", {})
    tree = agg.get("org_tree", {})
    children: dict[str | None, list[dict]] = {}
    by_code = {o["code"]: o for o in orgs}
    for o in orgs:
        parent = o["parent"] if o["parent"] in by_code else None
        children.setdefault(parent, []).append(o)
    rows: list[dict] = []

    def walk(o: dict, depth: int) -> None:
        sub = tree.get(str(o["id"]))
        if not sub:
            return
        zh, en = _names(o)
        kids = [c for c in children.get(o["code"], []) if tree.get(str(c["id"]))]
        if not kids:
            rows.append(_row((zh, en), sub, depth=depth, key=o["code"]))
            return
        mine = own.get(str(o["id"]))
        if mine:
            rows.append(_row((f"{zh}（本级）", f"{en} (own fairs)"), mine, depth=depth + 1,
                             key=o["code"], kind="own"))
        for c in kids:
            walk(c, depth + 1)
        rows.append(_row((f"{zh}小计", f"{en} subtotal"), sub, kind="subtotal", depth=depth,
                         key=o["code"]))

    for root in children.get(None, []):
        walk(root, 0)
    rows.append(_row(TOTAL, total, kind="total"))
    return rows


def _kind_rows(agg: dict, total: dict) -> list[dict]:
    kinds = agg.get("kind", {})
    rows = [_row(KIND_NAMES[k], kinds[k], key=k) for k in KINDS if k in kinds]
    if "services" in kinds:  # employer visits of the services recorded (no fair: no kind)
        rows.append(_row(SERVICES_NAMES, kinds["services"], key="services"))
    rows.append(_row(TOTAL, total, kind="total"))
    return rows


def _industry_rows(agg: dict, industries: list[dict], total: dict) -> list[dict]:
    per = agg.get("industry", {})
    groups = agg.get("industry_group", {})
    rows = []
    for g in INDUSTRY_GROUPS:
        if g not in groups:
            continue
        for ind in industries:
            if ind["group"] == g and ind["code"] in per:
                rows.append(_row(_names(ind), per[ind["code"]], depth=1, key=ind["code"]))
        zh, en = GROUP_NAMES.get(g, (g, g))
        rows.append(_row((f"{zh}小计", f"{en} subtotal"), groups[g], kind="subtotal", key=g))
    rows.append(_row(TOTAL, total, kind="total"))
    return rows


def _audience_rows(by_key: dict[str, dict[str, int]], audiences: list[dict], total: dict,
                   min_cell: int) -> list[dict]:
    """Every target group of the catalogue (none left out, zeros included), then the job
    seekers who declared none; cells from 1 to min_cell - 1 shown as "<min_cell"."""
    rows = []
    for a in audiences:
        values = by_key.get(a["code"]) or dict.fromkeys(PERSON_MEASURES, 0)
        rows.append(_row(_names(a), {k: suppress(v, min_cell) for k, v in values.items()},
                         key=a["code"]))
    if "" in by_key:
        values = by_key[""]
        rows.append(_row(("未申报", "None declared"),
                         {k: suppress(v, min_cell) for k, v in values.items()},
                         key="-", kind="none"))
    rows.append(_row(TOTAL, {k: total[k] for k in PERSON_MEASURES}, kind="total"))
    return rows


async def events_target(scope: Scope, year: int) -> int:
    """The year's target of events: the plan of the scope's organisation (or the closest one
    above it) covering that year, else 200."""
    rows = await db.fetch(
        "SELECT COALESCE(p.target_events, p.target_offline + p.target_online) AS target, "
        "o.path FROM plan p JOIN organisation o ON o.id = p.org "
        "WHERE p.starts_on <= {} AND p.ends_on >= {} ORDER BY o.path DESC, p.id DESC",
        date(year, 12, 31), date(year, 1, 1))
    path = scope.org_path or "/"
    for r in rows:
        if r["target"] and (path.startswith(r["path"]) or not scope.org_path):
            return int(r["target"])
    return DEFAULT_EVENTS_TARGET


async def report(principal: Principal | None, flt: MeasureFilter, *, min_cell: int = 5,
                 at: datetime | None = None) -> dict:
    """Everything the page and the exports show, from two aggregate statements.

    Sections: month (quarter sub-totals), org (subtree sub-totals), kind, industry (group
    sub-totals), audience (the job seekers' target groups, suppressed below min_cell)."""
    import asyncio

    scope = await resolve(principal, flt, at)
    audiences = await catalog.audiences()
    agg, audience_found, orgs, industries = await asyncio.gather(
        aggregates(scope), read_model.by_audience(scope.measures()),
        accounts.list_orgs(scope.org_path or None), catalog.industries())
    total = agg.get("total", {}).get("", read_model.values(None))
    fairs = await _fair_list(agg.get("fair", {}))
    year = (flt.start.astimezone(TZ).year if flt.start else scope.at.astimezone(TZ).year)
    return {
        "scope": scope,
        "org": scope.org,
        "totals": total,
        "min_cell": min_cell,
        "year": year,
        "target": await events_target(scope, year),
        "sections": {
            "month": _month_rows(agg, total),
            "org": _org_rows(agg, [dict(o) for o in orgs], total),
            "kind": _kind_rows(agg, total),
            "industry": _industry_rows(agg, industries, total),
            "audience": _audience_rows(audience_found, audiences, total, min_cell),
        },
        "fairs": fairs,
    }


async def _fair_list(per_fair: dict[str, dict[str, int]]) -> list[dict]:
    """The held fairs in scope with their measures, by start (for the attendance chart)."""
    ids = [int(k) for k in per_fair]
    if not ids:
        return []
    rows = await db.fetch(
        f"SELECT id, title, kind, starts_at FROM fair WHERE id IN ({_marks(ids)})", *ids)
    out = [{**dict(r), "starts_at": db.as_datetime(r["starts_at"]), **per_fair[str(r["id"])]}
           for r in rows]
    return sorted(out, key=lambda r: (r["starts_at"], r["id"]))


# --- one fair's summary -----------------------------------------------------------------------


async def fair_summary(principal: Principal | None, fair_id: int,
                       at: datetime | None = None) -> dict:
    """After a fair: its measures, employers present and absent, positions, intentions."""
    from fairs.events import services as events

    if principal is None or not principal.is_organiser:
        raise Forbidden(N_("Only organisers can do this."), code="organisers_only")
    fair = await events.get_fair(fair_id, principal)
    if not accounts.in_subtree(principal, fair["org_path"]):
        raise Forbidden(N_("This fair belongs to another organisation."),
                        code="other_organisation")
    at = at or now()
    held = read_model.is_held(fair["status"], fair["ends_at"], at)
    values = read_model.values(None)
    if held:
        values = await read_model.totals(read_model.Scope(at=at, fair_id=fair_id))
    employers = await db.fetch(
        "SELECT e.id, e.name, e.industry, bo.code AS booth, b.checked_in_at, 'booth' AS how, "
        "(SELECT COALESCE(SUM(p.headcount), 0) FROM job_position p WHERE p.booking = b.id) "
        "AS openings, (SELECT COUNT(*) FROM intention i WHERE i.fair = b.fair "
        "AND i.employer = e.id) AS intentions "
        "FROM booking b JOIN employer e ON e.id = b.employer LEFT JOIN booth bo ON bo.id = b.booth "
        "WHERE b.fair = {} AND b.status = 'confirmed' "
        "UNION ALL SELECT e.id, e.name, e.industry, gs.label, "
        "gs.ends_at, 'slot', "
        "(SELECT COALESCE(SUM(p.headcount), 0) FROM job_position p WHERE p.slot_booking = sb.id), "
        "(SELECT COUNT(*) FROM intention i WHERE i.fair = sb.fair AND i.employer = e.id) "
        "FROM slot_booking sb JOIN employer e ON e.id = sb.employer "
        "JOIN guest_slot gs ON gs.id = sb.slot WHERE sb.fair = {} AND sb.status = 'confirmed'",
        fair_id, fair_id)
    # Who was present is the read model's rule (a booth checked in; a guest slot ended).
    present = await read_model.present_employers(fair_id, at)
    for e in employers:
        e["present"] = e["id"] in present
        e["checked_in_at"] = db.as_datetime(e["checked_in_at"]) if e["present"] else None
        e["openings"], e["intentions"] = int(e["openings"]), int(e["intentions"])
    employers.sort(key=lambda e: (not e["present"], e["name"]))
    positions = await db.fetch(
        "SELECT p.id, p.title, p.headcount, p.education, p.salary_min, p.salary_max, "
        "e.name AS employer, (SELECT COUNT(*) FROM intention i WHERE i.position = p.id) "
        f"AS intentions FROM job_position p JOIN employer e ON e.id = p.employer "
        f"WHERE p.fair = {{}} AND {_ACTIVE_POSITION} ORDER BY e.name, p.id", fair_id)
    for p in positions:
        p["intentions"] = int(p["intentions"])
    return {
        "fair": fair,
        "held": held,
        "measures": values,
        "present": [e for e in employers if e["present"]],
        # The heading's count is the measure (distinct employers), not the list's rows.
        "present_count": len(present),
        "absent": [e for e in employers if not e["present"]],
        "positions": positions,
    }
