"""The registration rush (issue 16, item 2): 5,000 distinct phones register at once for a fair of
1,000 places, over HTTP, one connection each, against a real server (uvicorn subprocess,
FAIRS_RATE_LIMITS=off): SQLite with one worker, PostgreSQL with two (FAIRS_BENCH_PG_WORKERS).

Prints, beside the same run's floor (the health route, 1,000 at once, and its server CPU per
request):

- the rush: time to settle, p50/p99, the answers by status;
- refusals once the fair is full: 2,000 more phones at once, their p50/p99 and the server's CPU
  per refusal (every server process's user+system time over the burst, divided by its requests);
- CPU per admission: the rush's server CPU less its refusals at that price, over the admissions;
- what the database holds afterwards: exactly 1,000 active registrations (asserted), the tally.

    .venv/bin/python -m bench rush
    FAIRS_BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/bench_rush (the default)
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import bench_booking as harness

PHONES = int(os.environ.get("FAIRS_BENCH_RUSH_PHONES", "5000"))
PLACES = int(os.environ.get("FAIRS_BENCH_RUSH_PLACES", "1000"))
LATE = 2000  # refusals measured once the fair is full
# Phones in flight at once (each request on its own connection, as separate phones would):
# the rest wait their turn, so p50/p99 are the server's answer times under this load, not the
# queue of 5,000 connections opened at the same instant (FAIRS_BENCH_RUSH_CONCURRENCY=5000).
CONCURRENCY = int(os.environ.get("FAIRS_BENCH_RUSH_CONCURRENCY", "64"))
ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("FAIRS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bench_rush")


# --- run inside a subprocess with FAIRS_DATABASE_URL set: seed and check --------------------


async def _seed(out: str) -> None:
    from datetime import UTC, datetime, timedelta

    from fairs import db
    from fairs.accounts import demo as accounts_demo
    from fairs.accounts.tables import Organisation
    from fairs.catalog import demo as catalog_demo
    from fairs.catalog.tables import Venue
    from fairs.demo import DemoContext
    from fairs.events.tables import Fair
    from fairs.slices import connect_hooks

    await db.start()
    connect_hooks()
    ctx = DemoContext()
    await accounts_demo.load(ctx)
    await catalog_demo.load(ctx)
    venue = await Venue.select(Venue.id).first()
    org = await Organisation.select(Organisation.id).where(Organisation.code == "xha").first()
    at = datetime.now(UTC)
    rows = await Fair.insert(Fair(
        kind="offline", title=f"registration rush {at.isoformat()}",
        starts_at=at + timedelta(days=10), ends_at=at + timedelta(days=10, hours=3),
        org=org["id"], venue=venue["id"], capacity=PLACES, status="published",
        published_at=at - timedelta(hours=1))).returning(Fair.id)
    if not db.is_sqlite():
        await db.execute("ANALYZE")
    await db.stop()
    Path(out).write_text(json.dumps({"fair": rows[0]["id"]}))


async def _check(fair_id: int) -> None:
    from fairs import db

    await db.start()
    active = await db.fetch(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT phone) AS phones FROM registration "
        "WHERE fair = {} AND status = 'active'", fair_id)
    tally = await db.fetch(
        "SELECT COALESCE(SUM(active), 0) AS n FROM registration_tally WHERE fair = {}", fair_id)
    await db.stop()
    print(json.dumps({"active": int(active[0]["n"]), "phones": int(active[0]["phones"]),
                      "tally": int(tally[0]["n"])}))


# --- the harness ------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """The server's process and its descendants (uvicorn's workers)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def _cpu(pid: int) -> float:
    """Seconds of user+system CPU the server's processes have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


async def _fire(requests: list, concurrency: int) -> tuple[float, list]:
    """bench_booking's client, `concurrency` requests in flight at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(request: tuple) -> tuple:
        async with gate:
            _elapsed, results = await harness._fire([request])
            return results[0]

    started = time.perf_counter()
    results = await asyncio.gather(*[one(r) for r in requests])
    return time.perf_counter() - started, results


def _burst(server: subprocess.Popen, requests: list) -> tuple[float, list, float]:
    before = _cpu(server.pid)
    elapsed, results = asyncio.run(_fire(requests, CONCURRENCY))
    time.sleep(0.2)  # the last answers' bookkeeping
    return elapsed, results, _cpu(server.pid) - before


def _phone(n: int) -> str:
    return f"139{n:08d}"


def _run_engine(name: str, url: str, workers: int) -> dict:
    print(f"\n{name} ({workers} worker{'s' if workers > 1 else ''}): {PHONES} phones, "
          f"{PLACES} places, {CONCURRENCY} in flight")
    with tempfile.TemporaryDirectory(prefix="bench-rush-") as tmp:
        var = Path(tmp)
        env = harness._env(url, var)
        subprocess.run([str(Path(sys.executable).parent / "fairs"), "migrate"], env=env,
                       cwd=ROOT, check=True, capture_output=True)
        seed_file = var / "seed.json"
        subprocess.run([sys.executable, "-m", "bench.bench_rush", "seed", str(seed_file)],
                       env=env, cwd=ROOT, check=True)
        fair = json.loads(seed_file.read_text())["fair"]
        port = harness._free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "fairs.app:create_app", "--host",
             "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level",
             "warning", "--no-access-log", "--backlog", "8192"],
            env=env, cwd=ROOT, stderr=subprocess.PIPE)
        try:
            base = f"http://127.0.0.1:{port}"
            harness._wait(base, server)
            health = [("GET", f"{base}/api/v1/health", None, {}) for _ in range(1000)]
            asyncio.run(harness._fire(health[:100]))  # warm up connections and the app
            elapsed, results, cpu = _burst(server, health)
            harness._report("floor (health)", elapsed, results)
            floor_cpu = cpu / len(results) * 1000
            print(f"  {'':<22} server CPU {floor_cpu:.3f} ms a request")
            path = f"{base}/api/v1/fairs/{fair}/registrations"

            def reg(n: int) -> tuple:
                return ("POST", path, {"name": f"求职者{n}", "phone": _phone(n)}, {})

            rush_s, rush, rush_cpu = _burst(server, [reg(n) for n in range(PHONES)])
            harness._report("rush", rush_s, rush)
            late_s, late, late_cpu = _burst(server, [reg(n) for n in range(PHONES,
                                                                          PHONES + LATE)])
            harness._report("refusals once full", late_s, late)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        check = subprocess.run([sys.executable, "-m", "bench.bench_rush", "check", str(fair)],
                               env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        held = json.loads(check.stdout.strip().splitlines()[-1])
    admitted = sum(1 for s, _t in rush if s == 201)
    refused = sum(1 for s, _t in rush if s == 409)
    per_refusal = late_cpu / len(late) * 1000
    per_admission = (rush_cpu - refused * per_refusal / 1000) / max(admitted, 1) * 1000
    p99 = harness._pct([t for _s, t in rush], .99) * 1000
    above = per_refusal - floor_cpu
    print(f"  server CPU: a refusal once full {per_refusal:.3f} ms (the floor's bare request "
          f"{floor_cpu:.3f}: {above:+.3f} above it), an admission {per_admission:.3f} ms; "
          f"rush {rush_cpu:.2f} s CPU in all")
    five = sum(1 for s, _t in rush + late if not isinstance(s, int) or s >= 500)
    exact = (held["active"] == PLACES and held["phones"] == PLACES and held["tally"] == PLACES
             and admitted == PLACES)
    print(f"  database: {held['active']} active ({held['phones']} phones), tally "
          f"{held['tally']}; 201s {admitted} -> {'exact' if exact else 'INEXACT'}; 5xx/timeouts "
          f"{five}; targets: settled < 2 s {'met' if rush_s < 2 else 'MISSED'}, p99 < 100 ms "
          f"{'met' if p99 < 100 else 'MISSED'}, refusal <= 0.2 ms CPU above the floor "
          f"{'met' if above <= 0.2 else 'MISSED'}")
    assert exact, f"{held} admitted {admitted}: not exactly {PLACES}"
    assert not five, f"{five} 5xx or timeouts"
    return {"settled": rush_s, "p99": p99, "refusal_cpu": per_refusal}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-rush-db-") as tmp:
        _run_engine("SQLite", f"sqlite:///{tmp}/bench.db", 1)
    harness.PG_URL = PG_URL
    if harness._prepare_pg():
        workers = int(os.environ.get("FAIRS_BENCH_PG_WORKERS", "2"))
        _run_engine("PostgreSQL", PG_URL, workers)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "seed":
        asyncio.run(_seed(sys.argv[2]))
    elif len(sys.argv) > 2 and sys.argv[1] == "check":
        asyncio.run(_check(int(sys.argv[2])))
    else:
        main()
