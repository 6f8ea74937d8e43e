"""A booth poster scanned on a phone-sized page: the attendee registers for the fair (the
browser remembers the ticket), opens the attendee scanner page, scans the booth poster's QR
with Chromium's fake camera (a y4m made from the poster's own QR), lands on the employer's page,
marks interest in a position, and the employer's list shows it, masked. The organiser's posters
print one per A4 page.

The self check-in code (the issue's other attendee scan) is covered by test_selfcheckin.py."""

from __future__ import annotations

import asyncio
import io
import re

import httpx
import png
import pytest

from fairs import db
from tests.booths.test_posters import book_with_positions, posters_in, svg_modules
from tests.browser import conftest as browser_conftest
from tests.browser.helpers import phone_with_ticket, wait_until
from tests.browser.test_scanner import _y4m, launch, wait_for
from tests.conftest import DEMO_PASSWORDS, login_as
from tests.employers.conftest import bearer_client, employers_with_tokens, make_fair

pytestmark = pytest.mark.browser


def svg_to_png(svg: str, scale: int = 8) -> bytes:
    size, dark = svg_modules(svg)
    rows = [[0 if (x // scale, y // scale) in dark else 255 for x in range(size * scale)]
            for y in range(size * scale)]
    buf = io.BytesIO()
    png.Writer(size * scale, size * scale, greyscale=True).write(buf, rows)
    return buf.getvalue()


def start_server() -> browser_conftest.LiveServer:
    """A server whose FAIRS_BASE_URL is its own address, so the posters' QR codes open it."""
    port = browser_conftest.free_port()
    original = browser_conftest.free_port
    browser_conftest.free_port = lambda: port
    try:
        return browser_conftest.LiveServer(
            extra_env={"FAIRS_BASE_URL": f"http://127.0.0.1:{port}"})
    finally:
        browser_conftest.free_port = original


async def login(context, base: str, username: str, password: str):
    page = await context.new_page()
    page.set_default_timeout(20_000)
    await page.goto(f"{base}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("main button[type=submit]")
    await page.wait_for_load_state()
    return page


async def test_phone_scans_a_booth_poster_and_marks_interest(app, new_client, world, tmp_path):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, booths=3, title="海港招聘会")
    made = await employers_with_tokens(2, 7100)
    a, b = (bearer_client(app, e["token"]) for e in made)
    a.employer_id, b.employer_id = made[0]["id"], made[1]["id"]
    booked = await book_with_positions(a, fair["id"], "A01", ["港口调度员", "船舶电工"])
    await book_with_positions(b, fair["id"], "A02", ["理货员"])
    server = await asyncio.to_thread(start_server)
    try:
        base = server.url
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            logged = await http.post("/api/v1/auth/login", json={
                "username": "organiser", "password": DEMO_PASSWORDS["organiser"]})
            assert logged.status_code == 200, logged.text
            sheet = await http.get(f"/organiser/fairs/{fair['id']}/posters")
            assert sheet.status_code == 200, sheet.text
        posters = posters_in(sheet.text)
        assert len(posters) == 2
        poster = posters[0]
        assert poster["url"] == f"{base}/fairs/{fair['id']}/employers/{a.employer_id}"
        manager, browser = await launch(_y4m(svg_to_png(poster["svg"]), tmp_path))
        try:
            # Register: the ticket page remembers the code in this browser.
            context, page, code = await phone_with_ticket(browser, base, fair["id"], "海港求职者")
            ticket_url = page.url.split("?", 1)[0]  # the ticket's secret address, not its code
            assert code not in ticket_url
            # Scan the booth's poster with the phone's camera.
            await page.goto(f"{base}/checkin/scan")
            await page.wait_for_url(f"**/fairs/{fair['id']}/employers/{a.employer_id}",
                                    timeout=30_000)
            await page.wait_for_selector("#interest-mine:not([hidden])")
            assert await page.inner_text("#interest-mine code") == code
            assert await page.is_hidden("#interest-code-field")
            assert "港口调度员" in await page.inner_text("h3 >> nth=0")
            first = page.locator(f"button[name=position][value='{booked['positions'][0]}']")
            await first.click()
            await wait_until(page,
                "document.querySelector(\"#interest-status\").dataset.kind === 'ok'")
            assert await first.get_attribute("aria-pressed") == "true"
            rows = await wait_for(lambda: db.fetch(
                "SELECT position FROM position_interest WHERE fair = {}", fair["id"]))
            assert [r["position"] for r in rows] == [booked["positions"][0]]
            # Coming back shows the mark; pressing again counts nothing more.
            await page.reload()
            await page.wait_for_selector("button[aria-pressed=true]")
            await first.click()
            await wait_until(page,
                "document.querySelector(\"#interest-status\").dataset.kind === 'ok'")
            count = await db.fetch("SELECT COUNT(*) AS n FROM position_interest")
            assert int(count[0]["n"]) == 1
            # The ticket page lists it.
            await page.goto(ticket_url)
            assert "港口调度员" in await page.inner_text("#interests")
            await context.close()

            # The employer's list shows the interested job seeker, masked.
            staff = await browser.new_context(locale="zh-CN",
                                              viewport={"width": 390, "height": 844})
            hr = await login(staff, base, "hr7100", "employer-pass-1")
            await hr.goto(f"{base}/employer")
            await hr.click(f"a[href='/employer/interests?fair={fair['id']}']")
            table = await hr.inner_text("table.interested")
            assert "海*" in table and "港口调度员" in table and "海港求职者" not in table
            assert re.search(r"138\*{4}\d{4}", table)
            # The other employer at the fair sees nobody.
            other = await browser.new_context(locale="zh-CN")
            hr_b = await login(other, base, "hr7101", "employer-pass-1")
            await hr_b.goto(f"{base}/employer/interests")
            assert "港口调度员" not in await hr_b.inner_text("main")
            await other.close()

            # The organiser prints all the fair's posters: one A4 page each.
            printer = await browser.new_context(locale="zh-CN")
            org = await login(printer, base, "organiser", DEMO_PASSWORDS["organiser"])
            await org.goto(f"{base}/organiser/fairs/{fair['id']}/posters")
            pdf = await org.pdf(prefer_css_page_size=True)
            pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
            assert len(pages) == 2
            box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", pdf)
            assert box and abs(float(box.group(1)) - 595.3) < 2 and abs(
                float(box.group(2)) - 841.9) < 2  # A4 portrait in points
            await printer.close()
            await staff.close()
        finally:
            await a.aclose()
            await b.aclose()
            await browser.close()
            await manager.__aexit__(None, None, None)
    finally:
        await asyncio.to_thread(server.stop)
