"""Wage levels (劳动力市场工资价位): the 25th, 50th and 75th percentiles and the count of offered
monthly pay, by industry and education (or by industry and job title), over a period.

What is counted, each offer once (not weighted by headcount):
- the needs published in the period (published_at on a day from `from` to `to`, China time)
  and still published (a withdrawn or rejected need's pay was not a standing offer);
- the positions of fairs starting in the period (published fairs, not cancelled), on active
  bookings (fairs.measures.ACTIVE_POSITION: the positions the official measures count).
The offered pay is fairs.pay's rule: the midpoint of the lowest and highest pay when both are
given, else the one given (an offer with neither is left out); a day or hour rate is converted
to a month by fairs.pay (21.75 days, 174 hours a month, 劳社部发〔2008〕3号). The industry is the
employer's.

Percentiles are PostgreSQL's percentile_cont (linear interpolation between the two nearest
ranks: the value at rank 1 + p(n - 1)) in one statement, spelled for each engine by
fairs.db.dialect.percentile_cont (SQLite: the same aggregate, registered by the engine); the
figures are rounded to whole yuan. A cell of fewer than `min_count` offers
(FAIRS_REPORT_MIN_CELL, 5 by default: the reports' minimum cell) is not shown: its offers are
too few to publish a level, and its count is given only as how many cells were withheld.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from fairs import clock, db, pay
from fairs.catalog import services as catalog
from fairs.db import dialect
from fairs.employers.fields import check_education
from fairs.errors import Invalid
from fairs.events.times import day_start
from fairs.i18n import N_
from fairs.measures import ACTIVE_POSITION

GROUPINGS = ("education", "title")
MAX_DAYS = 366 * 5
MAX_CELLS = 1000
DEFAULT_MIN_COUNT = 5


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """`from` and `to` (inclusive days): by default the year to today; `to` not before
    `from`, at most five years."""
    end = end or clock.today_local()
    start = start or end - timedelta(days=364)
    if end < start:
        raise Invalid("to", N_("must not be before {other}"), code="before_start",
                      params={"other": "from"})
    if (end - start).days > MAX_DAYS:
        raise Invalid("from", N_("at most {n} days"), code="too_long", params={"n": MAX_DAYS})
    return start, end


QUARTILES = {"p25": 0.25, "p50": 0.5, "p75": 0.75}


def _statement(by: str, industry: str | None, education: str | None) -> tuple[str, list[str]]:
    """The statement and the order of its arguments' names. The needs' part reads the
    need_wages index alone (industry and the offered monthly pay are kept on the need); the
    positions' part computes the same pay by the same rule (fairs.pay.offered_monthly_sql)."""
    need_where = ("n.status = 'published' AND n.published_at >= {} AND n.published_at < {} "
                  "AND n.monthly_pay IS NOT NULL")
    pay_sql = pay.offered_monthly_sql("p.salary_min", "p.salary_max", "p.pay_unit")
    pos_where = (f"f.status = 'published' AND f.starts_at >= {{}} AND f.starts_at < {{}} "
                 f"AND {ACTIVE_POSITION} AND {pay_sql} IS NOT NULL")
    names = ["start", "end"]
    for column, value in (("industry", industry), ("education", education)):
        if value:
            need_where += f" AND n.{column} = {{}}"
            names.append(column)
    pos_names = ["start", "end"]
    for column, value in (("industry", industry), ("education", education)):
        if value:
            pos_where += f" AND {'e' if column == 'industry' else 'p'}.{column} = {{}}"
            pos_names.append(column)
    key = "education" if by == "education" else "title"
    quartiles = ", ".join(f"{dialect.percentile_cont(fraction, 'pay')} AS {name}"
                          for name, fraction in QUARTILES.items())
    sql = (
        "WITH v AS ("
        f"SELECT n.industry AS industry, n.{key} AS k, n.monthly_pay AS pay "
        f"FROM need n WHERE {need_where} "
        f"UNION ALL SELECT e.industry, p.{key}, {pay_sql} "
        "FROM job_position p JOIN fair f ON f.id = p.fair JOIN employer e ON e.id = p.employer "
        f"WHERE {pos_where}) "
        f"SELECT industry, k, COUNT(*) AS count, {quartiles} FROM v "
        "GROUP BY industry, k ORDER BY industry, k")
    return sql, names + pos_names


def whole(value) -> int:
    """Whole yuan, halves up (the same on both engines: the figures are exact in binary)."""
    return int(math.floor(float(value) + 0.5))


async def wage_levels(start: date | None = None, end: date | None = None,
                      industry: str | None = None, education: str | None = None,
                      by: str = "education", min_count: int = DEFAULT_MIN_COUNT, *,
                      limiter: Any = None, address: str | None = None) -> dict:
    """{"from","to","by","min_count","items": [{"industry", "education" (or "title"),
    "count","p25","p50","p75"}],"suppressed": cells withheld}, by industry then the other
    key. Public: with a `limiter`, each table counts against `report_ip` for `address` (an
    aggregate over a year of needs and positions, tens of ms), after the input is checked."""
    if by not in GROUPINGS:
        raise Invalid("by", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": list(GROUPINGS)})
    if industry:
        await catalog.check_industries([industry], "industry")
    education = check_education(education) if education else None
    start, end = period(start, end)
    if limiter is not None:
        await limiter.hit("report_ip", address or "unknown")
    sql, names = _statement(by, industry, education)
    values = {"start": day_start(start), "end": day_start(end + timedelta(days=1)),
              "industry": industry, "education": education}
    rows = await db.fetch(sql, *(values[n] for n in names))
    items, suppressed = [], 0
    for r in rows:
        count = int(r["count"])
        if count < min_count:
            suppressed += 1
            continue
        if len(items) < MAX_CELLS:
            items.append({"industry": r["industry"], by: r["k"], "count": count,
                          "p25": whole(r["p25"]), "p50": whole(r["p50"]),
                          "p75": whole(r["p75"])})
    return {"from": start, "to": end, "by": by, "min_count": min_count, "items": items,
            "suppressed": suppressed}
