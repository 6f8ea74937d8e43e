"""A person logs in through the login page and switches the language."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


async def test_login_and_switch_language(page, live_server, world, tmp_path):
    await page.goto(f"{live_server.url}/")
    assert await page.locator("html").get_attribute("lang") == "zh-CN"
    await page.get_by_role("link", name="登录").click()
    await page.get_by_label("用户名").fill("organiser")
    await page.get_by_label("密码").fill("organiser-demo-2026")
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"{live_server.url}/organiser")
    assert await page.get_by_role("heading", name="组织者").is_visible()
    await page.screenshot(path=str(tmp_path / "organiser-zh.png"))

    await page.get_by_role("link", name="English").click()
    await page.wait_for_load_state()
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.get_by_role("heading", name="Organiser").is_visible()
    # The choice sticks on the next page.
    await page.goto(f"{live_server.url}/organiser/catalog")
    assert await page.get_by_role("heading", name="Venues and channels").is_visible()

    await page.get_by_role("button", name="Log out").click()
    await page.wait_for_url(f"{live_server.url}/")
    assert await page.get_by_role("link", name="Log in").is_visible()


async def test_wrong_password_shows_an_error(page, live_server, world):
    await page.goto(f"{live_server.url}/login")
    await page.get_by_label("用户名").fill("organiser")
    await page.get_by_label("密码").fill("not-the-password")
    await page.get_by_role("button", name="登录").click()
    assert await page.get_by_role("alert").inner_text() == "用户名或密码错误"
