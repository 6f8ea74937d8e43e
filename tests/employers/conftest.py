"""Fixtures for the employers and booths tests: fairs, approved employers with bearer tokens."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from stdnum.cn import uscc as stdnum_uscc

from fairs.i18n import TZ
from tests.conftest import login_as, make_client
from tests.helpers import create_fair, publish_fair

_serial = itertools.count(1)


def make_uscc(n: int) -> str:
    """A valid 统一社会信用代码: 91 + region 370211 + 9 characters + the check digit."""
    body = f"91370211{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def at(days: float, hour: int = 9) -> str:
    base = datetime.now(TZ).replace(hour=hour, minute=0, second=0, microsecond=0)
    return (base + timedelta(days=days)).isoformat()


def registration(n: int | None = None, **kw) -> dict:
    n = n if n is not None else next(_serial)
    body = {"name": f"青岛测试企业{n}有限公司", "uscc": make_uscc(n), "industry": "software",
            "contact_name": "王经理", "contact_phone": f"1381234{n % 10000:04d}",
            "username": f"hr{n}", "password": "employer-pass-1"}
    body.update(kw)
    return body


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
    from fairs.accounts import services as accounts
    from fairs.employers import services as employers
    from fairs.employers.tables import Employer

    out = []
    for n in range(start, start + count):
        made = await employers.register(**registration(n))
        principal = await accounts.principal_by_id(made["user"])
        token = (await accounts.create_token(principal, "test"))["token"]
        out.append({"id": made["id"], "user": made["user"], "token": token})
    if approve:
        await Employer.update({Employer.status: "approved"}).where(
            Employer.id.is_in([e["id"] for e in out]))
    return out


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
