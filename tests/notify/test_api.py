"""The outbox's admin API, webhooks signed the Standard Webhooks way (checked with the
`standardwebhooks` package, an independent implementation), retried until a 2xx and never
after; "send my ticket again" answers 202 either way; reminders."""

from __future__ import annotations

import json
from datetime import timedelta

from standardwebhooks import Webhook

from fairs import clock, db
from fairs.notify import worker
from fairs.notify.worker import Deliverer
from tests import factories
from tests.conftest import login_as
from tests.notify.conftest import settings_for
from tests.test_fair_pages import post_form


async def _fair(world, **kw):
    people = await factories.staff()
    return await factories.fair(people["organiser"], world, **kw), people


async def test_outbox_lists_masked_recipients_counts_and_test_message(world, new_client):
    fair, _ = await _fair(world)
    await factories.registration(fair["id"], number="13800138002")
    admin = await login_as(new_client, "admin")
    answer = await admin.post("/api/v1/outbox/test", json={"channel": "sms", "to": "123"})
    assert answer.status_code == 422 and "to" in answer.text
    answer = await admin.post("/api/v1/outbox/test",
                              json={"channel": "email", "to": "ops@example.cn"})
    assert answer.status_code == 202
    listed = (await admin.get("/api/v1/outbox")).json()
    assert listed["total"] == 2
    assert {i["to"] for i in listed["items"]} == {"138****8002", "o***@example.cn"}
    assert listed["counts"] == {"sms": {"pending": 1, "sent": 0, "failed": 0},
                                "email": {"pending": 1, "sent": 0, "failed": 0}}
    organiser = await login_as(new_client, "organiser")
    assert (await organiser.get("/api/v1/outbox")).status_code == 403


async def test_webhooks_are_signed_retried_and_never_repeated_after_2xx(world, new_client,
                                                                        gateway):
    admin = await login_as(new_client, "admin")
    bad = await admin.post("/api/v1/webhooks", json={"url": "ftp://x", "events": ["nope"]})
    assert bad.status_code == 422
    made = await admin.post("/api/v1/webhooks", json={
        "url": f"{gateway.url}/hook", "events": ["registration.created", "fair.cancelled"]})
    assert made.status_code == 201
    hook = made.json()
    assert hook["secret"].startswith("whsec_")
    fair, people = await _fair(world)
    await factories.registration(fair["id"], number="13800138003")
    gateway.statuses = [500, 200]
    deliverer = Deliverer(settings_for(None))
    try:
        assert await deliverer.drain() == 1  # the first attempt: 500
        assert await deliverer.drain() == 0  # waits
        with clock.shifted(timedelta(minutes=1)):  # the first retry within a minute
            assert await deliverer.drain() == 1
        with clock.shifted(timedelta(days=2)):
            assert await deliverer.drain() == 0  # delivered: never again
    finally:
        await deliverer.aclose()
    calls = [(h, b) for p, h, b in gateway.requests if p == "/hook"]
    assert len(calls) == 2
    headers, body = calls[1]
    assert headers["webhook-id"] == calls[0][0]["webhook-id"]  # the same message, again
    payload = Webhook(hook["secret"]).verify(body, {
        "webhook-id": headers["webhook-id"], "webhook-timestamp": headers["webhook-timestamp"],
        "webhook-signature": headers["webhook-signature"]})
    assert payload["type"] == "registration.created"
    assert set(payload) == {"id", "type", "created_at", "data"}
    assert "13800138003" not in body.decode() and "+86" not in body.decode()
    shown = (await admin.get(f"/api/v1/webhooks/{hook['id']}")).json()
    [delivery] = shown["deliveries"]
    assert delivery["status"] == "sent" and delivery["attempts"] == 2
    assert (await admin.delete(f"/api/v1/webhooks/{hook['id']}")).status_code == 204
    assert (await admin.get(f"/api/v1/webhooks/{hook['id']}")).status_code == 404


async def test_resend_answers_202_either_way_and_sends_a_working_ticket(world, client):
    fair, _ = await _fair(world)
    old = await factories.registration(fair["id"], number="13800138004")
    for number in ("13800138004", "13800138005"):
        answer = await client.post(f"/api/v1/fairs/{fair['id']}/tickets/resend",
                                   json={"phone": number})
        assert answer.status_code == 202 and answer.json() == {"status": "accepted"}
    bad = await client.post(f"/api/v1/fairs/{fair['id']}/tickets/resend", json={"phone": "1"})
    assert bad.status_code == 422 and "phone" in bad.text
    rows = await db.fetch("SELECT template, recipient, params FROM outbox_message "
                          "WHERE template = 'ticket_resent'")
    assert [r["recipient"] for r in rows] == ["+8613800138004"]
    path = json.loads(rows[0]["params"])["path"]
    assert (await client.get(f"/api/v1{path}")).status_code == 200
    assert (await client.get(f"/api/v1/tickets/{old['secret']}")).status_code == 404


async def test_reminders_a_day_and_two_hours_before_moved_with_the_fair_none_cancelled(
        world, gateway):
    fair, people = await _fair(world, start=60 * 30)  # in 30 hours
    reg = await factories.registration(fair["id"], number="13800138006")
    other = await factories.registration(fair["id"])
    from fairs.notify import services

    await services.stop_reminders(other["id"])
    count = "SELECT template, COUNT(*) AS n FROM outbox_message WHERE template LIKE 'reminder%' " \
            "GROUP BY template"
    assert await worker.schedule_reminders() == 0
    with clock.shifted(timedelta(hours=7)):  # 23 hours before
        await worker.schedule_reminders()
        await worker.schedule_reminders()  # once
    assert {r["template"]: r["n"] for r in await db.fetch(count)} == {"reminder_day": 1}
    from fairs.events import services as events

    starts = db.as_datetime(fair["starts_at"])
    await events.update_fair(people["organiser"], fair["id"], {
        "starts_at": starts + timedelta(days=1), "ends_at": starts + timedelta(days=1, hours=3)})
    moved = await db.fetch("SELECT COUNT(*) AS n FROM outbox_message WHERE template = "
                           "'fair_moved'")
    assert moved[0]["n"] == 2  # both registrants hear of the move
    with clock.shifted(timedelta(hours=7 + 24)):  # a day before the new start
        await worker.schedule_reminders()
    with clock.shifted(timedelta(hours=7 + 24 + 22)):  # 1 hour before: the 2-hour reminder
        await worker.schedule_reminders()
    assert {r["template"]: r["n"] for r in await db.fetch(count)} == {
        "reminder_day": 2, "reminder_hours": 1}
    deliverer = Deliverer(settings_for(gateway))
    try:
        with clock.shifted(timedelta(hours=7 + 24 + 22, minutes=1)):
            await deliverer.drain()
    finally:
        await deliverer.aclose()
    texts = [s["text"] for s in gateway.sms() if s["template"].startswith("reminder")]
    # The first day-before reminder was for the old time: dropped when the fair moved.
    assert len(texts) == 2 and all("https://fairs.example/n/stop/" in t for t in texts)
    assert all(s["to"] == "+8613800138006" for s in gateway.sms()
               if s["template"].startswith("reminder"))
    await events.cancel(people["organiser"], fair["id"], "台风")
    with clock.shifted(timedelta(hours=7 + 24 + 23)):
        await worker.schedule_reminders()
    assert {r["template"]: r["n"] for r in await db.fetch(count)} == {
        "reminder_day": 2, "reminder_hours": 1}
    cancelled = await db.fetch("SELECT recipient FROM outbox_message WHERE template = "
                               "'fair_cancelled'")
    assert len(cancelled) == 2
    assert reg


async def test_the_stop_link_turns_reminders_off(world, client):
    from fairs.settings import settings

    fair, _ = await _fair(world, start=60 * 20)
    reg = await factories.registration(fair["id"])
    token = worker.stop_token(settings(), reg["id"])
    assert (await client.get("/n/stop/1.deadbeefdeadbeef")).status_code == 404
    form = await client.get(f"/n/stop/{token}")
    assert form.status_code == 200
    answer = await post_form(client, f"/n/stop/{token}", {})
    assert answer.status_code == 200, answer.text
    assert "Reminders for this ticket are off" in answer.text
    await worker.schedule_reminders()
    assert await db.fetch("SELECT id FROM outbox_message WHERE template LIKE 'reminder%'") == []


async def test_checkin_counts_go_to_partners_when_they_change_numbers_only(world, new_client,
                                                                          gateway):
    from fairs.checkin import services as checkin
    from fairs.notify import receivers

    admin = await login_as(new_client, "admin")
    hook = (await admin.post("/api/v1/webhooks", json={
        "url": f"{gateway.url}/hook", "events": ["checkin.counts"]})).json()
    fair, people = await _fair(world, start=-30, minutes=240)
    later, _ = await _fair(world)  # not checking anyone in: no event
    tickets = [await factories.registration(fair["id"], number=f"1380013810{i}")
               for i in range(3)]
    await factories.registration(later["id"], number="13800138109")
    assert await receivers.publish_counts() == 0  # nobody admitted yet: nothing to say
    for t in tickets[:2]:
        await checkin.check_in(fair["id"], t["code"], principal=people["organiser"])
    assert await receivers.publish_counts() == 1
    assert await receivers.publish_counts() == 0  # unchanged: written once
    await checkin.check_in(fair["id"], tickets[0]["code"], principal=people["organiser"])
    assert await receivers.publish_counts() == 0  # a repeat scan changes nothing
    await checkin.check_in(fair["id"], tickets[2]["code"], principal=people["organiser"])
    assert await receivers.publish_counts() == 1
    deliverer = Deliverer(settings_for(None))
    try:
        assert await deliverer.drain() == 2
    finally:
        await deliverer.aclose()
    calls = [(h, b) for p, h, b in gateway.requests if p == "/hook"]
    bodies = [b for _, b in calls]
    payloads = [Webhook(hook["secret"]).verify(b, {k: h[k] for k in (
        "webhook-id", "webhook-timestamp", "webhook-signature")}) for h, b in calls]
    assert [p["type"] for p in payloads] == ["checkin.counts"] * 2
    # delivered in parallel, so in any order: each says when it was counted
    payloads.sort(key=lambda p: p["data"]["at"])
    assert [p["data"]["admissions"] for p in payloads] == [2, 3]
    assert {p["data"]["fair"] for p in payloads} == {fair["id"]}
    assert payloads[1]["data"]["registered"] == 3
    for body in bodies:
        assert "1380013810" not in body.decode() and tickets[0]["code"] not in body.decode()


async def test_a_cancelled_registration_tells_partners(world, new_client, gateway, client):
    admin = await login_as(new_client, "admin")
    await admin.post("/api/v1/webhooks", json={
        "url": f"{gateway.url}/hook", "events": ["registration.cancelled"]})
    fair, _ = await _fair(world)
    reg = await factories.registration(fair["id"], number="13800138031")
    assert (await client.delete(f"/api/v1/tickets/{reg['secret']}")).status_code in (200, 204)
    assert (await client.delete(f"/api/v1/tickets/{reg['secret']}")).status_code in (200, 204)
    deliverer = Deliverer(settings_for(None))
    try:
        assert await deliverer.drain() == 1  # once, though cancelled twice
    finally:
        await deliverer.aclose()
    [(_, body)] = [(h, b) for p, h, b in gateway.requests if p == "/hook"]
    payload = json.loads(body)
    assert payload["type"] == "registration.cancelled"
    assert payload["data"] == {"fair": fair["id"], "registration": reg["id"]}
