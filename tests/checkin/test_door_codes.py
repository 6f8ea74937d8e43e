"""A booking's door code (an employer arriving) over HTTP with real concurrency, like a ticket's:
one scan sent several times at once (a phone retrying, two taps) is one scan. Every answer is
the first scan's answer (ok), the booking is marked present once, and the scan log holds one
row for the nonce saying ok: never an "already checked in" for the scan that let them in."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from fairs import clock, db
from tests import factories
from tests.conftest import login_as


async def _booked_fair(world) -> tuple[dict, dict]:
    staff = await factories.staff()
    fair = await factories.fair(staff["organiser"], world, booths=2)
    booked = await factories.booking(await factories.employer(), fair["id"], "A01")
    now = clock.now()  # the fair moves to now: the door is open
    await factories.move_fair(fair["id"], starts_at=now - timedelta(minutes=30),
                              ends_at=now + timedelta(hours=3))
    return fair, booked


async def test_one_booking_scan_sent_at_once_admits_once_and_answers_ok(new_client, world):
    fair, booked = await _booked_fair(world)
    scanners = [await login_as(new_client, "scanner") for _ in range(4)]
    url = f"/api/v1/fairs/{fair['id']}/checkins"
    nonce = str(uuid.uuid4())
    responses = await asyncio.gather(*(
        scanners[i % len(scanners)].post(url, json={"code": booked["code"], "nonce": nonce,
                                                    "device": "door-1"})
        for i in range(12)))
    assert [r.status_code for r in responses] == [200] * 12
    answers = [r.json() for r in responses]
    assert [a["result"] for a in answers] == ["ok"] * 12, [a["result"] for a in answers]
    assert sum(1 for a in answers if not a.get("replayed")) == 1
    assert {a["employer"]["employer"]["booth"] for a in answers} == {"A01"}
    logged = await db.fetch("SELECT result, kind FROM scan WHERE fair = {} AND nonce = {}",
                            fair["id"], nonce)
    assert logged == [{"result": "ok", "kind": "employer"}]
    [row] = await db.fetch("SELECT checked_in_at FROM booking WHERE id = {}", booked["id"])
    assert row["checked_in_at"] is not None


async def test_booking_scans_with_their_own_nonces_at_once_admit_once(new_client, world):
    """Different scans (two doors) of one booking at once: one ok, the rest already in, each
    logged with its own result, the booking marked once."""
    fair, booked = await _booked_fair(world)
    scanner = await login_as(new_client, "scanner")
    url = f"/api/v1/fairs/{fair['id']}/checkins"
    responses = await asyncio.gather(*(
        scanner.post(url, json={"code": booked["code"], "nonce": f"door-{i}",
                                "device": f"door-{i}"}) for i in range(8)))
    results = sorted(r.json()["result"] for r in responses)
    assert results == ["already_checked_in"] * 7 + ["ok"]
    logged = await db.fetch("SELECT result FROM scan WHERE fair = {}", fair["id"])
    assert sorted(r["result"] for r in logged) == results


async def test_the_scan_that_admitted_is_answered_ok_even_when_slow(new_client, world,
                                                                   monkeypatch):
    """The worker whose admission counted is the slower one to log it (a pause after its
    commit: a GC, a busy event loop): its twin with the same nonce, which found the booking
    admitted, must not log "already checked in" for the scan that let the employer in."""
    from fairs.booths import bookings

    fair, booked = await _booked_fair(world)
    scanner = await login_as(new_client, "scanner")
    real = bookings.admit_booking

    async def slow_when_counted(booking_id, at):
        counted, first = await real(booking_id, at)
        if counted:
            await asyncio.sleep(0.3)
        return counted, first

    monkeypatch.setattr(bookings, "admit_booking", slow_when_counted)
    url = f"/api/v1/fairs/{fair['id']}/checkins"
    nonce = str(uuid.uuid4())
    responses = await asyncio.gather(*(
        scanner.post(url, json={"code": booked["code"], "nonce": nonce}) for _ in range(2)))
    answers = [r.json() for r in responses]
    assert [a["result"] for a in answers] == ["ok", "ok"], answers
    logged = await db.fetch("SELECT result FROM scan WHERE fair = {} AND nonce = {}",
                            fair["id"], nonce)
    assert logged == [{"result": "ok"}]
