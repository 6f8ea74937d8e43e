"""Employer visits (服务企业, 家次) one employer or one month at a time: the same definition as
the counts of `read` (definitions: presence() at held fairs and the services recorded,
at most one per employer, day and kind), asked by the plan dashboard (visits by month and
kind) and by the outreach slice (an employer's service history, its last contact, the
employers contacted in a quarter).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fairs import db

from .definitions import VISIT_KINDS, held, presence, service_days, services
from .read import Scope, held_fairs, service_visits


def visits(scope: Scope) -> tuple[str, list[Any]]:
    """One statement, rows (employer, day, kind): the employer visits in scope, each once, and
    its args: the relation every count of employer visits is taken over."""
    fairs, args = held_fairs(scope)
    recorded, recorded_args = service_visits(scope)
    sql = (f"WITH h AS ({fairs}), pres AS ({presence('h')}), sv AS ({recorded}) "
           "SELECT employer, day, kind FROM pres UNION SELECT employer, day, kind FROM sv")
    return sql, [*args, scope.at, *recorded_args]


async def visits_by_month(scope: Scope) -> dict[str, dict[str, int]]:
    """{"2027-03": {kind: n, ...}, ...}: the employer visits in scope by local month and kind
    (every kind of VISIT_KINDS present, zeros included); they add up to the employer_visits of
    read.totals() over the same scope."""
    sql, args = visits(scope)
    rows = await db.fetch(f"SELECT substr(v.day, 1, 7) AS month, v.kind, COUNT(*) AS n "
                          f"FROM ({sql}) v GROUP BY substr(v.day, 1, 7), v.kind", *args)
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        out.setdefault(str(r["month"]), dict.fromkeys(VISIT_KINDS, 0))[r["kind"]] = int(r["n"])
    return dict(sorted(out.items()))


def _marks(ids: list[int]) -> str:
    return ", ".join("{}" for _ in ids)


def _employer_fairs(ids: list[int]) -> tuple[str, list[int]]:
    """The held fairs where these employers booked a booth or a guest slot (h for presence()):
    one placeholder for `at`, then the ids twice."""
    marks = _marks(ids)
    return (f"SELECT f.id, f.starts_at FROM fair f WHERE {held('f')} AND (f.id IN "
            f"(SELECT b.fair FROM booking b WHERE b.employer IN ({marks})) OR f.id IN "
            f"(SELECT sb.fair FROM slot_booking sb WHERE sb.employer IN ({marks})))"), ids + ids


async def last_visits(employer_ids: list[int], at: datetime) -> dict[int, date]:
    """{employer: the day of its latest visit of any kind by `at`} (fair attendance anywhere,
    services recorded by anyone); employers never visited are left out."""
    ids = sorted(set(employer_ids))
    if not ids:
        return {}
    fairs, fair_args = _employer_fairs(ids)
    marks = _marks(ids)
    sql = (f"WITH h AS ({fairs}), pres AS ({presence('h')}), "
           f"sv AS ({services('s')} AND s.employer IN ({marks})) "
           f"SELECT employer, MAX(day) AS day FROM (SELECT employer, day FROM pres "
           f"WHERE employer IN ({marks}) UNION ALL SELECT employer, day FROM sv) x "
           "GROUP BY employer")
    first, after, last = service_days(None, None, at)
    rows = await db.fetch(sql, at, *fair_args, at, "%", first, after, last, *ids, *ids)
    return {int(r["employer"]): date.fromisoformat(str(r["day"])) for r in rows}


async def employer_presences(employer_id: int, at: datetime) -> list[dict]:
    """An employer's fair attendance as visits, newest first: [{"fair", "day"}], one per fair
    and day (a booth check-in or an ended guest slot at a held fair, as presence() says)."""
    fairs, fair_args = _employer_fairs([employer_id])
    rows = await db.fetch(
        f"WITH h AS ({fairs}), pres AS ({presence('h')}) SELECT DISTINCT fair, day FROM pres "
        "WHERE employer = {} ORDER BY day DESC, fair DESC", at, *fair_args, at, employer_id)
    return [{"fair": int(r["fair"]), "day": date.fromisoformat(str(r["day"]))} for r in rows]
