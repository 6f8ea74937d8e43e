"""A booking rush: 1,000 approved employers press "book" at once against 100 booths, over HTTP,
against a real server (uvicorn subprocess, FAIRS_RATE_LIMITS=off), on SQLite and PostgreSQL.

Prints the time to settle, requests per second, p50/p99, the answers by status, and what the
database holds afterwards (100 confirmed, no booth twice, no employer twice). The floor is the
same client hitting the health endpoint 1,000 times at once in the same run.

    .venv/bin/python -m bench booking
    FAIRS_BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/bench_booking (the default)
    FAIRS_BENCH_PG_WORKERS (uvicorn workers on PostgreSQL, default min(4, CPUs); SQLite: one)
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EMPLOYERS = 1000
BOOTHS = 100
ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("FAIRS_BENCH_PG_URL",
                        "postgresql://postgres@127.0.0.1:5432/bench_booking")


# --- run inside a subprocess with FAIRS_DATABASE_URL set: seed and check --------------------


async def _seed(out: str) -> None:
    import hashlib
    from datetime import UTC, datetime, timedelta

    from stdnum.cn import uscc as stdnum_uscc

    from fairs import db
    from fairs.accounts import demo as accounts_demo
    from fairs.accounts.services import hash_password
    from fairs.accounts.tables import ApiToken, Organisation, User
    from fairs.booths.tables import Booth
    from fairs.catalog import demo as catalog_demo
    from fairs.catalog.tables import Venue
    from fairs.demo import DemoContext
    from fairs.employers.tables import Employer, EmployerMember
    from fairs.events.tables import Fair
    from fairs.slices import connect_hooks

    connect_hooks()  # the seed runs services before (without) the app
    await db.start()
    ctx = DemoContext()
    await accounts_demo.load(ctx)
    await catalog_demo.load(ctx)
    venue = await Venue.select(Venue.id).first()
    org = await Organisation.select(Organisation.id).where(Organisation.code == "xha").first()
    at = datetime.now(UTC)
    fair_rows = await Fair.insert(Fair(
        kind="offline", title=f"booking rush {at.isoformat()}", starts_at=at + timedelta(days=10),
        ends_at=at + timedelta(days=10, hours=3), org=org["id"], venue=venue["id"],
        status="published", published_at=at - timedelta(hours=1),
    )).returning(Fair.id)
    fair_id = fair_rows[0]["id"]
    await Booth.insert(*[Booth(fair=fair_id, code=f"A{i + 1:03d}", zone="A", x=i % 10,
                               y=i // 10) for i in range(BOOTHS)])
    password_hash = await hash_password("bench-password-1")
    stamp = int(time.time())
    tokens = []
    for chunk in range(0, EMPLOYERS, 250):
        users = await User.insert(*[
            User(username=f"rush{stamp}-{n}", password_hash=password_hash, role="employer")
            for n in range(chunk, chunk + 250)]).returning(User.id)
        employers = await Employer.insert(*[
            Employer(name=f"企业{n}", uscc=_uscc(stdnum_uscc, stamp, n), industry="software",
                     contact_name="王", contact_phone="+8613800000000", status="approved")
            for n in range(chunk, chunk + 250)]).returning(Employer.id)
        await EmployerMember.insert(*[EmployerMember(employer=e["id"], user=u["id"])
                                      for u, e in zip(users, employers, strict=True)])
        batch = []
        for u in users:
            token = f"fairs_bench{u['id']}x{os.urandom(12).hex()}"
            tokens.append(token)
            batch.append(ApiToken(user=u["id"], name="bench", prefix=token[:10],
                                  token_hash=hashlib.sha256(token.encode()).hexdigest()))
        await ApiToken.insert(*batch)
    if not db.is_sqlite():
        # A database in service has its statistics; this one was just bulk-loaded, and
        # autovacuum would otherwise analyse it in the middle of the rush.
        await db.execute("ANALYZE")
    await db.stop()
    Path(out).write_text(json.dumps({"fair": fair_id, "tokens": tokens}))


def _uscc(stdnum_uscc, stamp: int, n: int) -> str:
    body = f"91{stamp % 1000000:06d}{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


async def _check(fair_id: int) -> None:
    from fairs import db

    await db.start()
    rows = [dict(r) for r in await db.fetch(
        "SELECT employer, booth, status FROM booking WHERE fair = {}", fair_id)]
    await db.stop()
    confirmed = [r for r in rows if r["status"] == "confirmed"]
    active = [r for r in rows if r["status"] in ("confirmed", "waitlisted")]
    print(json.dumps({
        "confirmed": len(confirmed),
        "waitlisted": len(active) - len(confirmed),
        "booth_twice": len(confirmed) - len({r["booth"] for r in confirmed}),
        "employer_twice": len(active) - len({r["employer"] for r in active}),
    }))


# --- the harness ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(url: str, var: Path) -> dict:
    env = dict(os.environ)
    env.update(FAIRS_DATABASE_URL=url, FAIRS_VAR_DIR=str(var), FAIRS_RATE_LIMITS="off",
               FAIRS_PASSWORD_PROFILE="cheapest", FAIRS_LOG_LEVEL="WARNING",
               PICCOLO_CONF="fairs.piccolo_conf")
    env.pop("FAIRS_REDIS_URL", None)
    return env


def _prepare_pg() -> bool:
    try:
        import asyncpg
    except ImportError:
        return False

    async def go() -> None:
        base, _, name = PG_URL.rpartition("/")
        conn = await asyncpg.connect(f"{base}/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    try:
        asyncio.run(go())
        return True
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL unavailable ({type(exc).__name__}: {exc}); skipped")
        return False


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else 0.0


async def _request(host: str, port: int, method: str, path: str, body: dict | None,
                   headers: dict) -> int:
    """One request on its own connection (as 1,000 separate browsers would), HTTP/1.1, with a
    minimal client: httpx itself costs more CPU than the server on a small machine."""
    payload = json.dumps(body).encode() if body is not None else b""
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(f"{method} {path} HTTP/1.1\r\nhost: {host}:{port}\r\n"
                     f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n"
                     f"connection: close\r\n{head}\r\n".encode() + payload)
        await writer.drain()
        data = await reader.read()
    finally:
        writer.close()
    return int(data.split(b" ", 2)[1])


async def _fire(requests: list[tuple[str, str, dict | None, dict]]) -> tuple[float, list]:
    async def one(method, url, body, headers):
        rest = url.split("://", 1)[1]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        started = time.perf_counter()
        try:
            status = await asyncio.wait_for(
                _request(host, int(port), method, "/" + path, body, headers), 30)
        except (OSError, TimeoutError, IndexError, ValueError) as exc:
            status = type(exc).__name__
        return status, time.perf_counter() - started

    started = time.perf_counter()
    results = await asyncio.gather(*[one(*r) for r in requests])
    return time.perf_counter() - started, results


def _report(label: str, elapsed: float, results: list) -> None:
    latencies = [t for _s, t in results]
    by_status: dict = {}
    for s, _t in results:
        by_status[s] = by_status.get(s, 0) + 1
    print(f"  {label:<22} settled in {elapsed:6.3f} s  {len(results) / elapsed:7.0f} req/s  "
          f"p50 {_pct(latencies, .5) * 1000:6.1f} ms  p99 {_pct(latencies, .99) * 1000:6.1f} ms"
          f"  answers {dict(sorted(by_status.items(), key=str))}")


def _run_engine(name: str, url: str, workers: int) -> None:
    print(f"\n{name} ({workers} worker{'s' if workers > 1 else ''}): {EMPLOYERS} employers, "
          f"{BOOTHS} booths")
    with tempfile.TemporaryDirectory(prefix="bench-booking-") as tmp:
        var = Path(tmp)
        env = _env(url, var)
        subprocess.run([str(Path(sys.executable).parent / "fairs"), "migrate"], env=env, cwd=ROOT,
                       check=True, capture_output=True)
        seed_file = var / "seed.json"
        subprocess.run([sys.executable, "-m", "bench.bench_booking", "seed", str(seed_file)],
                       env=env, cwd=ROOT, check=True)
        seed = json.loads(seed_file.read_text())
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "fairs.app:create_app", "--host",
             "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level",
             "warning", "--no-access-log", "--backlog", "4096"],
            env=env, cwd=ROOT, stderr=subprocess.PIPE)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(base, server)
            health = [("GET", f"{base}/api/v1/health", None, {}) for _ in range(EMPLOYERS)]
            asyncio.run(_fire(health[:100]))  # warm up connections and the app
            elapsed, results = asyncio.run(_fire(health))
            _report("floor (health)", elapsed, results)
            rng = random.Random(7)
            rush = []
            for i, token in enumerate(seed["tokens"]):
                body = {"booth": None} if i % 2 else {"booth": f"A{rng.randint(1, BOOTHS):03d}"}
                rush.append(("POST", f"{base}/api/v1/fairs/{seed['fair']}/bookings", body,
                             {"authorization": f"Bearer {token}"}))
            elapsed, results = asyncio.run(_fire(rush))
            _report("booking rush", elapsed, results)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        check = subprocess.run([sys.executable, "-m", "bench.bench_booking", "check",
                                str(seed["fair"])], env=env, cwd=ROOT, check=True,
                               capture_output=True, text=True)
        held = json.loads(check.stdout.strip().splitlines()[-1])
        ok = (held["confirmed"] == BOOTHS and held["booth_twice"] == 0
              and held["employer_twice"] == 0)
        five = sum(1 for s, _t in results if not isinstance(s, int) or s >= 500)
        print(f"  database: {held['confirmed']} confirmed, {held['waitlisted']} waitlisted, "
              f"{held['booth_twice']} booths twice, {held['employer_twice']} employers twice"
              f" -> {'consistent' if ok else 'INCONSISTENT'}; 5xx/timeouts: {five}; "
              f"target < 2 s: {'met' if elapsed < 2 and not five else 'MISSED'}")


def _wait(base: str, server: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(server.stderr.read().decode()[-2000:])
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-booking-db-") as tmp:
        _run_engine("SQLite", f"sqlite:///{tmp}/bench.db", 1)
    if _prepare_pg():
        workers = os.environ.get("FAIRS_BENCH_PG_WORKERS") or str(min(4, os.cpu_count() or 2))
        _run_engine("PostgreSQL", PG_URL, int(workers))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "seed":
        asyncio.run(_seed(sys.argv[2]))
    elif len(sys.argv) > 2 and sys.argv[1] == "check":
        asyncio.run(_check(int(sys.argv[2])))
    else:
        main()
