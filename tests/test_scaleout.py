"""Scale-out: several server processes share sessions (and limits, and live events) through Redis,
so any worker can serve any request."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.browser.conftest import LiveServer
from tests.conftest import DEMO_PASSWORDS, REDIS_URL
from tests.tickets.helpers import make_fair, register

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs FAIRS_TEST_REDIS_URL")


@pytest.fixture
def two_servers(migrated, world):
    env = {"FAIRS_REDIS_URL": REDIS_URL, "FAIRS_SECRET_KEY": "s" * 48}
    servers = [LiveServer(extra_env=env), LiveServer(extra_env=env)]
    yield servers
    for server in servers:
        server.stop()


async def test_log_in_through_one_worker_act_through_another(two_servers):
    a, b = two_servers
    async with httpx.AsyncClient() as http:
        login = await http.post(f"{a.url}/api/v1/auth/login",
                                json={"username": "organiser", "password": "organiser-demo-2026"})
        assert login.status_code == 200
        session = login.cookies["fairs_session"]
        csrf = login.cookies["fairs_csrf"]  # the login hands out the new session's CSRF token
        cookies = {"fairs_session": session, "fairs_csrf": csrf}
        me = await http.get(f"{b.url}/api/v1/auth/me", cookies=cookies)
        assert me.status_code == 200 and me.json()["username"] == "organiser"
        made = await http.post(f"{b.url}/api/v1/catalog/venues", cookies=cookies,
                               headers={"x-csrf-token": csrf},
                               json={"name": "跨进程会场", "district": "xha"})
        assert made.status_code == 201, made.text
        listed = await http.get(f"{a.url}/api/v1/catalog/venues")
        assert "跨进程会场" in [v["name"] for v in listed.json()["items"]]
        # Logging out through A ends the session on B too.
        out = await http.post(f"{a.url}/api/v1/auth/logout", cookies=cookies,
                              headers={"x-csrf-token": csrf})
        assert out.status_code == 204
        assert (await http.get(f"{b.url}/api/v1/auth/me", cookies=cookies)).status_code == 401


async def _sse_counts(http: httpx.AsyncClient, url: str, seen: list[int], first: asyncio.Event,
                      target: int) -> None:
    """Read the attendance stream, noting each `checked_in`, until it reaches `target`."""
    async with http.stream("GET", url, headers={"accept": "text/event-stream"}) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        async for line in stream.aiter_lines():
            if not line.startswith("data:"):
                continue
            seen.append(json.loads(line[5:].strip())["checked_in"])
            first.set()
            if seen[-1] >= target:
                return


async def test_live_count_on_one_worker_while_admissions_arrive_through_another(two_servers,
                                                                                 world):
    a, b = two_servers
    admitted = 40
    async with httpx.AsyncClient(timeout=30) as http:
        async def token(username: str) -> dict:
            made = await http.post(f"{a.url}/api/v1/auth/tokens", json={
                "username": username, "password": DEMO_PASSWORDS[username], "name": "scale"})
            assert made.status_code == 201, made.text
            return {"authorization": f"Bearer {made.json()['token']}"}

        organiser, scanner = await token("organiser"), await token("scanner")
        fair = await make_fair(_Base(http, b.url, organiser), world)
        tickets = [await register(_Base(http, a.url, {}), fair["id"], f"求职者{n}")
                   for n in range(admitted)]

        seen: list[int] = []
        first = asyncio.Event()
        reader = asyncio.create_task(_sse_counts(
            http, f"{a.url}/api/v1/fairs/{fair['id']}/attendance/stream", seen, first, admitted))
        await asyncio.wait_for(first.wait(), 10)
        assert seen == [0]

        async def scan(ticket: dict) -> str:
            answer = await http.post(f"{b.url}/api/v1/fairs/{fair['id']}/checkins",
                                     headers=scanner, json={"code": ticket["code"]})
            assert answer.status_code == 200, answer.text
            return answer.json()["result"]

        # Admissions in waves through B, while A's stream is open.
        for wave in range(0, admitted, 10):
            results = await asyncio.gather(*(scan(t) for t in tickets[wave:wave + 10]))
            assert results == ["ok"] * len(results)
            await asyncio.sleep(0.3)
        await asyncio.wait_for(reader, 5)  # pub/sub: well under a heartbeat (15 s)
        assert seen[-1] == admitted
        assert seen == sorted(seen) and len(seen) >= 2  # it moved while we watched
        counts = (await http.get(f"{a.url}/api/v1/fairs/{fair['id']}/attendance")).json()
        assert counts["checked_in"] == admitted and counts["registered"] == admitted


class _Base:
    """A tiny adapter so the tickets helpers (which take a client with relative paths) can
    drive a live server: `post`/`put` with a path, on one base URL and with fixed headers."""

    def __init__(self, http: httpx.AsyncClient, base: str, headers: dict) -> None:
        self.http, self.base, self.headers = http, base, headers

    async def post(self, path: str, **kw):
        return await self.http.post(self.base + path, headers=self.headers, **kw)

    async def put(self, path: str, **kw):
        return await self.http.put(self.base + path, headers=self.headers, **kw)


async def test_one_ticket_scanned_at_once_through_two_workers_counts_once(two_servers, world):
    """Scans of one ticket arriving together at two workers (each batching its own): one is
    admitted, every other answers already_checked_in with its time, and the scan log says the
    same as the answers (a scan that lost the admission to the other worker is logged as
    already_checked_in, not ok); retries of one scan through both workers answer alike."""
    from fairs import db

    a, b = two_servers
    async with httpx.AsyncClient(timeout=30) as http:
        made = await http.post(f"{a.url}/api/v1/auth/tokens", json={
            "username": "organiser", "password": DEMO_PASSWORDS["organiser"], "name": "scale"})
        organiser = {"authorization": f"Bearer {made.json()['token']}"}
        made = await http.post(f"{a.url}/api/v1/auth/tokens", json={
            "username": "scanner", "password": DEMO_PASSWORDS["scanner"], "name": "scale"})
        scanner = {"authorization": f"Bearer {made.json()['token']}"}
        fair = await make_fair(_Base(http, b.url, organiser), world)
        ticket = await register(_Base(http, a.url, {}), fair["id"])

        async def scan(server, nonce: str) -> dict:
            answer = await http.post(f"{server.url}/api/v1/fairs/{fair['id']}/checkins",
                                     headers=scanner,
                                     json={"code": ticket["code"], "nonce": nonce})
            assert answer.status_code == 200, answer.text
            return answer.json()

        answers = await asyncio.gather(*(scan((a, b)[n % 2], f"n-{n}") for n in range(20)))
        results = [x["result"] for x in answers]
        assert results.count("ok") == 1 and results.count("already_checked_in") == 19
        assert len({x["checked_in_at"] for x in answers}) == 1
        logged = await db.fetch("SELECT nonce, result FROM scan WHERE fair = {}", fair["id"])
        assert {r["nonce"]: r["result"] for r in logged} == {
            f"n-{n}": x["result"] for n, x in enumerate(answers)}
        rows = await db.fetch("SELECT COUNT(*) AS n FROM admission WHERE fair = {}", fair["id"])
        assert int(rows[0]["n"]) == 1
        retried = await asyncio.gather(*(scan((a, b)[n % 2], "n-3") for n in range(10)))
        first = {k: v for k, v in answers[3].items() if k != "counts"}
        assert all({k: v for k, v in r.items() if k not in ("counts", "replayed")} == first
                   for r in retried)
        assert all(r["replayed"] is True for r in retried)
        counts = (await http.get(f"{a.url}/api/v1/fairs/{fair['id']}/attendance")).json()
        assert counts["checked_in"] == 1


async def test_public_pages_change_through_the_other_worker_at_once(two_servers, world):
    """A fair renamed and cancelled through worker A shows at once on worker B's cached pages,
    and B's old ETag no longer gets a 304."""
    a, b = two_servers
    async with httpx.AsyncClient() as http, httpx.AsyncClient() as phone:
        login = await http.post(f"{a.url}/api/v1/auth/login",
                                json={"username": "organiser", "password": "organiser-demo-2026"})
        cookies = {"fairs_session": login.cookies["fairs_session"],
                   "fairs_csrf": login.cookies["fairs_csrf"]}
        csrf = {"x-csrf-token": login.cookies["fairs_csrf"]}
        fair = await make_fair(_Client(http, a.url, cookies, csrf), world, start=60 * 24,
                               end=60 * 26, title="跨进程专场")
        page = f"{b.url}/fairs/{fair['id']}"
        first = await phone.get(page, headers={"accept-language": "en"})
        listed = await phone.get(f"{b.url}/fairs", headers={"accept-language": "en"})
        assert "跨进程专场" in first.text and "跨进程专场" in listed.text
        assert (await phone.get(page, headers={"accept-language": "en", "if-none-match":
                                              first.headers["etag"]})).status_code == 304
        renamed = await http.patch(f"{a.url}/api/v1/fairs/{fair['id']}", cookies=cookies,
                                   headers=csrf, json={"title": "改名的跨进程专场"})
        assert renamed.status_code == 200, renamed.text
        again = await phone.get(page, headers={"accept-language": "en", "if-none-match":
                                              first.headers["etag"]})
        assert again.status_code == 200 and "改名的跨进程专场" in again.text
        listed2 = await phone.get(f"{b.url}/fairs", headers={"accept-language": "en"})
        assert "改名的跨进程专场" in listed2.text
        await http.post(f"{a.url}/api/v1/fairs/{fair['id']}/cancel", cookies=cookies,
                        headers=csrf, json={"reason": "场地检修"})
        assert "场地检修" in (await phone.get(page, headers={"accept-language": "en"})).text


class _Client:
    """Just enough of a test client for tests.helpers.create_fair, against a live server."""

    def __init__(self, http: httpx.AsyncClient, base: str, cookies: dict, headers: dict) -> None:
        self.http, self.base, self.cookies, self.headers = http, base, cookies, headers

    async def post(self, url: str, **kw):
        return await self.http.post(self.base + url, cookies=self.cookies, headers=self.headers,
                                    **kw)

    async def patch(self, url: str, **kw):
        return await self.http.patch(self.base + url, cookies=self.cookies,
                                     headers=self.headers, **kw)
