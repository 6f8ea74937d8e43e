"""Public calendar feeds as calendar clients read them: icalendar, the strict `ical` package and
Mozilla's ical.js all parse them; events are whole, times land on the right instants, a fair
keeps its UID for life, cancelled fairs stay and say so, and 304s save the download."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx

from fairs.calendar import ical
from fairs.calendar import services as calendar_services
from fairs.calendar.tables import CalendarPiece
from tests.calendar.conftest import (
    at,
    make_fair,
    offline,
    online,
    parse_icalendar,
    parse_icaljs,
    parse_strict,
)
from tests.conftest import login_as
from tests.test_accounts import problem


def check_wire_format(raw: bytes) -> str:
    """CRLF only, no line over 75 octets, no UTF-8 character split across a fold."""
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # a split character would not decode
    return raw.decode("utf-8")


def events_of(cal) -> list:
    return [c for c in cal.walk("VEVENT")]


async def feed(client, path: str = "/calendar/fairs.ics", **params) -> httpx.Response:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["etag"] and response.headers["last-modified"]
    return response


async def test_public_feed_reads_right_in_three_parsers(new_client, world):
    organiser = await login_as(new_client, "organiser")
    starts = at(10, 9)
    a = await make_fair(organiser, offline(world, title="高校毕业生专场招聘会",
                                           starts_at=starts.isoformat(),
                                           ends_at=(starts + timedelta(hours=3)).isoformat()))
    b = await make_fair(organiser, online(world))
    c = await make_fair(organiser, offline(world, title="秋季招聘会", starts_at=at(20).isoformat(),
                                           ends_at=at(20, 12).isoformat()))
    assert (await organiser.post(f"/api/v1/fairs/{c['id']}/cancel",
                                 json={"reason": "场馆检修"})).status_code == 200
    draft = await make_fair(organiser, offline(world, title="草稿", starts_at=at(30).isoformat(),
                                               ends_at=at(30, 12).isoformat()), publish=False)

    anon = new_client()
    response = await feed(anon)
    text = check_wire_format(response.content)
    lines = ical.unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    for needed in ("VERSION:2.0", "METHOD:PUBLISH", "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
                   "X-PUBLISHED-TTL:PT6H", "NAME:全部招聘会", "X-WR-CALNAME:全部招聘会"):
        assert needed in lines, needed
    assert any(line.startswith("PRODID:") for line in lines)
    assert not any(line.startswith("ORGANIZER") or line.startswith("ATTENDEE") for line in lines)
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    assert draft["title"] not in text

    # icalendar
    cal = parse_icalendar(text)
    evs = {e["UID"]: e for e in events_of(cal)}
    host = calendar_services.host()
    assert set(evs) == {f"fair-{f['id']}@{host}" for f in (a, b, c)}
    tzids = {tz["TZID"] for tz in cal.walk("VTIMEZONE")}
    assert tzids == {"Asia/Shanghai"}
    for ev in evs.values():
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL", "STATUS"):
            assert prop in ev, prop
        assert ev["DTSTART"].params["TZID"] in tzids
        assert ev["DTEND"].params["TZID"] in tzids
    ea = evs[f"fair-{a['id']}@{host}"]
    assert ea.decoded("DTSTART") == starts
    assert ea.decoded("DTSTART").astimezone(UTC) == starts.astimezone(UTC)
    assert ea.decoded("DTSTART").utcoffset() == timedelta(hours=8)
    assert str(ea["URL"]).endswith(f"/fairs/{a['id']}")
    assert "青岛西海岸新区长江中路 228 号" in str(ea["LOCATION"])
    description = str(ea["DESCRIPTION"])
    assert "线下招聘会" in description and "高校毕业生" in description
    assert "人工智能" in description or "软件" in description
    assert ea["STATUS"] == "CONFIRMED"
    eb = evs[f"fair-{b['id']}@{host}"]
    assert "职海冲浪" in str(eb["LOCATION"])
    ec = evs[f"fair-{c['id']}@{host}"]
    assert ec["STATUS"] == "CANCELLED" and str(ec["SUMMARY"]).startswith("【已取消】秋季招聘会")
    assert int(ec["SEQUENCE"]) >= 1

    # the strict `ical` package
    strict = parse_strict(text)
    assert len(strict.events) == 3
    assert {e.uid for e in strict.events} == set(evs)
    for e in strict.events:
        assert e.dtstamp and e.dtstart and e.uid
    sa = next(e for e in strict.events if e.uid == ea["UID"])
    assert sa.dtstart.astimezone(UTC) == starts.astimezone(UTC)
    assert str(next(e for e in strict.events if e.uid == ec["UID"]).status).endswith("CANCELLED")

    # Mozilla's ical.js
    js = parse_icaljs(text)
    assert js["zones"] == ["Asia/Shanghai"]
    assert js["order"].index("vtimezone") < js["order"].index("vevent")
    assert js["props"]["method"]["value"] == "PUBLISH"
    assert js["props"]["refresh-interval"]["params"].get("value") == "duration" or \
        js["props"]["refresh-interval"]["value"] == "PT6H"
    jevs = {e["uid"]: e for e in js["events"]}
    assert set(jevs) == set(evs)
    for e in jevs.values():
        assert e["uid"] and e["dtstamp"] and e["start"]
        assert e["start_zone"] == "Asia/Shanghai"
        assert all(t in js["zones"] for t in e["tzids"])
        assert e["organizer"] is None
    ja = jevs[ea["UID"]]
    assert ja["start"] == starts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert jevs[ec["UID"]]["status"] == "CANCELLED"
    assert jevs[ec["UID"]]["summary"].startswith("【已取消】")


async def test_reschedule_keeps_uid_and_raises_sequence(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, offline(world))
    anon = new_client()
    first = await feed(anon, f"/calendar/fairs/{fair['id']}.ics")
    before = events_of(parse_icalendar(first.text))[0]
    moved = at(12, 14)
    patched = await organiser.patch(f"/api/v1/fairs/{fair['id']}", json={
        "starts_at": moved.isoformat(), "ends_at": (moved + timedelta(hours=2)).isoformat()})
    assert patched.status_code == 200, patched.text
    second = await feed(anon, f"/calendar/fairs/{fair['id']}.ics")
    assert second.headers["etag"] != first.headers["etag"]
    after = events_of(parse_icalendar(second.text))[0]
    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == moved
    assert after.decoded("DTSTAMP") >= before.decoded("DTSTAMP")
    # The same in the full feed, and in ical.js.
    js = parse_icaljs((await feed(anon)).text)
    (only,) = js["events"]
    assert only["uid"] == str(before["UID"]) and only["sequence"] == int(after["SEQUENCE"])
    assert only["start"] == moved.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    assert (await organiser.post(f"/api/v1/fairs/{fair['id']}/cancel",
                                 json={"reason": "天气原因"})).status_code == 200
    third = events_of(parse_icalendar((await feed(anon)).text))
    assert len(third) == 1 and third[0]["UID"] == before["UID"]
    assert int(third[0]["SEQUENCE"]) > int(after["SEQUENCE"])
    assert third[0]["STATUS"] == "CANCELLED"
    assert "天气原因" in str(third[0]["DESCRIPTION"])


async def test_conditional_get_answers_304(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, offline(world))
    anon = new_client()
    for path in ("/calendar/fairs.ics", f"/calendar/fairs/{fair['id']}.ics"):
        first = await feed(anon, path)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = await anon.get(path)
        assert again.headers["etag"] == etag and again.content == first.content  # stable body
        r = await anon.get(path, headers={"If-None-Match": etag})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag
        r = await anon.get(path, headers={"If-None-Match": f'"other", W/{etag}'})
        assert r.status_code == 304
        r = await anon.get(path, headers={"If-Modified-Since": modified})
        assert r.status_code == 304
        r = await anon.get(path, headers={"If-None-Match": '"stale"',
                                          "If-Modified-Since": modified})
        assert r.status_code == 200  # If-None-Match wins
        old = format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
        assert (await anon.get(path, headers={"If-Modified-Since": old})).status_code == 200
        assert (await anon.get(path, headers={"If-Modified-Since": "garbage"})).status_code == 200
    # A change gives a new ETag: the old one no longer matches.
    feed_etag = (await anon.get("/calendar/fairs.ics")).headers["etag"]
    await organiser.patch(f"/api/v1/fairs/{fair['id']}", json={"title": "新标题招聘会"})
    r = await anon.get("/calendar/fairs.ics", headers={"If-None-Match": feed_etag})
    assert r.status_code == 200 and "新标题招聘会" in r.text


async def test_filters_name_the_calendar_and_select_fairs(new_client, world):
    organiser = await login_as(new_client, "organiser")
    a = await make_fair(organiser, offline(world))
    b = await make_fair(organiser, online(world))
    jz = await login_as(new_client, "jiaozhou")
    c = await make_fair(jz, offline(world, title="胶州招聘会",
                                    venue=world["venue:胶州市人力资源市场"],
                                    industries=["logistics"], audiences=["veterans"]))
    anon = new_client()

    def ids(text: str) -> set[int]:
        return {int(str(e["UID"]).split("@")[0].removeprefix("fair-"))
                for e in events_of(parse_icalendar(text))}

    r = await feed(anon, kind="online")
    assert ids(r.text) == {b["id"]}
    assert "X-WR-CALNAME:网络招聘会" in ical.unfold(r.text)
    r = await feed(anon, industry="logistics")
    assert ids(r.text) == {b["id"], c["id"]}
    name = next(x for x in ical.unfold(r.text) if x.startswith("NAME:"))
    assert "物流" in name
    r = await feed(anon, audience="veterans")
    assert ids(r.text) == {c["id"]}
    r = await feed(anon, org="jiaozhou")
    assert ids(r.text) == {c["id"]}
    assert "胶州" in next(x for x in ical.unfold(r.text) if x.startswith("X-WR-CALNAME:"))
    r = await feed(anon, org="xha", kind="offline")
    assert ids(r.text) == {a["id"]}
    assert (await feed(anon)).headers["etag"] != (await feed(anon, kind="online")).headers["etag"]
    for field, value in (("industry", "nope"), ("audience", "nope"), ("org", "nope"),
                         ("kind", "boat")):
        body = problem(await anon.get("/calendar/fairs.ics", params={field: value}), 422)
        assert body["errors"][0]["field"] == field
    problem(await anon.get("/calendar/fairs.ics", params={"days": 0}), 400)


async def test_window_holds_recent_fairs_and_days_asks_for_more(new_client, world):
    organiser = await login_as(new_client, "organiser")
    old = await make_fair(organiser, offline(world, title="去年的招聘会",
                                             starts_at=at(-300).isoformat(),
                                             ends_at=at(-300, 12).isoformat()))
    recent = await make_fair(organiser, offline(world, title="上个月的招聘会",
                                                starts_at=at(-30).isoformat(),
                                                ends_at=at(-30, 12).isoformat()))
    anon = new_client()
    default = await feed(anon)
    assert "上个月的招聘会" in default.text and "去年的招聘会" not in default.text
    more = await feed(anon, days=400)
    assert "去年的招聘会" in more.text
    cal = parse_icalendar(more.text)
    assert len(events_of(cal)) == 2
    # The VTIMEZONE covers the earliest event's year.
    tz = cal.walk("VTIMEZONE")[0]
    first_year = min(e.decoded("DTSTART").year for e in events_of(cal))
    assert tz.walk("STANDARD")[0].decoded("DTSTART").year <= first_year
    js = parse_icaljs(more.text)
    assert {e["summary"] for e in js["events"]} == {old["title"], recent["title"]}


async def test_one_fair_ics_and_the_service_the_tickets_slice_uses(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, online(world))
    draft = await make_fair(organiser, offline(world), publish=False)
    anon = new_client()
    r = await feed(anon, f"/calendar/fairs/{fair['id']}.ics")
    assert f'filename="fair-{fair["id"]}.ics"' in r.headers["content-disposition"]
    assert f"X-WR-CALNAME:{fair['title']}" in ical.unfold(r.text)
    body, etag, modified = await calendar_services.fair_calendar(fair["id"])
    assert body == r.content and etag == r.headers["etag"]
    assert modified.tzinfo is not None
    (ev,) = parse_strict(body.decode()).events
    assert ev.summary == fair["title"]
    problem(await anon.get(f"/calendar/fairs/{draft['id']}.ics"), 404)
    problem(await anon.get("/calendar/fairs/999999.ics"), 404)
    problem(await anon.get(f"/calendar/fairs/{fair['id']}.txt"), 404)


async def test_long_chinese_title_folds_and_unfolds(new_client, world):
    organiser = await login_as(new_client, "organiser")
    title = ("青岛西海岸新区二〇二七年春风行动暨高校毕业生就业服务月大型综合招聘会" * 6)[:200]
    assert len(title) == 200
    fair = await make_fair(organiser, offline(world, title=title))
    anon = new_client()
    for path in ("/calendar/fairs.ics", f"/calendar/fairs/{fair['id']}.ics"):
        raw = (await feed(anon, path)).content
        text = check_wire_format(raw)
        summary = next(x for x in ical.unfold(text) if x.startswith("SUMMARY:"))
        assert summary == f"SUMMARY:{title}"
        assert str(events_of(parse_icalendar(text))[0]["SUMMARY"]) == title
        assert parse_strict(text).events[0].summary == title
        assert parse_icaljs(text)["events"][0]["summary"] == title


async def test_text_is_escaped(new_client, world):
    organiser = await login_as(new_client, "organiser")
    title = "招聘会; 逗号, 反斜杠\\ 结束"
    fair = await make_fair(organiser, offline(world, title=title))
    text = (await feed(new_client(), f"/calendar/fairs/{fair['id']}.ics")).text
    assert parse_strict(text).events[0].summary == title
    assert parse_icaljs(text)["events"][0]["summary"] == title


async def test_body_is_cached_and_built_from_pieces(new_client, world):
    organiser = await login_as(new_client, "organiser")
    made = [await make_fair(organiser, offline(world, title=f"招聘会{i}",
                                               starts_at=at(10 + i).isoformat(),
                                               ends_at=at(10 + i, 12).isoformat()))
            for i in range(3)]
    anon = new_client()
    first = await feed(anon)
    assert await CalendarPiece.count() == 3
    # Another worker (empty memory) assembles the same bytes from the stored pieces.
    calendar_services.clear_caches()
    again = await feed(anon)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    # Changing one fair rebuilds that piece only.
    await organiser.patch(f"/api/v1/fairs/{made[1]['id']}", json={"title": "改名的招聘会"})
    keys_before = {r["fair_id"]: r["key"] for r in await CalendarPiece.select()}
    changed = await feed(anon)
    assert "改名的招聘会" in changed.text and "招聘会0" in changed.text
    keys_after = {r["fair_id"]: r["key"] for r in await CalendarPiece.select()}
    assert keys_after[made[0]["id"]] == keys_before[made[0]["id"]]
    assert keys_after[made[1]["id"]] != keys_before[made[1]["id"]]


async def daily_fairs(organiser, world, n: int) -> None:
    """`n` published offline fairs, one a day from ten days ahead."""
    for i in range(n):
        await make_fair(organiser, offline(world, title=f"招聘会{i}",
                                           starts_at=at(10 + i).isoformat(),
                                           ends_at=at(10 + i, 12).isoformat()))


async def test_gzip_is_served_once_compressed(new_client, world):
    organiser = await login_as(new_client, "organiser")
    await daily_fairs(organiser, world, 4)
    anon = new_client()
    plain = await anon.get("/calendar/fairs.ics", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    zipped = await anon.get("/calendar/fairs.ics", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decodes it
    raw = await anon.send(anon.build_request("GET", "/calendar/fairs.ics",
                                             headers={"Accept-Encoding": "gzip"}), stream=True)
    data = b"".join([chunk async for chunk in raw.aiter_raw()])
    await raw.aclose()
    assert gzip.decompress(data) == plain.content


async def test_jobs_summary_comes_from_the_hook(new_client, world):
    from fairs import hooks

    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, offline(world))
    anon = new_client()
    before = await feed(anon)
    assert "岗位" not in before.text
    jobs = {"n": 3}

    async def summaries(ids):
        return {i: hooks.FairJobs(positions=jobs["n"], headcount=40)
                for i in ids if i == fair["id"]}

    async def stamp():
        return str(jobs["n"])

    # instead of the booths slice's real receivers
    with hooks.fair_jobs.replaced(summaries), hooks.jobs_stamp.replaced(stamp):
        after = await feed(anon)
        assert after.headers["etag"] != before.headers["etag"]
        description = str(events_of(parse_icalendar(after.text))[0]["DESCRIPTION"])
        assert "岗位：3 个，招聘 40 人" in description
        jobs["n"] = 5
        assert "岗位：5 个" in "".join(ical.unfold((await feed(anon)).text))


async def test_concurrent_first_requests_agree(new_client, world):
    organiser = await login_as(new_client, "organiser")
    await daily_fairs(organiser, world, 5)
    clients = [new_client() for _ in range(8)]
    answers = await asyncio.gather(*(c.get("/calendar/fairs.ics") for c in clients))
    assert {r.status_code for r in answers} == {200}
    assert len({r.content for r in answers}) == 1
    assert await CalendarPiece.count() == 5


async def test_control_characters_never_reach_a_feed(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, offline(world, title="招聘会\x1e\x07专场"))
    text = (await feed(new_client())).text
    assert "\x1e" not in text and "\x07" not in text
    assert parse_strict(text).events[0].summary == "招聘会专场"
    # The packed read of every stored piece (used for big feeds) gets them back whole.
    (batch,) = await calendar_services._all_pieces_packed()
    (piece,) = batch
    assert piece["fair_id"] == fair["id"]
    assert piece["body"].encode() == calendar_services._pieces[fair["id"]][1]
