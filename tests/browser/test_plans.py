"""An organiser creates a plan, asks the planner, accepts, publishes, and sees it on track."""

from __future__ import annotations

import pytest

from tests.plans.test_api import day

pytestmark = pytest.mark.browser


async def test_plan_planner_accept_publish_on_track(page, live_server, world, tmp_path):
    base = live_server.url
    await page.goto(f"{base}/login?lang=en")
    await page.get_by_label("Username").fill("organiser")
    await page.get_by_label("Password").fill("organiser-demo-2026")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{base}/organiser")
    await page.get_by_role("link", name="Plans and targets").click()
    await page.wait_for_url(f"{base}/organiser/plans")

    await page.get_by_label("Title").fill("Spring quarter plan")
    await page.get_by_label("Starts on").fill(day(1).isoformat())
    await page.get_by_label("Ends on").fill(day(45).isoformat())
    await page.get_by_label("Offline fairs").fill("2")
    await page.get_by_label("Online fairs").fill("3")
    await page.get_by_role("button", name="Create plan").click()
    await page.wait_for_url(f"{base}/organiser/plans/*")
    assert await page.get_by_role("heading", name="Spring quarter plan").is_visible()
    assert await page.locator("#on-track").inner_text() == "Not on track yet"
    assert await page.locator("svg.burnup").count() == 2

    await page.get_by_role("link", name="Plan the missing fairs").click()
    await page.get_by_label("At most fairs a day").fill("1")
    await page.get_by_role("button", name="Propose fairs").click()
    await page.wait_for_url("**/planner?*")
    assert "meets the plan's targets" in await page.get_by_role("status").first.inner_text()
    assert await page.locator("table.month-cal .pf").count() == 5
    await page.screenshot(path=str(tmp_path / "planner.png"), full_page=True)
    await page.get_by_role("button", name="Accept: create 5 draft fairs").click()
    await page.wait_for_url("**/organiser/plans/*?notice=accepted*")
    assert "5 draft fairs created" in await page.get_by_role("status").first.inner_text()
    assert await page.locator("#on-track").inner_text() == "Not on track yet"

    # confirm.js asks first, in the page's language: the browser's dialog names the number
    asked = []

    async def agree(dialog):
        asked.append(dialog.message)
        await dialog.accept()

    page.once("dialog", agree)
    await page.get_by_role("button", name="Publish all drafts").click()
    await page.wait_for_url("**/organiser/plans/*?notice=published*")
    assert asked and asked[0].startswith("Publish 5 drafts?")
    assert await page.locator("#on-track").inner_text() == "On track"
    await page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
