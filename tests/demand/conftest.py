"""Fixtures for the demand tests: the demo's organisations and staff, approved employers with
bearer tokens (as httpx clients), and a need's body."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from fairs import clock
from tests import factories
from tests.conftest import login_as, make_client

_serial = itertools.count(1)


def need_body(**kw) -> dict:
    """A valid need: 3 welders, senior school, 6,000–8,000 a month, valid a month."""
    body = {"title": "电焊工", "headcount": 3, "education": "senior", "salary_min": 6000,
            "salary_max": 8000, "pay_unit": "month", "job_type": "regular", "skilled": True,
            "skills": "持焊工证",
            "valid_until": (clock.today_local() + timedelta(days=30)).isoformat()}
    body.update(kw)
    return body


async def add_need(client, employer_id: int, **kw) -> dict:
    made = await client.post(f"/api/v1/employers/{employer_id}/needs", json=need_body(**kw))
    assert made.status_code == 201, made.text
    return made.json()


@pytest.fixture
async def organiser(new_client, world):
    return await login_as(new_client, "organiser")


@pytest.fixture
async def staff_clients(new_client, world):
    """Logged-in clients of the demo staff: organiser (xha), gzk (below xha), jiaozhou (a
    sibling district) and admin."""
    return {name: await login_as(new_client, name)
            for name in ("organiser", "gzk", "jiaozhou", "admin")}


@pytest.fixture
async def employer_clients(app, world):
    """A factory: n approved employers (industry `industry`), each an httpx client with its
    bearer token and `employer_id`."""
    made = []

    async def factory(n: int, **fields):
        emps = await factories.employers(n, 20000 + next(_serial) * 100, **fields)
        clients = []
        for e in emps:
            c = make_client(app)
            c.headers["authorization"] = f"Bearer {e.token}"
            c.employer_id = e.id
            made.append(c)
            clients.append(c)
        return clients

    yield factory
    for c in made:
        await c.aclose()
