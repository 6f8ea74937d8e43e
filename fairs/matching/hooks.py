"""The matching slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks): the
profile given with a registration and its part of the registration form, the retention run,
"Positions for you" on the ticket and fair pages, and the job seekers who fit on an employer's
positions page."""

from __future__ import annotations

from fairs import hooks

from . import pages, services


def connect() -> None:
    hooks.registration_profile.connect(services.given_with_registration)
    hooks.registration_form_sections.connect(pages.profile_form_section)
    hooks.retention_purge.connect(services.purge_profiles)
    hooks.ticket_sections.connect(pages.ticket_section)
    hooks.fair_sections.connect(pages.fair_section)
    hooks.employer_positions_sections.connect(pages.positions_section)
