"""A company registers through the page; an organiser approves it; the company can then book."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORDS
from tests.employers.conftest import registration

pytestmark = pytest.mark.browser


async def _login(page, base: str, username: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("form[action='/login'] button[type=submit]")


async def test_registration_and_approval(browser, page, live_server, world, tmp_path):
    base = live_server.url
    data = registration(77)
    await page.goto(f"{base}/employers/register")
    # a wrong check digit is named next to its field, and nothing else is lost
    await page.fill("input[name=name]", data["name"])
    await page.fill("input[name=uscc]", data["uscc"][:-1] + ("1" if data["uscc"][-1] != "1"
                                                              else "2"))
    await page.select_option("select[name=industry]", "software")
    await page.fill("input[name=contact_name]", data["contact_name"])
    await page.fill("input[name=contact_phone]", data["contact_phone"])
    await page.fill("input[name=username]", data["username"])
    await page.fill("input[name=password]", data["password"])
    await page.click("form[action='/employers/register'] button[type=submit]")
    assert await page.locator("input[name=uscc][aria-invalid=true]").count() == 1
    assert await page.input_value("input[name=name]") == data["name"]
    await page.fill("input[name=uscc]", data["uscc"])
    await page.fill("input[name=password]", data["password"])
    await page.click("form[action='/employers/register'] button[type=submit]")
    await page.wait_for_url(f"{base}/employer?registered=1")
    assert await page.locator(".alert.warn").count() == 1  # waiting for approval
    await page.screenshot(path=str(tmp_path / "pending.png"))

    context = await browser.new_context(locale="zh-CN")
    organiser = await context.new_page()
    organiser.set_default_timeout(10_000)
    await _login(organiser, base, "organiser", DEMO_PASSWORDS["organiser"])
    await organiser.wait_for_url(f"{base}/organiser")
    assert await organiser.locator("a[href='/organiser/employers']").count() == 1
    await organiser.goto(f"{base}/organiser/employers")
    card = organiser.locator("li[data-employer]", has_text=data["name"])
    assert "138****0077" in await card.inner_text()
    await card.locator("form[action$='/approve'] button").click()
    await organiser.wait_for_load_state()
    assert await organiser.locator("li[data-employer]", has_text=data["name"]).count() == 0
    await organiser.goto(f"{base}/organiser/employers?status=approved")
    assert await organiser.locator("li[data-employer]", has_text=data["name"]).count() == 1
    await context.close()

    await page.goto(f"{base}/employer")
    assert await page.locator(".alert.warn").count() == 0
    assert await page.locator(".open-fairs").count() == 1
