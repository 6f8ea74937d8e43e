"""Calendar feeds: which fairs a feed holds, its ETag and Last-Modified (cheap, from the
database, before any body is built), the body (assembled from per-fair pieces and cached until
something in it changes). The per-fair pieces and the body cache are in fairs.calendar.pieces,
employers' private feed tokens in fairs.calendar.tokens (both re-exported here).

Callers (api.py, the tickets slice):
- `feed_stamp(flt)` then, unless the client already has it, `feed_body(flt, stamp)`;
- `fair_stamp(fair_id)` / `fair_calendar(fair_id) -> (body, etag, last_modified)`;
- `ticket_calendar(fair_id, ticket_url)`: a holder's own file (the ticket page as URL, two
  reminders), never cached or served as a shared feed;
- `employer_feed_url(employer_id, secret)`, `revoke_employer_feed(employer_id)`,
  `employer_feed(token, secret)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from fairs import clock, db, hooks, i18n
from fairs.db import dialect
from fairs.errors import Invalid, NotFound
from fairs.events.tables import KINDS
from fairs.i18n import N_

from . import ical
from .pieces import (  # noqa: F401 (callers read them here)
    CHUNK,
    FORMAT_VERSION,
    PUBLIC_STATUSES,
    _all_pieces_packed,
    _etag,
    _fair_details,
    _jobs,
    _piece_key,
    _pieces,
    _ref,
    base_url,
    bodies,
    host,
    now,
    pieces,
)
from .tokens import (  # noqa: F401 (callers read them here)
    employer_by_token,
    employer_feed,
    employer_feed_path,
    employer_feed_url,
    employer_items,
    revoke_employer_feed,
)

DEFAULT_DAYS = 180
MAX_DAYS = 36_500


# --- which fairs a feed holds ---------------------------------------------------------------


@dataclass(frozen=True)
class FeedFilter:
    kind: str | None = None
    industry: str | None = None
    audience: str | None = None
    org: str | None = None
    days: int = DEFAULT_DAYS

    def key(self) -> str:
        return f"{self.kind}|{self.industry}|{self.audience}|{self.org}|{self.days}"

    def query(self) -> dict[str, str]:
        params = {k: v for k, v in (("kind", self.kind), ("industry", self.industry),
                                    ("audience", self.audience), ("org", self.org)) if v}
        if self.days != DEFAULT_DAYS:
            params["days"] = str(self.days)
        return params


def feed_path(flt: FeedFilter | None = None) -> str:
    query = urlencode((flt or FeedFilter()).query())
    return "/calendar/fairs.ics" + (f"?{query}" if query else "")


def feed_url(flt: FeedFilter | None = None, base: str | None = None) -> str:
    return (base or base_url()) + feed_path(flt)


async def check_filter(kind: str | None = None, industry: str | None = None,
                       audience: str | None = None, org: str | None = None,
                       days: int | None = None) -> FeedFilter:
    """A filter with every code checked (422 naming the field for an unknown one)."""
    kind, industry, audience, org = (v.strip() if v and v.strip() else None
                                     for v in (kind, industry, audience, org))
    if kind and kind not in KINDS:
        raise Invalid("kind", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": KINDS})
    if industry or audience:
        industries, audiences = await _ref.names()
        if (industry and industry not in industries) or (audience and audience not in audiences):
            industries, audiences = await _ref.names(force=True)
        if industry and industry not in industries:
            raise Invalid("industry", N_("unknown industry code"), code="unknown_code")
        if audience and audience not in audiences:
            raise Invalid("audience", N_("unknown audience code"), code="unknown_code")
    if org and await _ref.org(org) is None:
        raise Invalid("org", N_("unknown organisation code"), code="unknown_org")
    if days is None:
        days = DEFAULT_DAYS
    if not 1 <= days <= MAX_DAYS:
        raise Invalid("days", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": MAX_DAYS})
    return FeedFilter(kind=kind, industry=industry, audience=audience, org=org, days=days)


def window_start(days: int, today: date | None = None) -> datetime:
    """Fairs ending after this are in a feed: the start of the China day `days` days ago."""
    today = today or clock.today_local()
    return datetime.combine(today - timedelta(days=days), datetime.min.time(),
                            tzinfo=ical.TZ).astimezone(UTC)


async def _where(flt: FeedFilter) -> tuple[str, list]:
    sql = ["f.status IN ('published', 'cancelled')"]
    args: list = []
    if flt.kind:
        sql.append("f.kind = {}")
        args.append(flt.kind)
    if flt.org:
        org = await _ref.org(flt.org)
        if org is None:
            raise Invalid("org", N_("unknown organisation code"), code="unknown_org")
        sql.append("f.org IN (SELECT id FROM organisation WHERE path LIKE {})")
        args.append(org["path"] + "%")
    if flt.industry:
        sql.append("f.id IN (SELECT fair FROM fair_industry WHERE industry = {})")
        args.append(flt.industry)
    if flt.audience:
        sql.append("f.id IN (SELECT fair FROM fair_audience WHERE audience = {})")
        args.append(flt.audience)
    return " AND ".join(sql), args


@dataclass(frozen=True)
class Stamp:
    """What a feed's validators are made of, known before its body is built."""

    etag: str
    last_modified: datetime
    count: int = 0
    first: datetime | None = None  # earliest start, for the VTIMEZONE's years
    last: datetime | None = None  # latest end


async def _jobs_stamp() -> str:
    return await hooks.stamp_of_jobs()


# (filter, window start) -> (marker, stamp): a feed's stamp is recomputed only when some fair
# changed (or the jobs did), which one indexed MAX() tells.
_stamps: dict[tuple[str, datetime], tuple[str, Stamp]] = {}


async def _marker() -> str:
    """Changes whenever a feed may have: every write that can (create, publish, change, cancel)
    sets fair.updated_at; only drafts, never in a feed, are deleted. Two index probes."""
    rows = await db.fetch("SELECT (SELECT MAX(updated_at) FROM fair) AS m, "
                          "(SELECT MAX(id) FROM fair) AS n")
    return f"{rows[0]['m']}|{rows[0]['n']}|{await _jobs_stamp()}"


async def feed_stamp(flt: FeedFilter) -> Stamp:
    start = window_start(flt.days)
    marker = await _marker()
    hit = _stamps.get((flt.key(), start))
    if hit is not None and hit[0] == marker:
        return hit[1]
    stamp = await _feed_stamp(flt, start)
    if len(_stamps) > 10_000:
        _stamps.clear()
    _stamps[(flt.key(), start)] = (marker, stamp)
    return stamp


async def _feed_stamp(flt: FeedFilter, start: datetime) -> Stamp:
    """One aggregate query: how many fairs the feed holds, their latest change, and the latest
    end among those the moving window has dropped (the body changed when it dropped them)."""
    where, args = await _where(flt)
    rows = await db.fetch(
        "SELECT COUNT(CASE WHEN f.ends_at > {} THEN 1 END) AS n, "
        "MAX(CASE WHEN f.ends_at > {} THEN f.updated_at END) AS changed, "
        "MIN(CASE WHEN f.ends_at > {} THEN f.starts_at END) AS first, "
        "MAX(CASE WHEN f.ends_at > {} THEN f.ends_at END) AS last, "
        "MAX(CASE WHEN f.ends_at <= {} THEN f.ends_at END) AS gone "
        f"FROM fair f WHERE {where}",
        start, start, start, start, start, *args)
    row = rows[0]
    n = int(row["n"] or 0)
    changed, first, last, gone = (db.as_datetime(row[k])
                                  for k in ("changed", "first", "last", "gone"))
    moments = [changed] if changed else []
    if gone is not None:
        # The window passed `gone` at the first China midnight after gone + days.
        left = window_start(-flt.days - 1, gone.astimezone(ical.TZ).date())
        moments.append(min(left, now()))
    last_modified = max(moments) if moments else datetime(2000, 1, 1, tzinfo=UTC)
    etag = _etag("feed", FORMAT_VERSION, base_url(), flt.key(), n, changed, gone,
                 await _jobs_stamp())
    return Stamp(etag=etag, last_modified=last_modified.replace(microsecond=0), count=n,
                 first=first, last=last)


def clear_caches() -> None:
    """Forget what this process holds (tests, benchmarks); the pieces in the database stay."""
    bodies.clear()
    _pieces.clear()
    _stamps.clear()




# --- the public feed ------------------------------------------------------------------------


async def feed_name(flt: FeedFilter) -> str:
    industries, audiences = await _ref.names()
    parts = []
    if flt.org:
        org = await _ref.org(flt.org)
        parts.append(org["name_zh"] if org else flt.org)
    if flt.industry:
        parts.append(industries.get(flt.industry, flt.industry))
    if flt.audience:
        parts.append(audiences.get(flt.audience, flt.audience))
    what = ical.KIND_ZH.get(flt.kind or "", "招聘会")
    return "·".join([*parts, what]) if parts or flt.kind else "全部招聘会"


async def _members(flt: FeedFilter, start: datetime) -> list[tuple[int, str]]:
    """(id, "revision|updated_at") of the feed's fairs, in start order. The rows come back
    packed in one string: turning 20,000 rows into Python dicts one by one costs more than all
    the rest of the feed. (The order only makes the body tidy; clients do not need it.)"""
    where, args = await _where(flt)
    packed_sql = dialect.string_agg("x", "';'", order_by="s, i")
    rows = await db.fetch(
        f"SELECT {packed_sql} AS packed FROM (SELECT f.starts_at AS s, f.id AS i, "
        f"CAST(f.id AS TEXT) || ':' || CAST(f.revision AS TEXT) || '|' || "
        f"{dialect.text('f.updated_at')} AS x FROM fair f WHERE {where} AND f.ends_at > {{}} "
        "ORDER BY f.starts_at, f.id) m", *args, start)
    packed = rows[0]["packed"] if rows else None
    if not packed:
        return []
    out = []
    for part in packed.split(";"):
        fair_id, _, state = part.partition(":")
        out.append((int(fair_id), state))
    return out


async def feed_body(flt: FeedFilter, stamp: Stamp | None = None) -> bytes:
    stamp = stamp or await feed_stamp(flt)
    cached = bodies.get(stamp.etag)
    if cached is not None:
        return cached
    members = await _members(flt, window_start(flt.days))
    ids = [m[0] for m in members]
    jobs = await _jobs(ids)
    if jobs:
        wanted = [(i, _piece_key(state, jobs.get(i))) for i, state in members]
    else:
        wanted = [(i, f"{FORMAT_VERSION}|{state}|-") for i, state in members]  # _piece_key
    found = await pieces(wanted, jobs)
    first, last = ical.years(stamp.first, stamp.last)
    name = await feed_name(flt)
    description = f"青岛西海岸新区公共就业服务 · {name}（含近 {flt.days} 天内结束的招聘会）"
    head = ical.head(name, first, last, description=description)
    body = ical.assemble(head, [found[i] for i in ids if i in found])
    bodies.put(stamp.etag, body)
    return body


# --- one fair -------------------------------------------------------------------------------


async def _fair_row(fair_id: int) -> dict:
    rows = await db.fetch(
        "SELECT id, title, status, revision, updated_at, "
        "revision || '|' || CAST(updated_at AS TEXT) AS state, starts_at, ends_at FROM fair "
        "WHERE id = {}", fair_id)
    if not rows or rows[0]["status"] not in PUBLIC_STATUSES:
        raise NotFound(N_("no such fair"))
    return rows[0]


async def fair_stamp(fair_id: int) -> Stamp:
    row = await _fair_row(fair_id)
    changed = db.as_datetime(row["updated_at"])
    etag = _etag("fair", FORMAT_VERSION, base_url(), fair_id, row["revision"], changed,
                 await _jobs_stamp())
    return Stamp(etag=etag, last_modified=changed.replace(microsecond=0), count=1,
                 first=db.as_datetime(row["starts_at"]), last=db.as_datetime(row["ends_at"]))


async def fair_body(fair_id: int, stamp: Stamp | None = None) -> bytes:
    stamp = stamp or await fair_stamp(fair_id)
    cached = bodies.get(stamp.etag)
    if cached is not None:
        return cached
    row = await _fair_row(fair_id)
    jobs = await _jobs([fair_id])
    key = _piece_key(row["state"], jobs.get(fair_id))
    found = await pieces([(fair_id, key)], jobs)
    first, last = ical.years(db.as_datetime(row["starts_at"]), db.as_datetime(row["ends_at"]))
    body = ical.assemble(ical.head(row["title"], first, last), [found[fair_id]])
    bodies.put(stamp.etag, body)
    return body


async def fair_calendar(fair_id: int) -> tuple[bytes, str, datetime]:
    """One published (or cancelled) fair as a calendar: (body, etag, last_modified). The
    tickets slice serves the holder's .ics with it (no personal data or codes inside)."""
    stamp = await fair_stamp(fair_id)
    return await fair_body(fair_id, stamp), stamp.etag, stamp.last_modified


# --- a ticket holder's own calendar file ------------------------------------------------------

TICKET_ALARMS = (timedelta(days=1), timedelta(hours=2))
ALARM_TEXT = N_("Job fair reminder: {title}")


async def ticket_calendar(fair_id: int, ticket_url: str,
                          locale: str) -> tuple[bytes, str, datetime, str]:
    """A ticket holder's .ics: the fair's event as the feeds have it (same UID and SEQUENCE, so
    a calendar holding both keeps one) but with the holder's ticket page as its URL and two
    reminders, a day and two hours before, whose text is in the holder's `locale` (the ETag
    differs by language). The URL carries the holder's secret, so this body is personal: built
    for the holder, never kept with or served as a shared feed's.
    (body, etag, last_modified, the fair's title)."""
    stamp = await fair_stamp(fair_id)
    (fair,) = await _fair_details([fair_id])
    jobs = await _jobs([fair_id])
    base = base_url()
    ev = ical.fair_event(fair, host=host(base), base_url=base, industries=fair["industries"],
                         audiences=fair["audiences"], jobs=jobs.get(fair_id))
    ev.url = ticket_url
    ev.alarms = TICKET_ALARMS
    ev.alarm_text = i18n.render(ALARM_TEXT, {"title": fair["title"]}, locale)
    first, last = ical.years(db.as_datetime(fair["starts_at"]), db.as_datetime(fair["ends_at"]))
    body = ical.assemble(ical.head(fair["title"], first, last), [ical.event_ics(ev)])
    etag = _etag("ticket", stamp.etag, ticket_url, TICKET_ALARMS, locale)
    return body, etag, stamp.last_modified, fair["title"]
