"""The door scanner in Chromium with a fake camera fed a y4m video of a real ticket's QR code
(made with ffmpeg from the ticket's own PNG): the admission reaches the database once, also when
the page is offline during the scan and syncs afterwards."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from fairs import db
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.helpers import wait_until
from tests.conftest import DEMO_PASSWORDS, login_as
from tests.tickets.helpers import make_fair, register

pytestmark = pytest.mark.browser


def _y4m(png: bytes, workdir: Path, lead_white: float = 0.0, seconds: float = 4.0) -> Path:
    """A y4m video (640x480, yuv420p) of the QR image scaled up, optionally after some white
    frames; Chromium's fake camera loops it."""
    source = workdir / "code.png"
    source.write_bytes(png)
    qr = workdir / "qr.y4m"
    vf = ("scale=420:420:flags=neighbor,pad=640:480:110:30:white,format=yuv420p")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", str(source), "-vf", vf,
                    "-t", str(seconds), "-r", "10", "-pix_fmt", "yuv420p", str(qr)], check=True,
                   timeout=120)
    if not lead_white:
        return qr
    white = workdir / "white.y4m"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=white:s=640x480:r=10", "-t", str(lead_white), "-pix_fmt",
                    "yuv420p", str(white)], check=True, timeout=120)
    out = workdir / "video.y4m"
    head_w, frames_w = white.read_bytes().split(b"\n", 1)
    _head_q, frames_q = qr.read_bytes().split(b"\n", 1)
    out.write_bytes(head_w + b"\n" + frames_w + frames_q)
    return out


async def launch(video: Path):
    if not os.path.exists(CHROMIUM) or shutil.which("ffmpeg") is None:
        pytest.skip("Chromium or ffmpeg is not installed")
    from playwright.async_api import async_playwright

    manager = async_playwright()
    p = await manager.__aenter__()
    browser = await p.chromium.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}", "--autoplay-policy=no-user-gesture-required",
    ])
    return manager, browser


async def admissions(fair_id: int) -> list[dict]:
    return await db.fetch("SELECT method, offline, device FROM admission WHERE fair = {}",
                          fair_id)


async def wait_for(predicate, within: float = 30.0):
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.2)


async def staff_page(browser, live_server, **kw):
    context = await browser.new_context(locale="zh-CN", viewport={"width": 800, "height": 900},
                                        permissions=["camera"], **kw)
    page = await context.new_page()
    page.set_default_timeout(20_000)
    await page.goto(f"{live_server.url}/login")
    await page.fill("input[name=username]", "scanner")
    await page.fill("input[name=password]", DEMO_PASSWORDS["scanner"])
    await page.click("button[type=submit]")
    await page.wait_for_load_state()
    return context, page


async def fair_and_ticket_png(new_client, world, name: str) -> tuple[dict, bytes]:
    """A fair open for check-in, and the QR PNG of a ticket registered for it."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    anon = new_client()
    ticket = await register(anon, fair["id"], name)
    return fair, (await anon.get(ticket["qr_png"])).content


async def test_camera_scan_admits_once(new_client, world, live_server, tmp_path):
    fair, png = await fair_and_ticket_png(new_client, world, "扫码测试")
    manager, browser = await launch(_y4m(png, tmp_path))
    try:
        context, page = await staff_page(browser, live_server)
        await page.goto(f"{live_server.url}/scan/{fair['id']}")
        await wait_until(page,
            "document.getElementById('scan-result').dataset.result === 'ok'")
        assert "扫**" in await page.inner_text("#scan-result")
        assert await page.inner_text("#scan-count") == "1"
        # The looping video keeps showing the same code: it never counts again.
        await asyncio.sleep(5)
        rows = await admissions(fair["id"])
        assert len(rows) == 1 and not rows[0]["offline"]
        await context.close()
    finally:
        await browser.close()
        await manager.__aexit__(None, None, None)


async def test_offline_scan_is_queued_and_synced(new_client, world, live_server, tmp_path):
    fair, png = await fair_and_ticket_png(new_client, world, "离线测试")
    manager, browser = await launch(_y4m(png, tmp_path, lead_white=6.0, seconds=4.0))
    try:
        context, page = await staff_page(browser, live_server)
        await page.goto(f"{live_server.url}/scan/{fair['id']}")
        await context.set_offline(True)  # the venue's network drops before the code shows
        await wait_until(page,
            "Number(document.getElementById('scan-pending').textContent) >= 1",
            timeout=30_000)
        assert await admissions(fair["id"]) == []
        await context.set_offline(False)
        rows = await wait_for(lambda: admissions(fair["id"]))
        await wait_until(page,
            "document.getElementById('scan-pending').textContent === '0'", timeout=30_000)
        await asyncio.sleep(2)
        rows = await admissions(fair["id"])
        assert len(rows) == 1 and rows[0]["offline"]
        logged = await db.fetch("SELECT result, offline FROM scan WHERE fair = {}", fair["id"])
        assert any(r["offline"] for r in logged)
        assert sum(1 for r in logged if r["result"] == "ok") == 1
        await context.close()
    finally:
        await browser.close()
        await manager.__aexit__(None, None, None)


def _white(workdir: Path) -> Path:
    """A camera that sees no code."""
    white = workdir / "white.y4m"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=white:s=640x480:r=10", "-t", "2", "-pix_fmt", "yuv420p",
                    str(white)], check=True, timeout=120)
    return white


async def test_phone_lookup_admits_without_handing_out_codes(new_client, world, live_server,
                                                             tmp_path):
    """Someone who lost their phone: door staff find them by the last 4 digits and admit the
    one they choose; the page never receives a door code."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"], "丢手机", "13800134321")
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    manager, browser = await launch(await asyncio.to_thread(_white, tmp_path))
    try:
        context, page = await staff_page(browser, live_server)
        answers: list[str] = []

        async def keep(response):
            if "/registrations/" in response.url:
                answers.append(await response.text())

        page.on("response", keep)
        await page.goto(f"{live_server.url}/scan/{fair['id']}")
        await page.fill("#scan-last4", "4321")
        await page.click("#scan-lookup button[type=submit]")
        await page.wait_for_selector("#scan-found li button")
        assert "丢**" in await page.inner_text("#scan-found")
        await page.click("#scan-found li button")
        await wait_until(page,
            "document.getElementById('scan-result').dataset.result === 'ok'")
        assert await page.inner_text("#scan-count") == "1"
        rows = await admissions(fair["id"])
        assert len(rows) == 1
        assert len(answers) == 2 and all(ticket["code"] not in a for a in answers)
        await context.close()
    finally:
        await browser.close()
        await manager.__aexit__(None, None, None)
