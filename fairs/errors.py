"""Domain errors, raised by services, and their mapping to RFC 9457 problem details.

Services raise these; they never import Litestar. `fairs.problems` maps them (and Litestar's own
HTTP errors) to `application/problem+json` in one place, rendered in the request's language.

Every message is a message id: an English text marked with `N_` whose {placeholders} are filled
from `params` when it is shown, never an f-string or a text formatted beforehand:

    raise Invalid("description", N_("at most {n} characters"), code="too_long",
                  params={"n": 5000})

Each error also has a stable machine `code` (`invalid_uscc`, `booking_closed`, ...) that does not
change with the language: given where a rule has its own, otherwise a default of the error's class
(`invalid`, `not_found`, ...) or of a common message ("required" is `required`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fairs import i18n
from fairs.i18n import N_

Params = Mapping[str, Any]

# Codes of common messages, where a raise gives none (the code not yet swept included).
MESSAGE_CODES = {
    "required": "required",
    "at most {n} characters": "too_long",
}


@dataclass(frozen=True)
class Message:
    """A message id and its values: rendered in a locale when it is shown (also as a value of
    another message)."""

    msgid: str
    params: Params = field(default_factory=dict)

    def render(self, locale: str | None = None) -> str:
        return i18n.render(self.msgid, self.params, locale)


@dataclass(frozen=True)
class Span:
    """From one moment (or day) to another, as a message's value: "2027年3月5日 周五 09:00–12:00"
    (fairs.i18n.format_range in the reader's language)."""

    start: Any
    end: Any

    def render(self, locale: str | None = None) -> str:
        token = i18n.current_locale.set(locale or i18n.current_locale.get())
        try:
            return i18n.format_range(self.start, self.end)
        finally:
            i18n.current_locale.reset(token)


class FieldError:
    """What is wrong with one field: a message id (with its values) and a machine code."""

    __slots__ = ("code", "field", "msgid", "params")

    def __init__(self, field: str, message: str, *, code: str | None = None,
                 params: Params | None = None) -> None:
        self.field = field
        self.msgid = message
        self.params = dict(params or {})
        self.code = code or MESSAGE_CODES.get(message)

    @property
    def message(self) -> str:
        """The message in the current locale (what a page shows)."""
        return self.text()

    def text(self, locale: str | None = None) -> str:
        return i18n.render(self.msgid, self.params, locale)

    def at(self, field: str) -> FieldError:
        """The same error about another field (an item of a batch: "fairs[3].title")."""
        return FieldError(field, self.msgid, code=self.code, params=self.params)

    def as_dict(self, locale: str | None = None) -> dict[str, str]:
        return {"field": self.field, "message": self.text(locale), "code": self.code or ""}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldError) and (
            (self.field, self.msgid, self.params, self.code)
            == (other.field, other.msgid, other.params, other.code))

    def __repr__(self) -> str:
        return f"FieldError({self.field!r}, {self.msgid!r}, code={self.code!r})"


class FairsError(Exception):
    """Base of the errors a client can cause; `status` is the HTTP status it maps to, `code`
    the machine word when a raise gives none."""

    status = 400
    type_slug = "bad-request"
    title = N_("Bad request")
    code = "bad_request"

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        params: Params | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict | None = None,
    ) -> None:
        self.msgid = detail or self.title
        self.params = dict(params or {})
        super().__init__(self.msgid)
        self.errors = list(errors or [])
        default = type(self).code
        for error in self.errors:
            if not error.code:
                error.code = default
        self.code = code or MESSAGE_CODES.get(self.msgid) or (
            self.errors[0].code if self.errors else default)
        self.headers = headers or {}
        self.extra = extra or {}

    @property
    def detail(self) -> str:
        """The detail in the current locale (what a page shows)."""
        return self.text()

    @detail.setter
    def detail(self, value: str) -> None:  # an English text set by code not yet swept
        self.msgid, self.params = value, {}

    def text(self, locale: str | None = None) -> str:
        return i18n.render(self.msgid, self.params, locale)

    def field_texts(self, locale: str | None = None) -> dict[str, str]:
        """{field: message} in the locale (the first message of each field), for a form."""
        out: dict[str, str] = {}
        for error in self.errors:
            out.setdefault(error.field, error.text(locale))
        return out

    def reworded(self, message: str, **params: Any) -> FairsError:
        """This error with another detail (its own detail available as `{reason}`)."""
        self.params = {**params, "reason": Message(self.msgid, self.params)}
        self.msgid = message
        return self

    def under(self, prefix: str) -> FairsError:
        """This error with its fields named inside `prefix` ("fairs[3]" + "title")."""
        self.errors = [e.at(f"{prefix}.{e.field}") for e in self.errors]
        return self


class Invalid(FairsError):
    """Input that is well-formed but breaks a rule (422); names the field(s)."""

    status = 422
    type_slug = "invalid"
    title = N_("Invalid input")
    code = "invalid"

    def __init__(self, field: str | None = None, message: str = "", *,
                 code: str | None = None, params: Params | None = None, **kwargs) -> None:
        errors = kwargs.pop("errors", None) or []
        detail = kwargs.pop("detail", "")
        if field:
            errors = [FieldError(field, message, code=code, params=params), *errors]
        super().__init__(message or detail, code=code, params=params, errors=errors, **kwargs)


class NotAuthenticated(FairsError):
    status = 401
    type_slug = "not-authenticated"
    title = N_("Login required")
    code = "not_authenticated"


class Forbidden(FairsError):
    status = 403
    type_slug = "forbidden"
    title = N_("Forbidden")
    code = "forbidden"


class NotFound(FairsError):
    status = 404
    type_slug = "not-found"
    title = N_("Not found")
    code = "not_found"


class Gone(FairsError):
    """A thing that was there and is not any more (a cancelled ticket's QR image): 410."""

    status = 410
    type_slug = "gone"
    title = N_("Gone")
    code = "gone"


class Conflict(FairsError):
    """A conflict with the current state: booth taken, fair full, wrong status (409)."""

    status = 409
    type_slug = "conflict"
    title = N_("Conflict")
    code = "conflict"


class TooManyRequests(FairsError):
    status = 429
    type_slug = "too-many-requests"
    title = N_("Too many requests")
    code = "too_many_requests"

    def __init__(self, detail: str = "", *, retry_after: int = 60, **kwargs) -> None:
        headers = {"Retry-After": str(max(1, int(retry_after)))}
        super().__init__(detail, headers=headers, **kwargs)
        self.retry_after = retry_after


class Unavailable(FairsError):
    status = 503
    type_slug = "unavailable"
    title = N_("Service unavailable")
    code = "unavailable"
