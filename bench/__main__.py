"""`make bench`: run every benchmark in bench/ and print its figures."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys
import time
from pathlib import Path


def main() -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # figures, not request lines
    here = Path(__file__).parent
    only = set(sys.argv[1:])
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    for name in names:
        if only and name not in only and name.removeprefix("bench_") not in only:
            continue
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.{name}").main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
