"""A job seeker registers on a phone with the optional profile, finds the positions ranked for
them on the ticket page, marks one as interesting from the list, and sees the best ones on the
fair's page (the browser remembers the ticket: static/js/matching-fair.js, under the page's CSP).
"""

from __future__ import annotations

import os

import pytest

from tests.matching.conftest import build_market

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("FAIRS_SCREENSHOT_DIR", "/tmp")


async def test_a_profile_at_registration_ranks_the_positions(page, live_server, app, new_client,
                                                             world):
    market = await build_market(app, new_client, world)
    base, fair_id = live_server.url, market.fair["id"]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(f"{base}/fairs/{fair_id}/register")
    await page.locator('input[name="name"]').fill("李雷")
    await page.locator('input[name="phone"]').fill("13800138011")
    await page.locator("details.matching-profile summary").click()
    for code in ("software", "logistics"):
        await page.locator(f'input[name="profile_industries"][value="{code}"]').check()
    await page.locator('input[name="profile_job_types"][value="regular"]').check()
    await page.locator('select[name="profile_education"]').select_option("bachelor")
    await page.locator('input[name="profile_expected_pay"]').fill("7000")
    # Without the consent box: refused, nothing registered, the box marked.
    await page.locator("form.ticket-register button[type=submit]").click()
    await page.wait_for_load_state()
    assert await page.locator('input[name="profile_consent"]').get_attribute(
        "aria-invalid") == "true"
    await page.locator('input[name="profile_consent"]').check()
    await page.locator("form.ticket-register button[type=submit]").click()
    await page.wait_for_url(f"{base}/tickets/**")

    items = page.locator("#matches ol.match-list > li")
    assert await items.count() == 5
    assert "Python 开发工程师" in await items.first.inner_text()
    assert "行业匹配" in await items.first.inner_text()
    route = await page.locator("ol.match-route").inner_text()
    assert route.index("A01") < route.index("B02")
    await page.screenshot(path=os.path.join(SHOTS, "matching-ticket-phone.png"), full_page=True)
    # Marking interest from the list (the booths slice's interest flow).
    await items.nth(2).locator("button[type=submit]").click()
    await page.wait_for_load_state()
    marked = page.locator(f"#match-{market.positions['stores']}")
    assert "已标记感兴趣" in await marked.inner_text()
    assert await marked.locator("button[type=submit]").count() == 0

    # The fair's page shows the best positions for the ticket this browser remembers.
    await page.goto(f"{base}/fairs/{fair_id}")
    box = page.locator("#for-you")
    await box.locator("ol li").first.wait_for()
    assert await box.locator("ol li").count() == 5
    assert "Python 开发工程师" in await box.locator("ol li").first.inner_text()
    assert (await box.locator("a.matching-all").get_attribute("href")).endswith("#matches")
    assert not [e for e in errors if "Content Security Policy" in e]
    for c in market.employers.values():
        await c.aclose()
