"""The employers slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

from . import services

LINKS = (
    OrganiserLink(40, "/organiser/employers", N_("Employers"),
                  N_("Approve companies that registered")),
    OrganiserLink(46, "/organiser/no-shows", N_("No-show ledger"),
                  N_("Employers who did not come, and the booking rules")),
)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


def connect() -> None:
    hooks.employer_of_user.connect(services.employer_of_user)
    hooks.organiser_links.connect(organiser_links)
