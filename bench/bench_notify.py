"""Notifications: reminders for a 10,000-registrant fair drained through a local SMS gateway and
SMTP server, with check-in's p99 beside it while the outbox drains (issue 17).

For each engine (SQLite with one worker; PostgreSQL with two workers sharing the queue through
the claim's SKIP LOCKED), bench_checkin's seeding makes one fair open for check-in with
FAIRS_BENCH_TICKETS registrations; the fair's reminders are written the way the worker's
schedule writes them (receivers.to_registrants: one INSERT ... SELECT, one SMS per
registrant), plus EMAILS test e-mails. A real uvicorn server then starts with the delivery
worker on, a loopback HTTP gateway (in this process; it counts distinct message ids) and
aiosmtpd; wrk sends first admissions at concurrency 16 in DURATION-second windows: one with the
outbox empty (the server warming), then, the messages written while it serves (as the worker's
schedule writes reminders), until every message arrived. Printed: messages, seconds to drain
(from the writing's start), messages/s, repeated ids, and check-in p50/p99 before, while
draining and afterwards (the same server with an idle outbox: the floor).
Targets: drained in under 60 s, check-in p99 under 50 ms. On PostgreSQL it is measured twice:
with the two web workers delivering (spacing their sends while they serve), and with the web
workers delivering nothing and one `fairs deliver` process at nice 10 beside them.

Run: `.venv/bin/python -m bench notify` (FAIRS_BENCH_ENGINES as bench_checkin).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import bench_checkin
from bench.bench_checkin import LUA, PYTHON, ROOT, Server, _pg_ready, _seed, _wrk

REGISTRANTS = int(os.environ.get("FAIRS_BENCH_REGISTRANTS", "10000"))
EMAILS = int(os.environ.get("FAIRS_BENCH_EMAILS", "1000"))


class Gateway(threading.Thread):
    """A loopback HTTP gateway answering 200 to every POST, counting ids."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.ids: collections.Counter = collections.Counter()
        self.ready = threading.Event()
        self.port = 0
        self.last = 0.0  # when the last message arrived

    async def _handle(self, reader, writer) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.decode().split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                body = await reader.readexactly(length)
                self.ids[json.loads(body)["id"]] += 1
                self.last = time.perf_counter()
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def run(self) -> None:
        async def main() -> None:
            server = await asyncio.start_server(self._handle, "127.0.0.1", 0, backlog=512)
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()
            await asyncio.Event().wait()

        asyncio.run(main())


class Mailbox:
    def __init__(self) -> None:
        self.ids: collections.Counter = collections.Counter()
        self.last = 0.0  # when the last message arrived

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.ids[line.split(b":", 1)[1].strip()] += 1
                self.last = time.perf_counter()
        return "250 OK"


async def _enqueue_main(fair_id: int, emails: int) -> None:
    """In a subprocess: the fair's day-before reminders and `emails` test e-mails."""
    from fairs import db
    from fairs.notify import receivers
    from fairs.notify.outbox import Outgoing, enqueue
    from fairs.slices import connect_hooks

    connect_hooks()
    await db.start()
    print("ready", flush=True)
    sys.stdin.readline()  # started beforehand (Python's start-up is not the drain's): go
    facts = await receivers.fair_facts(fair_id)
    async with db.write_transaction():
        await receivers.to_registrants(fair_id, f"reminder_day:{fair_id}:bench", "reminder_day",
                                       receivers._base(facts), reminders=True)
    await enqueue([Outgoing(f"bench-mail:{fair_id}:{n}", "email", f"hr{n}@example.cn", "test")
                   for n in range(emails)])
    rows = await db.fetch("SELECT COUNT(*) AS n FROM outbox_message WHERE status = 'pending'")
    await db.stop()
    print(json.dumps({"messages": int(rows[0]["n"])}))


class _Enqueue:
    """The writing subprocess, started and ready (imports done, database open) before the
    drain is timed; `go()` makes it write and answers how many messages are pending."""

    def __init__(self, url: str, fair: int, var: Path) -> None:
        env = bench_checkin._env(url)
        env["FAIRS_VAR_DIR"] = str(var)
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "bench.bench_notify", "enqueue", str(fair), str(EMAILS)], env=env,
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError(self.proc.stderr.read()[-3000:])

    def go(self) -> int:
        out, err = self.proc.communicate("go\n", timeout=600)
        if self.proc.returncode:
            raise RuntimeError(err[-3000:])
        return json.loads(out.strip().splitlines()[-1])["messages"]


def _measure(label: str, url: str, workers: int, deliverers: int = 0) -> dict:
    """`deliverers` > 0: the web workers deliver nothing (FAIRS_NOTIFY_WORKER=off) and that many
    `fairs deliver` processes (nice 10) share the queue beside them."""
    from aiosmtpd.controller import Controller

    var = Path(tempfile.mkdtemp(prefix=f"bench-notify-{label}-"))
    seeded = _seed(url, REGISTRANTS, var)
    fair = seeded["fair"]
    gateway = Gateway()
    gateway.start()
    gateway.ready.wait()
    box = Mailbox()
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    smtp = Controller(box, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    os.environ.update({"FAIRS_SMS_URL": f"http://127.0.0.1:{gateway.port}/sms",
                       "FAIRS_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
                       "FAIRS_NOTIFY_QUIET_HOURS": "",
                       "FAIRS_NOTIFY_WORKER": "off" if deliverers else "on"})
    script = var / "checkin.lua"
    script.write_text(LUA)
    codes = Path(seeded["codes"]).read_text().split()
    server = Server(url, workers, var)
    env = bench_checkin._env(url)
    env["FAIRS_VAR_DIR"] = str(var)
    delivery = [subprocess.Popen([str(Path(PYTHON).parent / "fairs"), "deliver", "--nice", "10"],
                                 env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
                for _ in range(deliverers)]
    windows: list[dict] = []
    drained = None
    offset = 0

    def window() -> dict:
        nonlocal offset
        block = codes[offset:offset + 5000] or codes[:5000]
        offset += 5000
        codes_file = var / f"codes-{offset}.txt"
        codes_file.write_text("\n".join(block) + "\n")
        return _wrk(f"{server.url}/api/v1/fairs/{fair}/checkins", 16, script, codes_file,
                    len(block) // 2, server.token)

    try:
        # The server serves check-in with an empty outbox first (its workers warmed, as at a
        # fair's door); then the reminders fall due, written while it serves, as the worker's
        # schedule writes them, and the drain is timed from there.
        warm = window()
        writer = _Enqueue(url, fair, var)
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # written while wrk runs
            writing = pool.submit(writer.go)
            while drained is None and time.perf_counter() - started < 300:
                windows.append(window())
                if writing.done() and len(gateway.ids) + len(box.ids) >= writing.result():
                    drained = max(gateway.last, box.last) - started  # the last arrival
            expected = writing.result()
        floor = window()
    finally:
        server.stop()
        for proc in delivery:
            proc.terminate()
            proc.wait(20)
        smtp.stop()
        shutil.rmtree(var, ignore_errors=True)
    # The drain's end is the last message's arrival at the gateway or the SMTP server.
    repeats = sum(n - 1 for n in gateway.ids.values() if n > 1) + sum(
        n - 1 for n in box.ids.values() if n > 1)
    return {"messages": expected, "sms": len(gateway.ids), "emails": len(box.ids),
            "drained": drained, "repeats": repeats, "during": windows, "after": floor,
            "before": warm}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "enqueue":
        asyncio.run(_enqueue_main(int(sys.argv[2]), int(sys.argv[3])))
        return
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install -y wrk); skipping")
        return
    print(f"{os.cpu_count()} CPUs; {REGISTRANTS} registrants' reminders (SMS) and {EMAILS} "
          f"e-mails; check-in with wrk -t2 -c16 in {bench_checkin.DURATION} s windows")
    engines = os.environ.get("FAIRS_BENCH_ENGINES", "sqlite,postgres").split(",")
    plans = []
    if "sqlite" in engines:
        tmp = Path(tempfile.mkdtemp(prefix="bench-notify-db-"))
        plans.append(("sqlite", f"sqlite:///{tmp / 'bench.db'}", 1, 0))
    if "postgres" in engines and _pg_ready():
        plans.append(("postgres", bench_checkin.PG_URL, 2, 0))
        plans.append(("postgres", bench_checkin.PG_URL, 2, 1))
    for label, url, workers, deliverers in plans:
        r = _measure(label, url, workers, deliverers)
        drained = f"{r['drained']:.1f} s" if r["drained"] else "NOT drained in 300 s"
        rate = f"{r['messages'] / r['drained']:.0f} messages/s" if r["drained"] else ""
        how = (f"{workers} web worker(s) + {deliverers} `fairs deliver` (nice 10)" if deliverers
               else f"{workers} worker(s)")
        print(f"\n{label}, {how}: {r['messages']} messages "
              f"({r['sms']} SMS ids, {r['emails']} e-mails received), drained in "
              f"{drained} {rate}; repeated deliveries {r['repeats']} (target: < 60 s)")
        worst = max(r["during"], key=lambda w: w["p99"])
        b = r["before"]
        print(f"  check-in before (empty outbox, the server warming): {b['rps']:.0f} req/s, "
              f"p50 {b['p50']:.1f} ms, p99 {b['p99']:.1f} ms")
        for n, w in enumerate(r["during"]):
            print(f"  check-in while draining [{n}]: {w['rps']:.0f} req/s, p50 {w['p50']:.1f} ms,"
                  f" p99 {w['p99']:.1f} ms")
        print(f"  check-in while draining, worst p99 {worst['p99']:.1f} ms (target: < 50 ms)")
        a = r["after"]
        print(f"  check-in after (idle outbox): {a['rps']:.0f} req/s, p50 {a['p50']:.1f} ms, "
              f"p99 {a['p99']:.1f} ms")


if __name__ == "__main__":
    main()
