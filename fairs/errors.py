"""Domain errors, raised by services, and their mapping to RFC 9457 problem details.

Services raise these; they never import Litestar. `fairs.app` maps them (and Litestar's own HTTP
errors) to `application/problem+json` in one place.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class FairsError(Exception):
    """Base of the errors a client can cause; `status` is the HTTP status it maps to."""

    status = 400
    type_slug = "bad-request"
    title = "Bad request"

    def __init__(
        self,
        detail: str = "",
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra or {}


class Invalid(FairsError):
    """Input that is well-formed but breaks a rule (422); names the field(s)."""

    status = 422
    type_slug = "invalid"
    title = "Invalid input"

    def __init__(self, field: str | None = None, message: str = "", **kwargs) -> None:
        errors = kwargs.pop("errors", None) or []
        if field:
            errors = [FieldError(field, message), *errors]
        super().__init__(message or kwargs.pop("detail", ""), errors=errors, **kwargs)


class NotAuthenticated(FairsError):
    status = 401
    type_slug = "not-authenticated"
    title = "Login required"


class Forbidden(FairsError):
    status = 403
    type_slug = "forbidden"
    title = "Forbidden"


class NotFound(FairsError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(FairsError):
    """A conflict with the current state: booth taken, fair full, wrong status (409)."""

    status = 409
    type_slug = "conflict"
    title = "Conflict"


class TooManyRequests(FairsError):
    status = 429
    type_slug = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str = "", *, retry_after: int = 60, **kwargs) -> None:
        headers = {"Retry-After": str(max(1, int(retry_after)))}
        super().__init__(detail, headers=headers, **kwargs)
        self.retry_after = retry_after


class Unavailable(FairsError):
    status = 503
    type_slug = "unavailable"
    title = "Service unavailable"
