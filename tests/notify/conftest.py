"""Real servers on loopback for the notify tests: an HTTP SMS gateway and webhook receiver that
records what it was sent (and drops a repeated id, as a gateway does), and an SMTP server."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import pytest

from fairs.settings import Settings


class Gateway:
    """A small HTTP server: POST any path; answers `status` (a list: one per request, the last
    repeated). Records (path, headers, body) of every request; `ids` the distinct SMS ids."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict, bytes]] = []
        self.statuses = [200]
        self.delay = 0.0  # seconds before each answer
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sms(self) -> list[dict]:
        return [json.loads(body) for path, _h, body in self.requests if path == "/sms"]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((path, headers, body))
                if self.delay:
                    await asyncio.sleep(self.delay)
                index = min(len(self.requests) - 1, len(self.statuses) - 1)
                status = self.statuses[index] if len(self.statuses) > 1 else self.statuses[0]
                writer.write(f"HTTP/1.1 {status} X\r\ncontent-length: 2\r\n\r\n{{}}".encode())
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server:
            self.server.close()


@pytest.fixture
async def gateway():
    g = Gateway()
    await g.start()
    yield g
    await g.stop()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []
        self.sessions: list[int] = []  # the SMTP connection each message came on

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.sessions.append(id(session))
        return "250 OK"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    from tests.browser.conftest import free_port

    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def settings_for(gateway: Gateway | None = None, smtp_port: int | None = None,
                 **kw) -> Settings:
    values = {"quiet_hours": None, "base_url": "https://fairs.example"}
    if gateway:
        values.update(sms_url=f"{gateway.url}/sms", sms_token="t0ken")
    if smtp_port:
        values.update(smtp_url=f"smtp://127.0.0.1:{smtp_port}", mail_from="fairs@example.cn")
    values.update(kw)
    return replace(Settings.from_env(), **values)


async def registrations_waiting(world, count: int) -> set[str]:
    """A fair with `count` registrations: their SMS wait in the outbox; their ids."""
    from fairs import db
    from tests import factories

    people = await factories.staff()
    fair = await factories.fair(people["organiser"], world)
    for _ in range(count):
        await factories.registration(fair["id"])
    return {r["uid"] for r in await db.fetch("SELECT uid FROM outbox_message")}
