"""Registration, called as a service (fairs.tickets.services): capacity, one registration per
phone per fair, valid input named by field, the registration window, cancelling by secret."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from fairs import clock, db
from fairs.errors import Conflict, Invalid, NotFound
from fairs.events import services as events
from fairs.tickets import codes
from fairs.tickets import services as tickets
from tests import factories


async def active(fair_id: int) -> int:
    rows = await db.fetch("SELECT COUNT(*) AS n FROM registration WHERE fair = {} "
                          "AND status = 'active'", fair_id)
    return int(rows[0]["n"])


async def test_a_registration_has_a_door_code_and_a_secret(organiser, world):
    fair = await factories.fair(organiser, world)
    reg = await factories.registration(fair["id"], " 王五 ", "+86 138 0013 8000")
    assert codes.is_well_formed(reg["code"]) and codes.looks_like_secret(reg["secret"])
    assert reg["phone"] == "+8613800138000" and reg["name"] == "王五"
    row, _fair = await tickets.ticket(reg["secret"])
    assert row["id"] == reg["id"] and row["status"] == "active"
    with pytest.raises(NotFound):  # the door code is not the secret
        await tickets.ticket(reg["code"])


async def test_capacity_is_never_exceeded(organiser, world):
    fair = await factories.fair(organiser, world, capacity=3)
    outcomes = await asyncio.gather(
        *(factories.registration(fair["id"], f"求职者{i}") for i in range(10)),
        return_exceptions=True)
    made = [o for o in outcomes if isinstance(o, dict)]
    refused = [o for o in outcomes if not isinstance(o, dict)]
    assert len(made) == 3
    assert all(isinstance(o, Conflict) and o.extra["reason"] == "full" for o in refused)
    assert await active(fair["id"]) == 3
    from fairs.checkin import services as checkin

    assert (await checkin.counts(fair["id"]))["registered"] == 3


async def test_one_registration_per_phone_per_fair(organiser, world):
    fair = await factories.fair(organiser, world)
    other = await factories.fair(organiser, world, start=60 * 24 * 12)
    await factories.registration(fair["id"], number="13800138001")
    for spelling in ("13800138001", "+86 138-0013-8001"):
        with pytest.raises(Conflict) as twice:
            await factories.registration(fair["id"], number=spelling)
        assert twice.value.errors[0].field == "phone"
        assert twice.value.extra["reason"] == "already_registered"
    assert await active(fair["id"]) == 1
    assert (await factories.registration(other["id"], number="13800138001"))["status"] == \
        "active"


@pytest.mark.parametrize("bad", ["12345", "1380013800", "23800138000", "not a phone", ""])
async def test_a_bad_phone_is_invalid_naming_the_field(organiser, world, bad):
    fair = await factories.fair(organiser, world)
    with pytest.raises(Invalid) as refused:
        await factories.registration(fair["id"], number=bad or " ")
    assert [e.field for e in refused.value.errors] == ["phone"]
    assert await active(fair["id"]) == 0


async def test_a_bad_name_or_audience_is_invalid_naming_the_field(organiser, world):
    fair = await factories.fair(organiser, world)
    with pytest.raises(Invalid) as no_name:
        await factories.registration(fair["id"], "   ")
    assert no_name.value.errors[0].field == "name"
    with pytest.raises(Invalid) as bad_group:
        await factories.registration(fair["id"], audiences=["martians"])
    assert bad_group.value.errors[0].field == "audiences"
    assert await active(fair["id"]) == 0


async def test_the_registration_window(organiser, world):
    fair = await factories.fair(organiser, world, registration_opens_at=factories.at(2),
                                registration_closes_at=factories.at(5))
    with pytest.raises(Conflict) as early:
        await factories.registration(fair["id"])
    assert early.value.extra["reason"] == "closed"
    opens = factories.aware(fair["registration_opens_at"])
    closes = factories.aware(fair["registration_closes_at"])
    with clock.frozen(opens):
        await factories.registration(fair["id"])
    with clock.frozen(closes - timedelta(seconds=1)):
        await factories.registration(fair["id"])
    with clock.frozen(closes), pytest.raises(Conflict):
        await factories.registration(fair["id"])
    assert await active(fair["id"]) == 2


async def test_only_published_fairs_take_registrations(organiser, world):
    draft = await factories.fair(organiser, world, publish=False)
    with pytest.raises(NotFound):
        await factories.registration(draft["id"])
    cancelled = await factories.fair(organiser, world, start=60 * 24 * 12)
    await events.cancel(organiser, cancelled["id"], "场地维修")
    with pytest.raises(Conflict):
        await factories.registration(cancelled["id"])
    # A fair that ended last month no longer registers anybody.
    past = await factories.fair(organiser, world, start=-60 * 24 * 30)
    with pytest.raises(Conflict):
        await factories.registration(past["id"])


async def test_cancel_by_secret_frees_a_place(organiser, world):
    fair = await factories.fair(organiser, world, capacity=1)
    first = await factories.registration(fair["id"])
    with pytest.raises(Conflict):
        await factories.registration(fair["id"])
    with pytest.raises(NotFound):  # the door code cancels nothing
        await tickets.cancel(first["code"])
    assert await tickets.cancel(first["secret"]) == {"fair": fair["id"], "status": "cancelled"}
    assert await tickets.cancel(first["secret"]) == {"fair": fair["id"], "status": "cancelled"}
    second = await factories.registration(fair["id"])
    assert second["status"] == "active"
    assert await active(fair["id"]) == 1
    rows = await db.fetch("SELECT status, cancelled_at FROM registration WHERE id = {}",
                          first["id"])
    assert rows[0]["status"] == "cancelled" and rows[0]["cancelled_at"] is not None


async def test_a_cancelled_registration_frees_its_phone(organiser, world):
    fair = await factories.fair(organiser, world)
    first = await factories.registration(fair["id"], number="13800138002")
    await tickets.cancel(first["secret"])
    again = await factories.registration(fair["id"], number="13800138002")
    assert again["code"] != first["code"] and again["status"] == "active"
    assert await active(fair["id"]) == 1
