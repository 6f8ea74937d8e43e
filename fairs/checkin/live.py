"""Live attendance: services say "fair N changed"; the web layer publishes it on a channel.

Pure (no Litestar): the app sets `publisher` at start-up (Litestar's Channels plugin). Changes are
coalesced per fair: at most one message per fair every `DELAY` seconds from one process, so a
burst of a thousand admissions a second costs a few messages, not a thousand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

log = logging.getLogger("fairs.checkin.live")

DELAY = 0.25
publisher: Callable[[int], None] | None = None
_pending: set[int] = set()


def channel_name(fair_id: int) -> str:
    return f"attendance:{fair_id}"


def _flush(fair_id: int) -> None:
    _pending.discard(fair_id)
    if publisher is None:
        return
    try:
        publisher(fair_id)
    except Exception:  # noqa: BLE001 - a live display must never break a check-in
        log.exception("publishing attendance failed")


def changed(fair_id: int) -> None:
    if publisher is None or fair_id in _pending:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    _pending.add(fair_id)
    loop.call_later(DELAY, _flush, fair_id)
