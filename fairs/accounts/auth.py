"""Who is calling (session cookie or bearer token), guards for roles, and CSRF for cookie writes.

Web-layer glue: the rules themselves live in `fairs.accounts.services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, ScopeSession, Send

from fairs.errors import NotAuthenticated

from . import services
from .services import Principal

SESSION_COOKIE = "fairs_session"
CSRF_COOKIE = "fairs_csrf"
CSRF_HEADER = "x-csrf-token"


def _bearer(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"authorization":
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


class LazySessionBackend(ServerSideSessionBackend):
    """Server-side sessions that exist only once something is put in them.

    Litestar's backend stores an empty session and sets a cookie on every anonymous request: a
    store write per public call (a scan, a feed) and a cookie nobody asked for. Here an empty
    session is never stored, and an emptied one (logout) is deleted with its cookie.
    """

    def get_session_id(self, connection: ASGIConnection) -> str:
        """The cookie's id, or the one made for this response; no random id for every anonymous
        request (the middleware asks on each one)."""
        session_id = connection.cookies.get(self.config.key)
        if session_id and session_id != "null":
            return session_id
        return connection.get_session_id() or ""

    async def store_in_message(self, scope_session: ScopeSession, message: Message,
                               connection: ASGIConnection) -> None:
        had_cookie = self.config.key in connection.cookies
        if not scope_session or scope_session is Empty:
            if had_cookie:
                await super().store_in_message(Empty, message, connection)
            return
        if not self.get_session_id(connection):  # a new session: now it needs an id
            connection._connection_state.session_id = self.generate_session_id()
        await super().store_in_message(scope_session, message, connection)


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

    @property
    def middleware(self) -> DefineMiddleware:
        return DefineMiddleware(LazySessionMiddleware, backend=self._backend_class(config=self))


OWN_BEARER = "checks_own_bearer"


def _checks_own_bearer(scope: Scope) -> bool:
    """A route handler declared with opt={OWN_BEARER: True} checks a bearer token itself, in the
    same statement as its own lookup (the check-in: thousands a minute at the door). It must
    answer as this middleware and a role guard would: 401 "Invalid or revoked token" for a
    token that is not live, 403 without the role (fairs.accounts.services.token_principal_
    subquery, principal_from_token_row, Principal.require_role)."""
    handler = scope.get("route_handler")
    return handler is not None and bool(handler.opt.get(OWN_BEARER))


def bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The bearer token a route that checks its own (OWN_BEARER) has to check."""
    return connection.scope.get("bearer")


class AuthMiddleware:
    """Puts the caller's Principal (or None) in scope["user"], and how in scope["auth"]. A plain
    ASGI middleware: it runs on every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        principal: Principal | None = None
        how: str | None = None
        token = _bearer(scope)
        if token is not None and _checks_own_bearer(scope):
            # The route authenticates the token in its own first statement (one round trip
            # for the token and the work): scope["bearer"] holds it, scope["user"] stays None.
            scope["user"] = None
            scope["auth"] = "token"
            scope["bearer"] = token
            await self.app(scope, receive, send)
            return
        if token is not None:
            principal = await services.principal_by_token(token)
            if principal is None:
                raise NotAuthenticated("Invalid or revoked token")
            how = "token"
        else:
            session = scope.get("session") or {}
            uid = session.get("uid") if isinstance(session, dict) else None
            if isinstance(uid, int):
                principal = await services.principal_by_id(uid)
                how = "session" if principal else None
        scope["user"] = principal
        scope["auth"] = how
        await self.app(scope, receive, send)


class FairsCSRFMiddleware(CSRFMiddleware):
    """Litestar's CSRF check, applied only where API.md asks for it: to state-changing requests
    authenticated by the session cookie. A bearer-token request, or one with no session cookie
    at all (a public registration), needs no CSRF token, since no ambient credential is used."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") not in self.config.safe_methods and (
            _bearer(scope) is not None or not _has_cookie(scope, SESSION_COOKIE)
        ):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def csrf_config(secret: str, secure: bool) -> CSRFConfig:
    return CSRFConfig(
        secret=secret,
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=secure,
        cookie_samesite="lax",
        cookie_httponly=False,  # pages' scripts read it to send the header
    )


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The caller's address (uvicorn resolves X-Forwarded-For from trusted proxies)."""
    client = connection.scope.get("client")
    return client[0] if client else "unknown"


# --- guards ---------------------------------------------------------------------------------


def current(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    return connection.scope.get("user")


def require(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal = current(connection)
    if principal is None:
        raise NotAuthenticated()
    return principal


# Guards are coroutines: Litestar runs a plain function guard in a worker thread, a thread hop
# on every guarded request (a scan) for a check that takes microseconds.


async def logged_in(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    require(connection)


def role_guard(*roles: str):
    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        require(connection).require_role(*roles)

    guard.__name__ = f"requires_{'_or_'.join(roles)}"
    return guard


organiser_guard = role_guard("organiser")
admin_guard = role_guard("admin")
scanner_guard = role_guard("scanner", "organiser")
employer_guard = role_guard("employer")
