"""The scanner's result box speaks the page's language, in Chromium (issue 15 item 2): a scan
queued offline, an unknown code answered by the service, and a code too long to be a ticket
(answered by the page itself) are shown in Chinese on a Chinese page and in English on an
English one; never the result codes ("queued", "unknown") themselves."""

from __future__ import annotations

import pytest

from tests.browser.helpers import wait_until
from tests.browser.test_scanner_offline import RESULT, scanner_context
from tests.conftest import login_as
from tests.tickets.helpers import make_fair, register

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {"queued": "已离线保存", "unknown": "不是有效门票",
              "unknown_text": "无效码", "saved": "本机"},
    "en": {"queued": "Saved offline", "unknown": "Not a ticket",
           "unknown_text": "Unknown code", "saved": "this device"},
}


async def box(page) -> str:
    return await page.inner_text("#scan-result")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
async def test_the_result_box_in_the_pages_language(browser, live_server, new_client, world,
                                                    locale):
    words = WORDS[locale]
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, title="扫码用语测试会")
    ticket = await register(new_client(), fair["id"], "用语者")
    base = live_server.url
    context, page = await scanner_context(browser, base, locale)
    try:
        await page.goto(f"{base}/scan/{fair['id']}")
        await wait_until(page, "document.getElementById('scanner').dataset.offline === 'ready'")

        # An unknown code, answered by the service in the page's language.
        await page.fill("#scan-code", "TZZZZZZZZZZZZZZZ")
        await page.press("#scan-code", "Enter")
        await wait_until(page, f"{RESULT}.dataset.code === 'unknown'")
        text = await box(page)
        assert words["unknown"] in text and "unknown" not in text, text

        # A code too long to be a ticket: the page answers by itself, in its language.
        await page.evaluate("document.getElementById('scan-code').removeAttribute('maxlength')")
        await page.fill("#scan-code", "X" * 300)
        await page.press("#scan-code", "Enter")
        await wait_until(page, f"{RESULT}.querySelector('.scan-result-text').textContent.length"
                               " > 0")
        text = await box(page)
        assert words["unknown"] in text and words["unknown_text"] in text, text
        assert "unknown" not in text

        # Offline: the scan is queued, and the box says so in the page's language.
        await context.set_offline(True)
        await page.fill("#scan-code", ticket["code"])
        await page.press("#scan-code", "Enter")
        await wait_until(page, f"{RESULT}.dataset.result === 'queued'")
        text = await box(page)
        assert words["queued"] in text and words["saved"] in text, text
        assert "queued" not in text.lower()
    finally:
        await context.close()
