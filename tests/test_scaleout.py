"""Scale-out: several server processes share sessions (and limits, and live events) through Redis,
so any worker can serve any request."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import LiveServer
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs FAIRS_TEST_REDIS_URL")


@pytest.fixture
def two_servers(migrated, world):
    env = {"FAIRS_REDIS_URL": REDIS_URL, "FAIRS_SECRET_KEY": "s" * 48}
    servers = [LiveServer(extra_env=env), LiveServer(extra_env=env)]
    yield servers
    for server in servers:
        server.stop()


async def test_log_in_through_one_worker_act_through_another(two_servers):
    a, b = two_servers
    async with httpx.AsyncClient() as http:
        login = await http.post(f"{a.url}/api/v1/auth/login",
                                json={"username": "organiser", "password": "organiser-demo-2026"})
        assert login.status_code == 200
        session = login.cookies["fairs_session"]
        first = await http.get(f"{a.url}/api/v1/health", cookies={"fairs_session": session})
        csrf = first.cookies["fairs_csrf"]
        cookies = {"fairs_session": session, "fairs_csrf": csrf}
        me = await http.get(f"{b.url}/api/v1/auth/me", cookies=cookies)
        assert me.status_code == 200 and me.json()["username"] == "organiser"
        made = await http.post(f"{b.url}/api/v1/catalog/venues", cookies=cookies,
                               headers={"x-csrf-token": csrf},
                               json={"name": "跨进程会场", "district": "xha"})
        assert made.status_code == 201, made.text
        listed = await http.get(f"{a.url}/api/v1/catalog/venues")
        assert "跨进程会场" in [v["name"] for v in listed.json()["items"]]
        # Logging out through A ends the session on B too.
        out = await http.post(f"{a.url}/api/v1/auth/logout", cookies=cookies,
                              headers={"x-csrf-token": csrf})
        assert out.status_code == 204
        assert (await http.get(f"{b.url}/api/v1/auth/me", cookies=cookies)).status_code == 401
