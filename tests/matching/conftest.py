"""A fair for the matching tests: two zones of booths (A at the front, B behind), three
employers of different industries and five positions whose scores for SEEKER are worked out by
hand in test_matches.py."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests import factories
from tests.conftest import login_as
from tests.employers.conftest import bearer_client, make_fair

LAYOUT = ([{"code": f"A{i:02d}", "zone": "A", "x": i - 1, "y": 0} for i in range(1, 5)]
          + [{"code": f"B{i:02d}", "zone": "B", "x": i - 1, "y": 1} for i in range(1, 5)])
# title: (employer, booth, position fields)
POSITIONS = {
    "python": ("soft", "B02", {"title": "Python 开发工程师", "education": "bachelor",
                               "job_type": "regular", "salary_min": 8000,
                               "salary_max": 15000}),
    "tester": ("soft", "B02", {"title": "测试工程师", "education": "college",
                               "job_type": "regular", "salary_min": 6000,
                               "salary_max": 8000}),
    "stores": ("logi", "A01", {"title": "仓库管理员", "education": "senior",
                               "job_type": "regular", "salary_min": 5000,
                               "salary_max": 6000}),
    "banker": ("fin", "A03", {"title": "客户经理", "education": "master",
                              "job_type": "regular", "salary_min": 10000,
                              "salary_max": 20000}),
    "forklift": ("logi", "A01", {"title": "叉车司机", "education": "junior",
                                 "job_type": "gig", "salary_min": 180, "salary_max": 200,
                                 "pay_unit": "day"}),
}
INDUSTRY = {"soft": "software", "logi": "logistics", "fin": "finance"}
SEEKER = {"industries": ["software", "logistics"], "education": "bachelor",
          "job_types": ["regular"], "expected_pay": 7000, "districts": ["xha"],
          "major": "计算机科学", "consent_contact": True}


@dataclass
class Market:
    fair: dict
    organiser: object
    employers: dict = field(default_factory=dict)  # key -> client (with .employer_id)
    bookings: dict = field(default_factory=dict)  # key -> booking id
    positions: dict = field(default_factory=dict)  # key -> position id


async def build_market(app, new_client, world, *, days: float = 10) -> Market:
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, days=days, publish=False)
    r = await organiser.put(f"/api/v1/fairs/{fair['id']}/booths", json={"booths": LAYOUT})
    assert r.status_code == 200, r.text
    r = await organiser.post(f"/api/v1/fairs/{fair['id']}/publish")
    assert r.status_code == 200, r.text
    market = Market(fair=r.json(), organiser=organiser)
    for key, industry in INDUSTRY.items():
        made = await factories.employer(token=True, industry=industry)
        c = bearer_client(app, made.token)
        c.employer_id = made.id
        market.employers[key] = c
    for key, (owner, booth, fields) in POSITIONS.items():
        c = market.employers[owner]
        if owner not in market.bookings:
            b = await c.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": booth})
            assert b.status_code == 201, b.text
            market.bookings[owner] = b.json()["id"]
        p = await c.post(f"/api/v1/bookings/{market.bookings[owner]}/positions",
                         json={"headcount": 2, **fields})
        assert p.status_code == 201, p.text
        market.positions[key] = p.json()["id"]
    return market


@pytest.fixture
async def market(app, new_client, world):
    m = await build_market(app, new_client, world)
    yield m
    for c in m.employers.values():
        await c.aclose()


async def register(client, fair_id: int, profile: dict | None = None, **kw) -> dict:
    body = {"name": kw.pop("name", "李雷"), "phone": kw.pop("phone", None) or factories.phone(),
            **kw}
    if profile is not None:
        body["profile"] = profile
    r = await client.post(f"/api/v1/fairs/{fair_id}/registrations", json=body)
    assert r.status_code == 201, r.text
    return r.json()["ticket"]
