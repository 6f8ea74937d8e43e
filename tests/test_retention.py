"""Job seekers' personal data is erased on schedule (fairs.tickets.retention), as the privacy note
says: names, phone numbers and ticket secrets of registrations of fairs that ended more than
FAIRS_RETENTION_DAYS ago; every figure the reports show stays the same."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest

from fairs import db
from fairs.i18n import TZ
from fairs.reports import services as reports
from fairs.settings import Settings
from fairs.tickets import retention
from tests.conftest import login_as
from tests.helpers import move_fair
from tests.reports.helpers import build, move, now_start
from tests.reports.test_measures import api, page_cells, page_totals, window
from tests.tickets.helpers import make_fair, register


async def registrations() -> dict[int, dict]:
    rows = await db.fetch("SELECT id, fair, name, phone, phone_last4, secret_hash, audiences, "
                          "status, source FROM registration ORDER BY id")
    return {r["id"]: r for r in rows}


async def figures(data: dict, new_client) -> dict:
    """Everything the reports and the fairs' pages count, for the data set of
    tests/reports/helpers.py."""
    from tests.factories import principal

    organiser, y = data["organiser"], data["year"]
    admin = await login_as(new_client, "admin")
    gzk = await login_as(new_client, "gzk")
    params = window(y)
    out: dict = {"xha": await api(organiser, **params), "all": await api(admin, **params),
                 "gzk": await api(gzk, **params)}
    out["csv"] = (await organiser.get("/reports/measures.csv", params=params)).content
    html = (await organiser.get("/organiser/reports", params=params)).text
    out["page"] = page_totals(html)
    out["page_audiences"] = page_cells(html, "audience")
    summary = await organiser.get(f"/organiser/fairs/{data['f1']['id']}/summary")
    out["summary"] = page_totals(summary.text)
    public = new_client()
    out["attendance"] = {
        key: (await public.get(f"/api/v1/fairs/{data[key]['id']}/attendance")).json()
        for key in ("f1", "f2", "f3", "f5")}
    # The breakdowns with no cell suppressed: every target group's exact count.
    report = await reports.report(await principal("admin"), reports.MeasureFilter(
        start=datetime(y, 1, 1, tzinfo=TZ), end=datetime(y + 1, 1, 1, tzinfo=TZ)), min_cell=1)
    out["totals"] = report["totals"]
    out["sections"] = report["sections"]
    out["fairs"] = report["fairs"]
    return out


async def test_the_purge_erases_every_name_and_changes_no_figure(app, new_client, world):
    data = await build(app, new_client, world)
    f1 = data["f1"]["id"]
    # A scanner's retried scan keeps the answer it was given (the holder's masked name).
    await move(f1, now_start())
    nonce = str(uuid.uuid4())
    retried = await data["scanner"].post(f"/api/v1/fairs/{f1}/checkins", json={
        "code": data["tickets"][0]["code"], "nonce": nonce})
    assert retried.json()["attendee"]["name"].startswith("求")
    await move(f1, datetime(data["year"], 3, 10, 9, tzinfo=TZ))

    before = await figures(data, new_client)
    assert before["xha"]["admissions"] == 11 and before["xha"]["intentions"] == 4
    rows = await registrations()
    held = {data[k]["id"] for k in ("f1", "f2", "f3", "f4", "f6")}
    due = {i for i, r in rows.items() if r["fair"] in held}
    kept = {i for i, r in rows.items() if r["fair"] not in held}
    assert due and kept and all(rows[i]["name"] and rows[i]["phone"].startswith("+86")
                                for i in due)
    stored = await db.fetch("SELECT answer FROM scan WHERE fair = {} AND nonce = {}", f1, nonce)
    assert stored[0]["answer"] and "求" in stored[0]["answer"]

    purged = await retention.purge(180)
    assert (purged.registrations, purged.fairs) == (len(due), len({rows[i]["fair"]
                                                                    for i in due}))
    after = await figures(data, new_client)
    assert after == before

    now = await registrations()
    for i in due:
        r = now[i]
        assert (r["name"], r["phone"], r["phone_last4"], r["secret_hash"]) == (
            "", f"#{i}", "", None), r
        # What the reports need stays: the fair, the target groups, the status, the source.
        assert {k: r[k] for k in ("fair", "audiences", "status", "source")} == {
            k: rows[i][k] for k in ("fair", "audiences", "status", "source")}
    assert all(now[i] == rows[i] for i in kept)  # the fair happening now: untouched
    stored = await db.fetch("SELECT answer FROM scan WHERE fair = {} AND nonce = {}", f1, nonce)
    assert stored[0]["answer"] is None
    # The holder's ticket address no longer opens anything; organisers see no names.
    secret = data["tickets"][0]["secret"]
    assert (await new_client().get(f"/api/v1/tickets/{secret}")).status_code == 404
    listed = await data["organiser"].get(f"/api/v1/fairs/{f1}/registrations")
    assert listed.status_code == 200
    assert {(r["name"], r["phone"]) for r in listed.json()["items"]} == {("", "")}
    # Again: nothing more to erase, nothing changes.
    again = await retention.purge(180)
    assert (again.registrations, again.fairs) == (0, 0)
    assert await registrations() == now


async def test_only_fairs_past_the_retention_are_purged(new_client, world):
    organiser = await login_as(new_client, "organiser")
    public = new_client()
    fairs = {}
    for days in (10, 40):
        fair = await make_fair(organiser, world, title=f"{days} 天前")  # happening now
        await register(public, fair["id"], "王五")
        await move_fair(fair["id"], starts_at=datetime.now(TZ) - timedelta(days=days, hours=4),
                        ends_at=datetime.now(TZ) - timedelta(days=days))
        fairs[days] = fair["id"]
    dry = await retention.purge(30, dry_run=True)
    assert (dry.registrations, dry.fairs) == (1, 1)
    assert all(r["name"] == "王五" for r in (await registrations()).values())
    done = await retention.purge(30)
    assert (done.registrations, done.fairs) == (1, 1)
    names = {r["fair"]: r["name"] for r in (await registrations()).values()}
    assert names == {fairs[40]: "", fairs[10]: "王五"}


async def test_one_process_purges_at_a_time(migrated, world):
    settings = Settings.from_env(retention_days=30)
    async with retention.purge_lock(settings) as held:
        assert held
        assert await retention.purge_once(settings) is None  # another holds it: skipped
    assert await retention.purge_once(settings) is not None


async def test_the_schedule_runs_at_start_and_then_every_interval(new_client, world,
                                                                  monkeypatch):
    """run_schedule purges at once, then sleeps FAIRS_PURGE_INTERVAL_HOURS, then again; what
    became due meanwhile is erased in the next round."""
    organiser = await login_as(new_client, "organiser")
    public = new_client()
    old = await make_fair(organiser, world)
    await register(public, old["id"], "赵六")
    await move_fair(old["id"], starts_at=datetime.now(TZ) - timedelta(days=50, hours=4),
                    ends_at=datetime.now(TZ) - timedelta(days=50))
    later = await make_fair(organiser, world, title="第二场")
    await register(public, later["id"], "钱七")
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        names = {r["name"] for r in (await registrations()).values()}
        assert names == {"", "钱七"}  # the first round ran before the first sleep
        await move_fair(later["id"], starts_at=datetime.now(TZ) - timedelta(days=40, hours=4),
                        ends_at=datetime.now(TZ) - timedelta(days=40))

    monkeypatch.setattr(retention.asyncio, "sleep", sleep)
    settings = Settings.from_env(retention_days=30, purge_interval_hours=24)
    await retention.run_schedule(settings, rounds=2)
    assert slept == [24 * 3600]
    assert {r["name"] for r in (await registrations()).values()} == {""}


def test_retention_settings_are_bounded(monkeypatch):
    for name, value in (("FAIRS_RETENTION_DAYS", "0"), ("FAIRS_RETENTION_DAYS", "x"),
                        ("FAIRS_RETENTION_DAYS", "4000"), ("FAIRS_PURGE_INTERVAL_HOURS", "-1"),
                        ("FAIRS_PURGE_INTERVAL_HOURS", "nan")):
        monkeypatch.setenv(name, value)
        with pytest.raises(RuntimeError, match=name):
            Settings.from_env()
        monkeypatch.delenv(name)
    monkeypatch.setenv("FAIRS_RETENTION_DAYS", "90")
    monkeypatch.setenv("FAIRS_PURGE_INTERVAL_HOURS", "6")
    s = Settings.from_env()
    assert (s.retention_days, s.purge_interval_hours) == (90, 6.0)


async def test_served_processes_purge_on_their_own(new_client, world):
    """Two server processes started with the schedule on (FAIRS_PURGE_INTERVAL_HOURS): the
    names of a fair past the retention are erased without anyone running `fairs purge`, by
    one of them (the other finds the lock taken, or nothing left to do)."""
    from tests.browser.conftest import LiveServer

    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    public = new_client()
    for n in range(3):
        await register(public, fair["id"], f"孙{n}")
    await move_fair(fair["id"], starts_at=datetime.now(TZ) - timedelta(days=9, hours=4),
                    ends_at=datetime.now(TZ) - timedelta(days=9))
    env = {"FAIRS_PURGE_INTERVAL_HOURS": "24", "FAIRS_RETENTION_DAYS": "7",
           "FAIRS_SECRET_KEY": "s" * 48, "FAIRS_DB_POOL_SIZE": "2"}
    servers = await asyncio.gather(*(asyncio.to_thread(LiveServer, extra_env=env)
                                     for _ in range(2)))
    try:
        for _ in range(600):  # each round is quick; wait for it, however loaded the machine
            if all(r["name"] == "" for r in (await registrations()).values()):
                break
            await asyncio.sleep(0.1)
        rows = (await registrations()).values()
        assert [r["name"] for r in rows] == ["", "", ""]
        assert all(r["phone"].startswith("#") for r in rows)
    finally:
        for server in servers:
            server.stop()


async def test_the_privacy_note_says_what_is_kept_and_for_how_long(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    public = new_client()
    page = await public.get(f"/fairs/{fair['id']}/register")
    assert page.status_code == 200
    text = page.text
    assert "仅用于本场招聘会入场核验" not in text  # the old note, which left out the groups
    assert "招聘会结束 180 天后删除" in text and "我们如何处理您的信息" in text
    for heading in ("我们保存什么", "为什么", "谁能看到", "保存多久", "您的选择"):
        assert heading in text
    english = await public.get(f"/fairs/{fair['id']}/register", params={"lang": "en"})
    assert "erase them 180 days after it ends" in english.text
    assert "fewer than 5 people is not shown" in english.text
    ticket = await register(public, fair["id"], "吴九")
    held = await public.get(ticket["url"])
    assert held.status_code == 200 and "招聘会结束 180 天后删除" in held.text
