"""The one booking path, called as a service with real concurrent tasks, on both engines: a
named booth and "any booth" race for the same booths; the waitlist place an employer is told is
the place stored; a cancellation at a full fair hands its booth to the first waiter, never
leaving it free; and a worker needs no memory of what another worker saw (a fresh process
books and cancels at the same fair, and everyone agrees).
"""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

from fairs import db
from fairs.booths import services as bookings
from fairs.errors import Conflict
from tests import conftest, factories
from tests.services.test_booking import field_of, held


async def free_booths(fair_id: int) -> list[str]:
    rows = await db.fetch(
        "SELECT b.code FROM booth b WHERE b.fair = {} AND NOT b.blocked AND NOT EXISTS "
        "(SELECT 1 FROM booking k WHERE k.booth = b.id AND k.status = 'confirmed') "
        "ORDER BY b.code", fair_id)
    return [r["code"] for r in rows]


async def waitlist(organiser, fair_id: int) -> list[tuple[int, int]]:
    """(booking id, place) of the fair's waitlist, as the organiser's list shows it."""
    listed = await bookings.fair_bookings(organiser, fair_id)
    return [(b["id"], b["place"]) for b in listed if b["status"] == "waitlisted"]


@pytest.mark.parametrize("named_first", [True, False])
async def test_a_named_booth_and_any_booth_race_for_the_last_booth(organiser, world,
                                                                   named_first):
    """Whoever wins A02, the answers tell the truth: the named booking is confirmed and the
    other waits first in line, or "any booth" got A02 and the named one is refused; never
    both, never a free booth with someone waiting."""
    for round_ in range(4):
        fair = await factories.fair(organiser, world, booths=2, start=60 * 24 * (10 + round_))
        holder, named, anyone = [await factories.employer() for _ in range(3)]
        await factories.booking(holder, fair["id"], "A01")
        calls = [factories.booking(named, fair["id"], "A02"),
                 factories.booking(anyone, fair["id"])]
        if not named_first:
            calls.reverse()
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        by_name, by_any = outcomes if named_first else outcomes[::-1]
        state = await held(fair["id"])
        if isinstance(by_name, dict):
            assert (by_name["status"], by_name["booth_code"]) == ("confirmed", "A02")
            assert (by_any["status"], by_any["booth_code"], by_any["place"]) == (
                "waitlisted", None, 1)
            assert state == {holder.id: ("confirmed", "A01"), named.id: ("confirmed", "A02"),
                             anyone.id: ("waitlisted", None)}
        else:
            assert isinstance(by_name, Conflict) and field_of(by_name) == "booth", by_name
            assert (by_any["status"], by_any["booth_code"], by_any["place"]) == (
                "confirmed", "A02", None)
            assert state == {holder.id: ("confirmed", "A01"), anyone.id: ("confirmed", "A02")}
        assert await free_booths(fair["id"]) == []


async def test_the_waitlist_place_answered_is_the_place_stored(organiser, world):
    """Fourteen employers at once against three booths, half of them naming a booth: every
    confirmed answer names the booth stored, and every waitlisted answer the place the
    organiser's list shows (1..n, in the order the database stored them)."""
    fair = await factories.fair(organiser, world, booths=3)
    emps = [await factories.employer() for _ in range(14)]
    outcomes = await asyncio.gather(
        *(factories.booking(e, fair["id"], None if i % 2 else f"A0{i % 3 + 1}")
          for i, e in enumerate(emps)), return_exceptions=True)
    assert all(isinstance(o, dict | Conflict) for o in outcomes), outcomes
    answers = [o for o in outcomes if isinstance(o, dict)]
    listed = await bookings.fair_bookings(organiser, fair["id"])
    assert {b["id"]: b["booth_code"] for b in listed if b["status"] == "confirmed"} == {
        a["id"]: a["booth_code"] for a in answers if a["status"] == "confirmed"}
    assert sorted(b["booth_code"] for b in listed if b["status"] == "confirmed") == [
        "A01", "A02", "A03"]
    stored = await waitlist(organiser, fair["id"])
    assert [place for _id, place in stored] == list(range(1, len(stored) + 1))
    assert sorted(stored) == sorted((a["id"], a["place"]) for a in answers
                                    if a["status"] == "waitlisted")
    # every "any booth" caller not confirmed waits
    assert len(stored) == sum(1 for i, o in enumerate(outcomes)
                              if i % 2 and o["status"] == "waitlisted") == 7 - sum(
        1 for i, o in enumerate(outcomes) if i % 2 and o["status"] == "confirmed")
    for a, e in zip(outcomes, emps, strict=True):  # and each reads the same place back
        if isinstance(a, dict) and a["status"] == "waitlisted":
            assert (await bookings.get_booking(a["id"], e.principal))["place"] == a["place"]


async def test_a_cancellation_at_a_full_fair_gives_the_booth_to_the_first_waiter(
        organiser, world):
    """Two holders cancel while six newcomers book (any booth, or the very booths being
    freed), all at once: the two freed booths go to the two who waited first, the newcomers
    queue behind them or are refused, and no booth is ever left free."""
    fair = await factories.fair(organiser, world, booths=3)
    holders = [await factories.employer() for _ in range(3)]
    booked = [await factories.booking(h, fair["id"]) for h in holders]
    waiters = [await factories.employer() for _ in range(2)]
    queued = [await factories.booking(w, fair["id"]) for w in waiters]
    assert [q["place"] for q in queued] == [1, 2]
    newcomers = [await factories.employer() for _ in range(6)]
    calls = [bookings.cancel_booking(h.principal, b["id"])
             for h, b in zip(holders[:2], booked[:2], strict=True)]
    calls += [factories.booking(n, fair["id"], booked[i % 2]["booth_code"] if i % 2 else None)
              for i, n in enumerate(newcomers)]
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    cancels, books = outcomes[:2], outcomes[2:]
    assert sorted(c["promoted"] for c in cancels) == sorted(q["id"] for q in queued)
    for i, o in enumerate(books):
        if i % 2:  # a freed booth, named: it went to a waiter
            assert isinstance(o, Conflict) and field_of(o) == "booth", o
        else:
            assert o["status"] == "waitlisted", o
    state = await held(fair["id"])
    assert {state[w.id] for w in waiters} | {state[holders[2].id]} == {
        ("confirmed", "A01"), ("confirmed", "A02"), ("confirmed", "A03")}
    assert await free_booths(fair["id"]) == []
    assert [place for _id, place in await waitlist(organiser, fair["id"])] == [1, 2, 3]


async def test_a_booth_another_booking_is_taking_is_not_skipped_by_the_waitlist(
        organiser, world):
    """PostgreSQL: "any booth" skips the booths whose rows concurrent bookings hold (they are
    taking them). When one of those bookings then fails (its employer already holds one), the
    booth is free again: the newcomer who found no other booth must take it, not queue behind
    a booth nobody holds. (SQLite has one writer at a time, so no other booking can hold a
    booth's row there: the newcomer takes the free booth the same way, with nobody holding it.)"""
    holds_rows = not db.is_sqlite()
    fair = await factories.fair(organiser, world, booths=2)
    first, newcomer = await factories.employer(), await factories.employer()
    await factories.booking(first, fair["id"], "A01")
    [a02] = await db.fetch("SELECT id FROM booth WHERE fair = {} AND code = 'A02'", fair["id"])
    holding, done = asyncio.Event(), asyncio.Event()

    async def a_booking_taking_a02() -> None:  # as the booking statement locks its booth
        async with db.write_transaction():
            await db.fetch("SELECT id FROM booth WHERE id = {} FOR NO KEY UPDATE", a02["id"])
            holding.set()
            await done.wait()

    other = asyncio.create_task(a_booking_taking_a02()) if holds_rows else None
    if other is not None:
        await holding.wait()
    try:
        made = await asyncio.wait_for(factories.booking(newcomer, fair["id"]), 60)
    finally:
        done.set()
        if other is not None:
            await other
    assert (made["status"], made["booth_code"], made["place"]) == ("confirmed", "A02", None)
    assert await held(fair["id"]) == {first.id: ("confirmed", "A01"),
                                      newcomer.id: ("confirmed", "A02")}


_FRESH = """
import asyncio, json, sys

from fairs import db
from fairs.accounts import services as accounts
from fairs.booths import services as booths
from fairs.slices import connect_hooks


async def main(action: str, user: int, target: int) -> None:
    connect_hooks()  # as every worker's start-up does (a booking tells the notify slice)
    await db.start()
    try:
        who = await accounts.principal_by_id(user)
        if action == "book":
            made = await booths.book_booth(who, target, None)
            out = {k: made[k] for k in ("id", "status", "booth_code", "place")}
        else:
            out = await booths.cancel_booking(who, target)
    finally:
        await db.stop()
    print(json.dumps(out))


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


async def in_a_fresh_process(action: str, emp: factories.Employer, target: int) -> dict:
    """Another worker: a new interpreter that has seen nothing of this one's bookings."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _FRESH, action, str(emp.user), str(target), env=conftest.test_env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()[-3000:]
    return json.loads(out.decode().strip().splitlines()[-1])


async def test_a_second_worker_needs_no_memory_of_the_first(organiser, world):
    """This process fills the fair; a fresh process then joins the waitlist (it learns that
    the fair is full from the database alone) and frees a booth, which goes to the first
    waiter; back here, the next employer takes the place after the fresh process's, and a
    booth freed with nobody waiting is booked at once, not queued."""
    fair = await factories.fair(organiser, world, booths=1)
    holder, first, second, third = [await factories.employer() for _ in range(4)]
    booked = await factories.booking(holder, fair["id"])
    waiting = await factories.booking(first, fair["id"])
    assert (booked["booth_code"], waiting["place"]) == ("A01", 1)

    there = await in_a_fresh_process("book", second, fair["id"])
    assert (there["status"], there["place"]) == ("waitlisted", 2)
    cancelled = await in_a_fresh_process("cancel", holder, booked["id"])
    assert cancelled["promoted"] == waiting["id"]
    assert await waitlist(organiser, fair["id"]) == [(there["id"], 1)]

    here = await factories.booking(third, fair["id"])
    assert (here["status"], here["place"]) == ("waitlisted", 2)
    for emp, made in ((second, there), (third, here)):
        await bookings.cancel_booking(emp.principal, made["id"])
    await in_a_fresh_process("cancel", first, waiting["id"])  # A01 free, nobody waits
    again = await factories.booking(holder, fair["id"])
    assert (again["status"], again["booth_code"]) == ("confirmed", "A01")
    assert await held(fair["id"]) == {holder.id: ("confirmed", "A01")}
