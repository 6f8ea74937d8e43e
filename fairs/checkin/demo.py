"""Demo admissions for the demo's held offline fairs (about 70% of the registered come, a few
walk-ins), and viewers of the held online fairs' livestreams. Bulk inserts; idempotent: a fair
with an admission tally or an online session is left alone."""

from __future__ import annotations

import random
from datetime import timedelta

from fairs import clock, db
from fairs.tickets import codes
from fairs.tickets.demo import bulk_insert, person


async def load(ctx) -> None:
    now = clock.now()
    held = await db.fetch(
        "SELECT id, kind, starts_at, ends_at FROM fair f WHERE status = 'published' "
        "AND ends_at <= {} AND NOT EXISTS (SELECT 1 FROM admission_tally t WHERE t.fair = f.id) "
        "AND NOT EXISTS (SELECT 1 FROM online_session s WHERE s.fair = f.id) ORDER BY id", now)
    for f in held:
        starts, ends = db.as_datetime(f["starts_at"]), db.as_datetime(f["ends_at"])
        rng = random.Random(10_000 + f["id"])
        if f["kind"] == "online":
            async with db.write_transaction():
                peak = rng.randint(300, 4000)
                await db.execute(
                    "INSERT INTO online_session (fair, label, starts_at, peak_viewers, "
                    "total_views, source, created_at) VALUES ({}, {}, {}, {}, {}, 'manual', {})",
                    f["id"], "直播", starts, peak, peak * rng.randint(5, 15), now)
            continue
        regs = await db.fetch("SELECT id FROM registration WHERE fair = {} ORDER BY id", f["id"])
        if not regs:
            continue
        span = (ends - starts).total_seconds()
        admitted = [r["id"] for r in regs if rng.random() < 0.7]
        rows = []
        for reg in admitted:
            at = starts - timedelta(minutes=20) + timedelta(seconds=rng.random() * span * 0.7)
            rows.append((f["id"], reg, "scan", at, at, f"door-{rng.randint(1, 3)}",
                         rng.random() < 0.05))
        walk_ins = rng.randint(0, 12)
        new_regs = []
        for n in range(walk_ins):
            name, phone, audiences = person(rng, f["id"], 50_000 + n)
            new_regs.append((f["id"], codes.new_code(), codes.secret_hash(codes.new_secret()),
                             name, phone, phone[-4:], audiences, "active", "walk_in",
                             starts + timedelta(minutes=30 + n)))
        async with db.write_transaction():
            if new_regs:
                await bulk_insert("registration", ["fair", "code", "secret_hash", "name",
                                                   "phone", "phone_last4", "audiences", "status",
                                                   "source", "created_at"], new_regs)
                await db.execute("UPDATE registration_tally SET active = active + {} "
                                 "WHERE fair = {}", walk_ins, f["id"])
                made = await db.fetch("SELECT id, created_at FROM registration WHERE fair = {} "
                                      "AND source = 'walk_in'", f["id"])
                for r in made:
                    at = db.as_datetime(r["created_at"])
                    rows.append((f["id"], r["id"], "walk_in", at, at, "kiosk", False))
            await bulk_insert("admission", ["fair", "registration", "method", "admitted_at",
                                            "recorded_at", "device", "offline"], rows)
            await db.execute("INSERT INTO admission_tally (fair, shard, n) VALUES ({}, 0, {})",
                             f["id"], len(rows))
