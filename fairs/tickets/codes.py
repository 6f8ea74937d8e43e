"""Ticket codes: random, >= 80 bits, in an unambiguous uppercase alphabet that QR codes encode in
alphanumeric mode. Pure: no database, no HTTP.

A code is "T" + 18 random symbols + 1 check symbol. The alphabet has 31 symbols (no 0/O, 1/I/L),
so the random part carries 18 * log2(31) = 89 bits. The check symbol (a weighted sum mod 31)
catches a mistyped symbol or two swapped neighbours before the database is asked.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "T"
RANDOM_LENGTH = 18
LENGTH = 1 + RANDOM_LENGTH + 1
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_BASE = len(ALPHABET)


def check_symbol(body: str) -> str:
    total = 0
    for position, char in enumerate(body, start=1):
        total += position * _INDEX[char]
    return ALPHABET[total % _BASE]


def new_code(prefix: str = PREFIX) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return prefix + body + check_symbol(body)


def normalise(text: str | None) -> str:
    """What a person typed or a camera read: upper case, without spaces or dashes."""
    if not text:
        return ""
    return "".join(text.split()).replace("-", "").upper()[:64]


def is_well_formed(code: str, prefix: str = PREFIX) -> bool:
    """True when `code` has a ticket code's shape and its check symbol holds."""
    if len(code) != LENGTH or not code.startswith(prefix):
        return False
    body, check = code[1:-1], code[-1]
    if any(c not in _INDEX for c in body) or check not in _INDEX:
        return False
    return check_symbol(body) == check


def looks_like_ticket(code: str) -> bool:
    """A ticket's prefix and length (a mistyped one included): not another slice's code."""
    return len(code) == LENGTH and code.startswith(PREFIX)


# --- the holder's secret ----------------------------------------------------------------------
# What manages a registration (its page, its cancellation, the positions its holder marked) is
# not the door code, which door staff and employers see: a separate secret of 192 bits, shown
# only to the registrant (in the registration answer and the ticket page's address). The
# database keeps its SHA-256 only, so a copy of the database admits at the door but manages
# nothing.

SECRET_BYTES = 24  # 192 bits; token_urlsafe gives 32 characters of [A-Za-z0-9_-]
SECRET_LENGTH = 32
_SECRET_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def looks_like_secret(text: str | None) -> bool:
    return (bool(text) and len(text) == SECRET_LENGTH
            and all(c in _SECRET_ALPHABET for c in text))


def secret_hash(secret: str) -> str:
    """What the database keeps of a secret (hex SHA-256): found by equality, reveals nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_from(text: str | None) -> str:
    """A secret as a person may give it: itself, or the ticket's address (…/tickets/{secret})."""
    text = (text or "").strip()[:500]
    if "/tickets/" in text:
        text = text.split("/tickets/", 1)[1]
    for stop in "/?#":
        text = text.split(stop, 1)[0]
    return text
