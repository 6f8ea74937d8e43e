"""The delivery worker: claims due messages, sends them, records the outcome; schedules the
reminders. Runs in the serving process (`scheduler()`, a lifespan; FAIRS_NOTIFY_WORKER=off
turns it off) — on SQLite the one serving process, on PostgreSQL every worker process, sharing
the queue through the claim's SKIP LOCKED — or as `deliver_once()` from tests and the bench.

SMS wait through the quiet hours (FAIRS_NOTIFY_QUIET_HOURS); channels that are not configured
are not claimed, so their messages wait in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import aiohttp

from fairs import clock, db, metrics
from fairs.errors import NotFound
from fairs.settings import Settings

from . import channels, outbox, receivers

log = logging.getLogger("fairs.notify")

BATCH = 200
PARALLEL = 32
BUSY_PARALLEL = 8  # sends at once while the process is answering requests: they come first
IDLE = 1.0  # seconds between polls when nothing is due
REMIND_EVERY = 30.0  # seconds between reminder rounds
COUNTS_EVERY = 60.0  # seconds between checkin.counts rounds
# While its process answers requests, delivery takes what they leave: each message waits for its
# turn (Pacer), turns a gap apart, the gap widening while the event loop runs late (requests
# wait behind the sends) and narrowing while it keeps time, starting from and never wider than
# MAX_GAP: a busy process still sends 1/MAX_GAP messages a second (an idle one sends as fast as
# the gateway answers, without turns).
LAG = 0.001  # seconds late a turn may come before delivery slows down
MAX_GAP = 1 / 400
STOP_GRACE = 15.0  # seconds a stopping process waits for the round in flight before cutting it
REMINDERS = (("reminder_day", timedelta(hours=24)), ("reminder_hours", timedelta(hours=2)))


def quiet(settings: Settings, at: datetime | None = None) -> bool:
    if not settings.quiet_hours:
        return False
    start, end = settings.quiet_hours
    hour = (at or clock.now()).astimezone(clock.TZ).hour
    return (start <= hour or hour < end) if start > end else (start <= hour < end)


def stop_token(settings: Settings, registration: int) -> str:
    mac = hmac.new(settings.secret_key.encode(), f"stop:{registration}".encode(), hashlib.sha256)
    return f"{registration}.{mac.hexdigest()[:16]}"


def check_stop_token(settings: Settings, token: str) -> int | None:
    head, _, _ = token.partition(".")
    if not head.isdigit() or len(token) > 40:
        return None
    return int(head) if hmac.compare_digest(stop_token(settings, int(head)), token) else None


async def schedule_reminders(at: datetime | None = None) -> int:
    """Reminders a day and two hours before each published fair, to its registrants (SMS) and
    booked employers: each written once per registration and fair start (a moved fair is
    reminded of its new time), none for a cancelled fair (it is no longer published), none
    once the next reminder's time has come. Returns how many fairs were reminded."""
    at = at or clock.now()
    done = 0
    for template, before in REMINDERS:
        late = timedelta(hours=2) if template == "reminder_day" else timedelta(0)
        fairs = await db.fetch(
            "SELECT id, starts_at FROM fair WHERE status = 'published' AND starts_at > {} "
            "AND starts_at <= {}", at + late, at + before)
        for row in fairs:
            starts = db.as_datetime(row["starts_at"])
            facts = await receivers.fair_facts(row["id"])
            stamp = int(starts.timestamp())
            key = f"{template}:{row['id']}:{stamp}"
            async with db.write_transaction():
                await receivers.to_registrants(row["id"], key, template,
                                               receivers._base(facts), reminders=True)
                await receivers.to_booked_employers(row["id"], key, "reminder_employer",
                                                    receivers._base(facts))
            done += 1
    return done


class Pacer:
    """The turns of a busy process's sends (see LAG): `await turn()` before each send."""

    def __init__(self) -> None:
        self.gap = MAX_GAP  # a start among requests is cautious; the gap narrows while on time
        self.next = 0.0  # the loop time of the next free turn

    async def turn(self) -> None:
        if not metrics.serving():
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        slot = max(now, self.next)
        self.next = slot + self.gap
        await asyncio.sleep(slot - now)
        late = loop.time() - slot
        if late > LAG:
            self.gap = min(MAX_GAP, self.gap * 1.5 + 0.0005)
        else:
            self.gap = max(0.0, self.gap - 0.00005)


class Deliverer:
    """One process's delivery: an HTTP client and the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._http: aiohttp.ClientSession | None = None
        self.wake = asyncio.Event()
        self.pacer = Pacer()
        self.stopping = False

    def stop(self) -> None:
        """Stop after the round in flight: its sends finish and are recorded, the messages it
        claimed but has not begun are released, and no new round starts (`run` returns)."""
        self.stopping = True
        self.wake.set()

    @property
    def http(self) -> aiohttp.ClientSession:
        """The gateway's and the webhooks' HTTP client (aiohttp: about a tenth of httpx's CPU
        a message, which the requests served beside the delivery get back), made on first use
        in the running loop; at most PARALLEL connections."""
        if self._http is None:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10),
                connector=aiohttp.TCPConnector(limit=PARALLEL))
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()

    def channels(self, at: datetime) -> list[str]:
        found = channels.configured(self.settings)
        if quiet(self.settings, at):
            found = [c for c in found if c != "sms"]
        return found

    async def _send(self, row: dict, endpoints: dict[int, dict],
                    facts: dict[int, dict | None], mailer: channels.Mailer) -> None:
        params = dict(row["params"])
        if row["channel"] != "webhook" and row.get("fair") and "when" not in params:
            # written without the fair's name, time and place (a registration's SMS, in the
            # registration's statement): as the fair stands when it is sent
            fair = int(row["fair"])
            if fair not in facts:
                facts[fair] = await receivers.fair_facts(fair)
            found = facts[fair]
            if found:
                params = {**receivers._base(found), **params}
        if "registration" in params and row["template"].startswith("reminder"):
            params["stop"] = (f"{self.settings.base_url}/n/stop/"
                              f"{stop_token(self.settings, int(params['registration']))}")
        if "path" in params:  # the address is the serving site's, as it is when sent
            params["link"] = self.settings.base_url + str(params.pop("path"))
        sent_row = {**row, "params": params}
        if row["channel"] == "sms":
            await channels.send_sms(self.http, self.settings, sent_row)
        elif row["channel"] == "email":
            await mailer.send(sent_row, await self._attachments(row))
        elif row["channel"] == "webhook":
            endpoint = endpoints.get(int(row["recipient"]))
            await channels.send_webhook(self.http, endpoint, row, int(clock.now().timestamp()))
        else:
            raise channels.Failed(f"unknown channel {row['channel']}", permanent=True)

    async def _attachments(self, row: dict) -> dict:
        """An e-mail's extras: the booking's QR (inline) and the fair's .ics (attached)."""
        from fairs.calendar import services as calendar
        from fairs.tickets import qr

        found: dict = {}
        if row["params"].get("qr"):
            found["qr_png"] = qr.png(str(row["params"]["qr"]), 6)
        if row.get("fair"):
            try:
                body, *_ = await calendar.ticket_calendar(
                    int(row["fair"]), f"{self.settings.base_url}/fairs/{row['fair']}",
                    row.get("locale") or "zh_CN")
                found["ics"] = body
            except (NotFound, ValueError):  # a fair deleted meanwhile: sent without it
                log.info("no calendar file for fair %s", row["fair"])
        return found

    async def deliver_once(self, limit: int = BATCH) -> int:
        """One round: claim, send in parallel, record. Returns how many were claimed."""
        rows = await outbox.claim(self.channels(clock.now()), limit,
                                  lease=timedelta(seconds=self.settings.notify_lease))
        if not rows:
            return 0
        endpoints: dict[int, dict] = {}
        if any(r["channel"] == "webhook" for r in rows):
            endpoints = {e["id"]: e for e in await db.fetch(
                "SELECT id, url, secret, active FROM webhook_endpoint")}
        gate, busy = asyncio.Semaphore(PARALLEL), asyncio.Semaphore(BUSY_PARALLEL)
        facts: dict[int, dict | None] = {}  # each fair read once a round
        mailer = channels.Mailer(self.settings)  # the round's e-mails share a connection

        async def send(row: dict) -> None:
            await self.pacer.turn()
            if metrics.serving():  # asked as each message goes out
                async with busy:
                    await self._send(row, endpoints, facts, mailer)
            else:
                await self._send(row, endpoints, facts, mailer)

        unsent: list[int] = []

        async def one(row: dict) -> None:
            async with gate:
                if self.stopping:  # claimed, not begun: released for the next deliverer
                    unsent.append(row["id"])
                    return
                try:
                    await send(row)
                except channels.Failed as exc:
                    status = await outbox.mark_failed(row, exc.reason, permanent=exc.permanent)
                    log.info("message %s (%s) attempt %s failed: %s -> %s", row["id"],
                             row["channel"], row["attempts"], exc.reason, status)
                except Exception as exc:  # a bug or a bad template: recorded, retried
                    log.exception("message %s could not be sent", row["id"])
                    await outbox.mark_failed(row, type(exc).__name__)
                else:
                    # Recorded as soon as it is sent (in groups: outbox.sent): a crash
                    # repeats only what was in flight, with the same uid.
                    await outbox.sent(row["id"])

        try:
            await asyncio.gather(*(one(r) for r in rows))
        finally:
            await mailer.aclose()
        await outbox.release(unsent)
        return len(rows)

    async def drain(self, rounds: int = 10_000) -> int:
        """Deliver until nothing is due (tests, the bench)."""
        total = 0
        for _ in range(rounds):
            n = await self.deliver_once()
            if not n:
                break
            total += n
        return total

    async def run(self) -> None:
        last_reminders = last_counts = 0.0
        loop = asyncio.get_running_loop()
        while not self.stopping:
            try:
                if loop.time() - last_reminders >= REMIND_EVERY:
                    last_reminders = loop.time()
                    await schedule_reminders()
                if loop.time() - last_counts >= COUNTS_EVERY:
                    last_counts = loop.time()
                    await receivers.publish_counts()
                if await self.deliver_once():
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery round failed")
            self.wake.clear()
            if self.stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), IDLE)

    async def finish(self, task: asyncio.Task, grace: float = STOP_GRACE) -> None:
        """Stops `task` (this deliverer's `run`): gracefully, or cut after `grace` seconds (what
        was in flight then is sent again later, with the same uid); then closes the client."""
        self.stop()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except TimeoutError:
            log.warning("delivery still sending after %.0f s: stopped", grace)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        except asyncio.CancelledError:
            if not task.done():  # this wait itself was cancelled: cut the round too
                task.cancel()
            raise
        finally:
            await self.aclose()


@contextlib.asynccontextmanager
async def scheduler(settings: Settings) -> AsyncIterator[Deliverer | None]:
    """The serving process's worker, for as long as the app serves."""
    if not settings.notify_worker:
        yield None
        return
    deliverer = Deliverer(settings)
    task = asyncio.create_task(deliverer.run(), name="fairs-notify")
    try:
        yield deliverer
    finally:
        await deliverer.finish(task)
