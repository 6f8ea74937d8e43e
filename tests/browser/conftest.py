"""Browser tests: Debian's Chromium driven by Playwright against a real server subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, workers: int = 1, extra_env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        # The browser's Origin must be the service's own (the CSRF Origin check)
        env["FAIRS_BASE_URL"] = self.url
        env.update(extra_env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "fairs.app:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
             "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server died: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="session")
def live_server(migrated):
    server = LiveServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (scripts/system-deps.sh installs it)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest.fixture
async def page(browser, live_server):
    context = await browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    pg = await context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    await context.close()
