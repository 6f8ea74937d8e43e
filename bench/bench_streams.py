"""Live attendance streams: admissions and the health check while thousands of streams are open.

One uvicorn worker on a fresh SQLite database (one published fair, check-in open, enough
tickets). Admissions arrive at a steady pace (RATE a second, each a distinct ticket, a scanner's
bearer token) while the health endpoint is asked every 100 ms; measured first with no stream
open (the floor), then with STREAMS streams open on the fair, held by another process over raw
sockets (the caps raised for the run). Prints admission and health p50/p99, the worker's memory
(RSS) before and with the streams, and how many streams saw the final count.

The issue's figures before the fix: 3,000 anonymous streams made the health check take 4 s and a
walk-in 3.3 s (every admission re-ran the attendance query once per open stream).

Run: `.venv/bin/python -m bench streams` (FAIRS_BENCH_STREAMS, FAIRS_BENCH_RATE and
FAIRS_BENCH_SECONDS change the defaults: 5000 streams, 50 admissions a second, 6 s).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STREAMS = int(os.environ.get("FAIRS_BENCH_STREAMS", "5000"))
RATE = int(os.environ.get("FAIRS_BENCH_RATE", "50"))
SECONDS = int(os.environ.get("FAIRS_BENCH_SECONDS", "6"))
FRAME = re.compile(rb'data: (\{[^\n]*\})')


def _raise_fd_limit(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- the stream holder (a process of its own) ---------------------------------------------------


async def _hold(port: int, path: str, n: int) -> None:
    """Open `n` streams; print "OPEN ok refused"; on "REPORT <target>" from stdin, wait (up to
    15 s) until every open stream has seen checked_in == target, then print the figures."""
    _raise_fd_limit(n + 256)
    last: list[int] = [-1] * n
    frames = [0] * n
    ok = refused = 0
    writers = []
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
               ).encode()

    tails: list[bytes] = [b""] * n

    async def read(i: int, reader: asyncio.StreamReader) -> None:
        # Cheap: count the frames, keep the last chunk that held one; parsed at the report.
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            seen = chunk.count(b"data: ")
            if seen:
                frames[i] += seen
                tails[i] = chunk

    async def one(i: int) -> None:
        nonlocal ok, refused
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        status = await reader.readline()
        if b" 200 " not in status:
            refused += 1
            writer.close()
            return
        ok += 1
        writers.append(writer)
        asyncio.get_running_loop().create_task(read(i, reader))

    for start in range(0, n, 250):
        await asyncio.gather(*(one(i) for i in range(start, min(n, start + 250))))
    print(f"OPEN {ok} {refused}", flush=True)
    line = await asyncio.to_thread(sys.stdin.readline)
    target = int(line.split()[1])

    def reached() -> int:
        for i, tail in enumerate(tails):
            found = FRAME.findall(tail)
            if found:
                last[i] = json.loads(found[-1])["checked_in"]
        return sum(1 for v in last if v == target)

    for _ in range(75):  # up to 15 s
        if reached() >= ok:
            break
        await asyncio.sleep(0.2)
    print(json.dumps({"at_target": reached(), "open": ok,
                      "frames": sum(frames)}), flush=True)
    for writer in writers:
        writer.close()


# --- the measurement ------------------------------------------------------------------------


async def _admit(url: str, fair: int, token: str, codes: list[str]) -> dict:
    """Admissions paced at RATE a second and health checks every 100 ms, for SECONDS."""
    import httpx

    headers = {"authorization": f"Bearer {token}"}
    admit_ms: list[float] = []
    health_ms: list[float] = []
    results: list[str] = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        async def admit(code: str) -> None:
            started = time.perf_counter()
            answer = await http.post(f"/api/v1/fairs/{fair}/checkins", headers=headers,
                                     json={"code": code})
            admit_ms.append((time.perf_counter() - started) * 1000)
            results.append(answer.json().get("result", str(answer.status_code)))

        async def health() -> None:
            started = time.perf_counter()
            await http.get("/api/v1/health")
            health_ms.append((time.perf_counter() - started) * 1000)

        tasks = []
        begin = time.perf_counter()
        for n, code in enumerate(codes):
            wait = begin + n / RATE - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(admit(code)))
            if n % max(1, RATE // 10) == 0:
                tasks.append(asyncio.create_task(health()))
        await asyncio.gather(*tasks)
    return {"admit": admit_ms, "health": health_ms,
            "ok": sum(1 for r in results if r == "ok"), "n": len(codes)}


def _line(label: str, values: list[float]) -> str:
    return (f"  {label:<10} p50 {statistics.median(values):>8.1f} ms   "
            f"p99 {_pct(values, 0.99):>8.1f} ms   max {max(values):>8.1f} ms   n {len(values)}")


def main() -> None:
    from bench.bench_checkin import Server, _seed

    _raise_fd_limit(STREAMS + 1024)
    per_phase = RATE * SECONDS
    var = Path(tempfile.mkdtemp(prefix="bench-streams-"))
    url = f"sqlite:///{var / 'bench.db'}"
    seeded = _seed(url, per_phase * 2, var)
    fair = seeded["fair"]
    codes = Path(seeded["codes"]).read_text().split()
    # The caps raised for the run: every stream comes from this one address.
    os.environ.update({"FAIRS_STREAMS_PER_ADDRESS": str(STREAMS + 100),
                       "FAIRS_STREAMS_PER_PROCESS": str(STREAMS + 100)})
    server = Server(url, 1, var)
    pid = server.proc.pid
    print(f"{os.cpu_count()} CPUs; one uvicorn worker on SQLite; {RATE} admissions/s for "
          f"{SECONDS} s per phase, health every 100 ms; {STREAMS} streams")
    try:
        time.sleep(1)
        rss_idle = _rss_mb(pid)
        floor = asyncio.run(_admit(server.url, fair, server.token, codes[:per_phase]))
        rss_floor = _rss_mb(pid)

        path = f"/api/v1/fairs/{fair}/attendance/stream"
        started = time.perf_counter()
        holder = subprocess.Popen(
            [PYTHON, "-m", "bench.bench_streams", "hold", str(server.port), path, str(STREAMS)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        opened = holder.stdout.readline().split()
        open_secs = time.perf_counter() - started
        time.sleep(2)
        rss_open = _rss_mb(pid)
        loaded = asyncio.run(_admit(server.url, fair, server.token, codes[per_phase:]))
        rss_loaded = _rss_mb(pid)
        holder.stdin.write(f"REPORT {per_phase * 2}\n")
        holder.stdin.flush()
        report = json.loads(holder.stdout.readline())
        holder.wait(60)
    finally:
        server.stop()

    print(f"\nno stream open (the floor): {floor['ok']}/{floor['n']} admitted")
    print(_line("admission", floor["admit"]))
    print(_line("health", floor["health"]))
    print(f"\n{opened[1]} streams open ({opened[2]} refused; opened in {open_secs:.1f} s): "
          f"{loaded['ok']}/{loaded['n']} admitted")
    print(_line("admission", loaded["admit"]))
    print(_line("health", loaded["health"]))
    print(f"  streams that saw the final count: {report['at_target']}/{report['open']} "
          f"({report['frames']} data frames received in all)")
    print(f"\nworker RSS: {rss_idle:.0f} MB idle, {rss_floor:.0f} MB after the floor phase, "
          f"{rss_open:.0f} MB with the streams open, {rss_loaded:.0f} MB after admissions; "
          f"{(rss_open - rss_floor) * 1024 / max(1, int(opened[1])):.1f} kB a stream")
    print(f"ratios with/without streams: admission p99 "
          f"{_pct(loaded['admit'], 0.99) / _pct(floor['admit'], 0.99):.2f}, health p99 "
          f"{_pct(loaded['health'], 0.99) / _pct(floor['health'], 0.99):.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "hold":
        asyncio.run(_hold(int(sys.argv[2]), sys.argv[3], int(sys.argv[4])))
    else:
        main()
