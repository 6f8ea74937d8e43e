"""E-mail through a real SMTP server on loopback (aiosmtpd): employers who gave an address get
text and HTML, a booking's QR inline and the fair's .ics attached; a bad address is refused at
registration, naming the field."""

from __future__ import annotations

import pytest

from fairs import db
from fairs.notify import channels
from fairs.notify.outbox import Outgoing, enqueue
from fairs.notify.worker import Deliverer
from tests import factories
from tests.notify.conftest import settings_for


async def test_an_employer_with_an_email_gets_approval_and_booking_by_email(world, smtp,
                                                                            gateway):
    people = await factories.staff()
    fair = await factories.fair(people["organiser"], world, booths=2)
    emp = await factories.employer(email="hr@example.cn", by=people["organiser"])
    booked = await factories.booking(emp, fair["id"])
    rows = await db.fetch("SELECT channel, template FROM outbox_message ORDER BY id")
    assert {(r["channel"], r["template"]) for r in rows} == {
        ("sms", "employer_approved"), ("email", "employer_approved"),
        ("sms", "booking_confirmed"), ("email", "booking_confirmed")}
    deliverer = Deliverer(settings_for(gateway, smtp.port))
    try:
        assert await deliverer.drain() == 4
    finally:
        await deliverer.aclose()
    assert len(smtp.messages) == 2
    mail = next(m for m in smtp.messages if "A01" in m.get_body(("plain",)).get_content())
    assert mail["To"] == "hr@example.cn" and mail["From"] == "fairs@example.cn"
    assert mail["Subject"] == "展位预订成功"
    html = mail.get_body(("html",)).get_content()
    assert 'src="cid:' in html
    parts = {p.get_content_type(): p for p in mail.walk()}
    assert parts["image/png"].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    ics = parts["text/calendar"]
    content = ics.get_content()
    content = content if isinstance(content, bytes) else content.encode()
    assert ics.get_filename() == "fair.ics" and b"BEGIN:VEVENT" in content
    # The gateway is given only what the template's text uses: no booking code.
    for sms in gateway.sms():
        assert booked["code"] not in str(sms["params"]) and "qr" not in sms["params"]


async def test_employer_email_at_registration_is_optional_and_checked(client, world):
    body = factories.employer_body(email="not-an-address")
    bad = await client.post("/api/v1/employers", json=body)
    assert bad.status_code == 422 and "email" in bad.text
    good = await client.post("/api/v1/employers", json=factories.employer_body(
        email=" hr@example.cn "))
    assert good.status_code == 201
    row = await db.fetch("SELECT email FROM employer WHERE id = {}", good.json()["id"])
    assert row[0]["email"] == "hr@example.cn"
    none = await client.post("/api/v1/employers", json=factories.employer_body())
    assert none.status_code == 201


async def test_a_rounds_emails_share_one_smtp_connection(world, smtp):
    """Five e-mails due together go out over one connection (one greeting, not five), each
    a whole message with its own Message-ID."""
    await enqueue([Outgoing(f"mail-test:{n}", "email", f"hr{n}@example.cn", "test")
                   for n in range(5)])
    deliverer = Deliverer(settings_for(None, smtp.port))
    try:
        assert await deliverer.drain() == 5
    finally:
        await deliverer.aclose()
    assert sorted(m["To"] for m in smtp.messages) == [f"hr{n}@example.cn" for n in range(5)]
    assert len({m["Message-ID"] for m in smtp.messages}) == 5
    assert len(set(smtp.sessions)) == 1


async def test_a_lost_smtp_connection_fails_that_email_and_the_next_reconnects(smtp):
    """The server going away fails the e-mail being sent (retried later, not permanent); the
    next one opens a new connection and arrives."""
    settings = settings_for(None, smtp.port)
    row = {"uid": "u-1", "recipient": "hr@example.cn", "template": "test", "params": {},
           "locale": "zh_CN"}
    mailer = channels.Mailer(settings)
    try:
        await mailer.send(row)
        assert len(smtp.messages) == 1
        mailer.smtp.transport.abort()  # the connection drops (a restart, a network blip)
        with pytest.raises(channels.Failed) as failed:
            await mailer.send({**row, "uid": "u-2"})
        assert not failed.value.permanent
        await mailer.send({**row, "uid": "u-3"})
    finally:
        await mailer.aclose()
    assert [m["Message-ID"].split("@")[0] for m in smtp.messages] == ["<u-1", "<u-3"]
    assert len(set(smtp.sessions)) == 2
