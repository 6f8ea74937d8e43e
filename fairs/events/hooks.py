"""The events slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

from . import pages

LINKS = (OrganiserLink(20, "/organiser/fairs", N_("Fairs"),
                       N_("Create, publish and cancel your fairs")),)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


def connect() -> None:
    hooks.home_sections.connect(pages.upcoming_section)
    hooks.organiser_links.connect(organiser_links)
