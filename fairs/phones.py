"""Mainland mobile numbers (pure: phonenumbers only): the one check and the one mask that
employers' contacts and job seekers' registrations share."""

from __future__ import annotations

import phonenumbers

from fairs.errors import Invalid
from fairs.i18n import N_

MESSAGE = N_("a mainland mobile number, e.g. 13812345678")
CODE = "invalid_phone"
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE,
                phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def check_mobile(raw: str, field: str = "phone") -> str:
    """A valid mainland China mobile number, returned as E.164 (+8613812345678); 422 naming
    `field` otherwise."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise Invalid(field, MESSAGE, code=CODE)
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise Invalid(field, MESSAGE, code=CODE) from exc
    if (not phonenumbers.is_valid_number(number)
            or phonenumbers.region_code_for_number(number) != "CN"
            or phonenumbers.number_type(number) not in MOBILE_TYPES):
        raise Invalid(field, MESSAGE, code=CODE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """+8613812345678 -> 138****5678: what lists and scanner answers show."""
    national = e164[3:] if e164.startswith("+86") else e164
    if len(national) < 7:
        return "*" * len(national)
    return national[:3] + "*" * (len(national) - 7) + national[-4:]
