"""Sessions, CSRF and the Origin check: the cookie side of "who is calling".

- A session id is only ever one the server made: an id a client sends that names no stored
  session is never adopted (no fixation), and a session that becomes authenticated (a login, an
  employer's sign-up, a login as someone else) gets a fresh id, the old one's stored session
  deleted. A logout deletes the stored session and expires the cookie.
- The CSRF token of a session is an HMAC of its id under the secret key: a token minted for one
  session is worth nothing in another (Litestar's double-submit cookie is bound to nothing but
  itself). The `fairs_csrf` cookie carries it for the pages' scripts and is re-issued with each
  new session id.
- A state-changing request that a browser sends from another origin is refused (403) whatever
  it carries: the Origin header (or the Referer, when there is no Origin) must be
  FAIRS_BASE_URL's origin. This is what stops login CSRF, where there is no session yet.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from secrets import compare_digest
from typing import Any
from urllib.parse import urlsplit

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, ScopeSession, Send
from litestar.utils.dataclass import extract_dataclass_items
from litestar.utils.scope.state import ScopeState

SESSION_COOKIE = "fairs_session"
CSRF_COOKIE = "fairs_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "_csrf_token"

# What the session middleware leaves in the scope for the CSRF middleware and the backend.
KNOWN_ID = "fairs.session_id"  # the id of a stored session the request's cookie named
KNOWN_UID = "fairs.session_uid"  # that session's user id, as loaded
RENEW = "fairs.session_renew"  # set by renew_session(): give this session a fresh id

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Paths whose answers never hold a form (the API, static files, metrics, the favicon): an
# anonymous read of them needs no CSRF token minted, nor the cookie that carries it.
NO_FORMS = ("/api/", "/static/", "/metrics", "/favicon.ico")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value
    return None


def _bearer(scope: Scope) -> str | None:
    value = _header(scope, b"authorization")
    if value is not None:
        text = value.decode("latin-1").strip()
        if text[:7].lower() == "bearer ":
            return text[7:].strip()
    return None


def _has_cookie(scope: Scope, name: str) -> bool:
    needle = name.encode() + b"="
    for key, value in scope.get("headers", ()):
        if key == b"cookie" and needle in value:
            return True
    return False


def csrf_token_for(session_id: str, secret: str) -> str:
    """The CSRF token of one session: an HMAC of its id (hex)."""
    return hmac.new(secret.encode(), b"fairs-csrf:" + session_id.encode(),
                    hashlib.sha256).hexdigest()


def renew_session(connection: ASGIConnection[Any, Any, Any, Any], data: dict[str, Any]) -> None:
    """Make `data` the caller's session under a fresh id (a login): the session the request
    came with, if any, is deleted when the answer is sent."""
    connection.scope[RENEW] = True  # type: ignore[literal-required]
    connection.clear_session()
    connection.set_session(data)


def end_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Log out: the stored session is deleted and the cookie expired."""
    connection.clear_session()


class LazySessionBackend(ServerSideSessionBackend):
    """Server-side sessions that exist only once something is put in them, under ids only the
    server makes.

    Litestar's backend stores an empty session and sets a cookie on every anonymous request,
    and keeps whatever id the client's cookie holds. Here an empty session is never stored, an
    emptied one (logout) is deleted with its cookie, an id that names no stored session is never
    used again, and a session whose user changes gets a fresh id.
    """

    csrf_secret: str = ""

    def get_session_id(self, connection: ASGIConnection) -> str:
        """The id of the stored session the cookie named, or one made for this response; never
        the cookie's id when no session is stored under it, and no random id for every
        anonymous request (the middleware asks on each one)."""
        known = connection.scope.get(KNOWN_ID)  # type: ignore[call-overload]
        if known:
            return known
        return connection.get_session_id() or ""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        session_id = connection.cookies.get(self.config.key)
        if session_id and session_id != "null" and len(session_id) <= 128:
            store = self.config.get_store_from_app(connection.scope["app"])
            data = await self.get(session_id, store=store)
            if data is not None:
                session = self.deserialize_data(data)
                connection.scope[KNOWN_ID] = session_id  # type: ignore[literal-required]
                connection.scope[KNOWN_UID] = session.get("uid")  # type: ignore[literal-required]
                return session
        return {}

    def _cookie_params(self) -> dict[str, Any]:
        return dict(extract_dataclass_items(self.config, exclude_none=True,
                                            include=Cookie.__dict__.keys()))

    async def store_in_message(self, scope_session: ScopeSession, message: Message,
                               connection: ASGIConnection) -> None:
        scope = connection.scope
        known: str | None = scope.get(KNOWN_ID)  # type: ignore[call-overload]
        had_cookie = self.config.key in connection.cookies
        headers = MutableScopeHeaders.from_message(message)
        params = self._cookie_params()
        if not scope_session or scope_session is Empty:
            if had_cookie:
                store = self.config.get_store_from_app(scope["app"])
                if known:
                    await self.delete(known, store=store)
                headers.add("Set-Cookie", Cookie(value="null", key=self.config.key, expires=0,
                                                 **params).to_header(header=""))
            return
        store = self.config.get_store_from_app(scope["app"])
        uid = scope_session.get("uid") if isinstance(scope_session, dict) else None
        session_id = known
        if not known or scope.get(RENEW) or uid != scope.get(KNOWN_UID):  # type: ignore[call-overload]
            # A new session, or one whose user changed (a login): a fresh id, the old one gone.
            if known:
                await self.delete(known, store=store)
            session_id = self.generate_session_id()
            connection._connection_state.session_id = session_id
            if self.csrf_secret:
                headers.add("Set-Cookie", Cookie(
                    key=CSRF_COOKIE, value=csrf_token_for(session_id, self.csrf_secret),
                    path="/", secure=self.config.secure, httponly=False, samesite="lax",
                ).to_header(header=""))
        assert session_id is not None
        await self.set(session_id=session_id, data=self.serialize_data(scope_session, scope),
                       store=store)
        headers.add("Set-Cookie", Cookie(value=session_id, key=self.config.key,
                                         **params).to_header(header=""))


class LazySessionMiddleware(SessionMiddleware):
    """Litestar's session middleware, with a short way through for a request without the session
    cookie (a scanner's, a feed's, a visitor's): an empty session, and the store is asked only if
    the handler put something in it (a login)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _has_cookie(scope, self.backend.config.key):
            await super().__call__(scope, receive, send)
            return
        scope["session"] = {}

        async def store_if_set(message: Message) -> None:
            if message["type"] == "http.response.start" and scope.get("session"):
                connection = ASGIConnection[Any, Any, Any, Any](scope, receive=receive, send=send)
                await self.backend.store_in_message(scope["session"], message, connection)
            await send(message)

        await self.app(scope, receive, store_if_set)


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = LazySessionBackend  # type: ignore[assignment]
    csrf_secret: str = field(default="", repr=False)

    @property
    def middleware(self) -> DefineMiddleware:
        backend = self._backend_class(config=self)
        backend.csrf_secret = self.csrf_secret  # type: ignore[attr-defined]
        return DefineMiddleware(LazySessionMiddleware, backend=backend)


_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower-case, without the scheme's default port."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "null"
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower().rpartition("@")[2]
    if netloc.endswith(_DEFAULT_PORTS.get(scheme, "\0")):
        netloc = netloc[: -len(_DEFAULT_PORTS[scheme])]
    return f"{scheme}://{netloc}" if scheme and netloc else "null"


def _own_origin(scope: Scope) -> str:
    """The origin the request was addressed to (its scheme and Host)."""
    host = _header(scope, b"host")
    if host is None:
        return "null"
    return origin_of(f"{scope.get('scheme', 'http')}://{host.decode('latin-1')}")


def foreign_origin(scope: Scope, allowed: str) -> bool:
    """Whether a browser sent this request from another origin: its Origin header, or its
    Referer's origin when there is no Origin, is neither `allowed` (FAIRS_BASE_URL's) nor the
    origin the request was sent to (scheme and Host, as Django checks it: a page opened as
    http://localhost:8000 posts to itself). A browser cannot forge Origin, and a cross-site
    form's Origin is the other site's, whatever the Host. A request with neither header (a
    script, an old client) is not a browser's cross-site request."""
    origin = _header(scope, b"origin")
    if origin is None:
        origin = _header(scope, b"referer")
    if origin is None:
        return False
    sent_from = origin_of(origin.decode("latin-1"))
    return sent_from == "null" or sent_from not in (allowed, _own_origin(scope))


class FairsCSRFMiddleware(CSRFMiddleware):
    """CSRF for state-changing requests authenticated by the session cookie, with the token
    bound to the session (an HMAC of its id); and, for every state-changing request a browser
    may send with ambient credentials (all but bearer-token ones), the Origin check.

    A bearer-token request, or one without a live session (a public registration, a login),
    needs no token, since no ambient credential is used; a login is guarded by the Origin check
    and by the fresh session id it gets."""

    def __init__(self, app: ASGIApp, config: CSRFConfig, allowed_origin: str = "") -> None:
        super().__init__(app, config)
        if allowed_origin == "null":
            raise RuntimeError("FAIRS_BASE_URL must be an absolute address, https://host[:port]")
        self.allowed_origin = allowed_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session_id: str | None = scope.get(KNOWN_ID)  # type: ignore[call-overload]
        if scope["method"] in SAFE_METHODS:
            if session_id is None:
                if scope["path"].startswith(NO_FORMS):
                    # JSON, files and feeds carry no form: no token made, no cookie set.
                    await self.app(scope, receive, send)
                    return
                await super().__call__(scope, receive, send)  # an anonymous page's form token
                return
            token = csrf_token_for(session_id, self.config.secret)
            ScopeState.from_scope(scope).csrf_token = token
            await self.app(scope, receive, self._cookie_sender(scope, send, token))
            return
        if _bearer(scope) is not None:
            await self.app(scope, receive, send)
            return
        if self.allowed_origin and foreign_origin(scope, self.allowed_origin):
            raise PermissionDeniedException("Cross-origin request refused")
        if session_id is None:
            await self.app(scope, receive, send)
            return
        given = _header(scope, CSRF_HEADER.encode())
        sent = given.decode("latin-1") if given is not None else None
        if sent is None:
            request = scope["litestar_app"].request_class(scope=scope, receive=receive)
            content_type, _ = request.content_type
            if content_type in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
                value = (await request.form()).get(CSRF_FORM_FIELD)
                sent = value if isinstance(value, str) else None
        token = csrf_token_for(session_id, self.config.secret)
        if sent is None or not compare_digest(sent.encode(), token.encode()):
            raise PermissionDeniedException("CSRF token verification failed")
        ScopeState.from_scope(scope).csrf_token = token
        await self.app(scope, receive, send)

    def _cookie_sender(self, scope: Scope, send: Send, token: str) -> Send:
        """Hand the session's token to the page's scripts, when the cookie does not hold it."""
        needle = f"{CSRF_COOKIE}={token}".encode()
        for key, value in scope.get("headers", ()):
            if key == b"cookie" and needle in value:
                return send

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._set_cookie_if_needed(message=message, token=token)  # type: ignore[arg-type]
            await send(message)

        return with_cookie


def csrf_config(secret: str, secure: bool) -> CSRFConfig:
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=secure,
        cookie_samesite="lax",
        cookie_httponly=False,  # pages' scripts read it to send the header
    )
