"""Calendar feeds: which fairs a feed holds, its ETag and Last-Modified (cheap, from the
database, before any body is built), the body (assembled from per-fair pieces and cached until
something in it changes), and employers' private feed tokens.

Callers (api.py, the tickets slice):
- `feed_stamp(flt)` then, unless the client already has it, `feed_body(flt, stamp)`;
- `fair_stamp(fair_id)` / `fair_calendar(fair_id) -> (body, etag, last_modified)`;
- `employer_feed_url(employer_id, secret)`, `revoke_employer_feed(employer_id)`,
  `employer_feed(token, secret)`.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import gzip
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from fairs import clock, db, hooks
from fairs.accounts.tables import Organisation
from fairs.catalog.tables import Audience, Industry
from fairs.db import dialect
from fairs.errors import Invalid, NotFound
from fairs.events.tables import KINDS, Fair, FairAudience, FairIndustry
from fairs.settings import settings

from . import ical
from .tables import CalendarFeedToken, CalendarPiece

# Bump when the serialisation changes: every piece and every ETag changes with it.
FORMAT_VERSION = "1"
DEFAULT_DAYS = 180
MAX_DAYS = 36_500
PUBLIC_STATUSES = ("published", "cancelled")
CHUNK = 500


def base_url() -> str:
    return settings().base_url


def host(url: str | None = None) -> str:
    return urlsplit(url or base_url()).hostname or "localhost"


now = clock.now  # the one clock (tests set it)


def _etag(*parts: object) -> str:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


# --- reference data (cached: a feed request must not look it up every time) ----------------


class _Reference:
    ttl = 300.0

    def __init__(self) -> None:
        self.loaded = 0.0
        self.industries: dict[str, str] = {}
        self.audiences: dict[str, str] = {}
        self.orgs: dict[str, tuple[float, dict]] = {}

    async def names(self, force: bool = False) -> tuple[dict[str, str], dict[str, str]]:
        if force or time.monotonic() - self.loaded > self.ttl or not self.industries:
            self.industries = {r["code"]: r["name_zh"] for r in
                               await Industry.select(Industry.code, Industry.name_zh)}
            self.audiences = {r["code"]: r["name_zh"] for r in
                              await Audience.select(Audience.code, Audience.name_zh)}
            self.loaded = time.monotonic()
        return self.industries, self.audiences

    async def org(self, code: str) -> dict | None:
        hit = self.orgs.get(code)
        if hit and time.monotonic() - hit[0] < 60:
            return hit[1]
        row = await Organisation.select(Organisation.id, Organisation.path,
                                        Organisation.name_zh).where(
            Organisation.code == code).first()
        if row is not None:
            if len(self.orgs) > 1000:
                self.orgs.clear()
            self.orgs[code] = (time.monotonic(), row)
        return row


_ref = _Reference()


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
        raise Invalid("kind", f"one of {', '.join(KINDS)}")
    if industry or audience:
        industries, audiences = await _ref.names()
        if (industry and industry not in industries) or (audience and audience not in audiences):
            industries, audiences = await _ref.names(force=True)
        if industry and industry not in industries:
            raise Invalid("industry", "unknown industry code")
        if audience and audience not in audiences:
            raise Invalid("audience", "unknown audience code")
    if org and await _ref.org(org) is None:
        raise Invalid("org", "unknown organisation code")
    if days is None:
        days = DEFAULT_DAYS
    if not 1 <= days <= MAX_DAYS:
        raise Invalid("days", f"1 to {MAX_DAYS}")
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
            raise Invalid("org", "unknown organisation code")
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


# --- caches ---------------------------------------------------------------------------------


class BodyCache:
    """Whole bodies by ETag (an ETag names exactly one body), least recently used out first,
    bounded by size. The gzip form is made once, when a client first asks for it."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict[str, list] = OrderedDict()

    def get(self, etag: str) -> bytes | None:
        hit = self.items.get(etag)
        if hit is None:
            return None
        self.items.move_to_end(etag)
        return hit[0]

    def put(self, etag: str, body: bytes) -> None:
        if etag in self.items or len(body) > self.max_bytes // 2:
            return
        self.items[etag] = [body, None]
        self.size += len(body)
        while self.size > self.max_bytes and self.items:
            _, (old, old_gz) = self.items.popitem(last=False)
            self.size -= len(old) + len(old_gz or b"")

    async def gzipped(self, etag: str, body: bytes) -> bytes:
        hit = self.items.get(etag)
        if hit is not None and hit[1] is not None:
            return hit[1]
        data = (await asyncio.to_thread(gzip.compress, body, 6, mtime=0) if len(body) > 65536
                else gzip.compress(body, 6, mtime=0))
        if hit is not None:
            hit[1] = data
            self.size += len(data)
        return data

    def clear(self) -> None:
        self.items.clear()
        self.size = 0


bodies = BodyCache()
# fair id -> (key, serialised VEVENT): the pieces this process has seen.
_pieces: dict[int, tuple[str, bytes]] = {}
MAX_PIECES = 200_000


def clear_caches() -> None:
    """Forget what this process holds (tests, benchmarks); the pieces in the database stay."""
    bodies.clear()
    _pieces.clear()
    _stamps.clear()


def _piece_key(state: str, jobs: dict | None) -> str:
    """What a piece depends on: `state` is "revision|updated_at" (updated_at as the database
    writes it, so nothing is parsed), and the jobs line."""
    jobs_part = f"{jobs.get('positions', 0)}/{jobs.get('headcount', 0)}" if jobs else "-"
    return f"{FORMAT_VERSION}|{state}|{jobs_part}"


async def _fair_details(ids: Sequence[int]) -> list[dict]:
    rows: list[dict] = []
    industry_names, audience_names = await _ref.names()
    for i in range(0, len(ids), CHUNK):
        chunk = list(ids[i:i + CHUNK])
        part = await Fair.select(
            Fair.id, Fair.kind, Fair.title, Fair.status, Fair.starts_at, Fair.ends_at,
            Fair.revision, Fair.updated_at, Fair.created_at, Fair.cancel_reason,
            Fair.stream_url, Fair.org.name_zh.as_alias("org_name"),
            Fair.venue.name.as_alias("venue_name"), Fair.venue.address.as_alias("venue_address"),
            Fair.channel.name.as_alias("channel_name"), Fair.channel.url.as_alias("channel_url"),
        ).where(Fair.id.is_in(chunk))
        themes: dict[int, tuple[list[str], list[str]]] = {r["id"]: ([], []) for r in part}
        for r in await FairIndustry.select(FairIndustry.fair, FairIndustry.industry).where(
                FairIndustry.fair.is_in(chunk)).order_by(FairIndustry.id):
            themes[r["fair"]][0].append(industry_names.get(r["industry"], r["industry"]))
        for r in await FairAudience.select(FairAudience.fair, FairAudience.audience).where(
                FairAudience.fair.is_in(chunk)).order_by(FairAudience.id):
            themes[r["fair"]][1].append(audience_names.get(r["audience"], r["audience"]))
        for r in part:
            r["industries"], r["audiences"] = themes[r["id"]]
        rows.extend(part)
    return rows


async def _jobs(ids: Sequence[int]) -> dict[int, dict]:
    if not hooks.fair_jobs.receivers:
        return {}
    found: dict[int, dict] = {}
    for i in range(0, len(ids), 1000):
        found.update({fair_id: {"positions": jobs.positions, "headcount": jobs.headcount}
                      for fair_id, jobs in (await hooks.jobs_of_fairs(list(ids[i:i + 1000]))
                                            ).items()})
    return found


async def pieces(wanted: Sequence[tuple[int, str]], jobs: dict[int, dict]) -> dict[int, bytes]:
    """The serialised VEVENT of each (fair id, key): from this process's memory, else from the
    database, else built (and kept in both)."""
    out: dict[int, bytes] = {}
    missing: dict[int, str] = {}
    for fair_id, key in wanted:
        hit = _pieces.get(fair_id)
        if hit is not None and hit[0] == key:
            out[fair_id] = hit[1]
        else:
            missing[fair_id] = key
    if not missing:
        return out
    ids = list(missing)
    batches = None
    if len(ids) > 2000:  # most of a big feed: the whole table in one packed string
        batches = await _all_pieces_packed()
    if batches is None:
        batches = [await db.fetch(
            "SELECT fair_id, key, body FROM calendar_piece WHERE fair_id IN ("
            + ", ".join("{}" for _ in ids[i:i + CHUNK]) + ")", *ids[i:i + CHUNK])
            for i in range(0, len(ids), CHUNK)]
    for batch in batches:
        for r in batch:
            fair_id = r["fair_id"]
            if r["key"] == missing.get(fair_id):
                body = r["body"].encode()
                out[fair_id] = body
                _remember(fair_id, r["key"], body)
                del missing[fair_id]
    if not missing:
        return out
    base = base_url()
    h = host(base)
    built: list[tuple[int, str, bytes]] = []
    for fair in await _fair_details(list(missing)):
        ev = ical.fair_event(fair, host=h, base_url=base, industries=fair["industries"],
                             audiences=fair["audiences"], jobs=jobs.get(fair["id"]))
        body = ical.event_ics(ev)
        # The key the caller asked for: a change since then makes a new key next time.
        key = missing[fair["id"]]
        built.append((fair["id"], key, body))
        out[fair["id"]] = body
        _remember(fair["id"], key, body)
    await _store(built)
    return out


async def _all_pieces_packed() -> list[list[dict]] | None:
    """Every stored piece, fetched as one string (records split by \x1e, fields by \x1f,
    which ical.clean keeps out of every piece); None if anything does not parse."""
    unit, record = dialect.char(31), dialect.char(30)
    packed_sql = dialect.string_agg(
        f"CAST(fair_id AS TEXT) || {unit} || key || {unit} || body", record)
    rows = await db.fetch(f"SELECT {packed_sql} AS packed FROM calendar_piece")
    packed = rows[0]["packed"] if rows else None
    if not packed:
        return [[]]
    out = []
    for record in packed.split("\x1e"):
        fields = record.split("\x1f")
        if len(fields) != 3 or not fields[0].isdigit():
            return None
        out.append({"fair_id": int(fields[0]), "key": fields[1], "body": fields[2]})
    return [out]


def _remember(fair_id: int, key: str, body: bytes) -> None:
    if len(_pieces) >= MAX_PIECES:
        _pieces.clear()
    _pieces[fair_id] = (key, body)


async def _store(built: list[tuple[int, str, bytes]]) -> None:
    """Keep built pieces in the database for other workers and restarts (a cache: a lost race
    only means one more build)."""
    for i in range(0, len(built), CHUNK):
        chunk = built[i:i + CHUNK]
        try:
            async with db.write_transaction():
                await CalendarPiece.insert(*[
                    CalendarPiece(fair_id=fid, key=key, body=body.decode(), built_at=now())
                    for fid, key, body in chunk
                ]).on_conflict(target=CalendarPiece.fair_id, action="DO UPDATE",
                               values=[CalendarPiece.key, CalendarPiece.body,
                                       CalendarPiece.built_at])
        except Exception as exc:  # noqa: BLE001 - the cache must never fail a feed
            if not db.is_integrity_error(exc):
                raise


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
        raise NotFound("no such fair")
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


# --- employers' private feeds ---------------------------------------------------------------


def _token(secret: str, salt: str) -> str:
    mac = hmac.new(secret.encode(), f"calendar-feed:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def employer_feed_path(token: str) -> str:
    return f"/calendar/feeds/{token}.ics"


async def employer_feed_url(employer_id: int, secret: str, base: str | None = None) -> str:
    """The employer's private feed address, made on first use (one live token per employer,
    a partial unique index decides a race between two first uses)."""
    for _ in range(3):
        row = await CalendarFeedToken.select(CalendarFeedToken.id, CalendarFeedToken.salt,
                                             CalendarFeedToken.token_hash).where(
            (CalendarFeedToken.employer_id == employer_id)
            & CalendarFeedToken.revoked_at.is_null()).first()
        if row is not None:
            token = _token(secret, row["salt"])
            if hmac.compare_digest(_hash(token), row["token_hash"]):
                return (base or base_url()) + employer_feed_path(token)
            # The secret key changed: that address can no longer be shown; replace it.
            await revoke_employer_feed(employer_id)
            continue
        salt = secrets.token_hex(16)
        try:
            async with db.write_transaction():
                await CalendarFeedToken.insert(CalendarFeedToken(
                    employer_id=employer_id, salt=salt, token_hash=_hash(_token(secret, salt)),
                    created_at=now()))
        except Exception as exc:
            if not db.is_unique_violation(exc):
                raise
    raise RuntimeError("could not make a calendar feed token")  # pragma: no cover


async def revoke_employer_feed(employer_id: int) -> None:
    async with db.write_transaction():
        await CalendarFeedToken.update({CalendarFeedToken.revoked_at: now()}).where(
            (CalendarFeedToken.employer_id == employer_id)
            & CalendarFeedToken.revoked_at.is_null())


async def employer_by_token(token: str) -> dict:
    if not token or len(token) > 100:
        raise NotFound("no such feed")
    row = await CalendarFeedToken.select(
        CalendarFeedToken.employer_id, CalendarFeedToken.created_at,
        CalendarFeedToken.revoked_at).where(CalendarFeedToken.token_hash == _hash(token)).first()
    if row is None or row["revoked_at"] is not None:
        raise NotFound("no such feed")
    return row


async def employer_items(employer_id: int) -> list[dict]:
    """The employer's booked booths and guest slots (fairs.hooks.employer_calendar: the booths
    slice answers), as the dicts fairs.calendar.ical.employer_event reads."""
    return [dataclasses.asdict(item) for item in await hooks.calendar_of_employer(employer_id)]


async def employer_feed(token: str) -> tuple[bytes, str, datetime]:
    """(body, etag, last_modified) of the private feed behind `token`; NotFound once revoked.
    The feed is small (one employer's bookings), so it is built, then its hash is the ETag."""
    row = await employer_by_token(token)
    employer_id = row["employer_id"]
    items = await employer_items(employer_id)
    fair_ids = sorted({int(i["fair"]) for i in items if i.get("fair")})
    fairs: dict[int, dict] = {}
    for i in range(0, len(fair_ids), CHUNK):
        for f in await Fair.select(
            Fair.id, Fair.kind, Fair.title, Fair.status, Fair.starts_at, Fair.ends_at,
            Fair.revision, Fair.updated_at, Fair.stream_url,
            Fair.venue.name.as_alias("venue_name"), Fair.venue.address.as_alias("venue_address"),
            Fair.channel.name.as_alias("channel_name"), Fair.channel.url.as_alias("channel_url"),
        ).where(Fair.id.is_in(fair_ids[i:i + CHUNK])):
            fairs[f["id"]] = f
    base = base_url()
    h = host(base)
    events = [ical.employer_event(item, fairs.get(int(item["fair"])) if item.get("fair")
                                  else None, host=h, base_url=base, employer_id=employer_id)
              for item in items]
    events.sort(key=lambda e: (ical.utc(e.start), e.uid))
    starts = [ical.utc(e.start) for e in events]
    ends = [ical.utc(e.end) for e in events]
    first, last = ical.years(min(starts) if starts else None, max(ends) if ends else None)
    body = ical.assemble(ical.head("我的招聘会展位与直播带岗", first, last),
                         [ical.event_ics(e) for e in events])
    stamps = [ical.utc(e.stamp) for e in events] + [ical.utc(db.as_datetime(row["created_at"]))]
    return body, _etag("employer", hashlib.sha256(body).hexdigest()), max(stamps)
