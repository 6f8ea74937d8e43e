"""E-mail addresses people give (an employer's, an admin's test recipient): checked, pure."""

from __future__ import annotations

from ipaddress import ip_address

from fairs.errors import Invalid
from fairs.i18n import N_

MESSAGE = N_("an e-mail address, e.g. hr@example.com")


def check_email(raw: str, field: str = "email") -> str:
    """The address, trimmed; 422 naming `field` for anything that is not one (no spaces or
    line breaks, which a mail header would carry; a dotted domain, not an address literal)."""
    value = (raw or "").strip()
    name, at, domain = value.rpartition("@")
    ok = bool(at and name and "." in domain and len(value) <= 254
              and not any(c.isspace() for c in value) and "<" not in value and ">" not in value)
    if ok:
        try:
            ip_address(domain.strip("[]"))
            ok = False
        except ValueError:
            pass
    if not ok:
        raise Invalid(field, MESSAGE, code="invalid_email")
    return value
