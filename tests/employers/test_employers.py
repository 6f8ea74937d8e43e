"""Employers: self-registration (API and page), checks, approval, staff accounts (API.md
"Accounts")."""

from __future__ import annotations

from tests.conftest import login_as
from tests.employers.conftest import make_uscc, registration
from tests.test_accounts import problem


async def test_register_login_and_approval(new_client, world):
    anon = new_client()
    made = await anon.post("/api/v1/employers", json=registration(1))
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "pending"
    employer_id = made.json()["id"]

    hr = await new_client().login("hr1", "employer-pass-1")
    me = (await hr.get("/api/v1/auth/me")).json()
    assert me["roles"] == ["employer"] and me["employer"] == employer_id
    mine = (await hr.get(f"/api/v1/employers/{employer_id}")).json()
    assert mine["contact_phone"] == "138****0001"  # stored +8613812340001, shown masked
    assert mine["status"] == "pending"

    organiser = await login_as(new_client, "organiser")
    listed = (await organiser.get("/api/v1/employers", params={"status": "pending"})).json()
    assert listed["total"] == 1 and listed["items"][0]["uscc"] == make_uscc(1)
    problem(await hr.post(f"/api/v1/employers/{employer_id}/approve"), 403)
    approved = await organiser.post(f"/api/v1/employers/{employer_id}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert (await hr.get(f"/api/v1/employers/{employer_id}")).json()["status"] == "approved"


async def test_checks_name_the_field(new_client, world):
    anon = new_client()
    bad_digit = make_uscc(2)[:-1] + ("0" if make_uscc(2)[-1] != "0" else "1")
    body = problem(await anon.post("/api/v1/employers", json=registration(2, uscc=bad_digit)),
                   422)
    assert body["errors"][0]["field"] == "uscc"
    for phone in ("12345", "02188888888", "+14155550123", "1381234"):
        body = problem(await anon.post("/api/v1/employers",
                                       json=registration(3, contact_phone=phone)), 422)
        assert body["errors"][0]["field"] == "contact_phone", phone
    body = problem(await anon.post("/api/v1/employers", json=registration(4, industry="nope")),
                   422)
    assert body["errors"][0]["field"] == "industry"
    body = problem(await anon.post("/api/v1/employers", json=registration(5, password="short")),
                   422)
    assert body["errors"][0]["field"] == "password"
    # "+86 138-1234-0006" and "8613812340006" are the same mobile number
    ok = await anon.post("/api/v1/employers",
                         json=registration(6, contact_phone="+86 138-1234-0006"))
    assert ok.status_code == 201, ok.text
    organiser = await login_as(new_client, "organiser")
    assert (await organiser.get("/api/v1/employers")).json()["total"] == 1  # nothing half-made


async def test_duplicate_uscc_is_409_and_writes_nothing(new_client, world):
    anon = new_client()
    assert (await anon.post("/api/v1/employers", json=registration(7))).status_code == 201
    body = problem(await anon.post("/api/v1/employers",
                                   json=registration(7, username="other-hr")), 409)
    assert body["errors"][0]["field"] == "uscc"
    # a taken username is a 409 too, and the employer row is not left behind
    body = problem(await anon.post("/api/v1/employers", json=registration(8, username="hr7")),
                   409)
    assert body["errors"][0]["field"] == "username"
    organiser = await login_as(new_client, "organiser")
    assert (await organiser.get("/api/v1/employers")).json()["total"] == 1
    assert (await anon.post("/api/v1/employers", json=registration(8))).status_code == 201


async def test_same_uscc_at_once_registers_once(new_client, world):
    import asyncio

    anon = new_client()
    answers = await asyncio.gather(*[
        anon.post("/api/v1/employers", json=registration(9, username=f"race{i}"))
        for i in range(10)])
    assert sorted(r.status_code for r in answers) == [201] + [409] * 9


async def test_reject_with_reason_and_staff_accounts(new_client, world):
    anon = new_client()
    employer_id = (await anon.post("/api/v1/employers", json=registration(10))).json()["id"]
    organiser = await login_as(new_client, "organiser")
    body = problem(await organiser.post(f"/api/v1/employers/{employer_id}/reject", json={}), 400)
    assert body["status"] == 400
    rejected = await organiser.post(f"/api/v1/employers/{employer_id}/reject",
                                    json={"reason": "营业执照信息不符"})
    assert rejected.json()["status"] == "rejected"
    hr = await new_client().login("hr10", "employer-pass-1")
    seen = (await hr.get(f"/api/v1/employers/{employer_id}")).json()
    assert seen["status"] == "rejected" and seen["reject_reason"] == "营业执照信息不符"

    made = await hr.post(f"/api/v1/employers/{employer_id}/staff",
                         json={"username": "hr10-b", "password": "second-pass-1"})
    assert made.status_code == 201, made.text
    second = await new_client().login("hr10-b", "second-pass-1")
    assert (await second.get("/api/v1/auth/me")).json()["employer"] == employer_id
    staff = (await second.get(f"/api/v1/employers/{employer_id}/staff")).json()
    assert {s["username"] for s in staff["items"]} == {"hr10", "hr10-b"}

    other_id = (await anon.post("/api/v1/employers", json=registration(11))).json()["id"]
    problem(await hr.get(f"/api/v1/employers/{other_id}"), 403)
    problem(await hr.post(f"/api/v1/employers/{other_id}/staff",
                          json={"username": "intruder", "password": "second-pass-1"}), 403)
    # organisers' "me" carries no employer
    assert "employer" not in (await organiser.get("/api/v1/auth/me")).json()


HTML = {"accept": "text/html", "accept-language": "en"}


async def _csrf(client) -> dict:
    await client.get("/employers/register", headers=HTML)
    return {"_csrf_token": client.cookies.get("fairs_csrf") or ""}


async def test_register_through_the_page(new_client, world):
    c = new_client()
    form = await c.get("/employers/register", headers=HTML)
    assert form.status_code == 200 and "Unified social credit code" in form.text
    body = {**registration(31), **await _csrf(c)}
    bad = await c.post("/employers/register", data={**body, "uscc": "91370211000000031X"},
                       headers=HTML)
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    made = await c.post("/employers/register", data=body, headers=HTML)
    assert made.status_code == 303 and made.headers["location"].startswith("/employer")
    home = await c.get("/employer", headers=HTML)
    assert home.status_code == 200 and "青岛测试企业31有限公司" in home.text
