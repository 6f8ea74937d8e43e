"""Helpers every slice's tests share (the fixtures stay in tests/conftest.py)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from fairs.i18n import TZ

WINDOWS = ("booking_opens_at", "booking_closes_at", "registration_opens_at",
           "registration_closes_at")
_history = itertools.count(1)


def _aware(value) -> datetime:
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=TZ)


async def create_fair(client, body: dict, publish: bool = True) -> dict:
    """A fair made through the API as an organiser does (201), and then published (200) unless
    `publish` is false: the fair as the API last answered.

    A fair that ends in the past is history: the service refuses to make one (it would count as
    held at once), so it is made in the far future and then moved back by hand, as the demo
    records its history."""
    ends_at = _aware(body["ends_at"])
    if ends_at > datetime.now(TZ):
        made = await client.post("/api/v1/fairs", json=body)
        assert made.status_code == 201, made.text
        fair = made.json()
        if publish:
            fair = await publish_fair(client, fair["id"])
        return fair
    shift = timedelta(days=3650 + 20 * next(_history))
    times = {k: _aware(body[k]) for k in ("starts_at", "ends_at", *WINDOWS) if body.get(k)}
    later = {**body, **{k: (v + shift).isoformat() for k, v in times.items()}}
    fair = await create_fair(client, later, publish)
    await move_fair(fair["id"], **times)
    answer = await client.get(f"/api/v1/fairs/{fair['id']}")
    assert answer.status_code == 200, answer.text
    return answer.json()


async def move_fair(fair_id: int, **times: datetime) -> None:
    """Set a fair's times in the database directly (history, or a fair happening now)."""
    from tests import factories

    await factories.move_fair(fair_id, **times)


async def publish_fair(client, fair_id: int) -> dict:
    published = await client.post(f"/api/v1/fairs/{fair_id}/publish")
    assert published.status_code == 200, published.text
    return published.json()
