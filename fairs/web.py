"""Shared page helpers: the locale per request, the template context, and rendering."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import URL
from litestar.response import Template
from litestar.types import ASGIApp, Receive, Scope, Send

from fairs import bounds, i18n, labels, problems
from fairs.errors import Invalid
from fairs.i18n import N_

LANG_COOKIE = i18n.LANG_COOKIE


# A route handler declared with opt={STATELESS: True} answers the same to everyone and reads no
# session, user or CSRF token (the health check, static files): the session, CSRF and
# authentication layers are not run for it. Only GET, HEAD and OPTIONS routes may say so
# (checked when the app is built): an unsafe method always goes through the CSRF and Origin
# checks.
STATELESS = "stateless"


class RequestStack:
    """The per-request layers as one middleware: the locale (scope state and
    i18n.current_locale, from the raw query and headers only), then `layers` (the session, CSRF
    and authentication middlewares, outermost first) around the route, unless the route is
    STATELESS or `shortcut` says the request needs none of them: those get the locale only. One
    layer in the chain, and none of the session's work for the requests that need none."""

    def __init__(self, app: ASGIApp, layers: tuple = (),
                 default: str = i18n.DEFAULT_LOCALE,
                 shortcut: Callable[[Scope], bool] | None = None) -> None:
        self.route = app
        self.default = default
        # `shortcut(scope)` True: the request needs none of the layers, and the scope has been
        # made as they would have left it (fairs.accounts.auth.bearer_only).
        self.shortcut = shortcut
        full = app
        for layer in reversed(layers):
            full = layer(full)
        self.full = full

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.full(scope, receive, send)
            return
        locale = i18n.locale_for(scope, self.default)
        scope.setdefault("state", {})["locale"] = locale
        token = i18n.current_locale.set(locale)
        handler = scope.get("route_handler")
        try:
            if handler is None:
                await self.full(scope, receive, send)
            elif handler.opt.get(STATELESS):
                await self.route(scope, receive, send)
            elif (early := handler.opt.get(EARLY)) is not None and scope["type"] == "http" \
                    and problems.path_names_something(scope.get("path_params")) \
                    and (refusal := await early(scope)) is not None:
                await problems.send(send, refusal, locale)
            elif self.shortcut is not None and self.shortcut(scope):
                await self.route(scope, receive, send)
            else:
                await self.full(scope, receive, send)
        finally:
            i18n.current_locale.reset(token)


# A route handler declared with opt={EARLY: decide} is asked `await decide(scope)` (the route's
# path parameters in scope["path_params"]) before the session, CSRF and authentication layers
# run and before its body is read: a FairsError it returns is the answer (problem+json in the
# request's language, pre-encoded), None goes on as usual. Only for refusals that hold whoever
# asks and change nothing (a full fair's registration): what the skipped layers would check
# cannot matter to an answer that writes nothing and says what the public page says. It is asked
# only for a path that names something (ids in range, no NUL: fairs.problems.check_input's
# rule); anything else about the request it must check itself.
EARLY = "early"

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def check_stateless(handlers: Any) -> None:
    """Refuse (at start-up) a STATELESS route that answers an unsafe method (POST, PUT...)."""
    for handler in handlers:
        if handler.opt.get(STATELESS) and not set(handler.http_methods) <= SAFE:
            raise RuntimeError(f"{handler}: only GET and HEAD routes may be {STATELESS}")


@lru_cache(maxsize=4)
def _public_base(base_url: str) -> URL:
    return URL(base_url.rstrip("/") + "/")


class FairsRequest(Request):
    """The app's request: its `base_url` is FAIRS_BASE_URL, never the Host header a client
    sends, so every absolute link the service makes (ticket links, QR contents, the self
    check-in address, feeds) points at the real service whatever Host a request carried."""

    @property
    def base_url(self) -> URL:
        return _public_base(self.app.state["settings"].base_url)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "_": i18n.gettext,
    "gettext": i18n.gettext,
    "ngettext": i18n.ngettext,
    "fmt_dt": i18n.format_datetime,
    "fmt_date": i18n.format_date,
    "fmt_time": i18n.format_time,
    "fmt_range": i18n.format_range,
    "label": labels.label,
    "org_name": labels.org_name,
    "fmt_num": i18n.format_number,
    "pick": i18n.pick,
}


# The same formatting as filters: `{{ fair.starts_at | datetime }}`, `{{ start | timerange(end) }}`.
TEMPLATE_FILTERS: dict[str, Any] = {
    "date": i18n.format_date,
    "time": i18n.format_time,
    "datetime": i18n.format_datetime,
    "timerange": i18n.format_range,
    "label": lambda code, table: labels.label(table, code),
}


def lang_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"{request.url.path}?{urlencode(params)}"


def page_context(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    """What every page's template reads besides its own context: the request, the user, the
    language and the links to the page in the other languages."""
    locale = i18n.current_locale.get()
    context.update(
        request=request,
        user=request.scope.get("user"),
        locale=locale,
        html_lang="zh-CN" if locale == "zh_CN" else "en",
        lang_urls={code: lang_url(request, code) for code in i18n.LOCALES},
    )
    return context


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> Template:
    locale = i18n.current_locale.get()
    page_context(request, context)
    response = Template(template_name=template, context=context, status_code=status_code)
    if request.query_params.get("lang") and i18n.normalise(request.query_params["lang"]):
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax",
                            httponly=True)
    return response


def back_path(request: Request, default: str) -> str:
    """Where a form's redirect goes back to: the path of the page that posted it (its Referer),
    when that is a path on this site, else `default`."""
    ref = request.headers.get("referer", "")
    path = "/" + ref.split("://", 1)[-1].split("/", 1)[-1] if "://" in ref else ""
    return path if path.startswith("/") and not path.startswith("//") else default


# --- form fields (pages) ------------------------------------------------------------------------


def form_int(data: dict[str, Any], field: str, default: int | None = None, *,
             lo: int = -(2**31), hi: int = 2**31 - 1) -> int | None:
    """A whole number from a posted form or query: blank gives `default`; anything else that is
    not a whole number from `lo` to `hi` (by default what the database's integers hold) is an
    Invalid naming the field."""
    raw = str(data.get(field, "") or "").strip()
    if not raw:
        return default
    if len(raw) > 20:
        raise Invalid(field, N_("a whole number"), code="type")
    try:
        value = int(raw)
    except ValueError as exc:
        raise Invalid(field, N_("a whole number"), code="type") from exc
    if not lo <= value <= hi:
        raise Invalid(field, N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": lo, "hi": hi})
    return value


def form_text(data: dict[str, Any], field: str, max_length: int = 200) -> str:
    """A text field of a form, stripped; longer than `max_length` is an Invalid naming it."""
    value = str(data.get(field, "") or "").strip()
    if len(value) > max_length:
        raise Invalid(field, N_("at most {n} characters"), code="too_long",
                      params={"n": max_length})
    return value


def form_date(data: dict[str, Any], field: str) -> date | None:
    """A YYYY-MM-DD of a form (blank: None) from 2000 to 2100, else an Invalid naming it."""
    return bounds.parse_date(str(data.get(field, "") or "")[:40], field)


def form_datetime(data: dict[str, Any], field: str) -> datetime | None:
    """An ISO date and time of a form (blank: None) from 2000 to 2100, else an Invalid."""
    return bounds.parse_datetime(str(data.get(field, "") or "")[:40], field)
