"""Positions for you: the fair's positions ranked for the holder's profile (the scores worked
out by hand in tests/matching/test_score.py), their booths and the way through the zones, and
marking interest from the list through the booths slice's interest flow."""

from __future__ import annotations

from fairs import db
from tests.conftest import login_as
from tests.matching.conftest import SEEKER, register

# SEEKER (software or logistics, a bachelor, regular jobs, 7,000 a month, in xha) at the fair of
# tests/matching/conftest.py, whose venue lies in xha:
WANT = [  # position, score, parts, fits
    ("python", 100, {"industry": 30, "education": 20, "job_type": 20, "pay": 20,
                     "district": 10}, True),
    # the same score: the higher monthly pay first (15,000 before 8,000)
    ("tester", 100, {"industry": 30, "education": 20, "job_type": 20, "pay": 20,
                     "district": 10}, True),
    # 6,000 of 7,000 expected: 20 × 5,000 ÷ 7,000 → 14
    ("stores", 94, {"industry": 30, "education": 20, "job_type": 20, "pay": 14,
                    "district": 10}, True),
    # 200 a day = 4,350 a month → 4; gig work is not wanted
    ("forklift", 64, {"industry": 30, "education": 20, "job_type": 0, "pay": 4,
                      "district": 10}, True),
    # finance is not wanted, a master's degree is asked
    ("banker", 50, {"industry": 0, "education": 0, "job_type": 20, "pay": 20,
                    "district": 10}, False),
]


async def test_the_ranking_on_the_worked_example(client, market):
    ticket = await register(client, market.fair["id"], SEEKER)
    got = await client.get(f"/api/v1/tickets/{ticket['secret']}/matches")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["profile"] is True and body["total"] == 5
    ids = {v: k for k, v in market.positions.items()}
    assert [(ids[i["position"]], i["score"], i["parts"], i["fits"]) for i in body["items"]] \
        == WANT
    first = body["items"][0]
    assert first["title"] == "Python 开发工程师" and first["booth"] == "B02"
    assert first["zone"] == "B" and "slot" not in first
    assert first["employer"] == market.employers["soft"].employer_id
    assert first["reasons"] == ["industry", "education", "job_type", "pay", "district"]
    assert body["items"][3]["reasons"] == ["industry", "education", "district"]
    assert first["url"] == f"/fairs/{market.fair['id']}/employers/{first['employer']}"
    paged = (await client.get(f"/api/v1/tickets/{ticket['secret']}/matches",
                              params={"limit": 2, "offset": 2})).json()
    assert [i["position"] for i in paged["items"]] == [market.positions["stores"],
                                                       market.positions["forklift"]]
    assert paged["total"] == 5


async def test_without_a_profile_nothing_is_ranked(client, market):
    ticket = await register(client, market.fair["id"])
    body = (await client.get(f"/api/v1/tickets/{ticket['secret']}/matches")).json()
    assert body == {"items": [], "total": 0, "profile": False}
    page = await client.get(f"/tickets/{ticket['secret']}")
    assert f'href="/tickets/{ticket["secret"]}/profile"' in page.text


async def test_positions_no_longer_offered_drop_out(client, market):
    ticket = await register(client, market.fair["id"], SEEKER)
    fin = market.employers["fin"]
    assert (await fin.delete(f"/api/v1/bookings/{market.bookings['fin']}")).status_code == 204
    body = (await client.get(f"/api/v1/tickets/{ticket['secret']}/matches")).json()
    assert market.positions["banker"] not in [i["position"] for i in body["items"]]


async def test_the_ticket_page_lists_reasons_and_the_way_through_the_zones(client, market):
    ticket = await register(client, market.fair["id"], SEEKER)
    page = await client.get(f"/tickets/{ticket['secret']}", headers={"accept-language": "zh"})
    assert page.status_code == 200
    text = page.text
    assert "为你推荐的岗位" in text
    assert "行业匹配、学历符合、岗位类型相符、薪资达到期望、区域相符" in text
    # In rank order; the way: zone A at the front first (A01: the store keeper and the forklift
    # driver), then zone B (B02: both software positions); the banker does not fit.
    order = [text.index(f'id="match-{market.positions[k]}"') for k, *_ in WANT]
    assert order == sorted(order)
    route = text[text.index('class="match-route"'):]
    route = route[:route.index("</ol>")]
    assert route.index("A01") < route.index("B02") and "A03" not in route
    assert "仓库管理员" in route and "Python 开发工程师" in route and "客户经理" not in route
    english = await client.get(f"/tickets/{ticket['secret']}",
                               headers={"accept-language": "en"})
    assert "Positions for you" in english.text and "industry matches, education fits" in \
        english.text


async def test_marking_interest_from_the_list_uses_the_interest_flow(client, market):
    ticket = await register(client, market.fair["id"], SEEKER)
    secret = ticket["secret"]
    await client.get(f"/tickets/{secret}")
    token = {"_csrf_token": client.cookies.get("fairs_csrf", "")}
    position = market.positions["stores"]
    marked = await client.post(f"/tickets/{secret}/matches/{position}/interest", data=token)
    assert marked.status_code == 303
    again = await client.post(f"/tickets/{secret}/matches/{position}/interest", data=token)
    assert again.status_code == 303  # once per ticket and position
    rows = await db.fetch("SELECT position, employer FROM position_interest")
    assert rows == [{"position": position, "employer": market.employers["logi"].employer_id}]
    listed = (await client.get(f"/api/v1/tickets/{secret}/interests")).json()
    assert [i["position"] for i in listed["items"]] == [position]
    body = (await client.get(f"/api/v1/tickets/{secret}/matches")).json()
    assert {i["position"]: i["interested"] for i in body["items"]}[position] is True
    page = await client.get(f"/tickets/{secret}")
    assert f'action="/tickets/{secret}/matches/{position}/interest"' not in page.text
    # The door code marks nothing.
    refused = await client.post(f"/tickets/{ticket['code']}/matches/"
                                f"{market.positions['python']}/interest", data=token)
    assert refused.status_code == 422
    assert len(await db.fetch("SELECT id FROM position_interest")) == 1


async def test_the_fair_page_has_a_place_for_a_remembered_ticket(client, market):
    page = await client.get(f"/fairs/{market.fair['id']}")
    assert 'id="for-you"' in page.text and "/static/js/matching-fair.js" in page.text


async def test_an_online_fair_ranks_its_guest_slots(app, client, new_client, world):
    from tests.employers.conftest import bearer_client, make_fair
    from tests.factories import employer

    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, kind="online")
    made = await organiser.post(f"/api/v1/fairs/{fair['id']}/slots", json={"slots": [
        {"starts_at": fair["starts_at"], "ends_at": fair["ends_at"], "label": "第一场"}]})
    assert made.status_code == 201, made.text
    slot = made.json()["items"][0]
    hr = await employer(token=True, industry="logistics")
    async with bearer_client(app, hr.token) as c:
        booked = await c.post(f"/api/v1/slots/{slot['id']}/bookings", json={"topic": "物流"})
        assert booked.status_code == 201, booked.text
        p = await c.post(f"/api/v1/slot-bookings/{booked.json()['id']}/positions",
                         json={"title": "调度员", "headcount": 1, "education": "college",
                               "salary_max": 9000})
        assert p.status_code == 201, p.text
    ticket = await register(client, fair["id"], {**SEEKER, "districts": ["jiaozhou"]})
    body = (await client.get(f"/api/v1/tickets/{ticket['secret']}/matches")).json()
    [item] = body["items"]
    assert "booth" not in item and item["slot"]["id"] == slot["id"]
    assert item["slot"]["label"] == "第一场"
    assert item["parts"]["district"] == 10  # online: watched from anywhere
    page = await client.get(f"/tickets/{ticket['secret']}")
    assert 'class="match-route"' in page.text and "调度员" in page.text
