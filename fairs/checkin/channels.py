"""The Channels plugin that carries live attendance: memory for one process, Redis (pub/sub)
when FAIRS_REDIS_URL is set, so every worker's streams hear every worker's admissions.

The plugin also holds the process's stream hub (`fairs.checkin.live.Hub`): one subscription per
fair with open streams, counts computed once per change, the same bytes to every listener. The
stream route opens a listener with `open_stream()` and answers `AttendanceStream`, which
releases the listener's slot when the response ends, however it ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.config.app import AppConfig
from litestar.response import Stream
from litestar.response.streaming import ASGIStreamingResponse

from fairs.settings import Settings

from . import live

log = logging.getLogger("fairs.checkin.live")

FD_RESERVE = 512  # descriptors kept for everything else a worker opens (database, requests)


class _ListenerResponse(ASGIStreamingResponse):
    """A streaming response whose iterator is a live.Listener, closed when the response ends
    (the client went away, the stream's lifetime ended, the server stops, or an error)."""

    __slots__ = ()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.iterator.close()  # type: ignore[attr-defined]


class AttendanceStream(Stream):
    """text/event-stream of a live.Listener's frames."""

    def __init__(self, listener: live.Listener) -> None:
        super().__init__(listener, media_type="text/event-stream",
                         headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        self.listener = listener

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> ASGIStreamingResponse:
        response = super().to_asgi_response(*args, **kwargs)
        response.__class__ = _ListenerResponse  # same layout; only __call__ differs
        return response


def _raise_fd_limit(wanted: int) -> int:
    """Raise this process's soft limit on open files towards `wanted` (within the hard limit):
    each open stream holds a socket. Returns the soft limit now in force (0: unknown)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 0
    if soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("could not raise the open-files limit to %d", target)
    return soft


DEPENDENCY = "attendance_channels"


class AttendanceChannels(ChannelsPlugin):
    hub: live.Hub | None = None
    settings: Settings | None = None

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        if self.settings is None:
            self.settings = app_config.state.get("settings") if app_config.state else None
        app_config = super().on_app_init(app_config)
        # Litestar's plugin names its dependency "channels", and Litestar takes a request body
        # field that fails validation under a dependency's name for the dependency's failure:
        # a 500 for `{"channels": 1}` on the planner (a field of that name). Named for what it
        # is, so that no body field meets it.
        app_config.dependencies[DEPENDENCY] = app_config.dependencies.pop("channels")
        return app_config

    async def __aenter__(self) -> ChannelsPlugin:
        await super().__aenter__()
        from . import services

        settings = self.settings or Settings()
        per_process = settings.streams_per_process
        soft = _raise_fd_limit(per_process + FD_RESERVE)
        if soft and per_process > soft - FD_RESERVE:
            per_process = max(1, soft - FD_RESERVE)
            log.warning("open-files limit %d: at most %d live streams in this process",
                        soft, per_process)

        async def compute(fair_id: int) -> dict:
            return await services.attendance(fair_id)  # looked up at call time (tests wrap it)

        self.hub = live.Hub(compute, self._watch, per_address=settings.streams_per_address,
                            per_process=per_process, heartbeat=settings.stream_heartbeat,
                            max_age=settings.stream_max_age)
        live.publishers.append(self._publish)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._publish in live.publishers:
            live.publishers.remove(self._publish)
        if self.hub is not None:
            await self.hub.stop()
        await super().__aexit__(*exc)

    def _publish(self, fair_id: int) -> None:
        self.publish(b"changed", live.channel_name(fair_id))

    async def _watch(self, fair_id: int,
                     on_change: Callable[[], None]) -> Callable[[], Awaitable[None]]:
        subscriber = await self.subscribe(live.channel_name(fair_id))

        async def consume() -> None:
            async for _event in subscriber.iter_events():
                on_change()

        task = asyncio.get_running_loop().create_task(consume())

        async def unwatch() -> None:
            await self.unsubscribe(subscriber)  # ends iter_events()
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

        return unwatch

    def check_stream(self, address: str) -> None:
        """Refuse (429 / 503) a client beyond the caps before any other work."""
        if self.hub is not None:
            self.hub.check(address)

    def open_stream(self, fair_id: int, address: str) -> AttendanceStream:
        """A stream of the fair's attendance for a client at `address` (429 / 503 beyond the
        caps: fairs.errors raised by the hub)."""
        if self.hub is None:
            raise RuntimeError("the attendance hub is not running")
        return AttendanceStream(self.hub.open(fair_id, address))


def plugin(redis_client=None, settings: Settings | None = None) -> AttendanceChannels:
    if redis_client is not None:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend

        backend = RedisChannelsPubSubBackend(redis=redis_client)
    else:
        backend = MemoryChannelsBackend()
    channels = AttendanceChannels(backend=backend, arbitrary_channels_allowed=True,
                                  subscriber_max_backlog=100,
                                  subscriber_backlog_strategy="dropleft")
    channels.settings = settings
    return channels
