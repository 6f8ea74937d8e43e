"""Languages: Babel catalogues (zh_CN first, en), the request's locale, and formatting.

Pure: no Litestar. The current locale is a context variable that the web layer sets per request,
so templates, services (a check-in's explanation) and the CLI all translate the same way.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
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
