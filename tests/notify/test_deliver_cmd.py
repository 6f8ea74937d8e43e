"""`fairs deliver`: the outbox delivered by a process of its own (beside web workers started with
FAIRS_NOTIFY_WORKER=off), at a lower CPU priority, stopped cleanly by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from fairs import db
from tests.notify.conftest import registrations_waiting


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


async def test_a_delivery_process_sends_the_outbox_and_stops_on_sigterm(world, gateway):
    uids = await registrations_waiting(world, 5)
    env = {**os.environ, "FAIRS_SMS_URL": f"{gateway.url}/sms", "FAIRS_NOTIFY_QUIET_HOURS": ""}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fairs.cli", "deliver", "--nice", "5", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(1500):
            if len(gateway.sms()) >= len(uids) or proc.returncode is not None:
                break
            await asyncio.sleep(0.02)
        assert proc.returncode is None, (await proc.stderr.read()).decode()[-2000:]
        assert _nice(proc.pid) == _nice(os.getpid()) + 5
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 20) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert {sms["id"] for sms in gateway.sms()} == uids
    left = await db.fetch("SELECT COUNT(*) AS n FROM outbox_message WHERE status <> 'sent'")
    assert left[0]["n"] == 0


async def test_a_stopped_delivery_process_records_what_it_sent_and_hands_back_the_rest(
        world, gateway):
    """SIGTERM while a round's sends are still waiting for the gateway: they finish and are
    recorded (not sent again by the next process), the messages claimed but not begun are
    handed back at once (no lease to wait out, no attempt counted), and the process exits 0.
    Before, the signal cut the round: the gateway had the SMS, the outbox still held them
    leased as pending, to be sent a second time once the lease ran out."""
    from fairs.notify import worker

    uids = await registrations_waiting(world, worker.PARALLEL + 8)
    gateway.delay = 1.0  # each answer a second late: the signal comes while the sends wait
    env = {**os.environ, "FAIRS_SMS_URL": f"{gateway.url}/sms", "FAIRS_NOTIFY_QUIET_HOURS": ""}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fairs.cli", "deliver", "--nice", "0", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(1500):
            if len(gateway.sms()) >= worker.PARALLEL or proc.returncode is not None:
                break
            await asyncio.sleep(0.02)
        assert proc.returncode is None, (await proc.stderr.read()).decode()[-2000:]
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 20) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    received = {sms["id"] for sms in gateway.sms()}
    assert len(received) == worker.PARALLEL and received < uids
    rows = await db.fetch("SELECT uid, status, lease_until, attempts FROM outbox_message")
    assert {r["uid"] for r in rows if r["status"] == "sent"} == received
    rest = [r for r in rows if r["uid"] not in received]
    assert len(rest) == 8
    assert all(r["status"] == "pending" and r["lease_until"] is None and r["attempts"] == 0
               for r in rest), rest
