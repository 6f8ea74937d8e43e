"""What every request pays (issue 16, item 3): the app's stack around a route that does almost
nothing, against a bare Litestar app's route, in the same run.

SQLite, one uvicorn worker each, wrk -t2 -c16: GET /api/v1/health (the app's middleware, one
`SELECT 1`), GET /static/css/app.css (middleware, no database) and the bare app's GET /bare
(bench/_bare.py). Prints req/s, p50/p99 and the server's CPU ms per request, and the ratio
bare/this of CPU per request (target for /health: >= 0.6). The check-in against the app's raw
insert is `python -m bench checkin` (first/bare; its "raw" line, bench/_rawinsert.py, is a
framework-less reference).

Run: `.venv/bin/python -m bench stack`.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._http import DURATION, ROOT, Server, env_for, row, wrk

ROUNDS = int(os.environ.get("FAIRS_BENCH_ROUNDS", "5"))


def main() -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk); skipping")
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-stack-"))
    env = env_for(f"sqlite:///{tmp / 'bench.db'}", tmp / "var")
    print(f"{os.cpu_count()} CPUs; SQLite, one worker; wrk -t2 -c16, {DURATION} s each")
    out = subprocess.run([sys.executable, "-m", "fairs.cli", "migrate"], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=600)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    bare = Server("bench._bare:create_app", env, "/bare")
    app = Server("fairs.app:create_app", env, "/api/v1/health")
    try:
        # Interleaved rounds (the machine is shared: one run's CPU per request moves by ±20%);
        # the ratio is the median of the rounds' ratios, each round's pair run back to back.
        ratios = []
        for n in range(ROUNDS):
            floor = wrk(bare, "/bare", script_dir=tmp)
            health = wrk(app, "/api/v1/health", script_dir=tmp)
            print(row(f"[{n}] bare route (floor)", floor))
            print(row(f"[{n}] /api/v1/health", health, floor))
            ratios.append(floor["cpu_ms"] / health["cpu_ms"])
        static = wrk(app, "/static/css/app.css", script_dir=tmp)
        print(row("/static/css/app.css", static, floor))
        ratio = statistics.median(ratios)
        print(f"  health: bare/health CPU per request, median of {ROUNDS} rounds {ratio:.2f} "
              f"(rounds {', '.join(f'{r:.2f}' for r in ratios)}; target >= 0.6: "
              f"{'met' if ratio >= 0.6 else 'NOT met'})")
    finally:
        app.stop()
        bare.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
