"""An employer's private feed: its address made on first use, revocable (404 at once), renewed on
the next GET; its events are the employer's own booths and guest slots, read right by all three
parsers. The booths slice's receiver is stood in for by a fake, through the hook."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, timedelta

import pytest

from fairs import hooks
from fairs.accounts import services as accounts
from fairs.calendar import ical
from fairs.calendar.tables import CalendarFeedToken
from tests.calendar.conftest import (
    at,
    make_fair,
    offline,
    online,
    parse_icalendar,
    parse_icaljs,
    parse_strict,
)
from tests.conftest import login_as
from tests.test_accounts import problem

PASSWORD = "employer-cal-2026"
ITEMS: dict[int, list[dict]] = {}


async def _employer_extra(principal) -> int | None:
    if principal.role == "employer" and principal.username.startswith("caltest"):
        return 7000 + principal.id
    return None


async def _fake_provider(employer_id: int) -> list[hooks.CalendarItem]:
    return [hooks.CalendarItem(**item) for item in ITEMS.get(employer_id, [])]


@contextlib.contextmanager
def fake_employers():
    """caltest-* logins belong to employer 7000 + their id, whose bookings are ITEMS'."""
    with hooks.employer_of_user.replaced(_employer_extra, *hooks.employer_of_user.receivers), \
            hooks.employer_calendar.replaced(_fake_provider):
        yield


@pytest.fixture
async def employer(new_client, world):
    with fake_employers():
        user = await accounts.create_user("caltest-hr", PASSWORD, "employer")
        client = await new_client().login("caltest-hr", PASSWORD)
        me = (await client.get("/api/v1/auth/me")).json()
        ITEMS.clear()
        yield client, me["employer"]
        ITEMS.clear()
    assert user


async def test_private_feed_lifecycle(new_client, world, employer):
    client, employer_id = employer
    organiser = await login_as(new_client, "organiser")
    booth_fair = await make_fair(organiser, offline(world))
    slot_fair = await make_fair(organiser, online(world))
    slot_start = at(11, 19, 20)
    ITEMS[employer_id] = [
        {"id": 11, "kind": "booth", "fair": booth_fair["id"], "label": "A01",
         "status": "confirmed"},
        {"id": 12, "kind": "slot", "fair": slot_fair["id"], "label": "19:20–19:40",
         "starts_at": slot_start, "ends_at": slot_start + timedelta(minutes=20),
         "status": "confirmed"},
    ]

    got = await client.get("/api/v1/me/calendar")
    assert got.status_code == 200, got.text
    url = got.json()["url"]
    assert got.json()["webcal"].startswith("webcal://")
    assert (await client.get("/api/v1/me/calendar")).json()["url"] == url  # stable
    path = "/calendar/feeds/" + url.rsplit("/", 1)[1]
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 40
    # Stored hashed only.
    rows = await CalendarFeedToken.select()
    assert len(rows) == 1 and token not in str(rows)

    anon = new_client()
    response = await anon.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["cache-control"]
    text = response.text
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))
    cal = parse_icalendar(text)
    evs = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(evs) == 2
    booth = next(e for e in evs.values() if "A01" in str(e["SUMMARY"]))
    assert booth.decoded("DTSTART") == at(10)
    slot = next(e for e in evs.values() if "19:20" in str(e["SUMMARY"]))
    assert slot.decoded("DTSTART").astimezone(UTC) == slot_start.astimezone(UTC)
    assert not any(line.startswith("ORGANIZER") for line in ical.unfold(text))
    strict = parse_strict(text)
    assert {e.uid for e in strict.events} == set(evs)
    js = parse_icaljs(text)
    assert js["zones"] == ["Asia/Shanghai"]
    assert {e["uid"] for e in js["events"]} == set(evs)
    assert all(e["start_zone"] == "Asia/Shanghai" for e in js["events"])

    # 304
    etag = response.headers["etag"]
    assert (await anon.get(path, headers={"If-None-Match": etag})).status_code == 304
    # A booking that goes away changes the ETag; If-Modified-Since alone cannot see that.
    kept = ITEMS[employer_id].pop()
    fewer = await anon.get(path, headers={"If-None-Match": etag,
                                          "If-Modified-Since": response.headers["last-modified"]})
    assert fewer.status_code == 200 and len(parse_icalendar(fewer.text).walk("VEVENT")) == 1
    assert (await anon.get(path, headers={
        "If-Modified-Since": response.headers["last-modified"]})).status_code == 200
    ITEMS[employer_id].append(kept)
    # A cancelled fair shows as cancelled in the employer's feed too.
    await organiser.post(f"/api/v1/fairs/{booth_fair['id']}/cancel", json={"reason": "场馆检修"})
    again = await anon.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 200
    booth = next(e for e in parse_icalendar(again.text).walk("VEVENT")
                 if "A01" in str(e["SUMMARY"]))
    assert booth["STATUS"] == "CANCELLED" and str(booth["SUMMARY"]).startswith("【已取消】")

    # Revoked: the old address answers 404 at once; the next GET makes a new one.
    assert (await client.delete("/api/v1/me/calendar")).status_code == 204
    problem(await anon.get(path), 404)
    renewed = (await client.get("/api/v1/me/calendar")).json()["url"]
    assert renewed != url
    new_path = "/calendar/feeds/" + renewed.rsplit("/", 1)[1]
    assert (await anon.get(new_path)).status_code == 200
    problem(await anon.get(path), 404)
    problem(await anon.get("/calendar/feeds/not-a-token.ics"), 404)


async def test_only_employers_have_a_private_feed(new_client, world):
    problem(await new_client().get("/api/v1/me/calendar"), 401)
    organiser = await login_as(new_client, "organiser")
    problem(await organiser.get("/api/v1/me/calendar"), 403)
    problem(await organiser.delete("/api/v1/me/calendar"), 403)


async def test_first_uses_at_once_make_one_address(new_client, world, employer):
    client, employer_id = employer
    clients = [await new_client().login("caltest-hr", PASSWORD) for _ in range(6)]
    answers = await asyncio.gather(*(c.get("/api/v1/me/calendar") for c in clients))
    assert {r.status_code for r in answers} == {200}
    assert len({r.json()["url"] for r in answers}) == 1
    live = await CalendarFeedToken.count().where(CalendarFeedToken.revoked_at.is_null())
    assert live == 1


async def test_empty_private_feed_is_a_valid_calendar(new_client, world, employer):
    client, _ = employer
    url = (await client.get("/api/v1/me/calendar")).json()["url"]
    response = await new_client().get("/calendar/feeds/" + url.rsplit("/", 1)[1])
    assert response.status_code == 200
    assert parse_strict(response.text).events == []
    assert parse_icaljs(response.text)["events"] == []
