"""Services to employers through the API as organisers use it (API.md Revision 2, "Employer
services"): record, list (fair attendance included, recorded by itself), change, delete,
audited; bad input named; and the attacks of those who do not serve the company."""

from __future__ import annotations

from datetime import timedelta

from fairs import clock
from tests.outreach.conftest import attend, days_ago, employer_client, ok, record


async def test_an_organiser_records_a_service_and_lists_it_with_the_fairs_attended(out):
    fair_day = days_ago(20)
    fair_id = await attend(out.staff["organiser"], out.world, out.a, fair_day, out.organiser)
    made = await ok(await out.organiser.post(f"/api/v1/employers/{out.a.id}/services", json={
        "kind": "visit", "on": days_ago(3).isoformat(),
        "topics": ["subsidies", "recruiting", "recruiting"], "notes": "走访了解用工缺口约20人",
        "staff_names": "张伟、李娜", "follow_up_on": days_ago(-7).isoformat()}), 201)
    assert made["kind"] == "visit" and made["on"] == days_ago(3).isoformat()
    assert made["topics"] == ["recruiting", "subsidies"]  # each once, in the catalogue's order
    assert made["staff"]["id"] == out.staff["organiser"].id and made["org"] == "xha"
    assert made["staff_names"] == "张伟、李娜" and made["source"] == "recorded"
    assert made["follow_up_on"] == days_ago(-7).isoformat()

    listed = await ok(await out.organiser.get(f"/api/v1/employers/{out.a.id}/services"))
    assert listed["total"] == 2
    newest, fair = listed["items"]
    assert newest["id"] == made["id"]
    # The fair attendance, recorded by itself: no id, kind "fair", the fair, its day.
    assert fair["id"] is None and fair["source"] == "fair" and fair["kind"] == "fair"
    assert fair["fair"]["id"] == fair_id and fair["on"] == fair_day.isoformat()
    assert fair["staff"] is None and fair["org"] == "xha"
    # One service, by its id; the ledger lists it.
    assert (await ok(await out.organiser.get(f"/api/v1/services/{made['id']}")))["notes"] \
        == "走访了解用工缺口约20人"
    ledger = await ok(await out.organiser.get("/api/v1/services"))
    assert [s["id"] for s in ledger["items"]] == [made["id"]] and ledger["total"] == 1


async def test_change_and_delete_are_audited(out):
    made = await record(out.organiser, out.a.id, "phone", days_ago(1), notes="电话回访")
    changed = await ok(await out.organiser.patch(f"/api/v1/services/{made['id']}", json={
        "kind": "visit", "notes": "改为实地走访", "follow_up_on": None}))
    assert changed["kind"] == "visit" and changed["notes"] == "改为实地走访"
    assert changed["on"] == days_ago(1).isoformat() and changed["updated_at"]
    assert (await out.organiser.delete(f"/api/v1/services/{made['id']}")).status_code == 204
    assert (await out.organiser.get(f"/api/v1/services/{made['id']}")).status_code == 404
    log = await ok(await out.admin.get("/api/v1/audit", params={"object_id": str(out.a.id)}))
    actions = [e["action"] for e in log["items"]]
    assert actions[:3] == ["employer.service_delete", "employer.service_update",
                           "employer.service_add"]
    update = log["items"][1]
    assert update["before"]["kind"] == "phone" and update["after"]["kind"] == "visit"
    assert log["items"][0]["before"]["notes"] == "改为实地走访"


async def test_a_parent_organisation_changes_its_sub_areas_records_not_the_reverse(out):
    """gzk serves A once it booked at gzk's fair; xha (its parent) may change gzk's record;
    gzk may not change xha's."""
    gzk_fair = await attend(out.staff["gzk"], out.world, out.a, days_ago(30), out.gzk)
    assert gzk_fair
    theirs = await record(out.gzk, out.a.id, "phone", days_ago(2))
    assert theirs["org"] == "gzk"
    ours = await record(out.organiser, out.a.id, "visit", days_ago(2))
    assert (await out.organiser.patch(f"/api/v1/services/{theirs['id']}",
                                      json={"notes": "上级补充"})).status_code == 200
    refused = await out.gzk.patch(f"/api/v1/services/{ours['id']}", json={"notes": "x"})
    assert refused.status_code == 403 and refused.json()["code"] \
        == "not_your_record"
    assert (await out.gzk.delete(f"/api/v1/services/{ours['id']}")).status_code == 403


async def test_outsiders_can_neither_record_nor_read(out, new_client):
    made = await record(out.organiser, out.a.id, "visit", days_ago(1), notes="内部备注")
    service = f"/api/v1/services/{made['id']}"
    body = {"kind": "phone", "on": days_ago(1).isoformat()}
    # Another district, and xha's own sub-area (A dealt with xha, not gzk): 403.
    for outsider in (out.jiaozhou, out.gzk):
        for method, path, json in (
                ("POST", f"/api/v1/employers/{out.a.id}/services", body),
                ("GET", f"/api/v1/employers/{out.a.id}/services", None),
                ("GET", service, None), ("PATCH", service, {"notes": "篡改"}),
                ("DELETE", service, None),
                ("GET", f"/api/v1/employers/{out.a.id}/officers", None),
                ("POST", f"/api/v1/employers/{out.a.id}/officers",
                 {"user": out.staff["jiaozhou"].id})):
            answer = await outsider.request(method, path, json=json)
            assert answer.status_code == 403, (method, path, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        ledger = await ok(await outsider.get("/api/v1/services"))
        assert ledger["total"] == 0 and "内部备注" not in str(ledger)
    # The employer itself, door staff and anyone without a login.
    employer = employer_client(new_client, out.a)
    anonymous = new_client()
    for caller, status in ((employer, 403), (out.scanner, 403), (anonymous, 401)):
        for method, path, json in (
                ("POST", f"/api/v1/employers/{out.a.id}/services", body),
                ("GET", f"/api/v1/employers/{out.a.id}/services", None),
                ("GET", "/api/v1/services", None), ("PATCH", service, {"notes": "x"}),
                ("DELETE", service, None), ("GET", "/api/v1/officers/me/employers", None),
                ("GET", "/api/v1/outreach/uncontacted", None)):
            answer = await caller.request(method, path, json=json)
            assert answer.status_code == status, (method, path, answer.text)
    # Nothing changed.
    assert (await ok(await out.organiser.get(service)))["notes"] == "内部备注"
    listed = await ok(await out.organiser.get(f"/api/v1/employers/{out.a.id}/services"))
    assert listed["total"] == 1
    # An unknown employer is unknown, to anyone.
    assert (await out.organiser.get("/api/v1/employers/999999/services")).status_code == 404


async def test_bad_input_is_a_422_naming_the_field(out):
    path = f"/api/v1/employers/{out.a.id}/services"
    today = clock.today_local()
    good = {"kind": "visit", "on": today.isoformat()}
    cases = [
        ({**good, "kind": "meeting"}, "kind", "invalid_choice"),
        ({**good, "on": "1999-12-31"}, "on", "out_of_range"),
        ({**good, "on": "2101-01-01"}, "on", "out_of_range"),
        ({**good, "on": (today + timedelta(days=1)).isoformat()}, "on", "in_future"),
        ({**good, "topics": ["recruiting", "training", "social_insurance", "subsidies",
                             "labour_relations", "other", "recruiting"]}, "topics", "too_many"),
        ({**good, "topics": ["recruiting", "golf"]}, "topics[1]", "invalid_choice"),
        ({**good, "notes": "长" * 2001}, "notes", "too_long"),
        ({**good, "staff_names": "x" * 150 + "  " + "y" * 60}, "staff_names", None),
        ({**good, "follow_up_on": "2100-12-31T00:00"}, "follow_up_on", None),
        ({**good, "follow_up_on": (today - timedelta(days=1)).isoformat()}, "follow_up_on",
         "before_start"),
        ({**good, "follow_up_on": "9999-01-01"}, "follow_up_on", "out_of_range"),
    ]
    for body, field, code in cases:
        answer = await out.organiser.post(path, json=body)
        assert answer.status_code in ((422,) if code else (400, 422)), (body, answer.text)
        error = answer.json()["errors"][0]
        assert error["field"] == field, (body, error)
        if code:
            assert error["code"] == code, (body, error)
        assert error["message"] and "Traceback" not in answer.text
    # The same rules when a record changes.
    made = await record(out.organiser, out.a.id, "visit", today)
    for patch, field in (({"kind": "lunch"}, "kind"), ({"on": "1900-01-01"}, "on"),
                         ({"notes": "x" * 2001}, "notes")):
        answer = await out.organiser.patch(f"/api/v1/services/{made['id']}", json=patch)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field
    # Nothing half-written.
    listed = await ok(await out.organiser.get(f"/api/v1/employers/{out.a.id}/services"))
    assert listed["total"] == 1 and listed["items"][0]["kind"] == "visit"
    # The ledger's filters are checked too.
    for query, field in (({"kind": "x"}, "kind"), ({"month": "2026-13"}, "month"),
                         ({"month": "1999-12"}, "month")):
        answer = await out.organiser.get("/api/v1/services", params=query)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field


async def test_the_ledger_filters_by_kind_month_and_staff(out):
    this_month = clock.today_local().replace(day=1)
    last_month = this_month - timedelta(days=1)
    await record(out.organiser, out.a.id, "visit", this_month)
    await record(out.organiser, out.b.id, "phone", last_month)
    theirs = await record(out.admin, out.c.id, "policy", last_month)
    everything = await ok(await out.organiser.get("/api/v1/services"))
    # The admin's record counts for the top organisation, above xha: not in xha's ledger.
    assert everything["total"] == 2 and theirs["org"] == "qd"
    assert (await ok(await out.admin.get("/api/v1/services")))["total"] == 3
    phone = await ok(await out.organiser.get("/api/v1/services", params={"kind": "phone"}))
    assert [s["employer"] for s in phone["items"]] == [out.b.id]
    month = last_month.strftime("%Y-%m")
    found = await ok(await out.admin.get("/api/v1/services", params={"month": month}))
    assert sorted(s["employer"] for s in found["items"]) == sorted([out.b.id, out.c.id])
    mine = await ok(await out.admin.get("/api/v1/services",
                                        params={"staff": out.staff["admin"].id}))
    assert [s["id"] for s in mine["items"]] == [theirs["id"]]
    paged = await ok(await out.admin.get("/api/v1/services", params={"limit": 1, "offset": 2}))
    assert paged["total"] == 3 and len(paged["items"]) == 1
