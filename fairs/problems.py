"""Every error as RFC 9457 problem details (application/problem+json), in one place.

API paths always get problem+json. A page (a browser asking for HTML) gets the same status with
a readable error page instead, and a login redirect for 401.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from fairs import bounds, i18n
from fairs.db import is_integrity_error
from fairs.errors import FairsError, FieldError, Invalid, NotFound

log = logging.getLogger("fairs.errors")

N_ = i18n.N_
TITLES = {
    400: N_("Bad request"),
    401: N_("Login required"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid input"),
    429: N_("Too many requests"),
    500: N_("Internal server error"),
    503: N_("Service unavailable"),
}


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.startswith("/calendar/") or path == "/schema":
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


class Problem(ProblemDetailsException):
    def __init__(self, *, status: int, title: str, detail: str, slug: str,
                 errors: list[dict] | None = None, headers: dict | None = None,
                 extra: dict | None = None) -> None:
        body: dict[str, Any] = {"errors": errors or []}
        if extra:
            body.update(extra)
        super().__init__(
            status_code=status, title=title, detail=detail, type_=f"/problems/{slug}",
            headers=headers, extra=body,
        )

    def to_response(self, request: Request) -> Response:
        if _wants_html(request):
            if self.status_code == 401:
                return Redirect(path=f"/login?next={request.url.path}")
            return Template(
                template_name="error.html",
                context={
                    "status": self.status_code,
                    "title": i18n.gettext(self.title or "Error"),
                    "detail": self.detail,
                    "errors": (self.extra or {}).get("errors", []),
                    "user": request.scope.get("user"),
                    "request": request,
                    "locale": i18n.current_locale.get(),
                    "html_lang": "zh-CN" if i18n.current_locale.get() == "zh_CN" else "en",
                    "lang_urls": {},
                },
                status_code=self.status_code,
                headers=self.headers,
            )
        return super().to_response(request)


def _slug(status: int) -> str:
    return TITLES.get(status, "error").lower().replace(" ", "-")


def from_fairs_error(exc: FairsError) -> Problem:
    return Problem(
        status=exc.status,
        title=exc.title,
        detail=exc.detail,
        slug=exc.type_slug,
        errors=[e.as_dict() for e in exc.errors],
        headers=exc.headers,
        extra=exc.extra,
    )


def _field_of(item: dict) -> str:
    """The field a validation message is about: msgspec says "... - at `$.capacity`" or
    "Object missing required field `password`"; Litestar's key is the handler's argument."""
    message = str(item.get("message", ""))
    if "at `$." in message:
        path = message.rsplit("at `$.", 1)[1].split("`", 1)[0]
        if "field `" in message:  # a missing field inside a nested object
            path = f"{path}.{message.split('field `', 1)[1].split('`', 1)[0]}"
        return path
    key = item.get("key")
    if "field `" in message:
        name = message.split("field `", 1)[1].split("`", 1)[0]
        # Litestar keeps the path of a nested object in the key ("slots[0]"): "slots[0].x".
        return f"{key}.{name}" if key and key != "data" else name
    if key and key != "data":
        return str(key)
    return "body"


def from_http_exception(exc: HTTPException) -> Problem:
    status = exc.status_code
    errors: list[dict] = []
    detail = exc.detail
    if isinstance(exc, ValidationException) or isinstance(exc.extra, list):
        for item in exc.extra or []:
            if isinstance(item, dict):
                errors.append({"field": _field_of(item), "message": str(item.get("message", ""))})
        if errors and "Validation failed" in detail:
            detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    if not errors and status == 400:
        errors.append({"field": "body", "message": detail})
    return Problem(
        status=status,
        title=TITLES.get(status, detail or "Error"),
        detail=detail,
        slug=_slug(status),
        errors=errors,
        headers=exc.headers,
    )


def _refused_connection(exc: Exception) -> bool:
    """PostgreSQL turned a new connection away (max_connections reached by all the workers'
    pools, or the server starting or stopping): the service is unavailable for a moment."""
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(exc, asyncpg.TooManyConnectionsError | asyncpg.CannotConnectNowError)


def from_unhandled(exc: Exception) -> Problem:
    if is_integrity_error(exc):
        log.warning("integrity error not mapped by a service: %s", type(exc).__name__)
        return Problem(status=409, title="Conflict", slug="conflict",
                       detail="This conflicts with data already saved.")
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        log.error("database busy: %s", exc)
        return Problem(status=503, title="Service unavailable", slug="unavailable",
                       detail="The database is busy; try again.", headers={"Retry-After": "1"})
    if _refused_connection(exc):
        log.error("database refused a connection: %s", exc)
        return Problem(status=503, title="Service unavailable", slug="unavailable",
                       detail="The database is busy; try again.", headers={"Retry-After": "1"})
    log.exception("unhandled error", exc_info=exc)
    return Problem(status=HTTP_500_INTERNAL_SERVER_ERROR, title="Internal server error",
                   slug="internal", detail="Something went wrong on our side.")


# Input the database cannot hold, refused at the door in one place (without this it reaches the
# driver, which refuses it: a 500). Ids are the database's serial integers, 32-bit on
# PostgreSQL; text never holds a NUL character (PostgreSQL's text type cannot store one).
MAX_ID = 2**31 - 1
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _nul_path(value: Any, path: str = "") -> str | None:
    """Where in a decoded JSON document a string (or a key) holds a NUL, as "a.b[2]"."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            found = _nul_path(item, here)
            if found:
                return found
    if isinstance(value, list):
        for n, item in enumerate(value):
            found = _nul_path(item, f"{path}[{n}]")
            if found:
                return found
    return None


def refuse_deep_json(body: bytes) -> None:
    """A JSON body nested deeper than bounds.MAX_JSON_DEPTH is a 400 before any parser recurses
    into it (100,000 brackets made a RecursionError: a 500)."""
    if bounds.json_depth_exceeds(body):
        raise FairsError(N_("the JSON body is nested too deeply"), errors=[
            FieldError("body", N_("nested deeper than 32 levels"))])


def refuse_loose_booleans(request: Request, body: bytes) -> None:
    """A boolean field given 0, 1 or "true" is a 400 naming it (Litestar's lax conversion would
    take it as a boolean)."""
    field = request.route_handler.parsed_data_field
    if field is not None:
        found = bounds.loose_boolean(field.annotation, body)
        if found:
            raise FairsError(N_("Validation failed"), errors=[
                FieldError(found, N_("Expected `bool`: true or false"))])


async def check_input(request: Request) -> None:
    """before_request: an integer path id out of the ids' range, or a path parameter with a
    NUL, names nothing (404); a NUL character in a query parameter or in a JSON or form
    body is a 422 naming the field."""
    for value in (request.scope.get("path_params") or {}).values():
        if isinstance(value, bool):
            continue
        if (isinstance(value, int) and abs(value) > MAX_ID) or (
                isinstance(value, str) and "\x00" in value):
            raise NotFound("no such thing")
    if b"%00" in request.scope.get("query_string", b""):
        for key, value in request.query_params.multi_items():
            if "\x00" in key or "\x00" in str(value):
                raise Invalid(key.replace("\x00", "") or "query", "must not contain NUL characters")
    kind, length = "", None
    for key, value in request.scope["headers"]:  # raw: no Headers object per request
        if key == b"content-type":
            kind = value.decode("latin-1").lower()
        elif key == b"content-length":
            length = value
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE") and not length:
        return
    if "json" in kind:
        body = await request.body()
        refuse_deep_json(body)
        refuse_loose_booleans(request, body)
        if _JSON_NUL.search(body):
            import json

            try:
                field = _nul_path(json.loads(body)) or "body"
            except ValueError:
                return  # malformed JSON: the body's own parser answers 400
            raise Invalid(field, "must not contain NUL characters")
    elif kind.startswith("application/x-www-form-urlencoded"):
        body = await request.body()
        if b"%00" in body or b"\x00" in body:
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                if "\x00" in key or "\x00" in value:
                    raise Invalid(key.replace("\x00", "") or "body",
                                  "must not contain NUL characters")


# --- JSON bodies are JSON -----------------------------------------------------------------------
# A route that takes a JSON body reads it as JSON whatever the Content-Type says: a body sent as
# text/plain (which a page on another site can post without asking) or text/xml was taken. Such
# routes are marked once at start-up (mark_json_bodies) and refuse any other type with a 415.

JSON_BODY = "fairs.json_body"


def mark_json_bodies(route_handlers: Any) -> None:
    """Mark each HTTP route handler whose `data` is a JSON body (JSONBody[...], the default)."""
    from litestar.enums import RequestEncodingType

    for handler in route_handlers:
        parameter = handler.parsed_fn_signature.parameters.get("data")
        if parameter is None:
            continue
        media_type = getattr(parameter.kwarg_definition, "media_type", RequestEncodingType.JSON)
        if media_type == RequestEncodingType.JSON:
            handler.opt[JSON_BODY] = True


def _is_json(kind: bytes) -> bool:
    media = kind.split(b";", 1)[0].strip().lower()
    return media == b"application/json" or (media.startswith(b"application/")
                                            and media.endswith(b"+json"))


def check_media_type(request: Request) -> None:
    """A JSON route given a body of another type (or of no declared type) answers 415."""
    scope = request.scope
    handler = scope.get("route_handler")
    if handler is None or not handler.opt.get(JSON_BODY):
        return
    kind: bytes | None = None
    has_body = False
    for key, value in scope["headers"]:
        if key == b"content-type":
            kind = value
        elif key == b"content-length":
            has_body = value.strip() not in (b"", b"0")
        elif key == b"transfer-encoding":
            has_body = True
    if kind is None and not has_body:
        return
    if kind is None or not _is_json(kind):
        raise Problem(status=415, title=TITLES[415], slug=_slug(415),
                      detail="Send the body as application/json.",
                      errors=[{"field": "content-type", "message": "must be application/json"}])


async def before_request(request: Request) -> None:
    """The app's before_request: the body's media type, then the input checks."""
    check_media_type(request)
    await check_input(request)
