"""Booking codes: what an employer's QR says at the door. Pure: no database, no HTTP.

"E" + 16 characters of Crockford's base32 = 80 random bits, in an uppercase alphabet without
I, L, O, U (QR alphanumeric mode keeps the code small). Job seekers' tickets use "T".
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "E"
BITS = 80
LENGTH = BITS // 5


def crockford(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    chars = []
    for _ in range(len(data) * 8 // 5):
        chars.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def new_code() -> str:
    return PREFIX + crockford(secrets.token_bytes(BITS // 8))


def looks_like_code(text: str) -> bool:
    text = (text or "").strip().upper()
    return (len(text) == LENGTH + 1 and text.startswith(PREFIX)
            and all(c in ALPHABET for c in text[1:]))
