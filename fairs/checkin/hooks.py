"""The check-in slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

from . import live, services

LINKS = (OrganiserLink(60, "/scan", N_("Door check-in"),
                       N_("Scan tickets, admit walk-ins, show the live wall")),)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


def connect() -> None:
    hooks.fair_counts.connect(services.checked_in_counts)
    hooks.attendance_changed.connect(live.changed)
    hooks.organiser_links.connect(organiser_links)
