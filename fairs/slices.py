"""The slices, in the order their routes are registered. A new slice adds one line here."""

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
]


def route_handlers() -> list:
    handlers: list = []
    for name in SLICES:
        module = import_module(name)
        handlers.extend(getattr(module, "ROUTES", []))
    return handlers
