"""`make bench`: run every benchmark in bench/ and print its figures.

`python -m bench` runs them all, each in a process of its own (a benchmark sets
FAIRS_DATABASE_URL for its scratch database before the app's modules are loaded, and the engine
is chosen once per process: in one process they would all share the first one's database);
`python -m bench checkin booking` runs the named ones, one of them in this process.
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # figures, not request lines
    # No scheduled purge of personal data in the servers benchmarks start: not what they time.
    os.environ.setdefault("FAIRS_PURGE_INTERVAL_HOURS", "0")
    here = Path(__file__).parent
    only = set(sys.argv[1:])
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    chosen = [n for n in names if not only or n in only or n.removeprefix("bench_") in only]
    if os.environ.get("FAIRS_BENCH_CHILD"):  # one benchmark, for the parent below
        importlib.import_module(f"bench.{chosen[0]}").main()
        return 0
    failed = 0
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        failed += subprocess.run([sys.executable, "-m", "bench", name], cwd=here.parent,
                                 env={**os.environ, "FAIRS_BENCH_CHILD": "1"}).returncode != 0
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
