"""Reading fairs: one fair (as the public, or its organiser, sees it), and the filtered list,
decorated with their themes and counts (fairs.hooks.counts_of_fairs)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from fairs import hooks
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.errors import Forbidden, Invalid, NotFound
from fairs.i18n import N_

from .tables import KINDS, Fair, FairAudience, FairIndustry
from .tables import STATUSES as STATUSES  # for the pages (pages never import tables)
from .times import now

PUBLIC_STATUSES = ("published", "cancelled")


_COLUMNS = (
    Fair.all_columns(),
    Fair.org.code.as_alias("org_code"),
    Fair.org.path.as_alias("org_path"),
    Fair.venue.name.as_alias("venue_name"),
    Fair.venue.address.as_alias("venue_address"),
    Fair.channel.name.as_alias("channel_name"),
    Fair.channel.url.as_alias("channel_url"),
)


async def _themes(fair_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    industries: dict[int, list[str]] = defaultdict(list)
    audiences: dict[int, list[str]] = defaultdict(list)
    if fair_ids:
        for r in await FairIndustry.select(FairIndustry.fair, FairIndustry.industry).where(
            FairIndustry.fair.is_in(fair_ids)
        ).order_by(FairIndustry.id):
            industries[r["fair"]].append(r["industry"])
        for r in await FairAudience.select(FairAudience.fair, FairAudience.audience).where(
            FairAudience.fair.is_in(fair_ids)
        ).order_by(FairAudience.id):
            audiences[r["fair"]].append(r["audience"])
    return industries, audiences


async def _decorate(rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    industries, audiences = await _themes(ids)
    counts = await hooks.counts_of_fairs(ids)
    for r in rows:
        r["industries"] = industries.get(r["id"], [])
        r["audiences"] = audiences.get(r["id"], [])
        c = counts.get(r["id"])
        r["registered"] = (c and c.registered) or 0
        r["checked_in"] = (c and c.checked_in) or 0
    return rows


def can_see(principal: Principal | None, row: dict) -> bool:
    if row["status"] in PUBLIC_STATUSES:
        return True
    return principal is not None and principal.is_organiser and accounts.in_subtree(
        principal, row["org_path"]
    )


async def get_fair(fair_id: int, principal: Principal | None = None,
                   *, decorate: bool = True) -> dict:
    row = await Fair.select(*_COLUMNS).where(Fair.id == fair_id).first()
    if row is None or not can_see(principal, row):
        raise NotFound(N_("no such fair"))
    if decorate:
        await _decorate([row])
    return row


async def get_fair_for_update(principal: Principal, fair_id: int) -> dict:
    row = await get_fair(fair_id, principal, decorate=False)
    if not principal.is_organiser or not accounts.in_subtree(principal, row["org_path"]):
        raise Forbidden(N_("This fair belongs to another organisation."), code="other_organisation")
    return row


@dataclass
class FairFilter:
    kind: str | None = None
    industry: str | None = None
    audience: str | None = None
    status: str | None = None
    org: str | None = None
    venue: int | None = None
    channel: int | None = None
    q: str | None = None
    start: datetime | None = None  # fairs ending after
    end: datetime | None = None  # fairs starting before


def _where(query, flt: FairFilter, principal: Principal | None, org_path: str | None):
    if flt.kind:
        if flt.kind not in KINDS:
            raise Invalid("kind", N_("one of {choices}"), code="invalid_choice",
                          params={"choices": KINDS})
        query = query.where(Fair.kind == flt.kind)
    if flt.status:
        query = query.where(Fair.status == flt.status)
    organiser = principal is not None and principal.is_organiser
    if not organiser:
        query = query.where(Fair.status.is_in(list(PUBLIC_STATUSES)))
    elif not principal.is_admin:
        # Drafts only of the organiser's own subtree; published ones of everybody.
        query = query.where(
            Fair.status.is_in(list(PUBLIC_STATUSES))
            | Fair.org.path.like(f"{principal.org_path}%")
        )
    if org_path:
        query = query.where(Fair.org.path.like(f"{org_path}%"))
    if flt.venue:
        query = query.where(Fair.venue == flt.venue)
    if flt.channel:
        query = query.where(Fair.channel == flt.channel)
    if flt.industry:
        query = query.where(Fair.id.is_in(
            FairIndustry.select(FairIndustry.fair).where(FairIndustry.industry == flt.industry)))
    if flt.audience:
        query = query.where(Fair.id.is_in(
            FairAudience.select(FairAudience.fair).where(FairAudience.audience == flt.audience)))
    if flt.start:
        query = query.where(Fair.ends_at > flt.start)
    if flt.end:
        query = query.where(Fair.starts_at < flt.end)
    if flt.q:
        query = query.where(Fair.title.ilike(f"%{flt.q.strip()}%"))
    return query


async def list_fairs(principal: Principal | None, flt: FairFilter, limit: int = 100,
                     offset: int = 0) -> tuple[list[dict], int]:
    if not 1 <= limit <= 500:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 500})
    if offset < 0:
        raise Invalid("offset", N_("at least {n}"), code="too_small", params={"n": 0})
    org_path = (await accounts.org_by_code(flt.org))["path"] if flt.org else None
    total = await _where(Fair.count(), flt, principal, org_path)
    rows = await _where(Fair.select(*_COLUMNS), flt, principal, org_path).order_by(
        Fair.starts_at).order_by(Fair.id).limit(limit).offset(offset)
    return await _decorate(rows), total



def is_held(row: dict, at: datetime | None = None) -> bool:
    """Held: ended and not cancelled (a draft that ended was never held): the read model's
    definition (fairs.measures)."""
    from fairs.measures import is_held as held

    return held(row["status"], row["ends_at"], at or now())
