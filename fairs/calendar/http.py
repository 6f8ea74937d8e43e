"""Serving iCalendar bodies: validators, conditional GET (304), and a gzip form made once.

`ics_response(request, etag, last_modified, body_or_builder)` answers 304 when the client's
If-None-Match (or, without one, If-Modified-Since) matches, and otherwise builds the body only
then. The tickets slice serves a holder's .ics with `fair_ics_response(request, fair_id)`.
"""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from litestar import Request, Response
from litestar.utils.scope.state import ScopeState

from fairs import i18n

from . import ical, services

# Litestar adds "; charset=utf-8" to text/* types.
ICS_MEDIA_TYPE = "text/calendar"
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, no-cache"

Body = bytes | Callable[[], Awaitable[bytes]]


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in header.split(","))


def not_modified(request: Request, etag: str, last_modified: datetime | None,
                 honour_ims: bool = True) -> bool:
    """RFC 9110 §13.1: If-None-Match wins; If-Modified-Since only without it (and only where
    Last-Modified is sure to move with every change)."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        return _etag_matches(inm, etag)
    ims = request.headers.get("if-modified-since")
    if ims and last_modified is not None and honour_ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= since
    return False


def validators(etag: str, last_modified: datetime, cache_control: str) -> dict[str, str]:
    return {
        "ETag": etag,
        "Last-Modified": format_datetime(last_modified.astimezone(UTC), usegmt=True),
        "Cache-Control": cache_control,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
    }


def content_disposition(filename: str, full_name: str | None = None) -> str:
    """`inline` (a phone opens it in its calendar) with an ASCII `filename=` and, for a name that
    is not plain ASCII (a Chinese title), RFC 5987's `filename*=UTF-8''...` that browsers prefer
    (RFC 6266)."""
    value = f'inline; filename="{filename}"'
    if full_name and full_name != filename:
        value += f"; filename*=UTF-8''{quote(full_name, safe='')}"
    return value


async def ics_response(request: Request, etag: str, last_modified: datetime, body: Body, *,
                       filename: str | None = None, cache_control: str = PUBLIC_CACHE,
                       honour_ims: bool = True) -> Response:
    headers = validators(etag, last_modified, cache_control)
    if not_modified(request, etag, last_modified, honour_ims):
        return Response(content=b"", status_code=304, headers=headers)
    data = body if isinstance(body, bytes) else await body()
    if filename:
        headers["Content-Disposition"] = content_disposition(filename)
    if len(data) >= 1024 and "gzip" in request.headers.get("accept-encoding", ""):
        # Compressed once per body (kept beside it in the cache), not on every request; the
        # app's compression middleware is told to pass it through untouched.
        if services.bodies.get(etag) is data:
            data = await services.bodies.gzipped(etag, data)
        else:
            data = gzip.compress(data, 6, mtime=0)
        headers["Content-Encoding"] = "gzip"
        ScopeState.from_scope(request.scope).is_cached = True
    return Response(content=data, media_type=ICS_MEDIA_TYPE, headers=headers)


async def fair_ics_response(request: Request, fair_id: int, *, filename: str | None = None,
                            cache_control: str = PUBLIC_CACHE) -> Response:
    """One fair's .ics (404 for a draft or an unknown fair), with 304 handling."""
    stamp = await services.fair_stamp(fair_id)
    return await ics_response(request, stamp.etag, stamp.last_modified,
                              lambda: services.fair_body(fair_id, stamp),
                              filename=filename or f"fair-{fair_id}.ics",
                              cache_control=cache_control)


async def ticket_ics_response(request: Request, fair_id: int, ticket_url: str) -> Response:
    """A ticket holder's own .ics (services.ticket_calendar), named after the fair, private
    and not kept in any shared cache, with 304 handling."""
    body, etag, last_modified, title = await services.ticket_calendar(
        fair_id, ticket_url, i18n.current_locale.get())
    ascii_name, full_name = ical.file_name(title, f"fair-{fair_id}")
    headers = validators(etag, last_modified, PRIVATE_CACHE)
    headers["Vary"] = "Accept-Encoding, Accept-Language, Cookie"  # the reminders' language
    if not_modified(request, etag, last_modified):
        return Response(content=b"", status_code=304, headers=headers)
    headers["Content-Disposition"] = content_disposition(ascii_name, full_name)
    return Response(content=body, media_type=ICS_MEDIA_TYPE, headers=headers)
