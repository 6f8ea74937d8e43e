"""Confirmation before destructive or bulk actions (issue 15), in the page's language, with no
inline script (static/js/confirm.js reads data-confirm): refusing the dialog changes nothing,
agreeing does it; without JavaScript the same forms lead to a confirmation page."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORDS, login_as
from tests.employers.conftest import employers_with_tokens, make_fair

pytestmark = pytest.mark.browser


async def _login(page, base: str, username: str, password: str) -> None:
    await page.goto(f"{base}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state()


def answer(page, accept: bool, asked: list[str]) -> None:
    async def handle(dialog):
        asked.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    page.once("dialog", handle)


async def test_cancel_a_fair_asks_first(page, live_server, world, new_client):
    base = live_server.url
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, kind="online", days=12, title="海洋经济直播带岗")
    await _login(page, base, "organiser", DEMO_PASSWORDS["organiser"])
    await page.goto(f"{base}/organiser/fairs/{fair['id']}")
    await page.fill("textarea[name=reason]", "场地维修")

    asked: list[str] = []
    answer(page, False, asked)
    await page.click("#cancel")
    assert asked and asked[0].startswith("取消招聘会“海洋经济直播带岗”？")
    await page.wait_for_timeout(300)
    assert page.url == f"{base}/organiser/fairs/{fair['id']}"
    assert (await organiser.get(f"/api/v1/fairs/{fair['id']}")).json()["status"] == "published"

    answer(page, True, asked)
    await page.click("#cancel")
    await page.wait_for_url(f"{base}/organiser/fairs/{fair['id']}?done=cancelled")
    assert len(asked) == 2
    assert (await organiser.get(f"/api/v1/fairs/{fair['id']}")).json()["status"] == "cancelled"


async def test_removing_a_position_asks_first(page, live_server, world, new_client, app):
    from tests.conftest import make_client

    base = live_server.url
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, booths=2)
    (me,) = await employers_with_tokens(1, start=8700)
    hr = make_client(app)
    hr.headers["authorization"] = f"Bearer {me['token']}"
    booking = (await hr.post(f"/api/v1/fairs/{fair['id']}/bookings",
                             json={"booth": "A01"})).json()
    await hr.post(f"/api/v1/bookings/{booking['id']}/positions",
                  json={"title": "叉车司机", "headcount": 2})
    await _login(page, base, "hr8700", "employer-pass-1")
    await page.goto(f"{base}/employer/bookings/{booking['id']}/positions")

    asked: list[str] = []
    answer(page, False, asked)
    await page.get_by_role("button", name="删除").click()
    await page.wait_for_timeout(300)
    assert asked == ["删除岗位“叉车司机”？求职者将不再看到该岗位。"]
    assert await page.locator("ul.positions strong", has_text="叉车司机").count() == 1

    answer(page, True, asked)
    await page.get_by_role("button", name="删除").click()
    await page.wait_for_load_state()
    await page.wait_for_selector("ul.positions .muted")
    items = (await hr.get(f"/api/v1/bookings/{booking['id']}/positions")).json()["items"]
    assert items == []
    await hr.aclose()


async def test_without_javascript_a_confirmation_page(browser, live_server, world, new_client):
    base = live_server.url
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, days=14, booths=1, title="制造业专场")
    context = await browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = await context.new_page()
    page.set_default_timeout(10_000)
    try:
        await _login(page, base, "organiser", DEMO_PASSWORDS["organiser"])
        await page.goto(f"{base}/organiser/fairs/{fair['id']}")
        await page.fill("textarea[name=reason]", "天气原因")
        await page.click("#cancel")
        await page.wait_for_selector("#confirm-yes")
        text = await page.inner_text("main")
        assert "取消招聘会“制造业专场”？" in text and "天气原因" in text
        assert (await organiser.get(f"/api/v1/fairs/{fair['id']}")).json()[
            "status"] == "published"
        await page.click("#confirm-yes")
        await page.wait_for_url(f"{base}/organiser/fairs/{fair['id']}?done=cancelled")
        assert (await organiser.get(f"/api/v1/fairs/{fair['id']}")).json()[
            "status"] == "cancelled"
    finally:
        await context.close()
