"""Check-in at the door while employers sign up (issue 13, item 2).

SQLite with one uvicorn worker, the real argon2 cost (FAIRS_PASSWORD_PROFILE unset), rate limits
off (the sign-ups come from one address). The bench_checkin machinery: a seeded fair with fresh
tickets, a real server, wrk sending first admissions at concurrency 16. Two measurements in the
same run:

- alone:    check-in with no sign-ups (the floor);
- sign-ups: the same while anonymous employer sign-ups (POST /api/v1/employers) arrive at 20 a
            second, open loop (each sent on time whether or not the last one has answered).

It prints check-in req/s, p50 and p99, and the sign-ups' count and latency. Before issue 13 each
sign-up hashed its password inside the SQLite write transaction, and every check-in waited for
the hash. Not asserted: figures to compare (`python -m bench signup_checkin`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from bench import bench_checkin as door

SIGNUPS_PER_SECOND = int(os.environ.get("FAIRS_BENCH_SIGNUPS", "20"))
CONCURRENCY = 16


def _uscc(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91370211{n:09d}"
    return body + uscc.calc_check_digit(body)


def _signup(n: int) -> dict:
    return {"name": f"压测企业{n}有限公司", "uscc": _uscc(n), "industry": "software",
            "contact_name": "王经理", "contact_phone": f"1381234{n % 10000:04d}",
            "username": f"bench-hr{n}", "password": f"bench-password-{n}"}


class SignUps(threading.Thread):
    """Anonymous sign-ups at a steady rate, open loop, in a thread with its own event loop."""

    def __init__(self, url: str, per_second: int, first: int) -> None:
        super().__init__(daemon=True)
        self.url, self.per_second, self.next = url, per_second, first
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        import httpx

        async with httpx.AsyncClient(base_url=self.url, timeout=60,
                                     limits=httpx.Limits(max_connections=200)) as client:
            pending: set[asyncio.Task] = set()
            started = time.perf_counter()
            sent = 0
            while not self.stop.is_set():
                due = started + sent / self.per_second
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                task = asyncio.create_task(self._one(client, self.next))
                pending.add(task)
                task.add_done_callback(pending.discard)
                self.next += 1
                sent += 1
            if pending:
                await asyncio.wait(pending, timeout=60)

    async def _one(self, client, n: int) -> None:
        t0 = time.perf_counter()
        try:
            status = (await client.post("/api/v1/employers", json=_signup(n))).status_code
        except Exception:  # noqa: BLE001 - counted as a failure
            status = 0
        self.latencies.append((time.perf_counter() - t0) * 1000)
        self.statuses[status] = self.statuses.get(status, 0) + 1


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def main() -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk); skipping")
        return
    os.environ.pop("FAIRS_PASSWORD_PROFILE", None)  # the real argon2 cost
    tickets = int(os.environ.get("FAIRS_BENCH_TICKETS", "40000"))
    print(f"{os.cpu_count()} CPUs; SQLite, 1 worker; wrk -t2 -c{CONCURRENCY}, "
          f"{door.DURATION} s per measurement; sign-ups at {SIGNUPS_PER_SECOND}/s")
    tmp = Path(tempfile.mkdtemp(prefix="bench-signup-db-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    var = Path(tempfile.mkdtemp(prefix="bench-signup-"))
    seeded = door._seed(url, tickets * 2, var)
    fair = seeded["fair"]
    codes = Path(seeded["codes"]).read_text().split()
    script = var / "checkin.lua"
    script.write_text(door.LUA)
    server = door.Server(url, 1, var)
    checkin_url = f"{server.url}/api/v1/fairs/{fair}/checkins"
    try:
        blocks = []
        for n in range(2):
            path = var / f"codes-{n}.txt"
            path.write_text("\n".join(codes[n * tickets:(n + 1) * tickets]) + "\n")
            blocks.append(path)
        alone = door._wrk(checkin_url, CONCURRENCY, script, blocks[0], tickets // 2,
                          server.token)
        signups = SignUps(server.url, SIGNUPS_PER_SECOND, first=1)
        signups.start()
        time.sleep(1.0)  # the sign-ups are under way before the door is measured
        busy = door._wrk(checkin_url, CONCURRENCY, script, blocks[1], tickets // 2,
                         server.token)
        signups.stop.set()
        signups.join(90)
    finally:
        server.stop()
        shutil.rmtree(var, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print(door._row("alone", alone))
    print(door._row("sign-ups", busy))
    made = signups.statuses.get(201, 0)
    print(f"  sign-ups: {sum(signups.statuses.values())} sent, {made} made "
          f"(statuses {dict(sorted(signups.statuses.items()))}), latency p50 "
          f"{_pct(signups.latencies, 50):.0f} ms, p99 {_pct(signups.latencies, 99):.0f} ms")
    print(f"  check-in with sign-ups / alone: p50 x{busy['p50'] / alone['p50']:.1f}, "
          f"p99 x{busy['p99'] / alone['p99']:.1f}, req/s x{busy['rps'] / alone['rps']:.2f}")


if __name__ == "__main__":
    main()
