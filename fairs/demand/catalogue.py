"""The public demand catalogue (重点产业人才需求目录, and with `skilled` the 技能型人才需求目录):
the listed needs (published, valid until today or later in China's calendar, of an approved
employer) with filters: the employer's industry, the organisation the need is filed with (its
subtree: a district and its streets), education, job type, skilled, and words of the title or
skills. Anyone reads it; pages are bounded (at most MAX_LIMIT needs, from at most MAX_OFFSET), so
a request costs one indexed count and one page whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fairs import clock, db
from fairs.catalog import services as catalog
from fairs.db import dialect
from fairs.employers.fields import check_education, check_job_type
from fairs.errors import Invalid
from fairs.i18n import N_

from . import workforce
from .needs import COLUMNS, FROM, row_out

MAX_LIMIT = 100
MAX_OFFSET = 10_000
EXPORT_ROWS = 5_000  # the workbook's most rows (the newest)
# What the catalogue lists (alias n for the need; one placeholder: today): fairs.demand.needs.
# is_listed says the same of one need.
LISTED = "n.status = 'published' AND n.valid_until >= {}"


@dataclass(frozen=True)
class DemandFilter:
    industry: str | None = None
    org: str | None = None  # an organisation's code: its subtree
    org_path: str | None = None  # resolved by check_filter
    education: str | None = None
    job_type: str | None = None
    skilled: bool | None = None
    q: str | None = None


async def check_filter(industry: str | None = None, org: str | None = None,
                       education: str | None = None, job_type: str | None = None,
                       skilled: bool | None = None, q: str | None = None) -> DemandFilter:
    """The filter with its codes checked (an unknown one is a 422 naming its field)."""
    if industry:
        await catalog.check_industries([industry], "industry")
    path = None
    if org:
        path = (await workforce.known_org(org))["path"]
    q = (q or "").strip() or None
    if q and len(q) > 100:
        raise Invalid("q", N_("at most {n} characters"), code="too_long", params={"n": 100})
    return DemandFilter(
        industry=industry or None, org=org or None, org_path=path,
        education=check_education(education) if education else None,
        job_type=check_job_type(job_type) if job_type else None, skilled=skilled, q=q)


def _where(flt: DemandFilter, today: date) -> tuple[str, list]:
    where, args = LISTED, [today]
    if flt.industry:
        where += " AND n.industry = {}"
        args.append(flt.industry)
    if flt.org_path:
        # Not through need_org_status (SQLite's planner, without statistics, would walk every
        # need of each organisation of the subtree, expired ones included): need_listed's
        # range of unexpired needs holds org.
        where += (f" AND {dialect.unindexed(True)}n.org IN (SELECT s.id FROM organisation s "
                  "WHERE substr(s.path, 1, {}) = {})")
        args += [len(flt.org_path), flt.org_path]
    if flt.education:
        where += " AND n.education = {}"
        args.append(flt.education)
    if flt.job_type:
        where += " AND n.job_type = {}"
        args.append(flt.job_type)
    if flt.skilled is not None:
        where += " AND n.skilled = {}"
        args.append(flt.skilled)
    if flt.q:
        like = "%" + flt.q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        where += " AND (LOWER(n.title) LIKE {} OR LOWER(n.skills) LIKE {})"
        args += [like, like]
    return where, args


async def listing(flt: DemandFilter, limit: int = 20, offset: int = 0,
                  count: bool = True) -> tuple[list[dict], int | None]:
    """A page of the listed needs in the filter, newest published first, and how many there
    are in all (when `count`)."""
    if not 1 <= limit <= EXPORT_ROWS:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": EXPORT_ROWS})
    if not 0 <= offset <= MAX_OFFSET:
        raise Invalid("offset", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 0, "hi": MAX_OFFSET})
    where, args = _where(flt, clock.today_local())
    total = None
    if count:
        # Every filter is the need's own column: the count reads the need_listed index alone.
        found = await db.fetch(f"SELECT COUNT(*) AS n FROM need n WHERE {where}", *args)
        total = int(found[0]["n"])
        if total == 0 or offset >= total:
            return [], total
    rows = await db.fetch(f"SELECT {COLUMNS} {FROM} WHERE {where} "
                          f"ORDER BY n.published_at DESC, n.id DESC "
                          f"LIMIT {int(limit)} OFFSET {int(offset)}", *args)
    return [row_out(r) for r in rows], total
