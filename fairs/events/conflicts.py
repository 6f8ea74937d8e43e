"""A venue's (channel's) timetable: a fair's place checked, the lock that serialises its
writers, the published fair a new one would overlap (409, naming it only to its organisers), and
the busy intervals the planner avoids."""

from __future__ import annotations

from datetime import datetime

from fairs import db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.catalog import services as catalog
from fairs.errors import Conflict, FieldError, Invalid, Span
from fairs.i18n import N_

from .tables import STATUSES as STATUSES  # for the pages (pages never import tables)
from .tables import Fair


async def _check_place(kind: str, venue: int | None, channel: int | None,
                       principal: Principal) -> None:
    if kind == "offline":
        if not venue:
            raise Invalid("venue", N_("an offline fair needs a venue"), code="required")
        await catalog.venue(venue)
    else:
        if not channel:
            raise Invalid("channel", N_("an online fair needs a channel"), code="required")
        await catalog.channel(channel)


async def lock_place(kind: str, venue: int | None, channel: int | None) -> None:
    """Serialise writers of one venue's (channel's) timetable. SQLite's IMMEDIATE transaction
    already serialises every writer; PostgreSQL locks the venue (channel) row."""
    table, key = ("venue", venue) if kind == "offline" else ("channel", channel)
    await db.dialect.lock_row(table, key)


async def find_overlap(kind: str, venue: int | None, channel: int | None, starts_at: datetime,
                       ends_at: datetime, exclude_id: int | None = None,
                       drafts_under: str | None = None) -> dict | None:
    """A published fair on the same venue (channel) overlapping [starts_at, ends_at). Drafts
    hold nothing: they never conflict, and publishing one re-checks (`publish`). Only the
    planner's batch (`drafts_under`: the plan's organisation path) also avoids its own
    subtree's drafts, as its proposals do, so one plan is not accepted twice."""
    taken = Fair.status == "published"
    if drafts_under:
        taken = taken | ((Fair.status == "draft") & Fair.org.path.like(f"{drafts_under}%"))
    query = Fair.select(Fair.id, Fair.title, Fair.starts_at, Fair.ends_at,
                        Fair.org.path.as_alias("org_path")).where(
        taken, Fair.starts_at < ends_at, Fair.ends_at > starts_at
    )
    query = query.where(Fair.venue == venue) if kind == "offline" else query.where(
        Fair.channel == channel)
    if exclude_id is not None:
        query = query.where(Fair.id != exclude_id)
    return await query.first()


def _overlap_error(kind: str, other: dict, principal: Principal | None) -> Conflict:
    """409 naming the other fair for a caller who manages it; for anyone else it is "another
    organisation's fair" (its title is theirs to tell), with its (public) times."""
    offline = kind == "offline"
    field, code = ("venue", "venue_taken") if offline else ("channel", "channel_taken")
    params: dict = {"when": Span(other["starts_at"], other["ends_at"])}
    if principal is not None and accounts.in_subtree(principal, other["org_path"]):
        params.update(id=str(other["id"]), title=other["title"])
        message = (N_("the venue is taken by fair {id} «{title}» ({when})") if offline
                   else N_("the channel is taken by fair {id} «{title}» ({when})"))
        extra = {"conflicting_fair": other["id"]}
    else:
        message = (N_("the venue is taken by another organisation's fair ({when})") if offline
                   else N_("the channel is taken by another organisation's fair ({when})"))
        extra = {}
    return Conflict(message, code=code, params=params,
                    errors=[FieldError(field, message, code=code, params=params)], extra=extra)


async def busy_intervals(start: datetime, end: datetime,
                         drafts_under: str | None = None) -> list[dict]:
    """What the planner must avoid in [start, end): published fairs (drafts hold nothing),
    and the drafts of the subtree at `drafts_under` (the planning organisation's own, which
    it would otherwise propose twice); another organisation's drafts are neither obstacles
    nor shown."""
    rows = await Fair.select(Fair.id, Fair.kind, Fair.venue, Fair.channel, Fair.starts_at,
                             Fair.ends_at, Fair.status, Fair.org.path.as_alias("org_path")
                             ).where(Fair.status.is_in(["published", "draft"]),
                                     Fair.starts_at < end, Fair.ends_at > start)
    return [r for r in rows if r["status"] == "published" or (
        drafts_under is not None and r["org_path"].startswith(drafts_under))]
