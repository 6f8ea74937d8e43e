"""One clock (fairs.clock): every service asks it, and a test sets it for all of them at once —
the door's window, a fair's held status and the pages follow the frozen time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairs import clock
from fairs.events import services as events
from tests.conftest import login_as
from tests.tickets.helpers import make_fair, register


def test_now_is_aware_utc_and_today_is_the_bureaus():
    assert clock.now().tzinfo is not None and clock.now().utcoffset() == timedelta(0)
    # 2026-03-01 18:30 UTC is already 2 March in Qingdao (UTC+8).
    with clock.frozen(datetime(2026, 3, 1, 18, 30, tzinfo=UTC)):
        assert clock.now() == datetime(2026, 3, 1, 18, 30, tzinfo=UTC)
        assert str(clock.today_local()) == "2026-03-02"
        assert clock.now_local().hour == 2


def test_frozen_nests_and_restores():
    a = datetime(2030, 1, 1, tzinfo=UTC)
    b = datetime(2031, 1, 1, tzinfo=UTC)
    with clock.frozen(a):
        with clock.frozen(b):
            assert clock.now() == b
        assert clock.now() == a
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(minutes=1)
    with pytest.raises(ValueError):
        with clock.frozen(datetime(2030, 1, 1)):  # naive: refused
            pass


def test_shifted_runs_ahead():
    with clock.shifted(timedelta(days=2)):
        assert clock.now() - datetime.now(UTC) > timedelta(days=1, hours=23)


async def test_the_services_follow_the_frozen_clock(new_client, world):
    """A fair in ten days: the door is closed today; with the clock frozen inside the fair the
    same scan admits; frozen after its end the fair counts as held."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=10 * 24 * 60, end=10 * 24 * 60 + 180)
    ticket = await register(new_client(), fair["id"])
    starts = datetime.fromisoformat(fair["starts_at"])
    ends = datetime.fromisoformat(fair["ends_at"])

    def scan():
        return organiser.post(f"/api/v1/fairs/{fair['id']}/checkins",
                              json={"code": ticket["code"]})

    closed = await scan()
    assert closed.status_code == 200 and closed.json()["result"] == "not_open", closed.text
    row = await events.get_fair(fair["id"], decorate=False)
    assert not events.is_held(row)

    with clock.frozen(starts + timedelta(minutes=30)):
        admitted = await scan()
        assert admitted.status_code == 200 and admitted.json()["result"] == "ok", admitted.text
        assert not events.is_held(row)
        # The admission was stamped with the frozen time.
        assert datetime.fromisoformat(admitted.json()["checked_in_at"]) == (
            starts + timedelta(minutes=30))

    with clock.frozen(ends + timedelta(hours=1)):
        assert events.is_held(row)
        page = await new_client().get(f"/fairs/{fair['id']}")
        assert page.status_code == 200
    assert not events.is_held(row)
