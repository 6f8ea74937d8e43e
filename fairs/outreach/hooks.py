"""The outreach slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from typing import Any

from fairs import clock, hooks
from fairs.hooks import OrganiserLink, PageSection
from fairs.i18n import N_

from . import officers, scope, services

LINKS = (
    OrganiserLink(41, "/organiser/services", N_("Employer services"),
                  N_("The ledger of visits, calls, symposiums and policy help; who is not "
                     "contacted yet")),
    OrganiserLink(42, "/organiser/officers/me", N_("My employers"),
                  N_("The employers you are officer of: last contact and follow-ups")),
)
SECTION_SERVICES = 100  # the services shown on the employer's page (the ledger has them all)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


async def employer_section(request: Any, employer: dict) -> PageSection | None:
    """The employer's services (服务记录) and officers on its back-office page, with the forms
    to record a service and assign an officer: for the organisers who serve it."""
    principal = request.scope.get("user")
    if not await scope.covers(principal, employer["id"]):
        return None
    items, total = await services.employer_services(principal, employer["id"],
                                                    SECTION_SERVICES)
    return PageSection(template="outreach/_employer_section.html", order=20, context={
        "employer": employer, "services": items, "total": total,
        "officers": await officers.officers_of(principal, employer["id"]),
        "staff": await officers.assignable(principal),
        "kinds": services.KINDS, "topics": services.TOPICS, "today": clock.today_local(),
        "notes_max": services.NOTES_MAX})


def connect() -> None:
    hooks.organiser_links.connect(organiser_links)
    hooks.employer_sections.connect(employer_section)
