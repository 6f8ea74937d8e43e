"""Scale-out: check-in and booking throughput with 1, 2 and 4 uvicorn workers on PostgreSQL with
Redis (sessions, limits and live events shared), FAIRS_RATE_LIMITS=off, printing the curve.

It reuses the other benchmarks' load generators rather than writing new ones:

- check-in: bench_checkin's seeding (one fair open for check-in, bulk tickets) and its wrk
  script: first admissions (a distinct ticket per request, as a scanner sends it) at
  concurrency 64, and the same app's bare insert endpoint as the floor, for each worker count;
- booking: bench_booking's seeding (1,000 approved employers, 100 booths, a fresh fair per run)
  and its rush (every employer presses "book" at once, one connection each), with the health
  endpoint fired the same way as the floor; the database is checked afterwards (100 confirmed,
  no booth or employer twice).

Run: `.venv/bin/python -m bench scaleout`. PostgreSQL at FAIRS_BENCH_SCALEOUT_PG_URL (default
postgresql://postgres@127.0.0.1:5432/bench_scaleout, dropped and made afresh), Redis at
FAIRS_BENCH_REDIS_URL (default redis://127.0.0.1:6379/9); FAIRS_BENCH_WORKERS (default
"1,2,4"); FAIRS_BENCH_SECONDS per wrk measurement (bench_checkin's, default 6).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from bench import bench_booking, bench_checkin

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("FAIRS_BENCH_SCALEOUT_PG_URL",
                        "postgresql://postgres@127.0.0.1:5432/bench_scaleout")
REDIS_URL = os.environ.get("FAIRS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
WORKERS = [int(w) for w in os.environ.get("FAIRS_BENCH_WORKERS", "1,2,4").split(",")]
CONCURRENCY = 64
TICKETS_PER_RUN = int(os.environ.get("FAIRS_BENCH_TICKETS", "25000"))


@contextmanager
def with_redis():
    """The other benchmarks serve without Redis; here every worker shares it."""
    checkin_env, booking_env = bench_checkin._env, bench_booking._env

    def checkin(url: str) -> dict:
        env = checkin_env(url)
        env["FAIRS_REDIS_URL"] = REDIS_URL
        return env

    def booking(url: str, var: Path) -> dict:
        env = booking_env(url, var)
        env["FAIRS_REDIS_URL"] = REDIS_URL
        return env

    with mock.patch.object(bench_checkin, "_env", checkin), \
            mock.patch.object(bench_booking, "_env", booking):
        yield


def _ready() -> bool:
    try:
        import redis
    except ImportError:
        print("redis (the Python client) is not installed; skipping")
        return False
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        print(f"Redis not reachable at {REDIS_URL} ({type(exc).__name__}); skipping")
        return False
    bench_checkin.PG_URL = PG_URL  # _pg_ready drops and makes this database
    if not bench_checkin._pg_ready():
        return False
    return shutil.which("wrk") is not None or not print("wrk is not installed; skipping")


def checkin_curve() -> list[dict]:
    var = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    try:
        seeded = bench_checkin._seed(PG_URL, TICKETS_PER_RUN * len(WORKERS), var)
        codes = Path(seeded["codes"]).read_text().split()
        script = var / "checkin.lua"
        script.write_text(bench_checkin.LUA)
        rows = []
        for n, workers in enumerate(WORKERS):
            block = codes[n * TICKETS_PER_RUN:(n + 1) * TICKETS_PER_RUN]
            codes_file = var / f"codes-{workers}.txt"
            codes_file.write_text("\n".join(block) + "\n")
            server = bench_checkin.Server(PG_URL, workers, var)
            try:
                url = server.url
                bare = bench_checkin._wrk(f"{url}/api/v1/bench/fairs/{seeded['fair']}/insert",
                                          CONCURRENCY, script, None, 0, None)
                first = bench_checkin._wrk(f"{url}/api/v1/fairs/{seeded['fair']}/checkins",
                                           CONCURRENCY, script, codes_file, len(block) // 2,
                                           server.token)
            finally:
                server.stop()
            rows.append({"workers": workers, "bare": bare, "first": first})
            print(f"\ncheck-in, {workers} worker(s), concurrency {CONCURRENCY}")
            print(bench_checkin._row("bare", bare))
            print(bench_checkin._row("first", first))
            if first["oks"] < first["requests"] - first["errors"]:
                print("  (some answers were not 'ok': the ticket block ran out; raise "
                      "FAIRS_BENCH_TICKETS)")
        return rows
    finally:
        shutil.rmtree(var, ignore_errors=True)


def booking_run(workers: int) -> dict:
    """bench_booking's rush against `workers` workers; its figures and the database check."""
    with tempfile.TemporaryDirectory(prefix="bench-scaleout-booking-") as tmp:
        var = Path(tmp)
        env = bench_booking._env(PG_URL, var)
        seed_file = var / "seed.json"
        subprocess.run([sys.executable, "-m", "bench.bench_booking", "seed", str(seed_file)],
                       env=env, cwd=ROOT, check=True)
        seed = json.loads(seed_file.read_text())
        port = bench_booking._free_port()
        log = (var / "server.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "fairs.app:create_app", "--host",
             "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level",
             "warning", "--no-access-log", "--backlog", "4096"],
            env=env, cwd=ROOT, stderr=log)
        try:
            base = f"http://127.0.0.1:{port}"
            bench_booking._wait(base, server)
            health = [("GET", f"{base}/api/v1/health", None, {})
                      for _ in range(bench_booking.EMPLOYERS)]
            asyncio.run(bench_booking._fire(health[:100]))  # warm every worker up
            floor_s, floor = asyncio.run(bench_booking._fire(health))
            rng = random.Random(7)
            rush = []
            for i, token in enumerate(seed["tokens"]):
                body = ({"booth": None} if i % 2 else
                        {"booth": f"A{rng.randint(1, bench_booking.BOOTHS):03d}"})
                rush.append(("POST", f"{base}/api/v1/fairs/{seed['fair']}/bookings", body,
                             {"authorization": f"Bearer {token}"}))
            rush_s, answers = asyncio.run(bench_booking._fire(rush))
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
        errors_logged = _error_lines((var / "server.log").read_text(errors="replace"))
        check = subprocess.run([sys.executable, "-m", "bench.bench_booking", "check",
                                str(seed["fair"])], env=env, cwd=ROOT, check=True,
                               capture_output=True, text=True)
        held = json.loads(check.stdout.strip().splitlines()[-1])
    print(f"\nbooking rush, {workers} worker(s): {bench_booking.EMPLOYERS} employers, "
          f"{bench_booking.BOOTHS} booths")
    bench_booking._report("floor (health)", floor_s, floor)
    bench_booking._report("booking rush", rush_s, answers)
    consistent = (held["confirmed"] == bench_booking.BOOTHS and held["booth_twice"] == 0
                  and held["employer_twice"] == 0)
    errors = sum(1 for s, _t in answers if not isinstance(s, int) or s >= 500)
    print(f"  database: {held['confirmed']} confirmed, {held['waitlisted']} waitlisted -> "
          f"{'consistent' if consistent else 'INCONSISTENT'}; 5xx/timeouts: {errors}")
    for line in errors_logged:
        print(f"  server: {line}")
    latencies = [t for _s, t in answers]
    return {"workers": workers, "floor_rps": len(floor) / floor_s,
            "rush_rps": len(answers) / rush_s, "settled": rush_s,
            "p99": bench_booking._pct(latencies, .99), "consistent": consistent,
            "errors": errors}


def _error_lines(text: str) -> list[str]:
    """The distinct exception lines of a server's log (what a 5xx was)."""
    seen: dict[str, int] = {}
    for line in text.splitlines():
        if line and not line.startswith((" ", "Traceback", "INFO")) and (
                "Error" in line or "Exception" in line):
            seen[line[:240]] = seen.get(line[:240], 0) + 1
    return [f"{n} x {line}" for line, n in seen.items()][:10]


def main() -> None:
    print(f"{os.cpu_count()} CPUs; PostgreSQL {PG_URL}; Redis {REDIS_URL}; workers {WORKERS}")
    if not _ready():
        return
    with with_redis():
        # Migrate once, before any worker starts (workers never migrate).
        env = bench_booking._env(PG_URL, ROOT / "var")
        subprocess.run([str(Path(sys.executable).parent / "fairs"), "migrate"], env=env,
                       cwd=ROOT, check=True, capture_output=True)
        checkins = checkin_curve()
        bookings = [booking_run(w) for w in WORKERS]

    base_first = checkins[0]["first"]["rps"] or 1
    base_rush = bookings[0]["rush_rps"] or 1
    print("\nThe scaling curve (PostgreSQL + Redis; speed-up against one worker)")
    print(f"  {'workers':>7}  {'check-in/s':>10} {'x':>5} {'p99 ms':>7} {'floor/s':>8}   "
          f"{'bookings/s':>10} {'x':>5} {'settled s':>9} {'floor/s':>8}  db")
    for c, b in zip(checkins, bookings, strict=True):
        first = c["first"]
        print(f"  {c['workers']:>7}  {first['rps']:>10.0f} {first['rps'] / base_first:>5.2f} "
              f"{first['p99']:>7.1f} {c['bare']['rps']:>8.0f}   {b['rush_rps']:>10.0f} "
              f"{b['rush_rps'] / base_rush:>5.2f} {b['settled']:>9.3f} {b['floor_rps']:>8.0f}  "
              f"{'ok' if b['consistent'] and not b['errors'] else 'CHECK'}")
    print("  (the load generator, PostgreSQL and every worker share this machine's CPUs: the "
          "curve flattens where the CPUs run out, not where the design does)")


if __name__ == "__main__":
    main()
