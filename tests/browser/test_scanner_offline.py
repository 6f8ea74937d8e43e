"""The door with the network down, in Chromium: the scanner page, opened once online, is kept by
its service worker; with the browser offline it reloads from there, takes a scan into its queue
(which outlives another reload), and when the network returns sends it: one admission in the
database, sent again it still counts once, and the result box shows that scan's result in the
page's language. The page is installable (Chromium's own check of the manifest and worker), and
a logout forgets the kept page. The wall's screen view has no site navigation."""

from __future__ import annotations

import pytest

from fairs import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import wait_until
from tests.conftest import DEMO_PASSWORDS, login_as
from tests.tickets.helpers import make_fair, register

pytestmark = pytest.mark.browser

TEXTS = {
    "zh-CN": {"ok": "已入场", "queued": "已离线保存", "synced": "离线扫码已上传",
              "offline": "离线", "camera": "无法打开摄像头", "ready": "可离线使用"},
    "en": {"ok": "Admitted", "queued": "Saved offline", "synced": "Offline scans sent",
           "offline": "No network", "camera": "camera could not be opened",
           "ready": "Works offline"},
}
RESULT = "document.getElementById('scan-result')"
PENDING = "document.getElementById('scan-pending').textContent"
# The scans waiting in this browser's IndexedDB queue (what scanner.js keeps there).
QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("fairs-scanner", 1);
  open.onsuccess = () => {
    const get = open.result.transaction("queue").objectStore("queue").getAll();
    get.onsuccess = () => resolve(get.result);
    get.onerror = () => reject(get.error);
  };
  open.onerror = () => reject(open.error);
})"""
REQUEUE = """(scan) => new Promise((resolve, reject) => {
  const open = indexedDB.open("fairs-scanner", 1);
  open.onsuccess = () => {
    const tx = open.result.transaction("queue", "readwrite");
    tx.objectStore("queue").put(scan);
    tx.oncomplete = () => resolve(true);
    tx.onerror = () => reject(tx.error);
  };
})"""


async def scanner_context(browser, base: str, locale: str):
    """A staff phone (no camera: the code is typed) logged in as the demo scanner."""
    context = await browser.new_context(locale=locale, viewport={"width": 412, "height": 915})
    return context, await log_in(context, base)


async def log_in(context, base: str):
    page = await context.new_page()
    page.set_default_timeout(20_000)
    await page.goto(f"{base}/login")
    await page.fill("input[name=username]", "scanner")
    await page.fill("input[name=password]", DEMO_PASSWORDS["scanner"])
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url(f"{base}/scan")
    return page


async def admissions(fair_id: int) -> list[dict]:
    return await db.fetch("SELECT offline FROM admission WHERE fair = {}", fair_id)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
async def test_scanner_reloads_offline_scans_and_syncs_once(browser, live_server, new_client,
                                                           world, locale):
    text = TEXTS[locale]
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, title="离线大门测试会")
    ticket = await register(new_client(), fair["id"], "离线者")
    other = await register(new_client(), fair["id"], "旁证者")
    base = live_server.url
    context, page = await scanner_context(browser, base, locale)
    try:
        await page.goto(f"{base}/scan/{fair['id']}")
        await wait_until(page, "document.getElementById('scanner').dataset.offline === 'ready'")
        assert text["ready"] in await page.inner_text("#scan-offline")
        # Meanwhile another door admits someone: only a page from the network would know.
        scanner = await login_as(new_client, "scanner")
        assert (await scanner.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                   json={"code": other["code"]})).json()["result"] == "ok"

        await context.set_offline(True)
        response = await page.reload()
        assert response is not None and response.ok and response.from_service_worker
        await wait_until(page, "document.getElementById('scan-net').textContent.length > 0")
        assert await page.inner_text("#scan-net") == text["offline"]
        assert await page.inner_text("#scan-count") == "0"  # the kept page, not the network's
        # No camera on this device: said under the camera, not in the result box.
        await wait_until(page, "!document.getElementById('scan-camera-msg').hidden")
        assert text["camera"] in await page.inner_text("#scan-camera-msg")
        assert text["camera"] not in await page.inner_text("#scan-result")

        await page.fill("#scan-code", ticket["code"])
        await page.press("#scan-code", "Enter")
        await wait_until(page, f"{RESULT}.dataset.result === 'queued'")
        assert text["queued"] in await page.inner_text("#scan-result")
        assert await page.inner_text("#scan-pending") == "1"
        assert await admissions(fair["id"]) == [{"offline": False}]  # the other door's only

        # The queue outlives a reload, still offline.
        await page.reload()
        await wait_until(page, f"{PENDING} === '1'")
        [queued] = await page.evaluate(QUEUE)
        assert queued["code"] == ticket["code"] and queued["nonce"]

        await context.set_offline(False)  # the network returns: the online event sends it
        await wait_until(page, f"{PENDING} === '0' && {RESULT}.dataset.result === 'ok'",
                         timeout=30_000)
        rows = await admissions(fair["id"])
        assert len(rows) == 2 and sum(1 for r in rows if r["offline"]) == 1
        box = await page.inner_text("#scan-result")
        assert text["ok"] in box and "离**" in box and text["synced"] in box
        assert "unknown" not in box and text["camera"] not in box
        assert await page.inner_text("#scan-count") == "2"
        assert await page.inner_text("#scan-mine") == "1"

        # The same scan sent again (its answer lost on the way, say): counted once.
        await page.evaluate(REQUEUE, queued)
        await page.evaluate("window.dispatchEvent(new Event('online'))")
        await wait_until(page, f"{PENDING} === '0'")
        await wait_until(page, f"{RESULT}.dataset.code === 'ok'")
        assert len(await admissions(fair["id"])) == 2
        logged = await db.fetch("SELECT nonce FROM scan WHERE fair = {} AND offline = {}",
                                fair["id"], True)
        assert [r["nonce"] for r in logged] == [queued["nonce"]]
    finally:
        await context.close()


async def test_a_failed_sync_is_tried_again_by_itself(browser, live_server, new_client, world):
    """The network is back but the upload fails (the venue's uplink, a proxy): the scanner tries
    again by itself, waiting longer each time, until the scan is sent, counted once."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, title="重试测试会")
    ticket = await register(new_client(), fair["id"], "重试者")
    base = live_server.url
    context, page = await scanner_context(browser, base, "en")
    attempts: list[str] = []

    async def fail_twice(route):
        attempts.append(route.request.url)
        if len(attempts) <= 2:
            await route.abort("connectionreset")
        else:
            await route.continue_()

    try:
        await page.goto(f"{base}/scan/{fair['id']}")
        await wait_until(page, "document.getElementById('scanner').dataset.offline === 'ready'")
        await page.route("**/checkins/batch*", fail_twice)
        await context.set_offline(True)
        await page.fill("#scan-code", ticket["code"])
        await page.press("#scan-code", "Enter")
        await wait_until(page, f"{PENDING} === '1'")
        await context.set_offline(False)  # one online event; the rest are the page's retries
        await wait_until(page, f"{PENDING} === '0' && {RESULT}.dataset.result === 'ok'",
                         timeout=40_000)
        assert len(attempts) == 3
        assert await admissions(fair["id"]) == [{"offline": True}]
        assert "Admitted" in await page.inner_text("#scan-result")
    finally:
        await context.close()


async def test_saved_scans_wait_for_a_new_login(browser, live_server, new_client, world):
    """The login ended while the door was offline: the sync is refused, the scans stay on the
    device and the page says to log in again; logged in, they are sent."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, title="重新登录测试会")
    ticket = await register(new_client(), fair["id"], "等待者")
    base = live_server.url
    context, page = await scanner_context(browser, base, "zh-CN")
    try:
        await page.goto(f"{base}/scan/{fair['id']}")
        await wait_until(page, "document.getElementById('scanner').dataset.offline === 'ready'")
        await context.set_offline(True)
        await page.fill("#scan-code", ticket["code"])
        await page.press("#scan-code", "Enter")
        await wait_until(page, f"{PENDING} === '1'")
        await context.clear_cookies(name="fairs_session")  # the session ended meanwhile
        await context.set_offline(False)
        await wait_until(page, "!document.getElementById('scan-login').hidden")
        assert "重新登录" in await page.inner_text("#scan-login")
        assert await page.inner_text("#scan-pending") == "1"
        assert await admissions(fair["id"]) == []
        await page.click("#scan-login a")
        await page.fill("input[name=username]", "scanner")
        await page.fill("input[name=password]", DEMO_PASSWORDS["scanner"])
        await page.click("form[action='/login'] button[type=submit]")
        await page.wait_for_url(f"{base}/scan/{fair['id']}")
        await wait_until(page, f"{PENDING} === '0' && {RESULT}.dataset.result === 'ok'")
        assert await admissions(fair["id"]) == [{"offline": True}]
        assert await page.locator("#scan-login").is_hidden()
    finally:
        await context.close()


async def test_scanner_is_installable_and_a_logout_forgets_the_page(browser, live_server,
                                                                    new_client, world,
                                                                    tmp_path):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, title="安装测试会")
    base = live_server.url
    # A profile on disk: Chromium installs nothing from an incognito-like context.
    context = await browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS, locale="zh-CN")
    try:
        page = await log_in(context, base)
        await page.goto(f"{base}/scan/{fair['id']}")
        await wait_until(page, "document.getElementById('scanner').dataset.offline === 'ready'")
        cdp = await context.new_cdp_session(page)
        manifest = await cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith(f"/scan/{fair['id']}/manifest.webmanifest")
        assert not manifest.get("errors"), manifest["errors"]
        installability = await cdp.send("Page.getInstallabilityErrors")
        assert installability["installabilityErrors"] == []
        kept = "caches.keys().then(k => k.filter(n => n.startsWith('fairs-pages-')).length)"
        assert await page.evaluate(kept) == 1
        assert await page.evaluate(f"caches.match('{base}/scan/{fair['id']}').then(Boolean)")

        # Logged out: the next person on this device cannot open the page from the cache.
        await page.click("form[action='/logout'] button[type=submit]")
        await page.wait_for_url(f"{base}/")
        await wait_until(page, f"{kept.replace('.length)', '.length === 0)')}")
        await context.set_offline(True)
        with pytest.raises(Exception, match="ERR_FAILED|ERR_INTERNET_DISCONNECTED"):
            await page.goto(f"{base}/scan/{fair['id']}")
    finally:
        await context.close()


@pytest.mark.parametrize("locale,label", [("zh-CN", "进场求职人数"),
                                          ("en", "Job seekers admitted")])
async def test_wall_screen_view_without_navigation(browser, live_server, new_client, world,
                                                   locale, label):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, title="大屏视图测试会")
    context = await browser.new_context(locale=locale, viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    try:
        await page.goto(f"{live_server.url}/wall/{fair['id']}?kiosk=1")
        assert await page.locator("header.site, nav, footer.site").count() == 0
        assert label in await page.inner_text(".wall-counts")
        assert await page.locator("dd[data-key=online_viewers]").count() == 0
        assert await page.locator("dd[data-key=checked_in]").is_visible()
        # Headless Chromium allows full screen: the button shows until it is used.
        await wait_until(page, "!document.getElementById('wall-fullscreen').hidden")
        await page.click("#wall-fullscreen")
        await wait_until(page, "Boolean(document.fullscreenElement)")
        await wait_until(page, "document.getElementById('wall-fullscreen').hidden")
        await wait_until(page, "document.getElementById('wall').dataset.live === 'on'")
    finally:
        await context.close()
