"""A hand-computed data set for the reports tests, built through the other slices' real APIs.

Fairs are created in the future (so that booths and guest slots can be booked), moved to "now"
(so that the door admits tickets and employers record intentions), and then moved into last
year (so that they are held), with plain UPDATEs of their times: the only rows written here by
hand.

Last year (Y), for the organiser of xha (the West Coast New Area) and its sub-area gzk:

| fair | org | kind | when | industries | held? |
|---|---|---|---|---|---|
| F1 | xha | offline | Y-03-10 | software, automotive | yes |
| F2 | gzk | offline | Y-05-20 | automotive | yes |
| F3 | xha | online | Y-05-25 | software | yes |
| F4 | xha | offline | Y-04-08 | software | cancelled: never |
| F5 | xha | offline | now, ends later | software | not yet |
| F6 | jiaozhou | offline | Y-05-15 | software | yes, but another district |

F1: employers E1 (present, scanned twice) and E2 (absent); positions 5 + 3 (E1), 10 (E2);
seven tickets, six admitted (T1 scanned twice), T7 never; two walk-ins (W1 a veteran, W2 with no
target group); intentions (T1,P1) twice, (T1,P2), (T2,P1): 3.
F2: E1 present; position 2; three tickets admitted (graduates); one intention.
F3: a guest slot of E3 (ended: present); position 4 on it; livestream views 1200 + 300.
F4: two admissions and a present employer, then cancelled. F5: one admission. F6: two admissions.

Target groups of the admitted in xha's scope: graduates T1-T5 + F2's three = 8; veterans T6 and
W1 = 2 (suppressed: "<5"); none declared W2 = 1 ("<5").
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from fairs import db
from fairs.i18n import TZ
from tests import factories
from tests.conftest import login_as, make_client

_phones = itertools.count(2000)
_serial = itertools.count(5000)


def phone() -> str:
    return f"1390013{next(_phones) % 10000:04d}"


def make_uscc(n: int) -> str:
    return factories.make_uscc(n)


def iso(dt: datetime) -> str:
    return dt.replace(microsecond=0).isoformat()


def last_year() -> int:
    return datetime.now(TZ).year - 1


EXPECTED_XHA = {"events_held": 3, "employers_present": 2, "positions": 24, "admissions": 11,
                "walk_ins": 2, "intentions": 4, "online_views": 1500, "employer_visits": 3,
                "hires": 0}
EXPECTED_GZK = {"events_held": 1, "employers_present": 1, "positions": 2, "admissions": 3,
                "walk_ins": 0, "intentions": 1, "online_views": 0, "employer_visits": 1,
                "hires": 0}
EXPECTED_JIAOZHOU = {"events_held": 1, "employers_present": 0, "positions": 0, "admissions": 2,
                     "walk_ins": 0, "intentions": 0, "online_views": 0, "employer_visits": 0,
                     "hires": 0}
EXPECTED_ALL = {k: EXPECTED_XHA[k] + EXPECTED_JIAOZHOU[k] for k in EXPECTED_XHA}


async def employer(app, n: int | None = None):
    """An approved employer and a client with its bearer token (c.employer_id, c.user_id)."""
    n = n if n is not None else next(_serial)
    [made] = await factories.employers(1, n, name=f"青岛报表测试企业{n}有限公司",
                                       username=f"rep{n}")
    token = made.token
    c = make_client(app)
    c.headers["authorization"] = f"Bearer {token}"
    c.employer_id = made.id
    c.user_id = made.user
    return c


async def ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


async def create_fair(client, world, *, kind="offline", venue="西海岸新区人力资源市场",
                      channel="职海冲浪", industries=("software",), audiences=("graduates",),
                      org=None, booths=0, title="报表测试招聘会") -> dict:
    start = datetime.now(TZ) + timedelta(days=2)
    body = {"kind": kind, "title": title, "starts_at": iso(start),
            "ends_at": iso(start + timedelta(hours=3)), "industries": list(industries),
            "audiences": list(audiences)}
    if kind == "offline":
        body["venue"] = world[f"venue:{venue}"]
    else:
        body["channel"] = world[f"channel:{channel}"]
    if org:
        body["org"] = org
    fair = await ok(await client.post("/api/v1/fairs", json=body), 201)
    if booths:
        layout = [{"code": f"A{i + 1:02d}", "zone": "A"} for i in range(booths)]
        await ok(await client.put(f"/api/v1/fairs/{fair['id']}/booths",
                                  json={"booths": layout}))
    await ok(await client.post(f"/api/v1/fairs/{fair['id']}/publish"))
    return fair


async def move(fair_id: int, start: datetime, hours: float = 3) -> None:
    """Move a fair (and its guest slots, keeping their offsets) to start at `start`."""
    rows = await db.fetch("SELECT starts_at FROM fair WHERE id = {}", fair_id)
    old = rows[0]["starts_at"]
    if not isinstance(old, datetime):
        old = datetime.fromisoformat(str(old))
    shift = start - old
    async with db.write_transaction():
        await db.execute("UPDATE fair SET starts_at = {}, ends_at = {} WHERE id = {}",
                         start, start + timedelta(hours=hours), fair_id)
        for slot in await db.fetch("SELECT id, starts_at, ends_at FROM guest_slot "
                                   "WHERE fair = {}", fair_id):
            s, e = slot["starts_at"], slot["ends_at"]
            s = s if isinstance(s, datetime) else datetime.fromisoformat(str(s))
            e = e if isinstance(e, datetime) else datetime.fromisoformat(str(e))
            await db.execute("UPDATE guest_slot SET starts_at = {}, ends_at = {} WHERE id = {}",
                             s + shift, e + shift, slot["id"])


def now_start() -> datetime:
    return (datetime.now(TZ) - timedelta(minutes=30)).replace(microsecond=0)


_PUBLIC: dict = {}


async def register(fair_id: int, name: str = "张三", audiences=()) -> dict:
    r = await _PUBLIC["client"].post(f"/api/v1/fairs/{fair_id}/registrations",
                                     json={"name": name, "phone": phone(),
                                           "audiences": list(audiences)})
    return (await ok(r, 201))["ticket"]


async def scan(scanner, fair_id: int, code: str) -> dict:
    return await ok(await scanner.post(f"/api/v1/fairs/{fair_id}/checkins",
                                       json={"code": code}))


async def book(emp, fair_id: int, booth: str, positions: list[int]) -> dict:
    booking = await ok(await emp.post(f"/api/v1/fairs/{fair_id}/bookings",
                                      json={"booth": booth}), 201)
    booking["positions"] = []
    for i, headcount in enumerate(positions):
        p = await ok(await emp.post(f"/api/v1/bookings/{booking['id']}/positions",
                                    json={"title": f"岗位{i + 1}", "headcount": headcount,
                                          "salary_min": 4000, "salary_max": 8000}), 201)
        booking["positions"].append(p["id"])
    return booking


async def intention(emp, fair_id: int, code: str, position: int, status: int = 201) -> dict:
    return await ok(await emp.post(f"/api/v1/fairs/{fair_id}/intentions",
                                   json={"code": code, "position": position}), status)


async def build(app, new_client, world) -> dict:
    """The data set above; returns ids and clients."""
    _PUBLIC["client"] = new_client()
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    jiaozhou = await login_as(new_client, "jiaozhou")
    e1, e2, e3 = await employer(app), await employer(app), await employer(app)
    y = last_year()
    out: dict = {"organiser": organiser, "scanner": scanner, "jiaozhou": jiaozhou,
                 "e1": e1, "e2": e2, "e3": e3, "year": y}

    # F1: xha, offline, software + automotive, graduates + veterans.
    f1 = await create_fair(organiser, world, booths=4, industries=("software", "automotive"),
                           audiences=("graduates", "veterans"), title="F1 春风行动专场")
    b1 = await book(e1, f1["id"], "A01", [5, 3])
    b2 = await book(e2, f1["id"], "A02", [10])
    await move(f1["id"], now_start())
    tickets = [await register(f1["id"], f"求职者{i}", ["graduates"]) for i in range(1, 6)]
    tickets.append(await register(f1["id"], "求职者6", ["veterans"]))
    t7 = await register(f1["id"], "求职者7", ["graduates"])
    for t in tickets:
        assert (await scan(scanner, f1["id"], t["code"]))["result"] == "ok"
    again = await scan(scanner, f1["id"], tickets[0]["code"])
    assert again["result"] == "already_checked_in"
    for name, groups in (("走入甲", ["veterans"]), ("走入乙", [])):
        walk = await ok(await scanner.post(f"/api/v1/fairs/{f1['id']}/walk-ins",
                                           json={"name": name, "phone": phone(),
                                                 "audiences": groups}))
        assert walk["walk_in"] is True and walk["result"] == "ok", walk
    # E1 arrives (its booking's code at the door), twice; E2 never does.
    booking1 = await ok(await e1.get(f"/api/v1/bookings/{b1['id']}"))
    assert (await scan(scanner, f1["id"], booking1["code"]))["result"] == "ok"
    assert (await scan(scanner, f1["id"], booking1["code"]))["result"] == "already_checked_in"
    p1, p2 = b1["positions"]
    await intention(e1, f1["id"], tickets[0]["code"], p1)
    await intention(e1, f1["id"], tickets[0]["code"], p1, status=200)
    await intention(e1, f1["id"], tickets[0]["code"], p2)
    await intention(e1, f1["id"], tickets[1]["code"], p1)
    await move(f1["id"], datetime(y, 3, 10, 9, tzinfo=TZ))
    out.update(f1=f1, b1=b1, b2=b2, tickets=tickets, t7=t7)

    # F2: gzk, offline, automotive; E1 again.
    f2 = await create_fair(organiser, world, venue="古镇口大学城招聘广场", org="gzk", booths=2,
                           industries=("automotive",), audiences=("graduates",),
                           title="F2 古镇口专场")
    b3 = await book(e1, f2["id"], "A01", [2])
    await move(f2["id"], now_start())
    f2_tickets = [await register(f2["id"], f"学生{i}", ["graduates"]) for i in range(3)]
    for t in f2_tickets:
        assert (await scan(scanner, f2["id"], t["code"]))["result"] == "ok"
    booking3 = await ok(await e1.get(f"/api/v1/bookings/{b3['id']}"))
    assert (await scan(scanner, f2["id"], booking3["code"]))["result"] == "ok"
    await intention(e1, f2["id"], f2_tickets[0]["code"], b3["positions"][0])
    await move(f2["id"], datetime(y, 5, 20, 9, tzinfo=TZ))
    out.update(f2=f2, f2_tickets=f2_tickets)

    # F3: xha, online, software; E3 presents in a guest slot; views 1200 + 300.
    f3 = await create_fair(organiser, world, kind="online", industries=("software",),
                           audiences=("general",), title="F3 直播带岗")
    start = datetime.fromisoformat(f3["starts_at"])
    slots = await ok(await organiser.post(
        f"/api/v1/fairs/{f3['id']}/slots",
        json={"slots": [{"starts_at": iso(start), "ends_at": iso(start + timedelta(hours=1)),
                         "label": "企业宣讲"}]}), 201)
    slot_booking = await ok(await e3.post(f"/api/v1/slots/{slots['items'][0]['id']}/bookings",
                                          json={"topic": "招聘软件工程师"}), 201)
    await ok(await e3.post(f"/api/v1/slot-bookings/{slot_booking['id']}/positions",
                           json={"title": "软件工程师", "headcount": 4}), 201)
    for views in (1200, 300):
        await ok(await organiser.post(f"/api/v1/fairs/{f3['id']}/online-sessions",
                                      json={"label": "直播", "peak_viewers": 100,
                                            "total_views": views}), 201)
    await move(f3["id"], datetime(y, 5, 25, 19, tzinfo=TZ), hours=2)
    out.update(f3=f3)

    # F4: cancelled after people came: never held.
    f4 = await create_fair(organiser, world, booths=1, title="F4 取消的招聘会")
    b4 = await book(e1, f4["id"], "A01", [7])
    await move(f4["id"], now_start())
    for i in range(2):
        t = await register(f4["id"], f"取消{i}", ["graduates"])
        assert (await scan(scanner, f4["id"], t["code"]))["result"] == "ok"
    booking4 = await ok(await e1.get(f"/api/v1/bookings/{b4['id']}"))
    assert (await scan(scanner, f4["id"], booking4["code"]))["result"] == "ok"
    await ok(await organiser.post(f"/api/v1/fairs/{f4['id']}/cancel", json={"reason": "暴雨"}))
    await move(f4["id"], datetime(y, 4, 8, 9, tzinfo=TZ))
    out.update(f4=f4)

    # F5: happening now: not held yet.
    f5 = await create_fair(organiser, world, venue="新区人才服务中心报告厅", title="F5 进行中")
    await move(f5["id"], now_start())
    t = await register(f5["id"], "正在进场", ["graduates"])
    assert (await scan(scanner, f5["id"], t["code"]))["result"] == "ok"
    out.update(f5=f5)

    # F6: Jiaozhou, a sibling district.
    f6 = await create_fair(jiaozhou, world, venue="胶州市人力资源市场", title="F6 胶州专场")
    await move(f6["id"], now_start())
    for i in range(2):
        t = await register(f6["id"], f"胶州{i}", ["graduates"])
        assert (await scan(jiaozhou, f6["id"], t["code"]))["result"] == "ok"
    await move(f6["id"], datetime(y, 5, 15, 9, tzinfo=TZ))
    out.update(f6=f6)
    return out
