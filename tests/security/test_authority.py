"""Issue 13, the edges of authority (items 9, 10, 11 and 13), attacked through HTTP as the
organisers of a district (xha), one of its sub-areas (gzk), a sibling district (jiaozhou), an
employer and an anonymous attendee would.

9. The city-wide booking rules are an admin's, and every change is audited (before, after).
10. A login for an employer is made by its own staff, an organiser over it (the employer booked
    at a fair of the organiser's subtree) or an admin; audited. Another district cannot make
    one and read the employer's bookings through it.
11. Drafts hold nothing: another organisation's draft neither blocks a venue nor is named in a
    409; publishing re-checks, so two drafts of one slot are never both published; the planner
    ignores other organisations' drafts.
13. Self check-in admits tickets only: an employer's booking code there is an unknown code.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fairs import db
from fairs.i18n import TZ
from tests.conftest import login_as
from tests.employers.conftest import employers_with_tokens, make_fair, registration

RULES = {"free_cancel_workdays": 1, "no_show_limit": 2, "window_days": 365,
         "suspension_days": 90}


def day_at(days: int, hour: int) -> str:
    base = datetime.now(TZ).replace(hour=hour, minute=0, second=0, microsecond=0)
    return (base + timedelta(days=days)).isoformat()


async def audit_entries(admin, action: str) -> list[dict]:
    answer = await admin.get("/api/v1/audit", params={"action": action})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


# --- 9. booking rules ---------------------------------------------------------------------------


async def test_only_an_admin_changes_the_booking_rules_and_it_is_audited(new_client, world):
    organiser = await login_as(new_client, "organiser")
    street = await login_as(new_client, "gzk")
    sibling = await login_as(new_client, "jiaozhou")
    for who in (organiser, street, sibling):
        refused = await who.put("/api/v1/booking-rules",
                                json={"no_show_limit": 100, "suspension_days": 0})
        assert refused.status_code == 403, refused.text
        # The organisers' page form is refused the same way.
        form = await who.post("/organiser/booking-rules",
                              data={"no_show_limit": "100", "suspension_days": "0"})
        assert form.status_code == 403
    assert (await organiser.get("/api/v1/booking-rules")).json() == RULES
    admin = await login_as(new_client, "admin")
    assert await audit_entries(admin, "booking_rules.update") == []
    changed = await admin.put("/api/v1/booking-rules",
                              json={"no_show_limit": 3, "suspension_days": 30})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**RULES, "no_show_limit": 3, "suspension_days": 30}
    [entry] = await audit_entries(admin, "booking_rules.update")
    assert entry["actor"] == "admin"
    assert entry["before"] == {"no_show_limit": 2, "suspension_days": 90}
    assert entry["after"] == {"no_show_limit": 3, "suspension_days": 30}
    # The organisers' ledger page shows the rules without a form to change them.
    ledger = await organiser.get("/organiser/no-shows")
    assert ledger.status_code == 200 and "Save rules" not in ledger.text
    assert "保存规则" not in ledger.text


# --- 10. employer logins ------------------------------------------------------------------------


async def test_a_login_for_an_employer_only_by_an_organiser_over_it(app, new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, booths=2)
    booked, pending = await employers_with_tokens(2, start=8100)
    hr = new_client()
    hr.headers["authorization"] = f"Bearer {booked['token']}"
    assert (await hr.post(f"/api/v1/fairs/{fair['id']}/bookings",
                          json={"booth": "A01"})).status_code == 201
    body = {"username": "sibling-made", "password": "employer-pass-1"}
    # Another district, and a sub-area of the fair's district, are not over the employer.
    for name in ("jiaozhou", "gzk"):
        who = await login_as(new_client, name)
        refused = await who.post(f"/api/v1/employers/{booked['id']}/staff", json=body)
        assert refused.status_code == 403, refused.text
    # No login was made: nobody reads the employer's bookings through one.
    attempt = await new_client().post("/api/v1/auth/login", json=body)
    assert attempt.status_code == 401
    # An employer that booked nowhere: only an admin (or its own staff) adds a login.
    refused = await organiser.post(f"/api/v1/employers/{pending['id']}/staff",
                                   json={"username": "org-made-2", "password": "x" * 12})
    assert refused.status_code == 403
    # The organisers over the fair, an admin and the employer's own staff may; audited.
    admin = await login_as(new_client, "admin")
    for who, username in ((organiser, "org-made"), (admin, "admin-made"), (hr, "hr-made")):
        made = await who.post(f"/api/v1/employers/{booked['id']}/staff",
                              json={"username": username, "password": "employer-pass-1"})
        assert made.status_code == 201, made.text
    made = await admin.post(f"/api/v1/employers/{pending['id']}/staff",
                            json={"username": "admin-made-2", "password": "employer-pass-1"})
    assert made.status_code == 201
    entries = await audit_entries(admin, "employer.staff_add")
    assert sorted((e["actor"], e["object_id"], e["after"]["username"]) for e in entries) == \
        sorted([("organiser", str(booked["id"]), "org-made"),
                ("admin", str(booked["id"]), "admin-made"),
                (registration(8100)["username"], str(booked["id"]), "hr-made"),
                ("admin", str(pending["id"]), "admin-made-2")])
    assert all("password" not in (e["after"] or {}) for e in entries)


async def test_another_district_cannot_overturn_an_employers_approval(new_client, world):
    """A new company is any organiser's to decide (nobody is over it yet); once decided, only
    the organisers over it (or an admin) change the decision; each decision is audited."""
    organiser = await login_as(new_client, "organiser")
    sibling = await login_as(new_client, "jiaozhou")
    fair = await make_fair(organiser, world, booths=2)
    booked, = await employers_with_tokens(1, start=8300)
    pending, = await employers_with_tokens(1, start=8301, approve=False)
    hr = new_client()
    hr.headers["authorization"] = f"Bearer {booked['token']}"
    assert (await hr.post(f"/api/v1/fairs/{fair['id']}/bookings",
                          json={"booth": "A01"})).status_code == 201
    refused = await sibling.post(f"/api/v1/employers/{booked['id']}/reject",
                                 json={"reason": "恶意驳回"})
    assert refused.status_code == 403, refused.text
    assert (await organiser.get(f"/api/v1/employers/{booked['id']}")).json()["status"] == \
        "approved"
    assert (await sibling.post(f"/api/v1/employers/{pending['id']}/approve")).status_code == 200
    # The deciding district may correct itself; xha, which it has no dealings with, may not.
    assert (await organiser.post(f"/api/v1/employers/{pending['id']}/reject",
                                 json={"reason": "x"})).status_code == 403
    assert (await organiser.post(f"/api/v1/employers/{booked['id']}/reject",
                                 json={"reason": "资料有误"})).status_code == 200
    admin = await login_as(new_client, "admin")
    rejected = await audit_entries(admin, "employer.reject")
    assert [(e["actor"], e["before"], e["after"]["status"]) for e in rejected] == [
        ("organiser", {"status": "approved"}, "rejected")]
    approved = await audit_entries(admin, "employer.approve")
    assert [(e["actor"], e["object_id"]) for e in approved] == [("jiaozhou", str(pending["id"]))]
    assert (await sibling.post(f"/api/v1/employers/{pending['id']}/reject",
                               json={"reason": "营业执照过期"})).status_code == 200


# --- 11. drafts and conflicts -------------------------------------------------------------------


def _fair_body(world, title: str, days: int = 20) -> dict:
    return {"kind": "offline", "title": title, "starts_at": day_at(days, 9),
            "ends_at": day_at(days, 12), "venue": world["venue:西海岸新区人力资源市场"],
            "industries": ["software"], "audiences": ["general"]}


async def test_a_sibling_draft_holds_no_venue_and_is_never_named(new_client, world):
    organiser = await login_as(new_client, "organiser")
    sibling = await login_as(new_client, "jiaozhou")
    secret_title = "胶州内部草稿·勿外传"
    draft = await sibling.post("/api/v1/fairs", json=_fair_body(world, secret_title))
    assert draft.status_code == 201, draft.text
    # The district whose venue it is can still plan and publish its fair there.
    mine = await organiser.post("/api/v1/fairs", json=_fair_body(world, "新区春季招聘会"))
    assert mine.status_code == 201, mine.text
    assert secret_title not in mine.text
    published = await organiser.post(f"/api/v1/fairs/{mine.json()['id']}/publish")
    assert published.status_code == 200, published.text
    # The sibling's draft can no longer be published: 409 without xha's title or id.
    clash = await sibling.post(f"/api/v1/fairs/{draft.json()['id']}/publish")
    assert clash.status_code == 409, clash.text
    body = clash.json()
    assert "新区春季招聘会" not in clash.text and "其他单位的招聘会" in body["detail"]
    assert "conflicting_fair" not in body
    assert (await sibling.get(f"/api/v1/fairs/{draft.json()['id']}")).json()["status"] == \
        "draft"
    # A new fair of the sibling over xha's published one: 409, not naming it either.
    again = await sibling.post("/api/v1/fairs", json=_fair_body(world, "再试一次"))
    assert again.status_code == 409 and "新区春季招聘会" not in again.text
    # xha's own organisers are told which of their fairs is in the way.
    own = await organiser.post("/api/v1/fairs", json=_fair_body(world, "重复"))
    assert own.status_code == 409 and "新区春季招聘会" in own.text
    assert own.json()["conflicting_fair"] == mine.json()["id"]


async def test_two_drafts_of_one_slot_are_never_both_published(new_client, world):
    organiser = await login_as(new_client, "organiser")
    sibling = await login_as(new_client, "jiaozhou")
    ids = []
    for who, title in ((organiser, "新区场"), (sibling, "胶州场")):
        made = await who.post("/api/v1/fairs", json=_fair_body(world, title, days=25))
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    answers = await asyncio.gather(organiser.post(f"/api/v1/fairs/{ids[0]}/publish"),
                                   sibling.post(f"/api/v1/fairs/{ids[1]}/publish"))
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    rows = await db.fetch("SELECT COUNT(*) AS n FROM fair WHERE status = 'published'")
    assert rows[0]["n"] == 1


async def test_the_planner_ignores_another_organisations_drafts(new_client, world):
    organiser = await login_as(new_client, "organiser")
    sibling = await login_as(new_client, "jiaozhou")
    start = datetime.now(TZ).date() + timedelta(days=30)
    plan = await organiser.post("/api/v1/plans", json={
        "title": "新区计划", "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=20)).isoformat(), "targets": {"offline": 3}})
    assert plan.status_code == 201, plan.text
    url = f"/api/v1/plans/{plan.json()['id']}/proposals"
    first = (await organiser.post(url, json={})).json()["fairs"]
    assert first
    # The sibling drafts a fair on each proposed venue and time.
    for f in first:
        made = await sibling.post("/api/v1/fairs", json={
            "kind": f["kind"], "title": "胶州草稿", "starts_at": f["starts_at"],
            "ends_at": f["ends_at"], "venue": f["venue"], "channel": f["channel"],
            "industries": ["software"], "audiences": ["general"]})
        assert made.status_code == 201, made.text
    # Nothing changes for xha's planner: the drafts hold nothing and are not shown.
    second = (await organiser.post(url, json={})).json()["fairs"]
    assert second == first
    accepted = await organiser.post(f"{url}/accept", json={"fairs": second})
    assert accepted.status_code == 201, accepted.text
    published = await organiser.post(f"/api/v1/plans/{plan.json()['id']}/publish")
    assert published.status_code == 200, published.text
    # The planner does avoid its own organisation's drafts (it would propose them twice).
    third = (await organiser.post(url, json={})).json()["fairs"]
    assert not {(f["starts_at"], f["venue"]) for f in third} & {
        (f["starts_at"], f["venue"]) for f in first}


async def test_publishing_a_plan_is_all_or_nothing_when_a_place_was_taken(new_client, world):
    organiser = await login_as(new_client, "organiser")
    sibling = await login_as(new_client, "jiaozhou")
    start = datetime.now(TZ).date() + timedelta(days=30)
    plan = (await organiser.post("/api/v1/plans", json={
        "title": "新区计划", "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=20)).isoformat(), "targets": {"offline": 3}})).json()
    url = f"/api/v1/plans/{plan['id']}"
    fairs = (await organiser.post(f"{url}/proposals", json={})).json()["fairs"]
    assert (await organiser.post(f"{url}/proposals/accept", json={"fairs": fairs})
            ).status_code == 201
    # Meanwhile the sibling district publishes a fair on the last proposed place and time.
    last = fairs[-1]
    theirs = await sibling.post("/api/v1/fairs", json={
        "kind": last["kind"], "title": "胶州抢先场", "starts_at": last["starts_at"],
        "ends_at": last["ends_at"], "venue": last["venue"], "channel": last["channel"],
        "industries": ["software"], "audiences": ["general"]})
    assert theirs.status_code == 201, theirs.text
    assert (await sibling.post(f"/api/v1/fairs/{theirs.json()['id']}/publish")
            ).status_code == 200
    clash = await organiser.post(f"{url}/publish")
    assert clash.status_code == 409 and "胶州抢先场" not in clash.text, clash.text
    drafts = (await organiser.get("/api/v1/fairs", params={"status": "draft"})).json()
    assert drafts["total"] == len(fairs)  # none of the plan's drafts was published


# --- 13. self check-in --------------------------------------------------------------------------


async def test_self_check_in_refuses_a_booking_code_as_an_unknown_code(app, new_client, world):
    from fairs.checkin import selfcheckin as checkin

    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, booths=2, days=3)
    [employer] = await employers_with_tokens(1, start=8200)
    hr = new_client()
    hr.headers["authorization"] = f"Bearer {employer['token']}"
    booking = await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"})
    assert booking.status_code == 201, booking.text
    code = (await hr.get(f"/api/v1/bookings/{booking.json()['id']}")).json()["code"]
    start = datetime.now(TZ) - timedelta(minutes=30)
    await db.execute("UPDATE fair SET starts_at = {}, ends_at = {} WHERE id = {}", start,
                     start + timedelta(hours=4), fair["id"])
    token = checkin.self_token(app.state.settings.secret_key, fair["id"])[0]
    attendee = new_client()
    url = f"/api/v1/fairs/{fair['id']}/self-checkin"
    taken = await attendee.post(url, json={"token": token, "code": code})
    unknown = await attendee.post(url, json={"token": token, "code": "B" + "7" * (len(code) - 1)})
    assert taken.status_code == unknown.status_code == 200, taken.text
    assert taken.json()["result"] == "unknown"
    assert {k: v for k, v in taken.json().items() if k != "counts"} == \
        {k: v for k, v in unknown.json().items() if k != "counts"}
    attendance = (await attendee.get(f"/api/v1/fairs/{fair['id']}/attendance")).json()
    assert attendance["employers_present"] == 0
    # The door's scanner still admits the employer with the same code.
    scanner = await login_as(new_client, "scanner")
    door = await scanner.post(f"/api/v1/fairs/{fair['id']}/checkins", json={"code": code})
    assert door.status_code == 200 and door.json()["result"] == "ok", door.text
    attendance = (await attendee.get(f"/api/v1/fairs/{fair['id']}/attendance")).json()
    assert attendance["employers_present"] == 1


async def test_the_layout_sources_name_no_other_organisations_draft(new_client, world):
    """The booth editor offers layouts to copy from other fairs at the venue: another
    district's draft there is neither listed nor named."""
    organiser = await login_as(new_client, "organiser")
    sibling = await login_as(new_client, "jiaozhou")
    secret_title = "胶州内部草稿·勿外传"
    draft = (await sibling.post("/api/v1/fairs", json=_fair_body(world, secret_title))).json()
    layout = {"booths": [{"code": "J01", "zone": "J"}]}
    assert (await sibling.put(f"/api/v1/fairs/{draft['id']}/booths", json=layout)
            ).status_code == 200
    mine = await make_fair(organiser, world, booths=2, days=40, publish=False)
    page = await organiser.get(f"/organiser/fairs/{mine['id']}/booths")
    assert page.status_code == 200 and secret_title not in page.text
    # Nor may its layout be copied.
    copied = await organiser.post(f"/api/v1/fairs/{mine['id']}/booths/copy",
                                  json={"from": draft["id"]})
    assert copied.status_code == 404


async def test_an_organisation_code_cannot_widen_a_subtree(new_client, world):
    """A subtree is matched by its path's prefix: a code with LIKE's wildcards (`_`, `%`) or a
    '/' would make an organisation whose staff match others' paths. Such codes are refused,
    naming the field, and so are unbounded names."""
    admin = await login_as(new_client, "admin")
    for code in ("x%", "xh_", "a/b", "", "c" * 33):
        answer = await admin.post("/api/v1/orgs", json={
            "code": code, "name_zh": "测试街道", "kind": "street", "parent": "xha"})
        assert answer.status_code in (400, 422), (code, answer.text)
        assert "code" in {e["field"] for e in answer.json()["errors"]}, answer.text
    long_name = await admin.post("/api/v1/orgs", json={
        "code": "longname", "name_zh": "长" * 101, "kind": "street", "parent": "xha"})
    assert long_name.status_code in (400, 422), long_name.text
    made = await admin.post("/api/v1/orgs", json={
        "code": "new-street", "name_zh": "新街道", "kind": "street", "parent": "xha"})
    assert made.status_code == 201, made.text
