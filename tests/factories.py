"""Test data, made through the services (the one place every test's data comes from).

Every factory calls the service a person's action would call, so the data obeys the rules the
app enforces. One exception, documented where it is: a fair in the past. The events service
refuses to make one (it would count as held at once), so `fair()` makes it in the far future
and then moves its times back with a plain UPDATE (`move_fair`), as the demo records its
history. Times are relative to `fairs.clock.now()`, so a test that freezes the clock gets data
around the frozen time.

The HTTP helpers (tests/helpers.py, tests/tickets/helpers.py, tests/employers/conftest.py,
tests/reports/helpers.py) keep their signatures and delegate here where they make the same
thing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from stdnum.cn import uscc as stdnum_uscc

from fairs import clock, db
from fairs.accounts.services import Principal
from fairs.i18n import TZ

WINDOWS = ("booking_opens_at", "booking_closes_at", "registration_opens_at",
           "registration_closes_at")
DEFAULT_VENUE = "西海岸新区人力资源市场"
DEFAULT_CHANNEL = "职海冲浪"
PASSWORD = "employer-pass-1"

_phones = itertools.count(3000)
_serial = itertools.count(7000)
_users = itertools.count(1)
_history = itertools.count(1)


# --- plain values ---------------------------------------------------------------------------


def phone(prefix: str = "1370013") -> str:
    """A fresh valid mainland mobile number (unique within a test run, per prefix)."""
    return f"{prefix}{next(_phones) % 10000:04d}"


def make_uscc(n: int) -> str:
    """A valid 统一社会信用代码: 91 + region 370211 + 9 characters + the check digit."""
    body = f"91370211{n:09d}"
    return body + stdnum_uscc.calc_check_digit(body)


def when(minutes: float) -> datetime:
    """`minutes` from the clock's now (aware, whole seconds, China time)."""
    return (clock.now() + timedelta(minutes=minutes)).astimezone(TZ).replace(microsecond=0)


def at(days: float, hour: int = 9) -> datetime:
    """`hour` o'clock (China time), `days` from the clock's today."""
    base = clock.now_local().replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + timedelta(days=days)


def aware(value: datetime | str) -> datetime:
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=TZ)


def employer_body(n: int | None = None, **kw: Any) -> dict:
    """The fields of an employer's self-registration (the sign-up form), number `n`."""
    n = n if n is not None else next(_serial)
    body = {"name": f"青岛测试企业{n}有限公司", "uscc": make_uscc(n), "industry": "software",
            "contact_name": "王经理", "contact_phone": f"1381234{n % 10000:04d}",
            "username": f"hr{n}", "password": PASSWORD}
    body.update(kw)
    return body


# --- organisations, people, places ----------------------------------------------------------


async def world() -> dict[str, int]:
    """The demo's organisation tree (qd > xha > gzk, … ; jiaozhou), its staff (admin,
    organiser, gzk, jiaozhou, scanner) and venues and channels, no fairs: ids by
    "org:<code>", "venue:<name>", "channel:<name>"."""
    from fairs import demo

    ctx = demo.DemoContext()
    for name in ("fairs.accounts.demo", "fairs.catalog.demo"):
        await __import__(name, fromlist=["load"]).load(ctx)
    return ctx.ids


async def org(code: str, parent: str = "xha", kind: str = "street",
              name_zh: str | None = None) -> dict:
    """A new organisation under `parent`."""
    from fairs.accounts import orgs

    return await orgs.create_org(code, name_zh or f"测试机构{code}", code, kind, parent)


async def principal(username: str) -> Principal:
    """The Principal of an existing user (as a guard would hand it to a service)."""
    from fairs.accounts import services as accounts
    from fairs.accounts.tables import User

    row = await User.select(User.id).where(User.username == username).first()
    assert row is not None, f"no user {username!r}"
    found = await accounts.principal_by_id(row["id"])
    assert found is not None
    return found


async def user(role: str, org_code: str | None = "xha", username: str | None = None,
               password: str = "staff-pass-2026") -> Principal:
    """A new staff user of `role` (admin, organiser, scanner, …) in `org_code`."""
    from fairs.accounts import services as accounts

    username = username or f"{role}{next(_users)}"
    made = await accounts.create_user(username, password, role, org_code)
    return await accounts.principal_by_id(made["id"])


async def staff() -> dict[str, Principal]:
    """The demo staff (load `world()` first) as Principals: admin, organiser (xha), gzk,
    jiaozhou, scanner (xha)."""
    return {name: await principal(name)
            for name in ("admin", "organiser", "gzk", "jiaozhou", "scanner")}


async def venue(owner: Principal, name: str | None = None, district: str | None = None,
                capacity: int = 500) -> dict:
    from fairs.catalog import services as catalog

    return await catalog.create_venue(owner, name=name or f"测试场馆{next(_serial)}",
                                      address="青岛市黄岛区", district=district,
                                      capacity=capacity, step_free=True)


async def channel(owner: Principal, name: str | None = None,
                  district: str | None = None) -> dict:
    from fairs.catalog import services as catalog

    return await catalog.create_channel(owner, name=name or f"测试频道{next(_serial)}",
                                        url="https://live.example.cn/", district=district)


# --- fairs ----------------------------------------------------------------------------------


async def move_fair(fair_id: int, **times: datetime) -> None:
    """Set a fair's times in the database directly: the one documented way to make history
    (the service refuses a fair that has ended) or to move a made fair to "now"."""
    async with db.write_transaction():
        for column, value in times.items():
            assert column in ("starts_at", "ends_at", *WINDOWS), column
            await db.execute(f"UPDATE fair SET {column} = {{}} WHERE id = {{}}", value, fair_id)


async def fair(organiser: Principal, world_ids: dict[str, int], *, kind: str = "offline",
               starts_at: datetime | None = None, ends_at: datetime | None = None,
               start: float = 60 * 24 * 10, minutes: float = 180, publish: bool = True,
               booths: int = 0, venue_name: str = DEFAULT_VENUE,
               channel_name: str = DEFAULT_CHANNEL, **fields: Any) -> dict:
    """A fair made by `organiser` through the events service: offline at `venue_name` or
    online on `channel_name`, starting `start` minutes from the clock's now (or at
    `starts_at`), lasting `minutes` (or until `ends_at`); with `booths` booths A01…; published
    unless `publish` is false. Other fields (title, capacity, windows, org, …) pass through.
    Returns the fair as the service last answered."""
    from fairs.events import services as events

    starts_at = aware(starts_at) if starts_at else when(start)
    ends_at = aware(ends_at) if ends_at else starts_at + timedelta(minutes=minutes)
    data = {"kind": kind, "title": "测试招聘会" if kind == "offline" else "测试直播带岗",
            "starts_at": starts_at, "ends_at": ends_at,
            "industries": ["software"], "audiences": ["graduates", "general"]}
    if kind == "offline":
        data["venue"] = world_ids[f"venue:{venue_name}"]
    else:
        data["channel"] = world_ids[f"channel:{channel_name}"]
    data.update(fields)
    for key in WINDOWS:
        if data.get(key):
            data[key] = aware(data[key])
    times: dict[str, datetime] = {}
    if ends_at <= clock.now():  # history: made in the future, then moved back (see above)
        shift = timedelta(days=3650 + 20 * next(_history))
        times = {k: data[k] for k in ("starts_at", "ends_at", *WINDOWS) if data.get(k)}
        data.update({k: v + shift for k, v in times.items()})
    made = await events.create_fair(organiser, data)
    if booths:
        await layout(organiser, made["id"], booths)
    if publish:
        made = await events.publish(organiser, made["id"])
    if times:
        await move_fair(made["id"], **times)
        made = await events.get_fair(made["id"], organiser)
    return made


def booth_codes(n: int, zone: str = "A") -> list[str]:
    return [f"{zone}{i + 1:02d}" for i in range(n)]


async def layout(organiser: Principal, fair_id: int, n: int, zone: str = "A",
                 blocked: tuple[str, ...] = ()) -> list[dict]:
    """A booth layout of `n` booths A01… in a row of ten, through the booths service."""
    from fairs.booths import services as booths

    items = [{"code": code, "zone": zone, "x": i % 10, "y": i // 10,
              "blocked": code in blocked} for i, code in enumerate(booth_codes(n, zone))]
    return await booths.set_layout(organiser, fair_id, items)


# --- employers and bookings -----------------------------------------------------------------


@dataclass
class Employer:
    """An employer made by self-registration: its id, its first staff account's id and
    Principal, and (if asked) a bearer token of that account."""

    id: int
    user: int
    principal: Principal
    token: str | None = None


async def employer(n: int | None = None, *, approve: bool = True, token: bool = False,
                   by: Principal | None = None, **fields: Any) -> Employer:
    """An employer registered through the employers service and, with `approve`, approved by
    `by` (an organiser; the demo admin when not given: load `world()` first)."""
    from fairs.accounts import services as accounts
    from fairs.employers import services as employers

    made = await employers.register(**employer_body(n, **fields))
    if approve:
        await employers.decide(by or await principal("admin"), made["id"], True)
    who = await accounts.principal_by_id(made["user"])
    bearer = (await accounts.create_token(who, "test"))["token"] if token else None
    return Employer(id=made["id"], user=made["user"], principal=who, token=bearer)


async def employers(count: int, start: int | None = None, *, approve: bool = True,
                    token: bool = True, **fields: Any) -> list[Employer]:
    """Many employers quickly (a booking rush): each registered through the employers service
    with a bearer token; with `approve`, all approved by one UPDATE that records no decider,
    as the HTTP tests have always had them (a decision by a given organiser: `employer()`)."""
    from fairs.employers.tables import Employer as EmployerRow

    first = start if start is not None else next(_serial) * 1000
    made = [await employer(n, approve=False, token=token, **fields)
            for n in range(first, first + count)]
    if approve and made:
        await EmployerRow.update({EmployerRow.status: "approved"}).where(
            EmployerRow.id.is_in([e.id for e in made]))
    return made


async def booking(emp: Employer | Principal, fair_id: int, booth: str | None = None) -> dict:
    """A booking through the booking service: booth `booth`, or any free one (or the
    waitlist) when None. The booking's row, with its door `code`."""
    from fairs.booths import services as booths

    who = emp.principal if isinstance(emp, Employer) else emp
    return await booths.book_booth(who, fair_id, booth)


# --- registrations --------------------------------------------------------------------------


async def registration(fair_id: int, name: str = "张三", number: str | None = None,
                       audiences: list[str] | tuple[str, ...] = ("graduates",),
                       **kw: Any) -> dict:
    """A job seeker's registration through the tickets service: the row with its door `code`
    and the holder's `secret` (the ticket's address, shown once)."""
    from fairs.tickets import services as tickets

    return await tickets.register(fair_id, name, number or phone(), list(audiences), **kw)


# --- plans ----------------------------------------------------------------------------------


async def plan(organiser: Principal, *, starts_on: date | None = None,
               ends_on: date | None = None, targets: dict[str, int] | None = None,
               title: str = "测试年度计划", **fields: Any) -> dict:
    """A plan of `organiser`'s organisation through the plans service: by default the next
    three months with targets of 4 offline and 2 online fairs."""
    from fairs.plans import services as plans

    starts_on = starts_on or clock.today_local() + timedelta(days=1)
    ends_on = ends_on or starts_on + timedelta(days=90)
    data = {"title": title, "starts_on": starts_on, "ends_on": ends_on,
            "targets": targets if targets is not None else {"offline": 4, "online": 2}}
    data.update(fields)
    return await plans.create_plan(organiser, data)
