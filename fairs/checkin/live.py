"""Live attendance: services say "fair N changed"; the web layer publishes it on a channel, and a
per-process hub turns the channel's messages into the frames every open stream sends.

Pure (no Litestar). Two halves:

- `changed(fair_id)`: what services call after a commit. Coalesced per fair: at most one message
  per fair every `DELAY` seconds from one process, so a burst of a thousand admissions a second
  costs a few messages, not a thousand. Each running app registers a publisher (its Channels
  plugin, memory or Redis) in `publishers`.
- `Hub`: the streams of one process. A fair's counts are computed once per change for all its
  listeners in the process (at most one computation in flight per fair, and the next one at
  least `DELAY` after it - longer with thousands of streams, `Hub.interval`: the changes that
  arrive meanwhile make one computation), encoded once, and the same bytes go to every
  listener. Listeners are counted per client address and per process (429 / 503 beyond
  the caps); each gets a heartbeat comment when it has had nothing for a while and is closed at
  the end of its lifetime (the browser's EventSource reconnects by itself).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from fairs.errors import NotFound, TooManyRequests, Unavailable
from fairs.i18n import N_
from fairs.ratelimit import address_subject

log = logging.getLogger("fairs.checkin.live")

DELAY = 0.25
publishers: list[Callable[[int], None]] = []
_pending: set[int] = set()


def channel_name(fair_id: int) -> str:
    return f"attendance:{fair_id}"


def _flush(fair_id: int) -> None:
    _pending.discard(fair_id)
    for publish in list(publishers):
        try:
            publish(fair_id)
        except Exception:  # noqa: BLE001 - a live display must never break a check-in
            log.exception("publishing attendance failed")


def changed(fair_id: int) -> None:
    if not publishers or fair_id in _pending:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    _pending.add(fair_id)
    loop.call_later(DELAY, _flush, fair_id)


# --- the hub ----------------------------------------------------------------------------------

HEARTBEAT_FRAME = b": keep-alive\n\n"
RETRY_AFTER_ADDRESS = 30  # seconds: a slot frees when one of the address's streams closes
RETRY_AFTER_PROCESS = 10  # seconds: another worker (or this one, a moment later) may have room
LINGER = 5.0  # seconds a fair stays subscribed after its last listener left (a wall reloading)
RETRY_ON_ERROR = 2.0  # seconds before a failed computation is tried again
FANOUT = 4000  # frames a second a process sends at most for changes (see Hub.interval)
SLICE = 128  # listeners woken in one turn of the event loop
GRACE = 60.0  # seconds after its lifetime a listener that did not end is released anyway


def frame(counts: dict[str, Any]) -> bytes:
    """One server-sent event carrying the attendance object."""
    return b"data: " + msgspec.json.encode(counts) + b"\n\n"


def address_key(address: str) -> str:
    """The key a client's streams are counted under: its address, an IPv6 address by its /64
    (one subscriber's network; counting single addresses there would cap nothing), as the rate
    limits count it."""
    return address_subject(address)


class Listener:
    """One open stream: an async iterator of frames. `close()` releases its slot (idempotent);
    the web layer calls it when the response ends, however it ends."""

    __slots__ = ("feed", "key", "deadline", "last_sent", "prelude", "pending", "wake", "closed",
                 "ending")

    def __init__(self, feed: _Feed, key: str, deadline: float, prelude: bytes) -> None:
        self.feed = feed
        self.key = key
        self.deadline = deadline
        self.last_sent = time.monotonic()
        self.prelude: bytes | None = prelude  # sent at once: the client sees the stream open
        self.pending: bytes | None = feed.frame
        self.wake = asyncio.Event()
        self.closed = False
        self.ending = False

    def push(self, data: bytes) -> None:
        self.pending = data
        self.wake.set()

    def end(self) -> None:
        self.ending = True
        self.wake.set()

    def __aiter__(self) -> Listener:
        return self

    async def __anext__(self) -> bytes:
        if self.prelude is not None:
            data, self.prelude = self.prelude, None
            return data
        try:
            while self.pending is None and not self.ending and not self.closed:
                self.wake.clear()
                await self.wake.wait()
        except BaseException:
            self.close()
            raise
        if self.pending is None or self.closed:
            self.close()
            raise StopAsyncIteration
        data, self.pending = self.pending, None
        self.last_sent = time.monotonic()
        return data

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.feed.hub._release(self)


class _Feed:
    """One fair's listeners in this process, its subscription and its last frame."""

    __slots__ = ("hub", "fair_id", "listeners", "frame", "dirty", "task", "next_at", "unwatch",
                 "retire", "started", "gone")

    def __init__(self, hub: Hub, fair_id: int) -> None:
        self.hub = hub
        self.fair_id = fair_id
        self.listeners: set[Listener] = set()
        self.frame: bytes | None = None
        self.dirty = True
        self.task: asyncio.Task | None = None
        self.next_at = 0.0  # the loop's time before which the fair is not computed again
        self.unwatch: Callable[[], Awaitable[None]] | None = None
        self.retire: asyncio.Task | None = None
        self.started = False
        self.gone = False


Compute = Callable[[int], Awaitable[dict[str, Any]]]
Watch = Callable[[int, Callable[[], None]], Awaitable[Callable[[], Awaitable[None]]]]


class Hub:
    """The attendance streams of one process.

    `compute(fair_id)` returns the attendance object; `watch(fair_id, on_change)` subscribes to
    the fair's channel, calls `on_change()` for each message and returns an async `unwatch()`.
    """

    def __init__(self, compute: Compute, watch: Watch, *, per_address: int, per_process: int,
                 heartbeat: float, max_age: float, delay: float = DELAY) -> None:
        self.compute = compute
        self.watch = watch
        self.per_address = per_address
        self.per_process = per_process
        self.heartbeat = heartbeat
        self.max_age = max_age
        self.delay = delay
        self.feeds: dict[int, _Feed] = {}
        self.by_address: dict[str, int] = {}
        self.total = 0
        self.computations = 0  # how many times counts were computed (for tests and metrics)
        self._ticker: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()

    # --- opening and closing -------------------------------------------------------------

    def check(self, address: str) -> None:
        """TooManyRequests (the address holds its cap of streams) or Unavailable (the process
        holds its cap): `open()` checks again, this refuses before any other work."""
        key = address_key(address)
        if self.by_address.get(key, 0) >= self.per_address:
            raise TooManyRequests(N_("Too many live streams from this address; try again later"),
                                  retry_after=RETRY_AFTER_ADDRESS)
        if self.total >= self.per_process:
            raise Unavailable(N_("Too many live streams on this server; try again shortly"),
                              headers={"Retry-After": str(RETRY_AFTER_PROCESS)})

    def open(self, fair_id: int, address: str) -> Listener:
        """A new listener of `fair_id` for a client at `address` (see `check()` for the caps).
        It is sent the fair's last frame at once, if there is one, and every new one after."""
        self.check(address)
        key = address_key(address)
        feed = self.feeds.get(fair_id)
        if feed is None:
            feed = self.feeds[fair_id] = _Feed(self, fair_id)
            self._spawn(self._start(feed))
        if feed.retire is not None:
            feed.retire.cancel()
            feed.retire = None
        if not feed.listeners and feed.started:
            # Back while lingering: what it last sent may be old (it computes only for
            # listeners); the new listener gets the counts computed afresh.
            feed.frame = None
            feed.dirty = True
        # The lifetimes are spread (85-100 % of the maximum), and so are the browsers' reconnect
        # delays (the `retry:` field, 2-10 s), so that streams opened together do not all
        # come back at the same moment.
        deadline = time.monotonic() + self.max_age * random.uniform(0.85, 1.0)  # noqa: S311
        prelude = b"retry: %d\n\n" % random.randint(2000, 10000)  # noqa: S311
        listener = Listener(feed, key, deadline, prelude)
        feed.listeners.add(listener)
        self.by_address[key] = self.by_address.get(key, 0) + 1
        self.total += 1
        self._ensure_ticker()
        if feed.started and feed.dirty and feed.task is None:
            self.changed(fair_id)
        return listener

    def _release(self, listener: Listener) -> None:
        feed = listener.feed
        if listener not in feed.listeners:
            return
        feed.listeners.discard(listener)
        self.total -= 1
        left = self.by_address.get(listener.key, 1) - 1
        if left > 0:
            self.by_address[listener.key] = left
        else:
            self.by_address.pop(listener.key, None)
        if not feed.listeners and not feed.gone and feed.retire is None:
            try:
                feed.retire = self._spawn(self._retire(feed))
            except RuntimeError:  # no running loop (a finaliser at shutdown)
                pass

    # --- a fair's feed -------------------------------------------------------------------

    async def _start(self, feed: _Feed) -> None:
        try:
            feed.unwatch = await self.watch(feed.fair_id, lambda: self.changed(feed.fair_id))
        except Exception:  # noqa: BLE001 - counts still come, only not live
            log.exception("subscribing to attendance changes failed")
        if feed.gone:  # every listener left while we subscribed
            await self._unwatch(feed)
            return
        feed.started = True
        self.changed(feed.fair_id)

    def changed(self, fair_id: int) -> None:
        """A message on the fair's channel: recompute, unless a computation is already due."""
        feed = self.feeds.get(fair_id)
        if feed is None:
            return
        feed.dirty = True
        if feed.task is None:
            feed.task = self._spawn(self._refresh(feed))

    def interval(self) -> float:
        """Seconds between two computations (and sends) of one fair: DELAY, or longer when the
        process holds so many streams that sending every frame to all of them would cost more
        than FANOUT frames a second (5,000 streams: one update every 1.25 s)."""
        return max(self.delay, self.total / FANOUT)

    async def _refresh(self, feed: _Feed) -> None:
        loop = asyncio.get_running_loop()
        try:
            while feed.dirty and feed.listeners and not feed.gone:
                wait = feed.next_at - loop.time()
                if wait > 0:  # the changes that arrive meanwhile make one computation
                    await asyncio.sleep(wait)
                feed.dirty = False
                self.computations += 1
                try:
                    counts = await self.compute(feed.fair_id)
                except NotFound:  # the fair was deleted: its streams end
                    for listener in list(feed.listeners):
                        listener.end()
                    return
                except Exception:  # noqa: BLE001 - the next change (or the retry) tries again
                    log.exception("computing attendance failed")
                    feed.dirty = True
                    feed.next_at = loop.time() + RETRY_ON_ERROR
                    continue
                feed.next_at = loop.time() + self.interval()
                data = frame(counts)
                if data != feed.frame:
                    feed.frame = data
                    await self._fan_out(feed.listeners, data)
        finally:
            feed.task = None

    @staticmethod
    async def _fan_out(listeners: set[Listener], data: bytes) -> None:
        """Hand `data` to every listener, SLICE at a time: each woken listener writes to its
        socket in the loop's next turn, and between two slices the loop serves everyone else
        (a check-in does not wait behind five thousand writes)."""
        ordered = list(listeners)
        for start in range(0, len(ordered), SLICE):
            if start:
                await asyncio.sleep(0)
            for listener in ordered[start:start + SLICE]:
                if not listener.closed:
                    listener.push(data)

    async def _retire(self, feed: _Feed) -> None:
        await asyncio.sleep(LINGER)
        if feed.listeners or self.feeds.get(feed.fair_id) is not feed:
            return
        feed.gone = True
        feed.retire = None
        del self.feeds[feed.fair_id]
        if feed.task is not None:
            feed.task.cancel()
        await self._unwatch(feed)

    async def _unwatch(self, feed: _Feed) -> None:
        unwatch, feed.unwatch = feed.unwatch, None
        if unwatch is not None:
            try:
                await unwatch()
            except Exception:  # noqa: BLE001
                log.exception("unsubscribing from attendance changes failed")

    # --- heartbeats and lifetimes --------------------------------------------------------

    def _ensure_ticker(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        # Four looks per heartbeat interval: a listener that has sent nothing for an interval
        # gets a comment line (at most 1.25 intervals apart), and one past its lifetime ends.
        step = max(self.heartbeat / 4, 0.01)
        while self.total:
            await asyncio.sleep(step)
            await self.sweep()
        self._ticker = None

    async def sweep(self) -> None:
        now = time.monotonic()
        listeners = [listener for feed in list(self.feeds.values()) for listener in feed.listeners]
        for n, listener in enumerate(listeners):
            if n and n % SLICE == 0:
                await asyncio.sleep(0)
            if listener.closed:
                continue
            if now >= listener.deadline + GRACE:
                # Ended long ago and still here: its response never ran or never asked again
                # (the web layer closes a listener when its response ends; this is the last
                # resort). The slot is released whatever happened.
                listener.close()
            elif now >= listener.deadline:
                listener.end()
            elif listener.pending is None and now - listener.last_sent >= self.heartbeat:
                listener.push(HEARTBEAT_FRAME)

    def _spawn(self, coro: Awaitable[None]) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stop(self) -> None:
        """End every stream and subscription (the app is shutting down)."""
        for feed in list(self.feeds.values()):
            feed.gone = True
            for listener in list(feed.listeners):
                listener.end()
        for task in [*self._tasks, *([self._ticker] if self._ticker else [])]:
            task.cancel()
        for feed in list(self.feeds.values()):
            await self._unwatch(feed)
        self.feeds.clear()
