"""Fixtures of the service-level tests: the demo world and its staff as Principals (no app, no
HTTP: the services are called as the API handlers call them)."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
async def staff(world) -> dict:
    """admin, organiser (xha), gzk, jiaozhou, scanner (xha): Principals."""
    return await factories.staff()


@pytest.fixture
async def organiser(staff):
    return staff["organiser"]


@pytest.fixture
async def scanner(staff):
    return staff["scanner"]
