"""Helpers for the browser tests that act as a job seeker on a phone."""

from __future__ import annotations

from tests.tickets.helpers import phone


async def phone_with_ticket(browser, base: str, fair_id: int, name: str):
    """A phone-sized page with the camera allowed that has registered for the fair on its
    registration page (the ticket page remembers the code in this browser):
    (context, page, ticket code)."""
    context = await browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
        has_touch=True, permissions=["camera"])
    page = await context.new_page()
    page.set_default_timeout(20_000)
    await page.goto(f"{base}/fairs/{fair_id}/register")
    await page.fill("input[name=name]", name)
    await page.fill("input[name=phone]", phone())
    await page.click("form.ticket-register button[type=submit]")
    await page.wait_for_selector("article.ticket .ticket-qr svg")
    return context, page, await page.inner_text(".ticket-code")
