from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

CHANNELS = ("sms", "email", "webhook")
STATUSES = ("pending", "sent", "failed")


class OutboxMessage(Table, tablename="outbox_message"):
    """One message to one recipient, written in the same transaction as its cause.

    `key` is unique and says what the message is for ("registered:<reg id>",
    "remind-1d:<reg id>:<fair start>", ...): writing a message a second time for the same cause
    changes nothing. `uid` is the idempotency key handed to the gateway (the SMS gateway's `id`,
    the email's Message-ID, the webhook's `webhook-id`), so a message delivered again after a
    crash is recognised as the same message by whoever receives it.
    A worker claims a row by setting `lease_until` (pending rows whose lease ran out are taken
    again); `due_at` is when it may be sent (later after a failure: growing delays).
    """

    key = Varchar(length=160, null=False)
    uid = Varchar(length=200, null=False)
    channel = Varchar(length=16, null=False)
    recipient = Varchar(length=320, null=False)  # E.164 phone, e-mail address, webhook id
    template = Varchar(length=64, null=False)
    params = Text(default="{}", null=False)  # JSON
    locale = Varchar(length=8, default="zh_CN", null=False)
    fair = Integer(null=True, default=None)
    status = Varchar(length=16, default="pending", null=False)
    attempts = Integer(default=0, null=False)
    last_error = Varchar(length=500, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    due_at = Timestamptz(default=TimestamptzNow(), null=False)
    lease_until = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)


class WebhookEndpoint(Table, tablename="webhook_endpoint"):
    """A partner's endpoint: the event types it receives (comma-separated) and its secret
    (`whsec_` + base64, Standard Webhooks), shown once when made."""

    url = Varchar(length=500, null=False)
    events = Varchar(length=500, null=False)
    secret = Varchar(length=100, null=False)
    active = Integer(default=1, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)


class NotifyOptOut(Table, tablename="notify_opt_out"):
    """A registration whose holder turned reminders off (from the SMS's link)."""

    registration = Integer(null=False, unique=True)
    at = Timestamptz(default=TimestamptzNow(), null=False)
