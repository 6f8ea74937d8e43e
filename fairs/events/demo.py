"""Demo fairs: this year's recruitment events of the West Coast New Area (about 190, mostly held
by now) and a first batch for the coming first quarter (3 offline, 8 online, published), so the
plans' dashboards show real progress and a real shortfall. Dates are computed from ctx.today and
keep clear of public holidays; venues and channels are never double-booked.

Idempotent: a fair is known by its organisation, title and start.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fairs import clock, cn_calendar, db
from fairs.catalog.reference import AUDIENCES, INDUSTRIES
from fairs.i18n import TZ

from .tables import Fair, FairAudience, FairIndustry

YEAR_FAIRS = 188  # of a 200-event target: the gap the planner closes
Q1_OFFLINE, Q1_ONLINE = 3, 8
VENUES = ["西海岸新区人力资源市场", "新区人才服务中心报告厅", "古镇口大学城招聘广场",
          "灵山湾影视产业园会展中心"]
VENUE_ORG = {"古镇口大学城招聘广场": "gzk", "灵山湾影视产业园会展中心": "lsw"}
CHANNELS = ["就业街小圆桌", "职海冲浪"]
FORMATS = ["special", "campus", "spring-breeze", "matchmaking"]


def working_days(first: date, last: date) -> list[date]:
    out, d = [], first
    while d <= last:
        if cn_calendar.day(d).workday:
            out.append(d)
        d += timedelta(days=1)
    return out


def coming_q1(today: date) -> int:
    return today.year + 1 if today.month >= 4 else today.year


def _at(d: date, hour: int) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=TZ).astimezone(UTC)


def _spec(n: int, d: date, kind: str, place: str) -> dict:
    ind_zh = INDUSTRIES[n % len(INDUSTRIES)]
    aud = AUDIENCES[(n * 5) % len(AUDIENCES)]
    second = INDUSTRIES[(n + 7) % len(INDUSTRIES)][0]
    prefix = "" if aud[0] == "general" else f"{aud[1]}·"
    if kind == "offline":
        title = f"{prefix}{ind_zh[1]}专场招聘会"
        start, end = _at(d, 9), _at(d, 12)
    else:
        title = f"{prefix}{ind_zh[1]}直播带岗"
        start, end = _at(d, 14), _at(d, 16)
    return {"kind": kind, "title": title, "starts_at": start, "ends_at": end, "place": place,
            "industries": [ind_zh[0], second], "audiences": [aud[0]],
            "org": VENUE_ORG.get(place, "xha") if kind == "offline" else "xha",
            "format": FORMATS[n % len(FORMATS)] if kind == "offline" else "livestream"}


def year_fairs(today: date) -> list[dict]:
    days = working_days(date(today.year, 1, 1), date(today.year, 12, 31))
    specs = []
    for n in range(YEAR_FAIRS):
        d = days[int((n + 0.5) * len(days) / YEAR_FAIRS)]
        if n % 5 in (0, 2):  # two in five offline
            specs.append(_spec(n, d, "offline", VENUES[(n // 5) % len(VENUES)]))
        else:
            specs.append(_spec(n, d, "online", CHANNELS[n % 2]))
    return specs


def q1_fairs(today: date, taken: set[tuple[str, date]]) -> list[dict]:
    year = coming_q1(today)
    days = [d for d in working_days(date(year, 1, 4), date(year, 2, 28))
            if d > today]
    specs = []
    for i in range(Q1_OFFLINE):
        d = days[(i * 7 + 2) % len(days)]
        venue = VENUES[i % len(VENUES)]
        if (venue, d) not in taken:
            specs.append(_spec(300 + i, d, "offline", venue))
            taken.add((venue, d))
    for i in range(Q1_ONLINE):
        d = days[(i * 3 + 1) % len(days)]
        channel = CHANNELS[i % 2]
        if (channel, d) not in taken:
            specs.append(_spec(400 + i, d, "online", channel))
            taken.add((channel, d))
    return specs


async def load(ctx) -> None:
    today = ctx.today
    year = year_fairs(today)
    taken = {(s["place"], s["starts_at"].astimezone(TZ).date()) for s in year}
    specs = year + q1_fairs(today, taken)
    have = {(r["title"], r["starts_at"]) for r in await Fair.select(Fair.title, Fair.starts_at)
            .where(Fair.starts_at >= _at(date(today.year, 1, 1), 0))}
    now = clock.now()
    fresh = [s for s in specs if (s["title"], s["starts_at"]) not in have]
    if not fresh:
        return
    async with db.write_transaction():
        for n, s in enumerate(fresh):
            cancelled = n % 97 == 50 and s["ends_at"] < now
            rows = await Fair.insert(Fair(
                kind=s["kind"], title=s["title"], format=s["format"],
                description="西海岸新区公共就业服务中心主办。", starts_at=s["starts_at"],
                ends_at=s["ends_at"], org=ctx.ids[f"org:{s['org']}"],
                venue=ctx.ids[f"venue:{s['place']}"] if s["kind"] == "offline" else None,
                channel=ctx.ids[f"channel:{s['place']}"] if s["kind"] == "online" else None,
                capacity=500 if s["kind"] == "offline" else None,
                status="cancelled" if cancelled else "published",
                cancel_reason="天气原因" if cancelled else "",
                # published two weeks ahead, or now for a fair nearer than that: never later
                # than now (booking opens at publication; a future date hid the coming fairs
                # from employers, issue 15)
                published_at=min(s["starts_at"] - timedelta(days=14), now),
                cancelled_at=s["starts_at"] - timedelta(days=1) if cancelled else None,
            )).returning(Fair.id)
            fair_id = rows[0]["id"]
            await FairIndustry.insert(*[FairIndustry(fair=fair_id, industry=c)
                                        for c in s["industries"]])
            await FairAudience.insert(*[FairAudience(fair=fair_id, audience=c)
                                        for c in s["audiences"]])
