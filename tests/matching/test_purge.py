"""Profiles are deleted by the retention run (fairs.tickets.retention.purge, through
fairs.hooks.retention_purge) with the registration's own personal data, as the consent text
says: FAIRS_RETENTION_DAYS after the fair ends, and at once once the registration is
cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta

from fairs import db
from fairs.i18n import TZ
from fairs.tickets import retention
from tests.conftest import login_as
from tests.helpers import move_fair
from tests.matching.conftest import SEEKER, register
from tests.tickets.helpers import make_fair


async def profiles() -> dict[int, int]:
    rows = await db.fetch("SELECT registration, fair FROM seeker_profile")
    return {r["registration"]: r["fair"] for r in rows}


async def test_the_retention_run_deletes_profiles(client, new_client, world):
    organiser = await login_as(new_client, "organiser")
    old = await make_fair(organiser, world, title="半年前", start=60 * 24 * 2,
                          end=60 * 24 * 2 + 180)
    recent = await make_fair(organiser, world, title="上个月", start=60 * 24 * 3,
                             end=60 * 24 * 3 + 180)
    coming = await make_fair(organiser, world, title="下周", start=60 * 24 * 7,
                             end=60 * 24 * 7 + 180)
    await register(client, old["id"], SEEKER)
    await register(client, recent["id"], SEEKER)
    kept = await register(client, coming["id"], SEEKER)
    gone = await register(client, coming["id"], SEEKER)
    assert (await client.delete(f"/api/v1/tickets/{gone['secret']}")).status_code == 204
    now = datetime.now(TZ)
    await move_fair(old["id"], starts_at=now - timedelta(days=200, hours=4),
                    ends_at=now - timedelta(days=200))
    await move_fair(recent["id"], starts_at=now - timedelta(days=30, hours=4),
                    ends_at=now - timedelta(days=30))
    assert len(await profiles()) == 4

    dry = await retention.purge(180, dry_run=True)
    assert dry.others == {"profiles": 2} and len(await profiles()) == 4
    done = await retention.purge(180)
    assert done.others == {"profiles": 2} and done.registrations == 1
    assert sorted(set((await profiles()).values())) == [recent["id"], coming["id"]]
    left = await client.get(f"/api/v1/tickets/{kept['secret']}/profile")
    assert left.status_code == 200
    assert (await retention.purge(180)).others == {"profiles": 0}  # nothing more
