"""Languages: Babel catalogues (zh_CN first, en), the request's locale, and formatting.

Pure: no Litestar. The current locale is a context variable that the web layer sets per request,
so templates, services (a check-in's explanation) and the CLI all translate the same way.
"""

from __future__ import annotations

import io
import string
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_time as _format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from litestar.types import Scope

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LOCALE_DIR = Path(__file__).parent / "locale"
TZ = ZoneInfo("Asia/Shanghai")

current_locale: ContextVar[str] = ContextVar("fairs_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> Translations:
    """The catalogue for `locale`, compiled in memory from its .po file (no build step)."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Translations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def gettext(message: str, **variables) -> str:
    text = translations(current_locale.get()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    text = translations(current_locale.get()).ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, where it is shown."""
    return message


# --- messages with named placeholders -------------------------------------------------------
# An error (fairs.errors) carries a message id ("at most {n} characters") and its values apart
# ({"n": 200}); `render` translates the id for a locale and fills the values in, dates and
# numbers formatted for that locale. A plain English string given where an id is expected (code
# not yet swept) renders too: translated when the catalogue has it, as given otherwise.

_FORMATTER = string.Formatter()


def placeholders(text: str) -> set[str]:
    """The names of a message's {placeholders}."""
    try:
        return {name for _lit, name, _spec, _conv in _FORMATTER.parse(text) if name}
    except ValueError:
        return set()


class _Values(dict):
    def __missing__(self, key: str) -> str:  # a placeholder without a value stays as written
        return "{" + key + "}"


def render_value(value: object, locale: str) -> str:
    """A message's value as text for `locale`: a date or a time in the one style of the pages, a
    number grouped (pass ids and codes as strings), a list joined, a nested message rendered."""
    token = current_locale.set(locale)  # the formatters read the locale from the context
    try:
        return _value_text(value, locale)
    finally:
        current_locale.reset(token)


def _value_text(value: object, locale: str) -> str:
    if hasattr(value, "render"):
        return value.render(locale)  # a nested message (fairs.errors.Message)
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int | float):
        return _number(value, locale)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return ("、" if locale == "zh_CN" else ", ").join(_value_text(v, locale) for v in items)
    return str(value)


@lru_cache(maxsize=1024)
def _number(value: int | float, locale: str) -> str:
    """A number grouped for the locale (Babel takes some 20 µs a number; messages repeat)."""
    return format_number(value)


def render(msgid: str, params: Mapping[str, object] | None = None,
           locale: str | None = None) -> str:
    """`msgid` in `locale` (the request's by default), its {placeholders} filled from `params`.
    Without params the text is taken as it is (braces and all)."""
    if not msgid:
        return ""
    locale = locale or current_locale.get()
    text = translations(locale).ugettext(msgid)
    if not params:
        return text
    values = _Values({key: render_value(value, locale) for key, value in params.items()})
    try:
        return text.format_map(values)
    except (ValueError, IndexError, AttributeError):  # a malformed translation: the English
        try:
            return msgid.format_map(values)
        except (ValueError, IndexError, AttributeError):
            return msgid


def normalise(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().replace("-", "_")
    for known in LOCALES:
        if code.lower() == known.lower() or code.split("_")[0].lower() == known.split("_")[0]:
            return known
    return None


def negotiate(accept_language: str | None) -> str | None:
    if not accept_language:
        return None
    prefs = []
    for part in accept_language.split(","):
        bits = part.strip().split(";q=")
        try:
            q = float(bits[1]) if len(bits) > 1 else 1.0
        except ValueError:
            q = 0.0
        if bits[0]:
            prefs.append((q, bits[0].strip()))
    prefs.sort(key=lambda p: -p[0])
    for _q, tag in prefs:
        found = normalise(tag)
        if found:
            return found
    return None


def babel_locale(locale: str | None = None) -> Locale:
    return _parsed_locale(locale or current_locale.get())


@cache
def _parsed_locale(code: str) -> Locale:
    """Babel's Locale.parse lists the locale data folder and lower-cases some 1,100 names on
    every call (about a millisecond here): once per locale is enough."""
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


def local(value: datetime) -> datetime:
    return value.astimezone(TZ)


# One style of time (issue 15): one Babel pattern per kind and locale, never seconds, always
# China time; a page says "Beijing time" once (the footer), not each value. A named Babel width
# ("short", "medium", "full"...) passed by older callers gives the same one pattern; an explicit
# pattern (a form field's "yyyy-MM-dd'T'HH:mm", a month key) is used as given.
DATE_PATTERNS = {"zh_CN": "y年M月d日 EEE", "en": "EEE d MMM y"}
TIME_PATTERN = "HH:mm"
_WIDTHS = frozenset(("short", "medium", "long", "full"))


def _date_pattern() -> str:
    return DATE_PATTERNS.get(current_locale.get(), DATE_PATTERNS[DEFAULT_LOCALE])


def format_date(value: date | datetime | None, fmt: str | None = None) -> str:
    """A day: "2026年12月5日 周六" / "Sat 5 Dec 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    pattern = _date_pattern() if fmt is None or fmt in _WIDTHS else fmt
    return _format_date(value, format=pattern, locale=babel_locale())


def format_time(value: datetime | None, fmt: str | None = None) -> str:
    """A time of day in China time: "08:00"."""
    if value is None:
        return ""
    pattern = TIME_PATTERN if fmt is None or fmt in _WIDTHS else fmt
    return _format_time(value, format=pattern, tzinfo=TZ, locale=babel_locale())


def format_datetime(value: datetime | None, fmt: str | None = None) -> str:
    """A moment: "2026年12月5日 周六 08:00" / "Sat 5 Dec 2026 08:00"."""
    if value is None:
        return ""
    if fmt is not None and fmt not in _WIDTHS:
        return _format_datetime(value, format=fmt, tzinfo=TZ, locale=babel_locale())
    return f"{format_date(value)} {format_time(value)}"


def format_range(start: date | datetime | None, end: date | datetime | None) -> str:
    """From one moment (or day) to another; a range within one day says the day once:
    "2026年12月5日 周六 08:00–20:00", else both ends in full with " – " between."""
    if start is None or end is None:
        return format_datetime(start) if isinstance(start, datetime) else format_date(start)
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        if start == end:
            return format_date(start)
        return f"{format_date(start)} – {format_date(end)}"
    if local(start).date() == local(end).date():
        return f"{format_date(start)} {format_time(start)}–{format_time(end)}"
    return f"{format_datetime(start)} – {format_datetime(end)}"


def format_number(value: float | int | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=babel_locale())


def pick(zh: str, en: str) -> str:
    """Choose between a thing's Chinese and English name for the current locale."""
    return en if current_locale.get() == "en" and en else zh


# --- the request's language, from its ASGI scope alone (fairs.web.RequestStack, fairs.problems) --

LANG_COOKIE = "fairs_lang"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _query_lang(scope: Scope) -> str | None:
    raw = scope.get("query_string", b"")
    if b"lang=" not in raw:
        return None
    qs = raw.decode("latin-1")
    for part in qs.split("&"):
        key, _, value = part.partition("=")
        if key == "lang":
            return value
    return None


def locale_for(scope: Scope, default: str | None = None) -> str:
    """`?lang=` first, then the language cookie, then Accept-Language, then the default."""
    return (
        normalise(_query_lang(scope))
        or normalise(_cookie(scope, LANG_COOKIE))
        or _negotiate(_header(scope, b"accept-language"))
        or default or DEFAULT_LOCALE
    )


@lru_cache(maxsize=512)
def _negotiate(accept_language: str | None) -> str | None:
    """Browsers send one of a few Accept-Language values, again on every request."""
    return negotiate(accept_language)
