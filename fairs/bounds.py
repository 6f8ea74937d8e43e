"""The edges of input, in one place: the dates the service takes, the depth of a JSON body, and
the shared bounded types the schemas use. Pure: no database, no HTTP.

Every date and time the service takes lies in 2000-01-01 .. 2100-12-31 (the wall-clock date as
given). Outside it, arithmetic with time zones overflows (year 1 or 9999 plus an offset) and no
fair of a city's employment bureau ever lies there. The schemas check it when a body is decoded
(`Bounded.__post_init__`, which msgspec reports as a validation error naming the field); query
parameters, forms, CSV files and services call `check_date` (a 422 naming the field).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

import msgspec
import msgspec.inspect

from fairs.errors import Invalid
from fairs.i18n import N_

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
DATE_MESSAGE = N_("a date from 2000-01-01 to 2100-12-31")
# The deepest JSON body taken: the service's own documents nest four levels at most.
MAX_JSON_DEPTH = 32

# Shared bounded types for the schemas.
Code = Annotated[str, msgspec.Meta(max_length=32)]
Codes = Annotated[list[Code], msgspec.Meta(max_length=50)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=5000)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
Url = Annotated[str, msgspec.Meta(max_length=1000)]
# An id: the database's serial integers (32-bit on PostgreSQL); a larger one names nothing.
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
Ids = Annotated[list[Id], msgspec.Meta(max_length=50)]


def in_range(value: date | datetime) -> bool:
    """The wall-clock date as given (before any conversion between zones, which is where year 1
    and 9999 overflow) within EARLIEST..LATEST."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def check_date(value: Any, field: str) -> Any:
    """`value` (a date, a datetime, or None) unchanged, or a 422 naming `field`."""
    if isinstance(value, date) and not in_range(value):
        raise Invalid(field, DATE_MESSAGE, code="out_of_range")
    return value


def check_text(value: str | None, field: str, max_length: int = 200,
               required: bool = False) -> str:
    """A service's bound on a text (whoever calls it: the API, a form, the CLI): stripped, and
    at most `max_length` characters; a 422 naming the field."""
    value = (value or "").strip()
    if required and not value:
        raise Invalid(field, N_("required"), code="required")
    if len(value) > max_length:
        raise Invalid(field, N_("at most {n} characters"), code="too_long",
                      params={"n": max_length})
    return value


def _parse(raw: str | None, field: str, parse: Any, message: str, code: str) -> Any:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = parse(raw)
    except ValueError as exc:
        raise Invalid(field, message, code=code) from exc
    return check_date(value, field)


def parse_date(raw: str | None, field: str) -> date | None:
    """A query's or a form's YYYY-MM-DD (blank: None), bounded; a 422 naming the field."""
    return _parse(raw, field, date.fromisoformat, N_("a date YYYY-MM-DD"), "invalid_date")


def parse_datetime(raw: str | None, field: str) -> datetime | None:
    """A query's or a form's ISO date and time (blank: None), bounded; a 422 naming the field."""
    return _parse(raw, field, datetime.fromisoformat, N_("a date and time"),
                  "invalid_datetime")


def _bad_date(value: Any) -> bool:
    if isinstance(value, date):
        return not in_range(value)
    if isinstance(value, list):
        return any(isinstance(v, date) and not in_range(v) for v in value)
    return False


class Bounded(msgspec.Struct):
    """Base of request Structs: after decoding, every date, time and list of dates in range.

    msgspec turns the ValueError into a validation error ("... - at `$.slots[0]`"), which
    `fairs.problems` reports as a 400 naming the field ("slots[0].starts_at")."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if _bad_date(value):
                if isinstance(value, list):
                    n = next(i for i, v in enumerate(value) if _bad_date(v))
                    raise ValueError(f"field `{name}[{n}]` is out of range: {DATE_MESSAGE}")
                raise ValueError(f"field `{name}` is out of range: {DATE_MESSAGE}")


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests arrays and objects deeper than `limit`: one linear scan over
    the raw bytes (strings blanked first: brackets inside them do not count), before any parser
    recurses. Bodies with few brackets return at once."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub(b'""', body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


# --- booleans are true or false ------------------------------------------------------------------
# Litestar converts a body into its Struct with msgspec's lax rules, where 0, 1, "true" and
# "false" are booleans. A JSON API takes `true` and `false` only: `step_free: 0` is a mistake to
# report, not a "no". The check walks the Struct's type once (cached) and the raw body only for
# the Structs that have boolean fields.


@lru_cache(maxsize=512)
def _bool_paths(struct_type: type) -> tuple[tuple[str, ...], ...]:
    """The paths of the boolean fields of a Struct ("*" for every item of a list)."""
    paths: list[tuple[str, ...]] = []

    def walk(info: Any, prefix: tuple[str, ...], depth: int) -> None:
        if depth > 4:
            return
        if isinstance(info, msgspec.inspect.UnionType):
            for member in info.types:
                walk(member, prefix, depth)
        elif isinstance(info, msgspec.inspect.BoolType):
            paths.append(prefix)
        elif isinstance(info, msgspec.inspect.StructType):
            for f in info.fields:
                walk(f.type, (*prefix, f.encode_name), depth + 1)
        elif isinstance(info, msgspec.inspect.ListType):
            walk(info.item_type, (*prefix, "*"), depth + 1)

    walk(msgspec.inspect.type_info(struct_type), (), 0)
    return tuple(dict.fromkeys(paths))


def _loose(value: Any, path: tuple[str, ...], where: str) -> str | None:
    if not path:
        return where if value is not None and not isinstance(value, bool) else None
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(value, list):
            for n, item in enumerate(value):
                found = _loose(item, rest, f"{where}[{n}]")
                if found:
                    return found
        return None
    if isinstance(value, dict) and head in value:
        return _loose(value[head], rest, f"{where}.{head}" if where else head)
    return None


def loose_boolean(struct_type: Any, body: bytes) -> str | None:
    """The path of a field of `struct_type` that should be a boolean and is something else in
    the JSON `body` (0, 1, "true"...), or None. Not a Struct, or no boolean fields: None."""
    if not (isinstance(struct_type, type) and issubclass(struct_type, msgspec.Struct)):
        return None
    paths = _bool_paths(struct_type)
    if not paths:
        return None
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None  # malformed JSON: the body's own parser answers 400
    for path in paths:
        found = _loose(raw, path, "")
        if found:
            return found
    return None
