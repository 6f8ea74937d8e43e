"""The plans slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

LINKS = (OrganiserLink(30, "/organiser/plans", N_("Plans and targets"),
                       N_("Targets, progress and the planner")),)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


def connect() -> None:
    hooks.organiser_links.connect(organiser_links)
