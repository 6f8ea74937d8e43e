"""kill -9 a real server while it delivers: after a restart no message is lost, and none is sent
twice as far as the recipient can tell — a repeat (only what was in flight at the kill) carries
the same idempotency key, which the gateway uses to drop it."""

from __future__ import annotations

import asyncio
import collections

from fairs import db
from tests.browser.conftest import LiveServer
from tests.notify.conftest import registrations_waiting


async def test_kill_during_delivery_loses_none_and_repeats_only_same_ids(world, gateway):
    uids = await registrations_waiting(world, 300)
    assert len(uids) == 300
    gateway.delay = 0.01
    env = {"FAIRS_NOTIFY_WORKER": "on", "FAIRS_SMS_URL": f"{gateway.url}/sms",
           "FAIRS_NOTIFY_QUIET_HOURS": "", "FAIRS_NOTIFY_LEASE": "2"}
    server = await asyncio.to_thread(LiveServer, 1, env)
    try:
        for _ in range(600):
            if len(gateway.sms()) >= 100:
                break
            await asyncio.sleep(0.01)
        server.proc.kill()  # SIGKILL: no shutdown, whatever is in flight stays in flight
        server.proc.wait()
    finally:
        server.stop()
    at_kill = len(gateway.sms())
    assert 100 <= at_kill < 300, "the kill came during delivery"
    server = await asyncio.to_thread(LiveServer, 1, env)
    try:
        for _ in range(3000):
            left = await db.fetch("SELECT COUNT(*) AS n FROM outbox_message "
                                  "WHERE status <> 'sent'")
            if left[0]["n"] == 0:
                break
            await asyncio.sleep(0.02)
    finally:
        server.stop()
    assert left[0]["n"] == 0, "every message delivered after the restart"
    received = collections.Counter(sms["id"] for sms in gateway.sms())
    assert set(received) == uids  # none lost, none under another id
    repeated = [uid for uid, n in received.items() if n > 1]
    # Only messages in flight at the kill (at most one claim's parallel sends) came again.
    assert len(repeated) <= 32 and all(n == 2 for n in received.values() if n > 1)
