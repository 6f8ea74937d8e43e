"""The followup slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

from . import tasks

LINKS = (
    OrganiserLink(37, "/organiser/followups", N_("Follow-up calls"),
                  N_("Call job seekers 7, 30 and 90 days after a hiring intention and record "
                     "whether they were hired; graduates' named follow-up.")),
)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


def connect() -> None:
    hooks.intention_recorded.connect(tasks.on_intention)
    hooks.organiser_links.connect(organiser_links)
