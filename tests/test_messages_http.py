"""Errors reach people in their language: the same bad request asked in Chinese and in English
gets the same status, the same `errors[].field` and `errors[].code`, and the messages in each
language (API.md, revision 2: "Errors in the reader's language"); the HTML error page too.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fairs.i18n import TZ
from tests.conftest import login_as, make_client
from tests.security.test_abuse import client_at, limited_app
from tests.test_accounts import problem
from tests.tickets.helpers import make_fair, phone, register

ZH = {"accept-language": "zh-CN,zh;q=0.9"}
EN = {"accept-language": "en-GB,en;q=0.9"}
HTML = {"accept": "text/html"}


async def both(call, status: int) -> tuple[dict, dict]:
    """The problem answered to a Chinese and to an English reader; the same but for language."""
    zh = problem(await call(ZH), status)
    en = problem(await call(EN), status)
    assert [(e["field"], e["code"]) for e in zh["errors"]] == \
        [(e["field"], e["code"]) for e in en["errors"]]
    assert zh["code"] == en["code"] and zh["type"] == en["type"]
    return zh, en


def only(body: dict) -> dict:
    assert len(body["errors"]) == 1, body
    return body["errors"][0]


async def test_an_invalid_registration_phone_in_each_language(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26)
    anon = new_client()
    url = f"/api/v1/fairs/{fair['id']}/registrations"
    zh, en = await both(lambda h: anon.post(url, json={"name": "王五", "phone": "12345"},
                                            headers=h), 422)
    assert only(zh) == {"field": "phone", "code": "invalid_phone",
                        "message": "请填写有效的中国大陆手机号码，例如 13812345678"}
    assert only(en) == {"field": "phone", "code": "invalid_phone",
                        "message": "a mainland mobile number, e.g. 13812345678"}
    assert zh["detail"] == only(zh)["message"] and zh["title"] == "输入有误"
    assert en["detail"] == only(en)["message"] and en["title"] == "Invalid input"
    # No Accept-Language: Chinese; the language chosen on the site (its cookie) wins.
    default = problem(await anon.post(url, json={"name": "王五", "phone": "12345"}), 422)
    assert only(default)["message"] == only(zh)["message"]
    anon.cookies.set("fairs_lang", "en")
    chosen = problem(await anon.post(url, json={"name": "王五", "phone": "12345"}, headers=ZH),
                     422)
    assert only(chosen)["message"] == only(en)["message"]


async def test_a_second_registration_with_the_same_phone_says_it_is_registered(new_client,
                                                                                world):
    """Item 9: not "请填写有效的中国大陆手机号码", but "already registered", and how to get
    the ticket back; through the API and on the registration page."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26)
    anon = new_client()
    number = phone()
    await register(anon, fair["id"], "王五", number)
    url = f"/api/v1/fairs/{fair['id']}/registrations"
    zh, en = await both(lambda h: anon.post(url, json={"name": "王五", "phone": number},
                                            headers=h), 409)
    assert only(zh)["field"] == "phone" and only(zh)["code"] == "already_registered"
    assert zh["code"] == "already_registered" and zh["reason"] == "already_registered"
    assert "已报名本场招聘会" in zh["detail"] and "链接" in zh["detail"]
    assert "already registered" in en["detail"] and "link" in en["detail"]
    assert "手机号码" not in zh["detail"].split("。")[0].replace("该手机号已报名", "")

    page = make_client(anon._transport.app)
    form = await page.get(f"/fairs/{fair['id']}/register", headers=HTML)
    assert form.status_code == 200
    token = {"_csrf_token": page.cookies.get("fairs_csrf") or ""}
    again = await page.post(f"/fairs/{fair['id']}/register", headers=HTML,
                            data={"name": "王五", "phone": number, **token})
    assert again.status_code == 409
    shown = re.search(r'<p class="errors" id="err-phone">([^<]*)</p>', again.text)
    assert shown and "该手机号已报名本场招聘会" in shown.group(1)
    assert "请填写有效的中国大陆手机号码" not in again.text
    bad = await page.post(f"/fairs/{fair['id']}/register", headers=HTML,
                          data={"name": "王五", "phone": "12345", **token})
    assert bad.status_code == 422 and "请填写有效的中国大陆手机号码" in bad.text
    await page.aclose()


async def test_an_invalid_date_in_a_plan(new_client, world):
    organiser = await login_as(new_client, "organiser")
    body = {"title": "计划", "starts_on": "2027-13-01", "ends_on": "2027-12-31",
            "targets": {"offline": 1}}
    zh, en = await both(lambda h: organiser.post("/api/v1/plans", json=body, headers=h), 400)
    assert only(zh) == {"field": "starts_on", "code": "invalid_date",
                        "message": "请填写日期（年-月-日）"}
    assert only(en)["message"] == "a date YYYY-MM-DD"
    assert zh["detail"] == "starts_on: 请填写日期（年-月-日）"
    # A rule of the service: the end before the start, the other field named in both.
    body = {**body, "starts_on": "2027-03-01", "ends_on": "2027-02-01"}
    zh, en = await both(lambda h: organiser.post("/api/v1/plans", json=body, headers=h), 422)
    assert only(zh) == {"field": "ends_on", "code": "before_start",
                        "message": "不能早于 starts_on"}
    assert only(en)["message"] == "must not be before starts_on"


async def test_a_fair_that_does_not_exist(new_client, world):
    anon = new_client()
    zh, en = await both(lambda h: anon.get("/api/v1/fairs/999999", headers=h), 404)
    assert (zh["detail"], en["detail"]) == ("没有这场招聘会", "no such fair")
    assert (zh["title"], en["title"]) == ("未找到", "Not found")
    assert zh["code"] == "not_found" and zh["errors"] == []
    # An address no route has is answered before the language middleware runs: still in the
    # reader's language.
    zh, en = await both(lambda h: anon.get("/api/v1/no-such-thing", headers=h), 404)
    assert (zh["detail"], en["detail"]) == ("此地址没有内容。", "There is nothing at this address.")


async def test_a_value_of_the_wrong_type(new_client, world):
    organiser = await login_as(new_client, "organiser")
    zh, en = await both(lambda h: organiser.post("/api/v1/fairs", headers=h, json={
        "kind": "offline", "title": 5, "starts_at": "2030-01-01T09:00:00+08:00",
        "ends_at": "2030-01-01T12:00:00+08:00"}), 400)
    assert only(zh) == {"field": "title", "code": "type", "message": "应为文本"}
    assert only(en) == {"field": "title", "code": "type", "message": "text"}
    zh, en = await both(lambda h: organiser.get("/api/v1/fairs?limit=abc", headers=h), 400)
    assert only(zh) == {"field": "limit", "code": "type", "message": "请填写整数"}
    assert only(en)["message"] == "a whole number"
    zh, en = await both(lambda h: organiser.post("/api/v1/fairs", headers=h,
                                                 json={"kind": "offline"}), 400)
    assert only(zh)["code"] == "required" and only(zh)["message"] == "必填"
    assert only(en)["message"] == "required"
    zh, en = await both(lambda h: organiser.post("/api/v1/fairs", headers=h, json={
        "kind": "offline", "title": "x" * 201, "starts_at": "2030-01-01T09:00:00+08:00",
        "ends_at": "2030-01-01T12:00:00+08:00"}), 400)
    assert only(zh) == {"field": "title", "code": "too_long", "message": "最多 200 个字符"}
    assert only(en)["message"] == "at most 200 characters"


async def test_a_clash_names_its_times_for_the_reader(new_client, world):
    """Values inside a message (the other fair's times) are formatted for the language."""
    organiser = await login_as(new_client, "organiser")
    nine = (datetime.now(TZ) + timedelta(days=30)).replace(hour=9, minute=0, second=0)
    start = int((nine - datetime.now(TZ)).total_seconds() // 60)  # within one day, any hour
    first = await make_fair(organiser, world, title="先到的招聘会", start=start, end=start + 180)
    body = {"kind": "offline", "title": "后到的招聘会", "starts_at": first["starts_at"],
            "ends_at": first["ends_at"], "venue": world["venue:西海岸新区人力资源市场"]}
    zh, en = await both(lambda h: organiser.post("/api/v1/fairs", json=body, headers=h), 409)
    assert only(zh)["field"] == "venue" and only(zh)["code"] == "venue_taken"
    assert zh["conflicting_fair"] == first["id"]
    begins = datetime.fromisoformat(first["starts_at"]).astimezone(TZ)
    ends = datetime.fromisoformat(first["ends_at"]).astimezone(TZ)
    weekday_zh = "一二三四五六日"[begins.weekday()]
    assert zh["detail"] == (
        f"该场地已被招聘会 {first['id']}「先到的招聘会」占用（{begins.year}年{begins.month}月"
        f"{begins.day}日 周{weekday_zh} {begins:%H:%M}–{ends:%H:%M}）")
    assert en["detail"] == (
        f"the venue is taken by fair {first['id']} «先到的招聘会» "
        f"({begins:%a} {begins.day} {begins:%b %Y %H:%M}–{ends:%H:%M})")


async def test_too_many_requests_in_each_language(migrated, world):
    app = limited_app(register_ip=(1, 300))
    await app.state.limiter.reset()
    async with client_at(app, "10.70.0.1") as organiser, client_at(app, "10.70.0.2") as anon:
        await organiser.login("organiser")
        fair = await make_fair(organiser, world)
        url = f"/api/v1/fairs/{fair['id']}/registrations"
        await register(anon, fair["id"])
        zh, en = await both(lambda h: anon.post(url, headers=h,
                                                json={"name": "王五", "phone": phone()}), 429)
    assert zh["code"] == en["code"] == "too_many_requests"
    seconds = re.search(r"(\d+)", zh["detail"]).group(1)
    assert zh["detail"] == f"尝试次数过多，请 {seconds} 秒后再试。"
    assert re.fullmatch(r"Too many attempts; try again in \d+ seconds\.", en["detail"])
    assert (zh["title"], en["title"]) == ("请求过于频繁", "Too many requests")


async def test_the_error_page_is_in_the_readers_language(new_client, world):
    anon = new_client()
    zh = await anon.get("/fairs/999999", headers=HTML)
    assert zh.status_code == 404 and zh.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in zh.text
    assert "<h1>未找到</h1>" in zh.text and "<p>没有这场招聘会</p>" in zh.text
    assert "返回首页" in zh.text
    en = await anon.get("/fairs/999999", headers={**HTML, **EN})
    assert '<html lang="en">' in en.text and "<p>no such fair</p>" in en.text
    # An unknown address (no route: answered outside the language middleware).
    zh = await anon.get("/no-such-page", headers=HTML)
    assert zh.status_code == 404 and "此地址没有内容。" in zh.text and "返回首页" in zh.text
    en = await anon.get("/no-such-page", headers={**HTML, **EN})
    assert "There is nothing at this address." in en.text and "Back to the home page" in en.text


async def test_a_refused_csrf_token_is_explained(new_client, world):
    organiser = await login_as(new_client, "organiser")
    del organiser.headers["x-csrf-token"]
    zh, en = await both(lambda h: organiser.post("/api/v1/catalog/venues", headers=h,
                                                 json={"name": "Hall"}), 403)
    assert zh["code"] == "csrf" and "刷新页面" in zh["detail"] and "reload" in en["detail"]


async def test_the_schema_documents_the_codes(client, migrated):
    schema = (await client.get("/schema/openapi.json")).json()
    problem_schema = schema["components"]["schemas"]["ProblemDetails"]
    field_schema = schema["components"]["schemas"]["FieldProblem"]
    assert "code" in problem_schema["properties"] and "code" in field_schema["required"]


# --- issue 15 item 2, second pass: the messages of check-in, booths, employers, accounts -----


async def test_a_wrong_uscc_check_digit_in_each_language(new_client, world):
    from tests.employers.conftest import make_uscc, registration

    good = make_uscc(41)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    anon = new_client()
    zh, en = await both(lambda h: anon.post("/api/v1/employers",
                                            json=registration(41, uscc=bad), headers=h), 422)
    assert only(zh) == {"field": "uscc", "code": "invalid_uscc",
                        "message": "统一社会信用代码无效（校验位不正确）"}
    assert only(en) == {"field": "uscc", "code": "invalid_uscc",
                        "message": "not a valid unified social credit code (check digit)"}
    assert zh["detail"] == only(zh)["message"] and zh["code"] == "invalid_uscc"

    # The registration form, posted from a Chinese page: the error next to its field, in Chinese.
    page = new_client()
    await page.get("/employers/register", headers={**HTML, **ZH})
    form = {**registration(42), "uscc": bad, "_csrf_token": page.cookies.get("fairs_csrf") or ""}
    shown = await page.post("/employers/register", data=form, headers={**HTML, **ZH})
    assert shown.status_code == 422 and 'aria-invalid="true"' in shown.text
    assert "统一社会信用代码无效（校验位不正确）" in shown.text
    assert "check digit" not in shown.text


async def _employer(app, approve: bool = True):
    from tests.employers.conftest import bearer_client, employers_with_tokens

    [made] = await employers_with_tokens(1, start=7100 if approve else 7200, approve=approve)
    return bearer_client(app, made["token"])


async def test_salary_max_below_salary_min_names_the_field_in_each_language(app, new_client,
                                                                          world):
    from tests.employers.conftest import make_fair as employer_fair

    organiser = await login_as(new_client, "organiser")
    fair = await employer_fair(organiser, world, booths=1)
    hr = await _employer(app)
    booking = (await hr.post(f"/api/v1/fairs/{fair['id']}/bookings",
                             json={"booth": "A01"})).json()
    url = f"/api/v1/bookings/{booking['id']}/positions"
    job = {"title": "仓储主管", "headcount": 1, "education": "any", "salary_min": 9000,
           "salary_max": 3000, "job_type": "regular"}
    zh, en = await both(lambda h: hr.post(url, json=job, headers=h), 422)
    assert only(zh) == {"field": "salary_max", "code": "below_salary_min",
                        "message": "不能低于最低薪酬"}
    assert only(en) == {"field": "salary_max", "code": "below_salary_min",
                        "message": "must not be below the lowest pay"}
    assert "salary_min" not in zh["detail"] and "salary_min" not in en["detail"]


async def test_a_pending_employer_is_told_why_it_cannot_book(app, new_client, world):
    from tests.employers.conftest import make_fair as employer_fair

    organiser = await login_as(new_client, "organiser")
    fair = await employer_fair(organiser, world, booths=1)
    hr = await _employer(app, approve=False)
    url = f"/api/v1/fairs/{fair['id']}/bookings"
    zh, en = await both(lambda h: hr.post(url, json={"booth": "A01"}, headers=h), 403)
    assert zh["code"] == "not_approved" and zh["employer_status"] == "pending"
    assert "等待人社部门审核" in zh["detail"]
    assert en["detail"] == ("Your company is waiting for the employment bureau's approval and "
                            "cannot book booths or guest slots yet.")
    assert "pending" not in zh["detail"]


async def test_a_missing_role_is_named_in_each_language(new_client, world):
    organiser = await login_as(new_client, "organiser")
    zh, en = await both(lambda h: organiser.put("/api/v1/booking-rules",
                                                json={"no_show_limit": 2}, headers=h), 403)
    assert zh["code"] == "role_required" and zh["detail"] == "需要管理员角色"
    assert en["detail"] == "needs the role Administrator"
    scanner = await login_as(new_client, "scanner")
    zh, en = await both(lambda h: scanner.get("/api/v1/audit", headers=h), 403)
    assert zh["code"] == "role_required" and "admin" not in zh["detail"]
