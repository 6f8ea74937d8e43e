"""The read model's queries: every count a view shows, built from `definitions` only.

`Scope` is the one filter (a moment `at`, an organisation subtree, start dates, kind, industry,
audience, a plan, one fair). `held_fairs(scope)` is the one query of held fairs; `breakdowns()`
gives every measure per breakdown (month, quarter, kind, organisation, industry, fair) in one
statement, `totals()` the same statement reduced to the total; `by_audience()` the person
measures by the job seekers' declared target groups. For one fair (the wall, the live stream,
the fair pages) `fair_attendance()` and `fair_counts()` read the same definitions, fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairs import db

from .definitions import (
    ACTIVE_POSITION,
    ADMISSIONS_ONE,
    MEASURES,
    PERSON_MEASURES,
    REGISTERED,
    REGISTERED_ONE,
    VISIT_KINDS,
    WALK_IN,
    held,
    hired,
    hires_per_fair,
    interests_per_fair,
    local,
    presence,
    registered_per_fair,
    service_days,
    services,
)

DIMS = ("total", "month", "quarter", "kind", "org", "org_tree", "industry", "industry_group",
        "fair")


@dataclass(frozen=True)
class Scope:
    """Which fairs a measure is taken over: those held by `at`, of the organisation subtree at
    `org_path` ("" for all), starting in [start, end), optionally of one kind, serving one
    industry or audience (the fair's themes), linked to one plan, or one fair."""

    at: datetime
    org_path: str = ""
    start: datetime | None = None
    end: datetime | None = None
    kind: str | None = None
    industry: str | None = None
    audience: str | None = None
    plan_id: int | None = None
    fair_id: int | None = None


def held_fairs(scope: Scope) -> tuple[str, list[Any]]:
    """`SELECT f.id, f.org, f.kind, f.starts_at` of the held fairs in scope, and its args."""
    # The subtree as a set of organisation ids, found once (a few hundred rows), not a path
    # match joined to every fair.
    where = [held("f"), "f.org IN (SELECT o.id FROM organisation o WHERE o.path LIKE {})"]
    args: list[Any] = [scope.at, f"{scope.org_path}%"]
    for column, value in (("f.starts_at >= {}", scope.start), ("f.starts_at < {}", scope.end),
                          ("f.kind = {}", scope.kind), ("f.plan_id = {}", scope.plan_id),
                          ("f.id = {}", scope.fair_id)):
        if value is not None:
            where.append(column)
            args.append(value)
    if scope.industry:
        where.append("EXISTS (SELECT 1 FROM fair_industry fi WHERE fi.fair = f.id "
                     "AND fi.industry = {})")
        args.append(scope.industry)
    if scope.audience:
        where.append("EXISTS (SELECT 1 FROM fair_audience fa WHERE fa.fair = f.id "
                     "AND fa.audience = {})")
        args.append(scope.audience)
    sql = "SELECT f.id, f.org, f.kind, f.starts_at FROM fair f WHERE " + " AND ".join(where)
    return sql, args


def service_visits(scope: Scope) -> tuple[str, list[Any]]:
    """`SELECT employer, day, kind, org` of the services recorded in scope (definitions.services:
    recorded by an organisation of the subtree, on a day whose local midnight is in [start,
    end), not after `at`'s day), and its args. A service belongs to no fair: when the scope is
    narrowed to fairs (a kind, an industry, an audience, a plan's linked fairs, one fair) it
    has none, so that "visits at online fairs" or a fair's summary count fair attendance
    only; a scope of an organisation and dates (a plan, the report unfiltered) counts both."""
    sql = services("s")
    if scope.kind or scope.industry or scope.audience or scope.plan_id or scope.fair_id:
        sql += " AND 1 = 0"
    return sql, [f"{scope.org_path}%", *service_days(scope.start, scope.end, scope.at)]


def _keys(dims: tuple[str, ...], services: bool = True) -> tuple[str, bool]:
    """The CTE `k` (dim, key, fair): each held fair under each key of each breakdown asked
    for (with `services`, also the keys only services have, from the CTE `svc`); and whether
    it has the organisation tree's placeholder."""
    parts = {
        "total": ("''", "FROM h"),
        "month": (local("h.starts_at", "month"), "FROM h"),
        "quarter": (local("h.starts_at", "quarter"), "FROM h"),
        "kind": ("h.kind", "FROM h"),
        "org": ("CAST(h.org AS TEXT)", "FROM h"),
        "org_tree": ("CAST(anc.id AS TEXT)", "FROM h JOIN organisation ho ON ho.id = h.org "
                     "JOIN organisation anc ON ho.path LIKE anc.path || '%' "
                     "WHERE anc.path LIKE {}"),
        "industry": ("t.industry", "FROM h JOIN fair_industry t ON t.fair = h.id"),
        "industry_group": ('ind."group"', "FROM h JOIN fair_industry t ON t.fair = h.id "
                           "JOIN industry ind ON ind.code = t.industry"),
        "fair": ("CAST(h.id AS TEXT)", "FROM h"),
    }
    chosen = [d for d in DIMS if d in dims]
    sql = " UNION ".join(f"SELECT '{d}' AS dim, {parts[d][0]} AS key, h.id AS fair "
                         f"{parts[d][1]}" for d in chosen)
    if services:  # the keys only services have (a month without a held fair): no fair
        sql += " UNION SELECT dim, key, CAST(NULL AS INTEGER) FROM svc"
    return sql, "org_tree" in chosen


def _service_counts(dims: tuple[str, ...]) -> tuple[str, bool]:
    """The CTEs ending in `svc` (dim, key, v): the employer visits of the services recorded in
    scope under each key of the breakdowns a service has (total, month, quarter, kind
    "services", organisation, organisation tree; fair attendance keeps the others: industry,
    fair), each (employer, day, kind) once per key; and whether they have the organisation
    tree's placeholder. A service's kind is never "fair", so these visits are never fair
    attendance's and the two counts add up. `sw` marks each record with the first and last
    organisation that recorded its visit (the same one, nearly always); `sd` holds each visit
    once over the scope. (No join of the records to themselves: a generic plan that expects
    a few rows would rescan one side for each row of the other.)"""
    month = "substr(sd.day, 1, 7)"
    quarter = ("substr(sd.day, 1, 4) || '-Q' || "
               "CAST((CAST(substr(sd.day, 6, 2) AS INTEGER) + 2) / 3 AS TEXT)")
    parts = {
        "total": "SELECT '' AS key, COUNT(*) AS v FROM sd",
        "month": f"SELECT {month} AS key, COUNT(*) AS v FROM sd GROUP BY {month}",
        "quarter": f"SELECT {quarter} AS key, COUNT(*) AS v FROM sd GROUP BY {quarter}",
        "kind": "SELECT 'services' AS key, COUNT(*) AS v FROM sd",
        "org": "SELECT CAST(o.org AS TEXT) AS key, COUNT(*) AS v FROM (SELECT DISTINCT org, "
               "employer, day, kind FROM sv) o GROUP BY o.org",
        # A visit recorded by one organisation counts for each of its ancestors (summed per
        # organisation first); one recorded by several, once per ancestor of any of them.
        "org_tree": "SELECT CAST(t.anc AS TEXT) AS key, SUM(t.v) AS v FROM (SELECT oa.anc, c.v "
                    "FROM (SELECT first_org AS org, COUNT(*) AS v FROM sd WHERE first_org = "
                    "last_org GROUP BY first_org) c JOIN oa ON oa.org = c.org UNION ALL "
                    "SELECT m.anc, COUNT(*) FROM (SELECT DISTINCT oa.anc, sw.employer, sw.day, "
                    "sw.kind FROM sw JOIN oa ON oa.org = sw.org WHERE sw.first_org <> "
                    "sw.last_org) m GROUP BY m.anc) t GROUP BY t.anc",
    }
    chosen = [d for d in DIMS if d in dims and d in parts]
    # Keys with visits only (no "services" row, no total, when nothing was recorded).
    counts = " UNION ALL ".join(f"SELECT '{d}' AS dim, x.key, x.v FROM ({parts[d]}) x "
                                "WHERE x.v > 0" for d in chosen) or (
        "SELECT '' AS dim, '' AS key, 0 AS v FROM sv WHERE 1 = 0")
    tree = "org_tree" in chosen
    # Each organisation of the scope and its ancestors in the scope (a few dozen pairs).
    ancestors = ("SELECT so.id AS org, anc.id AS anc FROM organisation so JOIN organisation "
                 "anc ON so.path LIKE anc.path || '%' WHERE anc.path LIKE {}") if tree else (
        "SELECT 0 AS org, 0 AS anc FROM sv WHERE 1 = 0")
    visit = "PARTITION BY employer, day, kind"
    sql = (f"sw AS MATERIALIZED (SELECT employer, day, kind, org, MIN(org) OVER ({visit}) "
           f"AS first_org, MAX(org) OVER ({visit}) AS last_org FROM sv),\n"
           "sd AS MATERIALIZED (SELECT DISTINCT employer, day, kind, first_org, last_org "
           "FROM sw),\n"
           f"oa AS ({ancestors}),\nsvc AS ({counts})")
    return sql, tree


def _measure_ctes(scope: Scope) -> tuple[str, list[Any]]:
    """The CTEs every measure statement starts from: `h` (the held fairs in scope) and, per
    held fair, `adm` (admissions, walk-ins and intentions: the audience tally kept with each,
    fairs.measures.tally, summed over the target-group combinations), `pos` (openings), `vw`
    (views), `hr` (hires), and `pres` (employers present: fair, employer, day, kind); `sv` (the
    services recorded in scope: employer, day, kind, org, one per record) and `vis` (the employer
    visits: employer, day, kind, each once: fair attendance and services, whose kinds never
    meet)."""
    fairs, args = held_fairs(scope)
    recorded, recorded_args = service_visits(scope)
    in_h = "IN (SELECT id FROM h)"
    # pres is read once per breakdown key: MATERIALIZED (both engines) keeps a planner that
    # expects one held fair from re-running it for each of them.
    sql = f"""WITH h AS ({fairs}),
adm AS (SELECT t.fair, SUM(t.admissions) AS n, SUM(t.walk_ins) AS w, SUM(t.intentions) AS i
        FROM audience_tally t WHERE t.fair {in_h} GROUP BY t.fair),
pos AS (SELECT p.fair, SUM(p.headcount) AS n FROM job_position p
        WHERE p.fair {in_h} AND {ACTIVE_POSITION} GROUP BY p.fair),
vw AS (SELECT s.fair, SUM(s.total_views) AS n FROM online_session s WHERE s.fair {in_h}
       GROUP BY s.fair),
hr AS ({hires_per_fair(in_h)}),
pres AS MATERIALIZED ({presence("h")}),
sv AS MATERIALIZED ({recorded}),
vis AS (SELECT DISTINCT employer, day, kind FROM pres
        UNION ALL SELECT DISTINCT employer, day, kind FROM sv)"""
    return sql, [*args, scope.at, *recorded_args]


def statement(scope: Scope, dims: tuple[str, ...] = DIMS) -> tuple[str, list[Any]]:
    """One statement: rows (dim, key, the measures) for each breakdown asked for."""
    ctes, args = _measure_ctes(scope)
    service_counts, service_tree = _service_counts(dims)
    keys, tree = _keys(dims)
    sql = f"""
{ctes},
{service_counts},
k AS ({keys}),
ep AS (SELECT dim, key, COUNT(DISTINCT employer) AS n, COUNT(*) AS v FROM (SELECT DISTINCT
       k.dim, k.key, pres.employer, pres.day, pres.kind FROM k JOIN pres ON pres.fair = k.fair)
       x GROUP BY dim, key)
SELECT k.dim, k.key, COUNT(k.fair) AS events_held,
  MAX(COALESCE(ep.n, 0)) AS employers_present,
  COALESCE(SUM(pos.n), 0) AS positions,
  COALESCE(SUM(adm.n), 0) AS admissions,
  COALESCE(SUM(adm.w), 0) AS walk_ins,
  COALESCE(SUM(adm.i), 0) AS intentions,
  COALESCE(SUM(vw.n), 0) AS online_views,
  MAX(COALESCE(ep.v, 0)) + MAX(COALESCE(svc.v, 0)) AS employer_visits,
  COALESCE(SUM(hr.n), 0) AS hires
FROM k
LEFT JOIN adm ON adm.fair = k.fair
LEFT JOIN pos ON pos.fair = k.fair
LEFT JOIN vw ON vw.fair = k.fair
LEFT JOIN hr ON hr.fair = k.fair
LEFT JOIN ep ON ep.dim = k.dim AND ep.key = k.key
LEFT JOIN svc ON svc.dim = k.dim AND svc.key = k.key
GROUP BY k.dim, k.key
"""
    args += [f"{scope.org_path}%"] * (service_tree + tree)
    return sql, args


def _totals_statement(scope: Scope) -> tuple[str, list[Any]]:
    """The measures over the whole scope, and the employer visits of each kind, as one
    row: the same CTEs as `statement()`, each summed once (no per-fair join and GROUP BY: a
    plan's progress over thousands of held fairs reads them in a third of the time)."""
    ctes, args = _measure_ctes(scope)
    # The visits are read once: their total and each kind's count in one pass over `vis`.
    by_kind = ", ".join(f"SUM(CASE WHEN kind = '{kind}' THEN 1 ELSE 0 END) AS visits_{kind}"
                        for kind in VISIT_KINDS)
    sql = f"""
{ctes}
SELECT (SELECT COUNT(*) FROM h) AS events_held,
  (SELECT COUNT(DISTINCT employer) FROM pres) AS employers_present,
  (SELECT COALESCE(SUM(n), 0) FROM pos) AS positions,
  (SELECT COALESCE(SUM(n), 0) FROM adm) AS admissions,
  (SELECT COALESCE(SUM(w), 0) FROM adm) AS walk_ins,
  (SELECT COALESCE(SUM(i), 0) FROM adm) AS intentions,
  (SELECT COALESCE(SUM(n), 0) FROM vw) AS online_views,
  (SELECT COALESCE(SUM(n), 0) FROM hr) AS hires,
  v.employer_visits, {", ".join(f"v.visits_{kind}" for kind in VISIT_KINDS)}
FROM (SELECT COUNT(*) AS employer_visits, {by_kind} FROM vis) v
"""
    return sql, args


def values(row: dict | None, keys: tuple[str, ...] = MEASURES) -> dict[str, int]:
    return {k: int((row or {}).get(k) or 0) for k in keys}


async def breakdowns(scope: Scope, dims: tuple[str, ...] = DIMS
                     ) -> dict[str, dict[str, dict[str, int]]]:
    """{dim: {key: {measure: n}}}; "total" has the key ""."""
    sql, args = statement(scope, dims)
    out: dict[str, dict[str, dict[str, int]]] = {}
    for r in await db.fetch(sql, *args):
        out.setdefault(r["dim"], {})[str(r["key"])] = values(dict(r))
    return out


async def totals_and_visits(scope: Scope) -> tuple[dict[str, int], dict[str, int]]:
    """The measures over the scope's held fairs (employer visits: with the services
    recorded in scope), and the employer visits by kind ({"fair": n, "visit": n, ...}, every
    kind of VISIT_KINDS, adding up to employer_visits), in one round trip."""
    sql, args = _totals_statement(scope)
    row = dict((await db.fetch(sql, *args))[0])
    return values(row), {kind: int(row[f"visits_{kind}"] or 0) for kind in VISIT_KINDS}


async def totals(scope: Scope) -> dict[str, int]:
    """The measures over the scope's held fairs."""
    return (await totals_and_visits(scope))[0]


async def visits_by_kind(scope: Scope) -> dict[str, int]:
    """Employer visits by their kind ({"fair": n, "phone": n, ...}); they add up to totals()'s
    employer_visits."""
    return (await totals_and_visits(scope))[1]


async def by_audience(scope: Scope) -> dict[str, dict[str, int]]:
    """{audience code, or "" for none declared: {admissions, walk_ins, intentions}} over the
    held fairs: a person declaring two groups counts in both. Read from the audience tally
    (fairs.measures.tally: per fair and combination declared, kept with each admission and
    intention), a few rows per fair however many people."""
    fairs, args = held_fairs(scope)
    sql = f"""
WITH h AS ({fairs})
SELECT t.audiences AS combo, SUM(t.admissions) AS admissions, SUM(t.walk_ins) AS walk_ins,
  SUM(t.intentions) AS intentions
FROM audience_tally t WHERE t.fair IN (SELECT id FROM h) GROUP BY t.audiences
"""
    out: dict[str, dict[str, int]] = {}
    for row in await db.fetch(sql, *args):
        codes = [c for c in str(row["combo"] or "").split(",") if c] or [""]
        for code in dict.fromkeys(codes):
            into = out.setdefault(code, dict.fromkeys(PERSON_MEASURES, 0))
            for m in PERSON_MEASURES:
                into[m] += int(row[m] or 0)
    return out


# --- the funnel: registered -> admitted -> interested -> intentions -> hires -----------------

FUNNEL = ("registered", "admitted", "interested", "intentions", "hires")
FUNNEL_DIMS = ("total", "month", "industry", "fair")


async def funnel(scope: Scope, dims: tuple[str, ...] = FUNNEL_DIMS
                 ) -> dict[str, dict[str, dict[str, int]]]:
    """The job seekers' funnel over the held fairs, {dim: {key: {step: n}}} for each breakdown
    (total, month, industry, fair; "total" has the key ""), in one statement: registered
    (active registrations), admitted (admissions), interested (ticket-position interests
    marked), intentions and hires, each by its definition (admissions and intentions from the
    audience tally, as the measures read them)."""
    fairs, args = held_fairs(scope)
    in_h = "IN (SELECT id FROM h)"
    keys, _tree = _keys(tuple(d for d in dims if d in FUNNEL_DIMS), services=False)
    sql = f"""WITH h AS ({fairs}),
adm AS (SELECT t.fair, SUM(t.admissions) AS n, SUM(t.intentions) AS i
        FROM audience_tally t WHERE t.fair {in_h} GROUP BY t.fair),
reg AS ({registered_per_fair(in_h)}),
itr AS ({interests_per_fair(in_h)}),
hr AS ({hires_per_fair(in_h)}),
k AS ({keys})
SELECT k.dim, k.key, COALESCE(SUM(reg.n), 0) AS registered,
  COALESCE(SUM(adm.n), 0) AS admitted, COALESCE(SUM(itr.n), 0) AS interested,
  COALESCE(SUM(adm.i), 0) AS intentions, COALESCE(SUM(hr.n), 0) AS hires
FROM k LEFT JOIN reg ON reg.fair = k.fair LEFT JOIN adm ON adm.fair = k.fair
LEFT JOIN itr ON itr.fair = k.fair LEFT JOIN hr ON hr.fair = k.fair
GROUP BY k.dim, k.key"""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for r in await db.fetch(sql, *args):
        out.setdefault(r["dim"], {})[str(r["key"])] = values(dict(r), FUNNEL)
    return out


async def funnel_by_audience(scope: Scope) -> dict[str, dict[str, int]]:
    """The funnel by the job seekers' declared target groups ({code, or "" for none: {step:
    n}}): a person declaring two groups counts in both (as `by_audience`)."""
    fairs, args = held_fairs(scope)
    in_h = "IN (SELECT id FROM h)"
    sql = f"""WITH h AS ({fairs})
SELECT combo, SUM(reg) AS registered, SUM(adm) AS admitted, SUM(itr) AS interested,
  SUM(itn) AS intentions, SUM(hrd) AS hires FROM (
 SELECT r.audiences AS combo, COUNT(*) AS reg, 0 AS adm, 0 AS itr, 0 AS itn, 0 AS hrd
   FROM registration r WHERE r.fair {in_h} AND {REGISTERED} GROUP BY r.audiences
 UNION ALL SELECT t.audiences, 0, SUM(t.admissions), 0, SUM(t.intentions), 0
   FROM audience_tally t WHERE t.fair {in_h} GROUP BY t.audiences
 UNION ALL SELECT r.audiences, 0, 0, COUNT(*), 0, 0 FROM position_interest pi
   JOIN registration r ON r.id = pi.registration WHERE pi.fair {in_h} GROUP BY r.audiences
 UNION ALL SELECT r.audiences, 0, 0, 0, 0, COUNT(DISTINCT x.intention) FROM followup_task x
   JOIN intention i ON i.id = x.intention JOIN registration r ON r.id = i.registration
   WHERE {hired("x")} AND x.fair {in_h} GROUP BY r.audiences
) u GROUP BY combo"""
    out: dict[str, dict[str, int]] = {}
    for row in await db.fetch(sql, *args):
        codes = [c for c in str(row["combo"] or "").split(",") if c] or [""]
        for code in dict.fromkeys(codes):
            into = out.setdefault(code, dict.fromkeys(FUNNEL, 0))
            for m in FUNNEL:
                into[m] += int(row[m] or 0)
    return out


# --- one fair, fast -------------------------------------------------------------------------


def _fair_attendance_sql() -> str:
    # Built when asked: the local day in presence() depends on the engine in use.
    return (
        "WITH h AS (SELECT id, starts_at FROM fair WHERE id = {}), "
        f"pres AS ({presence('h')}) "
        f"SELECT {REGISTERED_ONE} AS registered, {ADMISSIONS_ONE} "
        f"AS checked_in, (SELECT COUNT(*) FROM admission a WHERE a.fair = {{}} AND {WALK_IN}) "
        "AS walk_ins, "
        "(SELECT COALESCE(SUM(total_views), 0) FROM online_session WHERE fair = {}) AS views, "
        "(SELECT COALESCE(MAX(peak_viewers), 0) FROM online_session WHERE fair = {}) AS peak, "
        "(SELECT COUNT(DISTINCT employer) FROM pres) AS employers_present, "
        "(SELECT COUNT(*) FROM h) AS found"
    )


async def fair_attendance(fair_id: int, at: datetime) -> dict[str, int] | None:
    """One fair's live counts (the wall, GET .../attendance and its stream): registered,
    checked_in (admissions), walk_ins, employers_present, online_viewers (views) and
    online_peak, in one round trip; None when there is no such fair. Held or not: the same
    definitions, for a fair that may still be running."""
    rows = await db.fetch(_fair_attendance_sql(), fair_id, at, *([fair_id] * 5))
    row = rows[0]
    if not row["found"]:
        return None
    return {"registered": int(row["registered"]), "checked_in": int(row["checked_in"]),
            "walk_ins": int(row["walk_ins"]),
            "employers_present": int(row["employers_present"]),
            "online_viewers": int(row["views"]), "online_peak": int(row["peak"])}


def _marks(ids: list[int]) -> str:
    return ", ".join("{}" for _ in ids)


async def admissions_by_fair(fair_ids: list[int]) -> dict[int, int]:
    """Admissions per fair from the tally (equal to COUNT(admission), kept in the same
    transaction): the fair lists and pages."""
    if not fair_ids:
        return {}
    rows = await db.fetch(
        f"SELECT fair, SUM(n) AS n FROM admission_tally WHERE fair IN ({_marks(fair_ids)}) "
        "GROUP BY fair", *fair_ids)
    return {r["fair"]: int(r["n"] or 0) for r in rows}


async def fair_counts(fair_ids: list[int], at: datetime) -> dict[int, dict[str, int]]:
    """Per fair: employers_present (distinct) and positions (openings offered), for the fair
    pages; the same definitions as the reports."""
    out = {i: {"employers_present": 0, "positions": 0} for i in fair_ids}
    if not fair_ids:
        return out
    marks = _marks(fair_ids)
    rows = await db.fetch(
        f"WITH h AS (SELECT id, starts_at FROM fair WHERE id IN ({marks})), "
        f"pres AS ({presence('h')}) "
        "SELECT fair, COUNT(DISTINCT employer) AS n, 'present' AS what FROM pres GROUP BY fair "
        "UNION ALL SELECT p.fair, SUM(p.headcount), 'positions' FROM job_position p "
        f"WHERE p.fair IN ({marks}) AND {ACTIVE_POSITION} GROUP BY p.fair",
        *fair_ids, at, *fair_ids)
    for r in rows:
        key = "employers_present" if r["what"] == "present" else "positions"
        out[r["fair"]][key] = int(r["n"] or 0)
    return out


async def visits_by_fair(fair_ids: list[int], at: datetime) -> dict[int, int]:
    """Employer visits per fair (held or not): each fair's distinct (employer, day, kind)."""
    out = dict.fromkeys(fair_ids, 0)
    if not fair_ids:
        return out
    rows = await db.fetch(
        f"WITH h AS (SELECT id, starts_at FROM fair WHERE id IN ({_marks(fair_ids)})), "
        f"pres AS ({presence('h')}) SELECT fair, COUNT(*) AS n FROM "
        "(SELECT DISTINCT fair, employer, day, kind FROM pres) x GROUP BY fair",
        *fair_ids, at)
    out.update({r["fair"]: int(r["n"]) for r in rows})
    return out


async def present_employers(fair_id: int, at: datetime) -> set[int]:
    """The employers present at one fair (its summary's list of present and absent)."""
    rows = await db.fetch(
        f"WITH h AS (SELECT id, starts_at FROM fair WHERE id = {{}}), pres AS ({presence('h')}) "
        "SELECT DISTINCT employer FROM pres", fair_id, at)
    return {int(r["employer"]) for r in rows}
