"""The 4xx answers in the OpenAPI schema, added to every route at start-up from what the route
declares (its body, parameters, guards), not written per route by hand.

- 400 and 422: a route with a body or parameters (a malformed or invalid input);
- 401 and 403: a guarded route, or one that checks its own bearer token; 401 for a route that
  logs in or raises NotAuthenticated itself; 403 also for every state-changing route (the CSRF
  and Origin checks);
- 404: a route with path parameters;
- 409: a state-changing route (a booth taken, a fair in the wrong state...), and any route that
  declares it with opt={"problems": [409]};
- 415: a route that takes a JSON body;
- 429: a rate-limited route (its handler consults the limiter), or one that declares it.

Each is `application/problem+json` with the ProblemDetails schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec

from fairs.accounts.auth import OWN_BEARER
from fairs.problems import JSON_BODY, TITLES

DECLARED = "problems"  # opt key: statuses a handler declares beyond the ones inferred
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class FieldProblem(msgspec.Struct):
    """What is wrong with one field: `message` in the request's language, `code` a stable
    machine word (`required`, `too_long`, `invalid_uscc`...) that does not change with it."""

    field: str
    message: str
    code: str


class ProblemDetails(msgspec.Struct):
    """RFC 9457 problem details, as every error is answered. `title`, `detail` and each
    `errors[].message` are in the request's language (Accept-Language, the session's choice, or
    zh-CN); `code` (the problem's) and `errors[].code` are stable machine words."""

    status: int
    type: str = "about:blank"
    title: str = ""
    detail: str = ""
    code: str = ""
    errors: list[FieldProblem] = []


def _spec(status: int) -> ResponseSpec:
    return ResponseSpec(data_container=ProblemDetails, generate_examples=False,
                        media_type="application/problem+json",
                        description=str(TITLES.get(status, "Error")))


SPECS = {status: _spec(status) for status in (400, 401, 403, 404, 409, 415, 422, 429, 503)}


def _names(handler: Any) -> set[str]:
    """The global and attribute names the handler's own code uses (services.login, limiter)."""
    code = getattr(getattr(handler, "fn", None), "__code__", None)
    return set(code.co_names) if code is not None else set()


def problem_statuses(handler: Any, path: str) -> set[int]:
    """The 4xx statuses a route (`path`, as the app has it) can answer, from what it declares."""
    statuses: set[int] = set(handler.opt.get(DECLARED, ()))
    parameters = handler.parsed_fn_signature.parameters
    has_body = "data" in parameters
    if has_body or any(name not in ("request", "self", "state", "scope") for name in parameters):
        statuses |= {400, 422}
    if handler.resolve_guards() or handler.opt.get(OWN_BEARER):
        statuses |= {401, 403}
    if {"NotAuthenticated", "login"} & _names(handler):  # a login, or a route that checks one
        statuses.add(401)
    if "{" in path:
        statuses.add(404)
    if UNSAFE & set(handler.http_methods):
        statuses |= {403, 409}
    if handler.opt.get(JSON_BODY):
        statuses.add(415)
    if "limiter" in _names(handler):
        statuses.add(429)
    return statuses


def http_handlers(app: Any) -> list[tuple[str, Any]]:
    """Each HTTP route handler of the app, with its route's full path."""
    from litestar.handlers import HTTPRouteHandler

    return [(route.path, handler) for route in app.routes
            for handler in getattr(route, "route_handlers", ())
            if isinstance(handler, HTTPRouteHandler)]


def document_problems(handlers: Iterable[tuple[str, Any]]) -> None:
    """Add the problem answers to each documented route handler's `responses`."""
    for path, handler in handlers:
        if not handler.resolve_include_in_schema():
            continue
        responses = dict(handler.responses or {})
        for status in sorted(problem_statuses(handler, path)):
            if responses.get(status) is None or responses[status].data_container is None:
                responses[status] = SPECS[status]
        handler.responses = responses
