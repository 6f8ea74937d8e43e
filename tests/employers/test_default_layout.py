"""A new offline fair gets its venue's default booth layout (rows × booths per row, set on the
catalogue page) in its creation transaction: an accepted proposal's fairs have free booths an
employer can book, instead of "0 booths free" beside a waitlist button."""

from __future__ import annotations

import re

from tests.employers.conftest import make_fair
from tests.plans.test_api import day, plan_body
from tests.test_accounts import problem

HALL = "西海岸新区人力资源市场"


async def test_an_employer_books_a_booth_at_an_accepted_fair(new_client, world, organiser,
                                                              employer_clients):
    venue = world[f"venue:{HALL}"]
    page = await organiser.post(f"/organiser/venues/{venue}/layout",
                                data={"booth_rows": "2", "booths_per_row": "3"})
    assert page.status_code == 303
    catalog = await organiser.get("/organiser/catalog", params={"lang": "zh_CN"})
    assert "默认展位布局" in catalog.text
    assert (await organiser.get(f"/api/v1/catalog/venues/{venue}")).json()[
        "booth_rows"] == 2
    plan = (await organiser.post("/api/v1/plans", json=plan_body(
        starts_on=day(1).isoformat(), ends_on=day(30).isoformat(),
        targets={"offline": 1, "online": 0}))).json()
    proposal = (await organiser.post(f"/api/v1/plans/{plan['id']}/proposals",
                                     json={"venues": [venue]})).json()
    assert [f["kind"] for f in proposal["fairs"]] == ["offline"]
    accepted = await organiser.post(f"/api/v1/plans/{plan['id']}/proposals/accept",
                                    json={"fairs": proposal["fairs"]})
    assert accepted.status_code == 201, accepted.text
    fair_id = accepted.json()["created"][0]
    assert (await organiser.post(f"/api/v1/plans/{plan['id']}/publish")).status_code == 200

    booths = (await new_client().get(f"/api/v1/fairs/{fair_id}/booths")).json()["items"]
    assert [b["code"] for b in booths] == ["A01", "A02", "A03", "A04", "A05", "A06"]
    assert all(b["status"] == "free" for b in booths)
    (employer,) = await employer_clients(1)
    floor = await employer.get(f"/employer/fairs/{fair_id}", params={"lang": "zh_CN"})
    assert re.search(r"<span data-free-count>6</span>", floor.text)
    made = await employer.post(f"/api/v1/fairs/{fair_id}/bookings", json={"booth": "A05"})
    assert made.status_code == 201 and made.json()["status"] == "confirmed", made.text
    floor = await employer.get(f"/employer/fairs/{fair_id}", params={"lang": "en"})
    assert "<span data-free-count>5</span> booths free" in floor.text


async def test_without_a_default_a_fair_gets_the_venues_latest_layout(world, organiser):
    venue = world[f"venue:{HALL}"]
    await organiser.patch(f"/api/v1/catalog/venues/{venue}",
                          json={"booth_rows": 0, "booths_per_row": 0})
    bare = await make_fair(organiser, world, days=5)
    assert (await organiser.get(f"/api/v1/fairs/{bare['id']}/booths")).json()["items"] == []
    await make_fair(organiser, world, days=7, booths=4)
    later = await make_fair(organiser, world, days=9)
    items = (await organiser.get(f"/api/v1/fairs/{later['id']}/booths")).json()["items"]
    assert [b["code"] for b in items] == ["A01", "A02", "A03", "A04"]
    online = await make_fair(organiser, world, kind="online", days=9)
    assert (await organiser.get(f"/api/v1/fairs/{online['id']}/booths")).json()[
        "items"] == []


async def test_a_venue_default_is_checked(organiser, world):
    venue = world[f"venue:{HALL}"]
    url = f"/api/v1/catalog/venues/{venue}"
    assert (await organiser.patch(url, json={"booth_rows": 0, "booths_per_row": 0})
            ).status_code == 200
    body = problem(await organiser.patch(url, json={"booth_rows": 3}), 422)
    assert body["errors"][0]["field"] == "booths_per_row"
    body = problem(await organiser.patch(url, json={"booth_rows": 51, "booths_per_row": 2}),
                   400)
    assert "booth_rows" in str(body)
    body = problem(await organiser.patch(url, json={"booth_rows": 50, "booths_per_row": 60}),
                   422)
    assert body["errors"][0]["field"] == "booths_per_row"
    page = await organiser.post(f"/organiser/venues/{venue}/layout",
                                data={"booth_rows": "x", "booths_per_row": "2"})
    assert page.status_code in (400, 422) and "booth_rows" in page.text
