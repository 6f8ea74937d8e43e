"""The catalogue: industries and audiences (reference data), venues and livestream channels."""

from __future__ import annotations

from urllib.parse import urlsplit

from fairs import bounds
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.errors import FieldError, Invalid, NotFound
from fairs.i18n import N_

from .tables import Audience, Channel, Industry, Venue


async def industries() -> list[dict]:
    return await Industry.select(
        Industry.code, Industry.name_zh, Industry.name_en, Industry.group
    ).order_by(Industry.sort)


async def audiences() -> list[dict]:
    return await Audience.select(Audience.code, Audience.name_zh, Audience.name_en).order_by(
        Audience.sort
    )


async def check_codes(field: str, codes: list[str], table) -> list[str]:
    """Unknown industry/audience codes are a 422 naming the field and the codes."""
    if len(codes) > 50:
        raise Invalid(field, N_("at most {n} items"), code="too_many", params={"n": 50})
    codes = list(dict.fromkeys(codes))
    if not codes:
        return []
    known = {r["code"] for r in await table.select(table.code).where(table.code.is_in(codes))}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid(field, N_("unknown code(s): {codes}"), code="unknown_code",
                      params={"codes": unknown})
    return codes


async def check_industries(codes: list[str], field: str = "industries") -> list[str]:
    return await check_codes(field, codes, Industry)


async def check_audiences(codes: list[str], field: str = "audiences") -> list[str]:
    return await check_codes(field, codes, Audience)


_VENUE_COLS = (Venue.id, Venue.name, Venue.address, Venue.org.code.as_alias("district"),
               Venue.capacity, Venue.step_free, Venue.active, Venue.org.id.as_alias("org_id"),
               Venue.booth_rows, Venue.booths_per_row)
# A venue's default layout: at most 50 rows of 60 booths, and 2,000 booths (a fair's limit).
MAX_ROWS, MAX_PER_ROW, MAX_BOOTHS = 50, 60, 2000
_CHANNEL_COLS = (Channel.id, Channel.name, Channel.url, Channel.org.code.as_alias("district"),
                 Channel.active, Channel.org.id.as_alias("org_id"))


async def venues(include_inactive: bool = False) -> list[dict]:
    query = Venue.select(*_VENUE_COLS).order_by(Venue.id)
    if not include_inactive:
        query = query.where(Venue.active == True)  # noqa: E712
    return await query


async def channels(include_inactive: bool = False) -> list[dict]:
    query = Channel.select(*_CHANNEL_COLS).order_by(Channel.id)
    if not include_inactive:
        query = query.where(Channel.active == True)  # noqa: E712
    return await query


async def venue(venue_id: int) -> dict:
    row = await Venue.select(*_VENUE_COLS).where(Venue.id == venue_id).first()
    if row is None:
        raise NotFound(N_("no such venue"), errors=[
            FieldError("venue", N_("unknown venue"), code="unknown_venue")])
    return row


async def channel(channel_id: int) -> dict:
    row = await Channel.select(*_CHANNEL_COLS).where(Channel.id == channel_id).first()
    if row is None:
        raise NotFound(N_("no such channel"), errors=[
            FieldError("channel", N_("unknown channel"), code="unknown_channel")])
    return row


async def _owner_org(principal: Principal, district: str | None) -> int:
    if district:
        org = await accounts.org_by_code(district)
        org_id = org["id"]
    elif principal.org_id is not None:
        org_id = principal.org_id
    else:
        raise Invalid("district", N_("required"), code="required")
    await accounts.ensure_manages(principal, org_id)
    return org_id


def check_url(url: str, field: str = "url") -> str:
    url = url.strip()
    if url and urlsplit(url).scheme not in {"http", "https"}:
        raise Invalid(field, N_("must be an http(s) address"), code="invalid_url")
    return url


def _check_place(changes: dict) -> dict:
    """A venue's or channel's fields bounded as the API's schema bounds them, for every caller
    (the API, the catalogue page's forms, the demo): names 1-200 characters, an address up to
    500, an address of a stream up to 1,000 (http or https), a capacity of 0 to 1,000,000."""
    out = dict(changes)
    if out.get("name") is not None:
        out["name"] = bounds.check_text(out["name"], "name", 200, required=True)
    if out.get("address") is not None:
        out["address"] = bounds.check_text(out["address"], "address", 500)
    if out.get("url") is not None:
        out["url"] = check_url(bounds.check_text(out["url"], "url", 1000))
    capacity = out.get("capacity")
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or not 0 <= capacity <= 1_000_000):
        raise Invalid("capacity", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 0, "hi": 1_000_000})
    for field, top in (("booth_rows", MAX_ROWS), ("booths_per_row", MAX_PER_ROW)):
        value = out.get(field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 0 <= value <= top):
            raise Invalid(field, N_("a whole number from {lo} to {hi}"), code="out_of_range",
                          params={"lo": 0, "hi": top})
    for flag in ("step_free", "active"):
        if out.get(flag) is not None and not isinstance(out[flag], bool):
            raise Invalid(flag, N_("true or false"), code="type")
    return out


def _check_layout(rows: int, per_row: int) -> None:
    """Rows and booths per row both set or both 0, and no more booths than a fair holds."""
    if bool(rows) != bool(per_row):
        raise Invalid("booths_per_row" if rows else "booth_rows",
                      N_("give both the rows and the booths per row, or neither"),
                      code="required")
    if rows * per_row > MAX_BOOTHS:
        raise Invalid("booths_per_row", N_("at most {n} booths"), code="too_many",
                      params={"n": MAX_BOOTHS})


async def create_venue(principal: Principal, *, name: str, address: str, district: str | None,
                       capacity: int, step_free: bool, booth_rows: int = 0,
                       booths_per_row: int = 0) -> dict:
    checked = _check_place({"name": name, "address": address or "", "capacity": capacity,
                            "step_free": step_free, "booth_rows": booth_rows,
                            "booths_per_row": booths_per_row})
    _check_layout(booth_rows, booths_per_row)
    org_id = await _owner_org(principal, district)
    rows = await Venue.insert(
        Venue(name=checked["name"], address=checked["address"], org=org_id, capacity=capacity,
              step_free=step_free, booth_rows=booth_rows, booths_per_row=booths_per_row)
    ).returning(Venue.id)
    return await venue(rows[0]["id"])


async def update_venue(principal: Principal, venue_id: int, changes: dict) -> dict:
    row = await venue(venue_id)
    await accounts.ensure_manages(principal, row["org_id"])
    changes = _check_place(changes)
    if changes.get("booth_rows") is not None or changes.get("booths_per_row") is not None:
        _check_layout(*(row[k] if changes.get(k) is None else changes[k]
                        for k in ("booth_rows", "booths_per_row")))
    values = {getattr(Venue, k): v for k, v in changes.items() if v is not None}
    if values:
        await Venue.update(values).where(Venue.id == venue_id)
    return await venue(venue_id)


async def create_channel(principal: Principal, *, name: str, url: str,
                         district: str | None) -> dict:
    checked = _check_place({"name": name, "url": url or ""})
    org_id = await _owner_org(principal, district)
    rows = await Channel.insert(
        Channel(name=checked["name"], url=checked["url"], org=org_id)
    ).returning(Channel.id)
    return await channel(rows[0]["id"])


async def update_channel(principal: Principal, channel_id: int, changes: dict) -> dict:
    row = await channel(channel_id)
    await accounts.ensure_manages(principal, row["org_id"])
    changes = _check_place(changes)
    values = {getattr(Channel, k): v for k, v in changes.items() if v is not None}
    if values:
        await Channel.update(values).where(Channel.id == channel_id)
    return await channel(channel_id)
