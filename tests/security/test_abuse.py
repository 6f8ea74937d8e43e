"""What an anonymous client (or a scanner) could take from everyone: memory through long login
fields, the door through sign-ups, the owner's login through a stranger's failures, holders'
codes through phone lookups (issue 13, items 1, 2, 5 and 12)."""

from __future__ import annotations

import asyncio
import gc
import threading
import tracemalloc
from contextlib import asynccontextmanager

import httpx
import pytest

from fairs import db
from fairs.ratelimit import RateLimiter, Rule
from fairs.settings import Settings
from tests.conftest import DEMO_PASSWORDS, Client, login_as
from tests.employers.conftest import registration
from tests.test_accounts import problem
from tests.tickets.helpers import make_fair, phone, register

HTML = {"accept": "text/html", "accept-language": "en"}


def limited_app(**rules: tuple[int, int]):
    """An app with rate limits on (the suite turns them off), some rules changed."""
    from fairs.app import create_app

    app = create_app(Settings.from_env(rate_limits="on"))
    app.state.limiter.rules.update({name: Rule(*pair) for name, pair in rules.items()})
    return app


def client_at(app, address: str) -> Client:
    transport = httpx.ASGITransport(app=app, client=(address, 4321))
    return Client(transport=transport, base_url="http://testserver")


def field_of(body: dict) -> set[str]:
    return {e["field"] for e in body.get("errors", [])}


# --- 1. bounded fields, bounded keys --------------------------------------------------------


async def test_overlong_login_and_signup_fields_are_refused_naming_the_field(client, world):
    long_name, long_password = "u" * 151, "p" * 257
    for path, body, field in [
        ("/api/v1/auth/login", {"username": long_name, "password": "x" * 10}, "username"),
        ("/api/v1/auth/login", {"username": "organiser", "password": long_password}, "password"),
        ("/api/v1/auth/tokens", {"name": "t", "username": long_name, "password": "x" * 10},
         "username"),
        ("/api/v1/auth/tokens", {"name": "t", "username": "organiser",
                                 "password": long_password}, "password"),
        ("/api/v1/employers", registration(501, username=long_name), "username"),
        ("/api/v1/employers", registration(502, password=long_password), "password"),
    ]:
        response = await client.post(path, json=body)
        assert response.status_code in (400, 422), (path, response.text)
        answer = problem(response, response.status_code)
        assert field in field_of(answer), (path, answer)
    # The login form has no schema: the service bounds it the same way.
    await client.get("/login", headers=HTML)
    form = {"username": long_name, "password": "x" * 10,
            "_csrf_token": client.cookies.get("fairs_csrf") or ""}
    answer = await client.post("/login", data=form, headers={"accept": "application/json"})
    assert answer.status_code == 422 and "username" in field_of(answer.json())


async def test_huge_usernames_leave_nothing_behind(migrated, world):
    """Failed logins with 1 MB usernames, limits on: the server keeps nothing of them."""
    app = limited_app(login_ip=(1000, 300), login_account=(1000, 300))
    await app.state.limiter.reset()
    async with client_at(app, "10.20.0.1") as c:
        await c.get("/login", headers=HTML)
        token = c.cookies.get("fairs_csrf") or ""

        async def attempt(i: int) -> int:
            form = {"username": f"{i}" + "u" * 1_000_000, "password": "wrong-password",
                    "_csrf_token": token}
            return (await c.post("/login", data=form, headers=HTML)).status_code

        await attempt(0)  # whatever a first request sets up once
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            codes = [await attempt(i) for i in range(1, 26)]
            gc.collect()
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert all(code in (401, 422) for code in codes)
    assert kept < 5_000_000, f"{kept} bytes kept after 25 logins with 1 MB usernames"


def _memory_keys(limiter: RateLimiter) -> list[str]:
    storage = limiter.storage
    return [*storage.events, *storage.storage]


async def test_limiter_keys_are_bounded_and_expire():
    limiter = RateLimiter(rules={"t": Rule(2, 1)})
    huge = "x" * 1_000_000
    await limiter.hit("t", huge, "10.0.0.1")
    await limiter.hit("t", huge, "10.0.0.1")
    with pytest.raises(Exception) as refused:
        await limiter.hit("t", huge, "10.0.0.1")
    assert refused.value.status == 429 and 1 <= refused.value.retry_after <= 1
    keys = _memory_keys(limiter)
    assert keys and all(len(k) < 120 for k in keys), [len(k) for k in keys]
    await asyncio.sleep(1.2)  # the window passes: the key is dropped as the limiter goes on
    await limiter.hit("t", "someone else")
    if limiter.storage.timer is not None:
        await limiter.storage.timer
    assert len(_memory_keys(limiter)) == 1
    await limiter.hit("t", huge, "10.0.0.1")  # and the first subject may come again


async def test_redis_limiter_keys_expire(migrated):
    from tests.conftest import REDIS_URL

    if not REDIS_URL:
        pytest.skip("Redis only (FAIRS_TEST_REDIS_URL)")
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        limiter = RateLimiter(redis=client, rules={"t": Rule(2, 7)})
        await limiter.reset()
        await limiter.hit("t", "y" * 1_000_000)
        keys = [k async for k in client.scan_iter("fairs-rl:*")]
        assert len(keys) == 1 and len(keys[0]) < 120
        assert 0 < await client.ttl(keys[0]) <= 7
    finally:
        await client.aclose()


# --- 2. sign-ups: limited per address, hashed before the transaction ------------------------


async def test_signup_is_limited_per_address(migrated, world):
    app = limited_app(signup_ip=(2, 3600))
    await app.state.limiter.reset()
    async with client_at(app, "10.30.0.1") as a, client_at(app, "10.30.0.2") as b:
        for n in (601, 602):
            assert (await a.post("/api/v1/employers", json=registration(n))).status_code == 201
        refused = problem(await a.post("/api/v1/employers", json=registration(603)), 429)
        assert refused["code"] == "too_many_requests" and refused["title"] == "请求过于频繁"
        retry = int((await a.post("/api/v1/employers", json=registration(604))).headers[
            "retry-after"])
        assert 0 < retry <= 3600
        # The registration page counts too, and answers 429 with Retry-After.
        await a.get("/employers/register", headers=HTML)
        page = await a.post("/employers/register", headers=HTML, data={
            **registration(605), "_csrf_token": a.cookies.get("fairs_csrf") or ""})
        assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
        # Another address is not affected.
        assert (await b.post("/api/v1/employers", json=registration(606))).status_code == 201


async def test_public_registrations_count_an_ipv6_client_by_its_network(migrated, world):
    """A phone on IPv6 has a /64 of addresses to itself: every `*_ip` limit counts the network,
    whichever route counts it (the registration API and page, the self check-in)."""
    app = limited_app(register_ip=(2, 300))
    await app.state.limiter.reset()
    async with client_at(app, "10.60.0.1") as organiser, \
            client_at(app, "2001:db8:1:2::1") as one, \
            client_at(app, "2001:db8:1:2:ffff::9") as same_net, \
            client_at(app, "2001:db8:1:3::1") as other_net:
        await organiser.login("organiser")
        fair = await make_fair(organiser, world, title="六")
        url = f"/api/v1/fairs/{fair['id']}/registrations"

        def body():
            return {"name": "王五", "phone": phone()}

        assert (await one.post(url, json=body())).status_code == 201
        assert (await same_net.post(url, json=body())).status_code == 201
        problem(await one.post(url, json=body()), 429)
        problem(await same_net.post(url, json=body()), 429)
        assert (await other_net.post(url, json=body())).status_code == 201


async def test_passwords_are_hashed_off_the_loop_and_outside_write_transactions(
        new_client, world, monkeypatch):
    """Sign-up, staff accounts and logins: the hash runs in a thread while no write transaction
    is open (on SQLite an open one holds the process's write lock: the door would wait)."""
    from fairs.accounts import services as accounts

    real = accounts._hasher
    seen: list[tuple[str, bool, bool]] = []
    loop_thread = threading.current_thread()

    def state(what: str) -> None:
        engine = db.current_engine()
        in_transaction = engine.current_transaction.get() is not None
        sqlite_state = getattr(engine, "_state", None)
        if sqlite_state is not None and sqlite_state.write_lock.locked():
            in_transaction = True
        seen.append((what, in_transaction, threading.current_thread() is loop_thread))

    class Watching:
        def hash(self, password, *args, **kw):
            state("hash")
            return real.hash(password, *args, **kw)

        def verify(self, hashed, password):
            state("verify")
            return real.verify(hashed, password)

    monkeypatch.setattr(accounts, "_hasher", Watching())
    anon = new_client()
    made = await anon.post("/api/v1/employers", json=registration(701))
    assert made.status_code == 201, made.text
    await anon.login("hr701", "employer-pass-1")
    staff = await anon.post(f"/api/v1/employers/{made.json()['id']}/staff",
                            json={"username": "hr701b", "password": "employer-pass-2"})
    assert staff.status_code == 201, staff.text
    await login_as(new_client, "organiser")
    assert {what for what, *_ in seen} == {"hash", "verify"}
    assert [s for s in seen if s[1]] == [], "a password hashed inside a write transaction"
    assert [s for s in seen if s[2]] == [], "a password hashed on the event loop"


# --- 5. a stranger cannot lock the owner out -----------------------------------------------


async def test_a_strangers_failures_do_not_lock_the_owner_out(migrated, world):
    app = limited_app()  # the default rules
    await app.state.limiter.reset()
    bad = {"username": "organiser", "password": "wrong-password"}
    good = {"username": "organiser", "password": DEMO_PASSWORDS["organiser"]}
    async with (client_at(app, "10.40.0.66") as stranger, client_at(app, "10.40.0.1") as owner,
                client_at(app, "10.40.0.1") as device):
        codes = [(await stranger.post("/api/v1/auth/login", json=bad)).status_code
                 for _ in range(12)]
        assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
        # Refused from the stranger's address even with the right password ...
        problem(await stranger.post("/api/v1/auth/login", json=good), 429)
        # ... but the owner, from their own address, logs in on every path.
        assert (await owner.post("/api/v1/auth/login", json=good)).status_code == 200
        token = await device.post("/api/v1/auth/tokens", json={"name": "door", **good})
        assert token.status_code == 201, token.text


# --- 12. phone lookups at the door ---------------------------------------------------------


@asynccontextmanager
async def door_staff(lookups: int, subnet: int):
    """An organiser and a scanner logged in to an app whose look-up budget is `lookups`."""
    app = limited_app(lookup=(lookups, 60))
    await app.state.limiter.reset()
    async with client_at(app, f"10.5{subnet}.0.1") as organiser, \
            client_at(app, f"10.5{subnet}.0.2") as scanner:
        await organiser.login("organiser")
        await scanner.login("scanner")
        yield organiser, scanner


async def test_phone_lookups_are_throttled_per_scanner_and_fair(migrated, world):
    async with door_staff(3, 0) as (organiser, scanner):
        one = await make_fair(organiser, world, title="一")
        two = await make_fair(organiser, world, title="二", venue="新区人才服务中心报告厅")
        number = phone()
        await register(organiser, one["id"], "张三", number)

        def lookup(fair_id: int):
            return scanner.get(f"/api/v1/fairs/{fair_id}/registrations/lookup",
                               params={"last4": number[-4:]})

        for _ in range(3):
            assert (await lookup(one["id"])).status_code == 200
        refused = await lookup(one["id"])
        problem(refused, 429)
        assert int(refused.headers["retry-after"]) > 0
        assert (await lookup(two["id"])).status_code == 200


async def test_guessing_the_digits_of_a_found_registration_is_throttled(migrated, world):
    """The look-up's admit takes an id and the phone's last 4 digits: a scanner who tries digit
    after digit for one id runs into the same per-scanner, per-fair budget."""
    async with door_staff(5, 1) as (organiser, scanner):
        fair = await make_fair(organiser, world, title="三")
        number = phone()
        await register(organiser, fair["id"], "李四", number)
        found = await scanner.get(f"/api/v1/fairs/{fair['id']}/registrations/lookup",
                                  params={"last4": number[-4:]})
        reg_id = found.json()["items"][0]["id"]
        url = f"/api/v1/fairs/{fair['id']}/registrations/{reg_id}/admit"
        wrong = [f"{n:04d}" for n in range(10_000) if f"{n:04d}" != number[-4:]]
        statuses = [(await scanner.post(url, json={"last4": guess})).status_code
                    for guess in wrong[:8]]
        assert statuses[:4] == [404] * 4  # one look-up and four guesses use the budget
        assert set(statuses[4:]) == {429}
        # The right digits are refused too until the window passes: no more guesses.
        problem(await scanner.post(url, json={"last4": number[-4:]}), 429)


def test_rate_limit_settings(monkeypatch):
    monkeypatch.setenv("FAIRS_RATE_LIMIT_LOOKUP", "5/10")
    monkeypatch.setenv("FAIRS_RATE_LIMIT_SIGNUP_IP", "3/600")
    rules = RateLimiter.from_settings(Settings.from_env(rate_limits="on")).rules
    assert rules["lookup"] == Rule(5, 10) and rules["signup_ip"] == Rule(3, 600)
    assert rules["login_account"] == Rule(10, 300)
    monkeypatch.setenv("FAIRS_RATE_LIMIT_LOOKUP", "lots")
    with pytest.raises(RuntimeError, match="FAIRS_RATE_LIMIT_LOOKUP"):
        Settings.from_env()
