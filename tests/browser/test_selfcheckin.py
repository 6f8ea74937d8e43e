"""Self check-in on a phone-sized page: the attendee registered in this browser (which remembers
the ticket), then scans the wall's rotating code with the camera (Chromium's fake camera fed a
y4m of the wall's own QR) and checks in; counted once, marked self."""

from __future__ import annotations

import httpx
import pytest

from fairs import db
from fairs.tickets import qr
from tests.browser.helpers import phone_with_ticket, wait_until
from tests.browser.test_scanner import _y4m, launch, wait_for
from tests.conftest import DEMO_PASSWORDS, login_as
from tests.tickets.helpers import make_fair

pytestmark = pytest.mark.browser


async def test_phone_scans_the_wall_and_checks_in(new_client, world, live_server, tmp_path):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, title="自助签到测试会")
    async with httpx.AsyncClient(base_url=live_server.url, timeout=10) as http:
        token = (await http.post("/api/v1/auth/tokens", json={
            "username": "scanner", "password": DEMO_PASSWORDS["scanner"], "name": "wall"}
        )).json()["token"]
        wall = (await http.get(f"/api/v1/fairs/{fair['id']}/self-checkin-code",
                               headers={"authorization": f"Bearer {token}"})).json()
    assert wall["url"].startswith(live_server.url)
    manager, browser = await launch(_y4m(qr.png(wall["url"]), tmp_path))
    try:
        # Register on the fair's registration page: the ticket page remembers the code.
        context, page, code = await phone_with_ticket(browser, live_server.url, fair["id"],
                                                      "自助者")
        # Scan the wall's code with the phone's camera.
        await page.goto(f"{live_server.url}/checkin/scan")
        await page.wait_for_url(f"**/checkin/{fair['id']}/self?t=*", timeout=30_000)
        await page.wait_for_selector("#self-remembered:not([hidden])", timeout=45_000)
        assert await page.inner_text("#self-code") == code
        await page.click("#self-admit")
        await wait_until(page,
            "document.getElementById('self-result').dataset.result === 'ok'")
        rows = await wait_for(lambda: db.fetch(
            "SELECT method FROM admission WHERE fair = {}", fair["id"]))
        assert [r["method"] for r in rows] == ["self"]
        # Scanning again does not count again.
        await page.click("#self-admit") if await page.is_visible("#self-admit") else None
        rows = await db.fetch("SELECT COUNT(*) AS n FROM admission WHERE fair = {}", fair["id"])
        assert int(rows[0]["n"]) == 1
        await context.close()
    finally:
        await browser.close()
        await manager.__aexit__(None, None, None)
