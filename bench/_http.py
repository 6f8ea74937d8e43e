"""Serving and loading for the page and stack benchmarks: a uvicorn server in its own process
(one worker, so its CPU time is the server's), wrk at a given concurrency, and the server's CPU
milliseconds per request over the run (from /proc, user + system)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("FAIRS_BENCH_SECONDS", "6"))

LUA = r"""
function done(summary, latency, requests)
  io.write(string.format("P50 %f\nP99 %f\nMAX %f\n", latency:percentile(50) / 1000,
                         latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("REQS %d\nERRS %d\nSECS %f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.duration / 1e6))
end
"""


def env_for(url: str, var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"FAIRS_DATABASE_URL": url, "FAIRS_BENCH_ENDPOINTS": "on",
                "FAIRS_RATE_LIMITS": "off", "FAIRS_LOG_LEVEL": "WARNING",
                "FAIRS_PURGE_INTERVAL_HOURS": "0", "FAIRS_VAR_DIR": str(var),
                "PICCOLO_CONF": "fairs.piccolo_conf", "PYTHONPATH": str(ROOT)})
    env.pop("FAIRS_REDIS_URL", None)
    return env


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    """uvicorn serving `factory` (module:function) with `workers` workers on a free port, once
    it answers 200 at `ready`."""

    def __init__(self, factory: str, env: dict[str, str], ready: str, workers: int = 1) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers), "--log-level", "warning",
             "--no-access-log"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = f"http://127.0.0.1:{self.port}"
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(self.proc.stderr.read().decode()[-3000:])
            try:
                if httpx.get(f"{self.url}{ready}", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer {ready}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wrk(server: Server, path: str, concurrency: int = 16, headers: dict[str, str] | None = None,
        script_dir: Path | None = None) -> dict:
    """wrk -t2 for DURATION seconds on `path`; req/s, p50/p99/max (ms), errors (non-2xx/3xx
    included) and the server's CPU ms per request over the run."""
    script = (script_dir or Path("/tmp")) / "fairs-bench-pages.lua"
    script.write_text(LUA)
    cmd = ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{DURATION}s", "--timeout", "10s",
           "-s", str(script)]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    cmd.append(server.url + path)
    before = cpu_seconds(server.proc.pid)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=DURATION + 120)
    used = cpu_seconds(server.proc.pid) - before
    values = dict(re.findall(r"^(P50|P99|MAX|REQS|ERRS|SECS) ([\d.]+)$", out.stdout, re.M))
    if "REQS" not in values:
        raise RuntimeError(f"wrk failed: {out.stdout[-2000:]} {out.stderr[-2000:]}")
    reqs = int(values["REQS"])
    return {"rps": reqs / float(values["SECS"]), "p50": float(values["P50"]),
            "p99": float(values["P99"]), "max": float(values["MAX"]), "requests": reqs,
            "errors": int(values["ERRS"]), "cpu_ms": 1000 * used / max(reqs, 1)}


def row(name: str, r: dict, floor: dict | None = None) -> str:
    line = (f"  {name:<22} {r['rps']:>7.0f} req/s  p50 {r['p50']:>6.1f} ms  p99 {r['p99']:>6.1f}"
            f" ms  max {r['max']:>6.0f} ms  cpu {r['cpu_ms']:>6.2f} ms/req  errors {r['errors']}")
    if floor:
        line += f"  (cpu floor/this {floor['cpu_ms'] / r['cpu_ms']:.2f})"
    return line
