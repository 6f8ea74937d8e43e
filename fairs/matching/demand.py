"""What an employer sees of the job seekers' profiles (issue 19, "Employers see demand"): for each
of its positions at a fair, how many registrants' profiles it fits (counted in the database by
the score's SQL, fairs.matching.score.fit_sql), before and during the fair; and the job seekers
who marked its positions and agreed to be contacted, with their name and number. Nobody else's
positions, and nothing of a job seeker who did not agree beyond the counts.

Counted: profiles of active registrations of the fair; interests of active registrations."""

from __future__ import annotations

from fairs import clock, db
from fairs.accounts.services import Principal
from fairs.employers import services as employers
from fairs.errors import Invalid
from fairs.i18n import N_
from fairs.measures import ACTIVE_POSITION

from . import score as scoring
from .services import as_profile, job_of, place_of

_ACTIVE_PROFILE = ("EXISTS (SELECT 1 FROM registration r WHERE r.id = s.registration "
                   "AND r.status = 'active')")


async def _employer(principal: Principal) -> int:
    return (await employers.employer_for(principal))["id"]


async def _fairs_of(employer_id: int, fair_id: int | None) -> list[int]:
    """The fairs whose demand an employer sees: the one asked for, or every fair not yet ended
    where it offers positions."""
    if fair_id is not None:
        return [fair_id]
    rows = await db.fetch(
        "SELECT DISTINCT p.fair, f.starts_at FROM job_position p JOIN fair f ON f.id = p.fair "
        f"WHERE p.employer = {{}} AND f.status = 'published' AND f.ends_at > {{}} "
        f"AND {ACTIVE_POSITION} ORDER BY f.starts_at, p.fair", employer_id, clock.now())
    return [r["fair"] for r in rows]


async def position_counts(fair_id: int, employer_id: int,
                          positions: list[int] | None = None) -> list[dict]:
    """Per offered position of the employer at the fair: the fair's profiles, those the
    position fits, the job seekers who marked it and those of them who may be contacted."""
    _total, fit, args = scoring.fit_sql(await place_of(fair_id))
    where, more = "", []
    if positions is not None:
        if not positions:
            return []
        where = f" AND p.id IN ({', '.join('{}' for _ in positions)})"
        more = list(positions)
    rows = await db.fetch(
        "SELECT p.id AS position, p.title, p.fair, f.title AS fair_title, f.starts_at, "
        f"f.ends_at, COUNT(s.id) AS profiles, COALESCE(SUM(CASE WHEN {fit} THEN 1 ELSE 0 END), "
        "0) AS fits FROM job_position p JOIN employer e ON e.id = p.employer "
        "JOIN fair f ON f.id = p.fair "
        f"LEFT JOIN seeker_profile s ON s.fair = p.fair AND {_ACTIVE_PROFILE} "
        f"WHERE p.fair = {{}} AND p.employer = {{}} AND {ACTIVE_POSITION}{where} "
        "GROUP BY p.id, p.title, p.fair, f.title, f.starts_at, f.ends_at ORDER BY p.id",
        *args, fair_id, employer_id, *more)
    interested = await db.fetch(
        "SELECT i.position, COUNT(*) AS n, "
        "COALESCE(SUM(CASE WHEN s.consent_contact THEN 1 ELSE 0 END), 0) AS contactable "
        "FROM position_interest i JOIN registration r ON r.id = i.registration "
        "AND r.status = 'active' LEFT JOIN seeker_profile s ON s.registration = i.registration "
        "WHERE i.employer = {} AND i.fair = {} GROUP BY i.position", employer_id, fair_id)
    marked = {r["position"]: r for r in interested}
    for r in rows:
        m = marked.get(r["position"])
        r.update(profiles=int(r["profiles"]), fits=int(r["fits"]),
                 interested=int(m["n"]) if m else 0,
                 contactable=int(m["contactable"]) if m else 0,
                 starts_at=db.as_datetime(r["starts_at"]), ends_at=db.as_datetime(r["ends_at"]))
    return rows


async def demand(principal: Principal, fair_id: int | None = None) -> list[dict]:
    """The caller's (an employer's) positions with their counts: at one fair, or at every fair
    not yet ended where it offers positions."""
    employer_id = await _employer(principal)
    found: list[dict] = []
    for fair in await _fairs_of(employer_id, fair_id):
        found += await position_counts(fair, employer_id)
    return found


async def contactable_seekers(principal: Principal, fair_id: int | None = None,
                              limit: int = 100, offset: int = 0) -> dict:
    """The job seekers who marked the caller's positions and agreed to be contacted: name,
    number, what they look for, and how well the position suits them; `hidden` counts those who
    marked a position without agreeing (not shown)."""
    employer_id = await _employer(principal)
    if not 1 <= limit <= 500:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 500})
    where, args = "i.employer = {}", [employer_id]
    if fair_id is not None:
        where += " AND i.fair = {}"
        args.append(fair_id)
    base = ("FROM position_interest i JOIN registration r ON r.id = i.registration "
            "AND r.status = 'active' LEFT JOIN seeker_profile s "
            f"ON s.registration = i.registration WHERE {where}")
    counts = await db.fetch(
        "SELECT COALESCE(SUM(CASE WHEN s.consent_contact THEN 1 ELSE 0 END), 0) AS shown, "
        f"COUNT(*) AS marked {base}", *args)
    rows = await db.fetch(
        "SELECT i.id, i.position, i.fair, i.created_at, p.title, p.education, p.job_type, "
        "p.salary_min, p.salary_max, p.pay_unit, e.industry, f.title AS fair_title, r.name, "
        "r.phone, s.industries, s.job_types, s.education AS seeker_education, s.major, "
        "s.districts, s.expected_pay, s.consent_contact FROM position_interest i "
        "JOIN registration r ON r.id = i.registration AND r.status = 'active' "
        "JOIN seeker_profile s ON s.registration = i.registration AND s.consent_contact = {} "
        "JOIN job_position p ON p.id = i.position JOIN employer e ON e.id = p.employer "
        f"JOIN fair f ON f.id = i.fair WHERE {where} ORDER BY i.created_at DESC, i.id DESC "
        f"LIMIT {int(limit)} OFFSET {int(offset)}", True, *args)
    places: dict[int, frozenset[str] | None] = {}
    items = []
    for r in rows:
        if r["fair"] not in places:
            places[r["fair"]] = await place_of(r["fair"])
        profile = as_profile({
            "industries": scoring.as_list(r["industries"]),
            "job_types": scoring.as_list(r["job_types"]), "education": r["seeker_education"],
            "major": r["major"], "districts": scoring.as_list(r["districts"]),
            "expected_pay": r["expected_pay"], "consent_contact": True})
        s = scoring.score(profile.seeker(), job_of({**r, "id": r["position"]}),
                          places[r["fair"]])
        items.append({
            "id": r["id"], "fair": r["fair"], "fair_title": r["fair_title"],
            "position": r["position"], "title": r["title"], "name": r["name"],
            "phone": r["phone"], "industries": list(profile.industries),
            "job_types": list(profile.job_types), "education": profile.education,
            "major": profile.major, "expected_pay": profile.expected_pay, "score": s.total,
            "reasons": s.reasons(), "created_at": db.as_datetime(r["created_at"])})
    shown, marked = int(counts[0]["shown"]), int(counts[0]["marked"])
    return {"items": items, "total": shown, "hidden": marked - shown}
