"""Demo hiring intentions: at each held fair, about one admitted job seeker in six leaves with a
preliminary intention from an employer that was there (sometimes two). Idempotent: a fair that
has intentions is left alone; nothing happens without held fairs, admissions and positions.
Then the audience tally of the fairs whose rows were written directly, recounted."""

from __future__ import annotations

import random
from datetime import timedelta

from fairs import clock, db, measures


async def load(ctx) -> None:
    now = clock.now()
    held = await db.fetch(
        f"SELECT f.id, f.starts_at FROM fair f WHERE {measures.held('f')} "
        "AND NOT EXISTS (SELECT 1 FROM intention i WHERE i.fair = f.id) "
        "AND EXISTS (SELECT 1 FROM admission a WHERE a.fair = f.id) ORDER BY f.id", now)
    touched: list[int] = []
    for fair in held:
        positions = await db.fetch(
            "SELECT p.id, p.employer FROM job_position p JOIN booking b ON b.id = p.booking "
            "WHERE p.fair = {} AND b.status = 'confirmed' AND b.checked_in_at IS NOT NULL "
            "ORDER BY p.id", fair["id"])
        if not positions:
            continue
        admitted = await db.fetch(
            "SELECT registration FROM admission WHERE fair = {} ORDER BY registration",
            fair["id"])
        rng = random.Random(20_000 + fair["id"])
        starts = db.as_datetime(fair["starts_at"])
        rows = []
        for a in admitted:
            if rng.random() >= 1 / 6:
                continue
            for p in rng.sample(positions, k=min(len(positions), 1 + (rng.random() < .2))):
                rows.append((fair["id"], a["registration"], p["id"], p["employer"],
                             starts + timedelta(minutes=rng.randint(20, 170))))
        if not rows:
            continue
        touched.append(fair["id"])
        async with db.write_transaction():
            for i in range(0, len(rows), 200):
                part = rows[i:i + 200]
                await db.execute(
                    "INSERT INTO intention (fair, registration, position, employer, created_at) "
                    "VALUES " + ", ".join("({}, {}, {}, {}, {})" for _ in part)
                    + " ON CONFLICT (registration, position) DO NOTHING",
                    *[v for row in part for v in row])
    # The demo's admissions (fairs.checkin.demo) and these intentions are written directly, not
    # through the door: their audience tally recounted from the rows.
    untallied = await db.fetch(
        "SELECT DISTINCT a.fair FROM admission a WHERE NOT EXISTS "
        "(SELECT 1 FROM audience_tally t WHERE t.fair = a.fair)")
    await measures.recount_audiences(sorted({*touched, *(r["fair"] for r in untallied)}))
