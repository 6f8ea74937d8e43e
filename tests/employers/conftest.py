"""Fixtures for the employers and booths tests: fairs, approved employers with bearer tokens."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from fairs.i18n import TZ
from tests import factories
from tests.conftest import login_as, make_client
from tests.helpers import create_fair, publish_fair

_serial = itertools.count(1)


def make_uscc(n: int) -> str:
    """A valid 统一社会信用代码 (tests.factories.make_uscc)."""
    return factories.make_uscc(n)


def at(days: float, hour: int = 9) -> str:
    base = datetime.now(TZ).replace(hour=hour, minute=0, second=0, microsecond=0)
    return (base + timedelta(days=days)).isoformat()


def registration(n: int | None = None, **kw) -> dict:
    """An employer's sign-up body (tests.factories.employer_body)."""
    return factories.employer_body(n if n is not None else next(_serial), **kw)


async def make_fair(organiser, world, *, kind="offline", days=10, booths=0, publish=True,
                    **kw) -> dict:
    if kind == "offline":
        body = {"kind": "offline", "title": "高校毕业生专场招聘会", "starts_at": at(days),
                "ends_at": at(days, 12), "venue": world["venue:西海岸新区人力资源市场"],
                "industries": ["software"], "audiences": ["graduates"]}
    else:
        body = {"kind": "online", "title": "职海冲浪·直播带岗", "starts_at": at(days, 19),
                "ends_at": at(days, 21), "channel": world["channel:职海冲浪"],
                "industries": ["logistics"], "audiences": ["general"]}
    body.update(kw)
    fair = await create_fair(organiser, body, publish=False)
    if booths:
        layout = [{"code": f"A{i + 1:02d}", "zone": "A", "x": i % 10, "y": i // 10}
                  for i in range(booths)]
        r = await organiser.put(f"/api/v1/fairs/{fair['id']}/booths", json={"booths": layout})
        assert r.status_code == 200, r.text
    if publish:
        await publish_fair(organiser, fair["id"])
    return fair


async def employers_with_tokens(count: int, start: int = 1000, approve: bool = True
                                ) -> list[dict]:
    """Register `count` employers through the service (fast), approve them, and give each a
    bearer token: [{"id", "user", "token"}]."""
    made = await factories.employers(count, start, approve=approve)
    return [{"id": e.id, "user": e.user, "token": e.token} for e in made]


def bearer_client(app, token: str):
    c = make_client(app)
    c.headers["authorization"] = f"Bearer {token}"
    return c


@pytest.fixture
async def organiser(new_client, world):
    return await login_as(new_client, "organiser")


@pytest.fixture
async def employer_clients(app, world):
    """A factory: n approved employers, each an httpx client with its bearer token."""
    made = []

    async def factory(n: int, start: int = 1000, approve: bool = True):
        emps = await employers_with_tokens(n, start, approve)
        clients = []
        for e in emps:
            c = bearer_client(app, e["token"])
            c.employer_id = e["id"]
            made.append(c)
            clients.append(c)
        return clients

    yield factory
    for c in made:
        await c.aclose()
