"""The door pages, the wall, self check-in, and the live attendance stream."""

from __future__ import annotations

import asyncio
import json

import httpx

from fairs.checkin import selfcheckin, services
from fairs.settings import Settings
from tests.conftest import login_as
from tests.test_accounts import problem
from tests.tickets.helpers import make_fair, phone, register


async def test_scanner_pages(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    today = await scanner.get("/scan", headers={"accept": "text/html"})
    assert today.status_code == 200 and f"/scan/{fair['id']}" in today.text
    page = await scanner.get(f"/scan/{fair['id']}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "jsQR.js" in page.text and "scanner.js" in page.text
    anon = await new_client().get(f"/scan/{fair['id']}", headers={"accept": "text/html"})
    assert anon.status_code in (302, 303) and "/login" in anon.headers["location"]


async def test_kiosk_admits_a_walk_in(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    form = await scanner.get(f"/scan/{fair['id']}/kiosk", headers={"accept": "text/html"})
    assert form.status_code == 200
    done = await scanner.post(f"/scan/{fair['id']}/kiosk",
                              data={"name": "临时工", "phone": phone()},
                              headers={"accept": "text/html"})
    assert done.status_code == 200, done.text
    assert 'data-result="ok"' in done.text
    attendance = (await organiser.get(f"/api/v1/fairs/{fair['id']}/attendance")).json()
    assert attendance["walk_ins"] == 1


async def test_wall_and_self_check_in(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    public_wall = await new_client().get(f"/wall/{fair['id']}", headers={"accept": "text/html"})
    assert public_wall.status_code == 200 and "wall-qr" not in public_wall.text
    staff_wall = await scanner.get(f"/wall/{fair['id']}", headers={"accept": "text/html"})
    assert "wall-qr" in staff_wall.text and "<svg" in staff_wall.text
    code = (await scanner.get(f"/api/v1/fairs/{fair['id']}/self-checkin-code")).json()
    assert f"/checkin/{fair['id']}/self?t=" in code["url"]
    problem(await new_client().get(f"/api/v1/fairs/{fair['id']}/self-checkin-code"), 401)
    attendee = new_client()
    number = phone()
    ticket = await register(attendee, fair["id"], "自助者", number)
    landing = await attendee.get(code["url"], headers={"accept": "text/html"})
    assert landing.status_code == 200 and "self-form" in landing.text
    url = f"/api/v1/fairs/{fair['id']}/self-checkin"
    body = problem(await attendee.post(url, json={"token": "1.abc", "code": ticket["code"]}),
                   422)
    assert body["errors"][0]["field"] == "token"
    problem(await attendee.post(url, json={"token": code["token"], "name": "别人",
                                           "phone": number}), 404)
    admitted = (await attendee.post(url, json={"token": code["token"], "name": "自助者",
                                               "phone": number})).json()
    assert admitted["result"] == "ok" and admitted["code"] == ticket["code"]
    again = (await attendee.post(url, json={"token": code["token"],
                                            "code": ticket["code"]})).json()
    assert again["result"] == "already_checked_in"
    rows = await services.db.fetch("SELECT method FROM admission WHERE fair = {}", fair["id"])
    assert [r["method"] for r in rows] == ["self"]


def test_self_token_expires():
    secret = Settings.from_env().secret_key
    token, _expires = selfcheckin.self_token(secret, 7, at=1_000_000.0)
    assert selfcheckin.self_token_valid(secret, 7, token, at=1_000_000.0)
    assert selfcheckin.self_token_valid(secret, 7, token, at=1_000_000.0 + 60)
    assert not selfcheckin.self_token_valid(secret, 7, token, at=1_000_000.0 + 180)
    assert not selfcheckin.self_token_valid(secret, 8, token, at=1_000_000.0)
    assert not selfcheckin.self_token_valid("x" * 40, 7, token, at=1_000_000.0)


async def test_attendance_stream(migrated, world, new_client):
    """The stream over a real server: the first event, then another after a check-in."""
    from tests.browser.conftest import LiveServer

    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"])
    server = await asyncio.to_thread(LiveServer)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            events: list[dict] = []

            async def read() -> None:
                async with http.stream("GET", f"/api/v1/fairs/{fair['id']}/attendance/stream") \
                        as response:
                    assert response.headers["content-type"].startswith("text/event-stream")
                    async for line in response.aiter_lines():
                        if line.startswith("data:"):
                            events.append(json.loads(line[5:]))
                            if len(events) == 2:
                                return

            reader = asyncio.create_task(read())
            for _ in range(50):
                if events:
                    break
                await asyncio.sleep(0.1)
            assert events and events[0]["checked_in"] == 0
            login = await http.post("/api/v1/auth/tokens", json={
                "username": "scanner", "password": "scanner-demo-2026", "name": "t"})
            token = login.json()["token"]
            scanned = await http.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                      json={"code": ticket["code"]},
                                      headers={"authorization": f"Bearer {token}"})
            assert scanned.json()["result"] == "ok"
            await asyncio.wait_for(reader, 10)
            assert events[1]["checked_in"] == 1 and events[1]["registered"] == 1
    finally:
        await asyncio.to_thread(server.stop)
