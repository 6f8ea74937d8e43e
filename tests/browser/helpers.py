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


async def wait_until(page, expression: str, timeout: float = 20_000) -> None:  # noqa: ASYNC109
    """Wait until a JavaScript expression is true in the page. Playwright's wait_for_function
    evaluates its predicate with eval() inside the page, which the pages' Content-Security-Policy
    (script-src 'self', no 'unsafe-eval') forbids; page.evaluate goes through the DevTools
    protocol, which the policy does not govern."""
    import asyncio

    from playwright.async_api import Error

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout / 1000
    while True:
        try:
            if await page.evaluate(expression):
                return
        except Error as exc:  # the page is navigating (a form's answer): ask the next one
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
        if loop.time() > deadline:
            raise TimeoutError(f"still false after {timeout} ms: {expression}")
        await asyncio.sleep(0.05)
