"""A ticket's calendar file: the event links the holder's ticket page (never in a shared feed),
the file is named after the fair (RFC 5987 for Chinese), reminders come a day and two hours
before, checked by three parsers including Mozilla's ical.js; a cancelled ticket offers neither
the calendar file nor the QR image, and their addresses answer 410 Gone."""

from __future__ import annotations

from urllib.parse import quote

from fairs.calendar import ical
from tests.calendar.conftest import (
    make_fair,
    offline,
    parse_icalendar,
    parse_icaljs,
    parse_strict,
)
from tests.conftest import login_as
from tests.test_accounts import problem
from tests.tickets.helpers import register

TITLE = "高校毕业生专场招聘会"


async def test_the_ticket_ics_links_the_ticket_is_named_and_reminds(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, offline(world, title=TITLE))
    anon = new_client()
    ticket = await register(anon, fair["id"])
    r = await anon.get(ticket["ics"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    disposition = r.headers["content-disposition"]
    assert f"filename*=UTF-8''{quote(TITLE + '.ics', safe='')}" in disposition
    assert f'filename="fair-{fair["id"]}.ics"' in disposition and "fair.ics\"" not in \
        disposition.replace(f"fair-{fair['id']}.ics", "")
    assert "private" in r.headers["cache-control"]
    lines = ical.unfold(r.text)
    assert f"URL:{ticket['url']}" in lines
    assert lines.count("BEGIN:VALARM") == 2
    assert "TRIGGER:-P1D" in lines and "TRIGGER:-PT2H" in lines
    assert lines.count("ACTION:DISPLAY") == 2
    # The same event as the shared feeds (one UID), but the holder's secret stays out of them.
    shared = (await anon.get(f"/calendar/fairs/{fair['id']}.ics")).text
    feed = (await anon.get("/calendar/fairs.ics")).text
    uid = next(x for x in lines if x.startswith("UID:"))
    assert uid in ical.unfold(shared) and uid in ical.unfold(feed)
    for text in (shared, feed):
        assert ticket["secret"] not in text and "VALARM" not in text
        assert f"URL:{ticket['url']}" not in ical.unfold(text)
    # Three parsers read it the same way.
    (ev,) = [c for c in parse_icalendar(r.text).walk("VEVENT")]
    assert str(ev["URL"]) == ticket["url"]
    assert sorted(a.decoded("TRIGGER").total_seconds() for a in ev.walk("VALARM")) == [
        -86400, -7200]
    strict = parse_strict(r.text).events[0]
    assert len(strict.alarm) == 2
    js = parse_icaljs(r.text)["events"][0]
    assert js["url"] == ticket["url"]
    assert sorted(a["seconds"] for a in js["alarms"]) == [-86400, -7200]
    assert {a["action"] for a in js["alarms"]} == {"DISPLAY"}
    assert all(TITLE in a["description"] for a in js["alarms"])
    # 304 on a matching ETag, as the feeds.
    again = await anon.get(ticket["ics"], headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304


async def test_the_reminders_speak_the_holders_language(new_client, world):
    """The alarm text follows the request's language; the two bodies have different ETags, so
    a cached Chinese file is never answered 304 to an English request (and the other way)."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, offline(world, title=TITLE))
    anon = new_client()
    ticket = await register(anon, fair["id"])
    zh = await anon.get(ticket["ics"], headers={"accept-language": "zh-CN"})
    en = await anon.get(ticket["ics"], headers={"accept-language": "en"})
    alarms = {}
    for lang, r in (("zh", zh), ("en", en)):
        js = parse_icaljs(r.text)["events"][0]
        alarms[lang] = {a["description"] for a in js["alarms"]}
        assert "Accept-Language" in r.headers["vary"]
    assert alarms == {"zh": {f"招聘会提醒：{TITLE}"}, "en": {f"Job fair reminder: {TITLE}"}}
    assert zh.headers["etag"] != en.headers["etag"]
    crossed = await anon.get(ticket["ics"], headers={"accept-language": "en",
                                                     "if-none-match": zh.headers["etag"]})
    assert crossed.status_code == 200 and "Job fair reminder" in crossed.text


async def test_an_ascii_title_names_the_file_itself(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, offline(world, title="Tech Jobs: Spring/2027"))
    anon = new_client()
    ticket = await register(anon, fair["id"])
    disposition = (await anon.get(ticket["ics"])).headers["content-disposition"]
    assert 'filename="Tech-Jobs-Spring-2027.ics"' in disposition
    assert "filename*=UTF-8''Tech%20Jobs%20%20Spring%202027.ics" not in disposition
    assert ical.file_name("Tech Jobs: Spring/2027", "x") == (
        "Tech-Jobs-Spring-2027.ics", "Tech Jobs Spring 2027.ics")


async def test_a_cancelled_ticket_offers_no_calendar_and_no_qr(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, offline(world, title=TITLE))
    anon = new_client()
    ticket = await register(anon, fair["id"])
    page = await anon.get(ticket["url"], params={"lang": "zh_CN"})
    assert "/ticket.ics" in page.text and "/qr.png" in page.text
    assert "加入日历" in page.text
    assert (await anon.delete(f"/api/v1/tickets/{ticket['secret']}")).status_code == 204
    for lang, cancelled in (("zh_CN", "该报名已取消。"),
                            ("en", "This registration was cancelled.")):
        page = await anon.get(ticket["url"], params={"lang": lang})
        assert page.status_code == 200
        assert "/ticket.ics" not in page.text and "/qr.png" not in page.text
        assert cancelled in page.text
    for url in (ticket["ics"], ticket["qr_png"], ticket["qr_svg"]):
        body = problem(await anon.get(url), 410)
        assert body["status"] == 410
    problem(await anon.get(f"/tickets/{'x' * 43}/ticket.ics"), 404)
