"""`fairs deliver`: the outbox delivered by a process of its own (beside web workers started with
FAIRS_NOTIFY_WORKER=off), at a lower CPU priority, stopped cleanly by SIGTERM; and the serving
process's own worker stopped as cleanly when the app shuts down."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from fairs import db
from fairs.notify import worker
from tests.notify.conftest import registrations_waiting, settings_for


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


async def _until(done: Callable[[], bool], proc: asyncio.subprocess.Process | None = None) -> None:
    """Waits (up to 30 s) until `done()`, or until the process has exited."""
    for _ in range(1500):
        if done() or (proc is not None and proc.returncode is not None):
            return
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def delivery_process(gateway, nice: int) -> AsyncIterator[asyncio.subprocess.Process]:
    """`fairs deliver --nice N` sending to the test gateway; killed if a test leaves it running."""
    env = {**os.environ, "FAIRS_SMS_URL": f"{gateway.url}/sms", "FAIRS_NOTIFY_QUIET_HOURS": ""}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "fairs.cli", "deliver", "--nice", str(nice), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def stop_with_sigterm(proc: asyncio.subprocess.Process) -> None:
    assert proc.returncode is None, (await proc.stderr.read()).decode()[-2000:]
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 20) == 0


async def assert_stopped_cleanly(gateway, uids: set[str], held_back: int) -> None:
    """What a stop mid-round leaves: every SMS the gateway received recorded sent (never sent
    again), the `held_back` claimed but not begun pending with no lease to wait out and no
    attempt counted."""
    received = {sms["id"] for sms in gateway.sms()}
    assert len(received) == len(uids) - held_back and received <= uids
    rows = await db.fetch("SELECT uid, status, lease_until, attempts FROM outbox_message")
    assert {r["uid"] for r in rows if r["status"] == "sent"} == received
    rest = [r for r in rows if r["uid"] not in received]
    assert len(rest) == held_back
    assert all(r["status"] == "pending" and r["lease_until"] is None and r["attempts"] == 0
               for r in rest), rest


async def test_a_delivery_process_sends_the_outbox_and_stops_on_sigterm(world, gateway):
    uids = await registrations_waiting(world, 5)
    async with delivery_process(gateway, nice=5) as proc:
        await _until(lambda: len(gateway.sms()) >= len(uids), proc)
        assert proc.returncode is None, (await proc.stderr.read()).decode()[-2000:]
        assert _nice(proc.pid) == _nice(os.getpid()) + 5
        await stop_with_sigterm(proc)
    assert {sms["id"] for sms in gateway.sms()} == uids
    await assert_stopped_cleanly(gateway, uids, held_back=0)


async def test_a_stopped_delivery_process_records_what_it_sent_and_hands_back_the_rest(
        world, gateway):
    """SIGTERM while a round's sends are still waiting for the gateway: they finish and are
    recorded, the messages claimed but not begun are handed back at once, and the process exits
    0. Before, the signal cut the round: the gateway had the SMS, the outbox still held them
    leased as pending, to be sent a second time once the lease ran out."""
    uids = await registrations_waiting(world, worker.PARALLEL + 8)
    gateway.delay = 1.0  # each answer a second late: the signal comes while the sends wait
    async with delivery_process(gateway, nice=0) as proc:
        await _until(lambda: len(gateway.sms()) >= worker.PARALLEL, proc)
        await stop_with_sigterm(proc)
    await assert_stopped_cleanly(gateway, uids, held_back=8)


async def test_the_serving_process_worker_stops_as_cleanly_when_the_app_shuts_down(
        world, gateway):
    """The in-process worker (`scheduler`, the app's lifespan) leaving while its sends wait on
    the gateway: the same clean stop as the process's."""
    uids = await registrations_waiting(world, worker.PARALLEL + 8)
    gateway.delay = 1.0
    async with worker.scheduler(settings_for(gateway, notify_worker=True)) as deliverer:
        assert deliverer is not None
        await _until(lambda: len(gateway.sms()) >= worker.PARALLEL)
        assert len(gateway.sms()) == worker.PARALLEL
    await assert_stopped_cleanly(gateway, uids, held_back=8)


async def test_a_stop_cut_after_its_grace_leaves_the_round_to_be_sent_again(world, gateway):
    """A gateway slower than the grace: the round is cut (nothing recorded sent, so it goes out
    again later with the same uid) rather than the stop waiting on the gateway."""
    await registrations_waiting(world, 3)
    gateway.delay = 5.0
    deliverer = worker.Deliverer(settings_for(gateway))
    task = asyncio.create_task(deliverer.run())
    await _until(lambda: len(gateway.sms()) >= 3)
    await deliverer.finish(task, grace=0.2)
    assert task.cancelled()
    rows = await db.fetch("SELECT status FROM outbox_message")
    assert [r["status"] for r in rows] == ["pending"] * 3
