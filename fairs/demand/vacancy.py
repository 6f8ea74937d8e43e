"""Vacancy (缺工) monitoring: open headcount against staff, per industry and district, by month.

For a month M and an employer:
- open: the headcount of its needs published and valid in M: published in M or before, last
  day in M or after, and not withdrawn before M (a need published, then withdrawn, counts in
  the months it was listed);
- staff: its latest staff report at or before M (fairs.demand.workforce).
缺工率 (vacancy rate) = open / (staff + open): the share of the jobs it needs that are unfilled
(none when both are 0).

Open headcount counts where a need is filed, staff where the report is filed (both normally
the employer's district). Rows roll up to the districts: the organisations directly below the
scope (the organiser's own organisation, or the one asked for); what is filed with the scope
itself is its own row. The employer's industry is the register's. All of it is one aggregate
statement per question (month x industry x district; the employers of the last month with the
largest gaps first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fairs import db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.catalog import services as catalog
from fairs.db import dialect
from fairs.errors import Forbidden, Invalid
from fairs.events.times import day_start
from fairs.i18n import N_

from .workforce import check_month, known_org, this_month

MAX_MONTHS = 24
TOP = 20


@dataclass(frozen=True)
class VacancyScope:
    org: dict  # the scope's organisation: id, code, path, names
    months: list[str]
    industry: str | None = None


def rate(open_: int, staff: int) -> float | None:
    """缺工率: open / (staff + open), to four places; None when both are 0."""
    return round(open_ / (staff + open_), 4) if staff + open_ > 0 else None


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _back(month: str, n: int) -> str:
    year, m = int(month[:4]), int(month[5:]) - n
    while m < 1:
        year, m = year - 1, m + 12
    return f"{year:04d}-{m:02d}"


async def resolve(principal: Principal | None, first: str | None = None,
                  last: str | None = None, org: str | None = None,
                  industry: str | None = None) -> VacancyScope:
    """Who asks and what: organisers see their subtree (or `org`'s within it), admins the whole
    tree; months `first`..`last` ('YYYY-MM', by default the twelve months to this one), at most
    MAX_MONTHS of them."""
    if principal is None or not principal.is_organiser:
        raise Forbidden(N_("Only organisers can do this."), code="organisers_only")
    last = check_month(last, "to") if last else this_month()
    first = check_month(first, "from") if first else _back(last, 11)
    if first > last:
        raise Invalid("to", N_("must not be before {other}"), code="before_start",
                      params={"other": "from"})
    months = months_between(first, last)
    if len(months) > MAX_MONTHS:
        raise Invalid("from", N_("at most {n} months"), code="too_many", params={"n": MAX_MONTHS})
    if industry:
        await catalog.check_industries([industry], "industry")
    if org:
        found = await known_org(org)
        if not accounts.in_subtree(principal, found["path"]):
            raise Forbidden(N_("This organisation is outside yours."), code="other_organisation")
    elif principal.is_admin or not principal.org_code:
        if not principal.is_admin:
            raise Forbidden(N_("Your account belongs to no organisation."), code="no_organisation")
        found = await accounts.top_org()
    else:
        found = await accounts.org_by_code(principal.org_code)
    return VacancyScope(org=dict(found), months=months, industry=industry or None)


def _bounds(months: list[str]) -> tuple[datetime, date]:
    """The instant the last month ends (China time) and the first month's first day."""
    first = date(int(months[0][:4]), int(months[0][5:]), 1)
    year, month = int(months[-1][:4]), int(months[-1][5:])
    after = date(year + month // 12, month % 12 + 1, 1)
    return day_start(after), first


def _per_employer(months: list[str]) -> tuple[str, list]:
    """The CTEs down to `per`: (month, employer, org, open, staff), and their arguments.

    Each need listed in the months is read once, with its first, last and withdrawal months
    (`listed`, materialised: the months are worked out per need, not per need and month), then
    matched to the months by comparing those texts."""
    values = ", ".join("({})" for _ in months)
    ends, starts = _bounds(months)
    sql = (
        f"WITH m(month) AS (VALUES {values}), "
        "listed AS MATERIALIZED (SELECT n.employer AS employer, n.org AS org, "
        f"n.headcount AS headcount, {dialect.local_month('n.published_at')} AS first, "
        f"{dialect.date_month('n.valid_until')} AS last, "
        f"{dialect.local_month('n.withdrawn_at')} AS gone FROM need n "
        "WHERE n.status IN ('published', 'withdrawn') AND n.published_at < {} "
        "AND n.valid_until >= {}), "
        "opened AS (SELECT m.month AS month, x.employer AS employer, x.org AS org, "
        "SUM(x.headcount) AS open FROM m JOIN listed x ON x.first <= m.month "
        "AND x.last >= m.month AND (x.gone IS NULL OR x.gone >= m.month) "
        "GROUP BY m.month, x.employer, x.org), "
        "latest AS (SELECT m.month AS month, s.employer AS employer, MAX(s.month) AS at "
        "FROM m JOIN staff_report s ON s.month <= m.month GROUP BY m.month, s.employer), "
        "staffed AS (SELECT l.month AS month, s.employer AS employer, s.org AS org, "
        "s.staff AS staff FROM latest l JOIN staff_report s ON s.employer = l.employer "
        "AND s.month = l.at), "
        "per AS (SELECT u.month AS month, u.employer AS employer, u.org AS org, "
        "SUM(u.open) AS open, SUM(u.staff) AS staff FROM ("
        "SELECT month, employer, org, open, 0 AS staff FROM opened UNION ALL "
        "SELECT month, employer, org, 0 AS open, staff FROM staffed) u "
        "GROUP BY u.month, u.employer, u.org) ")
    return sql, [*months, ends, starts]


def _scoped(scope: VacancyScope) -> tuple[str, list]:
    where = "substr(o.path, 1, {}) = {}"
    args: list = [len(scope.org["path"]), scope.org["path"]]
    if scope.industry:
        where += " AND e.industry = {}"
        args.append(scope.industry)
    return where, args


async def table(scope: VacancyScope) -> list[dict]:
    """[{"month","industry","district","open","staff","rate"}]: every month x industry x
    district with an employer in it, by month, industry and district."""
    cte, args = _per_employer(scope.months)
    where, where_args = _scoped(scope)
    rows = await db.fetch(
        f"{cte}SELECT per.month AS month, e.industry AS industry, "
        "COALESCE(a.code, {}) AS district, SUM(per.open) AS open, SUM(per.staff) AS staff "
        "FROM per JOIN employer e ON e.id = per.employer JOIN organisation o ON o.id = per.org "
        "LEFT JOIN organisation a ON a.parent = {} "
        "AND substr(o.path, 1, length(a.path)) = a.path "
        f"WHERE {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        *args, scope.org["code"], scope.org["id"], *where_args)
    return [{"month": r["month"], "industry": r["industry"], "district": r["district"],
             "open": int(r["open"]), "staff": int(r["staff"]),
             "rate": rate(int(r["open"]), int(r["staff"]))} for r in rows]


async def top_employers(scope: VacancyScope, limit: int = TOP) -> list[dict]:
    """The employers with the largest gaps (open headcount) in the scope's last month, with
    their staff and rate; ties by the higher rate, then the name."""
    month = scope.months[-1]
    cte, args = _per_employer([month])
    where, where_args = _scoped(scope)
    rows = await db.fetch(
        f"{cte}SELECT per.employer AS employer, e.name AS name, e.industry AS industry, "
        "MAX(o.code) AS org, SUM(per.open) AS open, SUM(per.staff) AS staff FROM per "
        "JOIN employer e ON e.id = per.employer JOIN organisation o ON o.id = per.org "
        f"WHERE {where} GROUP BY per.employer, e.name, e.industry HAVING SUM(per.open) > 0 "
        "ORDER BY SUM(per.open) DESC, "
        "SUM(per.open) * 1.0 / (SUM(per.staff) + SUM(per.open)) DESC, e.name "
        f"LIMIT {int(limit)}", *args, *where_args)
    return [{"employer": r["employer"], "name": r["name"], "industry": r["industry"],
             "org": r["org"], "month": month, "open": int(r["open"]),
             "staff": int(r["staff"]), "rate": rate(int(r["open"]), int(r["staff"]))}
            for r in rows]


def rollup(items: list[dict], key: str | None, month: str | None = None) -> list[dict]:
    """Sums of the table's rows by `key` ("month", "industry", "district"; None: one total),
    within `month` when given; each with its rate."""
    sums: dict[str, list[int]] = {}
    for row in items:
        if month and row["month"] != month:
            continue
        entry = sums.setdefault(row[key] if key else "", [0, 0])
        entry[0] += row["open"]
        entry[1] += row["staff"]
    return [{**({key: k} if key else {}), "open": o, "staff": s, "rate": rate(o, s)}
            for k, (o, s) in sorted(sums.items())]


async def report(principal: Principal | None, first: str | None = None,
                 last: str | None = None, org: str | None = None,
                 industry: str | None = None, top: int = TOP) -> dict:
    """Everything the page and the API show."""
    if not 1 <= top <= 100:
        raise Invalid("top", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 100})
    scope = await resolve(principal, first, last, org, industry)
    items = await table(scope)
    by_month = {r["month"]: r for r in rollup(items, "month")}
    empty = {"open": 0, "staff": 0, "rate": None}
    return {
        "scope": scope,
        "org": scope.org,
        "months": scope.months,
        "items": items,
        "totals": [{"month": m, **{k: v for k, v in by_month.get(m, empty).items()
                                   if k != "month"}} for m in scope.months],
        "by_industry": rollup(items, "industry", scope.months[-1]),
        "by_district": rollup(items, "district", scope.months[-1]),
        "top": await top_employers(scope, top),
    }
