"""What every request pays (issue 16): routes that answer the same to everyone (the health check,
static files) skip the session, CSRF and authentication layers, and lose nothing they need."""

from __future__ import annotations

import pytest
from litestar import Litestar, get, post

from fairs.web import STATELESS, check_stateless


async def test_health_and_static_skip_the_session_but_keep_headers(client, world):
    await client.login("organiser")
    for path in ("/api/v1/health", "/static/img/favicon.svg"):
        response = await client.get(path)
        assert response.status_code == 200, path
        # No session looked at: no session or CSRF cookie (re)issued.
        assert "set-cookie" not in response.headers, path
        # The security headers all the same.
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
    # The session is untouched: a page still knows the organiser.
    assert (await client.get("/api/v1/auth/me")).json()["username"] == "organiser"


async def test_a_page_still_gets_the_session_and_locale(client, world):
    await client.login("organiser")
    response = await client.get("/organiser?lang=en")
    assert response.status_code == 200
    assert 'lang="en"' in response.text


def test_only_safe_routes_may_be_stateless():
    @get("/fine", opt={STATELESS: True}, sync_to_thread=False)
    def fine() -> str:
        return "ok"

    @post("/writes", opt={STATELESS: True}, sync_to_thread=False)
    def writes() -> str:
        return "ok"

    check_stateless(Litestar([fine]).route_handler_method_map["/fine"].values())
    handlers = Litestar([writes]).route_handler_method_map["/writes"].values()
    with pytest.raises(RuntimeError, match="stateless"):
        check_stateless(handlers)
