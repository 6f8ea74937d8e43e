"""The outbox: a message is written with its cause (or not at all), delivered once through a
real loopback SMS gateway with its idempotency key, waits where no channel is configured or in
the quiet hours, is retried with growing delays and never after success."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairs import clock, db, hooks
from fairs.notify import outbox, texts
from fairs.notify.worker import Deliverer
from tests import factories
from tests.notify.conftest import settings_for


async def messages(**where) -> list[dict]:
    rows = await db.fetch("SELECT * FROM outbox_message ORDER BY id")
    return [r for r in rows if all(r[k] == v for k, v in where.items())]


@pytest.fixture
async def fair(world):
    people = await factories.staff()
    made = await factories.fair(people["organiser"], world, booths=3)
    return {"fair": made, "staff": people}


async def test_registration_writes_its_sms_and_the_gateway_gets_it_once(fair, gateway):
    reg = await factories.registration(fair["fair"]["id"], number="13800138001")
    [row] = await messages(template="registered")
    assert row["recipient"] == "+8613800138001" and row["status"] == "pending"
    deliverer = Deliverer(settings_for(gateway))
    try:
        assert await deliverer.drain() == 1
        assert await deliverer.drain() == 0  # sent: never taken again
    finally:
        await deliverer.aclose()
    [sms] = gateway.sms()
    assert sms["id"] == row["uid"] and sms["to"] == "+8613800138001"
    assert sms["template"] == "registered"
    assert f"https://fairs.example/tickets/{reg['secret']}" in sms["text"]
    assert gateway.requests[0][1]["authorization"] == "Bearer t0ken"
    [row] = await messages(template="registered")
    assert row["status"] == "sent" and row["sent_at"] is not None


async def test_a_registration_that_rolls_back_leaves_no_message(fair):
    """The SMS is a step of the registration's own statement: a failure after it (here a
    step that breaks a NOT NULL) undoes both; a phone registered twice writes one message."""
    breaks = db.Step("x", "INSERT INTO outbox_message (key) SELECT NULL FROM r RETURNING id",
                     ("id",), over="r")
    with hooks.registration_writes.replaced(lambda: (*outbox.registration_steps(), breaks)):
        with pytest.raises(Exception, match="(?i)null"):
            await factories.registration(fair["fair"]["id"], number="13800138021")
    assert await messages() == []
    assert await db.fetch("SELECT id FROM registration") == []
    await factories.registration(fair["fair"]["id"], number="13800138021")
    with pytest.raises(Exception, match="(?i)already|registered"):
        await factories.registration(fair["fair"]["id"], number="13800138021")
    assert [m["recipient"] for m in await messages()] == ["+8613800138021"]


async def test_unconfigured_channels_and_quiet_hours_leave_messages_waiting(fair, gateway):
    await factories.registration(fair["fair"]["id"])
    nothing = Deliverer(settings_for(None))
    try:
        assert await nothing.drain() == 0
    finally:
        await nothing.aclose()
    quiet = Deliverer(settings_for(gateway, quiet_hours=(21, 8)))
    try:
        # 23:00 in Beijing is 15:00 UTC: quiet; 09:00 Beijing (01:00 UTC): not.
        with clock.frozen(datetime(2031, 3, 1, 15, tzinfo=UTC)):
            assert await quiet.drain() == 0
        assert gateway.sms() == []
        with clock.frozen(datetime(2031, 3, 2, 1, tzinfo=UTC)):
            assert await quiet.drain() == 1
    finally:
        await quiet.aclose()
    assert len(gateway.sms()) == 1


async def test_failures_are_retried_later_and_a_permanent_one_fails(fair, gateway):
    await factories.registration(fair["fair"]["id"])
    gateway.statuses = [503]
    deliverer = Deliverer(settings_for(gateway))
    try:
        assert await deliverer.drain() == 1
        [row] = await messages()
        assert row["status"] == "pending" and row["last_error"] == "HTTP 503"
        due = db.as_datetime(row["due_at"])
        assert timedelta(seconds=1) < due - clock.now() <= timedelta(minutes=1)
        assert await deliverer.drain() == 0  # not due yet
        with clock.shifted(timedelta(minutes=1)):
            gateway.statuses = [400]
            assert await deliverer.drain() == 1
        [row] = await messages()
        assert row["status"] == "failed" and row["attempts"] == 2
        assert await outbox.retry(row["id"])
        gateway.statuses = [200]
        assert await deliverer.drain() == 1
    finally:
        await deliverer.aclose()
    [row] = await messages()
    assert row["status"] == "sent"
    assert len({s["id"] for s in gateway.sms()}) == 1 and len(gateway.sms()) == 3


async def test_retries_grow_and_stop_after_a_day():
    delays = [outbox.retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[0] <= 60 and delays == sorted(delays) and delays[-1] <= 3600
    made = clock.now()
    assert sum(delays) < outbox.RETRY_FOR.total_seconds()
    assert outbox.RETRY_FOR >= timedelta(days=1) and made


async def test_two_workers_never_claim_the_same_message(fair):
    for _ in range(30):
        await factories.registration(fair["fair"]["id"])
    a, b = await outbox.claim(["sms"], 20), await outbox.claim(["sms"], 20)
    assert len(a) == 20 and len(b) == 10
    assert not {r["id"] for r in a} & {r["id"] for r in b}


async def test_zh_texts_fit_one_sms_segment():
    from fairs.notify.receivers import short

    params = {"fair": short("西海岸新区2027年春风行动暨民营企业招聘月专场招聘会"),
              "when": "03-01 09:00", "place": short("西海岸新区人力资源市场", 24),
              "link": "", "stop": "", "booth": "A01", "employer": "青岛某某科技有限公司",
              "reason": "材料不全"}
    for template in texts.TEMPLATES:
        body = texts.text(template, params, "zh_CN")
        assert texts.segments(body) == 1, (template, body, len(body))


async def test_delivery_gives_way_while_requests_are_served(monkeypatch):
    """The pacer's rule (timing is the benchmark's): no wait while the process serves nobody;
    while it serves, the gap between sends starts at MAX_GAP, closes while the loop keeps
    time, and widens again as it runs late, never past MAX_GAP."""
    import asyncio

    from fairs import metrics
    from fairs.notify import worker

    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(worker.asyncio, "sleep", sleep)
    pacer = worker.Pacer()
    monkeypatch.setattr(metrics, "_serving", [0])
    await pacer.turn()
    assert waits == [] and pacer.gap == worker.MAX_GAP  # idle: no turn to wait for
    monkeypatch.setattr(metrics, "_serving", [3])
    monkeypatch.setattr(worker, "LAG", 60.0)  # every turn on time
    for _ in range(100):
        await pacer.turn()
    assert pacer.gap == 0.0 and waits
    monkeypatch.setattr(worker, "LAG", -1.0)  # every turn late
    widths = []
    for _ in range(12):
        await pacer.turn()
        widths.append(pacer.gap)
    assert widths == sorted(widths) and widths[-1] == worker.MAX_GAP
