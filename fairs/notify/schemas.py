from __future__ import annotations

from typing import Annotated

import msgspec

from fairs.bounds import Bounded

Phone = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
Event = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]


class ResendIn(Bounded, kw_only=True):
    phone: Phone


class WebhookIn(Bounded, kw_only=True):
    url: Url
    events: Annotated[list[Event], msgspec.Meta(min_length=1, max_length=20)]
    secret: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class TestMessageIn(Bounded, kw_only=True):
    channel: Annotated[str, msgspec.Meta(max_length=10)]
    to: Annotated[str, msgspec.Meta(min_length=1, max_length=254)]
