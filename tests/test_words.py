"""Issue 15, items 3 and 4, as a reader checks them: names where codes were (statuses, kinds,
organisations), one style of time (no seconds, no "中国标准时间", Beijing time said once per
page), and the audit log for people: who, what (a sentence), when, what changed, scoped to the
reader's organisation subtree. Both languages."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from fairs import i18n
from fairs.i18n import TZ
from tests.conftest import login_as
from tests.test_fairs import at, offline

HTML = {"accept": "text/html"}
SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")


def main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


async def read(client, url: str, lang: str, **params) -> str:
    response = await client.get(url, params={"lang": lang, **params}, headers=HTML)
    assert response.status_code == 200, response.text[:1000]
    return response.text


def text(html: str) -> str:
    """What a reader sees: cells apart, inline markup (a field's name) joined to its text."""
    html = re.sub(r"</?(span|strong|em|del|a)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- one style of time -------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "day", "moment", "span", "days"), [
    ("zh_CN", "2026年12月5日 周六", "2026年12月5日 周六 08:00",
     "2026年12月5日 周六 08:00–20:00", "2026年12月5日 周六 – 2026年12月7日 周一"),
    ("en", "Sat 5 Dec 2026", "Sat 5 Dec 2026 08:00",
     "Sat 5 Dec 2026 08:00–20:00", "Sat 5 Dec 2026 – Mon 7 Dec 2026"),
])
def test_one_pattern_per_kind_in_china_time(lang, day, moment, span, days):
    token = i18n.current_locale.set(lang)
    try:
        start = datetime.fromisoformat("2026-12-05T00:00:00+00:00")  # 08:00 in Beijing
        end = datetime.fromisoformat("2026-12-05T12:00:00+00:00")
        assert i18n.format_date(start) == day
        assert i18n.format_datetime(start) == moment
        assert i18n.format_datetime(start, "full") == moment  # old callers get the one style
        assert i18n.format_time(start, "medium") == "08:00"
        assert i18n.format_range(start, end) == span
        assert i18n.format_range(start.date(), datetime(2026, 12, 7).date()) == days
        late = datetime.fromisoformat("2026-12-06T04:00:00+00:00")
        assert i18n.format_range(start, late) == f"{moment} – {i18n.format_datetime(late)}"
    finally:
        i18n.current_locale.reset(token)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
async def test_pages_show_times_without_seconds_and_say_beijing_time_once(
        new_client, world, lang):
    organiser = await login_as(new_client, "organiser")
    fair = (await organiser.post("/api/v1/fairs", json=offline(world))).json()
    await organiser.post(f"/api/v1/fairs/{fair['id']}/publish")
    anon = new_client()
    registered = await anon.post(f"/api/v1/fairs/{fair['id']}/registrations",
                                 json={"name": "张三", "phone": "13800138000"})
    assert registered.status_code == 201, registered.text
    ticket = "/tickets/" + registered.json()["ticket"]["secret"]
    pages = [(anon, f"/fairs/{fair['id']}"), (anon, "/fairs"), (anon, ticket),
             (anon, f"/fairs/{fair['id']}/register"),
             (organiser, f"/organiser/fairs/{fair['id']}/booths"),
             (organiser, "/organiser/fairs"), (organiser, "/organiser/audit")]
    for client, url in pages:
        html = await read(client, url, lang)
        assert not SECONDS.search(text(main(html))), (url, SECONDS.search(text(main(html))))
        assert "中国标准时间" not in html and "China Standard Time" not in html, url
        said = "北京时间" if lang == "zh_CN" else "Beijing time"
        assert html.count(said) == 1, (url, html.count(said))


# --- names, not codes --------------------------------------------------------------------------


async def test_codes_are_shown_as_names_in_both_languages(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = (await organiser.post("/api/v1/fairs", json=offline(world))).json()
    zh = main(await read(organiser, "/organiser/fairs", "zh_CN", when="all"))
    en = main(await read(organiser, "/organiser/fairs", "en", when="all"))
    assert ">xha<" not in zh and ">xha<" not in en
    assert "西海岸新区" in zh and "West Coast" in en
    zh = main(await read(organiser, "/organiser/catalog", "zh_CN"))
    assert "场馆名称" in zh and "<th>姓名</th>" not in zh
    assert re.search(r"<td>西海岸新区[^<]*</td>", zh) and "<td>xha</td>" not in zh
    zh = main(await read(organiser, "/organiser", "zh_CN"))
    assert "西海岸新区" in zh and "· xha" not in zh
    zh = main(await read(organiser, f"/organiser/fairs/{fair['id']}/booths", "zh_CN"))
    assert "Draft" not in zh and "草稿" in zh


async def test_one_name_for_online_fairs_and_for_everyone(new_client, world):
    anon = new_client()
    for url in ("/fairs", "/calendar"):
        zh = main(await read(anon, url, "zh_CN"))
        assert "网络招聘会" in zh, url
        assert "线上直播" not in zh and "网络直播招聘" not in zh, url
        assert "所有人" not in zh, url


# --- the audit log -----------------------------------------------------------------------------


async def _history(new_client, world) -> tuple[dict, dict]:
    """A fair of xha (West Coast) created, moved and cancelled by its organiser, and one of
    Jiaozhou created by Jiaozhou's."""
    organiser = await login_as(new_client, "organiser")
    fair = (await organiser.post("/api/v1/fairs", json=offline(world))).json()
    await organiser.post(f"/api/v1/fairs/{fair['id']}/publish")
    await organiser.patch(f"/api/v1/fairs/{fair['id']}", json={"starts_at": at(10, 8)})
    await organiser.post(f"/api/v1/fairs/{fair['id']}/cancel", json={"reason": "暴雨"})
    jiaozhou = await login_as(new_client, "jiaozhou")
    other = (await jiaozhou.post("/api/v1/fairs", json=offline(
        world, title="胶州秘密招聘会", venue=world["venue:胶州市人力资源市场"]))).json()
    assert "id" in other, other
    return fair, other


async def test_the_audit_log_reads_as_sentences_in_both_languages(new_client, world):
    fair, _other = await _history(new_client, world)
    admin = await login_as(new_client, "admin")
    zh = text(main(await read(admin, "/organiser/audit", "zh_CN")))
    assert "取消了招聘会《高校毕业生专场招聘会》" in zh
    assert "发布了招聘会《高校毕业生专场招聘会》" in zh
    assert "状态: 已发布 → 已取消" in zh and "原因: 暴雨" in zh
    assert "fair.cancel" not in zh and "\\u" not in zh and "organiser organiser" not in zh
    assert "西海岸新区" in zh  # the organiser's organisation, by name
    token = i18n.current_locale.set("zh_CN")
    try:  # the move, in Beijing time (09:00 → 08:00, not UTC's 01:00 → 00:00)
        moved = (f"{i18n.format_datetime(datetime.fromisoformat(at(10)))} → "
                 f"{i18n.format_datetime(datetime.fromisoformat(at(10, 8)))}")
    finally:
        i18n.current_locale.reset(token)
    assert moved in zh and moved.endswith(" 08:00"), moved
    assert not SECONDS.search(zh)
    en = text(main(await read(admin, "/organiser/audit", "en")))
    assert "cancelled the fair “高校毕业生专场招聘会”" in en
    assert "Status: Published → Cancelled" in en and "Reason: 暴雨" in en
    assert "West Coast" in en


async def test_an_organiser_sees_only_their_subtree_even_by_address(new_client, world):
    fair, other = await _history(new_client, world)
    organiser = await login_as(new_client, "organiser")
    mine = text(main(await read(organiser, "/organiser/audit", "zh_CN")))
    assert "高校毕业生专场招聘会" in mine and "胶州秘密招聘会" not in mine
    for params in ({"object_type": "fair", "object_id": str(other["id"])},
                   {"object_id": str(other["id"])}, {"org": "jiaozhou"}, {"under": "/"},
                   {"action": "fair.create"}, {"page": "1", "person": "1"}):
        answer = text(main(await read(organiser, "/organiser/audit", "zh_CN", **params)))
        assert "胶州秘密招聘会" not in answer, params
    jiaozhou = await login_as(new_client, "jiaozhou")
    theirs = text(main(await read(jiaozhou, "/organiser/audit", "zh_CN")))
    assert "胶州秘密招聘会" in theirs and "高校毕业生专场招聘会" not in theirs
    gzk = await login_as(new_client, "gzk")  # a sub-area of xha: not its parent's entries
    below = text(main(await read(gzk, "/organiser/audit", "zh_CN")))
    assert "高校毕业生专场招聘会" not in below
    home = await read(organiser, "/organiser", "zh_CN")
    assert 'href="/organiser/audit"' in home  # the tile, for those who may open it
    scanner = await login_as(new_client, "scanner")
    assert (await scanner.get("/organiser/audit", headers=HTML)).status_code == 403


async def test_the_audit_filters_narrow_and_refuse_nonsense(new_client, world):
    fair, _other = await _history(new_client, world)
    admin = await login_as(new_client, "admin")
    only = text(main(await read(admin, "/organiser/audit", "en", action="fair.cancel")))
    assert "cancelled the fair" in only and "published the fair" not in only
    assert "1 entry" in only
    today = datetime.now(TZ).date()
    assert "1 entry" in text(main(await read(admin, "/organiser/audit", "en",
                                              action="fair.cancel", to=today.isoformat())))
    assert "0 entries" in text(main(await read(
        admin, "/organiser/audit", "en", action="fair.cancel",
        **{"from": today.replace(year=today.year + 1).isoformat()})))
    for bad in ({"action": "drop table"}, {"person": "x"}, {"from": "yesterday"},
                {"page": "0"}):
        answer = await admin.get("/organiser/audit", params=bad, headers=HTML)
        assert 400 <= answer.status_code < 500, (bad, answer.status_code)


async def test_entries_made_before_the_org_path_existed_are_filled_from_the_fair(
        new_client, world):
    """The migration that fills `org_path` for entries written before the column gives a fair's
    entries the fair's organisation (two districts here), as they are written now; each
    organiser then sees them in their own subtree."""
    import importlib

    from fairs import db

    fair, other = await _history(new_client, world)
    ours = f"object_type = 'fair' AND object_id IN ('{fair['id']}', '{other['id']}')"
    query = f"SELECT id, org_path FROM audit_entry WHERE {ours}"
    expected = {r["id"]: r["org_path"] for r in await db.fetch(query)}
    assert len(set(expected.values())) == 2 and "" not in expected.values()  # two districts
    await db.execute(f"UPDATE audit_entry SET org_path = '' WHERE {ours}")  # as before
    migration = importlib.import_module(
        "fairs.audit.piccolo_migrations.audit_2026_12_05t00_00_01_000000")
    await (await migration.forwards()).run()
    assert {r["id"]: r["org_path"] for r in await db.fetch(query)} == expected
    organiser = await login_as(new_client, "organiser")
    mine = text(main(await read(organiser, "/organiser/audit", "zh_CN")))
    assert "高校毕业生专场招聘会" in mine and "胶州秘密招聘会" not in mine
