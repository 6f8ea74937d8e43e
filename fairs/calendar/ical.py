"""iCalendar text for fairs: pure functions, no database and no HTTP.

A feed is assembled from pieces: a head (the VCALENDAR's properties and the Asia/Shanghai
VTIMEZONE, trimmed to the years the events need), one serialised VEVENT per fair (built by
`icalendar`, which escapes text and folds lines at 75 octets without splitting a UTF-8
character), and the closing line. A piece depends only on its event, so it is built once per
revision of the fair and reused by every feed that holds it.

icalendar 7.3 traps avoided here: `Calendar.new()` adds a random UID on every call (the body and
its ETag would change), so the calendar is made with `Calendar()`; its `refresh_interval` setter
omits VALUE=DURATION, so the property is added by hand; the VTIMEZONE is made with
`Timezone.from_tzid(first_date=, last_date=)` so it is trimmed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from fairs import clock  # the one clock: a pure module of its own, no app

TZID = "Asia/Shanghai"
TZ = ZoneInfo(TZID)
PRODID = "-//fairs//Recruitment fairs calendar//ZH"
REFRESH = timedelta(hours=6)
FOOT = b"END:VCALENDAR\r\n"
CANCELLED_PREFIX = "【已取消】"
KIND_ZH = {"offline": "线下招聘会", "online": "网络招聘会"}
ITEM_KIND_ZH = {"booth": "展位", "slot": "直播带岗"}
STATUS_MAP = {"confirmed": "CONFIRMED", "published": "CONFIRMED", "cancelled": "CANCELLED",
              "waitlisted": "TENTATIVE", "tentative": "TENTATIVE"}


@dataclass
class EventData:
    """What one VEVENT says. Times are aware datetimes; `stamp` is the last change (DTSTAMP)."""

    uid: str
    sequence: int
    stamp: datetime
    start: datetime
    end: datetime
    summary: str
    status: str = "CONFIRMED"  # CONFIRMED | TENTATIVE | CANCELLED
    location: str = ""
    url: str = ""
    description: str = ""
    categories: list[str] = field(default_factory=list)
    created: datetime | None = None
    # Reminders (VALARM, ACTION:DISPLAY) this long before the start: only in a holder's own
    # calendar file, never in a shared feed (a subscriber chooses their own).
    alarms: tuple[timedelta, ...] = ()
    alarm_text: str = ""


_CONTROL = dict.fromkeys([*range(0, 9), *range(11, 32), 127])  # keeps TAB and LF


def clean(text: str) -> str:
    """RFC 5545 allows no control characters in text (strict parsers reject the whole feed);
    CR LF becomes LF, which icalendar escapes as \\n."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)


def utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TZ).replace(microsecond=0)


def event_ics(ev: EventData) -> bytes:
    """One VEVENT, serialised with CRLF endings and folded lines."""
    e = icalendar.Event()
    e.add("uid", ev.uid)
    e.add("sequence", max(0, int(ev.sequence)))
    e.add("dtstamp", utc(ev.stamp))
    if ev.created is not None:
        e.add("created", utc(ev.created))
    e.add("last-modified", utc(ev.stamp))
    e.add("dtstart", local(ev.start))
    e.add("dtend", local(ev.end))
    summary = clean(ev.summary).strip()
    if ev.status == "CANCELLED" and not summary.startswith(CANCELLED_PREFIX):
        summary = CANCELLED_PREFIX + summary
    e.add("summary", summary)
    if ev.location:
        e.add("location", clean(ev.location))
    if ev.url:
        e.add("url", clean(ev.url))
    if ev.description:
        e.add("description", clean(ev.description))
    if ev.categories:
        e.add("categories", [clean(c) for c in ev.categories if c])
    e.add("status", ev.status)
    # A cancelled event shows as free time; the rest as busy.
    e.add("transp", "TRANSPARENT" if ev.status == "CANCELLED" else "OPAQUE")
    e.add("class", "PUBLIC")
    if ev.status != "CANCELLED":
        for before in ev.alarms:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", clean(ev.alarm_text or summary))
            alarm.add("trigger", -before)  # relative to DTSTART: -P1D, -PT2H
            e.add_component(alarm)
    return e.to_ical()


@functools.lru_cache(maxsize=256)
def head(name: str, first_year: int, last_year: int,
         refresh_seconds: int = int(REFRESH.total_seconds()),
         description: str = "") -> bytes:
    """The calendar's opening: its properties and the VTIMEZONE for [first_year, last_year]."""
    cal = icalendar.Calendar()  # not Calendar.new(): no random UID
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = clean(name).replace("\n", " ")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    if description:
        cal.add("description", description)
        cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", TZID)
    refresh = timedelta(seconds=refresh_seconds)
    cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(refresh).to_ical().decode())
    cal.add_component(icalendar.Timezone.from_tzid(
        TZID, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)))
    text = cal.to_ical()
    assert text.endswith(FOOT)
    return text[: -len(FOOT)]


def years(first: datetime | None, last: datetime | None) -> tuple[int, int]:
    """The years (China time) a VTIMEZONE must cover for events from `first` to `last`."""
    today = clock.today_local().year
    a = local(first).year if first else today
    b = local(last).year if last else a
    return min(a, b), max(a, b)


def assemble(head_bytes: bytes, pieces: Iterable[bytes]) -> bytes:
    return b"".join((head_bytes, *pieces, FOOT))


# --- from the service's rows to events ------------------------------------------------------


def fair_uid(fair_id: int, host: str) -> str:
    return f"fair-{fair_id}@{host}"


def jobs_line(jobs: dict | None) -> str:
    if not jobs or not jobs.get("positions"):
        return ""
    line = f"岗位：{jobs['positions']} 个"
    if jobs.get("headcount"):
        line += f"，招聘 {jobs['headcount']} 人"
    return line


def fair_location(fair: dict) -> str:
    if fair.get("kind") == "online":
        url = fair.get("stream_url") or fair.get("channel_url") or ""
        name = fair.get("channel_name") or ""
        return " ".join(p for p in (name, url) if p)
    parts = [fair.get("venue_name") or "", fair.get("venue_address") or ""]
    return "，".join(p for p in parts if p)


def fair_event(fair: dict, *, host: str, base_url: str, industries: Sequence[str] = (),
               audiences: Sequence[str] = (), jobs: dict | None = None) -> EventData:
    """A fair as an event. `fair` carries the fair's columns plus org_name, venue_name,
    venue_address, channel_name, channel_url; `industries`/`audiences` are display names."""
    url = f"{base_url}/fairs/{fair['id']}"
    cancelled = fair["status"] == "cancelled"
    lines = [f"类型：{KIND_ZH.get(fair['kind'], fair['kind'])}"]
    if fair.get("org_name"):
        lines.append(f"主办：{fair['org_name']}")
    if industries:
        lines.append("行业：" + "、".join(industries))
    if audiences:
        lines.append("面向：" + "、".join(audiences))
    if jl := jobs_line(jobs):
        lines.append(jl)
    if cancelled and fair.get("cancel_reason"):
        lines.append(f"已取消：{fair['cancel_reason']}")
    lines.append(f"详情：{url}")
    return EventData(
        uid=fair_uid(fair["id"], host),
        sequence=fair.get("revision") or 0,
        stamp=fair["updated_at"],
        created=fair.get("created_at"),
        start=fair["starts_at"],
        end=fair["ends_at"],
        summary=fair["title"],
        status="CANCELLED" if cancelled else "CONFIRMED",
        location=fair_location(fair),
        url=url,
        description="\n".join(lines),
        categories=["招聘会", KIND_ZH.get(fair["kind"], ""), *industries, *audiences],
    )


def employer_event(item: dict, fair: dict | None, *, host: str, base_url: str,
                   employer_id: int) -> EventData:
    """One of an employer's own booked booths or guest slots (see services.employer_feed)."""
    fair = fair or {}
    fair_id = item.get("fair") or fair.get("id")
    kind = item.get("kind") or "booth"
    item_id = item.get("id") or item.get("booking") or fair_id
    status = str(item.get("status") or "confirmed").lower()
    if fair.get("status") == "cancelled" or item.get("fair_status") == "cancelled":
        status = "cancelled"
    label = item.get("label") or item.get("booth") or item.get("slot") or ""
    title = item.get("title") or fair.get("title") or ""
    what = ITEM_KIND_ZH.get(kind, "")
    summary = f"{title}（{what} {label}）" if label else title
    if status == "waitlisted":
        summary = f"{summary}（候补）"
    url = f"{base_url}/fairs/{fair_id}" if fair_id else ""
    lines = [f"{what}：{label}" if label else what]
    if fair.get("kind"):
        lines.insert(0, f"类型：{KIND_ZH.get(fair['kind'], fair['kind'])}")
    if url:
        lines.append(f"详情：{url}")
    stamps = [s for s in (item.get("updated_at"), fair.get("updated_at")) if s]
    stamp = max(utc(s) for s in stamps) if stamps else utc(item["starts_at"])
    sequence = item.get("sequence")
    if sequence is None:
        sequence = fair.get("revision") or 0
    return EventData(
        uid=f"employer-{employer_id}-{kind}-{item_id}@{host}",
        sequence=sequence,
        stamp=stamp,
        start=item.get("starts_at") or fair["starts_at"],
        end=item.get("ends_at") or fair["ends_at"],
        summary=summary,
        status=STATUS_MAP.get(status, "CONFIRMED"),
        location=item.get("place") or fair_location(fair),
        url=url,
        description="\n".join(line for line in lines if line),
        categories=["招聘会", what],
    )


def file_name(title: str, fallback: str) -> tuple[str, str]:
    """A calendar file's name from a fair's title: (an ASCII name for `filename=`, the full
    name for RFC 5987's `filename*=`). Characters a file system refuses are dropped."""
    name = "".join(" " if c in '\\/:*?"<>|' or ord(c) < 32 or ord(c) == 127 else c
                   for c in clean(title)).strip(" .")
    name = " ".join(name.split())[:80] or fallback
    ascii_name = "".join(c for c in name if c.isascii()).strip(" .-")
    ascii_name = "-".join(ascii_name.split()) if len(ascii_name) >= 3 else fallback
    return f"{ascii_name}.ics", f"{name}.ics"


def unfold(text: str) -> list[str]:
    """The logical lines of an iCalendar text (for tests and tools)."""
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")
