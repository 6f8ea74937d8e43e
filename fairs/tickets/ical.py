"""A minimal iCalendar file for a ticket holder's fair (until the calendar slice serves it:
fairs.calendar.services). Pure: takes the fair's row, returns bytes. Stable UID per fair,
SEQUENCE from the fair's revision, STATUS:CANCELLED for a cancelled fair."""

from __future__ import annotations

from icalendar import Calendar, Event


def fair_ics(fair: dict, host: str = "fairs.local", url: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//fairs//tickets//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"fair-{fair['id']}@{host}")
    event.add("dtstamp", fair.get("updated_at") or fair["starts_at"])
    event.add("dtstart", fair["starts_at"])
    event.add("dtend", fair["ends_at"])
    event.add("summary", fair["title"])
    place = " ".join(p for p in (fair.get("venue_name"), fair.get("venue_address")) if p)
    if place:
        event.add("location", place)
    elif fair.get("stream_url") or fair.get("channel_url"):
        event.add("location", fair.get("stream_url") or fair.get("channel_url"))
    if url:
        event.add("url", url)
    event.add("sequence", int(fair.get("revision") or 0))
    event.add("status", "CANCELLED" if fair["status"] == "cancelled" else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()
