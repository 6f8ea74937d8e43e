"""Chromium under the pages' Content-Security-Policy: no page of ours breaks the policy (no
inline script, no eval, no foreign source), the scanner with its camera included; the API
documentation under /schema runs under its own, wider policy."""

from __future__ import annotations

import pytest

from tests.conftest import login_as
from tests.employers.conftest import make_fair

pytestmark = pytest.mark.browser


async def test_no_page_breaks_the_content_security_policy(browser, live_server, world,
                                                          new_client):
    base = live_server.url
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, booths=6)
    fid = fair["id"]
    context = await browser.new_context(locale="zh-CN", permissions=["camera"])
    page = await context.new_page()
    page.set_default_timeout(20_000)
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: violations.append(f"{page.url}: {exc}")
            if "Content Security Policy" in str(exc) else None)
    try:
        await page.goto(f"{base}/login")
        await page.fill("input[name=username]", "organiser")
        await page.fill("input[name=password]", "organiser-demo-2026")
        await page.click("form[action='/login'] button[type=submit]")
        await page.wait_for_url(f"{base}/organiser")
        for path in ("/", "/organiser", "/organiser/catalog", "/calendar", f"/fairs/{fid}",
                     f"/organiser/fairs/{fid}/booths", f"/organiser/fairs/{fid}",
                     f"/fairs/{fid}/register", f"/scan/{fid}", f"/scan/{fid}/kiosk",
                     f"/wall/{fid}", "/schema", "/schema/swagger"):
            response = await page.goto(f"{base}{path}")
            assert response is not None and response.status < 500, path
            csp = response.headers.get("content-security-policy", "")
            assert "frame-ancestors 'none'" in csp, path
            await page.wait_for_timeout(300)  # let the page's modules run
    finally:
        await context.close()
    assert violations == []
