"""Who is calling (session cookie or bearer token), guards for roles, and CSRF for cookie writes.

Web-layer glue: the rules themselves live in `fairs.accounts.services`.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from fairs.errors import NotAuthenticated
from fairs.i18n import N_

from . import services
from .services import Principal
from .sessions import (  # noqa: F401 - the session and CSRF names the app wires
    CSRF_COOKIE,
    CSRF_HEADER,
    SESSION_COOKIE,
    FairsCSRFMiddleware,
    SessionConfig,
    _bearer,
    csrf_config,
    end_session,
    renew_session,
)

OWN_BEARER = "checks_own_bearer"


def _checks_own_bearer(scope: Scope) -> bool:
    """A route handler declared with opt={OWN_BEARER: True} checks a bearer token itself, in the
    same statement as its own lookup (the check-in: thousands a minute at the door). It must
    answer as this middleware and a role guard would: 401 "Invalid or revoked token" for a
    token that is not live, 403 without the role (fairs.accounts.services.token_principal_
    subquery, principal_from_token_row, Principal.require_role)."""
    handler = scope.get("route_handler")
    return handler is not None and bool(handler.opt.get(OWN_BEARER))


def _own_bearer(scope: Scope) -> bool:
    """For a route that checks its own bearer token (OWN_BEARER) asked with one: the scope as
    the authentication layer leaves it (no user, the token in scope["bearer"]: the route
    authenticates it in its own first statement, one round trip for the token and the work),
    and True. False (the scope untouched) for any other request. The route's opt is looked at
    before the headers: most routes are not such a route."""
    if not _checks_own_bearer(scope):
        return False
    token = _bearer(scope)
    if token is None:
        return False
    scope["user"] = None
    scope["auth"] = "token"
    scope["bearer"] = token
    return True


def bearer_only(scope: Scope) -> bool:
    """fairs.web.RequestStack's short way: for a route that checks its own bearer token
    (OWN_BEARER) asked with one, the scope as the session, CSRF and authentication layers would
    leave it (an empty session, no user, the token in scope["bearer"]) and True; the layers have
    nothing else to do for such a request: the route reads no session and sets no cookie, and
    a bearer-token request needs no CSRF token (no ambient credential is used, and a page on
    another site cannot send an Authorization header). False for any other request."""
    if not _own_bearer(scope):
        return False
    scope["session"] = {}
    return True


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
        if _own_bearer(scope):
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        if token is not None:
            principal = await services.principal_by_token(token)
            if principal is None:
                raise NotAuthenticated(N_("Invalid or revoked token"), code="invalid_token")
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
