"""Outcomes of follow-up calls: the one rule (fairs.followup.services._apply) whoever records
it, the organiser on a task or the employer confirming a hire; the scope of each caller; bad
input named."""

from __future__ import annotations

from datetime import date, timedelta

from fairs import clock, db
from tests.conftest import login_as, make_client
from tests.followup.helpers import build, followups, task_id, tasks_of
from tests.test_accounts import problem


def statuses(found: list[dict]) -> list[tuple]:
    return [(t["status"], t["outcome"]) for t in found]


async def test_outcomes_close_or_keep_the_later_calls(app, new_client, world):
    s = await build(app, new_client, world)
    org, i1 = s["organiser"], s["i1"]["id"]
    first, second, third = [await task_id(org, i1, n) for n in (1, 2, 3)]
    today = clock.today_local()
    # In process: the later calls stay open.
    answer = await org.post(f"/api/v1/followups/{first}", json={"outcome": "in_process",
                                                                "notes": "正在面试"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "done" and answer.json()["outcome"] == "in_process"
    assert statuses(await tasks_of(i1)) == [("done", "in_process"), ("open", None),
                                            ("open", None)]
    # Hired at the 30-day call: the 90-day call is closed; the employer and position are the
    # intention's.
    answer = await org.post(f"/api/v1/followups/{second}", json={
        "outcome": "hired", "started_on": today.isoformat()})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["employer"], body["position"]) == (s["e1"].employer_id, s["p1"])
    assert body["started_on"] == today.isoformat()
    assert statuses(await tasks_of(i1)) == [("done", "in_process"), ("done", "hired"),
                                            ("closed", None)]
    # A closed call takes no outcome; an earlier answered one is not the latest any more.
    body = problem(await org.post(f"/api/v1/followups/{third}",
                                  json={"outcome": "declined"}), 409)
    assert body["errors"][0]["code"] == "followup_closed"
    body = problem(await org.post(f"/api/v1/followups/{first}",
                                  json={"outcome": "declined"}), 409)
    assert body["errors"][0]["code"] == "not_latest"
    # Correcting the hire to "unreachable" reopens the call it closed.
    answer = await org.post(f"/api/v1/followups/{second}", json={"outcome": "unreachable"})
    assert answer.status_code == 200, answer.text
    assert statuses(await tasks_of(i1)) == [("done", "in_process"), ("done", "unreachable"),
                                            ("open", None)]
    # Declined at 90 days: final.
    answer = await org.post(f"/api/v1/followups/{third}", json={"outcome": "declined"})
    assert answer.json()["status"] == "done"
    # Every change is in the audit log, under the fair's organisation.
    rows = await db.fetch("SELECT action, role, org_path FROM audit_entry WHERE object_type = "
                          "'followup' ORDER BY id")
    assert [r["action"] for r in rows] == ["followup.outcome"] * 4
    assert {r["role"] for r in rows} == {"organiser"}


async def test_a_later_call_recorded_first_closes_the_earlier_one(app, new_client, world):
    s = await build(app, new_client, world)
    org, i2 = s["organiser"], s["i2"]["id"]
    second = await task_id(org, i2, 2)
    answer = await org.post(f"/api/v1/followups/{second}", json={"outcome": "unreachable"})
    assert answer.status_code == 200, answer.text
    assert statuses(await tasks_of(i2)) == [("closed", None), ("done", "unreachable"),
                                            ("open", None)]


async def test_the_employer_confirms_a_hire_of_its_own_intentions_only(app, new_client, world):
    s = await build(app, new_client, world)
    i1, i3 = s["i1"]["id"], s["i3"]["id"]
    start = (clock.today_local() + timedelta(days=3)).isoformat()
    answer = await s["e1"].post(f"/api/v1/intentions/{i1}/hire", json={"started_on": start})
    assert answer.status_code == 200, answer.text
    assert answer.json()["hired"] is True and answer.json()["started_on"] == start
    assert statuses(await tasks_of(i1)) == [("done", "hired"), ("closed", None),
                                            ("closed", None)]
    # Again: nothing changes (one audit entry, one hire).
    again = await s["e1"].post(f"/api/v1/intentions/{i1}/hire", json={"started_on": start})
    assert again.status_code == 200
    rows = await db.fetch("SELECT role, action FROM audit_entry WHERE object_type = 'followup'")
    assert [(r["role"], r["action"]) for r in rows] == [("employer", "followup.outcome")]
    # Another company's intention; an organiser (the employers' API); nobody.
    body = problem(await s["e1"].post(f"/api/v1/intentions/{i3}/hire",
                                      json={"started_on": start}), 403)
    assert body["code"] == "other_employer"
    problem(await s["organiser"].post(f"/api/v1/intentions/{i3}/hire",
                                      json={"started_on": start}), 403)
    problem(await make_client(app).post(f"/api/v1/intentions/{i3}/hire",
                                        json={"started_on": start}), 401)
    problem(await s["e1"].post("/api/v1/intentions/999999/hire", json={"started_on": start}),
            404)
    assert statuses(await tasks_of(i3)) == [("open", None)] * 3
    # A start date before the intention, or none.
    body = problem(await s["e2"].post(f"/api/v1/intentions/{i3}/hire", json={
        "started_on": (clock.today_local() - timedelta(days=30)).isoformat()}), 422)
    assert body["errors"][0]["field"] == "started_on"
    body = problem(await s["e2"].post(f"/api/v1/intentions/{i3}/hire", json={}), 400)
    assert body["errors"][0]["field"] == "started_on"
    # The employer's list shows its own intentions, names masked.
    mine = (await s["e1"].get("/api/v1/me/intentions")).json()
    assert {i["id"] for i in mine["items"]} == {i1, s["i2"]["id"]}
    assert {i["name"] for i in mine["items"]} == {"赵*", "钱*"}


async def test_scope_other_districts_and_sub_areas_are_refused(app, new_client, world):
    s = await build(app, new_client, world)
    task = await task_id(s["organiser"], s["i1"]["id"], 1)
    jiaozhou = await login_as(new_client, "jiaozhou")
    gzk = await login_as(new_client, "gzk")
    admin = await login_as(new_client, "admin")
    for other in (jiaozhou, gzk):
        assert (await followups(other))["items"] == []
        problem(await other.post(f"/api/v1/followups/{task}", json={"outcome": "declined"}), 403)
        problem(await other.post(f"/api/v1/followups/{task}/phone"), 403)
        problem(await other.get(f"/api/v1/followups/{task}"), 403)
        problem(await other.get("/api/v1/followups", params={"fair": s["fair"]["id"]}), 403)
    assert len((await followups(admin))["items"]) == 9
    anonymous = make_client(app)
    problem(await anonymous.get("/api/v1/followups"), 401)
    problem(await anonymous.post(f"/api/v1/followups/{task}", json={"outcome": "hired"}), 401)
    problem(await anonymous.post(f"/api/v1/followups/{task}/phone"), 401)
    problem(await s["e1"].get("/api/v1/followups"), 403)
    problem(await s["e1"].post(f"/api/v1/followups/{task}", json={"outcome": "declined"}), 403)
    problem(await s["organiser"].get("/api/v1/me/intentions"), 403)
    assert statuses(await tasks_of(s["i1"]["id"]))[0] == ("open", None)


async def test_bad_input_is_named(app, new_client, world):
    s = await build(app, new_client, world)
    org = s["organiser"]
    task = await task_id(org, s["i1"]["id"], 1)
    url = f"/api/v1/followups/{task}"
    cases = [
        ({"outcome": "hired"}, 422, "started_on"),
        ({"outcome": "declined", "started_on": date.today().isoformat()}, 422, "started_on"),
        ({"outcome": "promoted"}, 400, "outcome"),
        ({}, 400, "outcome"),
        ({"outcome": "hired", "started_on": "1999-01-01"}, 400, "started_on"),
        ({"outcome": "hired", "started_on": "2027-02-30"}, 400, "started_on"),
        ({"outcome": "in_process", "notes": "长" * 2001}, 400, "notes"),
        ({"outcome": "hired", "started_on": (date.today() + timedelta(days=400)).isoformat()},
         422, "started_on"),
    ]
    for body, status, field in cases:
        found = problem(await org.post(url, json=body), status)
        assert found["errors"][0]["field"] == field, (body, found)
    for params, status, field in (({"due_before": "2027-13-01"}, 422, "due_before"),
                                  ({"due_before": "1999-12-31"}, 422, "due_before"),
                                  ({"status": "lost"}, 422, "status"),
                                  ({"audience": "martians"}, 422, "audience"),
                                  ({"fair": 999999}, 422, "fair"),
                                  ({"limit": 0}, 400, "limit")):
        found = problem(await org.get("/api/v1/followups", params=params), status)
        assert found["errors"][0]["field"] == field, (params, found)
    problem(await org.post("/api/v1/followups/999999", json={"outcome": "declined"}), 404)
    assert statuses(await tasks_of(s["i1"]["id"]))[0] == ("open", None)


async def test_the_list_filters_and_orders_overdue_first(app, new_client, world):
    s = await build(app, new_client, world)
    org = s["organiser"]
    # The first call of i2 is overdue: its intention was two weeks ago.
    past = clock.now() - timedelta(days=14)
    await db.execute("UPDATE followup_task SET due_on = {} WHERE intention = {} AND step = 1",
                     (past + timedelta(days=7)).date(), s["i2"]["id"])
    found = await followups(org)
    first = found["items"][0]
    assert (first["intention"], first["step"], first["overdue"]) == (s["i2"]["id"], 1, True)
    assert found["counts"]["overdue"] == 1 and found["counts"]["open"] == 9
    dues = [i["due_on"] for i in found["items"][1:]]
    assert dues == sorted(dues)
    soon = (clock.today_local() + timedelta(days=8)).isoformat()
    assert {i["step"] for i in (await followups(org, due_before=soon))["items"]} == {1}
    graduates = await followups(org, audience="graduates")
    assert {i["intention"] for i in graduates["items"]} == {s["i1"]["id"]}
    assert all(i["graduate"] and i["audiences"] == ["graduates"] for i in graduates["items"])
    assert (await followups(org, status="done"))["items"] == []
    assert len((await followups(org, fair=s["fair"]["id"], limit=2))["items"]) == 2
    assert (await followups(org, fair=s["fair"]["id"], limit=2))["total"] == 9


async def test_concurrent_outcomes_leave_one_consistent_state(app, new_client, world):
    """The organiser's call and the employer's confirmation at once, five times each: each
    answer is 200 (or 409), never a server error, and the intention ends in one state."""
    import asyncio

    s = await build(app, new_client, world)
    i1 = s["i1"]["id"]
    first = await task_id(s["organiser"], i1, 1)
    day = clock.today_local().isoformat()
    calls = []
    for _ in range(5):
        calls.append(s["organiser"].post(f"/api/v1/followups/{first}",
                                         json={"outcome": "declined"}))
        calls.append(s["e1"].post(f"/api/v1/intentions/{i1}/hire", json={"started_on": day}))
    answers = await asyncio.gather(*calls)
    assert {a.status_code for a in answers} <= {200, 409}, [a.text for a in answers]
    found = await tasks_of(i1)
    assert found[0]["status"] == "done" and found[0]["outcome"] in ("declined", "hired")
    assert [(t["status"], t["outcome"]) for t in found[1:]] == [("closed", None)] * 2
