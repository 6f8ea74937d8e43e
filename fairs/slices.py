"""The slices, in the order their routes are registered. A new slice adds one line here."""

from __future__ import annotations

from importlib import import_module

SLICES = [
    "fairs.site",
    "fairs.accounts.api",
    "fairs.accounts.pages",
    "fairs.catalog.api",
    "fairs.catalog.pages",
]


def route_handlers() -> list:
    handlers: list = []
    for name in SLICES:
        module = import_module(name)
        handlers.extend(getattr(module, "ROUTES", []))
    return handlers
