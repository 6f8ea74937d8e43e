"""Demo profiles: about half of the job seekers registered for the next upcoming offline fair
told what they look for (so the employers' positions pages count who fits them), a third of
those agreeing to be contacted. Idempotent: a fair that has profiles is left alone."""

from __future__ import annotations

import random

from fairs import clock, db
from fairs.catalog.reference import INDUSTRIES
from fairs.employers.positions import JOB_TYPES

EDUCATION_WEIGHTS = {"senior": 3, "college": 4, "bachelor": 5, "master": 2}


async def load(ctx) -> None:
    now = clock.now()
    fairs = await db.fetch(
        "SELECT f.id FROM fair f WHERE f.status = 'published' AND f.kind = 'offline' "
        "AND f.starts_at > {} AND EXISTS (SELECT 1 FROM registration r WHERE r.fair = f.id) "
        "ORDER BY f.starts_at LIMIT 1", now)
    if not fairs:
        return
    fair_id = fairs[0]["id"]
    if (await db.fetch("SELECT COUNT(*) AS n FROM seeker_profile WHERE fair = {}",
                       fair_id))[0]["n"]:
        return
    wanted = [r["industry"] for r in await db.fetch(
        "SELECT DISTINCT e.industry FROM job_position p JOIN employer e ON e.id = p.employer "
        "WHERE p.fair = {} ORDER BY e.industry", fair_id)] or [i[0] for i in INDUSTRIES[:5]]
    others = [i[0] for i in INDUSTRIES]
    districts = [r["code"] for r in await db.fetch(
        "SELECT code FROM organisation WHERE kind IN ('district', 'area') ORDER BY path")]
    rng = random.Random(fair_id)
    registrations = await db.fetch("SELECT id FROM registration WHERE fair = {} "
                                   "AND status = 'active' ORDER BY id", fair_id)
    rows = []
    for r in registrations:
        if rng.random() < 0.5:
            continue
        industries = sorted(set(rng.sample(wanted, min(len(wanted), rng.choice((1, 1, 2))))
                                + ([rng.choice(others)] if rng.random() < 0.3 else [])))
        job_types = sorted(set(rng.sample(JOB_TYPES[:2], rng.choice((0, 1, 1)))))
        education = rng.choices(list(EDUCATION_WEIGHTS), list(EDUCATION_WEIGHTS.values()))[0]
        places = rng.sample(districts, 1) if districts and rng.random() < 0.4 else []
        pay = rng.choice((None, 4000, 5000, 6000, 7000, 8000, 9000))
        rows.append((r["id"], fair_id, ",".join(industries), ",".join(job_types), education,
                     "", ",".join(places), pay, rng.random() < 0.35, now, now))
    if not rows:
        return
    columns = ("registration", "fair", "industries", "job_types", "education", "major",
               "districts", "expected_pay", "consent_contact", "consented_at", "updated_at")
    marks = "(" + ", ".join("{}" for _ in columns) + ")"
    async with db.write_transaction():
        for start in range(0, len(rows), 200):
            chunk = rows[start:start + 200]
            await db.execute(f"INSERT INTO seeker_profile ({', '.join(columns)}) VALUES "
                             + ", ".join(marks for _ in chunk),
                             *[v for row in chunk for v in row])
