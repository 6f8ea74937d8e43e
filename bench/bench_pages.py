"""Public pages over HTTP on loopback, with wrk (issue 16, item 1).

A fresh SQLite database is migrated and loaded with the demo (`fairs migrate`, `fairs demo`: a
city's year of fairs, about two hundred); `fairs.app:create_app` is served by uvicorn with one
worker, and, in the same run, a bare Litestar app's GET route (bench/_bare.py) as the floor.
At 16 connections, as an anonymous phone (Accept-Language zh-CN) asks for them:

- /fairs                 the upcoming fairs (the default list);
- /fairs?past=1          the year's list, first page;
- /fairs?filter          a filtered query (kind, industry, text);
- /fairs/{id}            an upcoming fair's page;
- ... revalidated        the same with If-None-Match of the ETag a first answer gave
                         (304s, when the page answers ETags);

printing req/s, p50, p99 and the worst latency, and the server's CPU ms per request beside the
bare route's. Targets (issue 16): /fairs >= 1,000/s with p99 < 50 ms; a fair's page >= 1,500/s.

Run: `.venv/bin/python -m bench pages`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench._http import DURATION, ROOT, Server, env_for, row, wrk

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


def _seed(env: dict[str, str]) -> None:
    for args in (["migrate"], ["demo"]):
        out = subprocess.run([sys.executable, "-m", "fairs.cli", *args], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=900)
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])


def _upcoming_fair(url: str) -> int:
    """The first fair of the upcoming list (a published one, registration open)."""
    import re

    import httpx

    html = httpx.get(f"{url}/fairs", timeout=10).text
    return int(re.search(r'href="/fairs/(\d+)"', html).group(1))


def main() -> None:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk); skipping")
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    env = env_for(f"sqlite:///{tmp / 'bench.db'}", tmp / "var")
    print(f"{os.cpu_count()} CPUs; SQLite, one worker; wrk -t2 -c16, {DURATION} s each")
    _seed(env)
    bare = Server("bench._bare:create_app", env, "/bare")
    app = Server("fairs.app:create_app", env, "/api/v1/health")
    try:
        import httpx

        fair = _upcoming_fair(app.url)
        count = httpx.get(f"{app.url}/fairs?past=1", headers=ZH, timeout=10)
        print(f"demo data loaded; the fair page measured is /fairs/{fair}; /fairs?past=1 "
              f"answers {len(count.content)} bytes")
        floor = wrk(bare, "/bare", headers=ZH, script_dir=tmp)
        print(row("bare route (floor)", floor))
        targets = [("/fairs", "/fairs"), ("/fairs?past=1", "/fairs?past=1"),
                   ("/fairs?filter", "/fairs?kind=offline&industry=manufacturing&q=%E6%8B%9B"
                                     "%E8%81%98&past=1"),
                   (f"/fairs/{fair}", f"/fairs/{fair}")]
        results = {}
        for name, path in targets:
            results[name] = wrk(app, path, headers=ZH, script_dir=tmp)
            print(row(name, results[name], floor))
        for name, path in (targets[0], targets[3]):
            first = httpx.get(app.url + path, headers=ZH, timeout=10)
            etag = first.headers.get("etag")
            if etag:
                r = wrk(app, path, headers={**ZH, "If-None-Match": etag}, script_dir=tmp)
                print(row(f"{name} revalidated", r, floor))
            else:
                print(f"  {name} revalidated: no ETag answered")
        lst, page = results["/fairs"], results[f"/fairs/{fair}"]
        met = lst["rps"] >= 1000 and lst["p99"] < 50
        print(f"  target /fairs (>= 1000/s, p99 < 50 ms): {'met' if met else 'NOT met'}")
        print(f"  target fair page (>= 1500/s): {'met' if page['rps'] >= 1500 else 'NOT met'}")
    finally:
        app.stop()
        bare.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
