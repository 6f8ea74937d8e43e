"""The floor plan: an employer clicks a free booth to book it; a booth taken by another
company turns taken without a reload."""

from __future__ import annotations

import pytest

from tests.browser.helpers import wait_until
from tests.conftest import make_client
from tests.employers.conftest import employers_with_tokens, make_fair

pytestmark = pytest.mark.browser


async def test_floor_plan_booking_live(app, page, live_server, world, new_client, tmp_path):
    from tests.conftest import login_as

    base = live_server.url
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, booths=8)
    me, other = await employers_with_tokens(2, start=8800)
    rival = make_client(app)
    rival.headers["authorization"] = f"Bearer {other['token']}"

    await page.goto(f"{base}/login")
    await page.fill("input[name=username]", "hr8800")
    await page.fill("input[name=password]", "employer-pass-1")
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url(f"{base}/employer")
    await page.click(f"a[href='/employer/fairs/{fair['id']}']")
    await page.wait_for_url(f"{base}/employer/fairs/{fair['id']}")
    a03 = page.locator("button[data-code=A03]")
    assert "free" in await a03.get_attribute("class")
    await page.evaluate("window.__same_page = true")

    # another company books A03: it turns taken here, without a reload
    r = await rival.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A03"})
    assert r.status_code == 201
    await wait_until(page,
        "document.querySelector('button[data-code=A03]').classList.contains('booked')")
    assert await a03.is_disabled()
    assert await page.evaluate("window.__same_page === true")

    # a booth taken a moment before the click: the page says so and marks it taken
    await rival.delete(f"/api/v1/bookings/{r.json()['id']}")
    r = await rival.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A05"})
    assert r.status_code == 201
    a05 = page.locator("button[data-code=A05]")
    if await a05.is_enabled():  # the poll may not have run yet: click and lose the race
        await a05.click()
        await wait_until(page,
            "document.querySelector('button[data-code=A05]').classList.contains('booked')")
        assert "A05" in await page.locator("#booking-status").inner_text()

    # click a free booth: it is mine
    await page.locator("button[data-code=A02]").click()
    await wait_until(page,
        "document.querySelector('button[data-code=A02]')?.classList.contains('mine')")
    await page.screenshot(path=str(tmp_path / "floor-plan.png"), full_page=True)
    mine = (await rival.get(f"/api/v1/fairs/{fair['id']}/booths")).json()["items"]
    assert {b["code"]: b["status"] for b in mine}["A02"] == "booked"
    await rival.aclose()
