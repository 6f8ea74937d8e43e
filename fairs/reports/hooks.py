"""The reports slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

from . import pages

LINKS = (OrganiserLink(35, "/organiser/reports", N_("Reports"),
                       N_("The official measures: events, employers, openings, job seekers, "
                          "intentions; Excel and CSV.")),)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


def connect() -> None:
    hooks.ticket_sections.connect(pages.ticket_intentions_section)
    hooks.fair_sections.connect(pages.fair_summary_section)
    hooks.organiser_links.connect(organiser_links)
