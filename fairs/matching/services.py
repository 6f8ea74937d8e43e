"""Job seekers' profiles and the positions ranked for them (issue 19, "Positions for you").

A profile belongs to one registration and is reached only with the ticket's secret (the holder's
key), never with its door code, which door staff and employers see. It is optional, given with
the registration (fairs.hooks.registration_profile: checked before the registration's write,
written in its transaction) or later on the ticket page; the holder changes or deletes it at any
time; the retention run deletes it with the registration's own personal data
(`purge_profiles`, fairs.hooks.retention_purge).

Rules of a profile (422 naming the field): at most MAX_INDUSTRIES industries of the catalogue,
MAX_JOB_TYPES job types, MAX_DISTRICTS districts (organisations of kind district or area), an
education of junior .. doctor, a major of at most MAX_MAJOR characters, an expected pay of
PAY_RANGE yuan a month or none. The ranking is fairs.matching.score's, over the fair's offered
positions (fairs.measures.ACTIVE_POSITION).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from fairs import clock, db, hooks
from fairs.bounds import check_text
from fairs.catalog import services as catalog
from fairs.employers.positions import EDUCATION, JOB_TYPE_ZH, JOB_TYPES, PAY_BOUNDS
from fairs.errors import Conflict, FairsError, FieldError, Invalid, NotFound
from fairs.i18n import N_
from fairs.measures import ACTIVE_POSITION
from fairs.tickets import services as tickets

from . import score as scoring
from .score import Job, Seeker

MAX_INDUSTRIES, MAX_JOB_TYPES, MAX_DISTRICTS, MAX_MAJOR = 5, 4, 5, 50
PAY_RANGE = PAY_BOUNDS["month"]  # (500, 1,000,000): what a monthly pay may be
EDUCATIONS = tuple(e for e in EDUCATION if e != "any")
DISTRICT_KINDS = ("district", "area")
FORM_PREFIX = "profile_"  # the registration form's and the profile form's field names
CANCELLED = N_("this registration was cancelled")


@dataclass(frozen=True)
class Profile:
    """A checked profile (what is stored)."""

    industries: tuple[str, ...]
    job_types: tuple[str, ...]
    education: str
    major: str = ""
    districts: tuple[str, ...] = ()
    expected_pay: int | None = None
    consent_contact: bool = False

    def seeker(self) -> Seeker:
        return Seeker(frozenset(self.industries), frozenset(self.job_types), self.education,
                      self.expected_pay, frozenset(self.districts))


# --- checking ---------------------------------------------------------------------------------


def _codes(raw: Any, field: str, limit: int) -> list[str]:
    if raw is None or raw == "":
        return []
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise Invalid(field, N_("a list of codes"), code="type")
    codes = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if len(codes) > limit:
        raise Invalid(field, N_("at most {n} items"), code="too_many", params={"n": limit})
    return codes


async def district_choices() -> list[dict]:
    """The organisations a job seeker may prefer: the active districts and areas."""
    marks = ", ".join("{}" for _ in DISTRICT_KINDS)
    return await db.fetch(
        "SELECT code, name_zh, name_en, kind, path FROM organisation "
        f"WHERE active = {{}} AND kind IN ({marks}) ORDER BY path", True, *DISTRICT_KINDS)


async def _check_districts(codes: list[str]) -> list[str]:
    if not codes:
        return []
    known = {r["code"] for r in await district_choices()}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid("districts", N_("unknown code(s): {codes}"), code="unknown_code",
                      params={"codes": unknown})
    return codes


def check_pay(raw: Any) -> int | None:
    if raw is None or raw == 0:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise Invalid("expected_pay", N_("a whole number"), code="type")
    lo, hi = PAY_RANGE
    if not lo <= raw <= hi:
        raise Invalid("expected_pay", N_("from {lo} to {hi} yuan a month"), code="out_of_range",
                      params={"lo": lo, "hi": hi})
    return raw


async def check_profile(raw: Mapping[str, Any] | msgspec.Struct) -> Profile:
    """A profile as the API (fairs.tickets.schemas.ProfileIn) or a service gives it, checked;
    an Invalid naming the field (without any prefix) otherwise."""
    data = msgspec.structs.asdict(raw) if isinstance(raw, msgspec.Struct) else dict(raw)
    industries = _codes(data.get("industries"), "industries", MAX_INDUSTRIES)
    industries = await catalog.check_industries(industries, "industries")
    education = str(data.get("education") or "").strip()
    if education not in EDUCATIONS:
        raise Invalid("education", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": list(EDUCATIONS)})
    job_types = [JOB_TYPE_ZH.get(j, j) for j in
                 _codes(data.get("job_types"), "job_types", MAX_JOB_TYPES)]
    wrong = [j for j in job_types if j not in JOB_TYPES]
    if wrong:
        raise Invalid("job_types", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": list(JOB_TYPES)})
    major = check_text(str(data.get("major") or ""), "major", MAX_MAJOR)
    districts = await _check_districts(_codes(data.get("districts"), "districts",
                                              MAX_DISTRICTS))
    consent = data.get("consent_contact", False)
    if not isinstance(consent, bool):
        raise Invalid("consent_contact", N_("true or false"), code="type")
    return Profile(tuple(industries), tuple(dict.fromkeys(job_types)), education, major,
                   tuple(districts), check_pay(data.get("expected_pay")), consent)


def _form_list(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(FORM_PREFIX + name)
    if value is None or value == "":
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def profile_from_form(data: Mapping[str, Any]) -> dict:
    """A profile's form fields (`profile_industries`, ... `profile_consent`,
    `profile_contact`) as check_profile takes them. The purpose-and-retention box must be
    ticked (field `consent`)."""
    if not data.get(FORM_PREFIX + "consent"):
        raise Invalid("consent", N_("tick the box to agree, or leave the profile empty"),
                      code="consent_required")
    raw_pay = str(data.get(FORM_PREFIX + "expected_pay") or "").strip().replace(",", "")
    pay: int | None = None
    if raw_pay:
        if not raw_pay.isdigit() or len(raw_pay) > 9:
            raise Invalid("expected_pay", N_("a whole number"), code="type")
        pay = int(raw_pay)
    return {"industries": _form_list(data, "industries"),
            "job_types": _form_list(data, "job_types"),
            "education": str(data.get(FORM_PREFIX + "education") or ""),
            "major": str(data.get(FORM_PREFIX + "major") or "")[:500],
            "districts": _form_list(data, "districts"), "expected_pay": pay,
            "consent_contact": bool(data.get(FORM_PREFIX + "contact"))}


def _is_form(raw: Any) -> bool:
    return isinstance(raw, Mapping) and any(str(k).startswith(FORM_PREFIX) for k in raw)


async def checked(raw: Any) -> Profile:
    """A profile from the API (a Struct or a mapping) or from a form (`profile_*` fields)."""
    return await check_profile(profile_from_form(raw) if _is_form(raw) else raw)


# --- storing ----------------------------------------------------------------------------------

_UPSERT = (
    "INSERT INTO seeker_profile (registration, fair, industries, job_types, education, major, "
    "districts, expected_pay, consent_contact, consented_at, updated_at) "
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (registration) DO UPDATE "
    "SET industries = excluded.industries, job_types = excluded.job_types, "
    "education = excluded.education, major = excluded.major, districts = excluded.districts, "
    "expected_pay = excluded.expected_pay, consent_contact = excluded.consent_contact, "
    "consented_at = excluded.consented_at, updated_at = excluded.updated_at RETURNING id")


async def save(registration_id: int, fair_id: int, profile: Profile) -> None:
    """Write (or replace) a registration's profile: one statement."""
    at = clock.now()
    await db.write(_UPSERT, registration_id, fair_id, ",".join(profile.industries),
                   ",".join(profile.job_types), profile.education, profile.major,
                   ",".join(profile.districts), profile.expected_pay, profile.consent_contact,
                   at, at)


async def given_with_registration(raw: Any) -> hooks.ProfileWrite:
    """fairs.hooks.registration_profile: check now (422 naming `profile.<field>`), write inside
    the registration's transaction."""
    try:
        profile = await checked(raw)
    except FairsError as exc:
        raise exc.under("profile") from None

    async def write(registration_id: int, fair_id: int) -> None:
        await save(registration_id, fair_id, profile)

    return hooks.ProfileWrite(write)


def _stored(row: dict) -> dict:
    return {"industries": scoring.as_list(row["industries"]),
            "job_types": scoring.as_list(row["job_types"]), "education": row["education"],
            "major": row["major"], "districts": scoring.as_list(row["districts"]),
            "expected_pay": row["expected_pay"], "consent_contact": bool(row["consent_contact"]),
            "consented_at": db.as_datetime(row["consented_at"]),
            "updated_at": db.as_datetime(row["updated_at"])}


def as_profile(stored: dict) -> Profile:
    return Profile(tuple(stored["industries"]), tuple(stored["job_types"]), stored["education"],
                   stored["major"], tuple(stored["districts"]), stored["expected_pay"],
                   stored["consent_contact"])


async def profile_of_registration(registration_id: int) -> dict | None:
    rows = await db.fetch(
        "SELECT industries, job_types, education, major, districts, expected_pay, "
        "consent_contact, consented_at, updated_at FROM seeker_profile WHERE registration = {}",
        registration_id)
    return _stored(rows[0]) if rows else None


# --- the holder's ticket ----------------------------------------------------------------------


async def holder(secret: str) -> dict:
    """The registration of a ticket's secret (404 for anything else, a door code included)."""
    row = await tickets.by_secret(secret)
    if row is None:
        raise NotFound(N_("no such ticket"), code="unknown_ticket")
    return row


async def ticket_and_fair(secret: str) -> tuple[dict, dict]:
    """The registration and its fair, for the holder's pages (404 for a door code)."""
    return await tickets.ticket(secret)


async def get_profile(secret: str) -> tuple[dict, dict | None]:
    row = await holder(secret)
    return row, await profile_of_registration(row["id"])


async def own_profile(secret: str) -> dict:
    """The holder's profile (404 when there is none)."""
    _row, profile = await get_profile(secret)
    if profile is None:
        raise NotFound(N_("no profile yet"), code="no_profile")
    return profile


async def put_profile(secret: str, raw: Any) -> dict:
    """Give or replace the profile of an active registration (409 once it is cancelled)."""
    row = await holder(secret)
    profile = await checked(raw)
    if row["status"] != "active":
        raise Conflict(CANCELLED, code="registration_cancelled",
                       errors=[FieldError("secret", CANCELLED, code="registration_cancelled")])
    await save(row["id"], row["fair"], profile)
    found = await profile_of_registration(row["id"])
    assert found is not None
    return found


async def delete_profile(secret: str) -> bool:
    """The holder deletes the profile (idempotent: False when there was none)."""
    row = await holder(secret)
    return bool(await db.write("DELETE FROM seeker_profile WHERE registration = {} "
                               "RETURNING id", row["id"]))


async def purge_profiles(cutoff: datetime, dry_run: bool = False) -> dict[str, int]:
    """fairs.hooks.retention_purge: the profiles of registrations of fairs that ended before
    `cutoff` (the registration's own retention) and of cancelled registrations."""
    where = ("registration IN (SELECT r.id FROM registration r JOIN fair f ON f.id = r.fair "
             "WHERE f.ends_at < {} OR r.status <> 'active')")
    if dry_run:
        rows = await db.fetch(f"SELECT COUNT(*) AS n FROM seeker_profile WHERE {where}", cutoff)
        return {"profiles": int(rows[0]["n"])}
    async with db.write_transaction():
        rows = await db.write(f"DELETE FROM seeker_profile WHERE {where} RETURNING id", cutoff)
    return {"profiles": len(rows)}


# --- positions for you ------------------------------------------------------------------------

_PLACE = ("SELECT f.kind, COALESCE(vo.path, fo.path) AS path FROM fair f "
          "JOIN organisation fo ON fo.id = f.org LEFT JOIN venue v ON v.id = f.venue "
          "LEFT JOIN organisation vo ON vo.id = v.org WHERE f.id = {}")

_JOBS = (
    "SELECT p.id, p.title, p.headcount, p.education, p.job_type, p.salary_min, p.salary_max, "
    "p.pay_unit, p.major, p.employer, e.name AS employer_name, e.industry, b.code AS booth, "
    "b.zone, b.x, b.y, gs.id AS slot_id, gs.starts_at AS slot_starts, gs.ends_at AS slot_ends, "
    "gs.label AS slot_label FROM job_position p JOIN employer e ON e.id = p.employer "
    "LEFT JOIN booking k ON k.id = p.booking LEFT JOIN booth b ON b.id = k.booth "
    "LEFT JOIN slot_booking sb ON sb.id = p.slot_booking "
    "LEFT JOIN guest_slot gs ON gs.id = sb.slot "
    f"WHERE p.fair = {{}} AND {ACTIVE_POSITION}")


async def place_of(fair_id: int) -> frozenset[str] | None:
    """The codes of the organisations a fair's place lies in (its venue's organisation, else
    the fair's), or None for an online fair."""
    rows = await db.fetch(_PLACE, fair_id)
    if not rows or rows[0]["kind"] == "online":
        return None
    return scoring.place_codes(rows[0]["path"])


def job_of(row: dict) -> Job:
    return Job(row["id"], row["industry"] or "", row["education"] or "any",
               row["job_type"] or "regular", row["salary_min"] or 0, row["salary_max"] or 0,
               row["pay_unit"] or "month")


async def fair_jobs(fair_id: int) -> list[dict]:
    """The positions offered at a fair, with their booth or guest slot."""
    return await db.fetch(_JOBS, fair_id)


def ranked_items(profile: Profile, rows: list[dict], place: frozenset[str] | None,
                 marked: set[int] = frozenset()) -> list[dict]:
    """The fair's positions (rows of fair_jobs) for a profile, best first, each with its score,
    the score's parts and reasons, whether it fits, and its booth or guest slot."""
    by_id = {r["id"]: r for r in rows}
    items = []
    for job, s in scoring.rank(profile.seeker(), (job_of(r) for r in rows), place):
        r = by_id[job.id]
        slot = None
        if r["slot_id"] is not None:
            slot = {"id": r["slot_id"], "starts_at": db.as_datetime(r["slot_starts"]),
                    "ends_at": db.as_datetime(r["slot_ends"]), "label": r["slot_label"] or ""}
        items.append({
            "position": job.id, "title": r["title"], "employer": r["employer"],
            "employer_name": r["employer_name"], "industry": job.industry,
            "booth": r["booth"], "zone": r["zone"], "x": r["x"], "y": r["y"], "slot": slot,
            "score": s.total, "parts": s.parts(), "reasons": s.reasons(),
            "fits": scoring.fits(s), "monthly_pay": job.monthly_pay,
            "education": job.education, "job_type": job.job_type,
            "salary_min": r["salary_min"], "salary_max": r["salary_max"],
            "pay_unit": r["pay_unit"], "headcount": r["headcount"],
            "interested": job.id in marked})
    return items


async def marked_positions(registration_id: int) -> set[int]:
    rows = await db.fetch("SELECT position FROM position_interest WHERE registration = {}",
                          registration_id)
    return {r["position"] for r in rows}


async def matches_for(registration: dict, profile: dict | None) -> list[dict]:
    """The positions for an active registration with a profile, best first ([] otherwise)."""
    if profile is None or registration["status"] != "active":
        return []
    rows = await fair_jobs(registration["fair"])
    if not rows:
        return []
    return ranked_items(as_profile(profile), rows, await place_of(registration["fair"]),
                        await marked_positions(registration["id"]))


async def matches(secret: str) -> tuple[dict, dict | None, list[dict]]:
    """GET /api/v1/tickets/{secret}/matches: (the registration, its profile, the ranked
    positions)."""
    row, profile = await get_profile(secret)
    return row, profile, await matches_for(row, profile)
