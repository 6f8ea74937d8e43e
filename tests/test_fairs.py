"""Fairs: the rules of API.md and issue 3, as an organiser and the public meet them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fairs.i18n import TZ
from tests.conftest import login_as
from tests.test_accounts import problem


def at(days: int, hour: int = 9) -> str:
    base = datetime.now(TZ).replace(hour=hour, minute=0, second=0, microsecond=0)
    return (base + timedelta(days=days)).isoformat()


def offline(world, **kw) -> dict:
    body = {"kind": "offline", "title": "高校毕业生专场招聘会", "starts_at": at(10),
            "ends_at": at(10, 12), "venue": world["venue:西海岸新区人力资源市场"],
            "industries": ["ai", "software"], "audiences": ["graduates"], "capacity": 500}
    body.update(kw)
    return body


def online(world, **kw) -> dict:
    body = {"kind": "online", "title": "职海冲浪·直播带岗", "starts_at": at(11, 19),
            "ends_at": at(11, 20), "channel": world["channel:职海冲浪"],
            "industries": ["logistics"], "audiences": ["general"]}
    body.update(kw)
    return body


async def test_create_publish_and_public_view(new_client, world):
    organiser = await login_as(new_client, "organiser")
    made = await organiser.post("/api/v1/fairs", json=offline(world))
    assert made.status_code == 201, made.text
    fair = made.json()
    assert fair["status"] == "draft" and fair["org"] == "xha"
    assert fair["starts_at"].endswith("+08:00")
    assert fair["industries"] == ["ai", "software"] and fair["audiences"] == ["graduates"]
    assert fair["registered"] == 0 and fair["checked_in"] == 0
    anon = new_client()
    problem(await anon.get(f"/api/v1/fairs/{fair['id']}"), 404)  # drafts are not public
    assert (await anon.get("/api/v1/fairs")).json()["total"] == 0
    published = await organiser.post(f"/api/v1/fairs/{fair['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    seen = (await anon.get(f"/api/v1/fairs/{fair['id']}")).json()
    assert seen["title"] == "高校毕业生专场招聘会"
    assert seen["venue_name"] == "西海岸新区人力资源市场"
    listed = (await anon.get("/api/v1/fairs", params={"industry": "ai"})).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == fair["id"]
    assert (await anon.get("/api/v1/fairs", params={"industry": "film"})).json()["total"] == 0
    assert (await anon.get("/api/v1/fairs", params={"audience": "graduates",
                                                     "kind": "offline"})).json()["total"] == 1


async def test_rules_are_clear_4xx(new_client, world):
    organiser = await login_as(new_client, "organiser")
    body = problem(await organiser.post("/api/v1/fairs",
                                        json=offline(world, ends_at=at(10, 8))), 422)
    assert body["errors"][0]["field"] == "ends_at"
    body = problem(await organiser.post("/api/v1/fairs", json=offline(world, venue=None)), 422)
    assert body["errors"][0]["field"] == "venue"
    body = problem(await organiser.post("/api/v1/fairs", json=online(world, channel=None)), 422)
    assert body["errors"][0]["field"] == "channel"
    body = problem(await organiser.post("/api/v1/fairs",
                                        json=offline(world, industries=["nope"])), 422)
    assert body["errors"][0]["field"] == "industries" and "nope" in body["errors"][0]["message"]
    body = problem(await organiser.post("/api/v1/fairs",
                                        json=offline(world, audiences=["martians"])), 422)
    assert body["errors"][0]["field"] == "audiences"
    body = problem(await organiser.post("/api/v1/fairs", json=offline(world, kind="hybrid")), 422)
    assert body["errors"][0]["field"] == "kind"
    body = problem(await organiser.post("/api/v1/fairs",
                                        json=offline(world, starts_at="tomorrow")), 400)
    assert body["errors"][0]["field"] == "starts_at"
    problem(await organiser.post("/api/v1/fairs", json=offline(world, venue=99999)), 404)
    assert (await organiser.get("/api/v1/fairs")).json()["total"] == 0  # nothing half-written


async def test_overlap_on_a_venue_or_channel_is_409_naming_the_other(new_client, world):
    organiser = await login_as(new_client, "organiser")
    first = (await organiser.post("/api/v1/fairs", json=offline(world))).json()
    await organiser.post(f"/api/v1/fairs/{first['id']}/publish")
    body = problem(await organiser.post("/api/v1/fairs", json=offline(
        world, title="另一场", starts_at=at(10, 11), ends_at=at(10, 15))), 409)
    assert str(first["id"]) in body["detail"] and body["conflicting_fair"] == first["id"]
    # Back to back is fine; another venue at the same time is fine.
    assert (await organiser.post("/api/v1/fairs", json=offline(
        world, starts_at=at(10, 12), ends_at=at(10, 14)))).status_code == 201
    assert (await organiser.post("/api/v1/fairs", json=offline(
        world, venue=world["venue:新区人才服务中心报告厅"]))).status_code == 201
    live = (await organiser.post("/api/v1/fairs", json=online(world))).json()
    await organiser.post(f"/api/v1/fairs/{live['id']}/publish")
    body = problem(await organiser.post("/api/v1/fairs", json=online(world)), 409)
    assert body["conflicting_fair"] == live["id"]
    # A cancelled fair frees its venue.
    await organiser.post(f"/api/v1/fairs/{first['id']}/cancel", json={"reason": "场地维修"})
    assert (await organiser.post("/api/v1/fairs", json=offline(
        world, starts_at=at(10, 10), ends_at=at(10, 11)))).status_code == 201


async def test_concurrent_publications_on_one_venue_publish_one_fair(new_client, world):
    """Drafts hold nothing: eight drafts for one slot are made, and of eight publications at
    once exactly one stands."""
    organisers = [await login_as(new_client, "organiser") for _ in range(8)]
    made = await asyncio.gather(*[
        o.post("/api/v1/fairs", json=offline(world, title=f"并发 {i}"))
        for i, o in enumerate(organisers)
    ])
    assert [m.status_code for m in made] == [201] * 8
    answers = await asyncio.gather(*[
        o.post(f"/api/v1/fairs/{m.json()['id']}/publish")
        for o, m in zip(organisers, made, strict=True)
    ])
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] + [409] * 7, codes
    listed = (await organisers[0].get("/api/v1/fairs?status=published")).json()
    assert listed["total"] == 1


async def test_reschedule_keeps_identity_and_raises_revision(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = (await organiser.post("/api/v1/fairs", json=offline(world))).json()
    # Editing a draft does not count as a reschedule.
    draft = (await organiser.patch(f"/api/v1/fairs/{fair['id']}",
                                   json={"starts_at": at(10, 8)})).json()
    assert draft["revision"] == 0
    await organiser.post(f"/api/v1/fairs/{fair['id']}/publish")
    moved = await organiser.patch(f"/api/v1/fairs/{fair['id']}",
                                  json={"starts_at": at(12, 9), "ends_at": at(12, 12)})
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == fair["id"] and moved.json()["revision"] == 1
    assert moved.json()["status"] == "published"
    described = (await organiser.patch(f"/api/v1/fairs/{fair['id']}",
                                       json={"description": "更多岗位"})).json()
    assert described["revision"] == 1 and described["description"] == "更多岗位"
    body = problem(await organiser.patch(f"/api/v1/fairs/{fair['id']}",
                                         json={"ends_at": at(12, 8)}), 422)
    assert body["errors"][0]["field"] == "ends_at"
    cancelled = (await organiser.post(f"/api/v1/fairs/{fair['id']}/cancel",
                                      json={"reason": "天气原因"})).json()
    assert cancelled["status"] == "cancelled" and cancelled["revision"] == 2
    assert cancelled["cancel_reason"] == "天气原因"
    problem(await organiser.patch(f"/api/v1/fairs/{fair['id']}", json={"title": "x"}), 409)
    problem(await organiser.post(f"/api/v1/fairs/{fair['id']}/publish"), 409)
    # The public still sees a cancelled fair.
    anon = new_client()
    assert (await anon.get(f"/api/v1/fairs/{fair['id']}")).json()["status"] == "cancelled"


async def test_only_drafts_are_deleted(new_client, world):
    organiser = await login_as(new_client, "organiser")
    draft = (await organiser.post("/api/v1/fairs", json=offline(world))).json()
    live = (await organiser.post("/api/v1/fairs", json=online(world))).json()
    await organiser.post(f"/api/v1/fairs/{live['id']}/publish")
    problem(await organiser.delete(f"/api/v1/fairs/{live['id']}"), 409)
    assert (await organiser.delete(f"/api/v1/fairs/{draft['id']}")).status_code == 204
    problem(await organiser.get(f"/api/v1/fairs/{draft['id']}"), 404)


async def test_subtree_rules(new_client, world):
    xha = await login_as(new_client, "organiser")
    gzk = await login_as(new_client, "gzk")
    jiaozhou = await login_as(new_client, "jiaozhou")
    fair = (await xha.post("/api/v1/fairs", json=offline(world))).json()
    # A sub-area and a sibling district cannot see the parent's draft, nor change it.
    problem(await gzk.get(f"/api/v1/fairs/{fair['id']}"), 404)
    problem(await jiaozhou.patch(f"/api/v1/fairs/{fair['id']}", json={"title": "x"}), 404)
    await xha.post(f"/api/v1/fairs/{fair['id']}/publish")
    problem(await jiaozhou.patch(f"/api/v1/fairs/{fair['id']}", json={"title": "x"}), 403)
    problem(await jiaozhou.post(f"/api/v1/fairs/{fair['id']}/cancel", json={"reason": "x"}), 403)
    # The district creates for its sub-area; the sub-area cannot create for the district.
    made = await xha.post("/api/v1/fairs", json=online(world, org="gzk"))
    assert made.status_code == 201 and made.json()["org"] == "gzk"
    assert (await gzk.get(f"/api/v1/fairs/{made.json()['id']}")).status_code == 200
    problem(await gzk.post("/api/v1/fairs", json=online(world, org="xha", starts_at=at(20, 9),
                                                         ends_at=at(20, 10))), 403)
    scanner = await login_as(new_client, "scanner")
    problem(await scanner.post("/api/v1/fairs", json=offline(world)), 403)


async def test_list_filters_and_paging(new_client, world):
    organiser = await login_as(new_client, "organiser")
    for day in range(1, 6):
        made = (await organiser.post("/api/v1/fairs", json=offline(
            world, title=f"第{day}场", starts_at=at(day), ends_at=at(day, 11)))).json()
        await organiser.post(f"/api/v1/fairs/{made['id']}/publish")
    anon = new_client()
    page = (await anon.get("/api/v1/fairs", params={"limit": 2, "offset": 1})).json()
    assert page["total"] == 5 and [f["title"] for f in page["items"]] == ["第2场", "第3场"]
    day3 = (datetime.now(TZ) + timedelta(days=3)).date().isoformat()
    window = (await anon.get("/api/v1/fairs", params={"from": day3, "to": day3})).json()
    assert [f["title"] for f in window["items"]] == ["第3场"]
    problem(await anon.get("/api/v1/fairs", params={"from": "March"}), 422)
    problem(await anon.get("/api/v1/fairs", params={"limit": 501}), 400)
    problem(await anon.get("/api/v1/fairs", params={"kind": "hybrid"}), 422)
    assert (await anon.get("/api/v1/fairs", params={"org": "jiaozhou"})).json()["total"] == 0
    assert (await anon.get("/api/v1/fairs", params={"org": "qd"})).json()["total"] == 5


async def test_changes_are_in_the_audit_log(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = (await organiser.post("/api/v1/fairs", json=offline(world))).json()
    await organiser.post(f"/api/v1/fairs/{fair['id']}/publish")
    await organiser.patch(f"/api/v1/fairs/{fair['id']}", json={"starts_at": at(10, 8)})
    await organiser.post(f"/api/v1/fairs/{fair['id']}/cancel", json={"reason": "暴雨"})
    problem(await organiser.get("/api/v1/audit"), 403)  # admins only
    admin = await login_as(new_client, "admin")
    log = (await admin.get("/api/v1/audit", params={"object_type": "fair",
                                                    "object_id": str(fair["id"])})).json()
    actions = [e["action"] for e in reversed(log["items"])]
    assert actions == ["fair.create", "fair.publish", "fair.update", "fair.cancel"]
    update = log["items"][1]
    assert update["actor"] == "organiser" and update["role"] == "organiser"
    assert update["before"]["starts_at"] != update["after"]["starts_at"]
    assert log["items"][0]["after"] == {"status": "cancelled", "reason": "暴雨"}
    page = await admin.get("/organiser/audit")
    assert page.status_code == 200 and "<td>fair.cancel</td>" not in page.text
    assert "取消了招聘会" in page.text


async def test_field_limits_hold_for_every_caller(new_client, world):
    """The service keeps a fair's limits itself, not only the API's schema: the editor's form,
    the planner and scripts all go through it."""
    import pytest

    from fairs.accounts import services as accounts
    from fairs.errors import Invalid
    from fairs.events import services

    organiser = await login_as(new_client, "organiser")
    principal = await accounts.principal_by_id(
        (await organiser.get("/api/v1/auth/me")).json()["id"])
    data = offline(world, title="长" * 301)
    data.update(starts_at=datetime.fromisoformat(data["starts_at"]),
                ends_at=datetime.fromisoformat(data["ends_at"]))
    with pytest.raises(Invalid) as refused:
        await services.create_fair(principal, data)
    assert refused.value.errors[0].field == "title"
    with pytest.raises(Invalid) as refused:
        await services.create_fairs(principal, [{**data, "title": "好", "capacity": 0}])
    assert refused.value.errors[0].field == "fairs[0].capacity"
    fair = (await organiser.post("/api/v1/fairs", json=offline(world))).json()
    with pytest.raises(Invalid) as refused:
        await services.update_fair(principal, fair["id"], {"title": "   "})
    assert refused.value.errors[0].field == "title"
    assert (await organiser.get("/api/v1/fairs")).json()["total"] == 1
