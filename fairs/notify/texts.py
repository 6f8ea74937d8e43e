"""What each message says: one msgid per template (rendered in the recipient's language when it
is sent, never stored as text), and the SMS segment count. Pure: no database, no HTTP."""

from __future__ import annotations

import math
from collections.abc import Mapping

from fairs.i18n import N_, placeholders, render

TEMPLATES: dict[str, str] = {
    "registered": N_("Registered: {fair}, {when}. Your ticket: {link}"),
    "ticket_resent": N_("Your ticket for {fair}, {when}: {link}"),
    "reminder_day": N_("Tomorrow {when}: {fair}. Bring your ticket. No more reminders: {stop}"),
    "reminder_hours": N_("Today {when}: {fair}. Bring your ticket. No more reminders: {stop}"),
    "fair_moved": N_("{fair} has moved to {when}, {place}."),
    "fair_cancelled": N_("{fair} ({when}) is cancelled. We are sorry."),
    "booking_confirmed": N_("Booth {booth} at {fair} ({when}) is confirmed."),
    "booking_waitlisted": N_("{fair} ({when}): you are on the waitlist, place {place}."),
    "booking_promoted": N_("A booth came free: booth {booth} at {fair} ({when}) is yours."),
    "booking_cancelled": N_("Your booking at {fair} ({when}) is cancelled."),
    "employer_approved": N_("{employer} is approved: you can now book booths at fairs."),
    "employer_rejected": N_("{employer} was not approved: {reason}"),
    "slot_changed": N_("Your guest slot at {fair} has changed: {when}."),
    "reminder_employer": N_("{fair} starts {when}, booth {booth}."),
    "test": N_("A test message from fairs."),
}

SUBJECTS: dict[str, str] = {
    "registered": N_("Your ticket"),
    "ticket_resent": N_("Your ticket"),
    "fair_moved": N_("A fair has moved"),
    "fair_cancelled": N_("A fair is cancelled"),
    "booking_confirmed": N_("Your booth is booked"),
    "booking_waitlisted": N_("You are on the waitlist"),
    "booking_promoted": N_("Your booth is booked"),
    "booking_cancelled": N_("Booking cancelled"),
    "employer_approved": N_("Registration approved"),
    "employer_rejected": N_("Registration not approved"),
    "slot_changed": N_("Guest slot changed"),
    "reminder_employer": N_("Reminder"),
    "test": N_("Test message"),
}

SEGMENT = 70  # characters in one SMS of Chinese text (UCS-2); a longer one is sent in parts
PART = 67  # characters in each part of a long message


def text(template: str, params: Mapping[str, object], locale: str) -> str:
    return render(TEMPLATES[template], dict(params), locale)


def names(template: str) -> list[str]:
    """The parameters a template's text uses (what a gateway's template is given)."""
    return sorted(placeholders(TEMPLATES[template]))


def subject(template: str, locale: str) -> str:
    return render(SUBJECTS.get(template, TEMPLATES[template]), None, locale)


def segments(body: str) -> int:
    """How many SMS parts a text takes (one up to 70 characters, else parts of 67)."""
    return 1 if len(body) <= SEGMENT else math.ceil(len(body) / PART)
