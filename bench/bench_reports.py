"""The year report: 200 fairs held last year with 100,000 admissions (plus 3,400 booths booked,
6,800 positions, 20,000 intentions, livestream views, 6,000 services to employers),
bulk-inserted into a scratch database, on SQLite and PostgreSQL. Prints the time of the
aggregate queries alone, of the API's eight numbers, of the report page and of the Excel
workbook and CSV (medians of several runs, through the app in-process over httpx), next to the
floor: the health endpoint through the same client.

    .venv/bin/python -m bench reports
    On PostgreSQL the same year then grows to a province's (3,200 fairs, 1.6 million admissions,
    generated with generate_series) and the report is timed again (FAIRS_BENCH_PROVINCE=off
    skips it).
    FAIRS_BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/bench_reports (the default;
    the database is created if missing and emptied first). FAIRS_BENCH_PG=off skips PostgreSQL.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from bench._common import insert_rows, run_per_engine

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("FAIRS_BENCH_PG_URL",
                        "postgresql://postgres@127.0.0.1:5432/bench_reports")
FAIRS = 200
ONLINE = 30
ADMISSIONS = 100_000
BOOTHS_PER_FAIR = 20
INTENTIONS = 20_000
SERVICES = 6_000  # 服务企业不少于3000家次: a district's year of recorded services, twice
RUNS = 5


async def _seed() -> dict:
    import random
    from datetime import UTC, datetime, timedelta

    from fairs.accounts import demo as accounts_demo
    from fairs.catalog import demo as catalog_demo
    from fairs.db import fetch as db_fetch
    from fairs.demo import DemoContext
    from fairs.i18n import TZ

    rnd = random.Random(7)
    ctx = DemoContext()
    await accounts_demo.load(ctx)
    await catalog_demo.load(ctx)
    year = datetime.now(TZ).year - 1
    now = datetime.now(UTC)
    orgs = [ctx.ids[f"org:{c}"] for c in ("xha", "gzk", "lsw", "djk", "huangdao", "xinan",
                                          "changjiang")]
    venue, channel = ctx.ids["venue:西海岸新区人力资源市场"], ctx.ids["channel:职海冲浪"]
    industries = ["shipbuilding", "automotive", "ai", "software", "logistics", "finance",
                  "commerce", "film"]
    audiences = ["graduates", "veterans", "women", "youth", "rural-migrant", "general"]
    fairs = []
    for i in range(FAIRS):
        online = i < ONLINE
        day = datetime(year, 1, 1, 9, tzinfo=TZ) + timedelta(days=int(i * 360 / FAIRS))
        status = "cancelled" if i % 50 == 49 else "published"
        fairs.append(("online" if online else "offline", f"招聘会 {i + 1}", "", "general", day,
                      day + timedelta(hours=3), orgs[i % len(orgs)],
                      None if online else venue, channel if online else None, "", None,
                      status, 0, "", now, now))
    fair_ids = await insert_rows("fair", (
        "kind", "title", "description", "format", "starts_at", "ends_at", "org", "venue",
        "channel", "stream_url", "capacity", "status", "revision", "cancel_reason",
        "created_at", "updated_at"), fairs, returning=True)
    await insert_rows("fair_industry", ("fair", "industry"),
                  [(f, ind) for n, f in enumerate(fair_ids)
                   for ind in {industries[n % 8], industries[(n * 3) % 8]}])
    await insert_rows("fair_audience", ("fair", "audience"),
                  [(f, audiences[n % 6]) for n, f in enumerate(fair_ids)])
    employers = await insert_rows("employer", (
        "name", "uscc", "industry", "contact_name", "contact_phone", "status", "reject_reason",
        "created_at"), [(f"企业{n}", f"BENCH{n:013d}", industries[n % 8], "王",
                         "+8613800000000", "approved", "", now) for n in range(1500)],
        returning=True)
    offline = fair_ids[ONLINE:]
    bookings = []
    for f in offline:
        for b, emp in enumerate(rnd.sample(employers, BOOTHS_PER_FAIR)):
            bookings.append((f, emp, None, "confirmed", f"BK{f}-{b}", now, now,
                             now if rnd.random() < .85 else None))
    booking_ids = await insert_rows("booking", (
        "fair", "employer", "booth", "status", "code", "created_at", "confirmed_at",
        "checked_in_at"), bookings, returning=True)
    positions = []
    for bid, row in zip(booking_ids, bookings, strict=True):
        for k in range(2):
            positions.append((row[0], row[1], bid, None, f"岗位{k}", rnd.randint(1, 10), "any",
                              "any", 4000, 8000, "", "regular", "", now))
    position_ids = await insert_rows("job_position", (
        "fair", "employer", "booking", "slot_booking", "title", "headcount", "education",
        "experience", "salary_min", "salary_max", "major", "job_type", "description",
        "created_at"), positions, returning=True)
    regs = []
    for n in range(ADMISSIONS + ADMISSIONS // 10):
        f = offline[n % len(offline)]
        groups = ",".join(a for a in audiences[:5] if rnd.random() < .2)
        regs.append((f, f"R{n:012d}", f"求职者{n}", f"+86138{n:08d}", f"{n % 10000:04d}",
                     groups, "active", "walk_in" if n % 10 == 0 else "online", now))
    reg_ids = await insert_rows("registration", (
        "fair", "code", "name", "phone", "phone_last4", "audiences", "status", "source",
        "created_at"), regs, returning=True)
    admitted = list(zip(reg_ids, regs, strict=True))[:ADMISSIONS]
    await insert_rows("admission", (
        "fair", "registration", "method", "admitted_at", "recorded_at", "device", "offline"),
        [(r[0], rid, "walk_in" if r[7] == "walk_in" else "scan", now, now, "bench", False)
         for rid, r in admitted])
    by_fair: dict[int, list[int]] = {}
    for pid, p in zip(position_ids, positions, strict=True):
        by_fair.setdefault(p[0], []).append((pid, p[1]))
    intentions = set()
    while len(intentions) < INTENTIONS:
        rid, r = admitted[rnd.randrange(len(admitted))]
        pid, emp = rnd.choice(by_fair[r[0]])
        intentions.add((r[0], rid, pid, emp))
    await insert_rows("intention", ("fair", "registration", "position", "employer", "recorded_by",
                                "created_at"), [(*i, None, now) for i in intentions])
    # The services organisers recorded (fairs.outreach), counted as employer visits (家次).
    recorder = (await db_fetch("SELECT id FROM app_user WHERE username = 'organiser'"))[0]["id"]
    kinds = ("visit", "phone", "symposium", "policy", "other")
    await insert_rows("employer_service", (
        "employer", "kind", "served_on", "recorded_by", "staff_names", "topics", "notes",
        "follow_up_on", "org", "created_at"),
        [(rnd.choice(employers), kinds[n % 5], date(year, 1, 1) + timedelta(days=n % 360),
          recorder, "", "recruiting", "", None, orgs[n % len(orgs)], now)
         for n in range(SERVICES)])
    await insert_rows("online_session", (
        "fair", "label", "starts_at", "peak_viewers", "total_views", "source", "created_at"),
        [(f, "直播", None, 500, rnd.randint(1000, 20000), "manual", now)
         for f in fair_ids[:ONLINE]])
    return {"year": year}


async def _time(fn, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = await fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


async def _run(engine: str) -> None:
    import asyncio

    import httpx

    from fairs import db
    from fairs import measures as read_model
    from fairs.accounts import services as accounts
    from fairs.app import create_app
    from fairs.cli import migrate
    from fairs.events.services import day_start
    from fairs.reports import funnel as funnels
    from fairs.reports import services
    from fairs.settings import Settings
    from fairs.slices import connect_hooks

    settings = Settings.from_env()
    await db.start()
    await migrate(settings, quiet=True)
    connect_hooks()  # the seed runs services before the app is built
    started = time.perf_counter()
    seeded = await _seed()
    # Bulk-inserted rows skip the door and the intention service: their audience tally is
    # recounted from them, as the migration's backfill does (timed: the backfill's cost).
    tally_started = time.perf_counter()
    await read_model.recount_audiences()
    tally_s = time.perf_counter() - tally_started
    if engine == "postgres":
        # A database in service has its statistics and visibility map (autovacuum); this one
        # was just bulk-loaded, and without them the planner expects one held fair and probes
        # row by row, and an index-only scan (the funnel's registrations by target group)
        # visits the table for every row.
        await db.execute("VACUUM ANALYZE")
    seed_s = time.perf_counter() - started
    year = seeded["year"]
    counts = await db.fetch("SELECT (SELECT COUNT(*) FROM admission) AS a, "
                            "(SELECT COUNT(*) FROM fair) AS f")
    await accounts.create_user("bench-organiser", "bench-password-1", "organiser", "xha")
    principal = await accounts.authenticate("bench-organiser", "bench-password-1")
    params = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    flt = services.MeasureFilter(start=day_start(date(year, 1, 1)),
                                 end=day_start(date(year + 1, 1, 1)))

    app = create_app(settings)
    ready, done = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            ready.set()
            await done.wait()

    task = asyncio.create_task(hold())
    await ready.wait()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench") as client:
            r = await client.post("/api/v1/auth/login", json={
                "username": "bench-organiser", "password": "bench-password-1"})
            assert r.status_code == 200, r.text

            async def get(path: str, **kw):
                response = await client.get(path, **kw)
                assert response.status_code == 200, (path, response.status_code)
                return response

            floor, _ = await _time(lambda: get("/api/v1/health"))
            agg, report = await _time(lambda: services.report(principal, flt))
            scope = (await services.resolve(principal, flt, None)).measures()
            stmt_ms, _ = await _time(lambda: read_model.breakdowns(scope))
            aud_ms, _ = await _time(lambda: read_model.by_audience(scope))
            # The job seekers' funnel (the page's and the workbook's section).
            resolved = await services.resolve(principal, flt, None)
            fun_ms, _ = await _time(lambda: read_model.funnel(scope))
            fun_aud_ms, _ = await _time(lambda: read_model.funnel_by_audience(scope))
            fun_all_ms, _ = await _time(lambda: funnels.funnel(resolved))
            api_ms, measures = await _time(lambda: get("/api/v1/reports/measures",
                                                       params=params))
            page_ms, page = await _time(lambda: get("/organiser/reports", params=params))
            xlsx_ms, xlsx = await _time(lambda: get("/reports/measures.xlsx", params=params))
            csv_ms, _csv = await _time(lambda: get("/reports/measures.csv", params=params))
            province = None
            if engine == "postgres" and os.environ.get("FAIRS_BENCH_PROVINCE", "on") != "off":
                province = await _province(year)
                prov_ms, prov = await _time(lambda: services.report(principal, flt))
                prov_stmt, _ = await _time(lambda: read_model.breakdowns(scope))
                prov_aud, _ = await _time(lambda: read_model.by_audience(scope))
                prov_fun, _ = await _time(lambda: funnels.funnel(resolved))
    finally:
        done.set()
        await task
        await db.stop()
    totals = measures.json()
    print(f"[{engine}] seeded {counts[0]['f']} fairs, {counts[0]['a']:,} admissions in "
          f"{seed_s:.1f} s; held in the report: {totals['events_held']} fairs, "
          f"{totals['admissions']:,} admissions, {totals['intentions']:,} intentions, "
          f"{totals['positions']:,} openings, {totals['employer_visits']:,} employer visits; "
          f"audience tally recounted in {tally_s:.1f} s",
          flush=True)
    assert report["totals"] == totals, "the service and the API disagree"
    print(f"[{engine}] median of {RUNS}: floor (health) {floor:.1f} ms | aggregates "
          f"(services.report) {agg:.0f} ms | API measures {api_ms:.0f} ms | page "
          f"{page_ms:.0f} ms ({len(page.content) // 1024} KiB) | workbook {xlsx_ms:.0f} ms "
          f"({len(xlsx.content) // 1024} KiB) | CSV {csv_ms:.0f} ms", flush=True)
    print(f"[{engine}] of which: breakdowns {stmt_ms:.0f} ms, by audience {aud_ms:.0f} ms "
          f"(target: the city year < 100 ms)", flush=True)
    print(f"[{engine}] the funnel: {fun_all_ms:.0f} ms (breakdowns {fun_ms:.0f} ms, by "
          f"audience {fun_aud_ms:.0f} ms)", flush=True)
    if province:
        print(f"[{engine}] province: seeded to {province['fairs']} fairs, "
              f"{province['admissions']:,} admissions in {province['seconds']:.1f} s (audience "
              f"tally recounted in {province['tally_seconds']:.1f} s); the year "
              f"holds {prov['totals']['events_held']} fairs, "
              f"{prov['totals']['admissions']:,} admissions", flush=True)
        print(f"[{engine}] province year, median of {RUNS}: services.report {prov_ms:.0f} ms "
              f"(breakdowns {prov_stmt:.0f} ms, by audience {prov_aud:.0f} ms) | floor "
              f"{floor:.1f} ms (target < 300 ms); the funnel {prov_fun:.0f} ms", flush=True)


PROVINCE_FAIRS = 3200
PROVINCE_ADMISSIONS = 1_600_000


async def _province(year: int) -> dict:
    """Grow the city's year to a province's (~16 cities): fairs to PROVINCE_FAIRS and
    admissions to PROVINCE_ADMISSIONS, generated in PostgreSQL (generate_series), each
    admission a registration of its fair (10% walk-ins, target groups as the city's)."""
    from fairs import db
    from fairs import measures as read_model

    started = time.perf_counter()
    have = await db.fetch("SELECT (SELECT COUNT(*) FROM fair) AS f, "
                          "(SELECT COUNT(*) FROM admission) AS a, "
                          "(SELECT MIN(id) FROM fair WHERE kind = 'offline') AS first")
    more_fairs = PROVINCE_FAIRS - int(have[0]["f"])
    more = PROVINCE_ADMISSIONS - int(have[0]["a"])
    like = int(have[0]["first"])
    await db.execute(
        "INSERT INTO fair (kind, title, description, format, starts_at, ends_at, org, venue, "
        "channel, stream_url, capacity, status, revision, cancel_reason, created_at, "
        "updated_at) SELECT f.kind, '省级招聘会 ' || g, '', f.format, "
        "make_timestamptz({}, 1, 1, 9, 0, 0, 'Asia/Shanghai') + (g % 360) * interval '1 day', "
        "make_timestamptz({}, 1, 1, 12, 0, 0, 'Asia/Shanghai') + (g % 360) * interval '1 day', "
        "f.org, f.venue, NULL, '', NULL, 'published', 0, '', now(), now() "
        "FROM generate_series(1, {}) g, fair f WHERE f.id = {}", year, year, more_fairs, like)
    await db.execute(
        "INSERT INTO fair_industry (fair, industry) SELECT id, 'software' FROM fair "
        "WHERE title LIKE '省级招聘会 %'")
    await db.execute(
        "WITH f AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM fair "
        "WHERE title LIKE '省级招聘会 %') "
        "INSERT INTO registration (fair, code, name, phone, phone_last4, audiences, status, "
        "source, created_at) SELECT f.id, 'P' || lpad(g::text, 12, '0'), '求职者', "
        "'+86139' || lpad(g::text, 8, '0'), lpad((g % 10000)::text, 4, '0'), "
        "(ARRAY['', 'graduates', 'veterans,women', 'youth', '', 'rural-migrant'])[g % 6 + 1], "
        "'active', CASE WHEN g % 10 = 0 THEN 'walk_in' ELSE 'online' END, now() "
        "FROM generate_series(1, {}) g JOIN f ON f.n = g % (SELECT COUNT(*) FROM f)", more)
    await db.execute(
        "INSERT INTO admission (fair, registration, method, admitted_at, recorded_at, device, "
        "offline) SELECT r.fair, r.id, CASE WHEN r.source = 'walk_in' THEN 'walk_in' "
        "ELSE 'scan' END, now(), now(), 'bench', false FROM registration r "
        "WHERE r.code LIKE 'P%'")
    tally_started = time.perf_counter()
    await read_model.recount_audiences()
    tally_s = time.perf_counter() - tally_started
    await db.execute("VACUUM ANALYZE")  # as autovacuum would after a bulk load
    counts = await db.fetch("SELECT (SELECT COUNT(*) FROM admission) AS a, "
                            "(SELECT COUNT(*) FROM fair) AS f")
    return {"fairs": int(counts[0]["f"]), "admissions": int(counts[0]["a"]),
            "seconds": time.perf_counter() - started, "tally_seconds": tally_s}


def _child(engine: str) -> None:
    import asyncio

    asyncio.run(_run(engine))


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child(sys.argv[2])
        return
    run_per_engine("bench.bench_reports", PG_URL)


if __name__ == "__main__":
    main()
