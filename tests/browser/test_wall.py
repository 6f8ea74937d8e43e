"""The wall keeps its counts live through what the stream's limits do to it: refused (429: the
address holds its streams) it tries again by itself, and a stream the server ends at its
maximum age is reopened by the browser; the counts follow admissions throughout."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.browser.conftest import LiveServer
from tests.browser.helpers import wait_until
from tests.conftest import DEMO_PASSWORDS, login_as
from tests.tickets.helpers import make_fair, register

pytestmark = pytest.mark.browser

CHECKED_IN = "document.querySelector('dd[data-key=checked_in]').textContent"


async def test_wall_recovers_from_a_refused_stream_and_from_its_end(browser, new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, title="大屏测试会")
    tickets = [await register(new_client(), fair["id"], f"观众{n}") for n in range(2)]
    server = await asyncio.to_thread(LiveServer, extra_env={
        "FAIRS_STREAMS_PER_ADDRESS": "1", "FAIRS_STREAM_MAX_AGE": "2",
        "FAIRS_STREAM_HEARTBEAT": "0.5"})
    context = await browser.new_context(locale="zh-CN")
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            token = (await http.post("/api/v1/auth/tokens", json={
                "username": "scanner", "password": DEMO_PASSWORDS["scanner"], "name": "wall"}
            )).json()["token"]
            scanner = {"authorization": f"Bearer {token}"}
            url = f"/api/v1/fairs/{fair['id']}/attendance/stream"
            # This address already holds its one stream: the wall's own is refused.
            async with http.stream("GET", url) as held:
                assert held.status_code == 200
                page = await context.new_page()
                await page.goto(f"{server.url}/wall/{fair['id']}")
                await wait_until(page,
                    "document.getElementById('wall').dataset.live === 'reconnecting'",
                    timeout=45_000)
            # The slot is free again: the wall comes back by itself and follows admissions.
            admitted = await http.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                       headers=scanner, json={"code": tickets[0]["code"]})
            assert admitted.json()["result"] == "ok"
            await wait_until(page, f"{CHECKED_IN} === '1'", timeout=45_000)
            # The server ends the stream after two seconds; the browser reopens it.
            await asyncio.sleep(3)
            admitted = await http.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                       headers=scanner, json={"code": tickets[1]["code"]})
            assert admitted.json()["result"] == "ok"
            await wait_until(page, f"{CHECKED_IN} === '2'", timeout=45_000)
    finally:
        await context.close()
        await asyncio.to_thread(server.stop)
