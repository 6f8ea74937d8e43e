"""The registration rush (issue 16, item 2): exactly the capacity admitted under concurrent HTTP
requests to real servers (two worker processes on PostgreSQL, each batching its own), a
cancelled ticket's place going to the next registration whichever worker serves it, and a full
fair refusing before any of a registration's work."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from fairs import db
from fairs.tickets import services
from tests.browser.conftest import LiveServer
from tests.conftest import DEMO_PASSWORDS, engine_kind, login_as
from tests.test_accounts import problem
from tests.test_scaleout import _Base
from tests.tickets.helpers import make_fair, phone, register


@pytest.fixture
def servers(migrated, world):
    """Two server processes on PostgreSQL (two workers, as deployed); one on SQLite, which is
    served by one process."""
    count = 2 if engine_kind() == "postgres" else 1
    made = [LiveServer(extra_env={"FAIRS_RATE_LIMITS": "off"}) for _ in range(count)]
    yield made * (2 // count)
    for server in made:
        server.stop()


async def _held(fair_id: int) -> tuple[int, int]:
    """What the database holds: active registrations, and the tally the capacity is kept by."""
    active = await db.fetch("SELECT COUNT(*) AS n FROM registration WHERE fair = {} "
                            "AND status = 'active'", fair_id)
    tally = await db.fetch("SELECT COALESCE(SUM(active), 0) AS n FROM registration_tally "
                           "WHERE fair = {}", fair_id)
    return int(active[0]["n"]), int(tally[0]["n"])


async def _organiser(http: httpx.AsyncClient, url: str) -> dict:
    made = await http.post(f"{url}/api/v1/auth/tokens", json={
        "username": "organiser", "password": DEMO_PASSWORDS["organiser"], "name": "rush"})
    assert made.status_code == 201, made.text
    return {"authorization": f"Bearer {made.json()['token']}"}


async def test_rush_over_http_admits_exactly_the_capacity(servers, world):
    """120 phones (and a few of them twice) at once through the workers for 25 places."""
    a, b = servers
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=200)) as http:
        fair = await make_fair(_Base(http, a.url, await _organiser(http, a.url)), world,
                               start=60 * 24, end=60 * 26, capacity=25)
        numbers = [phone() for _ in range(120)]
        numbers += numbers[:10]  # the same phone again, at the same moment

        async def one(n: int, number: str) -> httpx.Response:
            server = (a, b)[n % 2]
            return await http.post(f"{server.url}/api/v1/fairs/{fair['id']}/registrations",
                                   json={"name": f"求职者{n}", "phone": number})

        answers = await asyncio.gather(*(one(n, p) for n, p in enumerate(numbers)))
    statuses = [r.status_code for r in answers]
    assert statuses.count(201) == 25, sorted(statuses)
    assert statuses.count(409) == len(numbers) - 25
    reasons = {r.json().get("code") for r in answers if r.status_code == 409}
    assert reasons <= {"fair_full", "already_registered"}
    admitted = [numbers[n] for n, r in enumerate(answers) if r.status_code == 201]
    assert len(set(admitted)) == 25  # no phone twice
    assert await _held(fair["id"]) == (25, 25)


async def test_a_cancelled_place_goes_to_the_next_registration_on_either_worker(servers, world):
    a, b = servers
    async with httpx.AsyncClient(timeout=60) as http:
        fair = await make_fair(_Base(http, a.url, await _organiser(http, a.url)), world,
                               start=60 * 24, end=60 * 26, capacity=2)
        url = f"/api/v1/fairs/{fair['id']}/registrations"
        first = await register(_Base(http, a.url, {}), fair["id"], "甲")
        await register(_Base(http, a.url, {}), fair["id"], "乙")
        for server in (a, b):  # both workers have seen the fair full
            full = await http.post(server.url + url, json={"name": "丙", "phone": phone()})
            assert full.status_code == 409 and full.json()["code"] == "fair_full"
        # The holder cancels through B; A gives the place to the next phone.
        assert (await http.delete(f"{b.url}/api/v1/tickets/{first['secret']}")).status_code == 204
        await register(_Base(http, a.url, {}), fair["id"], "丁")
        again = await http.post(a.url + url, json={"name": "戊", "phone": phone()})
        assert again.status_code == 409 and again.json()["code"] == "fair_full"
        tickets = (await http.get(f"{a.url}/api/v1/fairs/{fair['id']}/registrations",
                                  headers=await _organiser(http, a.url))).json()["items"]
        assert [t["name"] for t in tickets if t["status"] == "active"] == ["乙", "丁"]
    active, tally = await _held(fair["id"])
    assert (active, tally) == (2, 2)


async def test_a_place_freed_while_phones_press_goes_to_exactly_one(servers, world, new_client):
    a, b = servers
    anon = new_client()
    async with httpx.AsyncClient(timeout=60) as http:
        fair = await make_fair(_Base(http, a.url, await _organiser(http, a.url)), world,
                               start=60 * 24, end=60 * 26, capacity=3)
        held = [await register(_Base(http, a.url, {}), fair["id"]) for _ in range(3)]
        assert (await anon.delete(f"/api/v1/tickets/{held[0]['secret']}")).status_code == 204
        answers = await asyncio.gather(*(
            http.post(f"{(a, b)[n % 2].url}/api/v1/fairs/{fair['id']}/registrations",
                      json={"name": f"求职者{n}", "phone": phone()}) for n in range(10)))
    assert sorted(r.status_code for r in answers) == [201] + [409] * 9
    assert await _held(fair["id"]) == (3, 3)


async def test_a_full_fair_refuses_before_the_phone_is_parsed(new_client, world, monkeypatch):
    """The refusal costs one read: no parsing, no code, no write (issue 16: 4,000 refusals
    cost as much as the 1,000 admissions)."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26, capacity=1)
    anon = new_client()
    await register(anon, fair["id"])
    parsed: list[str] = []
    real = services.check_phone

    def counting(raw: str, field: str = "phone") -> str:
        parsed.append(raw)
        return real(raw, field)

    monkeypatch.setattr(services, "check_phone", counting)
    full = problem(await anon.post(f"/api/v1/fairs/{fair['id']}/registrations",
                                   json={"name": "王五", "phone": phone()}), 409)
    assert full["code"] == "fair_full" and parsed == []
    # A fair with room still checks the phone (a bad one is a 422 naming the field).
    roomy = await make_fair(organiser, world, start=60 * 48, end=60 * 50, capacity=5)
    bad = problem(await anon.post(f"/api/v1/fairs/{roomy['id']}/registrations",
                                  json={"name": "王五", "phone": "12345"}), 422)
    assert bad["errors"][0]["field"] == "phone" and parsed == ["12345"]


async def test_the_early_refusal_answers_as_the_registration_would(new_client, world,
                                                                  monkeypatch):
    """A full fair's refusal is decided before the session, CSRF and authentication layers
    (fairs.web.EARLY) and answered pre-encoded: the same status, headers and body, in each
    language, as the registration's own refusal raised through the exception handler (and
    nothing written)."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26, capacity=1)
    anon = new_client()
    await register(anon, fair["id"])
    url = f"/api/v1/fairs/{fair['id']}/registrations"
    body = {"name": "王五", "phone": phone()}
    skipped = {"date", "x-request-id", "set-cookie"}

    async def answers() -> list[tuple[int, dict, bytes]]:
        out = []
        for lang in ("zh-CN,zh;q=0.9", "en-US,en;q=0.8"):
            r = await anon.post(url, json=body, headers={"accept-language": lang})
            out.append((r.status_code, {k: v for k, v in r.headers.items() if k not in skipped},
                        r.content))
        return out

    early = await answers()
    assert [a[0] for a in early] == [409, 409]
    assert "满" in early[0][2].decode() and "full" in early[1][2].decode()
    assert early[0][1]["content-security-policy"]  # the security headers as on every answer
    monkeypatch.setattr(services, "refusal_when_full", _none)
    assert await answers() == early
    assert (await _held(fair["id"])) == (1, 1)


async def test_the_early_refusal_leaves_an_id_out_of_range_to_the_input_checks(client):
    """An id past the database's integer range names nothing (404) on either engine: the early
    decision is not asked (PostgreSQL refused the read with an overflow: a 500 the OpenAPI
    fuzzer found)."""
    for fair_id in (2_898_081_465, 201_682_754_368_055):
        answer = await client.post(f"/api/v1/fairs/{fair_id}/registrations",
                                   json={"name": "王五", "phone": phone()})
        assert problem(answer, 404)["code"] == "not_found"


def _none(fair: dict | None) -> None:
    return None


async def test_walk_ins_are_not_held_to_the_capacity_in_a_batch(world, new_client):
    """Registrations and walk-ins of one fair in the same round: the online ones are held to
    the places left, the walk-ins never; the tally counts both."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26, capacity=4)
    results = await asyncio.gather(*(
        services.register(fair["id"], f"求职者{n}", phone(),
                          source="walk_in" if n % 3 == 0 else "online")
        for n in range(12)), return_exceptions=True)
    made = [r for r in results if isinstance(r, dict)]
    walk_ins = [r for r in made if r["source"] == "walk_in"]
    assert len(walk_ins) == 4  # every walk-in
    online = [r for r in made if r["source"] == "online"]
    assert len(online) <= 4 and len(made) == len(walk_ins) + len(online)
    assert await _held(fair["id"]) == (len(made), len(made))
