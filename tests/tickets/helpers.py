"""Helpers shared by the tickets and check-in tests: fairs happening now, registrations."""

from __future__ import annotations

from datetime import datetime, timedelta

from fairs.i18n import TZ
from tests import factories
from tests.helpers import create_fair


def phone() -> str:
    """A fresh valid mainland mobile number (tests.factories.phone)."""
    return factories.phone("1380013")


def when(minutes: int) -> str:
    return (datetime.now(TZ) + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


async def make_fair(organiser, world, *, start: int = -30, end: int = 180, publish: bool = True,
                    venue: str = "西海岸新区人力资源市场", **kw) -> dict:
    """A published offline fair; by default it started 30 minutes ago (check-in is open)."""
    body = {"kind": "offline", "title": kw.pop("title", "测试招聘会"), "starts_at": when(start),
            "ends_at": when(end), "venue": world[f"venue:{venue}"],
            "industries": ["software"], "audiences": ["graduates", "general"]}
    body.update(kw)
    return await create_fair(organiser, body, publish)


async def register(client, fair_id: int, name: str = "张三", number: str | None = None,
                   **kw) -> dict:
    response = await client.post(f"/api/v1/fairs/{fair_id}/registrations",
                                 json={"name": name, "phone": number or phone(), **kw})
    assert response.status_code == 201, response.text
    return response.json()["ticket"]
