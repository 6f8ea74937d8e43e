"""Per-fair pieces of the calendar feeds: each published fair's serialised VEVENT, kept in
this process, in the database (calendar_piece, for other workers and restarts) and built when
missing; the cache of whole bodies by ETag; the reference data the pieces name (industries,
audiences, organisations), and the base address and ETag helpers the feeds share."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import time
from collections import OrderedDict
from collections.abc import Sequence
from urllib.parse import urlsplit

from fairs import clock, db, hooks
from fairs.accounts.tables import Organisation
from fairs.catalog.tables import Audience, Industry
from fairs.db import dialect
from fairs.events.tables import Fair, FairAudience, FairIndustry
from fairs.settings import settings

from . import ical
from .tables import CalendarPiece

# Bump when the serialisation changes: every piece and every ETag changes with it.
FORMAT_VERSION = "1"
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
