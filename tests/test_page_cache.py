"""Public pages served from the page cache (fairs.pagecache) are still right the moment a fair
is published, moved, cancelled or fills up, and an ETag from before a change no longer gets a
304. Pages are read as an anonymous phone reads them; changes are made as an organiser (or a
job seeker registering) makes them, through the API."""

from __future__ import annotations

import re

from tests.conftest import login_as
from tests.helpers import create_fair as make
from tests.helpers import publish_fair
from tests.test_fairs import at, offline
from tests.tickets.helpers import make_fair, register

HTML = {"accept": "text/html", "accept-language": "en"}


async def fetch(client, url: str, etag: str | None = None):
    headers = {**HTML, **({"if-none-match": etag} if etag else {})}
    return await client.get(url, headers=headers)


def card_of(html: str, title: str) -> str:
    return html.split(title)[0].rsplit("<li", 1)[1] + html.split(title)[1].split("</li>", 1)[0]


async def test_list_and_page_answer_etags_and_304_until_a_change(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make(organiser, offline(world, title="缓存测试专场"))
    anon = new_client()
    first = await fetch(anon, "/fairs")
    assert first.status_code == 200 and "缓存测试专场" in first.text
    etag = first.headers["etag"]
    assert "Accept-Language" in first.headers["vary"]
    again = await fetch(anon, "/fairs", etag)
    assert again.status_code == 304 and again.headers["etag"] == etag
    page = await fetch(anon, f"/fairs/{fair['id']}")
    assert page.status_code == 200 and "缓存测试专场" in page.text
    assert (await fetch(anon, f"/fairs/{fair['id']}", page.headers["etag"])).status_code == 304
    # The security headers are on cached answers too.
    assert "script-src 'self'" in again.headers["content-security-policy"]

    moved = await organiser.patch(f"/api/v1/fairs/{fair['id']}",
                                  json={"title": "改名后的专场"})
    assert moved.status_code == 200, moved.text
    after = await fetch(anon, "/fairs", etag)
    assert after.status_code == 200 and "改名后的专场" in after.text
    assert "缓存测试专场" not in after.text
    page_after = await fetch(anon, f"/fairs/{fair['id']}", page.headers["etag"])
    assert page_after.status_code == 200 and "改名后的专场" in page_after.text


async def test_published_moved_cancelled_show_at_once(new_client, world):
    organiser = await login_as(new_client, "organiser")
    anon = new_client()
    draft = await make(organiser, offline(world, title="即将发布的专场"), publish=False)
    before = await fetch(anon, "/fairs")
    assert "即将发布的专场" not in before.text
    assert (await fetch(anon, f"/fairs/{draft['id']}")).status_code == 404
    await publish_fair(organiser, draft["id"])
    listed = await fetch(anon, "/fairs", before.headers["etag"])
    assert listed.status_code == 200 and "即将发布的专场" in listed.text
    page = await fetch(anon, f"/fairs/{draft['id']}")
    assert page.status_code == 200

    moved = await organiser.patch(f"/api/v1/fairs/{draft['id']}",
                                  json={"starts_at": at(13), "ends_at": at(13, 12)})
    assert moved.status_code == 200, moved.text
    day = moved.json()["starts_at"][:10]
    page2 = await fetch(anon, f"/fairs/{draft['id']}", page.headers["etag"])
    assert page2.status_code == 200 and page2.text != page.text
    listed2 = await fetch(anon, "/fairs")
    assert f'datetime="{day}"' in card_of(listed2.text, "即将发布的专场")

    cancelled = await organiser.post(f"/api/v1/fairs/{draft['id']}/cancel",
                                     json={"reason": "场地检修"})
    assert cancelled.status_code == 200
    page3 = await fetch(anon, f"/fairs/{draft['id']}", page2.headers["etag"])
    assert page3.status_code == 200 and "场地检修" in page3.text
    assert "is-cancelled" in card_of((await fetch(anon, "/fairs")).text, "即将发布的专场")


async def test_fair_page_shows_registrations_as_the_fair_fills_up(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26, capacity=2,
                           title="两个名额的专场")
    anon = new_client()
    empty = await fetch(anon, f"/fairs/{fair['id']}")
    assert "registered" not in re.sub(r"<[^>]+>", " ", empty.text.split("<main", 1)[1]).split(
        "Register for this fair")[0]
    await register(new_client(), fair["id"], "张三")
    one = await fetch(anon, f"/fairs/{fair['id']}", empty.headers["etag"])
    assert one.status_code == 200 and "1 registered" in one.text
    await register(new_client(), fair["id"], "李四")
    full = await fetch(anon, f"/fairs/{fair['id']}", one.headers["etag"])
    assert full.status_code == 200 and "2 registered" in full.text


async def test_a_logged_in_reader_gets_their_own_page_never_a_cached_one(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make(organiser, offline(world, title="登录与匿名"))
    anon = new_client()
    public = await fetch(anon, f"/fairs/{fair['id']}")
    assert "Log out" not in public.text and 'name="_csrf_token" value=""' not in public.text[:0]
    mine = await fetch(organiser, f"/fairs/{fair['id']}")
    assert mine.status_code == 200 and "Log out" in mine.text
    token = organiser.cookies["fairs_csrf"]
    assert token in mine.text and "etag" not in mine.headers
    # ...and the anonymous page, cached after the organiser's, carries no one's token.
    again = await fetch(new_client(), f"/fairs/{fair['id']}")
    assert token not in again.text and "Log out" not in again.text


async def test_language_is_part_of_the_key(new_client, world):
    organiser = await login_as(new_client, "organiser")
    await make(organiser, offline(world, title="双语专场"))
    anon = new_client()
    en = await anon.get("/fairs", headers={"accept-language": "en"})
    zh = await anon.get("/fairs", headers={"accept-language": "zh-CN"})
    assert 'lang="en"' in en.text and 'lang="zh-CN"' in zh.text
    assert en.headers["etag"] != zh.headers["etag"]
    assert (await anon.get("/fairs", headers={"accept-language": "zh-CN",
                                              "if-none-match": en.headers["etag"]})
            ).status_code == 200
    by_cookie = new_client()
    by_cookie.cookies.set("fairs_lang", "en")
    assert '<html lang="en">' in (await by_cookie.get("/fairs",
                                                      headers={"accept-language": "zh-CN"})).text
