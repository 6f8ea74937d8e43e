"""Employers see demand: for each of their positions, how many registrants' profiles fit it
(counted in SQL by the score's twin), and the job seekers who marked it and agreed to be
contacted, with their name and number; nobody else's positions, and nothing of a job seeker who
did not agree beyond the counts."""

from __future__ import annotations

from tests.conftest import login_as
from tests.matching.conftest import SEEKER, register
from tests.test_accounts import problem

# B: a finance graduate with a master's degree, no other preference, not to be contacted.
B = {"industries": ["finance"], "education": "master", "job_types": []}


async def seekers(client, market) -> dict:
    """A (SEEKER, may be contacted), B (no contact), C (no profile), D (a profile, then
    cancelled); A, B and C mark the Python position, B the banker's too."""
    fair = market.fair["id"]
    a = await register(client, fair, SEEKER, name="李雷", phone="13800138001")
    b = await register(client, fair, B, name="韩梅梅", phone="13800138002")
    c = await register(client, fair, name="王芳", phone="13800138003")
    d = await register(client, fair, SEEKER, name="赵敏", phone="13800138004")
    for t, key in ((a, "python"), (b, "python"), (c, "python"), (b, "banker"), (d, "python")):
        made = await client.post(f"/api/v1/positions/{market.positions[key]}/interests",
                                 json={"secret": t["secret"]})
        assert made.status_code == 201, made.text
    assert (await client.delete(f"/api/v1/tickets/{d['secret']}")).status_code == 204
    return {"a": a, "b": b, "c": c, "d": d}


def by_title(items: list[dict]) -> dict:
    return {i["title"]: {k: i[k] for k in ("profiles", "fits", "interested", "contactable")}
            for i in items}


async def test_each_position_counts_the_profiles_it_fits(client, market):
    await seekers(client, market)
    soft, fin = market.employers["soft"], market.employers["fin"]
    got = await soft.get("/api/v1/me/demand", params={"fair": market.fair["id"]})
    assert got.status_code == 200, got.text
    # A fits both software positions (100); B scores 45 (another industry), C gave none and
    # D's registration is cancelled: 2 profiles count.
    assert by_title(got.json()["items"]) == {
        "Python 开发工程师": {"profiles": 2, "fits": 1, "interested": 3, "contactable": 1},
        "测试工程师": {"profiles": 2, "fits": 1, "interested": 0, "contactable": 0}}
    # The banker's position fits B (75: finance, a master's degree) and not A (50).
    banker = await fin.get("/api/v1/me/demand")  # every fair not yet ended
    assert by_title(banker.json()["items"]) == {
        "客户经理": {"profiles": 2, "fits": 1, "interested": 1, "contactable": 0}}


async def test_only_those_who_agreed_are_shown_with_their_number(client, market):
    await seekers(client, market)
    soft = market.employers["soft"]
    got = await soft.get("/api/v1/me/seekers", params={"fair": market.fair["id"]})
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["total"] == 1 and body["hidden"] == 2
    [a] = body["items"]
    assert (a["name"], a["phone"], a["title"]) == ("李雷", "+8613800138001", "Python 开发工程师")
    assert a["score"] == 100 and a["industries"] == SEEKER["industries"]
    assert a["major"] == "计算机科学" and a["expected_pay"] == 7000
    assert got.headers["cache-control"].startswith("private")
    # The others' numbers appear nowhere in full; the existing list of interests keeps masking.
    text = got.text + (await soft.get("/api/v1/me/interests")).text
    assert "13800138002" not in text and "13800138003" not in text
    masked = (await soft.get("/api/v1/me/interests")).json()["items"]
    assert {i["phone"] for i in masked} >= {"138****8002", "138****8003"}


async def test_changing_the_consent_changes_what_employers_see(client, market):
    made = await seekers(client, market)
    soft = market.employers["soft"]
    url = f"/api/v1/tickets/{made['b']['secret']}/profile"
    assert (await client.put(url, json={**B, "consent_contact": True})).status_code == 200
    names = [i["name"] for i in (await soft.get("/api/v1/me/seekers")).json()["items"]]
    assert sorted(names) == ["李雷", "韩梅梅"]
    assert (await client.delete(url)).status_code == 204
    body = (await soft.get("/api/v1/me/seekers")).json()
    assert [i["name"] for i in body["items"]] == ["李雷"] and body["hidden"] == 2


async def test_another_employer_sees_nothing_of_your_positions_seekers(client, market):
    await seekers(client, market)
    fin, logi = market.employers["fin"], market.employers["logi"]
    fair = market.fair["id"]
    # The banker's own counts only, whatever fair is asked for; nobody it may contact (B
    # marked the banker's position without agreeing).
    demand = (await fin.get("/api/v1/me/demand", params={"fair": fair})).json()
    assert [i["title"] for i in demand["items"]] == ["客户经理"]
    listed = (await fin.get("/api/v1/me/seekers", params={"fair": fair})).json()
    assert listed == {"items": [], "total": 0, "hidden": 1}
    assert (await logi.get("/api/v1/me/seekers")).json() == {"items": [], "total": 0,
                                                              "hidden": 0}
    page = await fin.get(f"/employer/fairs/{fair}/seekers")
    assert "李雷" not in page.text and "13800138001" not in page.text


async def test_who_may_ask(client, new_client, market):
    problem(await client.get("/api/v1/me/demand"), 401)
    problem(await client.get("/api/v1/me/seekers"), 401)
    organiser = await login_as(new_client, "organiser")
    problem(await organiser.get("/api/v1/me/demand"), 403)
    problem(await organiser.get("/api/v1/me/seekers"), 403)
    assert (await organiser.get(f"/employer/fairs/{market.fair['id']}/seekers")).status_code \
        == 403


async def test_the_employers_pages_show_the_counts_and_the_seekers(app, client, market):
    await seekers(client, market)
    soft = market.employers["soft"]
    page = await soft.get(f"/employer/bookings/{market.bookings['soft']}/positions",
                          headers={"accept-language": "zh"})
    assert page.status_code == 200
    assert "匹配的求职者" in page.text and "2 份中 1 份" in page.text
    assert f'href="/employer/fairs/{market.fair["id"]}/seekers"' in page.text
    listed = await soft.get(f"/employer/fairs/{market.fair['id']}/seekers",
                            headers={"accept-language": "zh"})
    assert listed.status_code == 200
    assert "李雷" in listed.text and "13800138001" in listed.text
    assert "韩梅梅" not in listed.text and "13800138002" not in listed.text
    assert "另有 2 位求职者" in listed.text
