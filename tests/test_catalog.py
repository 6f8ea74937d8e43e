"""The catalogue: the seventeen key industries, audiences, venues and channels."""

from __future__ import annotations

from tests.conftest import login_as
from tests.test_accounts import problem


async def test_seventeen_key_industries(client, migrated):
    items = (await client.get("/api/v1/catalog/industries")).json()["items"]
    groups = {}
    for item in items:
        groups.setdefault(item["group"], []).append(item["name_zh"])
    assert len(groups["traditional"]) == 5
    assert len(groups["emerging"]) == 5
    assert len(groups["services"]) == 7
    names = {i["name_zh"] for i in items}
    assert {"船舶海工", "人工智能", "会展", "软件和信息服务"} <= names
    assert all(i["name_en"] for i in items)


async def test_audiences(client, migrated):
    codes = {a["code"] for a in (await client.get("/api/v1/catalog/audiences")).json()["items"]}
    assert {"graduates", "veterans", "disabled", "women", "military-spouses", "rural-migrant",
            "difficulty", "youth", "general"} <= codes


async def test_venues_and_channels(new_client, world):
    anon = new_client()
    venues = (await anon.get("/api/v1/catalog/venues")).json()
    assert venues["total"] == len(venues["items"]) >= 4
    venue = venues["items"][0]
    assert set(venue) >= {"id", "name", "address", "district", "capacity", "step_free"}
    channels = {c["name"] for c in (await anon.get("/api/v1/catalog/channels")).json()["items"]}
    assert {"就业街小圆桌", "职海冲浪"} <= channels
    organiser = await login_as(new_client, "organiser")
    made = await organiser.post("/api/v1/catalog/venues", json={
        "name": "辛安街道活动中心", "address": "辛安街道", "district": "xinan", "capacity": 300,
        "step_free": True})
    assert made.status_code == 201, made.text
    assert made.json()["district"] == "xinan" and made.json()["step_free"] is True
    problem(await organiser.post("/api/v1/catalog/channels",
                                 json={"name": "x", "url": "javascript:alert(1)"}), 422)
    problem(await organiser.post("/api/v1/catalog/venues", json={"name": ""}), 400)
    problem(await organiser.get("/api/v1/catalog/venues/999999"), 404)
    problem(await organiser.post("/api/v1/catalog/venues",
                                 json={"name": "x", "district": "no-such-org"}), 404)


async def test_catalog_page(new_client, world):
    organiser = await login_as(new_client, "organiser")
    page = await organiser.get("/organiser/catalog")
    assert page.status_code == 200
    assert "西海岸新区人力资源市场" in page.text and "职海冲浪" in page.text
