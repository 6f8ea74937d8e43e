"""Calendar feeds of 200, 2,000 and 20,000 fairs, served through the whole app (middleware and
all) by httpx's ASGI transport: time to the first byte (the response's headers) when nothing is
cached, when the pieces are in the database only (a restarted or another worker), when they are
in this process's memory (a change somewhere in the feed), with the whole body cached, and a 304.

Targets (issue 6): with pieces < 300 ms, body cached < 20 ms, 304 < 5 ms, for 20,000 fairs.
Runs on a fresh SQLite file (or FAIRS_BENCH_DATABASE_URL's PostgreSQL, which is reset), made by
the real migrations. The floor is GET /api/v1/health (one `SELECT 1`) through the same app.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

from bench._common import migrated_with_staff, scratch_env

SIZES = (200, 2_000, 20_000)


def _ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


async def _ttfb(client, path: str, headers: dict | None = None) -> tuple[float, int, int]:
    started = time.perf_counter()
    async with client.stream("GET", path, headers=headers or {}) as response:
        first = time.perf_counter() - started
        size = 0
        async for chunk in response.aiter_raw():
            size += len(chunk)
        return first, response.status_code, size


async def _fill(target: int, have: int, ctx_ids: dict) -> None:
    from fairs import db
    from fairs.events.tables import Fair, FairAudience, FairIndustry

    orgs = [ctx_ids[f"org:{c}"] for c in ("xha", "gzk", "lsw", "huangdao", "jiaozhou")]
    venues = [v for k, v in ctx_ids.items() if k.startswith("venue:")]
    channels = [v for k, v in ctx_ids.items() if k.startswith("channel:")]
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=90)
    industries = ("ai", "film", "logistics", "software", "marine")
    for chunk in range(have, target, 500):
        async with db.write_transaction():
            rows = []
            for i in range(chunk, min(chunk + 500, target)):
                s = start + timedelta(minutes=30 * i)
                kind = "offline" if i % 3 else "online"
                rows.append(Fair(
                    kind=kind, title=f"青岛西海岸新区第{i}场春风行动暨高校毕业生专场招聘会",
                    description="", starts_at=s, ends_at=s + timedelta(hours=3),
                    org=orgs[i % len(orgs)],
                    venue=venues[i % len(venues)] if kind == "offline" else None,
                    channel=channels[i % len(channels)] if kind == "online" else None,
                    status="cancelled" if i % 25 == 0 else "published", revision=i % 3,
                    published_at=s - timedelta(days=20)))
            ids = [r["id"] for r in await Fair.insert(*rows).returning(Fair.id)]
            await FairIndustry.insert(*[FairIndustry(fair=f, industry=industries[f % 5])
                                        for f in ids])
            await FairAudience.insert(*[FairAudience(fair=f, audience=("general", "graduates")[
                f % 2]) for f in ids])


async def run() -> None:
    import httpx

    from fairs import db
    from fairs.app import create_app
    from fairs.calendar import services
    from fairs.calendar.tables import CalendarPiece
    from fairs.settings import Settings

    ctx = await migrated_with_staff(reset=True)
    app = create_app(Settings.from_env())
    engine = "SQLite" if db.is_sqlite() else "PostgreSQL"
    print(f"engine: {engine}; through the whole app (httpx ASGI transport); medians")
    header = (f"{'fairs':>7} {'size':>8} {'gzip':>7} {'cold':>9} {'db pieces':>10} "
              f"{'mem pieces':>11} {'cached':>8} {'cached gz':>10} {'304':>7} {'floor':>7}")
    results = []
    async with app.lifespan(), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        have = 0
        print(header)
        for size in SIZES:
            await _fill(size, have, ctx.ids)
            have = size
            path = "/calendar/fairs.ics?days=36500"
            ident = {"Accept-Encoding": "identity"}
            # Cold: nothing anywhere; every VEVENT is built by icalendar and stored.
            services.clear_caches()
            await CalendarPiece.delete(force=True)
            cold, status, body_size = await _ttfb(client, path, ident)
            assert status == 200, status
            reps = 3 if size >= 20_000 else 5
            db_pieces, mem_pieces, cached, cached_gz, nm, floor = [], [], [], [], [], []
            for _ in range(reps):
                services.clear_caches()  # pieces only in the database
                db_pieces.append((await _ttfb(client, path, ident))[0])
                services.bodies.clear()  # pieces in memory, the body to assemble
                mem_pieces.append((await _ttfb(client, path, ident))[0])
            first = await client.get(path, headers=ident)
            etag = first.headers["etag"]
            gz_size = (await _ttfb(client, path, {"Accept-Encoding": "gzip"}))[2]
            for _ in range(20):
                cached.append((await _ttfb(client, path, ident))[0])
                cached_gz.append((await _ttfb(client, path, {"Accept-Encoding": "gzip"}))[0])
                t, status, _ = await _ttfb(client, path, {"If-None-Match": etag})
                assert status == 304
                nm.append(t)
                floor.append((await _ttfb(client, "/api/v1/health"))[0])
            row = (size, body_size, gz_size, cold * 1000, _ms(db_pieces), _ms(mem_pieces),
                   _ms(cached), _ms(cached_gz), _ms(nm), _ms(floor))
            results.append(row)
            print(f"{row[0]:>7} {row[1] / 1e6:>6.1f}MB {row[2] / 1e6:>5.2f}MB {row[3]:>7.0f}ms "
                  f"{row[4]:>8.0f}ms {row[5]:>9.0f}ms {row[6]:>6.1f}ms {row[7]:>8.1f}ms "
                  f"{row[8]:>5.1f}ms {row[9]:>5.1f}ms", flush=True)
    print("growth from 200 to 20,000 fairs (x100 fairs):")
    a, b = results[0], results[-1]
    for i, name in ((3, "cold"), (4, "pieces in the database"), (5, "pieces in memory"),
                    (6, "body cached"), (8, "304")):
        print(f"  {name}: x{b[i] / max(a[i], 1e-6):.1f} "
              f"({b[i] / b[0] * 1000:.1f} µs per fair at 20,000)")
    print("targets at 20,000: pieces < 300 ms, cached < 20 ms, 304 < 5 ms")
    await db.stop()


def main() -> None:
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    scratch_env()
    os.environ["FAIRS_RATE_LIMITS"] = "off"
    asyncio.run(run())


if __name__ == "__main__":
    main()
