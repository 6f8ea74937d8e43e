"""Plans, progress, proposals and acceptance as an organiser meets them through the API."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from fairs.i18n import TZ
from tests.conftest import login_as
from tests.helpers import create_fair
from tests.test_accounts import problem


def day(offset: int) -> date:
    return datetime.now(TZ).date() + timedelta(days=offset)


def at(d: date, hour: int) -> str:
    return datetime(d.year, d.month, d.day, hour, tzinfo=TZ).isoformat()


def plan_body(**kw) -> dict:
    body = {"title": "一季度专场招聘计划", "starts_on": day(-30).isoformat(),
            "ends_on": day(60).isoformat(), "targets": {"offline": 2, "online": 3}}
    body.update(kw)
    return body


async def make_fair(client, world, kind: str, d: date, *, publish: bool = True, hour: int = 9,
                    venue: str = "西海岸新区人力资源市场", industries=("ai",),
                    audiences=("graduates",), org: str | None = None) -> dict:
    body = {"kind": kind, "title": f"{kind} {d}", "starts_at": at(d, hour),
            "ends_at": at(d, hour + 2), "industries": list(industries),
            "audiences": list(audiences)}
    if org:
        body["org"] = org
    if kind == "offline":
        body["venue"] = world[f"venue:{venue}"]
    else:
        body["channel"] = world["channel:职海冲浪"]
    return await create_fair(client, body, publish)


async def test_create_list_read_change_delete(new_client, world):
    organiser = await login_as(new_client, "organiser")
    made = await organiser.post("/api/v1/plans", json=plan_body(
        targets={"offline": 10, "online": 30, "events": 50},
        industry_minimums={"ai": 2}, audience_minimums={"veterans": 1}))
    assert made.status_code == 201, made.text
    plan = made.json()
    assert plan["org"] == "xha" and plan["targets"] == {
        "offline": 10, "online": 30, "events": 50, "employer_visits": None}
    assert plan["industry_minimums"] == {"ai": 2}
    listed = (await organiser.get("/api/v1/plans")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == plan["id"]
    changed = await organiser.patch(f"/api/v1/plans/{plan['id']}",
                                    json={"title": "改过的计划", "targets": {"online": 20}})
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "改过的计划"
    assert changed.json()["targets"]["online"] == 20
    assert changed.json()["targets"]["offline"] == 10  # untouched targets stay
    # A sibling district neither sees nor touches it; a sub-area sees only its own.
    jiaozhou = await login_as(new_client, "jiaozhou")
    assert (await jiaozhou.get("/api/v1/plans")).json()["total"] == 0
    problem(await jiaozhou.get(f"/api/v1/plans/{plan['id']}"), 404)
    problem(await jiaozhou.patch(f"/api/v1/plans/{plan['id']}", json={"title": "x"}), 404)
    problem(await jiaozhou.delete(f"/api/v1/plans/{plan['id']}"), 404)
    gzk = await login_as(new_client, "gzk")
    assert (await gzk.get("/api/v1/plans")).json()["total"] == 0
    problem(await new_client().get("/api/v1/plans"), 401)
    assert (await organiser.delete(f"/api/v1/plans/{plan['id']}")).status_code == 204
    problem(await organiser.get(f"/api/v1/plans/{plan['id']}"), 404)


async def test_rules_are_clear_4xx(new_client, world):
    organiser = await login_as(new_client, "organiser")
    body = problem(await organiser.post("/api/v1/plans", json=plan_body(
        starts_on=day(10).isoformat(), ends_on=day(5).isoformat())), 422)
    assert body["errors"][0]["field"] == "ends_on"
    body = problem(await organiser.post("/api/v1/plans", json=plan_body(targets={})), 422)
    assert body["errors"][0]["field"] == "targets"
    body = problem(await organiser.post("/api/v1/plans", json=plan_body(
        targets={"offline": -1})), 400)
    assert "offline" in body["errors"][0]["field"]
    body = problem(await organiser.post("/api/v1/plans", json=plan_body(
        industry_minimums={"nope": 1})), 422)
    assert body["errors"][0]["field"] == "industry_minimums"
    body = problem(await organiser.post("/api/v1/plans", json=plan_body(org="jiaozhou")), 403)
    assert (await organiser.get("/api/v1/plans")).json()["total"] == 0


async def test_progress_counts_subtree_inside_dates(new_client, world):
    organiser = await login_as(new_client, "organiser")
    gzk = await login_as(new_client, "gzk")
    jiaozhou = await login_as(new_client, "jiaozhou")
    plan = (await organiser.post("/api/v1/plans", json=plan_body(
        targets={"offline": 2, "online": 3, "events": 6},
        industry_minimums={"ai": 2, "film": 1}))).json()
    # held: published and ended (inside the dates); scheduled: published, not ended
    await make_fair(organiser, world, "offline", day(-3))
    await make_fair(gzk, world, "online", day(-2), venue="古镇口大学城招聘广场")  # sub-area counts
    await make_fair(organiser, world, "offline", day(5))
    await make_fair(organiser, world, "online", day(6), publish=False)  # a draft: not scheduled
    await make_fair(jiaozhou, world, "offline", day(7), venue="胶州市人力资源市场")  # sibling
    await make_fair(organiser, world, "online", day(-40))  # before the plan
    cancelled = await make_fair(organiser, world, "online", day(8))
    await organiser.post(f"/api/v1/fairs/{cancelled['id']}/cancel", json={"reason": "台风"})
    answer = await organiser.get(f"/api/v1/plans/{plan['id']}/progress")
    assert answer.status_code == 200, answer.text
    p = answer.json()
    t = p["targets"]
    assert (t["offline"]["target"], t["offline"]["scheduled"], t["offline"]["held"]) == (2, 1, 1)
    assert (t["online"]["target"], t["online"]["scheduled"], t["online"]["held"]) == (3, 0, 1)
    assert t["online"]["draft"] == 1
    assert (t["events"]["target"], t["events"]["scheduled"], t["events"]["held"]) == (6, 1, 2)
    assert t["offline"]["met"] and not t["online"]["met"]
    assert t["online"]["remaining"] == 2 and t["online"]["pace"]["per_week"] > 0
    assert p["on_track"] is False
    assert set(p["attendance"]) >= {"admissions", "walk_ins", "employers_present",
                                    "employer_visits", "online_views"}
    ai = next(i for i in p["coverage"]["industries"] if i["code"] == "ai")
    assert ai["minimum"] == 2 and ai["scheduled"] + ai["held"] == 3 and ai["met"]
    film = next(i for i in p["coverage"]["industries"] if i["code"] == "film")
    assert film["minimum"] == 1 and not film["met"]
    problem(await jiaozhou.get(f"/api/v1/plans/{plan['id']}/progress"), 404)


async def test_propose_accept_publish_turns_on_track(new_client, world):
    organiser = await login_as(new_client, "organiser")
    plan = (await organiser.post("/api/v1/plans", json=plan_body(
        starts_on=day(1).isoformat(), ends_on=day(40).isoformat(),
        targets={"offline": 3, "online": 4}, audience_minimums={"veterans": 1}))).json()
    await make_fair(organiser, world, "online", day(3))
    blackout = [day(i).isoformat() for i in range(5, 10)]
    answer = await organiser.post(f"/api/v1/plans/{plan['id']}/proposals",
                                  json={"max_per_day": 1, "blackout": blackout})
    assert answer.status_code == 200, answer.text
    proposal = answer.json()
    assert proposal["meets_targets"] is True and "shortfall" not in proposal
    kinds = [f["kind"] for f in proposal["fairs"]]
    assert kinds.count("offline") == 3 and kinds.count("online") == 3  # one is scheduled
    days = [f["starts_at"][:10] for f in proposal["fairs"]]
    assert len(set(days)) == len(days)  # max one a day
    assert not set(days) & set(blackout) and day(3).isoformat() not in days
    assert any("veterans" in f["audiences"] for f in proposal["fairs"])
    # Deterministic, and nothing saved.
    again = (await organiser.post(f"/api/v1/plans/{plan['id']}/proposals",
                                  json={"max_per_day": 1, "blackout": blackout})).json()
    assert again["fairs"] == proposal["fairs"]
    assert (await organiser.get("/api/v1/fairs", params={"status": "draft"})).json()["total"] == 0
    accepted = await organiser.post(f"/api/v1/plans/{plan['id']}/proposals/accept",
                                    json={"fairs": proposal["fairs"]})
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["total"] == 6
    drafts = (await organiser.get("/api/v1/fairs", params={"status": "draft"})).json()
    assert drafts["total"] == 6
    p = (await organiser.get(f"/api/v1/plans/{plan['id']}/progress")).json()
    assert p["on_track"] is False and p["targets"]["offline"]["draft"] == 3
    # The planner now counts the drafts: nothing more to propose.
    left = (await organiser.post(f"/api/v1/plans/{plan['id']}/proposals", json={})).json()
    assert left["fairs"] == [] and left["meets_targets"]
    published = await organiser.post(f"/api/v1/plans/{plan['id']}/publish")
    assert published.status_code == 200 and published.json()["published"] == 6
    p = (await organiser.get(f"/api/v1/plans/{plan['id']}/progress")).json()
    assert p["on_track"] is True
    assert p["targets"]["offline"]["scheduled"] == 3 and p["targets"]["online"]["scheduled"] == 4


async def test_accept_is_all_or_nothing_and_names_the_clash(new_client, world):
    organiser = await login_as(new_client, "organiser")
    plan = (await organiser.post("/api/v1/plans", json=plan_body(
        starts_on=day(1).isoformat(), ends_on=day(30).isoformat(),
        targets={"offline": 3, "online": 0}))).json()
    proposal = (await organiser.post(f"/api/v1/plans/{plan['id']}/proposals", json={})).json()
    assert len(proposal["fairs"]) == 3
    last = proposal["fairs"][-1]
    # Someone takes the last fair's venue and time meanwhile.
    clash = await organiser.post("/api/v1/fairs", json={
        "kind": "offline", "title": "抢先的招聘会", "starts_at": last["starts_at"],
        "ends_at": last["ends_at"], "venue": last["venue"]})
    assert clash.status_code == 201
    body = problem(await organiser.post(f"/api/v1/plans/{plan['id']}/proposals/accept",
                                        json={"fairs": proposal["fairs"]}), 409)
    assert str(clash.json()["id"]) in body["detail"] and "抢先的招聘会" in body["detail"]
    fairs = (await organiser.get("/api/v1/fairs", params={"status": "draft"})).json()
    assert fairs["total"] == 1  # only the clash: nothing of the proposal was written
    # Outside the plan's dates: 422 naming the item.
    moved = dict(proposal["fairs"][0], starts_at=at(day(90), 9), ends_at=at(day(90), 12))
    body = problem(await organiser.post(f"/api/v1/plans/{plan['id']}/proposals/accept",
                                        json={"fairs": [moved]}), 422)
    assert body["errors"][0]["field"] == "fairs[0].starts_at"


async def test_concurrent_accepts_create_one_set(new_client, world):
    organiser = await login_as(new_client, "organiser")
    plan = (await organiser.post("/api/v1/plans", json=plan_body(
        starts_on=day(1).isoformat(), ends_on=day(30).isoformat(),
        targets={"offline": 2, "online": 2}))).json()
    proposal = (await organiser.post(f"/api/v1/plans/{plan['id']}/proposals", json={})).json()
    answers = await asyncio.gather(*[
        organiser.post(f"/api/v1/plans/{plan['id']}/proposals/accept",
                       json={"fairs": proposal["fairs"]}) for _ in range(4)])
    assert sorted(a.status_code for a in answers) == [201, 409, 409, 409]
    drafts = (await organiser.get("/api/v1/fairs", params={"status": "draft"})).json()
    assert drafts["total"] == 4


async def test_shortfall_says_why(new_client, world):
    organiser = await login_as(new_client, "organiser")
    plan = (await organiser.post("/api/v1/plans", json=plan_body(
        starts_on=day(1).isoformat(), ends_on=day(7).isoformat(),
        targets={"offline": 3, "online": 20}))).json()
    answer = (await organiser.post(f"/api/v1/plans/{plan['id']}/proposals",
                                   json={"max_per_day": 2, "weekdays_only": False})).json()
    assert answer["meets_targets"] is False
    short = answer["shortfall"]["online"]
    assert short["wanted"] == 20 and short["missing"] > 0
    assert short["proposed"] + short["missing"] == 20
    assert short["reasons"][0]["code"] == "max_per_day"
    assert len(answer["fairs"]) == 14  # 7 days × 2


async def test_proposal_constraints_are_checked(new_client, world):
    organiser = await login_as(new_client, "organiser")
    plan = (await organiser.post("/api/v1/plans", json=plan_body())).json()
    url = f"/api/v1/plans/{plan['id']}/proposals"
    body = problem(await organiser.post(url, json={"max_per_day": 0}), 400)
    assert body["errors"][0]["field"].endswith("max_per_day")
    body = problem(await organiser.post(url, json={"day_starts": "17:00:00",
                                                   "day_ends": "09:00:00"}), 422)
    assert body["errors"][0]["field"] == "day_ends"
    body = problem(await organiser.post(url, json={"venues": [99999]}), 422)
    assert body["errors"][0]["field"] == "venues"
    body = problem(await organiser.post(url, json={"blackout": ["2027-02-30"]}), 400)
    # A field named as one of Litestar's dependencies ("channels", the live-attendance
    # plugin's) was taken for that dependency's failure: a 500 the fuzzer found.
    for wrong in (-806721, "x", {"a": 1}):
        body = problem(await organiser.post(url, json={"channels": wrong}), 400)
        assert body["errors"][0]["field"] == "channels"
    problem(await organiser.post("/api/v1/plans/99999/proposals", json={}), 404)
