from __future__ import annotations

import msgspec


class FeedUrlOut(msgspec.Struct):
    url: str
    webcal: str
