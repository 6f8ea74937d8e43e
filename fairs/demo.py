"""The demo data set: the West Coast New Area's bureau, its areas and streets, staff, venues and
livestream channels; later slices add fairs, employers and tickets through their own `demo.py`.

Idempotent: every step looks for its rows by their natural keys before it adds them. Dates are
computed from today, so the story holds whenever the demo is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

from fairs import clock
from fairs.accounts.tables import User

# Each step: a module with `async def load(ctx: DemoContext) -> None`, run in this order.
DEMO_STEPS = [
    "fairs.accounts.demo",
    "fairs.catalog.demo",
    "fairs.events.demo",
    "fairs.plans.demo",
    "fairs.employers.demo",
    "fairs.booths.demo",
    "fairs.tickets.demo",
    "fairs.checkin.demo",
    "fairs.reports.demo",
    "fairs.matching.demo",
    "fairs.followup.demo",
    "fairs.demand.demo",
    "fairs.outreach.demo",
]


@dataclass
class DemoContext:
    today: date = field(default_factory=clock.today_local)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)


async def database_is_empty() -> bool:
    return await User.count() == 0


async def load(today: date | None = None) -> list[tuple[str, str, str]]:
    from fairs.slices import connect_hooks

    connect_hooks()  # the demo runs services without building the app
    ctx = DemoContext(today=today or clock.today_local())
    for name in DEMO_STEPS:
        await import_module(name).load(ctx)
    return ctx.logins
