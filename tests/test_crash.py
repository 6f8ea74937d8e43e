"""Crash safety: kill -9 a real server in the middle of a check-in load and of a booking rush,
restart it on the same database, and check that every acknowledged admission and booking is
there, none twice, and that the counts the service shows match the rows.

"Acknowledged" is what a client received: a 200 with `"result": "ok"` for a scan, a 201 (or
202, waitlisted) for a booking. An answer lost with the process may or may not have been
committed; either is fine, as long as it counts once.
"""

from __future__ import annotations

import asyncio

import httpx

from fairs import db
from tests.browser.conftest import LiveServer
from tests.conftest import DEMO_PASSWORDS, login_as
from tests.employers.conftest import employers_with_tokens
from tests.employers.conftest import make_fair as make_booth_fair
from tests.tickets.helpers import make_fair, phone

CONCURRENCY = 16


class Load:
    """Send `requests` (method, path, json, headers) with CONCURRENCY workers; call `on_answer`
    with each answer; kill the server (SIGKILL) once `kill_after` acknowledgements arrived."""

    def __init__(self, server: LiveServer, kill_after: int, acknowledged) -> None:
        self.server, self.kill_after, self.acknowledged = server, kill_after, acknowledged
        self.acks: list = []
        self.lost = 0
        self.killed = False

    async def run(self, requests: list[tuple]) -> None:
        queue: asyncio.Queue = asyncio.Queue()
        for r in requests:
            queue.put_nowait(r)
        limits = httpx.Limits(max_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=self.server.url, timeout=20,
                                     limits=limits) as http:
            async def worker() -> None:
                while not queue.empty():
                    key, method, path, body, headers = queue.get_nowait()
                    try:
                        answer = await http.request(method, path, json=body, headers=headers)
                    except httpx.HTTPError:
                        self.lost += 1
                        continue
                    ack = self.acknowledged(key, answer)
                    if ack is not None:
                        self.acks.append(ack)
                        if len(self.acks) >= self.kill_after and not self.killed:
                            self.killed = True
                            self.server.proc.kill()  # SIGKILL: no shutdown, no flush
                            self.server.proc.wait()

            await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def _token(url: str, username: str) -> dict:
    async with httpx.AsyncClient() as http:
        made = await http.post(f"{url}/api/v1/auth/tokens", json={
            "username": username, "password": DEMO_PASSWORDS[username], "name": "crash"})
        assert made.status_code == 201, made.text
        return {"authorization": f"Bearer {made.json()['token']}"}


async def _one(sql: str, *args) -> int:
    rows = await db.fetch(sql, *args)
    return int(list(rows[0].values())[0] or 0)


async def test_kill_during_check_in_load(new_client, world):
    from fairs.tickets import services as tickets

    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    fair_id = fair["id"]
    codes = [(await tickets.register(fair_id, f"求职者{n}", phone()))["code"]
             for n in range(600)]

    server = LiveServer()
    try:
        scanner = await _token(server.url, "scanner")

        def admitted(code, answer):
            if answer.status_code == 200 and answer.json()["result"] == "ok":
                return code
            assert answer.status_code == 200, answer.text
            return None

        load = Load(server, kill_after=150, acknowledged=admitted)
        await load.run([(c, "POST", f"/api/v1/fairs/{fair_id}/checkins", {"code": c}, scanner)
                        for c in codes])
    finally:
        server.stop()
    assert load.killed and load.lost > 0, "the server was not killed in the middle of the load"
    acked = set(load.acks)
    assert len(acked) == len(load.acks) >= 150

    server = LiveServer()  # restarted on the same database
    try:
        in_db = {r["code"] for r in await db.fetch(
            "SELECT r.code FROM admission a JOIN registration r ON r.id = a.registration "
            "WHERE a.fair = {}", fair_id)}
        assert acked <= in_db, f"{len(acked - in_db)} acknowledged admissions lost"
        assert await _one("SELECT COUNT(*) FROM (SELECT registration FROM admission WHERE "
                          "fair = {} GROUP BY registration HAVING COUNT(*) > 1) t",
                          fair_id) == 0
        rows = await _one("SELECT COUNT(*) FROM admission WHERE fair = {}", fair_id)
        assert rows == len(in_db)
        assert await _one("SELECT SUM(n) FROM admission_tally WHERE fair = {}", fair_id) == rows
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as http:
            counts = (await http.get(f"/api/v1/fairs/{fair_id}/attendance")).json()
            assert counts["checked_in"] == rows and counts["registered"] == len(codes)
            # The door carries on: admitted tickets are "already", the rest are admitted now.
            scanner = await _token(server.url, "scanner")
            sem = asyncio.Semaphore(CONCURRENCY)

            async def rescan(code: str) -> str:
                async with sem:
                    answer = await http.post(f"/api/v1/fairs/{fair_id}/checkins",
                                             json={"code": code}, headers=scanner)
                    return answer.json()["result"]

            results = await asyncio.gather(*(rescan(c) for c in codes))
            for code, result in zip(codes, results, strict=True):
                assert result == ("already_checked_in" if code in in_db else "ok"), code
            final = (await http.get(f"/api/v1/fairs/{fair_id}/attendance")).json()
        assert final["checked_in"] == len(codes)
        assert await _one("SELECT COUNT(*) FROM admission WHERE fair = {}", fair_id) == len(codes)
        assert await _one("SELECT SUM(n) FROM admission_tally WHERE fair = {}",
                          fair_id) == len(codes)
    finally:
        server.stop()


async def test_kill_during_booking_rush(new_client, world):
    organiser = await login_as(new_client, "organiser")
    booths = 60
    fair = await make_booth_fair(organiser, world, booths=booths)
    fair_id = fair["id"]
    employers = await employers_with_tokens(150, start=8000)

    server = LiveServer()
    try:
        def booked(employer, answer):
            assert answer.status_code in (201, 202, 409), answer.text
            if answer.status_code in (201, 202):
                body = answer.json()
                return (employer["id"], body["id"], body["status"], body["booth"])
            return None

        load = Load(server, kill_after=25, acknowledged=booked)
        await load.run([(e, "POST", f"/api/v1/fairs/{fair_id}/bookings", {"booth": None},
                         {"authorization": f"Bearer {e['token']}"}) for e in employers])
    finally:
        server.stop()
    assert load.killed and load.lost > 0, "the server was not killed in the middle of the rush"

    async def check() -> list[dict]:
        rows = [dict(r) for r in await db.fetch(
            "SELECT b.id, b.employer, b.status, t.code AS booth FROM booking b "
            "LEFT JOIN booth t ON t.id = b.booth WHERE b.fair = {}", fair_id)]
        by_id = {r["id"]: r for r in rows}
        for employer, booking, status, booth in load.acks:
            row = by_id.get(booking)
            assert row is not None, f"acknowledged booking {booking} lost"
            assert (row["employer"], row["status"]) == (employer, status)
            if status == "confirmed":
                assert row["booth"] == booth
        confirmed = [r for r in rows if r["status"] == "confirmed"]
        active = [r for r in rows if r["status"] in ("confirmed", "waitlisted")]
        assert len({r["booth"] for r in confirmed}) == len(confirmed), "a booth booked twice"
        assert len({r["employer"] for r in active}) == len(active), "an employer booked twice"
        return confirmed

    confirmed = await check()
    server = LiveServer()  # restarted on the same database
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as http:
            listed = (await http.get(f"/api/v1/fairs/{fair_id}/booths")).json()["items"]
            assert sum(b["status"] == "booked" for b in listed) == len(confirmed)
            # Everyone presses "book" again: the ones already in get a 409, the rest a place.
            sem = asyncio.Semaphore(CONCURRENCY)

            async def again(e: dict) -> int:
                async with sem:
                    answer = await http.post(f"/api/v1/fairs/{fair_id}/bookings",
                                             json={"booth": None},
                                             headers={"authorization": f"Bearer {e['token']}"})
                    return answer.status_code

            statuses = await asyncio.gather(*(again(e) for e in employers))
            assert set(statuses) <= {201, 202, 409}
            assert statuses.count(409) == await _one(
                "SELECT COUNT(*) FROM booking WHERE fair = {} AND status IN "
                "('confirmed', 'waitlisted')", fair_id) - statuses.count(201) - statuses.count(202)
            final = await check()
            assert len(final) == booths
            listed = (await http.get(f"/api/v1/fairs/{fair_id}/booths")).json()["items"]
            assert sum(b["status"] == "booked" for b in listed) == booths
    finally:
        server.stop()
