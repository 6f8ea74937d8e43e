"""Every error as RFC 9457 problem details (application/problem+json), in one place.

API paths always get problem+json. A page (a browser asking for HTML) gets the same status with
a readable error page instead, and a login redirect for 401.

Errors carry message ids (fairs.errors); they are rendered here, when the answer is made, in the
request's language: `title`, `detail` and each `errors[].message`, next to the stable `code` and
`errors[].code`. Litestar's own texts (its validation messages included, fairs.validation) are
mapped to message ids first.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.response import Redirect, Template
from litestar.serialization import encode_json
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Send

from fairs import bounds, i18n, validation
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
    410: N_("Gone"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    422: N_("Invalid input"),
    429: N_("Too many requests"),
    500: N_("Internal server error"),
    503: N_("Service unavailable"),
}
NOTHING_HERE = N_("There is nothing at this address.")
# Litestar's own texts (an HTTPException's detail) as message ids with a machine code.
HTTP_DETAILS = {
    "Not Found": (NOTHING_HERE, "not_found"),
    "Method Not Allowed": (N_("This address does not take this method."), "method_not_allowed"),
    "Request Entity Too Large": (N_("The request is too large."), "too_large"),
    "Bad Request": (N_("The request is malformed."), "bad_request"),
    "Forbidden": (N_("Forbidden"), "forbidden"),
    "Unauthorized": (N_("Login required"), "not_authenticated"),
    "Too Many Requests": (N_("Too many requests"), "too_many_requests"),
    "Service Unavailable": (N_("Service unavailable"), "unavailable"),
    "Internal Server Error": (N_("Something went wrong on our side."), "internal"),
    "CSRF token verification failed": (
        N_("The page's security token is missing or out of date: reload the page and try "
           "again."), "csrf"),
    "Cross-origin request refused": (N_("A request from another site is refused."),
                                     "cross_origin"),
    "Invalid host header": (N_("The request's Host header is invalid."), "bad_host"),
    "Invalid multipart/form-data": (N_("The uploaded form is malformed."), "malformed"),
    "Unexpected eof in multipart/form-data": (N_("The uploaded form is malformed."), "malformed"),
    "multipart boundary missing in Content-Type": (N_("The uploaded form is malformed."),
                                                   "malformed"),
}
HTTP_PREFIXES = (
    ("Invalid content-length", N_("The request's Content-Length header is invalid."),
     "bad_content_length"),
    ("JSON is malformed", N_("The body is not valid JSON."), "malformed"),
    ("Validation failed", N_("Validation failed"), "invalid"),
)


def request_locale(request: Request) -> str:
    """The request's language: as RequestStack chose it, or (an error raised before that
    middleware ran, or after it returned: an unknown path, a middleware's refusal) as it would."""
    state = request.scope.get("state") or {}
    locale = state.get("locale")
    if locale:
        return locale
    settings = request.app.state.get("settings")
    return i18n.locale_for(request.scope, getattr(settings, "default_locale", i18n.DEFAULT_LOCALE))


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.startswith("/calendar/") or path == "/schema":
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


class LocaleTemplate(Template):
    """A template rendered in a given locale, whichever locale the context holds by then (an
    error answered outside RequestStack is rendered after it has returned)."""

    def __init__(self, *args: Any, locale: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale = locale

    def to_asgi_response(self, *args: Any, **kwargs: Any):
        token = i18n.current_locale.set(self.locale)
        try:
            return super().to_asgi_response(*args, **kwargs)
        finally:
            i18n.current_locale.reset(token)


class Problem(ProblemDetailsException):
    """A problem in message ids (the detail and each field's message, with their values),
    rendered in the request's language when it is answered."""

    def __init__(self, *, status: int, detail: str = "", slug: str,
                 params: dict | None = None, code: str | None = None,
                 errors: list[FieldError] | None = None, headers: dict | None = None,
                 extra: dict | None = None, title: str | None = None,
                 detail_lists_errors: bool = False) -> None:
        self.detail_lists_errors = detail_lists_errors  # "field: message; ..." as the detail
        self.msgid = detail or TITLES.get(status, N_("Error"))
        self.params = dict(params or {})
        self.field_errors = list(errors or [])
        self.code = code or (self.field_errors[0].code if self.field_errors else None) \
            or slug.replace("-", "_")
        for error in self.field_errors:
            error.code = error.code or self.code
        self.body_extra = dict(extra or {})
        super().__init__(
            status_code=status, title=title or TITLES.get(status, N_("Error")),
            detail=self.msgid, type_=f"/problems/{slug}", headers=headers,
        )

    def rendered(self, locale: str) -> dict[str, Any]:
        """The problem's body in `locale`."""
        if self.detail_lists_errors and self.field_errors:
            detail = "; ".join(f"{e.field}: {e.text(locale)}" for e in self.field_errors)
        else:
            detail = i18n.render(self.msgid, self.params, locale)
        body: dict[str, Any] = {
            "status": self.status_code, "type": self.type_,
            "title": i18n.render(self.title or N_("Error"), None, locale),
            "detail": detail,
            "code": self.code,
            "errors": [e.as_dict(locale) for e in self.field_errors],
        }
        body.update(self.body_extra)
        return body

    def to_response(self, request: Request) -> Response:
        locale = request_locale(request)
        body = self.rendered(locale)
        if _wants_html(request):
            if self.status_code == 401:
                return Redirect(path=f"/login?next={request.url.path}")
            return LocaleTemplate(
                template_name="error.html",
                locale=locale,
                context={
                    "status": self.status_code,
                    "title": body["title"],
                    "detail": body["detail"],
                    "errors": body["errors"],
                    "user": request.scope.get("user"),
                    "request": request,
                    "locale": locale,
                    "html_lang": "zh-CN" if locale == "zh_CN" else "en",
                    "lang_urls": {},
                },
                status_code=self.status_code,
                headers=self.headers,
            )
        return Response(body, headers=self.headers, media_type="application/problem+json",
                        status_code=self.status_code)


@lru_cache(maxsize=64)
def _encoded(error: FairsError, locale: str) -> bytes:
    return encode_json(from_fairs_error(error).rendered(locale))


async def send(send: Send, error: FairsError, locale: str) -> None:
    """`error` answered straight to the ASGI `send` as problem+json in `locale`, the bytes the
    exception handler would answer (for a constant error, encoded once per language: see
    fairs.web.EARLY)."""
    body = _encoded(error, locale)
    headers = [(b"content-type", b"application/problem+json"),
               (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode("latin-1"), str(v).encode("latin-1"))
                for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _slug(status: int) -> str:
    return TITLES.get(status, "error").lower().replace(" ", "-")


def from_fairs_error(exc: FairsError) -> Problem:
    return Problem(
        status=exc.status,
        title=exc.title,
        detail=exc.msgid,
        params=exc.params,
        code=exc.code,
        slug=exc.type_slug,
        errors=exc.errors,
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


def _detail_of(text: str) -> tuple[str, dict, str | None]:
    """A Litestar detail as a message id, its values and its code; a text not known here is
    given as the reason of a refusal."""
    if text in HTTP_DETAILS:
        message, code = HTTP_DETAILS[text]
        return message, {}, code
    for prefix, message, code in HTTP_PREFIXES:
        if text.startswith(prefix):
            return message, {}, code
    if not text:
        return "", {}, None
    return N_("The request was refused: {reason}"), {"reason": text}, None


_MISSING_PARAMETER = re.compile(r"^Missing required \w+ parameter '([^']*)'")


def from_http_exception(exc: HTTPException) -> Problem:
    status = exc.status_code
    errors: list[FieldError] = []
    if isinstance(exc, ValidationException) or isinstance(exc.extra, list):
        for item in exc.extra or []:
            if isinstance(item, dict):
                message, params, code = validation.parse(str(item.get("message", "")))
                errors.append(FieldError(_field_of(item), message, code=code, params=params))
    missing = _MISSING_PARAMETER.match(exc.detail or "")
    if missing and not errors:
        errors.append(FieldError(missing.group(1), N_("required"), code="required"))
    if errors:
        return Problem(status=status, slug=_slug(status), detail=N_("Validation failed"),
                       errors=errors, headers=exc.headers, detail_lists_errors=True)
    detail, params, code = _detail_of(exc.detail or "")
    if status == 400:  # a malformed request names the body
        if code == "malformed":
            errors.append(FieldError("body", N_("not valid JSON"), code="malformed"))
        else:
            errors.append(FieldError("body", N_("The request is malformed."),
                                     code=code or "bad_request"))
    return Problem(status=status, slug=_slug(status), detail=detail, params=params, code=code,
                   errors=errors, headers=exc.headers)


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
        return Problem(status=409, slug="conflict", code="conflict",
                       detail=N_("This conflicts with data already saved."))
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
        log.error("database busy: %s", exc)
        return Problem(status=503, slug="unavailable", code="busy",
                       detail=N_("The database is busy; try again."), headers={"Retry-After": "1"})
    if _refused_connection(exc):
        log.error("database refused a connection: %s", exc)
        return Problem(status=503, slug="unavailable", code="busy",
                       detail=N_("The database is busy; try again."), headers={"Retry-After": "1"})
    log.exception("unhandled error", exc_info=exc)
    return Problem(status=HTTP_500_INTERNAL_SERVER_ERROR, slug="internal", code="internal",
                   detail=N_("Something went wrong on our side."))


# Input the database cannot hold, refused at the door in one place (without this it reaches the
# driver, which refuses it: a 500). Ids are the database's serial integers, 32-bit on
# PostgreSQL; text never holds a NUL character (PostgreSQL's text type cannot store one).
MAX_ID = 2**31 - 1
NUL_MESSAGE = N_("must not contain NUL characters")
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
            FieldError("body", N_("nested deeper than 32 levels"), code="too_deep")])


def refuse_loose_booleans(request: Request, body: bytes) -> None:
    """A boolean field given 0, 1 or "true" is a 400 naming it (Litestar's lax conversion would
    take it as a boolean)."""
    field = request.route_handler.parsed_data_field
    if field is not None:
        found = bounds.loose_boolean(field.annotation, body)
        if found:
            raise FairsError(N_("Validation failed"), errors=[
                FieldError(found, N_("true or false"), code="type")])


def path_names_something(path_params: dict | None) -> bool:
    """False when an integer path id is out of the ids' range or a path parameter holds a NUL:
    such a path names nothing."""
    for value in (path_params or {}).values():
        if isinstance(value, bool):
            continue
        if (isinstance(value, int) and abs(value) > MAX_ID) or (
                isinstance(value, str) and "\x00" in value):
            return False
    return True


async def check_input(request: Request) -> None:
    """before_request: an integer path id out of the ids' range, or a path parameter with a
    NUL, names nothing (404); a NUL character in a query parameter or in a JSON or form
    body is a 422 naming the field."""
    if not path_names_something(request.scope.get("path_params")):
        raise NotFound(NOTHING_HERE)
    if b"%00" in request.scope.get("query_string", b""):
        for key, value in request.query_params.multi_items():
            if "\x00" in key or "\x00" in str(value):
                raise Invalid(key.replace("\x00", "") or "query", NUL_MESSAGE, code="nul")
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
            raise Invalid(field, NUL_MESSAGE, code="nul")
    elif kind.startswith("application/x-www-form-urlencoded"):
        body = await request.body()
        if b"%00" in body or b"\x00" in body:
            for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
                if "\x00" in key or "\x00" in value:
                    raise Invalid(key.replace("\x00", "") or "body", NUL_MESSAGE, code="nul")


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
        raise Problem(status=415, slug=_slug(415), code="unsupported_media_type",
                      detail=N_("Send the body as application/json."),
                      errors=[FieldError("content-type", N_("must be application/json"))])


async def before_request(request: Request) -> None:
    """The app's before_request: the body's media type, then the input checks."""
    check_media_type(request)
    await check_input(request)
