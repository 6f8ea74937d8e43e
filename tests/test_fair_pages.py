"""Fair pages: the public list, calendar and fair page; the organiser's list and editor.

Pages are read as a person reads them (HTML, in English through `?lang=en` so that the assertions
hold before and after the Chinese catalogue is merged; data such as titles stay Chinese), and the
editor is driven with real form posts carrying the CSRF token as a browser does.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import pytest

from fairs import hooks
from fairs.i18n import TZ
from tests.conftest import login_as
from tests.helpers import create_fair as make
from tests.test_fairs import at, offline, online

HTML = {"accept": "text/html"}


async def get_page(client, url: str, expect: int = 200, **params) -> str:
    response = await client.get(url, params={"lang": "en", **params}, headers=HTML)
    assert response.status_code == expect, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def post_form(client, url: str, data: dict) -> object:
    """A browser's form post: url-encoded, with the CSRF token from the fairs_csrf cookie."""
    body = {**data, "_csrf_token": client.cookies["fairs_csrf"]}
    headers = {k: v for k, v in client.headers.items() if k != "x-csrf-token"}
    return await client.post(url, data=body, params={"lang": "en"},
                             headers={**headers, **HTML})


def main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def form(world, **kw) -> dict:
    start = datetime.now(TZ).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(
        days=20)
    data = {"kind": "offline", "title": "表单创建的招聘会", "format": "campus", "org": "xha",
            "venue": str(world["venue:新区人才服务中心报告厅"]),
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "300", "industries": ["ai", "finance"],
            "audiences": ["graduates", "youth"], "description": "第一行\n第二行"}
    data.update(kw)
    return data


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<span class="field-error" id="err-{field}">([^<]*)</span>', html)
    assert found, f"no error shown next to {field}"
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', html), field
    return found.group(1)


# --- public ---------------------------------------------------------------------------------


async def test_public_list_shows_published_and_cancelled_not_drafts(new_client, world):
    organiser = await login_as(new_client, "organiser")
    shown = await make(organiser, offline(world, title="公开的专场招聘会"))
    await make(organiser, offline(world, title="还是草稿的招聘会", starts_at=at(12),
                                  ends_at=at(12, 12)), publish=False)
    called_off = await make(organiser, online(world, title="取消了的直播带岗"))
    cancelled = await organiser.post(f"/api/v1/fairs/{called_off['id']}/cancel",
                                     json={"reason": "主播生病"})
    assert cancelled.status_code == 200
    anon = new_client()
    html = main(await get_page(anon, "/fairs"))
    assert "公开的专场招聘会" in html and f'href="/fairs/{shown["id"]}"' in html
    assert "还是草稿的招聘会" not in html
    card = html.split("取消了的直播带岗")[0].rsplit("<li", 1)[1]
    assert "is-cancelled" in card
    assert "Cancelled" in html.split("取消了的直播带岗", 1)[1].split("</li>", 1)[0]
    assert "2 fairs" in html
    # Chinese first: without a language choice the page is zh-CN.
    zh = (await new_client().get("/fairs", headers=HTML)).text
    assert '<html lang="zh-CN">' in zh and "公开的专场招聘会" in zh


async def test_public_list_filters_and_pages(new_client, world):
    organiser = await login_as(new_client, "organiser")
    gzk = await login_as(new_client, "gzk")
    await make(organiser, offline(world, title="人工智能专场", industries=["ai"],
                                  audiences=["graduates"]))
    await make(organiser, online(world, title="物流直播", industries=["logistics"],
                                 audiences=["veterans"]))
    gzk_venue = world["venue:古镇口大学城招聘广场"]
    await make(gzk, offline(world, title="古镇口大学城招聘", venue=gzk_venue,
                            industries=["equipment"], audiences=["general"], starts_at=at(30),
                            ends_at=at(30, 12)))
    anon = new_client()

    async def titles(**params) -> set[str]:
        html = main(await get_page(anon, "/fairs", **params))
        return {t for t in ("人工智能专场", "物流直播", "古镇口大学城招聘") if t in html}

    assert await titles() == {"人工智能专场", "物流直播", "古镇口大学城招聘"}
    assert await titles(kind="online") == {"物流直播"}
    assert await titles(industry="ai") == {"人工智能专场"}
    assert await titles(audience="veterans") == {"物流直播"}
    assert await titles(org="gzk") == {"古镇口大学城招聘"}
    assert await titles(org="xha") == {"人工智能专场", "物流直播", "古镇口大学城招聘"}
    assert await titles(org="jiaozhou") == set()
    assert await titles(q="直播") == {"物流直播"}
    day30 = (datetime.now(TZ) + timedelta(days=30)).date().isoformat()
    assert await titles(**{"from": day30}) == {"古镇口大学城招聘"}
    assert await titles(to=(datetime.now(TZ) + timedelta(days=20)).date().isoformat()) == {
        "人工智能专场", "物流直播"}
    # Nonsense filters never break the page.
    html = await get_page(anon, "/fairs", kind="hybrid", org="nowhere", to="not-a-date")
    assert "人工智能专场" in html and "A date was not understood" in html
    # A past fair shows only when asked for.
    past = await make(organiser, offline(world, title="上个月的招聘会", starts_at=at(-30),
                                         ends_at=at(-30, 12)))
    assert "上个月的招聘会" not in await get_page(anon, "/fairs")
    held = await get_page(anon, "/fairs", past="1")
    assert "上个月的招聘会" in held and "Held" in held.split("上个月的招聘会", 1)[1][:600]
    assert past["id"]


async def test_public_list_is_paged(new_client, world):
    organiser = await login_as(new_client, "organiser")
    venue = world["venue:西海岸新区人力资源市场"]
    for n in range(23):
        await make(organiser, offline(world, title=f"第{n:02d}场", venue=venue,
                                      starts_at=at(5 + n), ends_at=at(5 + n, 12)))
    anon = new_client()
    first = main(await get_page(anon, "/fairs"))
    assert "23 fairs" in first and "Page 1 of 2" in first
    assert "第00场" in first and "第19场" in first and "第20场" not in first
    assert 'href="/fairs?page=2"' in first
    second = main(await get_page(anon, "/fairs", page="2"))
    assert "第20场" in second and "第22场" in second and "第00场" not in second
    assert 'rel="prev"' in second


async def test_fair_page(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make(organiser, offline(world, description="现场提供简历指导\n欢迎参加"))
    anon = new_client()
    html = main(await get_page(anon, f"/fairs/{fair['id']}"))
    assert "<h1" in html and "高校毕业生专场招聘会" in html
    assert "Offline fair" in html and "Special fair" in html
    assert "青岛西海岸新区长江中路 228 号" in html and "Step-free access" in html
    assert "Artificial intelligence" in html and "College graduates" in html
    assert "West Coast New Area" in html and "500" in html
    assert "现场提供简历指导\n欢迎参加" in html
    start = datetime.fromisoformat(fair["starts_at"])
    assert f'datetime="{start.isoformat()}"' in html and "9:00" in html  # China time
    zh = main((await new_client().get(f"/fairs/{fair['id']}", headers=HTML)).text)
    assert "人工智能" in zh and "高校毕业生" in zh and "09:00" in zh  # catalogue names, Babel
    assert "Edit this fair" not in html
    assert f'href="/organiser/fairs/{fair["id"]}"' in await get_page(
        organiser, f"/fairs/{fair['id']}")
    # A venue without step-free access says so.
    other = await make(organiser, offline(world, venue=world["venue:古镇口大学城招聘广场"],
                                          starts_at=at(40), ends_at=at(40, 12)))
    assert "No step-free access" in await get_page(anon, f"/fairs/{other['id']}")


async def test_online_fair_page_and_cancellation(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make(organiser, online(world))
    anon = new_client()
    html = main(await get_page(anon, f"/fairs/{fair['id']}"))
    assert "职海冲浪" in html and "Online fair" in html
    assert 'href="https://live.example.org/zhihaichonglang"' in html
    assert "Watch the livestream" in html and "cancelled-banner" not in html
    await organiser.post(f"/api/v1/fairs/{fair['id']}/cancel", json={"reason": "台风预警"})
    html = main(await get_page(anon, f"/fairs/{fair['id']}"))
    assert '<div class="cancelled-banner" role="alert">' in html
    banner = html.split('class="cancelled-banner"', 1)[1].split("</div>", 1)[0]
    assert "This fair is cancelled." in banner and "台风预警" in banner
    assert html.index("cancelled-banner") < html.index("<h1")  # before everything else
    assert "Watch the livestream" not in html


async def test_drafts_are_not_public(new_client, world):
    organiser = await login_as(new_client, "organiser")
    draft = await make(organiser, offline(world), publish=False)
    await get_page(new_client(), f"/fairs/{draft['id']}", expect=404)
    await get_page(new_client(), "/fairs/999999", expect=404)
    html = await get_page(organiser, f"/fairs/{draft['id']}")
    assert "Draft: only organisers can see this page" in html
    jiaozhou = await login_as(new_client, "jiaozhou")
    await get_page(jiaozhou, f"/fairs/{draft['id']}", expect=404)


async def test_calendar(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make(organiser, offline(world, title="月历上的招聘会"))
    await make(organiser, online(world, title="月历上的直播", industries=["film"]))
    day = fair["starts_at"][:10]
    month = day[:7]
    anon = new_client()
    html = main(await get_page(anon, "/fairs/calendar", month=month))
    first = datetime.fromisoformat(f"{month}-01")
    assert first.strftime("%B %Y") in html
    assert f'href="#day-{day}"' in html and f'id="day-{day}"' in html
    assert "月历上的招聘会" in html.split(f'id="day-{day}"', 1)[1]
    prev = (first - timedelta(days=1)).strftime("%Y-%m")
    nxt = (first + timedelta(days=32)).strftime("%Y-%m")
    assert f'href="/fairs/calendar?month={prev}"' in html
    assert f'href="/fairs/calendar?month={nxt}"' in html
    assert "/static/js/events-calendar.js" in await get_page(anon, "/fairs/calendar",
                                                             month=month)
    # Filters carry into the calendar and its month links.
    filtered = main(await get_page(anon, "/fairs/calendar", month=month, kind="online"))
    assert "月历上的直播" in filtered and "月历上的招聘会" not in filtered
    assert f"month={nxt}" in filtered and "kind=online" in filtered
    # An empty month and a malformed month both answer.
    empty = main(await get_page(anon, "/fairs/calendar", month="2001-02"))
    assert "No fairs this month." in empty and "February 2001" in empty
    this = main(await get_page(anon, "/fairs/calendar", month="13-2024"))
    assert datetime.now(TZ).strftime("%B %Y") in this


async def test_calendar_lists_a_fair_on_each_of_its_days(new_client, world):
    organiser = await login_as(new_client, "organiser")
    start = datetime(2031, 5, 30, 9, tzinfo=TZ)
    await make(organiser, offline(world, title="跨月三天的招聘会", starts_at=start.isoformat(),
                                  ends_at=(start + timedelta(days=2, hours=8)).isoformat()))
    anon = new_client()
    may = main(await get_page(anon, "/fairs/calendar", month="2031-05"))
    assert 'id="day-2031-05-30"' in may and 'id="day-2031-05-31"' in may
    assert "2031-06-01" not in may.split('class="agenda"', 1)[1]
    june = main(await get_page(anon, "/fairs/calendar", month="2031-06"))
    assert 'id="day-2031-06-01"' in june and 'id="day-2031-06-02"' not in june


async def test_home_page_shows_upcoming_fairs(new_client, world):
    organiser = await login_as(new_client, "organiser")
    await make(organiser, offline(world, title="首页上的招聘会"))
    await make(organiser, online(world, title="首页不显示的草稿"), publish=False)
    html = await get_page(new_client(), "/")
    assert "Upcoming fairs" in html and "首页上的招聘会" in html
    assert "首页不显示的草稿" not in html


async def test_fair_sections_from_other_slices(new_client, world, tmp_path):
    """A later slice adds a section to the fair page without editing its templates."""
    organiser = await login_as(new_client, "organiser")
    fair = await make(organiser, offline(world, description="简介"))
    seen = []

    async def register(request, row):
        seen.append(row["id"])
        return hooks.PageSection("events/_description.html", order=10)

    def nothing(request, row):
        return None

    with hooks.fair_sections.replaced(*hooks.fair_sections.receivers, register, nothing):
        html = main(await get_page(new_client(), f"/fairs/{fair['id']}"))
    assert seen == [fair["id"]]
    assert 'data-section-order="10"' in html and html.count("About this fair") == 2


# --- organiser ------------------------------------------------------------------------------


async def test_organiser_pages_need_an_organiser(new_client, world):
    anon = new_client()
    response = await anon.get("/organiser/fairs", headers=HTML)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/login")
    scanner = await login_as(new_client, "scanner")
    assert (await scanner.get("/organiser/fairs", headers=HTML)).status_code == 403
    assert (await post_form(scanner, "/organiser/fairs", form(world))).status_code == 403


async def test_organiser_list_is_the_subtree_with_drafts(new_client, world):
    organiser = await login_as(new_client, "organiser")
    gzk = await login_as(new_client, "gzk")
    jiaozhou = await login_as(new_client, "jiaozhou")
    await make(organiser, offline(world, title="新区草稿"), publish=False)
    await make(organiser, online(world, title="新区已发布"))
    await make(gzk, offline(world, title="古镇口草稿", venue=world["venue:古镇口大学城招聘广场"]),
               publish=False)
    await make(jiaozhou, offline(world, title="胶州已发布",
                                 venue=world["venue:胶州市人力资源市场"]))

    async def titles(client, **params) -> set[str]:
        html = main(await get_page(client, "/organiser/fairs", **params))
        return {t for t in ("新区草稿", "新区已发布", "古镇口草稿", "胶州已发布") if t in html}

    assert await titles(organiser) == {"新区草稿", "新区已发布", "古镇口草稿"}
    assert await titles(gzk) == {"古镇口草稿"}
    assert await titles(jiaozhou) == {"胶州已发布"}
    assert await titles(organiser, status="draft") == {"新区草稿", "古镇口草稿"}
    assert await titles(organiser, status="published") == {"新区已发布"}
    assert await titles(organiser, org="gzk") == {"古镇口草稿"}
    # An organisation outside the subtree is not a way to peek at others.
    assert await titles(gzk, org="xha") == {"古镇口草稿"}
    assert await titles(organiser, when="past") == set()
    admin = await login_as(new_client, "admin")
    assert await titles(admin) == {"新区草稿", "新区已发布", "古镇口草稿", "胶州已发布"}
    # The organiser's home has a tile for the fairs.
    assert 'href="/organiser/fairs"' in await get_page(organiser, "/organiser")


async def test_editor_creates_publishes_and_the_public_sees_it(new_client, world):
    organiser = await login_as(new_client, "organiser")
    new = await get_page(organiser, "/organiser/fairs/new")
    assert 'name="_csrf_token"' in new and 'type="datetime-local"' in new
    assert "Traditional strengths" in new and 'value="shipbuilding"' in new  # grouped
    assert "Campus talent tour" in new and 'value="spring-breeze"' in new
    response = await post_form(organiser, "/organiser/fairs", form(world))
    assert response.status_code == 303, response.text[:2000]
    location = response.headers["location"]
    fair_id = int(re.search(r"/organiser/fairs/(\d+)", location).group(1))
    fair = (await organiser.get(f"/api/v1/fairs/{fair_id}")).json()
    assert fair["status"] == "draft" and fair["format"] == "campus" and fair["org"] == "xha"
    assert fair["industries"] == ["ai", "finance"] and fair["audiences"] == ["graduates", "youth"]
    assert fair["capacity"] == 300 and fair["description"] == "第一行\n第二行"
    assert fair["starts_at"].endswith("T09:00:00+08:00")  # the form's time is China time
    editor = await get_page(organiser, location.split("?")[0], done="created")
    assert "saved as a draft" in editor and 'id="publish"' in editor
    assert 'value="ai" checked' in editor and "表单创建的招聘会" in editor

    response = await post_form(organiser, f"/organiser/fairs/{fair_id}/publish", {})
    assert response.status_code == 303
    assert response.headers["location"] == f"/organiser/fairs/{fair_id}?done=published"
    anon = new_client()
    assert "表单创建的招聘会" in await get_page(anon, "/fairs")
    assert "表单创建的招聘会" in await get_page(anon, "/fairs/calendar",
                                              month=fair["starts_at"][:7])
    page = await get_page(anon, f"/fairs/{fair_id}")
    assert "Campus talent tour" in page and "Modern finance" in page


async def test_editor_edits_a_published_fair_as_a_reschedule(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make(organiser, offline(world))
    editor = await get_page(organiser, f"/organiser/fairs/{fair['id']}")
    start = datetime.fromisoformat(fair["starts_at"])
    assert f'value="{start.strftime("%Y-%m-%dT%H:%M")}"' in editor
    later = start + timedelta(days=1)
    data = form(world, title="改期后的招聘会", venue=str(fair["venue"]),
                starts_at=later.strftime("%Y-%m-%dT%H:%M"),
                ends_at=(later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                booking_closes_at=(later - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    response = await post_form(organiser, f"/organiser/fairs/{fair['id']}", data)
    assert response.status_code == 303, response.text[:2000]
    after = (await organiser.get(f"/api/v1/fairs/{fair['id']}")).json()
    assert after["id"] == fair["id"] and after["title"] == "改期后的招聘会"
    assert after["revision"] == fair["revision"] + 1 and after["status"] == "published"
    assert datetime.fromisoformat(after["starts_at"]) == later
    assert after["booking_closes_at"] is not None and after["industries"] == ["ai", "finance"]
    # Emptying a window clears it.
    data["booking_closes_at"] = ""
    await post_form(organiser, f"/organiser/fairs/{fair['id']}", data)
    assert (await organiser.get(f"/api/v1/fairs/{fair['id']}")).json()[
        "booking_closes_at"] is None


@pytest.mark.parametrize(("change", "field", "text"), [
    ({"ends_at": "2020-01-01T08:00"}, "ends_at", "must be after starts_at"),
    ({"venue": ""}, "venue", "an offline fair needs a venue"),
    ({"venue": "999999"}, "venue", "unknown venue"),
    ({"starts_at": "next tuesday"}, "starts_at", "a date and time"),
    ({"title": "   "}, "title", "required"),
    ({"capacity": "0"}, "capacity", "a whole number from 1 to 1,000,000"),
    ({"capacity": "many"}, "capacity", "a whole number"),
    ({"industries": ["ai", "alchemy"]}, "industries", "unknown code(s): alchemy"),
    ({"kind": "online", "channel": ""}, "channel", "an online fair needs a channel"),
    ({"kind": "online", "channel": "1", "stream_url": "ftp://x"}, "stream_url",
     "must be an http(s) address"),
    ({"registration_opens_at": "2031-01-02T00:00", "registration_closes_at": "2031-01-01T00:00"},
     "registration_closes_at", "must be after registration_opens_at"),
])
async def test_editor_shows_the_services_errors_next_to_the_field(new_client, world, change,
                                                                   field, text):
    organiser = await login_as(new_client, "organiser")
    data = form(world, **change)
    if change.get("channel") == "1":
        data["channel"] = str(world["channel:职海冲浪"])
    response = await post_form(organiser, "/organiser/fairs", data)
    assert response.status_code == 422, response.text[:2000]
    html = response.text
    assert field_error(html, field) == text
    assert 'role="alert"' in html and f'href="#f-{field}"' in html
    # What was typed is kept.
    if field != "title":
        assert "表单创建的招聘会" in html
    assert (await organiser.get("/api/v1/fairs")).json()["total"] == 0  # nothing saved


async def test_editor_shows_an_overlap_with_a_link_to_the_other_fair(new_client, world):
    organiser = await login_as(new_client, "organiser")
    data = form(world)
    first = await post_form(organiser, "/organiser/fairs", data)
    first_id = int(first.headers["location"].split("/")[-1].split("?")[0])
    # Drafts hold nothing: the first takes its venue once published.
    assert (await post_form(organiser, f"/organiser/fairs/{first_id}/publish", {})
            ).status_code == 303
    again = await post_form(organiser, "/organiser/fairs", {**data, "title": "撞车的招聘会"})
    assert again.status_code == 409
    html = main(again.text)
    alert = html.split('id="conflict"', 1)[1].split("</div>", 1)[0]
    assert f'href="/fairs/{first_id}"' in alert and "表单创建的招聘会" in alert
    assert re.search(r'id="f-venue"[^>]*aria-invalid="true"', html)
    assert "撞车的招聘会" in html  # the form keeps what was typed
    # Moving an existing fair onto another's slot is refused the same way.
    other = await make(organiser, offline(world, venue=int(data["venue"]), starts_at=at(50),
                                          ends_at=at(50, 12)))
    moved = await post_form(organiser, f"/organiser/fairs/{other['id']}", data)
    assert moved.status_code == 409 and f'href="/fairs/{first_id}"' in moved.text


async def test_cancel_delete_and_their_errors(new_client, world):
    organiser = await login_as(new_client, "organiser")
    draft = await make(organiser, offline(world), publish=False)
    live = await make(organiser, online(world))
    no_reason = await post_form(organiser, f"/organiser/fairs/{live['id']}/cancel",
                                {"reason": "  "})
    assert no_reason.status_code == 422
    assert field_error(no_reason.text, "reason") == "say why the fair is cancelled"
    refused = await post_form(organiser, f"/organiser/fairs/{live['id']}/delete", {})
    assert refused.status_code == 409
    assert "Only drafts can be deleted" in refused.text
    # Cancelling cannot be undone: a form posted without `confirm` (a browser without
    # JavaScript; confirm.js adds it when the person agrees) gets a page that says what will
    # happen, and the fair stays published until its button is pressed.
    step = await post_form(organiser, f"/organiser/fairs/{live['id']}/cancel",
                           {"reason": "场地维修"})
    assert step.status_code == 200 and 'id="confirm-yes"' in step.text
    assert live["title"] in step.text and "场地维修" in step.text
    assert 'name="confirm" value="yes"' in step.text
    assert (await organiser.get(f"/api/v1/fairs/{live['id']}")).json()["status"] == "published"
    done = await post_form(organiser, f"/organiser/fairs/{live['id']}/cancel",
                           {"reason": "场地维修", "confirm": "yes"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/organiser/fairs/{live['id']}?done=cancelled"
    public = await get_page(new_client(), f"/fairs/{live['id']}")
    assert "This fair is cancelled." in public and "场地维修" in public
    editor = await get_page(organiser, f"/organiser/fairs/{live['id']}")
    assert 'id="fair-editor"' not in editor and "场地维修" in editor  # nothing left to edit
    again = await post_form(organiser, f"/organiser/fairs/{live['id']}/cancel", {"reason": "x"})
    assert again.status_code == 409 and "already cancelled" in again.text
    gone = await post_form(organiser, f"/organiser/fairs/{draft['id']}/delete", {})
    assert gone.status_code == 303 and gone.headers["location"].startswith("/organiser/fairs")
    assert (await organiser.get(f"/api/v1/fairs/{draft['id']}")).status_code == 404


async def test_other_organisations_fairs_are_out_of_reach(new_client, world):
    organiser = await login_as(new_client, "organiser")
    jiaozhou = await login_as(new_client, "jiaozhou")
    gzk = await login_as(new_client, "gzk")
    draft = await make(organiser, offline(world), publish=False)
    live = await make(organiser, online(world))
    assert (await jiaozhou.get(f"/organiser/fairs/{draft['id']}", headers=HTML)
            ).status_code == 404
    assert (await jiaozhou.get(f"/organiser/fairs/{live['id']}", headers=HTML)
            ).status_code == 403
    for action, data in (("", form(world)), ("/publish", {}), ("/cancel", {"reason": "x"}),
                         ("/delete", {})):
        response = await post_form(jiaozhou, f"/organiser/fairs/{live['id']}{action}", data)
        assert response.status_code == 403, (action, response.status_code)
    assert (await organiser.get(f"/api/v1/fairs/{live['id']}")).json()["status"] == "published"
    # A sub-area organiser cannot create a fair for its parent district.
    response = await post_form(gzk, "/organiser/fairs", form(world))
    assert response.status_code == 403
    assert "another organisation" in response.text
    # ...and does not get the parent as a choice.
    assert 'value="xha"' not in main(await get_page(gzk, "/organiser/fairs/new"))


async def test_editor_forms_need_the_csrf_token(new_client, world):
    organiser = await login_as(new_client, "organiser")
    del organiser.headers["x-csrf-token"]
    response = await organiser.post("/organiser/fairs", data=form(world), headers=HTML)
    assert response.status_code == 403
    assert (await organiser.get("/api/v1/fairs")).json()["total"] == 0


async def test_two_organisers_saving_the_same_slot_at_once(new_client, world):
    """Real concurrent form posts for one venue and time: drafts hold nothing, so every draft
    is saved, and of the publications at once exactly one stands."""
    clients = [await login_as(new_client, "organiser") for _ in range(6)]
    data = form(world)
    answers = await asyncio.gather(*(
        post_form(c, "/organiser/fairs", {**data, "title": f"并发{n}"})
        for n, c in enumerate(clients)))
    assert [a.status_code for a in answers] == [303] * 6
    ids = [int(a.headers["location"].split("/")[-1].split("?")[0]) for a in answers]
    published = await asyncio.gather(*(
        post_form(c, f"/organiser/fairs/{i}/publish", {})
        for c, i in zip(clients, ids, strict=True)))
    codes = sorted(a.status_code for a in published)
    assert codes == [303] + [409] * 5, codes
    listed = await clients[0].get("/api/v1/fairs", params={"status": "published"})
    assert listed.json()["total"] == 1
