"""The demand slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import OrganiserLink
from fairs.i18n import N_

from . import needs

LINKS = (
    OrganiserLink(42, "/organiser/needs", N_("Employers' needs"),
                  N_("Review and publish needs; survey an employer's needs and staff")),
    OrganiserLink(37, "/organiser/vacancy", N_("Vacancy monitor"),
                  N_("Open headcount against staff by industry and district; the largest "
                     "gaps")),
)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


async def on_happened(happening: hooks.Happening) -> None:
    """An employer rejected (its approval withdrawn): its published needs leave the catalogue."""
    if happening.kind == "employer.rejected" and happening.subject is not None:
        await needs.employer_rejected(happening.subject)


def connect() -> None:
    hooks.organiser_links.connect(organiser_links)
    hooks.happened.connect(on_happened)
