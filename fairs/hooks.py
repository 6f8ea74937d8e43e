"""The hooks through which one slice adds to another without the other importing it.

Each hook is declared here once: its name, what a receiver is called with, what it answers (typed
records, never dicts whose keys change by path) and how the answers are combined. Each slice
connects its receivers in its own `hooks.py` (`fairs/<slice>/hooks.py: connect()`), and the
app's start-up connects them all in one place, `fairs.slices.connect_hooks()` (create_app, the
CLI, the demo and the tests call it; it is idempotent). Importing a module never connects
anything, so what a page, a report or a CLI command sees does not depend on what was imported.

Three behaviours (like pretix's signals and Indico's core/signals):
- `collect`: call every receiver in the order connected, answer the list of their answers
  (a receiver answering None adds nothing);
- `first`: call receivers in order, answer the first answer that is not None (or None);
- `notify`: call every receiver for what it does; answers are ignored.
A receiver may be a plain function or a coroutine function.

Tests replace a hook's receivers for a block with `hook.replaced(receiver, ...)`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_connected = False


class HooksNotConnected(RuntimeError):
    """A hook was sent before fairs.slices.connect_hooks() ran: the answer would be partial."""


def mark_connected(value: bool = True) -> None:
    """Called by fairs.slices.connect_hooks() once every slice has connected its receivers."""
    global _connected
    _connected = value


def connected() -> bool:
    return _connected


class Hook(Generic[P, R]):
    """One declared hook. `receivers` are called with the hook's arguments."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self.receivers: list[Callable[P, R | Awaitable[R]]] = []
        ALL.append(self)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self.receivers)} receiver(s)>"

    def connect(self, receiver: Callable[P, R | Awaitable[R]]) -> Callable[P, R | Awaitable[R]]:
        """Connect a receiver (once: connecting it again changes nothing)."""
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable[P, Any]) -> None:
        if receiver in self.receivers:
            self.receivers.remove(receiver)

    @contextmanager
    def replaced(self, *receivers: Callable[P, R | Awaitable[R]]) -> Iterator[Hook[P, R]]:
        """For tests: these receivers instead of the connected ones, until the block ends."""
        saved = list(self.receivers)
        self.receivers[:] = list(receivers)
        try:
            yield self
        finally:
            self.receivers[:] = saved

    async def _answers(self, *args: P.args, **kwargs: P.kwargs):
        if not _connected:
            raise HooksNotConnected(
                f"hook {self.name!r} sent before fairs.slices.connect_hooks() was called")
        for receiver in list(self.receivers):
            answer = receiver(*args, **kwargs)
            if inspect.isawaitable(answer):
                answer = await answer
            yield answer

    async def collect(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Every receiver's answer that is not None, in the order the receivers connected."""
        return [a async for a in self._answers(*args, **kwargs) if a is not None]

    async def notify(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Tell every receiver; their answers are ignored."""
        async for _answer in self._answers(*args, **kwargs):
            pass

    async def first(self, *args: P.args, **kwargs: P.kwargs) -> R | None:
        """The first answer that is not None; later receivers are not called."""
        async for answer in self._answers(*args, **kwargs):
            if answer is not None:
                return answer
        return None


ALL: list[Hook] = []


# --- records that cross slices ----------------------------------------------------------------


@dataclass(frozen=True)
class PageSection:
    """A block one slice adds to another's page. `template` is a Jinja template included with
    `section` (this record) in context; `context` holds what that template reads as
    `section.<name>`. Smaller `order` first; `slot` "main" or "aside" (fair pages)."""

    template: str
    order: int = 50
    slot: Literal["main", "aside"] = "main"
    context: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:  # Jinja's `section.fairs` falls back to this
        return self.context[name]


@dataclass(frozen=True, order=True)
class OrganiserLink:
    """A tile on the organiser's home page; `title` and `text` are msgids (translated when
    shown). Tiles are shown by `order`."""

    order: int
    href: str
    title: str
    text: str


@dataclass(frozen=True)
class FairCounts:
    """Counts a slice adds to a fair's answers; None means "not this slice's to say"."""

    registered: int | None = None  # tickets: active registrations
    checked_in: int | None = None  # check-in: admissions
    employers_present: int | None = None  # booths: confirmed bookings checked in at the door
    employers_booked: int | None = None  # booths: confirmed bookings and guest slots
    positions: int | None = None  # booths: openings offered (headcounts of active positions)


def merge_counts(parts: Sequence[FairCounts]) -> FairCounts:
    """One FairCounts from several slices' (a later part's figure wins where two give one)."""
    if len(parts) == 1:
        return parts[0]
    values: dict[str, int] = {}
    for part in parts:
        values.update((k, v) for k, v in vars(part).items() if v is not None)
    return FairCounts(**values)


@dataclass(frozen=True)
class DoorCode:
    """A code at the door that is not a job seeker's ticket (an employer's booking QR), as the
    slice that issued it resolves it. Check-in applies its own rules (wrong fair, cancelled,
    window), logs the scan, then calls `admit(at)` -> (counted now?, first admission time):
    race-safe, counts once."""

    kind: Literal["employer"]
    fair_id: int
    cancelled: bool
    label: str  # what the scanner shows: the employer's name and booth
    admit: Callable[[datetime], Awaitable[tuple[bool, datetime]]]
    employer_id: int | None = None
    employer_name: str = ""
    booth: str | None = None  # the booth's code


@dataclass(frozen=True)
class CalendarItem:
    """One of an employer's own bookings, for its private calendar feed: a booked booth (`kind`
    "booth", `label` the booth's code) or a guest slot ("slot", `label` the slot's label, with the
    slot's own times). Times are aware; None means "the fair's"."""

    id: int
    kind: Literal["booth", "slot"]
    fair: int
    label: str
    status: Literal["confirmed", "waitlisted", "cancelled"]
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None
    updated_at: datetime | None = None
    sequence: int | None = None


@dataclass(frozen=True)
class HeldBooking:
    """A booth booking (`kind` "booth") or guest-slot booking ("slot") as the booths slice shows
    it to a login allowed to touch it (its employer, or an organiser over its fair): what an
    employer's positions hang on."""

    id: int
    kind: Literal["booth", "slot"]
    fair: int
    employer: int
    status: Literal["confirmed", "waitlisted", "cancelled"]
    fair_title: str = ""
    booth_code: str | None = None  # a booth booking's booth
    starts_at: datetime | None = None  # a guest slot's own start


@dataclass(frozen=True)
class FairJobs:
    """The jobs line of a fair's calendar event: active positions listed, openings offered."""

    positions: int
    headcount: int


@dataclass(frozen=True)
class NewFair:
    """A fair just made (a draft), as `fair_created` passes it."""

    id: int
    kind: Literal["offline", "online"]
    org: int
    venue: int | None = None
    channel: int | None = None


@dataclass(frozen=True)
class Happening:
    """Something people are told about (issue 17), as the slice where it happened says it:
    `kind` is the event type ("registration.created", "registration.cancelled",
    "fair.published", "fair.changed", "fair.cancelled", "booking.confirmed",
    "booking.waitlisted", "booking.promoted", "booking.cancelled", "employer.approved",
    "employer.rejected", "slot.changed", "ticket.resent"); `subject` the id of what it is about
    (the registration, booking, employer, slot); `details` what only the cause knows (a new
    ticket's secret, a rejection's reason)."""

    kind: str
    fair: int | None = None
    subject: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProfileWrite:
    """A job seeker's profile given with a registration (issue 19), as the slice that keeps it
    (matching) checked it before any write: the tickets slice awaits `save(registration_id,
    fair_id)` inside the registration's write transaction, so the two commit together or not
    at all."""

    save: Callable[[int, int], Awaitable[None]]


@dataclass(frozen=True)
class NewIntention:
    """A hiring intention just recorded (the first time for its ticket and position), as
    `intention_recorded` passes it. `created_at` is aware."""

    id: int
    fair: int
    registration: int
    position: int
    employer: int
    created_at: datetime


# --- the hooks --------------------------------------------------------------------------------

employer_of_user: Hook[[Any], int | None] = Hook(
    "employer_of_user",
    "The employer a login (a fairs.accounts.services.Principal) belongs to, or None. "
    "Answered by the employers slice; GET /api/v1/auth/me shows it as `employer`, the calendar "
    "uses it for an employer's private feed. Behaviour: first.")

home_sections: Hook[[Any], PageSection | None] = Hook(
    "home_sections",
    "Sections of the home page, called with the request (events: upcoming fairs). "
    "Behaviour: collect.")

organiser_links: Hook[[], Sequence[OrganiserLink]] = Hook(
    "organiser_links",
    "Tiles of the organiser's home page, each slice its own. Behaviour: collect (then sorted).")

fair_counts: Hook[[list[int]], Mapping[int, FairCounts]] = Hook(
    "fair_counts",
    "Counts added to every fair answer, called with fair ids; answers FairCounts per fair id "
    "(tickets: registered; check-in: checked_in; booths: employers present and booked, "
    "positions). Behaviour: collect, merged per fair.")

door_codes: Hook[[str], DoorCode | None] = Hook(
    "door_codes",
    "Resolves a code scanned at the door that is not a ticket (booths: a booking's code) to a "
    "DoorCode, or None. Behaviour: first.")

fair_sections: Hook[[Any, dict], PageSection | None] = Hook(
    "fair_sections",
    "Sections of a fair's page /fairs/{id}, called with (request, fair) — the fair as "
    "fairs.events.services.get_fair answers it (tickets: register 10; matching: positions for "
    "you 15; booths: jobs 30; calendar: subscribe 70; reports: summary 80, aside). "
    "Behaviour: collect, sorted by order.")

ticket_sections: Hook[[Any, dict, dict], PageSection | None] = Hook(
    "ticket_sections",
    "Sections of a job seeker's ticket page, called with (request, registration row, fair) "
    "(matching: positions for you 20; booths: employers interested 40; reports: intentions "
    "60). Behaviour: collect, sorted.")

employer_calendar: Hook[[int], Sequence[CalendarItem]] = Hook(
    "employer_calendar",
    "An employer's own booked booths and guest slots (booths), called with the employer's id, "
    "for its private calendar feed. Behaviour: collect, concatenated.")

fair_jobs: Hook[[list[int]], Mapping[int, FairJobs]] = Hook(
    "fair_jobs",
    "The jobs line of calendar events, called with fair ids (booths: active positions). "
    "Behaviour: collect, merged per fair.")

booking_of: Hook[[Any, str, int], HeldBooking | None] = Hook(
    "booking_of",
    "A booking as a login may touch it, called with (principal, kind \"booth\" or \"slot\", "
    "id) (booths: its employer, or an organiser over its fair); the receiver raises NotFound or "
    "Forbidden exactly as reading the booking itself does. The employers slice hangs positions "
    "on it. Behaviour: first.")

attendance_changed: Hook[[int], None] = Hook(
    "attendance_changed",
    "A fair's live attendance figures changed outside check-in (tickets: a registration "
    "cancelled), called with the fair's id; check-in pushes the live update. Behaviour: notify.")

fair_created: Hook[[NewFair], None] = Hook(
    "fair_created",
    "A fair was created (a draft, by the API, the editor or a plan's accepted proposal), called "
    "with a NewFair inside the creation's write transaction: what a receiver writes commits or "
    "rolls back with the fair (booths: an offline fair gets its venue's default booth layout). "
    "Behaviour: notify.")

audit: Hook[[Any, str, str, Any, Any, Any], None] = Hook(
    "audit",
    "Record a change in the audit log, for slices that the audit slice depends on and so cannot "
    "import it (accounts: the organisation tree, `fairs init`). Called inside the change's write "
    "transaction with (principal or None for the system, action, object type, object id, "
    "before, after), as fairs.audit.services.record. Behaviour: notify.")

employer_sections: Hook[[Any, dict], PageSection | None] = Hook(
    "employer_sections",
    "Sections of an employer's back-office page /organiser/employers/{id}, called with "
    "(request, employer row) (outreach: services and officers 20). Behaviour: collect, sorted "
    "by order.")

jobs_stamp: Hook[[], str] = Hook(
    "jobs_stamp",
    "A cheap value that changes whenever any position changes, so calendar feeds' ETags see new "
    "jobs (booths). Behaviour: collect, joined.")

registration_writes: Hook[[], Sequence[Any]] = Hook(
    "registration_writes",
    "What a registration's one write also writes, in the same statement and so the same "
    "commit (notify: the registrant's SMS and partners' registration.created events, into the "
    "outbox): fairs.db.Step's of the tickets slice's REGISTER pipeline (fairs.db.Pipeline), "
    "over its relations `i` (each item: fair, code, phone, secret, uid, at, at_text, ...: see "
    "fairs.tickets.services.REGISTER_INPUTS) and `r` (the registrations written: id, code). "
    "Asked at each registration; a registration a rush refuses as full writes nothing. "
    "Behaviour: collect, concatenated in order.")

happened: Hook[[Happening], None] = Hook(
    "happened",
    "Something people are told about happened (a Happening), called inside the cause's write "
    "transaction (tickets: registrations; events: fairs published, moved, cancelled; booths: "
    "bookings and guest slots; employers: approval): the notify slice writes its outbox messages "
    "there, so they commit or roll back with the cause. Behaviour: notify.")

intention_recorded: Hook[[NewIntention], None] = Hook(
    "intention_recorded",
    "A hiring intention was recorded for the first time (a repeated one sends nothing), called "
    "with a NewIntention inside the intention's write transaction (reports): what a receiver "
    "writes commits or rolls back with the intention (followup: its follow-up tasks due 7, 30 "
    "and 90 days later). Behaviour: notify.")


registration_profile: Hook[[Any], ProfileWrite | None] = Hook(
    "registration_profile",
    "A job seeker's profile given with a registration (the API's `profile`, a "
    "fairs.tickets.schemas.ProfileIn, or the registration form's `profile_*` fields as a "
    "mapping), called before the registration's write; only when a profile is given (a "
    "registration without one pays nothing). The matching slice checks it (422 naming "
    "`profile.<field>`) and answers a ProfileWrite. Behaviour: first.")

registration_form_sections: Hook[[Any, dict, dict, dict], PageSection | None] = Hook(
    "registration_form_sections",
    "Sections of the registration form /fairs/{id}/register, called with (request, fair, the "
    "form's values, its errors by field) (matching: the optional job-seeker profile 50). "
    "Behaviour: collect, sorted by order.")

retention_purge: Hook[[datetime, bool], Mapping[str, int] | None] = Hook(
    "retention_purge",
    "The retention run (fairs.tickets.retention.purge), called with (cutoff, dry_run): each "
    "slice erases (dry: counts) what it keeps about the job seekers of fairs that ended before "
    "`cutoff` (matching: profiles, and at once those of cancelled registrations) and answers "
    "{what: how many}. Behaviour: collect.")

employer_positions_sections: Hook[[Any, HeldBooking, list], PageSection | None] = Hook(
    "employer_positions_sections",
    "Sections of an employer's positions page of one booking or slot booking, called with "
    "(request, the booking as a HeldBooking, its positions) (matching: job seekers who fit "
    "50). Behaviour: collect, sorted by order.")

# --- what senders call ------------------------------------------------------------------------


async def sections(hook: Hook[..., PageSection | None], *args: Any) -> list[PageSection]:
    return sorted(await hook.collect(*args), key=lambda s: s.order)


async def counts_of_fairs(fair_ids: list[int]) -> dict[int, FairCounts]:
    if not fair_ids:
        return {}
    parts: dict[int, list[FairCounts]] = {}
    for answer in await fair_counts.collect(fair_ids):
        for fair_id, counts in answer.items():
            parts.setdefault(fair_id, []).append(counts)
    return {fair_id: merge_counts(found) for fair_id, found in parts.items()}


async def links_for_organisers() -> list[OrganiserLink]:
    return sorted(link for links in await organiser_links.collect() for link in links)


async def jobs_of_fairs(fair_ids: list[int]) -> dict[int, FairJobs]:
    found: dict[int, FairJobs] = {}
    if fair_ids:
        for answer in await fair_jobs.collect(fair_ids):
            found.update(answer)
    return found


async def stamp_of_jobs() -> str:
    return "/".join(await jobs_stamp.collect())


async def calendar_of_employer(employer_id: int) -> list[CalendarItem]:
    return [item for items in await employer_calendar.collect(employer_id) for item in items]
