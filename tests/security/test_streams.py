"""The live attendance stream against an anonymous crowd (issue 13, item 3): a fair's counts are
computed once per change for every open stream and the same bytes go to all of them; streams are
capped per address (429) and per process (503), with Retry-After; a stream that goes away frees
its slot; quiet streams get heartbeats; old streams end (the browser reconnects).

The streams are held open by calling the ASGI app directly (httpx's ASGITransport waits for the
whole body, and a live stream has no end): `Raw` records what the app sends and disconnects on
request, as a server does when the client goes away.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from fairs.checkin import live, services
from tests.conftest import login_as
from tests.tickets.helpers import make_fair, register

WAIT = 20  # seconds: a generous bound for things that happen at once; never a timing assertion


class Raw:
    """One GET held open on the ASGI app, as a server would hold a client's connection."""

    def __init__(self, app, path: str, address: str = "10.9.0.1") -> None:
        self.app, self.path, self.address = app, path, address
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self.arrived = asyncio.Condition()
        self.gone = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def open(self) -> Raw:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": self.path, "raw_path": self.path.encode(),
            "query_string": b"", "root_path": "", "server": ("testserver", 80),
            "client": (self.address, 40000),
            "headers": [(b"host", b"testserver"), (b"accept", b"text/event-stream")],
        }
        sent_request = False

        async def receive() -> dict:
            nonlocal sent_request
            if not sent_request:
                sent_request = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await self.gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            async with self.arrived:
                if message["type"] == "http.response.start":
                    self.status = message["status"]
                    self.headers = {k.decode().lower(): v.decode()
                                    for k, v in message.get("headers", [])}
                elif message["type"] == "http.response.body":
                    if message.get("body"):
                        self.chunks.append(message["body"])
                    if not message.get("more_body"):  # a server's receive() says so then
                        self.gone.set()
                self.arrived.notify_all()

        self.task = asyncio.create_task(self.app(scope, receive, send))
        await self.until(lambda: self.status is not None or self.task.done())
        return self

    async def until(self, predicate) -> None:
        async def wait() -> None:
            async with self.arrived:
                await self.arrived.wait_for(lambda: predicate() or self.task.done())

        await asyncio.wait_for(wait(), WAIT)

    @property
    def data(self) -> list[bytes]:
        """The data frames received, as sent (b"data: {...}\\n\\n")."""
        return [c for c in self.chunks if c.startswith(b"data:")]

    def counts(self) -> dict:
        return json.loads(self.data[-1][5:])

    def body(self) -> dict:
        return json.loads(b"".join(self.chunks))

    async def close(self) -> None:
        """The client goes away; the response ends."""
        self.gone.set()
        await asyncio.wait_for(self.task, WAIT)


@pytest.fixture
async def stream_app(migrated) -> AsyncIterator:
    """An app with small stream caps and short intervals, its Channels plugin (and so its
    stream hub) running; the database is the session's. `stream_app(**settings)` makes it."""
    from litestar.channels import ChannelsPlugin

    from fairs.app import create_app
    from fairs.settings import Settings

    running = []

    async def make(**overrides):
        app = create_app(Settings.from_env(**overrides))
        plugin = next(p for p in app.plugins if isinstance(p, ChannelsPlugin))
        await plugin.__aenter__()
        running.append((app, plugin))
        return app

    yield make
    for app, plugin in running:
        await plugin.__aexit__(None, None, None)
        if app.state.redis is not None:
            await app.state.redis.aclose()


def url(fair: dict) -> str:
    return f"/api/v1/fairs/{fair['id']}/attendance/stream"


async def test_counts_computed_once_per_change_and_the_same_bytes_to_every_listener(
        app, new_client, world, monkeypatch):
    """M streams open and N admissions at once: the attendance is computed about once per
    published change, not once per stream per change, and every stream ends on the same bytes,
    the object GET /attendance answers."""
    streams, admitted = 30, 20
    computed = 0
    published = 0
    attendance, flush = services.attendance, live._flush

    async def counting_attendance(fair_id: int) -> dict:
        nonlocal computed
        computed += 1
        return await attendance(fair_id)

    def counting_flush(fair_id: int) -> None:
        nonlocal published
        published += 1
        flush(fair_id)

    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    tickets = [await register(new_client(), fair["id"], f"求职者{n}") for n in range(admitted)]
    await asyncio.sleep(live.DELAY * 2)  # the registrations' own change messages are out
    monkeypatch.setattr(services, "attendance", counting_attendance)
    monkeypatch.setattr(live, "_flush", counting_flush)

    listeners = [await Raw(app, url(fair), f"10.9.1.{n}").open() for n in range(streams)]
    try:
        for listener in listeners:
            assert listener.status == 200
            assert listener.headers["content-type"].startswith("text/event-stream")
            await listener.until(lambda lst=listener: lst.data)
            assert listener.counts()["checked_in"] == 0
        answers = await asyncio.gather(*(scanner.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                                      json={"code": t["code"]})
                                         for t in tickets))
        assert [a.json()["result"] for a in answers] == ["ok"] * admitted
        for listener in listeners:
            await listener.until(
                lambda lst=listener: lst.data and lst.counts()["checked_in"] == admitted)
        # Once for the streams that opened, then at most once per published change (fewer when
        # changes arrive while one is computed) - whatever the number of streams.
        assert published >= 1
        assert computed <= 1 + published, (computed, published)
        last = [listener.data[-1] for listener in listeners]
        assert len(set(last)) == 1
        assert len({id(frame) for frame in last}) == 1  # encoded once, the same object sent
        plain = (await organiser.get(f"/api/v1/fairs/{fair['id']}/attendance")).json()
        assert json.loads(last[0][5:]) == plain
    finally:
        for listener in listeners:
            await listener.close()


async def test_streams_capped_per_address_429_and_per_process_503(stream_app, new_client,
                                                                 world):
    app = await stream_app(streams_per_address=2, streams_per_process=4)
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    opened = [await Raw(app, url(fair), "10.9.2.1").open(),
              await Raw(app, url(fair), "10.9.2.1").open()]
    try:
        assert [s.status for s in opened] == [200, 200]
        third = await Raw(app, url(fair), "10.9.2.1").open()
        await asyncio.wait_for(third.task, WAIT)  # an answer, not a stream
        assert third.status == 429
        assert third.headers["content-type"].startswith("application/problem+json")
        assert int(third.headers["retry-after"]) > 0
        assert third.body()["status"] == 429
        # An IPv6 client is counted by its /64: another address in it is the same client.
        opened.append(await Raw(app, url(fair), "2001:db8:1:2::10").open())
        same_net = await Raw(app, url(fair), "2001:db8:1:2:aaaa::77").open()
        opened.append(same_net)
        assert [s.status for s in opened[2:]] == [200, 200]
        refused = await Raw(app, url(fair), "2001:db8:1:2:bbbb::1").open()
        await asyncio.wait_for(refused.task, WAIT)
        assert refused.status == 429
        # Four streams open in the process: a fifth, from a new address, is refused with 503.
        full = await Raw(app, url(fair), "10.9.2.99").open()
        await asyncio.wait_for(full.task, WAIT)
        assert full.status == 503
        assert full.headers["content-type"].startswith("application/problem+json")
        assert int(full.headers["retry-after"]) > 0
        assert full.body()["status"] == 503
    finally:
        for stream in opened:
            await stream.close()


async def test_a_closed_stream_frees_its_slot(stream_app, new_client, world):
    app = await stream_app(streams_per_address=1, streams_per_process=10)
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    for ends in ("disconnect", "cancel"):
        first = await Raw(app, url(fair), "10.9.3.1").open()
        assert first.status == 200
        again = await Raw(app, url(fair), "10.9.3.1").open()
        await asyncio.wait_for(again.task, WAIT)
        assert again.status == 429
        if ends == "disconnect":  # the client went away: the server says so
            await first.close()
        else:  # the server cancelled the request (shutting down, a timeout)
            first.task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await first.task
        second = await Raw(app, url(fair), "10.9.3.1").open()
        assert second.status == 200, ends
        await second.close()


async def test_quiet_streams_get_heartbeats(stream_app, new_client, world):
    app = await stream_app(stream_heartbeat=0.05)
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    stream = await Raw(app, url(fair), "10.9.4.1").open()
    try:
        await stream.until(lambda: sum(c.startswith(b":") for c in stream.chunks) >= 2)
        beats = [c for c in stream.chunks if c.startswith(b":")]
        assert len(beats) >= 2 and all(c.endswith(b"\n\n") for c in beats)
        assert len(stream.data) == 1  # the counts once; nothing changed
    finally:
        await stream.close()


async def test_an_old_stream_ends_and_frees_its_slot(stream_app, new_client, world):
    app = await stream_app(stream_heartbeat=0.05, stream_max_age=0.3, streams_per_address=1)
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    stream = await Raw(app, url(fair), "10.9.5.1").open()
    assert stream.status == 200
    await asyncio.wait_for(stream.task, WAIT)  # it ended by itself
    assert stream.data and stream.chunks[0].startswith(b"retry: ")  # how soon to come back
    after = await Raw(app, url(fair), "10.9.5.1").open()
    assert after.status == 200
    await after.close()


async def test_a_stream_opened_after_a_change_nobody_watched_gets_the_current_counts(
        app, new_client, world):
    """The fair stays subscribed a moment after its last stream closed (a wall reloading); a
    change in that moment is not lost for the next stream."""
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"])
    await asyncio.sleep(live.DELAY * 2)
    first = await Raw(app, url(fair), "10.9.6.1").open()
    await first.until(lambda: first.data)
    assert first.counts()["checked_in"] == 0
    await first.close()
    answer = await scanner.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                json={"code": ticket["code"]})
    assert answer.json()["result"] == "ok"
    await asyncio.sleep(live.DELAY * 4)  # published and heard, with no stream open
    second = await Raw(app, url(fair), "10.9.6.1").open()
    try:
        await second.until(lambda: second.data and second.counts()["checked_in"] == 1)
        assert second.counts()["checked_in"] == 1
    finally:
        await second.close()
