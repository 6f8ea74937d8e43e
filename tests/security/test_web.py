"""Sessions and cross-site, headers, logs, /metrics and the Host header, attacked as an outsider
would (issue 13, items 6-8 and 19-21), and the 4xx answers in the OpenAPI schema.

The PostgreSQL+Redis run (FAIRS_TEST_REDIS_URL) keeps sessions in Redis; the SQLite run in
memory: the fixation tests cover both stores.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys

import httpx
import pytest

from fairs.app import create_app
from fairs.settings import Settings
from tests import conftest
from tests.conftest import DEMO_PASSWORDS, login_as
from tests.tickets.helpers import make_fair, phone

BASE = "http://127.0.0.1:8000"  # the tests' FAIRS_BASE_URL (the default)
INVENTED = "a" * 64  # a session id the attacker made up and planted in the victim's browser


def session_cookie(response: httpx.Response) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith("fairs_session="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


async def who(new_client, session_id: str) -> int:
    """The status of /api/v1/auth/me for a client holding only this session cookie."""
    probe = new_client()
    probe.cookies.set("fairs_session", session_id)
    return (await probe.get("/api/v1/auth/me")).status_code


async def assert_fresh_session(new_client, response: httpx.Response) -> None:
    """The login's answer issued a new session id; the invented one stays anonymous."""
    issued = session_cookie(response)
    assert issued and issued != INVENTED
    assert await who(new_client, INVENTED) == 401
    assert await who(new_client, issued) == 200


# --- item 6: session fixation, logout, CSRF bound to the session -----------------------------


async def test_invented_session_id_is_not_kept_at_api_login(new_client, world):
    victim = new_client()
    victim.cookies.set("fairs_session", INVENTED)
    response = await victim.post("/api/v1/auth/login", json={
        "username": "organiser", "password": DEMO_PASSWORDS["organiser"]})
    assert response.status_code == 200, response.text
    await assert_fresh_session(new_client, response)


async def test_invented_session_id_is_not_kept_at_page_login(new_client, world):
    victim = new_client()
    form = await victim.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text).group(1)
    # planted between the form and the post (a page load would expire an unknown cookie)
    victim.cookies.set("fairs_session", INVENTED)
    response = await victim.post("/login", data={
        "username": "organiser", "password": DEMO_PASSWORDS["organiser"],
        "_csrf_token": token})
    assert response.status_code == 303, response.text
    await assert_fresh_session(new_client, response)


async def test_a_logged_in_session_gets_a_fresh_id_at_the_next_login(new_client, world):
    """A known session id (say one an attacker holds of an anonymous or his own session) dies
    when the browser logs in as someone else; the new session is under a new id."""
    client = await login_as(new_client, "organiser")
    first = client.cookies["fairs_session"]
    response = await client.post("/api/v1/auth/login", json={
        "username": "gzk", "password": DEMO_PASSWORDS["gzk"]})
    assert response.status_code == 200, response.text
    second = session_cookie(response)
    assert second and second != first
    assert await who(new_client, first) == 401
    assert (await client.get("/api/v1/auth/me")).json()["username"] == "gzk"


async def test_logout_kills_the_old_session_id(new_client, world):
    client = await login_as(new_client, "organiser")
    old = client.cookies["fairs_session"]
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    assert await who(new_client, old) == 401
    # the page's logout too
    client = await login_as(new_client, "organiser")
    old = client.cookies["fairs_session"]
    response = await client.post("/logout", data={"_csrf_token": client.cookies["fairs_csrf"]})
    assert response.status_code == 303
    assert await who(new_client, old) == 401


async def test_csrf_token_of_one_session_is_refused_in_another(new_client, world):
    attacker = await login_as(new_client, "organiser")
    victim = await login_as(new_client, "organiser")
    minted = attacker.cookies["fairs_csrf"]
    assert minted != victim.cookies["fairs_csrf"]
    # The attacker plants his token as the victim's CSRF cookie (a sibling subdomain can) and
    # sends it in the header: a double-submit check would see two equal, valid tokens.
    victim.cookies.set("fairs_csrf", minted)
    victim.headers["x-csrf-token"] = minted
    refused = await victim.post("/api/v1/catalog/venues", json={"name": "Hall A"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    form = await victim.post("/organiser/venues", data={"name": "Hall B", "district": "xha",
                                                        "_csrf_token": minted})
    assert form.status_code == 403
    # The victim's own token still works, and the attacker's in his own session.
    own = await login_as(new_client, "organiser")
    made = await own.post("/api/v1/catalog/venues", json={"name": "Hall C"})
    assert made.status_code == 201, made.text
    assert (await attacker.post("/api/v1/catalog/venues",
                                json={"name": "Hall D"})).status_code == 201


# --- item 7: login CSRF and JSON-only bodies ---------------------------------------------------


async def test_login_from_a_foreign_origin_is_refused(new_client, world):
    form = {"username": "organiser", "password": DEMO_PASSWORDS["organiser"]}
    browser = new_client()
    refused = await browser.post("/login", data=form,
                                 headers={"origin": "https://evil.example"})
    assert refused.status_code == 403
    assert session_cookie(refused) is None
    refused = await browser.post("/login", data=form,
                                 headers={"referer": "https://evil.example/page"})
    assert refused.status_code == 403
    refused = await browser.post("/api/v1/auth/login", json=form,
                                 headers={"origin": "null"})
    assert refused.status_code == 403
    assert (await browser.get("/api/v1/auth/me")).status_code == 401
    # The service's own origin (FAIRS_BASE_URL), by Origin or by Referer, logs in.
    ok = await new_client().post("/login", data=form, headers={"origin": BASE})
    assert ok.status_code == 303 and session_cookie(ok)
    ok = await new_client().post("/login", data=form, headers={"referer": f"{BASE}/login"})
    assert ok.status_code == 303 and session_cookie(ok)
    # A page opened under another name of the same server (localhost) posts to itself: its
    # Origin is the Host it was sent to. A foreign Origin is refused whatever the Host says.
    local = {"host": "localhost:8000"}
    ok = await new_client().post("/login", data=form,
                                 headers={**local, "origin": "http://localhost:8000"})
    assert ok.status_code == 303 and session_cookie(ok)
    refused = await new_client().post("/login", data=form,
                                      headers={**local, "origin": "http://evil.example"})
    assert refused.status_code == 403
    refused = await new_client().post("/login", data=form, headers={
        "host": "evil.example", "origin": "http://localhost:8000"})
    assert refused.status_code == 403


async def test_json_routes_refuse_other_media_types(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26)
    login = b'{"username": "organiser", "password": "organiser-demo-2026"}'
    registration = json.dumps({"name": "\u674e\u56db", "phone": phone()}).encode()
    anon = new_client()
    for path, body in (("/api/v1/auth/login", login),
                       (f"/api/v1/fairs/{fair['id']}/registrations", registration)):
        for kind in ("text/plain", "text/xml", "application/x-www-form-urlencoded", None):
            headers = {"content-type": kind} if kind else {}
            response = await anon.post(path, content=body, headers=headers)
            assert response.status_code == 415, (path, kind, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["errors"][0]["field"] == "content-type"
    assert "fairs_session" not in anon.cookies
    assert (await anon.post("/api/v1/auth/login", content=login, headers={
        "content-type": "application/json; charset=utf-8"})).status_code == 200


# --- item 8: security headers ----------------------------------------------------------------


def assert_secured(response: httpx.Response) -> None:
    assert "content-security-policy" in response.headers, (response.url, dict(response.headers))
    csp = response.headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ")}
    assert directives["script-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("same-origin", "no-referrer")
    assert response.headers["x-frame-options"] == "DENY"


async def test_security_headers_on_pages_api_scanner_and_kiosk(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    anon = new_client()
    for response in (await anon.get("/"), await anon.get("/login"),
                     await anon.get("/api/v1/health"), await anon.get("/api/v1/nothing-here"),
                     await organiser.get(f"/scan/{fair['id']}"),
                     await organiser.get(f"/scan/{fair['id']}/kiosk")):
        assert response.status_code in (200, 404), (response.url, response.status_code)
        assert_secured(response)
        assert "strict-transport-security" not in response.headers


async def test_hsts_in_production_only(migrated):
    app = create_app(Settings.from_env(env="production", secret_key="s" * 40,
                                       base_url="https://fairs.example"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="https://fairs.example") as client:
        response = await client.get("/api/v1/health")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert_secured(response)


# --- item 19: no codes, secrets or tokens in the access log ------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_access_log_holds_no_codes_or_tokens(migrated, tmp_path):
    """A real `fairs run`, its real access log."""
    port = free_port()
    env = conftest.test_env()
    env.update({"FAIRS_LOG_LEVEL": "INFO", "FAIRS_BASE_URL": f"http://127.0.0.1:{port}"})
    log_path = tmp_path / "server.log"
    with open(log_path, "wb") as log_file:
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "fairs.cli", "run", "--port", str(port),
            env=env, stdout=log_file, stderr=subprocess.STDOUT)
        secrets = ["TCODE7H3KXQ2M9PWRT4V", "SECRETsecret0123456789abcdef", "FEEDTOKENzz9",
                   "SELFTOKENyy8", "QUERYCODExx7"]
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                for _ in range(150):
                    try:
                        if (await http.get("/api/v1/health")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.1)
                for path in (f"/tickets/{secrets[0]}", f"/tickets/{secrets[0]}/qr.svg",
                             f"/api/v1/tickets/{secrets[1]}/interests",
                             f"/calendar/feeds/{secrets[2]}.ics",
                             f"/checkin/1/self?t={secrets[3]}",
                             f"/scan?code={secrets[4]}&token={secrets[2]}"):
                    await http.get(path)
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), 20)
    log = log_path.read_text()
    assert "/tickets/[redacted]" in log and "/calendar/feeds/[redacted]" in log, log
    for secret in secrets:
        assert secret not in log, log


# --- item 20: /metrics -------------------------------------------------------------------------


async def test_metrics_only_for_allowed_addresses_or_the_token(migrated):
    app = create_app(Settings.from_env(env="production", secret_key="s" * 40,
                                       metrics_token="m" * 32,
                                       metrics_allow=("127.0.0.1", "10.1.0.0/16")))

    def client(address: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 5000)),
                                 base_url="http://testserver")

    async with client("203.0.113.9") as outsider, client("10.1.2.3") as prometheus, \
            client("127.0.0.1") as local:
        refused = await outsider.get("/metrics")
        assert refused.status_code in (403, 404) and "fairs_" not in refused.text
        wrong = await outsider.get("/metrics", headers={"authorization": "Bearer " + "x" * 32})
        assert wrong.status_code in (403, 404)
        with_token = await outsider.get("/metrics",
                                        headers={"authorization": "Bearer " + "m" * 32})
        assert with_token.status_code == 200 and "fairs_requests_total" in with_token.text
        assert (await prometheus.get("/metrics")).status_code == 200
        assert (await local.get("/metrics")).status_code == 200


# --- item 21: absolute links from FAIRS_BASE_URL only ------------------------------------------


async def test_host_header_is_not_reflected_in_links(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    evil = {"host": "evil.example", "x-forwarded-host": "evil.example"}
    anon = new_client()
    made = await anon.post(f"/api/v1/fairs/{fair['id']}/registrations",
                           json={"name": "\u674e\u56db", "phone": phone()}, headers=evil)
    assert made.status_code == 201, made.text
    assert "evil.example" not in made.text
    ticket = made.json()["ticket"]
    assert ticket["url"].startswith(BASE + "/tickets/")
    path = ticket["url"][len(BASE):]
    for url in (path, path + "/ticket.ics", "/calendar/fairs.ics",
                f"/calendar/fairs/{fair['id']}.ics", f"/fairs/{fair['id']}", "/calendar"):
        response = await anon.get(url, headers=evil)
        assert response.status_code == 200, (url, response.status_code)
        assert "evil.example" not in response.text, url
    wall = await organiser.get(f"/wall/{fair['id']}", headers=evil)
    code = await organiser.get(f"/api/v1/fairs/{fair['id']}/self-checkin-code", headers=evil)
    for response in (wall, code):
        assert response.status_code == 200, response.text
        assert "evil.example" not in response.text and "/self?t=" in response.text


# --- the OpenAPI schema lists the 4xx answers ----------------------------------------------------


async def test_every_operation_with_a_body_lists_its_problem_answers(client):
    doc = (await client.get("/schema/openapi.json")).json()
    seen = 0
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = {int(s) for s in operation["responses"] if s.isdigit()}
            for status in statuses:
                if 400 <= status < 500:
                    content = operation["responses"][str(status)]["content"]
                    assert "application/problem+json" in content, (method, path, status)
            if "requestBody" in operation:
                seen += 1
                assert {400, 422}.issubset(statuses), (method, path)
                if "application/json" in operation["requestBody"].get("content", {}):
                    assert 415 in statuses, (method, path)
            if "{" in path:
                assert 404 in statuses, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert 403 in statuses, (method, path)
    assert seen > 20
    login = doc["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"401", "415", "422", "429"} <= set(login)
    guarded = doc["paths"]["/api/v1/auth/me"]["get"]["responses"]
    assert {"401", "403"} <= set(guarded)


@pytest.mark.skipif(os.environ.get("FAIRS_ENV") == "production", reason="development defaults")
def test_forwarded_allow_ips_setting_reaches_uvicorn(monkeypatch):
    """`fairs run` hands FAIRS_FORWARDED_ALLOW_IPS to uvicorn (which proxies' X-Forwarded-For
    it believes), and the log configuration with the redacting filter."""
    import uvicorn
    from click.testing import CliRunner

    from fairs import cli

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setenv("FAIRS_FORWARDED_ALLOW_IPS", "10.0.0.5")
    result = CliRunner().invoke(cli.main, ["run"])
    assert result.exit_code == 0, result.output
    assert seen["forwarded_allow_ips"] == "10.0.0.5"
    assert "redact_secrets" in seen["log_config"]["filters"]
