"""The audit slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

from . import services

LINKS = (OrganiserLink(95, "/organiser/audit", N_("Audit log"),
                       N_("Who changed what, and when")),)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


def connect() -> None:
    hooks.organiser_links.connect(organiser_links)
    hooks.audit.connect(services.record)
