"""Real concurrency: many employers pressing "book" in the same instant, in one process over
ASGI and across several server processes over HTTP. The database decides; we check what it holds.
"""

from __future__ import annotations

import asyncio
import random

import httpx

from fairs import db
from tests.employers.conftest import employers_with_tokens, make_fair


async def _state(fair_id: int) -> dict:
    rows = [dict(r) for r in await db.fetch(
        "SELECT id, employer, booth, status FROM booking WHERE fair = {} ORDER BY id", fair_id)]
    confirmed = [r for r in rows if r["status"] == "confirmed"]
    waitlisted = [r for r in rows if r["status"] == "waitlisted"]
    active = confirmed + waitlisted
    free = [dict(r) for r in await db.fetch(
        "SELECT b.code FROM booth b WHERE b.fair = {} AND NOT b.blocked AND NOT EXISTS "
        "(SELECT 1 FROM booking k WHERE k.booth = b.id AND k.status = 'confirmed')", fair_id)]
    return {"confirmed": confirmed, "waitlisted": waitlisted, "active": active, "free": free}


def _assert_consistent(state: dict, booths: int) -> None:
    confirmed = state["confirmed"]
    booth_ids = [r["booth"] for r in confirmed]
    assert len(booth_ids) == len(set(booth_ids)), "a booth was booked twice"
    employers = [r["employer"] for r in state["active"]]
    assert len(employers) == len(set(employers)), "an employer holds two bookings"
    assert all(r["booth"] is None for r in state["waitlisted"])
    assert len(confirmed) <= booths
    if state["waitlisted"]:  # nobody waits while a booth is free
        assert not state["free"] and len(confirmed) == booths


async def _rush(post, fair_id: int, tokens: list[str], booths: int) -> list[httpx.Response]:
    rng = random.Random(4)

    async def one(i: int, token: str):
        # half ask for a booth by code (most for the popular first five), half for any
        if i % 2:
            body = {"booth": f"A{rng.choice([1, 2, 3, 4, 5, rng.randint(1, booths)]):02d}"}
        else:
            body = {"booth": None}
        return await post(i, f"/api/v1/fairs/{fair_id}/bookings", body,
                          {"authorization": f"Bearer {token}"})

    return await asyncio.gather(*[one(i, t) for i, t in enumerate(tokens)])


async def test_200_employers_20_booths_at_once(app, world, organiser):
    fair = await make_fair(organiser, world, booths=20)
    emps = await employers_with_tokens(200)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        async def post(i, url, body, headers):
            return await c.post(url, json=body, headers=headers)

        answers = await _rush(post, fair["id"], [e["token"] for e in emps], 20)
    codes = [r.status_code for r in answers]
    assert set(codes) <= {201, 202, 409}, sorted(set(codes))
    state = await _state(fair["id"])
    _assert_consistent(state, 20)
    assert len(state["confirmed"]) == 20
    assert codes.count(201) == 20
    assert codes.count(202) == len(state["waitlisted"])
    assert codes.count(409) == 200 - 20 - len(state["waitlisted"])
    # every confirmed answer names the booth the database holds
    held = {r["id"]: r for r in state["confirmed"]}
    for r in answers:
        if r.status_code == 201:
            assert r.json()["id"] in held

    # a burst of cancellations and rebookings at once
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        by_employer = {e["id"]: e["token"] for e in emps}
        cancel = state["confirmed"][:8] + state["waitlisted"][:3]
        newcomers = await employers_with_tokens(30, start=5000)
        tasks = [c.delete(f"/api/v1/bookings/{r['id']}",
                          headers={"authorization": f"Bearer {by_employer[r['employer']]}"})
                 for r in cancel]
        tasks += [c.post(f"/api/v1/fairs/{fair['id']}/bookings",
                         json={"booth": None if i % 3 else f"A{i % 20 + 1:02d}"},
                         headers={"authorization": f"Bearer {e['token']}"})
                  for i, e in enumerate(newcomers)]
        # and the cancelled ones try to come back at once
        tasks += [c.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": None},
                         headers={"authorization": f"Bearer {by_employer[r['employer']]}"})
                  for r in cancel[:4]]
        answers = await asyncio.gather(*tasks)
    assert {r.status_code for r in answers} <= {201, 202, 204, 409}
    after = await _state(fair["id"])
    _assert_consistent(after, 20)
    assert len(after["confirmed"]) == 20  # the waitlist refilled every freed booth


async def test_race_across_server_processes(world, organiser, migrated):
    from tests.browser.conftest import LiveServer

    fair = await make_fair(organiser, world, booths=20)
    emps = await employers_with_tokens(200)
    servers = [LiveServer() for _ in range(3)]
    try:
        limits = httpx.Limits(max_connections=300, max_keepalive_connections=300)
        async with httpx.AsyncClient(timeout=60, limits=limits) as c:
            async def post(i, url, body, headers):
                return await c.post(servers[i % 3].url + url, json=body, headers=headers)

            answers = await _rush(post, fair["id"], [e["token"] for e in emps], 20)
    finally:
        for s in servers:
            s.stop()
    codes = [r.status_code for r in answers]
    assert set(codes) <= {201, 202, 409}, [r.text for r in answers if r.status_code >= 500][:3]
    state = await _state(fair["id"])
    _assert_consistent(state, 20)
    assert len(state["confirmed"]) == 20 and codes.count(201) == 20
    assert codes.count(202) == len(state["waitlisted"])
