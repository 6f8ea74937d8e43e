"""An organiser creates a fair in the editor and publishes it; the public list, the month
calendar (by keyboard) and the fair page on a phone show it.

Fields are found by their ids and names, so the test holds whatever the language of the labels.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta

import pytest

from fairs.i18n import TZ
from tests.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("FAIRS_SCREENSHOT_DIR", "/tmp")


async def login(page, base: str, username: str) -> None:
    await page.goto(f"{base}/login")
    await page.locator('input[name="username"]').fill(username)
    await page.locator('input[name="password"]').fill(DEMO_PASSWORDS[username])
    await page.locator('form[action="/login"] button[type="submit"]').click()
    await page.wait_for_url(f"{base}/organiser")


async def test_organiser_creates_and_publishes_a_fair(page, live_server, world, tmp_path):
    base = live_server.url
    start = (datetime.now(TZ) + timedelta(days=9)).replace(hour=9, minute=30, second=0,
                                                           microsecond=0)
    if start.day == 1:  # keep the day before it in the same month for the keyboard check
        start += timedelta(days=1)
    await login(page, base, "organiser")
    await page.locator('a[href="/organiser/fairs"]').first.click()
    await page.wait_for_url(f"{base}/organiser/fairs")
    await page.locator('a.button[href="/organiser/fairs/new"]').click()
    await page.wait_for_url(f"{base}/organiser/fairs/new")

    # The editor shows the venue for an offline fair and the channel for an online one.
    assert await page.locator("#f-venue").is_visible()
    assert not await page.locator("#f-channel").is_visible()
    await page.locator('input[name="kind"][value="online"]').check()
    assert await page.locator("#f-channel").is_visible()
    assert not await page.locator("#f-venue").is_visible()
    await page.locator('input[name="kind"][value="offline"]').check()

    # A first try with the end before the start: the error is shown next to the field.
    await page.locator("#f-title").fill("浏览器创建的高校毕业生专场")
    await page.locator("#f-format").select_option("campus")
    await page.locator("#f-venue").select_option(str(world["venue:西海岸新区人力资源市场"]))
    await page.locator("#f-starts_at").fill(start.strftime("%Y-%m-%dT%H:%M"))
    await page.locator("#f-ends_at").fill((start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    await page.locator('input[name="industries"][value="ai"]').check()
    await page.locator('input[name="audiences"][value="graduates"]').check()
    await page.locator("#f-capacity").fill("800")
    await page.locator("#f-description").fill("现场提供简历指导。\n请携带身份证。")
    await page.locator("#save").click()
    await page.wait_for_load_state()
    assert await page.locator("#err-ends_at").is_visible()
    assert await page.locator("#f-ends_at").get_attribute("aria-invalid") == "true"
    # The focus went to the field at fault, and what was typed is still there.
    assert await page.evaluate("document.activeElement.id") == "f-ends_at"
    assert await page.locator("#f-title").input_value() == "浏览器创建的高校毕业生专场"
    assert await page.locator('input[name="industries"][value="ai"]').is_checked()
    await page.screenshot(path=os.path.join(SHOTS, "fair-editor-error-phone.png"),
                          full_page=True)

    await page.locator("#f-ends_at").fill((start + timedelta(hours=3)).strftime(
        "%Y-%m-%dT%H:%M"))
    await page.locator("#save").click()
    await page.wait_for_url(re.compile(r"/organiser/fairs/\d+\?done=created$"))
    fair_id = int(re.search(r"/organiser/fairs/(\d+)", page.url).group(1))
    await page.locator("#publish").click()
    await page.wait_for_url(f"{base}/organiser/fairs/{fair_id}?done=published")

    # The public (a new, anonymous context) sees it in the list...
    context = await page.context.browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, device_scale_factor=2,
        is_mobile=True, has_touch=True)
    public = await context.new_page()
    public.set_default_timeout(10_000)
    await public.goto(f"{base}/fairs")
    link = public.locator(f'a[href="/fairs/{fair_id}"]')
    assert await link.inner_text() == "浏览器创建的高校毕业生专场"
    await public.screenshot(path=os.path.join(SHOTS, "fair-list-phone.png"), full_page=True)

    # ...and in the month calendar, reachable by keyboard.
    day = start.date().isoformat()
    await public.goto(f"{base}/fairs/calendar?month={day[:7]}")
    cell = public.locator(f'a.day[data-date="{day}"]')
    assert await cell.is_visible()
    assert "浏览器创建的高校毕业生专场" in await public.locator(f"#day-{day}").evaluate(
        "h => h.nextElementSibling.textContent")
    await cell.focus()
    await public.keyboard.press("ArrowLeft")
    before = start.date() - timedelta(days=1)
    assert await public.evaluate("document.activeElement.dataset.date") == before.isoformat()
    assert await public.evaluate("document.activeElement.tabIndex") == 0
    await public.keyboard.press("ArrowRight")
    assert await public.evaluate("document.activeElement.dataset.date") == day
    assert await public.evaluate("document.activeElement.tabIndex") == 0
    await public.keyboard.press("Enter")
    assert await public.evaluate("document.activeElement.id") == f"day-{day}"
    # Page Down goes to the next month.
    await cell.focus()
    await public.keyboard.press("PageDown")
    following = (start.date().replace(day=28) + timedelta(days=4)).strftime("%Y-%m")
    await public.wait_for_url(f"{base}/fairs/calendar?month={following}")

    # The fair page, on a phone.
    await public.goto(f"{base}/fairs/{fair_id}")
    assert await public.locator("h1").inner_text() == "浏览器创建的高校毕业生专场"
    assert await public.locator("html").get_attribute("lang") == "zh-CN"
    assert "人工智能" in await public.locator(".facts").inner_text()
    assert "09:30" in await public.locator(".facts time").inner_text()
    no_overflow = await public.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert no_overflow, "the fair page scrolls sideways on a phone"
    await public.screenshot(path=os.path.join(SHOTS, "fair-page-phone.png"), full_page=True)
    await public.screenshot(path=str(tmp_path / "fair-page-phone.png"), full_page=True)
    await public.goto(f"{base}/fairs/calendar?month={day[:7]}")
    await public.screenshot(path=os.path.join(SHOTS, "fair-calendar-phone.png"), full_page=True)
    await context.close()
