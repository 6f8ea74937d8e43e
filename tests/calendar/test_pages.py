"""The subscribe page, the subscribe include on a fair's page, and the employer's private feed
on the subscribe page."""

from __future__ import annotations

from urllib.parse import urlsplit

from fairs.calendar import services as calendar_services
from tests.calendar.conftest import make_fair, offline
from tests.calendar.test_private_feed import PASSWORD, fake_employers
from tests.conftest import login_as


async def test_subscribe_page_builds_the_feed_address(new_client, world):
    anon = new_client()
    page = await anon.get("/calendar")
    assert page.status_code == 200
    assert "webcal://" in page.text and "/calendar/fairs.ics" in page.text
    page = await anon.get("/calendar", params={"kind": "online", "industry": "logistics",
                                               "days": "365"})
    assert page.status_code == 200
    assert "/calendar/fairs.ics?kind=online&amp;industry=logistics&amp;days=365" in page.text
    assert "webcal://" in page.text
    # A bad choice falls back to all fairs and says so.
    page = await anon.get("/calendar", params={"industry": "nope"})
    assert page.status_code == 200 and 'role="alert"' in page.text


async def test_fair_page_offers_subscribe(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, offline(world))
    page = await new_client().get(f"/fairs/{fair['id']}")
    assert page.status_code == 200
    assert f"/calendar/fairs/{fair['id']}.ics" in page.text
    assert "webcal://" in page.text


async def test_employer_sees_and_renews_private_address(new_client, world):
    from fairs.accounts import services as accounts

    with fake_employers():
        await accounts.create_user("caltest-page", PASSWORD, "employer")
        client = await new_client().login("caltest-page", PASSWORD)
        url = (await client.get("/api/v1/me/calendar")).json()["url"]
        page = await client.get("/calendar")
        assert url in page.text
        renewed = await client.post("/calendar/private/renew", follow_redirects=False)
        assert renewed.status_code == 303
        assert (await new_client().get(urlsplit(url).path)).status_code == 404
        assert (await client.get("/api/v1/me/calendar")).json()["url"] != url


async def test_without_a_registered_provider_the_booths_slice_answers(world):
    assert await calendar_services.employer_items(987654) == []
