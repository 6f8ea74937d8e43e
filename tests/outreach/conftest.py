"""The outreach tests' world: the demo's organisations and staff; employer A, which booked at a
fair of xha (so xha's organisers serve it); employers B and C, which never booked, with xha's
organiser made their officer by the admin (a first contact); a helper for a fair attendance on
a given day (a booth checked in at the door, then the fair moved to that day)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest

from fairs import clock
from fairs.i18n import TZ
from tests import factories
from tests.conftest import login_as

_ahead = itertools.count()


@dataclass
class Outreach:
    organiser: object  # xha's organiser (client)
    gzk: object  # the sub-area gzk's organiser
    jiaozhou: object  # the sibling district's organiser
    admin: object
    scanner: object
    world: dict
    staff: dict
    a: factories.Employer
    b: factories.Employer
    c: factories.Employer
    fair: dict  # the xha fair A booked (upcoming)
    ids: dict = field(default_factory=dict)


def days_ago(n: int) -> date:
    return clock.today_local() - timedelta(days=n)


async def ok(response, status=(200, 201)):
    assert response.status_code in ((status,) if isinstance(status, int) else status), \
        response.text
    return response.json() if response.content else None


async def record(client, employer_id: int, kind: str, on: date, **kw) -> dict:
    return await ok(await client.post(f"/api/v1/employers/{employer_id}/services",
                                      json={"kind": kind, "on": on.isoformat(), **kw}), 201)


async def attend(organiser_principal, world: dict, employer: factories.Employer, day: date,
                 client) -> int:
    """`employer` present at a fair of xha held on `day` (China time): a fair made ahead, the
    employer's booth booked, the fair moved to now, the booking's code scanned at the door by
    `client` (an organiser), the fair moved back to `day`. -> the fair's id."""
    fair = await factories.fair(organiser_principal, world, booths=2,
                                start=60 * 24 * (40 + next(_ahead)))
    booking = await factories.booking(employer, fair["id"], "A01")
    now = clock.now()
    await factories.move_fair(fair["id"], starts_at=now - timedelta(minutes=30),
                              ends_at=now + timedelta(hours=2))
    scanned = await ok(await client.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                         json={"code": booking["code"]}))
    assert scanned["result"] == "ok", scanned
    start = datetime.combine(day, time(9), tzinfo=TZ)
    await factories.move_fair(fair["id"], starts_at=start, ends_at=start + timedelta(hours=3))
    return fair["id"]


@pytest.fixture
async def out(new_client, world) -> Outreach:
    staff = await factories.staff()
    a, b, c = [await factories.employer(n, token=True) for n in (8101, 8102, 8103)]
    fair = await factories.fair(staff["organiser"], world, booths=4)
    await factories.booking(a, fair["id"], "A02")
    clients = {name: await login_as(new_client, name)
               for name in ("organiser", "gzk", "jiaozhou", "admin", "scanner")}
    organiser_id = staff["organiser"].id
    for e in (b, c):  # first contact: the admin makes xha's organiser their officer
        await ok(await clients["admin"].post(f"/api/v1/employers/{e.id}/officers",
                                             json={"user": organiser_id}), 201)
    return Outreach(organiser=clients["organiser"], gzk=clients["gzk"],
                    jiaozhou=clients["jiaozhou"], admin=clients["admin"],
                    scanner=clients["scanner"], world=world, staff=staff, a=a, b=b, c=c,
                    fair=fair)


def employer_client(new_client, employer: factories.Employer):
    c = new_client()
    c.headers["authorization"] = f"Bearer {employer.token}"
    return c
