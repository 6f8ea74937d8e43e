"""Helpers every slice's tests share (the fixtures stay in tests/conftest.py)."""

from __future__ import annotations


async def create_fair(client, body: dict, publish: bool = True) -> dict:
    """A fair made through the API as an organiser does (201), and then published (200) unless
    `publish` is false: the fair as the API last answered."""
    made = await client.post("/api/v1/fairs", json=body)
    assert made.status_code == 201, made.text
    fair = made.json()
    if publish:
        fair = await publish_fair(client, fair["id"])
    return fair


async def publish_fair(client, fair_id: int) -> dict:
    published = await client.post(f"/api/v1/fairs/{fair_id}/publish")
    assert published.status_code == 200, published.text
    return published.json()
