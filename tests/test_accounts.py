"""Accounts: login, logout, me, tokens, guards, organisation subtrees, CSRF."""

from __future__ import annotations

import pytest

from tests.conftest import login_as


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    return body


async def test_login_me_logout(client, world):
    response = await client.post("/api/v1/auth/login",
                                 json={"username": "organiser", "password": "organiser-demo-2026"})
    assert response.status_code == 200
    assert response.json()["user"]["roles"] == ["organiser"]
    assert "fairs_session" in response.cookies
    me = (await client.get("/api/v1/auth/me")).json()
    assert me["username"] == "organiser" and me["org"] == "xha"
    await client.get("/api/v1/health")
    client.headers["x-csrf-token"] = client.cookies["fairs_csrf"]
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    problem(await client.get("/api/v1/auth/me"), 401)


async def test_bad_password_is_401_problem(client, world):
    body = problem(await client.post("/api/v1/auth/login",
                                     json={"username": "organiser", "password": "wrong-pass"}),
                   401)
    assert "fairs_session" not in client.cookies
    assert body["detail"]
    problem(await client.post("/api/v1/auth/login",
                              json={"username": "nobody", "password": "whatever1"}), 401)


async def test_anonymous_requests_get_no_session_cookie(client, world):
    response = await client.get("/api/v1/catalog/venues")
    assert "fairs_session" not in response.cookies


async def test_malformed_json_and_wrong_types_name_the_field(client, world):
    body = problem(await client.post("/api/v1/auth/login", content=b'{"username": "x"',
                                     headers={"content-type": "application/json"}), 400)
    assert body["errors"] and body["errors"][0]["field"] == "body"
    body = problem(await client.post("/api/v1/auth/login",
                                     json={"username": "x", "password": 12345678}), 400)
    assert body["errors"][0]["field"] == "password"
    body = problem(await client.post("/api/v1/auth/login", json={"username": "x"}), 400)
    assert body["errors"][0]["field"] == "password"
    organiser = await client.login("organiser")
    body = problem(await organiser.post("/api/v1/catalog/venues",
                                        json={"name": "Hall", "capacity": "big"}), 400)
    assert body["errors"][0]["field"] == "capacity"
    body = problem(await organiser.post("/api/v1/catalog/venues",
                                        json={"name": "Hall", "capacity": -5}), 400)
    assert body["errors"][0]["field"] == "capacity"


@pytest.mark.parametrize("username", ["scanner"])
async def test_non_organisers_get_403(new_client, world, username):
    caller = await login_as(new_client, username)
    problem(await caller.post("/api/v1/catalog/venues", json={"name": "Hall"}), 403)
    problem(await caller.post("/api/v1/catalog/channels", json={"name": "Live"}), 403)


async def test_employer_role_gets_403(new_client, world):
    from fairs.accounts import services

    await services.create_user("acme-hr", "acme-password-1", "employer")
    caller = await new_client().login("acme-hr", "acme-password-1")
    problem(await caller.post("/api/v1/catalog/venues", json={"name": "Hall"}), 403)


async def test_anonymous_write_is_401(client, world):
    problem(await client.post("/api/v1/catalog/venues", json={"name": "Hall"}), 401)


async def test_organiser_cannot_touch_a_sibling_district(new_client, world):
    xha = await login_as(new_client, "organiser")
    jiaozhou = await login_as(new_client, "jiaozhou")
    made = await xha.post("/api/v1/catalog/venues",
                          json={"name": "新区会展中心", "district": "xha", "capacity": 500})
    assert made.status_code == 201, made.text
    venue_id = made.json()["id"]
    problem(await jiaozhou.patch(f"/api/v1/catalog/venues/{venue_id}", json={"capacity": 1}),
            403)
    problem(await jiaozhou.post("/api/v1/catalog/venues",
                                json={"name": "Elsewhere", "district": "xha"}), 403)
    # ... but acts in its own subtree, and the parent district acts in its children's.
    own = await jiaozhou.post("/api/v1/catalog/venues",
                              json={"name": "胶州会场", "district": "jiaozhou"})
    assert own.status_code == 201
    assert (await xha.post("/api/v1/catalog/venues",
                           json={"name": "古镇口会场", "district": "gzk"})).status_code == 201
    gzk = await login_as(new_client, "gzk")
    problem(await gzk.patch(f"/api/v1/catalog/venues/{venue_id}", json={"capacity": 1}), 403)
    venue = (await xha.get(f"/api/v1/catalog/venues/{venue_id}")).json()
    assert venue["capacity"] == 500


async def test_bearer_token_works_until_revoked(client, world):
    made = await client.post("/api/v1/auth/tokens", json={
        "username": "organiser", "password": "organiser-demo-2026", "name": "script"})
    assert made.status_code == 201, made.text
    token, token_id = made.json()["token"], made.json()["id"]
    auth = {"Authorization": f"Bearer {token}"}
    me = await client.get("/api/v1/auth/me", headers=auth)
    assert me.status_code == 200 and me.json()["username"] == "organiser"
    # A bearer-token write needs no CSRF token.
    created = await client.post("/api/v1/catalog/channels", headers=auth,
                                json={"name": "职海冲浪二台", "url": "https://live.example.org/2"})
    assert created.status_code == 201, created.text
    assert (await client.delete(f"/api/v1/auth/tokens/{token_id}", headers=auth)).status_code == 204
    problem(await client.get("/api/v1/auth/me", headers=auth), 401)
    problem(await client.get("/api/v1/auth/me", headers={"Authorization": "Bearer fairs_forged"}),
            401)


async def test_token_from_a_session_and_bad_credentials(new_client, world):
    organiser = await login_as(new_client, "organiser")
    made = await organiser.post("/api/v1/auth/tokens", json={"name": "door 1"})
    assert made.status_code == 201 and made.json()["token"].startswith("fairs_")
    listed = (await organiser.get("/api/v1/auth/tokens")).json()["items"]
    assert [t["name"] for t in listed] == ["door 1"]
    assert "token" not in listed[0]  # shown once, never again
    anon = new_client()
    problem(await anon.post("/api/v1/auth/tokens", json={
        "username": "organiser", "password": "nope-nope", "name": "x"}), 401)
    problem(await anon.post("/api/v1/auth/tokens", json={"name": "x"}), 401)


async def test_someone_elses_token_cannot_be_revoked(new_client, world):
    organiser = await login_as(new_client, "organiser")
    token_id = (await organiser.post("/api/v1/auth/tokens", json={"name": "mine"})).json()["id"]
    scanner = await login_as(new_client, "scanner")
    problem(await scanner.delete(f"/api/v1/auth/tokens/{token_id}"), 404)


async def test_csrf_rejects_cookie_writes_without_token(new_client, world):
    organiser = await login_as(new_client, "organiser")
    del organiser.headers["x-csrf-token"]
    problem(await organiser.post("/api/v1/catalog/venues", json={"name": "Hall"}), 403)
    # A form post from a page, with the cookie but no token, is refused too.
    response = await organiser.post("/organiser/venues", data={"name": "Hall"},
                                    headers={"accept": "application/json"})
    assert response.status_code == 403
    # With the token in the form, it goes through.
    response = await organiser.post(
        "/organiser/venues",
        data={"name": "表单会场", "district": "xha",
              "_csrf_token": organiser.cookies["fairs_csrf"]},
    )
    assert response.status_code == 303, response.text
    names = [v["name"] for v in (await organiser.get("/api/v1/catalog/venues")).json()["items"]]
    assert "表单会场" in names


async def test_login_page_form_and_safe_redirect(client, world):
    page = await client.get("/login")
    assert page.status_code == 200 and 'name="username"' in page.text
    response = await client.post("/login", data={
        "username": "organiser", "password": "organiser-demo-2026", "next": "//evil.example"})
    assert response.status_code == 303
    assert response.headers["location"] == "/organiser"
    client.cookies.clear()
    failed = await client.post("/login", data={"username": "organiser", "password": "x"})
    assert failed.status_code == 401 and "用户名或密码错误" in failed.text


async def test_pages_redirect_to_login(client, world):
    response = await client.get("/organiser", headers={"accept": "text/html"})
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/login?next=/organiser")


async def test_organisations_tree(new_client, world):
    orgs = (await new_client().get("/api/v1/orgs")).json()["items"]
    by_code = {o["code"]: o for o in orgs}
    assert by_code["xha"]["parent"] == "qd" and by_code["gzk"]["parent"] == "xha"
    gzk = await login_as(new_client, "gzk")
    problem(await gzk.post("/api/v1/orgs", json={"code": "newstreet", "name_zh": "新街道",
                                                  "parent": "xha"}), 403)
    made = await gzk.post("/api/v1/orgs", json={"code": "gzk-1", "name_zh": "古镇口一社区"})
    assert made.status_code == 201 and made.json()["parent"] == "gzk"
    problem(await gzk.post("/api/v1/orgs", json={"code": "gzk-1", "name_zh": "dup"}), 409)


async def test_login_rate_limits_per_address_and_account(migrated, world, monkeypatch):
    """With limits on, repeated failures get a 429 problem with Retry-After from that address;
    the owner, from another address, still logs in; a good password for another account from
    another address still works."""
    import httpx

    from fairs.app import create_app
    from fairs.ratelimit import Rule
    from fairs.settings import Settings

    app = create_app(Settings.from_env(rate_limits="on"))
    app.state.limiter.rules.update({"login_ip": Rule(6, 300), "login_account": Rule(3, 300)})
    await app.state.limiter.reset()

    def client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 1234))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async with client("10.0.0.1") as a, client("10.0.0.2") as b, client("10.0.0.3") as c:
        bad = {"username": "organiser", "password": "wrong-password"}
        codes = [(await a.post("/api/v1/auth/login", json=bad)).status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        # The account is now locked for a while from that address, even with the right password.
        good = {"username": "organiser", "password": "organiser-demo-2026"}
        locked = await a.post("/api/v1/auth/login", json=good)
        body = problem(locked, 429)
        assert int(locked.headers["retry-after"]) > 0 and body["code"] == "too_many_requests"
        # The owner, from another address, is not locked out.
        assert (await b.post("/api/v1/auth/login", json=good)).status_code == 200
        # Another account from another address is not affected.
        ok = await c.post("/api/v1/auth/login",
                          json={"username": "gzk", "password": "gzk-demo-2026"})
        assert ok.status_code == 200
        # Per address: a seventh attempt from one address is refused whatever the account.
        for _ in range(2):
            await a.post("/api/v1/auth/login", json={"username": "x" * 5, "password": "y" * 8})
        problem(await a.post("/api/v1/auth/login",
                             json={"username": "gzk", "password": "gzk-demo-2026"}), 429)
