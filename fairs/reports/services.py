"""Reports: hiring intentions, and the official measures the bureau reports upward.

The measures, over the fairs HELD in a window (published, ended, never cancelled), of an
organisation's subtree, optionally of one kind, industry or audience (the fair's themes, as in
GET /api/v1/fairs):

- events_held (场次): the held fairs;
- employers_present (参会企业, 家): distinct employers present at any of them — checked in at a
  booth (booking.checked_in_at) or presenting in an ended guest slot of an online fair;
- employer_visits (服务企业家次): (fair, employer) pairs present: an employer at three fairs is
  one employer and three visits;
- positions (岗位数): openings offered, the sum of the headcounts of positions on active bookings;
- admissions (进场求职人数): admitted job seekers, once per fair (one admission per ticket, by a
  unique index); walk_ins: those of them registered at the door (also in admissions);
- intentions (达成初步就业意向): (ticket, position) pairs recorded by employers, once each;
- online_views (直播观看人次): total views of the held fairs' livestream sessions.

Everything is counted by aggregate SQL (a read model over the other slices' tables): one
statement gives every breakdown (month, quarter, organisation, kind, industry, industry group,
fair) of the fair-level measures, and one more the job seekers' own target groups. Those rows
are people's personal data, so they are only shown in aggregate and any count from 1 to
min_cell - 1 is suppressed ("<5").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from fairs import clock, db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.catalog import services as catalog
from fairs.catalog.reference import INDUSTRY_GROUPS as INDUSTRY_GROUPS_ZH_EN
from fairs.errors import Conflict, Forbidden, Invalid, NotFound
from fairs.events.tables import KINDS
from fairs.i18n import TZ

MEASURES = ("events_held", "employers_present", "positions", "admissions", "walk_ins",
            "intentions", "online_views", "employer_visits")
# The measures that count people by their declared target group (the audience breakdown).
PERSON_MEASURES = ("admissions", "walk_ins", "intentions")
INDUSTRY_GROUPS = ("traditional", "emerging", "services", "other")
DEFAULT_EVENTS_TARGET = 200
# Intentions are recorded at the fair: from an hour before it starts to a day after it ends
# (staff may type the last ones in after the doors close).
INTENTIONS_OPEN_BEFORE = timedelta(hours=1)
INTENTIONS_CLOSE_AFTER = timedelta(days=1)

_ACTIVE_POSITION = (
    "((p.booking IS NOT NULL AND EXISTS (SELECT 1 FROM booking k WHERE k.id = p.booking "
    "AND k.status = 'confirmed')) OR (p.slot_booking IS NOT NULL AND EXISTS (SELECT 1 FROM "
    "slot_booking s WHERE s.id = p.slot_booking AND s.status = 'confirmed')))"
)


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
        raise NotFound("no such fair")
    fair = dict(rows[0])
    if not int(fair["booked"]):
        raise Forbidden("your company has no confirmed booking at this fair")
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
        raise Conflict("the fair is cancelled")
    if not fair["intentions_open"]:
        raise Conflict("intentions are recorded at the fair: from an hour before it starts to "
                       "a day after it ends")
    if not (code or "").strip():
        raise Invalid("code", "required")
    ticket = await tickets.by_code(code)
    if ticket is None:
        raise Invalid("code", "no such ticket")
    if ticket["fair"] != fair_id:
        raise Invalid("code", "a ticket for another fair")
    if ticket["status"] != "active":
        raise Invalid("code", "this ticket is cancelled")
    at = now()
    async with db.write_transaction():
        position = await db.fetch(
            "SELECT p.id, p.title FROM job_position p WHERE p.id = {} AND p.fair = {} "
            f"AND p.employer = {{}} AND {_ACTIVE_POSITION}", position_id, fair_id,
            fair["employer"])
        if not position:
            raise Invalid("position", "not one of your company's positions at this fair")
        made = await db.write(
            "INSERT INTO intention (fair, registration, position, employer, recorded_by, "
            "created_at) VALUES ({}, {}, {}, {}, {}, {}) "
            "ON CONFLICT (registration, position) DO NOTHING RETURNING id",
            fair_id, ticket["id"], position_id, fair["employer"],
            principal.id if principal else None, at)
        if made:
            intention_id, created_at, created = made[0]["id"], at, True
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


async def resolve(principal: Principal | None, flt: MeasureFilter,
                  at: datetime | None = None) -> Scope:
    """Check the filter and who asks: organisers see their subtree; admins everything."""
    if principal is None or not principal.is_organiser:
        raise Forbidden("organisers only")
    if flt.kind and flt.kind not in KINDS:
        raise Invalid("kind", f"one of {', '.join(KINDS)}")
    if flt.industry:
        await catalog.check_industries([flt.industry], "industry")
    if flt.audience:
        await catalog.check_audiences([flt.audience], "audience")
    if flt.start and flt.end and flt.end <= flt.start:
        raise Invalid("to", "must not be before from")
    if flt.org:
        rows = await accounts.list_orgs()
        org = next((o for o in rows if o["code"] == flt.org), None)
        if org is None:
            raise Invalid("org", f"no organisation {flt.org!r}")
        if not accounts.in_subtree(principal, org["path"]):
            raise Forbidden("this organisation is outside yours")
    elif principal.is_admin or not principal.org_path:
        if not principal.is_admin:
            raise Forbidden("your account belongs to no organisation")
        top = await accounts.top_org()
        org = next(o for o in await accounts.list_orgs() if o["id"] == top["id"])
        org = {**org, "path": ""}  # everything, whatever the tree's roots
    else:
        org = next(o for o in await accounts.list_orgs(principal.org_path)
                   if o["path"] == principal.org_path)
    return Scope(flt=flt, org=org, at=at or now())


def _held(scope: Scope) -> tuple[str, list[Any]]:
    """The held fairs in scope: `SELECT ... FROM fair f JOIN organisation o ... WHERE ...`."""
    flt = scope.flt
    where = ["f.status = 'published'", "f.ends_at <= {}", "o.path LIKE {}"]
    args: list[Any] = [scope.at, f"{scope.org_path}%"]
    if flt.start:
        where.append("f.starts_at >= {}")
        args.append(flt.start)
    if flt.end:
        where.append("f.starts_at < {}")
        args.append(flt.end)
    if flt.kind:
        where.append("f.kind = {}")
        args.append(flt.kind)
    if flt.industry:
        where.append("EXISTS (SELECT 1 FROM fair_industry fi WHERE fi.fair = f.id "
                     "AND fi.industry = {})")
        args.append(flt.industry)
    if flt.audience:
        where.append("EXISTS (SELECT 1 FROM fair_audience fa WHERE fa.fair = f.id "
                     "AND fa.audience = {})")
        args.append(flt.audience)
    if flt.fair_id is not None:
        where.append("f.id = {}")
        args.append(flt.fair_id)
    sql = ("SELECT f.id, f.org, f.kind, f.starts_at FROM fair f "
           "JOIN organisation o ON o.id = f.org WHERE " + " AND ".join(where))
    return sql, args


def _local(column: str, part: str) -> str:
    """The China-time month ("2027-03") or quarter ("2027-Q1") of a timestamp, in SQL."""
    return db.dialect.local_month(column) if part == "month" else db.dialect.local_quarter(column)


def _measures_sql(scope: Scope) -> tuple[str, list[Any]]:
    held, args = _held(scope)
    in_h = "IN (SELECT id FROM h)"
    sql = f"""
WITH h AS ({held}),
adm AS (SELECT a.fair, COUNT(*) AS n,
          SUM(CASE WHEN a.method = 'walk_in' THEN 1 ELSE 0 END) AS w
        FROM admission a WHERE a.fair {in_h} GROUP BY a.fair),
pos AS (SELECT p.fair, SUM(p.headcount) AS n FROM job_position p
        WHERE p.fair {in_h} AND {_ACTIVE_POSITION} GROUP BY p.fair),
itn AS (SELECT i.fair, COUNT(*) AS n FROM intention i WHERE i.fair {in_h} GROUP BY i.fair),
vw AS (SELECT s.fair, SUM(s.total_views) AS n FROM online_session s WHERE s.fair {in_h}
       GROUP BY s.fair),
pres AS (SELECT b.fair, b.employer FROM booking b WHERE b.status = 'confirmed'
           AND b.checked_in_at IS NOT NULL AND b.fair {in_h}
         UNION SELECT sb.fair, sb.employer FROM slot_booking sb
           JOIN guest_slot gs ON gs.id = sb.slot
           WHERE sb.status = 'confirmed' AND gs.ends_at <= {{}} AND sb.fair {in_h}),
vis AS (SELECT fair, COUNT(*) AS n FROM pres GROUP BY fair),
k AS (SELECT 'total' AS dim, '' AS key, h.id AS fair FROM h
      UNION SELECT 'month', {_local('h.starts_at', 'month')}, h.id FROM h
      UNION SELECT 'quarter', {_local('h.starts_at', 'quarter')}, h.id FROM h
      UNION SELECT 'kind', h.kind, h.id FROM h
      UNION SELECT 'org', CAST(h.org AS TEXT), h.id FROM h
      UNION SELECT 'org_tree', CAST(anc.id AS TEXT), h.id FROM h
        JOIN organisation ho ON ho.id = h.org
        JOIN organisation anc ON ho.path LIKE anc.path || '%'
        WHERE anc.path LIKE {{}}
      UNION SELECT 'industry', t.industry, h.id FROM h JOIN fair_industry t ON t.fair = h.id
      UNION SELECT 'industry_group', ind."group", h.id FROM h
        JOIN fair_industry t ON t.fair = h.id JOIN industry ind ON ind.code = t.industry
      UNION SELECT 'fair', CAST(h.id AS TEXT), h.id FROM h),
ep AS (SELECT k.dim, k.key, COUNT(DISTINCT pres.employer) AS n FROM k
       JOIN pres ON pres.fair = k.fair GROUP BY k.dim, k.key)
SELECT k.dim, k.key, COUNT(*) AS events_held,
  MAX(COALESCE(ep.n, 0)) AS employers_present,
  COALESCE(SUM(pos.n), 0) AS positions,
  COALESCE(SUM(adm.n), 0) AS admissions,
  COALESCE(SUM(adm.w), 0) AS walk_ins,
  COALESCE(SUM(itn.n), 0) AS intentions,
  COALESCE(SUM(vw.n), 0) AS online_views,
  COALESCE(SUM(vis.n), 0) AS employer_visits
FROM k
LEFT JOIN adm ON adm.fair = k.fair
LEFT JOIN pos ON pos.fair = k.fair
LEFT JOIN itn ON itn.fair = k.fair
LEFT JOIN vw ON vw.fair = k.fair
LEFT JOIN vis ON vis.fair = k.fair
LEFT JOIN ep ON ep.dim = k.dim AND ep.key = k.key
GROUP BY k.dim, k.key
"""
    return sql, [*args, scope.at, f"{scope.org_path}%"]


def _audience_sql(scope: Scope) -> tuple[str, list[Any]]:
    """Admissions, walk-ins and intentions grouped by the combination of target groups the job
    seekers declared ("graduates,veterans"): a few hundred combinations at most, however many
    people."""
    held, args = _held(scope)
    # SQLite (no planner statistics) looks admissions up fair by fair through an index and then
    # fetches each row: 100,000 random reads. Over many fairs one scan is ~5x faster; the unary
    # plus (valid on both engines) stops SQLite from using the index. One fair keeps the index.
    scan = "+" if db.is_sqlite() and scope.flt.fair_id is None else ""
    sql = f"""
WITH h AS ({held})
SELECT combo, SUM(adm) AS admissions, SUM(walk) AS walk_ins, SUM(itn) AS intentions FROM (
  SELECT r.audiences AS combo, COUNT(*) AS adm,
    SUM(CASE WHEN a.method = 'walk_in' THEN 1 ELSE 0 END) AS walk, 0 AS itn
  FROM admission a JOIN registration r ON r.id = a.registration
  WHERE {scan}a.fair IN (SELECT id FROM h) GROUP BY r.audiences
  UNION ALL
  SELECT r.audiences, 0, 0, COUNT(*) FROM intention i JOIN registration r ON r.id = i.registration
  WHERE i.fair IN (SELECT id FROM h) GROUP BY r.audiences
) x GROUP BY combo
"""
    return sql, args


async def _audience_counts(scope: Scope) -> list[dict]:
    """[{"key": audience code, or "" for none declared, "admissions", "walk_ins",
    "intentions"}]: a person declaring two groups counts in both."""
    sql, args = _audience_sql(scope)
    totals: dict[str, dict[str, int]] = {}
    for row in await db.fetch(sql, *args):
        codes = [c for c in str(row["combo"] or "").split(",") if c] or [""]
        for code in dict.fromkeys(codes):
            into = totals.setdefault(code, dict.fromkeys(PERSON_MEASURES, 0))
            for m in PERSON_MEASURES:
                into[m] += int(row[m] or 0)
    return [{"key": k, **v} for k, v in totals.items()]


def _values(row: dict | None, keys: tuple[str, ...] = MEASURES) -> dict[str, int]:
    return {k: int((row or {}).get(k) or 0) for k in keys}


async def aggregates(scope: Scope) -> dict[str, dict[str, dict[str, int]]]:
    """{dim: {key: {measure: n}}} for every breakdown; "total" has the key ""."""
    sql, args = _measures_sql(scope)
    out: dict[str, dict[str, dict[str, int]]] = {}
    for r in await db.fetch(sql, *args):
        out.setdefault(r["dim"], {})[str(r["key"])] = _values(dict(r))
    return out


async def measures(principal: Principal | None, flt: MeasureFilter,
                   at: datetime | None = None) -> dict[str, int]:
    """The eight numbers of GET /api/v1/reports/measures."""
    scope = await resolve(principal, flt, at)
    sql, args = _measures_sql(scope)
    # Only the total is wanted here: the same statement, filtered to it.
    rows = await db.fetch(f"SELECT * FROM ({sql}) m WHERE m.dim = 'total'", *args)
    return _values(dict(rows[0]) if rows else None)


def suppress(n: int, min_cell: int) -> int | str:
    """A count of people in a target group: from 1 to min_cell - 1 it is shown as "<min_cell"."""
    return f"<{min_cell}" if 0 < n < min_cell else n


# --- the report: rows with labels, sub-totals and totals --------------------------------------


KIND_NAMES = {"offline": ("线下招聘会", "Offline fairs"),
              "online": ("网络直播招聘", "Online livestreams")}
GROUP_NAMES = {**INDUSTRY_GROUPS_ZH_EN, "other": ("其他行业", "Other industries")}
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


def _audience_rows(found: list[dict], audiences: list[dict], total: dict,
                   min_cell: int) -> list[dict]:
    by_key = {str(r["key"]): _values(r, PERSON_MEASURES) for r in found}
    rows = []
    for a in audiences:
        if a["code"] in by_key:
            values = by_key[a["code"]]
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
        aggregates(scope), _audience_counts(scope),
        accounts.list_orgs(scope.org_path or None), catalog.industries())
    total = agg.get("total", {}).get("", _values(None))
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
        raise Forbidden("organisers only")
    fair = await events.get_fair(fair_id, principal)
    if not accounts.in_subtree(principal, fair["org_path"]):
        raise Forbidden("this fair belongs to another organisation")
    at = at or now()
    held = events.is_held(fair, at)
    values = _values(None)
    if held:
        scope = Scope(flt=MeasureFilter(fair_id=fair_id), org={"path": ""}, at=at)
        sql, args = _measures_sql(scope)
        rows = await db.fetch(f"SELECT * FROM ({sql}) m WHERE m.dim = 'total'", *args)
        values = _values(dict(rows[0]) if rows else None)
    employers = await db.fetch(
        "SELECT e.id, e.name, e.industry, bo.code AS booth, b.checked_in_at, 'booth' AS how, "
        "(SELECT COALESCE(SUM(p.headcount), 0) FROM job_position p WHERE p.booking = b.id) "
        "AS openings, (SELECT COUNT(*) FROM intention i WHERE i.fair = b.fair "
        "AND i.employer = e.id) AS intentions "
        "FROM booking b JOIN employer e ON e.id = b.employer LEFT JOIN booth bo ON bo.id = b.booth "
        "WHERE b.fair = {} AND b.status = 'confirmed' "
        "UNION ALL SELECT e.id, e.name, e.industry, gs.label, "
        "CASE WHEN gs.ends_at <= {} THEN gs.ends_at ELSE NULL END, 'slot', "
        "(SELECT COALESCE(SUM(p.headcount), 0) FROM job_position p WHERE p.slot_booking = sb.id), "
        "(SELECT COUNT(*) FROM intention i WHERE i.fair = sb.fair AND i.employer = e.id) "
        "FROM slot_booking sb JOIN employer e ON e.id = sb.employer "
        "JOIN guest_slot gs ON gs.id = sb.slot WHERE sb.fair = {} AND sb.status = 'confirmed'",
        fair_id, at, fair_id)
    for e in employers:
        e["checked_in_at"] = db.as_datetime(e["checked_in_at"])
        e["openings"], e["intentions"] = int(e["openings"]), int(e["intentions"])
    employers.sort(key=lambda e: (e["checked_in_at"] is None, e["name"]))
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
        "present": [e for e in employers if e["checked_in_at"] is not None],
        "absent": [e for e in employers if e["checked_in_at"] is None],
        "positions": positions,
    }
