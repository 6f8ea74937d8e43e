"""Service officers (用工专员): assigning them, each officer's list (last contact, open and overdue
follow-ups) and the organisation's view of the companies nobody contacted this quarter."""

from __future__ import annotations

from datetime import timedelta

from fairs import clock
from fairs.outreach.officers import quarter_of
from tests import factories
from tests.outreach.conftest import attend, days_ago, ok, record


async def test_assigning_officers(out):
    organiser_id, gzk_id = out.staff["organiser"].id, out.staff["gzk"].id
    path = f"/api/v1/employers/{out.a.id}/officers"
    made = await out.organiser.post(path, json={"user": gzk_id})  # gzk is of xha's subtree
    assert made.status_code == 201 and made.json()["user"] == gzk_id
    again = await out.organiser.post(path, json={"user": gzk_id})
    assert again.status_code == 200  # once per pair
    await ok(await out.organiser.post(path, json={"user": organiser_id}), 201)
    listed = await ok(await out.organiser.get(path))
    assert [o["user"] for o in listed["items"]] == [gzk_id, organiser_id]
    assert listed["items"][0]["org"] == "gzk"
    # Officers come from the assigner's own subtree, and are organisers' logins.
    foreign = await out.organiser.post(path, json={"user": out.staff["jiaozhou"].id})
    assert foreign.status_code == 403
    door = await out.organiser.post(path, json={"user": out.staff["scanner"].id})
    assert door.status_code == 422 and door.json()["errors"][0]["field"] == "user"
    employer_login = await out.organiser.post(path, json={"user": out.a.user})
    assert employer_login.status_code == 422
    nobody = await out.organiser.post(path, json={"user": 999999})
    assert nobody.status_code == 422
    # gzk (an officer of A now) serves A; it may not remove xha's officer, only its own.
    assert (await out.gzk.get(f"/api/v1/employers/{out.a.id}/services")).status_code == 200
    assert (await out.gzk.delete(f"{path}/{organiser_id}")).status_code == 403
    assert (await out.gzk.delete(f"{path}/{gzk_id}")).status_code == 204
    assert (await out.gzk.delete(f"{path}/{gzk_id}")).status_code == 403  # no longer serves
    assert (await out.organiser.delete(f"{path}/{gzk_id}")).status_code == 404
    log = await ok(await out.admin.get("/api/v1/audit", params={"object_id": str(out.a.id)}))
    assert [e["action"] for e in log["items"]][:2] == ["employer.officer_remove",
                                                       "employer.officer_add"]


async def test_an_officers_list_shows_last_contact_and_follow_ups(out):
    today = clock.today_local()
    # B: a call 20 days ago due for a follow-up 5 days ago, nothing since: overdue.
    await record(out.organiser, out.b.id, "phone", days_ago(20),
                 follow_up_on=days_ago(5).isoformat())
    # C: a visit with a follow-up next week: open, not overdue; an older one followed up.
    await record(out.organiser, out.c.id, "visit", days_ago(30),
                 follow_up_on=days_ago(25).isoformat())
    open_one = await record(out.organiser, out.c.id, "visit", days_ago(2),
                            follow_up_on=(today + timedelta(days=7)).isoformat())
    # A (its officer too now): a follow-up closed by a later fair attendance.
    await ok(await out.organiser.post(f"/api/v1/employers/{out.a.id}/officers",
                                      json={"user": out.staff["organiser"].id}), 201)
    await record(out.organiser, out.a.id, "phone", days_ago(12),
                 follow_up_on=days_ago(8).isoformat())
    await attend(out.staff["organiser"], out.world, out.a, days_ago(9), out.organiser)

    mine = await ok(await out.organiser.get("/api/v1/officers/me/employers"))
    found = {e["employer"]: e for e in mine["items"]}
    assert set(found) == {out.a.id, out.b.id, out.c.id} and mine["total"] == 3
    assert mine["items"][0]["employer"] == out.b.id  # overdue first
    assert found[out.b.id]["overdue"] == 1
    assert found[out.b.id]["last_contact"] == days_ago(20).isoformat()
    [late] = found[out.b.id]["follow_ups"]
    assert late["overdue"] is True and late["follow_up_on"] == days_ago(5).isoformat()
    assert found[out.c.id]["overdue"] == 0
    assert [f["service"] for f in found[out.c.id]["follow_ups"]] == [open_one["id"]]
    assert found[out.c.id]["last_contact"] == days_ago(2).isoformat()
    # A: its latest contact is the fair (9 days ago), which followed the call up.
    assert found[out.a.id]["last_contact"] == days_ago(9).isoformat()
    assert found[out.a.id]["follow_ups"] == []
    # Serving B again closes its follow-up.
    await record(out.organiser, out.b.id, "visit", today)
    again = {e["employer"]: e for e in (await ok(await out.organiser.get(
        "/api/v1/officers/me/employers")))["items"]}
    assert again[out.b.id]["follow_ups"] == [] and again[out.b.id]["overdue"] == 0
    # Another organiser's list is its own.
    assert (await ok(await out.jiaozhou.get("/api/v1/officers/me/employers")))["total"] == 0

    page = (await out.organiser.get("/organiser/officers/me")).text
    assert "我的企业" in page and f'data-employer="{out.c.id}"' in page
    assert f'data-follow-up="{open_one["id"]}"' in page


async def test_nobody_contacted_this_quarter(out):
    name, first, _after = quarter_of(clock.today_local())
    answer = await ok(await out.organiser.get("/api/v1/outreach/uncontacted"))
    assert answer["quarter"] == name
    # A (booked at xha's fair), B and C (xha's organiser is their officer): none contacted.
    assert {e["employer"] for e in answer["items"]} == {out.a.id, out.b.id, out.c.id}
    # B: served last quarter only: still uncontacted (its last contact shown).
    last_quarter = first - timedelta(days=1)
    await record(out.organiser, out.b.id, "phone", last_quarter)
    # C: a call this quarter by another district (it serves C too now, through an officer the
    # admin assigned): somebody contacted it.
    await ok(await out.admin.post(f"/api/v1/employers/{out.c.id}/officers",
                                  json={"user": out.staff["jiaozhou"].id}), 201)
    await record(out.jiaozhou, out.c.id, "phone", clock.today_local())
    answer = await ok(await out.organiser.get("/api/v1/outreach/uncontacted"))
    found = {e["employer"]: e for e in answer["items"]}
    assert set(found) == {out.a.id, out.b.id} and answer["total"] == 2
    assert found[out.b.id]["last_contact"] == last_quarter.isoformat()
    assert found[out.a.id]["last_contact"] is None
    # A fair attended this quarter is a contact too (when the quarter's first days allow one
    # in the past).
    if clock.today_local() > first:
        await attend(out.staff["organiser"], out.world, out.a, first, out.organiser)
        answer = await ok(await out.organiser.get("/api/v1/outreach/uncontacted"))
        assert {e["employer"] for e in answer["items"]} == {out.b.id}
    # Another district sees the companies it serves: C, contacted.
    theirs = await ok(await out.jiaozhou.get("/api/v1/outreach/uncontacted"))
    assert theirs["total"] == 0
    # The admin's view is the whole register (not rejected).
    rejected = await factories.employer(8109, approve=False)
    await ok(await out.admin.post(f"/api/v1/employers/{rejected.id}/reject",
                                  json={"reason": "材料不全"}))
    everyone = {e["employer"] for e in (await ok(await out.admin.get(
        "/api/v1/outreach/uncontacted", params={"limit": 500})))["items"]}
    assert out.b.id in everyone and rejected.id not in everyone
    page = (await out.organiser.get("/organiser/outreach/uncontacted")).text
    assert f'data-employer="{out.b.id}"' in page and "本季度未联系企业" in page
    assert f'href="/organiser/employers/{out.b.id}#services"' in page


async def test_assigning_the_same_officer_at_once_makes_one_assignment(out, new_client):
    import asyncio

    from fairs import db
    from tests.conftest import login_as

    clients = [await login_as(new_client, "organiser") for _ in range(6)]
    path = f"/api/v1/employers/{out.a.id}/officers"
    answers = await asyncio.gather(*(c.post(path, json={"user": out.staff["gzk"].id})
                                     for c in clients))
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    rows = await db.fetch("SELECT COUNT(*) AS n FROM employer_officer WHERE employer = {}",
                          out.a.id)
    assert rows[0]["n"] == 1
    # Calls recorded at once by several staff: each kept, one visit of their kind that day.
    day = days_ago(1).isoformat()
    made = await asyncio.gather(*(c.post(f"/api/v1/employers/{out.a.id}/services",
                                         json={"kind": "phone", "on": day}) for c in clients))
    assert [m.status_code for m in made] == [201] * 6
    measures = await ok(await out.organiser.get("/api/v1/reports/measures",
                                                params={"from": day, "to": day}))
    assert measures["employer_visits"] == 1
