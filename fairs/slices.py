"""The slices, in the order their routes are registered, and the modules that connect their
receivers of fairs.hooks. A new slice adds a line to each list here."""

from __future__ import annotations

from importlib import import_module

SLICES = [
    "fairs.site",
    "fairs.accounts.api",
    "fairs.accounts.pages",
    "fairs.catalog.api",
    "fairs.catalog.pages",
    "fairs.events.api",
    "fairs.events.pages",
    "fairs.plans.api",
    "fairs.plans.pages",
    "fairs.employers.api",
    "fairs.employers.pages",
    "fairs.booths.api",
    "fairs.booths.pages",
    "fairs.booths.posters",
    "fairs.tickets.api",
    "fairs.tickets.pages",
    "fairs.checkin.api",
    "fairs.checkin.pages",
    "fairs.calendar.api",
    "fairs.calendar.pages",
    "fairs.reports.api",
    "fairs.reports.pages",
    "fairs.audit.api",
    "fairs.audit.pages",
    "fairs.notify.api",
    "fairs.notify.pages",
    "fairs.matching.api",
    "fairs.matching.pages",
    "fairs.followup.api",
    "fairs.followup.pages",
    "fairs.demand.api",
    "fairs.demand.pages",
    "fairs.outreach.api",
    "fairs.outreach.pages",
]


def route_handlers() -> list:
    handlers: list = []
    for name in SLICES:
        module = import_module(name)
        handlers.extend(getattr(module, "ROUTES", []))
    return handlers


# Each connects its slice's receivers of fairs.hooks (`connect()`), in this order.
HOOKS = [
    "fairs.accounts.hooks",
    "fairs.events.hooks",
    "fairs.plans.hooks",
    "fairs.catalog.hooks",
    "fairs.employers.hooks",
    "fairs.booths.hooks",
    "fairs.tickets.hooks",
    "fairs.checkin.hooks",
    "fairs.calendar.hooks",
    "fairs.reports.hooks",
    "fairs.audit.hooks",
    "fairs.notify.hooks",
    "fairs.matching.hooks",
    "fairs.followup.hooks",
    "fairs.demand.hooks",
    "fairs.outreach.hooks",
]


def connect_hooks() -> None:
    """Connect every slice's receivers, once per process (calling it again changes nothing).
    create_app, the CLI, the demo and the tests call it; nothing is connected by importing."""
    from fairs import hooks

    if hooks.connected():
        return
    for name in HOOKS:
        import_module(name).connect()
    hooks.mark_connected()
