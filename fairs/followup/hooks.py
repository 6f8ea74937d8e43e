"""The followup slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

from . import tasks

LINKS = (
    OrganiserLink(37, "/organiser/followups", N_("Follow-up calls"),
                  N_("Call job seekers 7, 30 and 90 days after a hiring intention and record "
                     "whether they were hired.")),
    OrganiserLink(38, "/organiser/followups/graduates", N_("Graduates' follow-up"),
                  N_("Named follow-up of college graduates who left a fair with a hiring "
                     "intention.")),
)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


def connect() -> None:
    hooks.intention_recorded.connect(tasks.on_intention)
    hooks.organiser_links.connect(organiser_links)
