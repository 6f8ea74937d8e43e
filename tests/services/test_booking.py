"""Booking, called as a service (book_booth, cancel_booking): the one booking rule.

A named booth is confirmed or refused; no booth means any free one, else a waitlist place;
a freed booth goes to the first waitlisted employer; only approved employers book, only while
booking is open, and an employer holds at most one booking (a waitlist place counts) per fair.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from fairs import clock, db
from fairs.booths import services as bookings
from fairs.errors import Conflict, FairsError, Forbidden, Invalid, NotFound
from tests import factories


async def held(fair_id: int) -> dict[int, tuple[str, str | None]]:
    """employer -> (status, booth code) of the fair's active bookings, from the database."""
    rows = await db.fetch("SELECT k.employer, k.status, b.code FROM booking k "
                          "LEFT JOIN booth b ON b.id = k.booth "
                          "WHERE k.fair = {} AND k.status <> 'cancelled'", fair_id)
    return {r["employer"]: (r["status"], r["code"]) for r in rows}


def field_of(exc: FairsError) -> str:
    return exc.errors[0].field


async def test_a_named_booth_is_confirmed_and_then_taken(organiser, world):
    fair = await factories.fair(organiser, world, booths=3)
    first, second = await factories.employer(), await factories.employer()
    made = await factories.booking(first, fair["id"], "a02")  # codes are case-insensitive
    assert made["status"] == "confirmed" and made["booth_code"] == "A02"
    assert made["code"]  # the door code
    with pytest.raises(Conflict) as taken:
        await factories.booking(second, fair["id"], "A02")
    assert field_of(taken.value) == "booth"
    with pytest.raises(NotFound):
        await factories.booking(second, fair["id"], "Z99")
    assert await held(fair["id"]) == {first.id: ("confirmed", "A02")}


async def test_a_blocked_booth_is_not_available(organiser, world):
    fair = await factories.fair(organiser, world, publish=False)
    await factories.layout(organiser, fair["id"], 2, blocked=("A01",))
    from fairs.events import services as events

    await events.publish(organiser, fair["id"])
    emp = await factories.employer()
    with pytest.raises(Conflict):
        await factories.booking(emp, fair["id"], "A01")
    made = await factories.booking(emp, fair["id"])
    assert made["booth_code"] == "A02"


async def test_any_booth_takes_the_first_free_then_the_waitlist(organiser, world):
    fair = await factories.fair(organiser, world, booths=2)
    emps = [await factories.employer() for _ in range(4)]
    await factories.booking(emps[0], fair["id"], "A01")
    got = [await factories.booking(e, fair["id"]) for e in emps[1:]]
    assert [(g["status"], g["booth_code"], g["place"]) for g in got] == [
        ("confirmed", "A02", None), ("waitlisted", None, 1), ("waitlisted", None, 2)]
    assert await held(fair["id"]) == {emps[0].id: ("confirmed", "A01"),
                                      emps[1].id: ("confirmed", "A02"),
                                      emps[2].id: ("waitlisted", None),
                                      emps[3].id: ("waitlisted", None)}


async def test_a_cancelled_booth_goes_to_the_first_waitlisted(organiser, world):
    fair = await factories.fair(organiser, world, booths=1)
    holder, first, second = [await factories.employer() for _ in range(3)]
    booked = await factories.booking(holder, fair["id"])
    w1 = await factories.booking(first, fair["id"])
    await factories.booking(second, fair["id"])
    answer = await bookings.cancel_booking(holder.principal, booked["id"])
    assert answer["cancelled"] is True and answer["promoted"] == w1["id"]
    assert answer["late"] is False  # ten days ahead: free to cancel
    assert await held(fair["id"]) == {first.id: ("confirmed", "A01"),
                                      second.id: ("waitlisted", None)}
    [row] = await db.fetch("SELECT confirmed_at FROM booking WHERE id = {}", w1["id"])
    assert row["confirmed_at"] is not None
    again = await bookings.cancel_booking(organiser, booked["id"])  # idempotent
    assert again["cancelled"] is False
    assert (await bookings.get_booking(w1["id"], first.principal))["place"] is None


async def test_only_approved_employers_book(organiser, world):
    fair = await factories.fair(organiser, world, booths=2)
    pending = await factories.employer(approve=False)
    with pytest.raises(Forbidden):
        await factories.booking(pending, fair["id"], "A01")
    from fairs.employers import services as employers

    rejected = await factories.employer(approve=False)
    await employers.decide(organiser, rejected.id, False, "资料不全")
    with pytest.raises(Forbidden):
        await factories.booking(rejected, fair["id"])
    with pytest.raises(Forbidden):  # staff are not employers
        await bookings.book_booth(organiser, fair["id"], "A01")
    assert await held(fair["id"]) == {}


async def test_booking_is_open_from_publication_until_the_start(organiser, world):
    draft = await factories.fair(organiser, world, booths=1, publish=False)
    emp = await factories.employer()
    with pytest.raises(NotFound):  # a draft is nobody's business but its organisers'
        await factories.booking(emp, draft["id"], "A01")
    later = await factories.fair(organiser, world, booths=1, start=60 * 24 * 20,
                                 booking_opens_at=factories.at(5))
    with pytest.raises(Conflict):
        await factories.booking(emp, later["id"], "A01")
    fair = await factories.fair(organiser, world, booths=1, start=60 * 24 * 30)
    with clock.frozen(factories.aware(fair["starts_at"])):
        with pytest.raises(Conflict):
            await factories.booking(emp, fair["id"], "A01")
    for f in (draft, later, fair):
        assert await held(f["id"]) == {}
    with clock.frozen(factories.aware(later["booking_opens_at"])):
        assert (await factories.booking(emp, later["id"], "A01"))["status"] == "confirmed"


async def test_online_fairs_have_no_booths(organiser, world):
    fair = await factories.fair(organiser, world, kind="online")
    emp = await factories.employer()
    with pytest.raises(Invalid):
        await factories.booking(emp, fair["id"])


async def test_one_booking_per_employer_per_fair(organiser, world):
    fair = await factories.fair(organiser, world, booths=1)
    other = await factories.fair(organiser, world, booths=1, start=60 * 24 * 12)
    holder, waiting = await factories.employer(), await factories.employer()
    await factories.booking(holder, fair["id"], "A01")
    await factories.booking(waiting, fair["id"])  # the waitlist
    for emp, booth in ((holder, None), (holder, "A01"), (waiting, None)):
        with pytest.raises(Conflict) as twice:
            await factories.booking(emp, fair["id"], booth)
        assert field_of(twice.value) == "booth"
    assert await held(fair["id"]) == {holder.id: ("confirmed", "A01"),
                                      waiting.id: ("waitlisted", None)}
    # another fair is another booking
    assert (await factories.booking(holder, other["id"]))["status"] == "confirmed"


async def test_concurrent_bookings_of_the_last_booth_one_wins(organiser, world):
    fair = await factories.fair(organiser, world, booths=1)
    emps = [await factories.employer() for _ in range(10)]
    outcomes = await asyncio.gather(
        *(factories.booking(e, fair["id"], "A01") for e in emps), return_exceptions=True)
    won = [o for o in outcomes if isinstance(o, dict)]
    lost = [o for o in outcomes if not isinstance(o, dict)]
    assert len(won) == 1 and won[0]["status"] == "confirmed"
    assert all(isinstance(o, Conflict) for o in lost), lost
    state = await held(fair["id"])
    assert list(state.values()) == [("confirmed", "A01")]


async def test_concurrent_any_booth_bookings_fill_then_queue(organiser, world):
    fair = await factories.fair(organiser, world, booths=2)
    emps = [await factories.employer() for _ in range(8)]
    outcomes = await asyncio.gather(*(factories.booking(e, fair["id"]) for e in emps))
    confirmed = sorted(o["booth_code"] for o in outcomes if o["status"] == "confirmed")
    assert confirmed == ["A01", "A02"]
    state = await held(fair["id"])
    assert len(state) == 8
    assert sorted(code for status, code in state.values() if status == "confirmed") == [
        "A01", "A02"]
    # The waitlist's order, as the booking service reads it back: 1..6, each once.
    stored = [await bookings.get_booking(o["id"], e.principal)
              for o, e in zip(outcomes, emps, strict=True) if o["status"] == "waitlisted"]
    assert sorted(b["place"] for b in stored) == [1, 2, 3, 4, 5, 6]


async def test_concurrent_waitlist_answers_name_distinct_places(organiser, world):
    fair = await factories.fair(organiser, world, booths=1)
    emps = [await factories.employer() for _ in range(7)]
    outcomes = await asyncio.gather(*(factories.booking(e, fair["id"]) for e in emps))
    places = sorted(o["place"] for o in outcomes if o["status"] == "waitlisted")
    assert places == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_any_sequence_of_bookings_and_cancellations_keeps_the_rules(organiser, world,
                                                                          seed):
    """Random books (named or any) and cancellations (by the employer or an organiser): after
    each step no booth is held twice, no employer holds two bookings, nobody waits while a
    booth is free, and the waitlist's places are 1..n."""
    rng = random.Random(seed)
    fair = await factories.fair(organiser, world, booths=3)
    emps = [await factories.employer() for _ in range(8)]
    promotions = 0
    for _step in range(40):
        emp = rng.choice(emps)
        mine = await db.fetch("SELECT id FROM booking WHERE fair = {} AND employer = {} "
                              "AND status <> 'cancelled'", fair["id"], emp.id)
        if mine and rng.random() < 0.4:
            who = emp.principal if rng.random() < 0.5 else organiser
            promotions += bool((await bookings.cancel_booking(who, mine[0]["id"]))["promoted"])
        else:
            try:
                await factories.booking(emp, fair["id"], rng.choice([None, "A01", "A02", "A03"]))
            except Conflict:
                pass  # taken, or already booked: the rules under test
        rows = await db.fetch("SELECT employer, booth, status FROM booking WHERE fair = {} "
                              "AND status <> 'cancelled'", fair["id"])
        confirmed = [r["booth"] for r in rows if r["status"] == "confirmed"]
        waiting = [r for r in rows if r["status"] == "waitlisted"]
        assert len(confirmed) == len(set(confirmed)) and None not in confirmed
        assert len({r["employer"] for r in rows}) == len(rows)
        assert not waiting or len(confirmed) == 3
        listed = await bookings.fair_bookings(organiser, fair["id"])
        places = [b["place"] for b in listed if b["status"] == "waitlisted"]
        assert places == list(range(1, len(waiting) + 1))
    assert promotions  # the sequence reached the waitlist and freed a booth for it
