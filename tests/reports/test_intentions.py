"""Hiring intentions: an employer at the fair records a ticket against one of its positions;
each pair counts once, even when many scans arrive at once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fairs import db
from fairs.i18n import TZ
from fairs.reports import services
from tests.conftest import login_as, make_client
from tests.reports import helpers
from tests.reports.helpers import book, create_fair, employer, intention, move, now_start
from tests.test_accounts import problem


async def _setup(app, new_client, world):
    helpers._PUBLIC["client"] = new_client()
    organiser = await login_as(new_client, "organiser")
    e1, e2, outsider = await employer(app), await employer(app), await employer(app)
    fair = await create_fair(organiser, world, booths=3)
    other = await create_fair(organiser, world, booths=1, venue="新区人才服务中心报告厅")
    b1 = await book(e1, fair["id"], "A01", [3, 2])
    b2 = await book(e2, fair["id"], "A02", [1])
    await move(fair["id"], now_start())
    await move(other["id"], now_start())
    ticket = await helpers.register(fair["id"], "李四", ["graduates"])
    elsewhere = await helpers.register(other["id"], "王五")
    return dict(organiser=organiser, e1=e1, e2=e2, outsider=outsider, fair=fair, other=other,
                b1=b1, b2=b2, ticket=ticket, elsewhere=elsewhere)


async def count(fair_id: int) -> int:
    rows = await db.fetch("SELECT COUNT(*) AS n FROM intention WHERE fair = {}", fair_id)
    return int(rows[0]["n"])


async def test_rules(app, new_client, world):
    s = await _setup(app, new_client, world)
    fair_id, p1 = s["fair"]["id"], s["b1"]["positions"][0]
    url = f"/api/v1/fairs/{fair_id}/intentions"
    made = await intention(s["e1"], fair_id, s["ticket"]["code"].lower(), p1)
    assert made["created"] is True and made["position"] == p1
    assert made["created_at"].endswith("+08:00")
    again = await intention(s["e1"], fair_id, s["ticket"]["code"], p1, status=200)
    assert again["id"] == made["id"] and again["created"] is False
    # Refusals, each naming what is wrong.
    body = problem(await s["e1"].post(url, json={"code": "NOPE-NOPE", "position": p1}), 422)
    assert body["errors"][0]["field"] == "code"
    body = problem(await s["e1"].post(url, json={"code": s["elsewhere"]["code"],
                                                 "position": p1}), 422)
    assert body["errors"][0]["field"] == "code"
    body = problem(await s["e1"].post(url, json={"code": s["ticket"]["code"],
                                                 "position": s["b2"]["positions"][0]}), 422)
    assert body["errors"][0]["field"] == "position"
    problem(await s["outsider"].post(url, json={"code": s["ticket"]["code"], "position": p1}),
            403)
    problem(await s["organiser"].post(url, json={"code": s["ticket"]["code"],
                                                 "position": p1}), 403)
    problem(await make_client(app).post(url, json={"code": "X", "position": p1}), 401)
    problem(await s["e1"].post("/api/v1/fairs/999999/intentions",
                               json={"code": s["ticket"]["code"], "position": p1}), 404)
    # A cancelled ticket is refused.
    await helpers.ok(await make_client(app).delete(f"/api/v1/tickets/{s['ticket']['secret']}"),
                     204)
    body = problem(await s["e1"].post(url, json={"code": s["ticket"]["code"],
                                                 "position": s["b1"]["positions"][1]}), 422)
    assert body["errors"][0]["field"] == "code"
    # Two days after the fair: too late.
    await move(fair_id, datetime.now(TZ) - timedelta(days=2))
    problem(await s["e1"].post(url, json={"code": s["ticket"]["code"], "position": p1}), 409)
    assert await count(fair_id) == 1
    # The job seeker's ticket page section (the service the tickets page calls).
    rows = await db.fetch("SELECT id FROM registration WHERE code = {}", s["ticket"]["code"])
    found = await services.intentions_for_ticket(rows[0]["id"])
    assert [(f["position"], f["employer"].startswith("青岛报表测试企业")) for f in found] == [
        ("岗位1", True)]
    # ... offered to the tickets page through the hook fairs.hooks.ticket_sections.
    from fairs import hooks
    from fairs.events import services as events

    [row] = await db.fetch("SELECT * FROM registration WHERE id = {}", rows[0]["id"])
    sections = await hooks.sections(hooks.ticket_sections, None, row,
                                    await events.get_fair(fair_id))
    mine = [x for x in sections if x.template == "reports/_ticket_intentions.html"]
    assert len(mine) == 1 and mine[0]["intentions"] == found


async def test_twenty_simultaneous_scans_record_once(app, new_client, world):
    s = await _setup(app, new_client, world)
    fair_id, p1 = s["fair"]["id"], s["b1"]["positions"][0]
    answers = await asyncio.gather(*(
        s["e1"].post(f"/api/v1/fairs/{fair_id}/intentions",
                     json={"code": s["ticket"]["code"], "position": p1}) for _ in range(20)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 19 + [201], [a.text for a in answers if a.status_code >= 300]
    assert len({a.json()["id"] for a in answers}) == 1
    assert await count(fair_id) == 1
    # The job seeker sees it on their ticket page.
    ticket_page = await make_client(app).get(f"/tickets/{s['ticket']['secret']}")
    assert ticket_page.status_code == 200
    assert 'id="intentions"' in ticket_page.text and "岗位1" in ticket_page.text


async def test_the_employer_page(app, new_client, world):
    s = await _setup(app, new_client, world)
    fair_id, p2 = s["fair"]["id"], s["b1"]["positions"][1]
    rows = await db.fetch("SELECT u.username FROM app_user u WHERE u.id = {}", s["e1"].user_id)
    staff = await new_client().login(rows[0]["username"], "employer-pass-1")
    page = await staff.get(f"/employer/fairs/{fair_id}/intentions")
    assert page.status_code == 200
    assert 'name="code"' in page.text and "岗位2" in page.text
    response = await staff.post(f"/employer/fairs/{fair_id}/intentions",
                                data={"code": s["ticket"]["code"], "position": str(p2)},
                                headers={"x-csrf-token": staff.cookies.get("fairs_csrf")})
    assert response.status_code == 303
    assert "notice=created" in response.headers["location"]
    shown = await staff.get(response.headers["location"])
    assert 'id="notice"' in shown.text and "李*" in shown.text
    wrong = await staff.post(f"/employer/fairs/{fair_id}/intentions",
                             data={"code": "ZZZZ", "position": str(p2)},
                             headers={"x-csrf-token": staff.cookies.get("fairs_csrf")})
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.text
    assert await count(fair_id) == 1
    # Another company's staff cannot open it.
    rows = await db.fetch("SELECT u.username FROM app_user u WHERE u.id = {}",
                          s["outsider"].user_id)
    outsider = await new_client().login(rows[0]["username"], "employer-pass-1")
    assert (await outsider.get(f"/employer/fairs/{fair_id}/intentions")).status_code == 403
