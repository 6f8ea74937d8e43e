"""Ticket codes: random, >= 80 bits, in an unambiguous uppercase alphabet that QR codes encode in
alphanumeric mode. Pure: no database, no HTTP.

A code is "T" + 18 random symbols + 1 check symbol. The alphabet has 31 symbols (no 0/O, 1/I/L),
so the random part carries 18 * log2(31) = 89 bits. The check symbol (a weighted sum mod 31)
catches a mistyped symbol or two swapped neighbours before the database is asked.
"""

from __future__ import annotations

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
