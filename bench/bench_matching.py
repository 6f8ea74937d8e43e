"""Matching positions to job seekers (issue 19, item 6): 10,000 job seekers and 2,000 positions
(four fairs of 500) with known fits, bulk-inserted into a scratch database, on SQLite and
PostgreSQL.

Ground truth by construction: each seeker's hidden wants are built around one position of their
fair (its industry and maybe another, an education at least the one it asks, its kind of job and
maybe another, a pay it reaches); the seeker's fitting positions are every position of the fair
meeting all of them (at least five, or the seeker is drawn again). The profile the seeker gives
is those wants with the noise people add: an industry left out or a wrong one added, no kind of
job named, the expected pay 15% off either way or not given, the district left out.

Prints precision@5 of the ranking (fairs.matching.score) over all 10,000 seekers, next to what
a random order would reach; checks on a sample that the service (fairs.matching.services, the
path GET /api/v1/tickets/{secret}/matches takes) ranks as the pure module does; and times
ranking a 500-position fair for one seeker: the service (p50/p95, target < 20 ms), the API in
process, the pure ranking alone, and the floor (the health endpoint through the same client).
Also the employers' counts (one employer's positions against the fair's 2,500 profiles, in SQL).

    touch /tmp/bench.wanted; flock -x /tmp/cpu.lock sh -c 'rm -f /tmp/bench.wanted; \
        .venv/bin/python -m bench matching'
    FAIRS_BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/bench_matching (the default; created
    if missing and emptied first); FAIRS_BENCH_PG=off skips PostgreSQL.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

from bench._common import insert_rows, run_per_engine

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("FAIRS_BENCH_PG_URL",
                        "postgresql://postgres@127.0.0.1:5432/bench_matching")
FAIRS = 4
POSITIONS_PER_FAIR = 500
PER_BOOKING = 4
SEEKERS = 10_000
EMPLOYERS = 600
ZONES = "ABCDE"
TIMED = 300  # seekers whose ranking is timed (and compared with the pure module's)
TARGET_MS = 20.0

EDUCATION_W = {"any": 30, "junior": 5, "senior": 15, "college": 20, "bachelor": 22,
               "master": 6, "doctor": 2}
SEEKER_EDU_W = {"junior": 5, "senior": 20, "college": 30, "bachelor": 35, "master": 8,
                "doctor": 2}
JOB_TYPE_W = {"regular": 60, "traineeship": 15, "practical": 10, "gig": 15}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _position(rng: random.Random) -> dict:
    unit = rng.choices(("month", "day", "hour"), (85, 10, 5))[0]
    if unit == "month":
        low = rng.randrange(3000, 12000, 500)
        high = low + rng.randrange(0, 8000, 500)
    elif unit == "day":
        low = rng.randrange(120, 400, 10)
        high = low + rng.randrange(0, 150, 10)
    else:
        low = rng.randrange(18, 60)
        high = low + rng.randrange(0, 20)
    return {"education": _pick(rng, EDUCATION_W), "job_type": _pick(rng, JOB_TYPE_W),
            "salary_min": low, "salary_max": high if rng.random() < 0.9 else 0,
            "pay_unit": unit}


def make_world(industries: list[str]) -> dict:
    """The positions (by fair) and the seekers, with each seeker's truth and stated profile.
    Pure Python, no database: the same data on both engines."""
    from fairs.matching.score import EDUCATION_RANK, Job

    rng = random.Random(19)
    employer_industry = [rng.choice(industries) for _ in range(EMPLOYERS)]
    fairs = []
    for f in range(FAIRS):
        employers = rng.sample(range(EMPLOYERS), POSITIONS_PER_FAIR // PER_BOOKING)
        jobs = []
        for n in range(POSITIONS_PER_FAIR):
            emp = employers[n // PER_BOOKING]
            jobs.append({"n": n, "employer": emp, "industry": employer_industry[emp],
                         **_position(rng)})
        fairs.append({"index": f, "employers": employers, "jobs": jobs})
    world = {"fairs": fairs, "employer_industry": employer_industry}
    for fair in fairs:
        fair["scored"] = [Job(n, j["industry"], j["education"], j["job_type"], j["salary_min"],
                              j["salary_max"], j["pay_unit"]) for n, j in enumerate(fair["jobs"])]
    seekers = []
    while len(seekers) < SEEKERS:
        fair = fairs[len(seekers) % FAIRS]
        jobs = fair["scored"]
        anchor = rng.choice(jobs)
        if anchor.monthly_pay is None:
            continue
        wants_i = {anchor.industry} | ({rng.choice(industries)} if rng.random() < 0.4 else set())
        education = max((e for e in SEEKER_EDU_W), key=lambda e: (
            EDUCATION_RANK[e] >= EDUCATION_RANK[anchor.education], rng.random()
            * SEEKER_EDU_W[e]))
        wants_j = {anchor.job_type} | ({_pick(rng, JOB_TYPE_W)} if rng.random() < 0.3 else set())
        floor = int(anchor.monthly_pay * rng.uniform(0.6, 1.0))
        truth = {j.id for j in jobs if j.industry in wants_i and j.job_type in wants_j
                 and EDUCATION_RANK[j.education] <= EDUCATION_RANK[education]
                 and (j.monthly_pay or 0) >= floor}
        if len(truth) < 5:
            continue
        # What the seeker says.
        said_i = set(wants_i)
        if len(said_i) > 1 and rng.random() < 0.2:
            said_i.discard(rng.choice(sorted(said_i)))
        if rng.random() < 0.15:
            said_i.add(rng.choice(industries))
        said_j = set() if rng.random() < 0.3 else set(wants_j)
        if said_j and rng.random() < 0.1:
            said_j.add(_pick(rng, JOB_TYPE_W))
        pay = None if rng.random() < 0.2 else round(floor * rng.uniform(0.85, 1.15), -2)
        districts = [] if rng.random() < 0.5 else (["jiaozhou"] if rng.random() < 0.1
                                                   else ["xha"])
        seekers.append({"fair": fair["index"], "truth": truth,
                        "industries": sorted(said_i), "job_types": sorted(said_j),
                        "education": education, "expected_pay": int(pay) if pay else None,
                        "districts": districts})
    world["seekers"] = seekers
    return world


def precision_at_5(world: dict) -> tuple[float, float, float]:
    """(precision@5 of the score's ranking, of a random order (expected), seconds taken)."""
    from fairs.matching.score import Seeker, rank

    place = frozenset({"qd", "xha"})
    started = time.perf_counter()
    hits, chance = 0.0, 0.0
    for s in world["seekers"]:
        jobs = world["fairs"][s["fair"]]["scored"]
        seeker = Seeker(frozenset(s["industries"]), frozenset(s["job_types"]), s["education"],
                        s["expected_pay"], frozenset(s["districts"]))
        top = [job.id for job, _score in rank(seeker, jobs, place)[:5]]
        hits += len(set(top) & s["truth"]) / 5
        chance += len(s["truth"]) / len(jobs)
    n = len(world["seekers"])
    return hits / n, chance / n, time.perf_counter() - started


async def _seed(world: dict, ctx) -> dict:
    """The world in the database: fairs with booths in zones, employers, bookings, positions,
    registrations (a secret for the timed ones) and profiles."""
    from datetime import UTC, datetime, timedelta

    from fairs.tickets import codes

    now = datetime.now(UTC)
    venue, xha = ctx.ids["venue:西海岸新区人力资源市场"], ctx.ids["org:xha"]
    fair_ids = await insert_rows("fair", (
        "kind", "title", "description", "format", "starts_at", "ends_at", "org", "venue",
        "channel", "stream_url", "capacity", "status", "revision", "cancel_reason",
        "created_at", "updated_at", "published_at"), [
        ("offline", f"匹配测试招聘会 {f + 1}", "", "general", now + timedelta(days=10 + f),
         now + timedelta(days=10 + f, hours=3), xha, venue, None, "", None, "published", 0, "",
         now, now, now) for f in range(FAIRS)], returning=True)
    employer_ids = await insert_rows("employer", (
        "name", "uscc", "industry", "contact_name", "contact_phone", "email", "status",
        "reject_reason", "created_at"), [
        (f"匹配企业{n}", f"MATCH{n:013d}", ind, "王", "+8613800000000", "", "approved", "", now)
        for n, ind in enumerate(world["employer_industry"])], returning=True)
    secrets: list[tuple[int, str]] = []  # (seeker index, secret)
    per_booth = POSITIONS_PER_FAIR // PER_BOOKING // len(ZONES)
    for fair, fair_id in zip(world["fairs"], fair_ids, strict=True):
        booths = []
        for z, zone in enumerate(ZONES):
            for i in range(per_booth):
                booths.append((fair_id, f"{zone}{i + 1:02d}", zone, i % 5, z * 5 + i // 5, 1, 1,
                               False, False))
        booth_ids = await insert_rows("booth", ("fair", "code", "zone", "x", "y", "w", "h",
                                            "step_free", "blocked"), booths, returning=True)
        booking_ids = await insert_rows("booking", (
            "fair", "employer", "booth", "status", "code", "created_at", "confirmed_at"), [
            (fair_id, employer_ids[emp], booth_ids[b], "confirmed", f"MB{fair_id}-{b}", now, now)
            for b, emp in enumerate(fair["employers"])], returning=True)
        position_ids = await insert_rows("job_position", (
            "fair", "employer", "booking", "slot_booking", "title", "headcount", "education",
            "experience", "salary_min", "salary_max", "pay_unit", "major", "job_type",
            "description", "created_at"), [
            (fair_id, employer_ids[j["employer"]], booking_ids[n // PER_BOOKING], None,
             f"岗位{n}", 2, j["education"], "any", j["salary_min"], j["salary_max"],
             j["pay_unit"], "", j["job_type"], "", now) for n, j in enumerate(fair["jobs"])],
            returning=True)
        fair["id"], fair["position_ids"] = fair_id, position_ids
        fair["employer_ids"] = [employer_ids[e] for e in fair["employers"]]
    regs, timed = [], set(range(0, SEEKERS, SEEKERS // TIMED))
    for n, s in enumerate(world["seekers"]):
        secret = codes.new_secret() if n in timed else None
        if secret:
            secrets.append((n, secret))
        regs.append((world["fairs"][s["fair"]]["id"], codes.new_code(),
                     codes.secret_hash(secret) if secret else None, f"求职者{n}",
                     f"+86139{n:08d}", f"{n % 10000:04d}", "", "active", "online", now))
    reg_ids = await insert_rows("registration", (
        "fair", "code", "secret_hash", "name", "phone", "phone_last4", "audiences", "status",
        "source", "created_at"), regs, returning=True)
    await insert_rows("registration_tally", ("fair", "active"), [
        (f, SEEKERS // FAIRS) for f in fair_ids])
    await insert_rows("seeker_profile", (
        "registration", "fair", "industries", "job_types", "education", "major", "districts",
        "expected_pay", "consent_contact", "consented_at", "updated_at"), [
        (rid, world["fairs"][s["fair"]]["id"], ",".join(s["industries"]),
         ",".join(s["job_types"]), s["education"], "", ",".join(s["districts"]),
         s["expected_pay"], n % 3 == 0, now, now)
        for n, (rid, s) in enumerate(zip(reg_ids, world["seekers"], strict=True))])
    return {"secrets": secrets, "fair_ids": fair_ids}


def _pct(samples: list[float], q: float) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(len(samples) * q))]


async def _run(engine: str) -> None:
    import asyncio

    import httpx

    from bench._common import migrated_with_staff
    from fairs import db
    from fairs.app import create_app
    from fairs.matching import demand, score, services
    from fairs.settings import Settings

    settings = Settings.from_env()
    ctx = await migrated_with_staff()
    industries = [r["code"] for r in await db.fetch("SELECT code FROM industry ORDER BY sort")]
    world = make_world(industries)
    started = time.perf_counter()
    seeded = await _seed(world, ctx)
    if engine == "postgres":
        await db.execute("ANALYZE")
    seed_s = time.perf_counter() - started
    if engine == "sqlite":
        p5, chance, took = precision_at_5(world)
        sizes = [len(s["truth"]) for s in world["seekers"]]
        print(f"[pure] precision@5 over {SEEKERS:,} seekers: {p5:.3f} (a random order: "
              f"{chance:.3f}); fitting positions per seeker: median {statistics.median(sizes)}, "
              f"min {min(sizes)}; ranked in {took:.1f} s "
              f"({took / SEEKERS * 1000:.2f} ms a seeker)", flush=True)

    # The service's ranking is the pure module's, and its time for one seeker.
    by_fair = {f["id"]: f for f in world["fairs"]}
    service_ms, pure_ms, agree = [], [], 0
    for n, secret in seeded["secrets"]:
        s = world["seekers"][n]
        fair = world["fairs"][s["fair"]]
        t0 = time.perf_counter()
        _row, _profile, items = await services.matches(secret)
        service_ms.append((time.perf_counter() - t0) * 1000)
        seeker = score.Seeker(frozenset(s["industries"]), frozenset(s["job_types"]),
                              s["education"], s["expected_pay"], frozenset(s["districts"]))
        t0 = time.perf_counter()
        pure = score.rank(seeker, fair["scored"], frozenset({"qd", "xha"}))
        pure_ms.append((time.perf_counter() - t0) * 1000)
        ids = by_fair[fair["id"]]["position_ids"]
        agree += [i["position"] for i in items[:5]] == [ids[j.id] for j, _s in pure[:5]]
    print(f"[{engine}] seeded {FAIRS} fairs, {FAIRS * POSITIONS_PER_FAIR:,} positions, "
          f"{SEEKERS:,} seekers with profiles in {seed_s:.1f} s; the service's top 5 is the "
          f"pure ranking's for {agree} of {len(seeded['secrets'])} sampled seekers", flush=True)

    app = create_app(settings)
    ready, done = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            ready.set()
            await done.wait()

    task = asyncio.create_task(hold())
    await ready.wait()
    api_ms, floor_ms = [], []
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench") as client:
            for _n, secret in seeded["secrets"]:
                t0 = time.perf_counter()
                r = await client.get("/api/v1/health")
                floor_ms.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200
                t0 = time.perf_counter()
                r = await client.get(f"/api/v1/tickets/{secret}/matches",
                                     params={"limit": 500})
                api_ms.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200 and r.json()["total"] == POSITIONS_PER_FAIR
        fair = world["fairs"][0]
        counts_ms = []
        for emp in fair["employer_ids"][:20]:
            t0 = time.perf_counter()
            rows = await demand.position_counts(fair["id"], emp)
            counts_ms.append((time.perf_counter() - t0) * 1000)
            assert len(rows) == PER_BOOKING and rows[0]["profiles"] == SEEKERS // FAIRS
    finally:
        done.set()
        await task
        await db.stop()

    def line(samples: list[float]) -> str:
        return f"p50 {statistics.median(samples):.1f} ms, p95 {_pct(samples, 0.95):.1f} ms"

    ok = "met" if _pct(service_ms, 0.95) < TARGET_MS else "MISSED"
    print(f"[{engine}] ranking a {POSITIONS_PER_FAIR}-position fair for one seeker "
          f"({len(service_ms)} seekers): service {line(service_ms)} (target < {TARGET_MS:.0f} "
          f"ms at p95: {ok}) | API in process {line(api_ms)} | pure ranking alone "
          f"{line(pure_ms)} | floor (health) {line(floor_ms)}", flush=True)
    print(f"[{engine}] an employer's counts ({PER_BOOKING} positions against "
          f"{SEEKERS // FAIRS:,} profiles, in SQL): {line(counts_ms)}", flush=True)


def _child(engine: str) -> None:
    import asyncio

    asyncio.run(_run(engine))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2])
        return
    run_per_engine("bench.bench_matching", PG_URL,
                   {"FAIRS_PURGE_INTERVAL_HOURS": "0", "FAIRS_NOTIFY_WORKER": "off"})


if __name__ == "__main__":
    main()
