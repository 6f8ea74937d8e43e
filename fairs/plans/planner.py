"""The planner: propose draft fairs that close a plan's gap (pure: no database, no HTTP).

The model, which the property tests check:

- A fair lasts `offline_minutes` / `online_minutes` and starts at one of its kind's session times
  (`grid()`), China Standard Time: an offline fair in the venues' opening hours (`day_starts` to
  `day_ends`), at the bureau's usual morning (09:00, 09:30) and afternoon (14:00) sessions where
  they fit, else on the grid `day_starts` + k × its length; an online livestream in the
  livestream hours (`online_starts` to `online_ends`, afternoon and evening), on sessions counted
  back from `online_ends` so the last one ends with them (19:00–21:00, 17:00–19:00, ...).
- Which free session a fair takes rotates with the day and the place, so the proposals do not
  all start at the same hour (deterministic: the same input gives the same times).
- Usable days: inside the plan, not before `earliest`, not a public holiday (cn_calendar), not a
  blackout day; with `weekdays_only` only official working days (调休 make-up Saturdays count).
- At most `max_per_day` fairs a day, counting the organisation's fairs already on that day.
- A venue or channel never hosts two overlapping fairs (existing or proposed). A venue hosts at most
  one proposed fair a day, and, unless `allow_consecutive`, is not used two days running (by any
  fair, existing or proposed).
- The proposal spreads each kind evenly over the usable days (the i-th of n fairs aims at the
  (i + ½)/n point) and, when the even spread paints itself into a corner, an exact search over the
  days finds a complete schedule whenever one exists (within a node budget large enough for a year).
- Themes: remaining per-industry/per-audience minimums first, then each key industry and named
  audience once, then round robin; what could not be covered is listed.
- Deterministic: no randomness, every choice ordered by date, then id.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fairs import cn_calendar

from . import sessions
from .sessions import OFFLINE_SESSIONS
from .themes import assign_themes

KINDS = ("offline", "online")
SHANGHAI = ZoneInfo("Asia/Shanghai")
SEARCH_BUDGET = 200_000


@dataclass(frozen=True)
class Place:
    kind: str  # offline: a venue; online: a channel
    id: int
    name: str = ""


@dataclass(frozen=True)
class Busy:
    kind: str
    place_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Rules:
    max_per_day: int = 2
    blackout: frozenset[date] = frozenset()
    weekdays_only: bool = True
    day_starts: time = time(9, 0)
    day_ends: time = time(17, 0)
    online_starts: time = time(14, 0)  # livestream hours: afternoon and evening
    online_ends: time = time(21, 0)
    offline_minutes: int = 180
    online_minutes: int = 120
    allow_consecutive: bool = False
    industries_per_fair: int = 2


@dataclass(frozen=True)
class Request:
    starts_on: date
    ends_on: date
    need: dict[str, int]  # kind -> how many more fairs of that kind
    places: tuple[Place, ...]
    rules: Rules = field(default_factory=Rules)
    need_any: int = 0  # more fairs of either kind (a total-events target beyond the kinds')
    earliest: date | None = None
    busy: tuple[Busy, ...] = ()
    day_load: dict[date, int] = field(default_factory=dict)  # the org's fairs already that day
    industries: tuple[str, ...] = ()  # key industries, in priority order
    audiences: tuple[str, ...] = ()  # named audiences, in priority order
    industry_minimums: dict[str, int] = field(default_factory=dict)  # still missing
    audience_minimums: dict[str, int] = field(default_factory=dict)
    covered_industries: frozenset[str] = frozenset()  # already served by existing fairs
    covered_audiences: frozenset[str] = frozenset()
    names: dict[str, str] = field(default_factory=dict)  # code -> display name for titles
    tz: ZoneInfo = SHANGHAI
    calendar: Callable[[date], cn_calendar.Day] = cn_calendar.day


@dataclass(frozen=True)
class Proposed:
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place_id: int
    industries: tuple[str, ...]
    audiences: tuple[str, ...]

    @property
    def day(self) -> date:
        return self.starts_at.date()


@dataclass
class Proposal:
    fairs: list[Proposed]
    meets_targets: bool
    shortfall: dict[str, dict]
    uncovered_industries: list[str]
    uncovered_audiences: list[str]
    usable_days: int
    excluded: dict[str, int]
    estimated_years: list[int]
    holidays: list[tuple[date, str]]


# --- the days and the slots -----------------------------------------------------------------


def usable_days(req: Request) -> tuple[list[date], dict[str, int], list[int],
                                       list[tuple[date, str]]]:
    first = max(req.starts_on, req.earliest) if req.earliest else req.starts_on
    excluded: Counter[str] = Counter()
    days: list[date] = []
    estimated: set[int] = set()
    holidays: list[tuple[date, str]] = []
    d = req.starts_on
    while d <= req.ends_on:
        info = req.calendar(d)
        if info.estimated:
            estimated.add(d.year)
        if info.holiday:
            holidays.append((d, info.name))
        if d < first:
            excluded["past"] += 1
        elif info.holiday:
            excluded["holiday"] += 1
        elif d in req.rules.blackout:
            excluded["blackout"] += 1
        elif req.rules.weekdays_only and not info.workday:
            excluded["weekend"] += 1
        else:
            days.append(d)
        d += timedelta(days=1)
    return days, dict(excluded), sorted(estimated), holidays


def hours(rules: Rules, kind: str) -> tuple[time, time]:
    """The hours a fair of `kind` must lie in: the venues' opening hours, or the livestream
    hours."""
    return ((rules.day_starts, rules.day_ends) if kind == "offline"
            else (rules.online_starts, rules.online_ends))


def grid(rules: Rules, kind: str) -> list[tuple[time, time]]:
    """A kind's session times (start, end), preferred first (fairs.plans.sessions)."""
    minutes = rules.offline_minutes if kind == "offline" else rules.online_minutes
    return sessions.grid(kind, minutes, *hours(rules, kind))


class Board:
    """What is taken: busy intervals per place, fairs per day, venues per day."""

    def __init__(self, req: Request) -> None:
        self.req = req
        self.tz = req.tz
        self.intervals: dict[tuple[str, int], list[tuple[datetime, datetime]]] = defaultdict(list)
        self.venue_days: dict[int, set[date]] = defaultdict(set)  # existing fairs' days
        for b in req.busy:
            self.intervals[(b.kind, b.place_id)].append((b.starts_at, b.ends_at))
            if b.kind == "offline":
                d = b.starts_at.astimezone(self.tz).date()
                last = (b.ends_at - timedelta(microseconds=1)).astimezone(self.tz).date()
                while d <= last:
                    self.venue_days[b.place_id].add(d)
                    d += timedelta(days=1)
        self.load: Counter[date] = Counter(req.day_load)
        self.proposed_venue_days: dict[int, set[date]] = defaultdict(set)
        self.grids = {k: grid(req.rules, k) for k in KINDS}
        usual = sum(1 for a, _b in self.grids["offline"] if a in OFFLINE_SESSIONS)
        self.rotating = {"offline": usual, "online": len(self.grids["online"])}
        self.places = {k: sorted((p for p in req.places if p.kind == k), key=lambda p: p.id)
                       for k in KINDS}

    def cap(self, d: date) -> int:
        return max(0, self.req.rules.max_per_day - self.load[d])

    def _free(self, kind: str, place: int, start: datetime, end: datetime) -> bool:
        return all(not (s < end and e > start) for s, e in self.intervals[(kind, place)])

    def venue_rested(self, venue: int, d: date) -> bool:
        """May the venue take a proposed fair on `d` (one a day, and the rest-day rule)?"""
        if d in self.proposed_venue_days[venue]:
            return False
        if self.req.rules.allow_consecutive:
            return True
        around = {d - timedelta(days=1), d + timedelta(days=1)}
        return not (around & self.venue_days[venue] or around & self.proposed_venue_days[venue])

    def slots(self, kind: str, place: int, d: date) -> Iterable[tuple[datetime, datetime]]:
        """The place's free sessions on `d`, the preferred one rotating with the day and the
        place (offline among the usual sessions, online among all), so that proposals vary."""
        sessions = self.grids[kind]
        n = self.rotating[kind]
        if n > 1:
            turn = (d.toordinal() + place) % n
            sessions = sessions[turn:n] + sessions[:turn] + sessions[n:]
        for a, b in sessions:
            start = datetime.combine(d, a, tzinfo=self.tz)
            end = datetime.combine(d, b, tzinfo=self.tz)
            if self._free(kind, place, start, end):
                yield start, end

    def free_slot(self, kind: str, place: int, d: date) -> tuple[datetime, datetime] | None:
        if kind == "offline" and not self.venue_rested(place, d):
            return None
        return next(iter(self.slots(kind, place, d)), None)

    def take(self, kind: str, place: int, start: datetime, end: datetime) -> None:
        self.intervals[(kind, place)].append((start, end))
        d = start.date()
        self.load[d] += 1
        if kind == "offline":
            self.proposed_venue_days[place].add(d)


# --- placing --------------------------------------------------------------------------------


def _order(days: int, ideal: int) -> Iterable[int]:
    """Day indexes by distance from the ideal one: ideal, +1, -1, +2, -2, ..."""
    yield ideal
    for step in range(1, days):
        for i in (ideal + step, ideal - step):
            if 0 <= i < days:
                yield i


def _queue(req: Request) -> list[tuple[float, str | None]]:
    """The fairs to place, each with the point of the period it aims at, interleaved."""
    items: list[tuple[float, int, str | None]] = []
    for rank, kind in enumerate(KINDS):
        n = max(0, req.need.get(kind, 0))
        items += [((i + 0.5) / n, rank, kind) for i in range(n)]
    if req.need_any > 0:
        n = req.need_any
        items += [((i + 0.5) / n, 2, None) for i in range(n)]
    items.sort(key=lambda t: (t[0], t[1]))
    return [(pos, kind) for pos, _rank, kind in items]


def _greedy(req: Request, days: list[date]) -> tuple[list[tuple[str, int, datetime, datetime]],
                                                     Counter]:
    board = Board(req)
    placed: list[tuple[str, int, datetime, datetime]] = []
    missing: Counter[str] = Counter()
    used: Counter[tuple[str, int]] = Counter()
    if not days:
        for _pos, kind in _queue(req):
            missing[kind or "any"] += 1
        return placed, missing
    for n, (pos, kind) in enumerate(_queue(req)):
        kinds = [kind] if kind else (list(KINDS) if n % 2 == 0 else list(reversed(KINDS)))
        ideal = min(len(days) - 1, int(pos * len(days)))
        done = False
        for i in _order(len(days), ideal):
            d = days[i]
            if board.cap(d) <= 0:
                continue
            for k in kinds:
                # The least-used place first, so venues and channels share the work.
                for p in sorted(board.places[k], key=lambda p: (used[(k, p.id)], p.id)):
                    slot = board.free_slot(k, p.id, d)
                    if slot:
                        board.take(k, p.id, *slot)
                        used[(k, p.id)] += 1
                        placed.append((k, p.id, *slot))
                        done = True
                        break
                if done:
                    break
            if done:
                break
        if not done:
            missing[kind or "any"] += 1
    return placed, missing


def _exact(req: Request, days: list[date]) -> list[tuple[str, int, datetime, datetime]] | None:
    """A complete schedule by a depth-first search over the days, or None (none exists, or the
    node budget ran out). State: remaining counts and the venues used the day before."""
    board = Board(req)
    venues = board.places["offline"]
    channels = board.places["online"]
    # Per day: venues that could take a fair (free slot, rest rule against existing fairs), and
    # the online grid slots free on the channels.
    day_venues: list[list[int]] = []
    day_online: list[list[tuple[int, datetime, datetime]]] = []
    for d in days:
        vs = []
        for v in venues:
            around = {d - timedelta(days=1), d + timedelta(days=1)}
            if not req.rules.allow_consecutive and around & board.venue_days[v.id]:
                continue
            if next(iter(board.slots("offline", v.id, d)), None):
                vs.append(v.id)
        day_venues.append(vs)
        day_online.append([(c.id, s, e) for c in channels
                           for s, e in board.slots("online", c.id, d)])
    caps = [board.cap(d) for d in days]
    n_off0, n_on0, n_any0 = req.need.get("offline", 0), req.need.get("online", 0), req.need_any
    # Upper bounds of what the days after i can still take, for pruning.
    suffix_cap = [0] * (len(days) + 1)
    suffix_off = [0] * (len(days) + 1)
    suffix_on = [0] * (len(days) + 1)
    for i in range(len(days) - 1, -1, -1):
        suffix_cap[i] = suffix_cap[i + 1] + caps[i]
        suffix_off[i] = suffix_off[i + 1] + min(caps[i], len(day_venues[i]))
        suffix_on[i] = suffix_on[i + 1] + min(caps[i], len(day_online[i]))
    failed: set = set()
    budget = [SEARCH_BUDGET]
    choice: dict[int, tuple[tuple[int, ...], int]] = {}

    def subsets(items: list[int], k: int) -> Iterable[tuple[int, ...]]:
        from itertools import combinations

        return combinations(items, k)

    def go(i: int, off: int, on: int, anyn: int, yesterday: frozenset[int]) -> bool:
        if off <= 0 and on <= 0 and anyn <= 0:
            return True
        if i >= len(days):
            return False
        if (off > suffix_off[i] or on > suffix_on[i]
                or off + on + anyn > suffix_cap[i]):
            return False
        key = (i, off, on, anyn, yesterday if not req.rules.allow_consecutive else None)
        if key in failed:
            return False
        budget[0] -= 1
        if budget[0] <= 0:
            return False
        rested = [v for v in day_venues[i]
                  if req.rules.allow_consecutive or v not in yesterday
                  or days[i] - timedelta(days=1) != (days[i - 1] if i else None)]
        left = len(days) - i
        rate = (off + on + anyn) / left
        options = []
        for k_off in range(0, min(caps[i], len(rested)) + 1):
            for k_on in range(0, min(caps[i] - k_off, len(day_online[i])) + 1):
                use_off = min(k_off, max(off, 0))
                use_on = min(k_on, max(on, 0))
                extra = (k_off - use_off) + (k_on - use_on)
                if extra > max(anyn, 0):
                    continue
                options.append((abs(k_off + k_on - rate), -(k_off + k_on), k_off, k_on))
        options.sort()
        for _dist, _neg, k_off, k_on in options:
            for vs in subsets(rested, k_off):
                use_off = min(k_off, max(off, 0))
                use_on = min(k_on, max(on, 0))
                extra = (k_off - use_off) + (k_on - use_on)
                if go(i + 1, off - use_off, on - use_on, anyn - extra, frozenset(vs)):
                    choice[i] = (vs, k_on)
                    return True
                if k_off == 0:
                    break
        failed.add(key)
        return False

    if not go(0, n_off0, n_on0, n_any0, frozenset()):
        return None
    placed = []
    for i, (vs, k_on) in sorted(choice.items()):
        d = days[i]
        for v in vs:
            slot = next(iter(board.slots("offline", v, d)))
            placed.append(("offline", v, *slot))
        for c, s, e in day_online[i][:k_on]:
            placed.append(("online", c, s, e))
    return placed


# --- titles (the themes: fairs.plans.themes) ------------------------------------------------


def _title(req: Request, kind: str, industries: tuple[str, ...], audiences: tuple[str, ...]
           ) -> str:
    name = req.names
    ind = name.get(industries[0], industries[0]) if industries else ""
    aud = name.get(audiences[0], audiences[0]) if audiences and audiences[0] != "general" else ""
    if kind == "online":
        return f"{aud + '·' if aud else ''}{ind or '综合'}直播带岗"
    return f"{aud + '·' if aud else ''}{ind or '综合'}专场招聘会"


# --- the proposal ---------------------------------------------------------------------------


def propose(req: Request) -> Proposal:
    days, excluded, estimated, holidays = usable_days(req)
    placed, missing = _greedy(req, days)
    if missing and days:
        exact = _exact(req, days)
        if exact is not None:
            placed, missing = exact, Counter()
    placed.sort(key=lambda t: (t[2], KINDS.index(t[0]), t[1]))
    industries = assign_themes(len(placed), req.rules.industries_per_fair, req.industry_minimums,
                         req.industries, req.covered_industries)
    audiences = assign_themes(len(placed), 1, req.audience_minimums, req.audiences,
                        req.covered_audiences)
    fairs = [
        Proposed(kind=k, title=_title(req, k, ind, aud), starts_at=s, ends_at=e, place_id=p,
                 industries=ind, audiences=aud)
        for (k, p, s, e), ind, aud in zip(placed, industries, audiences, strict=True)
    ]
    shortfall = _shortfall(req, days, excluded, fairs, missing)
    served_ind = set(req.covered_industries) | {c for f in fairs for c in f.industries}
    served_aud = set(req.covered_audiences) | {c for f in fairs for c in f.audiences}
    given_ind = Counter(c for f in fairs for c in f.industries)
    given_aud = Counter(c for f in fairs for c in f.audiences)
    uncovered_ind = sorted(
        {c for c in req.industries if c not in served_ind}
        | {c for c, n in req.industry_minimums.items() if given_ind[c] < n})
    uncovered_aud = sorted(
        {c for c in req.audiences if c not in served_aud}
        | {c for c, n in req.audience_minimums.items() if given_aud[c] < n})
    return Proposal(
        fairs=fairs, meets_targets=not missing, shortfall=shortfall,
        uncovered_industries=uncovered_ind, uncovered_audiences=uncovered_aud,
        usable_days=len(days), excluded=excluded, estimated_years=estimated, holidays=holidays,
    )


def _shortfall(req: Request, days: list[date], excluded: dict[str, int], fairs: list[Proposed],
               missing: Counter) -> dict[str, dict]:
    """For each kind left short: wanted, proposed, missing, and the reasons (codes with the
    numbers behind them), most binding first."""
    if not missing:
        return {}
    board = Board(req)
    day_cap = sum(board.cap(d) for d in days)
    total = sum(max(0, req.need.get(k, 0)) for k in KINDS) + max(0, req.need_any)
    free: dict[str, int] = {}
    for k in KINDS:
        n = 0
        for d in days:
            for p in board.places[k]:
                if k == "offline":
                    if not req.rules.allow_consecutive and (
                            {d - timedelta(days=1), d + timedelta(days=1)}
                            & board.venue_days[p.id]):
                        continue
                    n += 1 if next(iter(board.slots(k, p.id, d)), None) else 0
                else:
                    n += sum(1 for _ in board.slots(k, p.id, d))
        free[k] = n
    got = Counter(f.kind for f in fairs)
    out: dict[str, dict] = {}
    for kind in (*KINDS, "any"):
        if not missing.get(kind):
            continue
        kinds = KINDS if kind == "any" else (kind,)
        wanted = req.need_any if kind == "any" else req.need.get(kind, 0)
        reasons: list[dict] = []
        if not days:
            reasons.append({"code": "no_days", **excluded})
        else:
            if day_cap < total:
                reasons.append({"code": "max_per_day", "usable_days": len(days),
                                "max_per_day": req.rules.max_per_day, "capacity": day_cap,
                                "wanted": total, **excluded})
            for k in kinds:
                if not board.places[k]:
                    reasons.append({"code": "no_venues" if k == "offline" else "no_channels"})
                elif free[k] < req.need.get(k, 0) + (req.need_any if kind == "any" else 0):
                    reasons.append({"code": "venues_busy" if k == "offline" else "channels_busy",
                                    "free": free[k], "places": len(board.places[k])})
            if not reasons and "offline" in kinds and not req.rules.allow_consecutive:
                reasons.append({"code": "rest_day_rule", "free": free["offline"],
                                "places": len(board.places["offline"])})
        if not reasons:
            reasons.append({"code": "combination", "usable_days": len(days)})
        proposed = (got[kind] if kind != "any" else
                    max(0, len(fairs) - sum(min(got[k], req.need.get(k, 0)) for k in KINDS)))
        out[kind] = {"wanted": wanted, "proposed": proposed, "missing": missing[kind],
                     "reasons": reasons}
    return out
