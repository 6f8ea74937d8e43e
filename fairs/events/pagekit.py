"""What the fair pages share, public and organiser's: the names of kinds, formats and
statuses, formatting of times, parsing of forms and queries, the catalogue for the filters and
the form, and the helpers every fair template uses (`ev`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.dates import format_skeleton
from litestar.params import QueryParameter

from fairs import bounds, clock, i18n, labels
from fairs.accounts import services as accounts
from fairs.catalog import services as catalog
from fairs.catalog.reference import INDUSTRY_GROUPS
from fairs.errors import FieldError, Invalid
from fairs.i18n import N_, TZ

from . import services

PAGE_SIZE = 20
ORGANISER_PAGE_SIZE = 50

KIND_NAMES = labels.FAIR_KIND
FORMAT_NAMES = {
    "special": N_("Special fair"),
    "campus": N_("Campus talent tour"),
    "spring-breeze": N_("Spring Breeze campaign"),
    "matchmaking": N_("Supply-demand matchmaking"),
    "general": N_("General fair"),
    "livestream": N_("Livestream hiring"),
    "outreach": N_("Outreach to firms, parks, villages and communities"),
}
STATUS_NAMES = labels.FAIR_STATUS
# The events service's field messages, marked so that they are shown translated.
SERVICE_MESSAGES = [
    N_("must be after starts_at"), N_("a fair lasts at most 14 days"),
    N_("an offline fair needs a venue"), N_("an online fair needs a channel"),
    N_("unknown venue"), N_("unknown channel"), N_("say why the fair is cancelled"),
    N_("must be an http(s) address"), N_("required"), N_("must be after booking_opens_at"),
    N_("must be after registration_opens_at"), N_("at most 300 characters"),
    N_("1 to 1,000,000"), N_("at most 20,000 characters"), N_("at most 1,000 characters"),
    N_("a date and time"), N_("a whole number"), N_("a date YYYY-MM-DD"),
    N_("a cancelled fair cannot be changed"), N_("a cancelled fair cannot be published"),
    N_("the fair is already cancelled"),
    N_("only drafts can be deleted; cancel a published fair instead"),
]
FIELD_NAMES = {
    "kind": N_("Kind"), "title": N_("Title"), "format": N_("Format"), "venue": N_("Venue"),
    "channel": N_("Livestream channel"), "stream_url": N_("Livestream address"),
    "starts_at": N_("Starts"), "ends_at": N_("Ends"), "capacity": N_("Capacity"),
    "industries": N_("Industries"), "audiences": N_("Audiences"),
    "description": N_("Description"), "org": N_("Organisation"),
    "booking_opens_at": N_("Booth booking opens"),
    "booking_closes_at": N_("Booth booking closes"),
    "registration_opens_at": N_("Registration opens"),
    "registration_closes_at": N_("Registration closes"), "reason": N_("Reason"),
}
WINDOWS = services.WINDOW_FIELDS


# --- formatting -----------------------------------------------------------------------------


def local(value: datetime) -> datetime:
    return value.astimezone(TZ)


def fmt_when(fair: dict) -> str:
    """"2027年3月5日 周五 09:00–12:00", or both ends in full when it spans days."""
    return i18n.format_range(fair["starts_at"], fair["ends_at"])


def fmt_hours(fair: dict) -> str:
    """A list card's time next to its date block: "09:30–12:30", in full when it spans days."""
    start, end = local(fair["starts_at"]), local(fair["ends_at"])
    if start.date() == end.date():
        return f"{i18n.format_time(start)}–{i18n.format_time(end)}"
    return fmt_when(fair)


def fmt_skeleton(skeleton: str, value: date) -> str:
    return format_skeleton(skeleton, value, locale=i18n.babel_locale())


def input_value(value: datetime | None) -> str:
    """A datetime-local field's value, in China time."""
    return local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def status_of(fair: dict) -> str:
    return "held" if services.is_held(fair) else fair["status"]


def themes_names(items: list[dict]) -> dict[str, str]:
    return {r["code"]: i18n.pick(r["name_zh"], r["name_en"]) for r in items}


# --- parsing forms and queries --------------------------------------------------------------


def _one(form: dict[str, Any], key: str) -> str:
    value = form.get(key, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "").strip()


def _many(form: dict[str, Any], key: str) -> list[str]:
    value = form.get(key) or []
    if not isinstance(value, list):
        value = [value]
    return [str(v).strip() for v in value if str(v).strip()]


def parse_form(form: dict[str, Any], *, kind: str) -> dict[str, Any]:
    """The editor's fields as the service's `data`; malformed values are an Invalid naming
    every field at fault. Rules (end after start, a venue for an offline fair...) are the
    service's."""
    problems: list[FieldError] = []

    def when(key: str) -> datetime | None:
        raw = _one(form, key)
        if not raw:
            return None
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            problems.append(FieldError(key, N_("a date and time"), code="invalid_datetime"))
            return None

    def number(key: str) -> int | None:
        raw = _one(form, key)
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            problems.append(FieldError(key, N_("a whole number"), code="type"))
            return None

    data: dict[str, Any] = {
        "kind": kind,
        "title": _one(form, "title"),
        "format": _one(form, "format") or ("livestream" if kind == "online" else "special"),
        "description": str(form.get("description") or "").strip(),
        "stream_url": _one(form, "stream_url"),
        "capacity": number("capacity"),
        "industries": _many(form, "industries"),
        "audiences": _many(form, "audiences"),
        "venue": number("venue") if kind == "offline" else None,
        "channel": number("channel") if kind == "online" else None,
    }
    for key in ("starts_at", "ends_at"):
        data[key] = when(key)
        if data[key] is None and not any(e.field == key for e in problems):
            problems.append(FieldError(key, N_("required"), code="required"))
    for key in WINDOWS:
        data[key] = when(key)
    if _one(form, "org"):
        data["org"] = _one(form, "org")
    if problems:
        raise Invalid(errors=problems)
    return data


def parse_day(raw: str | None) -> date | None:
    """A list's day filter; malformed or outside 2000..2100 gives None (the page says so)."""
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if bounds.in_range(value) else None


def parse_month(raw: str | None) -> date:
    """The month view's `month` (YYYY-MM; malformed or blank: this month). A month outside
    2000..2100 is a 422 naming `month`."""
    try:
        year, month = (int(x) for x in (raw or "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        today = clock.today_local()
        return today.replace(day=1)
    return bounds.check_date(first, "month")


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def prev_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def query_url(path: str, params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    clean = {k: v for k, v in merged.items() if v not in (None, "", False)}
    return f"{path}?{urlencode(clean)}" if clean else path


@dataclass
class Catalogue:
    industries: list[dict]
    audiences: list[dict]
    industry_names: dict[str, str]
    audience_names: dict[str, str]
    industry_groups: list[tuple[str, list[dict]]]


async def load_catalogue() -> Catalogue:
    industries = await catalog.industries()
    audiences = await catalog.audiences()
    groups: list[tuple[str, list[dict]]] = []
    for code, (zh, en) in INDUSTRY_GROUPS.items():
        members = [i for i in industries if i["group"] == code]
        if members:
            groups.append((i18n.pick(zh, en), members))
    others = [i for i in industries if i["group"] not in INDUSTRY_GROUPS]
    if others:
        groups.append((i18n.gettext("Other industries"), others))
    return Catalogue(industries, audiences, themes_names(industries), themes_names(audiences),
                     groups)


# What every fair template (and its macros, which take it as `ev`) uses to show names and times.
HELPERS = SimpleNamespace(
    kind_names=KIND_NAMES, format_names=FORMAT_NAMES, status_names=STATUS_NAMES,
    field_names=FIELD_NAMES, fmt_when=fmt_when, fmt_hours=fmt_hours, status_of=status_of,
    input_value=input_value,
    fmt_skeleton=fmt_skeleton, local=local, done_messages=None,
)


def common(**context: Any) -> dict[str, Any]:
    context["ev"] = HELPERS
    return context


async def district_choices() -> list[dict]:
    return [o for o in await accounts.list_orgs() if o["kind"] in ("city", "district", "area",
                                                                    "street")]

Text = Annotated[str | None, QueryParameter(max_length=200)]

