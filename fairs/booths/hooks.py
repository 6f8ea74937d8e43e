"""The booths slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks): counts
for fair answers, a booking's code at the door, a booking as a login may touch it (positions
hang on it), the employer's calendar, the calendar's jobs line, and its sections of the fair and
ticket pages."""

from __future__ import annotations

from fairs import hooks
from fairs.hooks import CalendarItem, FairCounts, FairJobs, HeldBooking, OrganiserLink
from fairs.i18n import N_

from . import bookings, counts, layouts, pages, posters, slots

LINKS = (
    OrganiserLink(45, "/organiser/booths", N_("Booths and guest slots"),
                  N_("Layouts, bookings and waitlists, livestream slots")),
)


def organiser_links() -> tuple[OrganiserLink, ...]:
    return LINKS


async def fair_counts(fair_ids: list[int]) -> dict[int, FairCounts]:
    return {fair_id: FairCounts(**found)
            for fair_id, found in (await counts.fair_counts(fair_ids)).items()}


async def booking_of(principal, kind: str, booking_id: int) -> HeldBooking | None:
    """fairs.hooks.booking_of: the booking (kind "booth") or slot booking ("slot"), read by the
    same rule as GET /api/v1/bookings/{id} and /api/v1/slot-bookings/{id} (404, 403)."""
    if kind == "booth":
        row = await bookings.get_booking(booking_id, principal)
        return HeldBooking(id=row["id"], kind="booth", fair=row["fair"],
                           employer=row["employer"], status=row["status"],
                           fair_title=row["fair_title"] or "", booth_code=row["booth_code"])
    if kind == "slot":
        row = await slots.get_slot_booking(booking_id, principal)
        return HeldBooking(id=row["id"], kind="slot", fair=row["fair"],
                           employer=row["employer"], status=row["status"],
                           fair_title=row["fair_title"] or "", starts_at=row["starts_at"])
    return None


async def employer_calendar(employer_id: int) -> list[CalendarItem]:
    return [CalendarItem(id=i["booking"], kind=i["kind"], fair=i["fair"], label=i["label"],
                         status=i["status"], title=i["title"], starts_at=i["starts_at"],
                         ends_at=i["ends_at"], place=i["place"])
            for i in await counts.employer_calendar_items(employer_id)]


async def fair_jobs(fair_ids: list[int]) -> dict[int, FairJobs]:
    return {fair_id: FairJobs(positions=jobs["positions"], headcount=jobs["headcount"])
            for fair_id, jobs in (await counts.jobs_summaries(fair_ids)).items()}


def connect() -> None:
    hooks.fair_counts.connect(fair_counts)
    hooks.door_codes.connect(bookings.resolve_code)
    hooks.booking_of.connect(booking_of)
    hooks.employer_calendar.connect(employer_calendar)
    hooks.fair_jobs.connect(fair_jobs)
    hooks.jobs_stamp.connect(counts.jobs_stamp)
    hooks.fair_sections.connect(pages.jobs_section)
    hooks.ticket_sections.connect(posters.ticket_interests_section)
    hooks.organiser_links.connect(organiser_links)
    hooks.fair_created.connect(layouts.default_layout)
