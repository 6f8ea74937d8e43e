"""The accounts slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

LINKS = (OrganiserLink(92, "/organiser/orgs", N_("Organisations"),
                       N_("The tree of districts, areas and streets: add, rename, move, "
                          "deactivate")),)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


def connect() -> None:
    hooks.organiser_links.connect(organiser_links)
