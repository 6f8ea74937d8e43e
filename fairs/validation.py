"""Litestar's and msgspec's validation texts as message ids with a machine code (pure).

A body or a query that fails its schema reaches `fairs.problems` as English sentences:
"Expected `int`, got `str`", "Object missing required field `title`", "Expected `str` of length
<= 200"... Each known shape becomes a message id with its values and a stable code (`type`,
`required`, `too_long`...), rendered in the reader's language like every other message; the field
naming stays as it was. A shape not known here is "not a valid value" (`invalid`).
"""

from __future__ import annotations

import re
from typing import Any

from fairs.bounds import DATE_MESSAGE
from fairs.i18n import N_

Parsed = tuple[str, dict[str, Any], str]  # message id, values, code

# What a value of an expected type is called ("Expected `int`, got `str`": a whole number).
TYPE_MESSAGES = {
    "int": N_("a whole number"),
    "float": N_("a number"),
    "number": N_("a number"),
    "decimal": N_("a number"),
    "str": N_("text"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "datetime": N_("a date and time"),
    "date": N_("a date YYYY-MM-DD"),
    "time": N_("a time HH:MM"),
    "uuid": N_("a UUID"),
    "null": N_("nothing (null)"),
}
OTHER_TYPE = N_("a value of another type")
NOT_VALID = N_("not a valid value")

_COMPARISONS = {
    ">=": (N_("at least {n}"), "too_small"),
    ">": (N_("more than {n}"), "too_small"),
    "<=": (N_("at most {n}"), "too_large"),
    "<": (N_("less than {n}"), "too_large"),
}


def _number(text: str) -> int | float | str:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _type_message(expected: str) -> str:
    """The first type named that is not null ("int | null": a whole number)."""
    names = [n.strip() for n in expected.split("|")]
    names = [n for n in names if n != "null"] or names
    return TYPE_MESSAGES.get(names[0], OTHER_TYPE)


def _expected_type(m: re.Match) -> Parsed:
    return _type_message(m.group(1)), {}, "type"


def _length(m: re.Match) -> Parsed:
    kind, op, n = m.group(1), m.group(2), int(m.group(3))
    if kind in ("str", "bytes"):
        if op == "<=":
            return N_("at most {n} characters"), {"n": n}, "too_long"
        if n == 1:
            return N_("must not be empty"), {}, "too_short"
        return N_("at least {n} characters"), {"n": n}, "too_short"
    if op == "<=":
        return N_("at most {n} items"), {"n": n}, "too_many"
    if n == 1:
        return N_("must not be empty"), {}, "too_few"
    return N_("at least {n} items"), {"n": n}, "too_few"


def _comparison(m: re.Match) -> Parsed:
    message, code = _COMPARISONS[m.group(2)]
    return message, {"n": _number(m.group(3))}, code


def _fixed(message: str, code: str):
    return lambda _m: (message, {}, code)


SHAPES: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^Object missing required field `[^`]*`$"), _fixed(N_("required"), "required")),
    (re.compile(r"^Missing required \w+ parameter '[^']*'"), _fixed(N_("required"), "required")),
    (re.compile(r"^Object contains unknown field `[^`]*`$"),
     _fixed(N_("not a field of this object"), "unknown_field")),
    (re.compile(r"^Expected `([^`]+)`, got `[^`]+`$"), _expected_type),
    (re.compile(r"^Expected `(str|bytes|array|object)` of length (<=|>=) (\d+)$"), _length),
    (re.compile(r"^Expected `(int|float)` (>=|<=|>|<) (\S+)$"), _comparison),
    (re.compile(r"^Expected `int` that's a multiple of \d+$"), _fixed(NOT_VALID, "invalid")),
    (re.compile(r"^Expected `[^`]+` with a timezone component$"),
     _fixed(N_("a date and time with its offset, e.g. 2027-03-05T09:00:00+08:00"),
            "invalid_datetime")),
    (re.compile(r"^Expected `[^`]+` with no timezone component$"),
     _fixed(N_("a date and time without an offset"), "invalid_datetime")),
    (re.compile(r"^Expected `str` matching regex "),
     _fixed(N_("not in the expected format"), "pattern")),
    (re.compile(r"^Invalid enum value "),
     _fixed(N_("not one of the allowed values"), "invalid_choice")),
    (re.compile(r"^Invalid value "),
     _fixed(N_("not one of the allowed values"), "invalid_choice")),
    (re.compile(r"^Invalid RFC3339 encoded datetime$"),
     _fixed(N_("a date and time"), "invalid_datetime")),
    (re.compile(r"^Invalid RFC3339 encoded date$"),
     _fixed(N_("a date YYYY-MM-DD"), "invalid_date")),
    (re.compile(r"^Invalid RFC3339 encoded time$"), _fixed(N_("a time HH:MM"), "invalid_time")),
    (re.compile(r"^Expected `([^`]+)`$"), _expected_type),
    # fairs.bounds.Bounded: a date outside 2000..2100
    (re.compile(r"^field `[^`]*` is out of range"), _fixed(DATE_MESSAGE, "out_of_range")),
    (re.compile(r"out of range"), _fixed(N_("out of range"), "out_of_range")),
    (re.compile(r"^JSON is malformed"), _fixed(N_("not valid JSON"), "malformed")),
    (re.compile(r"^Invalid UTF-8"), _fixed(N_("not valid UTF-8 text"), "malformed")),
    (re.compile(r"^Input data was truncated"), _fixed(N_("not valid JSON"), "malformed")),
]


def parse(message: str) -> Parsed:
    """A validation text as (message id, values, code); its " - at `$.x`" tail ignored."""
    text = message.split(" - at `$", 1)[0].strip()
    for pattern, make in SHAPES:
        m = pattern.search(text)
        if m:
            return make(m)
    return NOT_VALID, {}, "invalid"
