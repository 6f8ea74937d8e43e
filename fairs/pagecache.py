"""Rendered public pages, kept per process and keyed by what changes (issue 16).

A page that everybody sees alike (the fair list, a fair's page, as an anonymous visitor sees
them) is rendered once per (page, language, query, stamp): the stamp is a cheap value read
from the database on every request (fairs.events.stamps), so a change made through any worker
shows at once through every other; an entry also ends at the next time that time alone changes
the page (a fair ends, registration opens). Nothing is kept by age.

Only the anonymous variant is cached: a request that carries a user (session or bearer), or a
stored session, is rendered afresh as before. The anonymous variant is rendered without a CSRF
token (an anonymous form post is not token-checked: fairs.accounts.sessions), so no visitor's
token is ever shown to another.

Answers carry an ETag (the page, language, query and stamp) and `Cache-Control: no-cache`; an
If-None-Match naming the current one is a 304 without rendering. `Vary: Accept-Language,
Cookie`: the language comes from those (or the query, which is in the address).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request, Response

from fairs import clock, i18n
from fairs.accounts.sessions import KNOWN_ID, SESSION_COOKIE
from fairs.web import LANG_COOKIE, page_context

MAX_ENTRIES = 2000
MAX_BYTES = 64 * 1024 * 1024
HTML = "text/html; charset=utf-8"


@dataclass
class Rendered:
    """What a page's builder answers: its template and context, and until when it holds."""

    template: str
    context: dict[str, Any]
    until: datetime | None = None
    status_code: int = 200


@dataclass
class Entry:
    stamp: str
    etag: str
    body: bytes
    until: datetime | None


class PageCache:
    """An LRU of rendered pages (at most MAX_ENTRIES and about MAX_BYTES)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.items: OrderedDict[tuple, Entry] = OrderedDict()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0

    def get(self, key: tuple, stamp: str, at: datetime) -> Entry | None:
        entry = self.items.get(key)
        if entry is None:
            return None
        if entry.stamp != stamp or (entry.until is not None and at >= entry.until):
            self._drop(key)
            return None
        self.items.move_to_end(key)
        return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if key in self.items:
            self._drop(key)
        if len(entry.body) > self.max_bytes // 4:
            return
        self.items[key] = entry
        self.size += len(entry.body)
        while len(self.items) > self.max_entries or self.size > self.max_bytes:
            self._drop(next(iter(self.items)))

    def _drop(self, key: tuple) -> None:
        entry = self.items.pop(key, None)
        if entry is not None:
            self.size -= len(entry.body)

    def clear(self) -> None:
        self.items.clear()
        self.size = 0


PAGES = PageCache()


def anonymous(request: Request) -> bool:
    """Whether the page is the one everybody sees: no user, no stored session, no bearer."""
    scope = request.scope
    return (scope.get("user") is None and scope.get(KNOWN_ID) is None  # type: ignore[call-overload]
            and scope.get("auth") is None and scope.get("bearer") is None
            and SESSION_COOKIE not in request.cookies)


def _etag(key: tuple, stamp: str, until: datetime | None) -> str:
    digest = hashlib.blake2b(repr((key, stamp, until)).encode(), digest_size=12).hexdigest()
    return f'W/"p-{digest}"'


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    ours = etag.removeprefix("W/")
    return any(tag.strip() == "*" or tag.strip().removeprefix("W/") == ours
               for tag in header.split(","))


def _headers(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Language, Cookie"}


def _answer(request: Request, entry: Entry, status_code: int = 200) -> Response:
    if status_code == 200 and _matches(request.headers.get("if-none-match"), entry.etag):
        return Response(b"", status_code=304, headers=_headers(entry.etag))
    response = Response(entry.body, status_code=status_code, media_type=HTML,
                        headers=_headers(entry.etag))
    lang = request.query_params.get("lang")
    if lang and i18n.normalise(lang):
        response.set_cookie(LANG_COOKIE, i18n.current_locale.get(), max_age=365 * 86400,
                            samesite="lax", httponly=True)
    return response


def render(request: Request, rendered: Rendered, csrf_input: str = "") -> bytes:
    context = page_context(request, rendered.context)
    template = request.app.template_engine.get_template(rendered.template)
    return template.render(**context, csrf_input=csrf_input).encode()


async def cached_page(request: Request, name: str, stamp: str,
                      build: Callable[[], Awaitable[Rendered]]) -> Response:
    """The anonymous page `name` for this request's language and query, from the cache when
    its stamp still holds, else built, rendered and kept."""
    key = (name, i18n.current_locale.get(), request.scope.get("query_string", b""))
    at = clock.now()
    entry = PAGES.get(key, stamp, at)
    if entry is None:
        rendered = await build()
        entry = Entry(stamp=stamp, etag=_etag(key, stamp, rendered.until),
                      body=render(request, rendered), until=rendered.until)
        if rendered.status_code != 200:
            return _answer(request, entry, rendered.status_code)
        PAGES.put(key, entry)
    return _answer(request, entry)
