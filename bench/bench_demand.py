"""The demand catalogue and the wage levels at a city's scale: 50,000 needs of 2,000 employers
stated over the last year (about 80% published, half of those still valid), with a year of
monthly staff reports and 4,000 positions of 100 fairs held in the year, bulk-inserted into a
scratch database, on SQLite and PostgreSQL.

Prints p50 and p95 of: the catalogue filtered (a few filter combinations, each a page of 20
with its total) through the service and through GET /api/v1/demand; the wage table over the
year (by education, and by job title) through the service and GET /api/v1/reports/wages; the
vacancy table over twelve months; next to the floor (the health endpoint through the same
client). Target: the catalogue and the wage table under 100 ms each on both engines.

    .venv/bin/python -m bench demand
    FAIRS_BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/bench_demand (the default; the
    database is created if missing and emptied first). FAIRS_BENCH_PG=off skips PostgreSQL.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from bench._common import insert_rows, run_per_engine

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("FAIRS_BENCH_PG_URL",
                        "postgresql://postgres@127.0.0.1:5432/bench_demand")
NEEDS = 50_000
EMPLOYERS = 2_000
FAIRS = 100
RUNS = 30
TARGET_MS = 100
ORGS = ("gzk", "lsw", "djk", "huangdao", "xinan", "changjiang", "xha", "jiaozhou")
EDUCATION = ("any", "junior", "senior", "college", "bachelor", "master")
TITLES = ("电焊工", "装配工", "数控车工", "叉车司机", "软件工程师", "测试工程师", "销售代表",
          "仓库管理员", "客服专员", "质检员", "电工", "厨师", "导游", "会计", "算法工程师",
          "运维工程师", "操作工", "司机", "前台", "设计师")


async def _seed() -> dict:
    import random
    from datetime import UTC, datetime, timedelta

    from fairs import clock, db, pay
    from fairs.catalog.reference import INDUSTRIES
    from fairs.demo import DemoContext
    from fairs.i18n import TZ

    rnd = random.Random(18)
    ctx: DemoContext = await _staff()
    now = datetime.now(UTC)
    today = clock.today_local()
    industries = [code for code, *_ in INDUSTRIES]
    orgs = [ctx.ids[f"org:{c}"] for c in ORGS]
    employers = await insert_rows("employer", (
        "name", "uscc", "industry", "contact_name", "contact_phone", "email", "status",
        "reject_reason", "created_at"),
        [(f"企业{n}", f"BENCH{n:013d}", industries[n % len(industries)], "王",
          "+8613800000000", "", "approved" if n % 50 else "pending", "", now)
         for n in range(EMPLOYERS)], returning=True)
    district = {e: orgs[n % len(orgs)] for n, e in enumerate(employers)}
    industry = {e: industries[n % len(industries)] for n, e in enumerate(employers)}
    months = []
    for back in range(11, -1, -1):
        y, m = today.year, today.month - back
        while m < 1:
            y, m = y - 1, m + 12
        months.append(f"{y:04d}-{m:02d}")
    await insert_rows("staff_report", ("employer", "month", "staff", "org", "reported_at"),
                  [(e, month, 50 + (e * 37 + i * 11) % 900, district[e], now)
                   for e in employers for i, month in enumerate(months) if (e + i) % 3 == 0])
    rows = []
    for _ in range(NEEDS):
        emp = employers[rnd.randrange(EMPLOYERS)]
        stated = now - timedelta(days=rnd.uniform(0, 365))
        fate = rnd.random()
        status = ("published" if fate < .8 else "draft" if fate < .9 else
                  "withdrawn" if fate < .95 else "rejected")
        unit = rnd.choice(("month",) * 8 + ("day", "hour"))
        lo = {"month": rnd.randrange(3000, 15000, 100), "day": rnd.randrange(150, 400, 10),
              "hour": rnd.randrange(18, 40)}[unit]
        hi = int(lo * rnd.choice((0, 1.2, 1.5))) if rnd.random() < .9 else 0
        lo = 0 if rnd.random() < .05 else lo
        valid = (stated + timedelta(days=rnd.choice((30, 60, 90, 180)))).astimezone(TZ).date()
        published = stated + timedelta(hours=rnd.randint(1, 72)) if status in (
            "published", "withdrawn") else None
        rows.append((emp, district[emp], rnd.choice(TITLES), rnd.choice((1, 2, 3, 5, 10)),
                     rnd.choice(EDUCATION), "", rnd.random() < .4, lo, hi, unit,
                     "gig" if unit != "month" else rnd.choice(("regular",) * 5 + (
                         "traineeship",)), valid, status, "", stated, stated, published,
                     published if status == "withdrawn" else None))
    await insert_rows("need", (
        "employer", "org", "title", "headcount", "education", "skills", "skilled",
        "salary_min", "salary_max", "pay_unit", "job_type", "valid_until", "status",
        "reject_reason", "created_at", "updated_at", "published_at", "withdrawn_at"), rows)
    # What the needs service writes with a need: its employer's industry and its offered pay a
    # month (fairs.demand.needs._monthly_pay's rule).
    await db.execute(
        "UPDATE need SET industry = (SELECT e.industry FROM employer e "
        "WHERE e.id = need.employer), "
        f"monthly_pay = {pay.offered_monthly_sql('salary_min', 'salary_max', 'pay_unit')}")
    # 100 fairs held over the year, 20 booths each, two positions a booth.
    venue = ctx.ids["venue:西海岸新区人力资源市场"]
    fairs = []
    for i in range(FAIRS):
        day = datetime.combine(today - timedelta(days=5 + i * 3), datetime.min.time(),
                               tzinfo=TZ).replace(hour=9)
        fairs.append(("offline", f"招聘会 {i + 1}", "", "general", day,
                      day + timedelta(hours=3), orgs[i % len(orgs)], venue, None, "", None,
                      "published", 0, "", now, now))
    fair_ids = await insert_rows("fair", (
        "kind", "title", "description", "format", "starts_at", "ends_at", "org", "venue",
        "channel", "stream_url", "capacity", "status", "revision", "cancel_reason",
        "created_at", "updated_at"), fairs, returning=True)
    bookings = [(f, emp, None, "confirmed", f"BK{f}-{b}", now, now, now)
                for f in fair_ids for b, emp in enumerate(rnd.sample(employers, 20))]
    booking_ids = await insert_rows("booking", (
        "fair", "employer", "booth", "status", "code", "created_at", "confirmed_at",
        "checked_in_at"), bookings, returning=True)
    positions = [(row[0], row[1], bid, None, rnd.choice(TITLES), rnd.randint(1, 10),
                  rnd.choice(EDUCATION), "any", rnd.randrange(3000, 12000, 100),
                  rnd.randrange(12000, 20000, 100), "month", "", "regular", "", now)
                 for bid, row in zip(booking_ids, bookings, strict=True) for _ in range(2)]
    await insert_rows("job_position", (
        "fair", "employer", "booking", "slot_booking", "title", "headcount", "education",
        "experience", "salary_min", "salary_max", "pay_unit", "major", "job_type",
        "description", "created_at"), positions)
    return {"industry": industry, "months": months}


async def _staff():
    from fairs.accounts import demo as accounts_demo
    from fairs.catalog import demo as catalog_demo
    from fairs.demo import DemoContext

    ctx = DemoContext()
    await accounts_demo.load(ctx)
    await catalog_demo.load(ctx)
    return ctx


def _pct(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, round(len(ordered) * .95) - 1)]


async def _time(fn, runs: int = RUNS) -> tuple[float, float, object]:
    times, result = [], None
    await fn()  # warm: the first call compiles the statement
    for _ in range(runs):
        started = time.perf_counter()
        result = await fn()
        times.append((time.perf_counter() - started) * 1000)
    p50, p95 = _pct(times)
    return p50, p95, result


FILTERS = [
    ("no filter", {}),
    ("industry", {"industry": "software"}),
    ("district subtree", {"org": "xha"}),
    ("education + job type", {"education": "bachelor", "job_type": "regular"}),
    ("skilled + street", {"skilled": "true", "org": "djk"}),
    ("industry + education + skilled", {"industry": "shipbuilding", "education": "senior",
                                        "skilled": "true"}),
    ("words", {"q": "工程师"}),
    ("deep page", {"offset": "5000"}),
]


async def _run(engine: str) -> None:
    import asyncio
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)  # figures, not request lines

    import httpx

    from fairs import clock, db
    from fairs.accounts import services as accounts
    from fairs.app import create_app
    from fairs.cli import migrate
    from fairs.demand import catalogue, vacancy, wages
    from fairs.settings import Settings
    from fairs.slices import connect_hooks

    settings = Settings.from_env()
    await db.start()
    await migrate(settings, quiet=True)
    connect_hooks()
    started = time.perf_counter()
    await _seed()
    if engine == "postgres":
        # A database in service has its statistics and visibility map (autovacuum).
        await db.execute("VACUUM ANALYZE")
    seed_s = time.perf_counter() - started
    counts = (await db.fetch(
        "SELECT (SELECT COUNT(*) FROM need) AS needs, (SELECT COUNT(*) FROM need n "
        f"JOIN employer e ON e.id = n.employer WHERE {catalogue.LISTED}) AS listed, "
        "(SELECT COUNT(*) FROM job_position) AS positions", clock.today_local()))[0]
    await accounts.create_user("bench-organiser", "bench-password-1", "organiser", "xha")
    principal = await accounts.authenticate("bench-organiser", "bench-password-1")
    print(f"[{engine}] seeded {counts['needs']:,} needs ({counts['listed']:,} listed), "
          f"{counts['positions']:,} positions in {seed_s:.1f} s", flush=True)

    app = create_app(settings)
    ready, done = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            ready.set()
            await done.wait()

    task = asyncio.create_task(hold())
    await ready.wait()
    worst = 0.0
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench") as client:
            async def get(path: str, **params):
                response = await client.get(path, params=params)
                assert response.status_code == 200, (path, response.status_code, response.text)
                return response

            p50, p95, _ = await _time(lambda: get("/api/v1/health"))
            print(f"[{engine}] floor (health through the client): p50 {p50:.1f} ms, "
                  f"p95 {p95:.1f} ms", flush=True)
            for name, params in FILTERS:
                query = {k: v for k, v in params.items() if k != "offset"}
                flt = await catalogue.check_filter(
                    query.get("industry"), query.get("org"), query.get("education"),
                    query.get("job_type"), {"true": True}.get(query.get("skilled", "")),
                    query.get("q"))
                offset = int(params.get("offset", 0))
                s50, s95, found = await _time(lambda f=flt, o=offset: catalogue.listing(f, 20, o))
                a50, a95, _ = await _time(lambda p=params: get("/api/v1/demand", **p))
                worst = max(worst, s95, a95)
                print(f"[{engine}] catalogue, {name:32s} total {found[1]:>6,}: service p50 "
                      f"{s50:5.1f} p95 {s95:5.1f} ms | API p50 {a50:5.1f} p95 {a95:5.1f} ms",
                      flush=True)
            for by in ("education", "title"):
                s50, s95, found = await _time(lambda b=by: wages.wage_levels(by=b), runs=10)
                a50, a95, _ = await _time(lambda b=by: get("/api/v1/reports/wages", by=b),
                                          runs=10)
                worst = max(worst, s95, a95)
                print(f"[{engine}] wage table over a year by {by:9s} ({len(found['items'])} "
                      f"cells, {found['suppressed']} withheld): service p50 {s50:5.1f} p95 "
                      f"{s95:5.1f} ms | API p50 {a50:5.1f} p95 {a95:5.1f} ms", flush=True)
            for path in ("/demand.xlsx", "/wages.xlsx"):
                a50, a95, got = await _time(lambda p=path: get(p), runs=5)
                print(f"[{engine}] workbook {path:13s} ({len(got.content) // 1024} KiB): "
                      f"p50 {a50:5.1f} p95 {a95:5.1f} ms (not a target)", flush=True)
            s50, s95, found = await _time(lambda: vacancy.report(principal), runs=5)
            print(f"[{engine}] vacancy over 12 months ({len(found['items'])} rows): service "
                  f"p50 {s50:5.1f} p95 {s95:5.1f} ms (not a target)", flush=True)
    finally:
        done.set()
        await task
        await db.stop()
    verdict = "under" if worst < TARGET_MS else "OVER"
    print(f"[{engine}] worst p95 of the catalogue and wage table: {worst:.1f} ms "
          f"({verdict} the {TARGET_MS} ms target)", flush=True)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        import asyncio

        asyncio.run(_run(sys.argv[2]))
        return
    run_per_engine("bench.bench_demand", PG_URL)


if __name__ == "__main__":
    main()
