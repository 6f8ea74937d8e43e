"""The organisation tree over HTTP (API.md revision 2, "Setting up from an empty database"):
admins manage it at /api/v1/orgs and on /organiser/orgs; organisers manage what lies below
their own organisation; a move never makes a cycle and keeps every subtree's scope; deactivation
is refused while the organisation is in use; every change is in the audit log."""

from __future__ import annotations

import asyncio

from fairs import db
from tests.conftest import login_as
from tests.test_accounts import problem
from tests.tickets.helpers import make_fair


async def tree() -> dict[str, dict]:
    """{code: {"path", "parent", "active"}} as the database holds it."""
    rows = await db.fetch(
        "SELECT o.code, o.path, o.active, p.code AS parent, p.path AS parent_path "
        "FROM organisation o LEFT JOIN organisation p ON p.id = o.parent")
    return {r["code"]: {**r, "active": bool(r["active"])} for r in rows}


def assert_consistent(orgs: dict[str, dict]) -> None:
    """Every path is its parent's path plus its code, and no organisation lies below itself."""
    for code, o in orgs.items():
        expected = (o["parent_path"] or "/") + code + "/"
        assert o["path"] == expected, (code, o)
        assert o["path"].count(f"/{code}/") == 1, (code, o)


async def listed(client) -> dict[str, dict]:
    response = await client.get("/api/v1/orgs")
    assert response.status_code == 200
    return {o["code"]: o for o in response.json()["items"]}


async def audit(admin, **params) -> list[dict]:
    response = await admin.get("/api/v1/audit", params={"object_type": "organisation",
                                                        **params})
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_an_admin_adds_renames_and_moves_and_each_change_is_audited(new_client, world):
    admin = await login_as(new_client, "admin")
    made = await admin.post("/api/v1/orgs", json={
        "code": "Laoshan", "name_zh": "崂山区", "name_en": "Laoshan", "kind": "district",
        "parent": "qd"})
    assert made.status_code == 201, made.text
    assert made.json() == {"id": made.json()["id"], "code": "laoshan", "name_zh": "崂山区",
                           "name_en": "Laoshan", "kind": "district", "parent": "qd",
                           "active": True}
    street = await admin.post("/api/v1/orgs", json={
        "code": "ls-1", "name_zh": "沙子口街道", "kind": "street", "parent": "laoshan"})
    assert street.status_code == 201, street.text

    renamed = await admin.patch("/api/v1/orgs/laoshan", json={
        "name_zh": "崂山区（新）", "name_en": "Laoshan District"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name_zh"] == "崂山区（新）"
    assert renamed.json()["code"] == "laoshan" and renamed.json()["parent"] == "qd"
    moved = await admin.patch("/api/v1/orgs/laoshan", json={"parent": "xha", "kind": "area"})
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent"] == "xha" and moved.json()["kind"] == "area"
    orgs = await tree()
    assert orgs["laoshan"]["path"] == "/qd/xha/laoshan/"
    assert orgs["ls-1"]["path"] == "/qd/xha/laoshan/ls-1/"  # the subtree came along
    assert_consistent(orgs)
    public = await listed(new_client())
    assert public["laoshan"]["parent"] == "xha" and public["ls-1"]["parent"] == "laoshan"

    # The same PATCH again changes nothing and records nothing.
    again = await admin.patch("/api/v1/orgs/laoshan", json={"parent": "xha", "kind": "area"})
    assert again.status_code == 200
    entries = await audit(admin, object_id=str(made.json()["id"]))
    actions = [e["action"] for e in reversed(entries)]
    assert actions == ["org.create", "org.update", "org.update", "org.move"]
    move = entries[0]
    assert move["actor"] == "admin"
    assert move["before"]["parent"] == "qd" and move["after"]["parent"] == "xha"
    assert move["after"]["path"] == "/qd/xha/laoshan/"


async def test_a_move_never_makes_a_cycle(new_client, world):
    admin = await login_as(new_client, "admin")
    for parent in ("xha", "gzk"):  # itself, or an organisation below it
        body = problem(await admin.patch("/api/v1/orgs/xha", json={"parent": parent}), 422)
        assert body["errors"][0]["field"] == "parent"
    body = problem(await admin.patch("/api/v1/orgs/qd", json={"parent": "jiaozhou"}), 409)
    assert body["errors"][0]["field"] == "parent"
    body = problem(await admin.patch("/api/v1/orgs/xha", json={"parent": "nowhere"}), 422)
    assert body["errors"][0]["field"] == "parent"
    assert_consistent(await tree())


async def test_a_moved_subtree_keeps_exactly_its_scope(new_client, world):
    """gzk (with a street below it) moves from xha to Jiaozhou: gzk's organiser still sees and
    changes exactly its own subtree's fairs; xha's organiser no longer reaches them; Jiaozhou's
    organiser now does."""
    admin = await login_as(new_client, "admin")
    gzk = await login_as(new_client, "gzk")
    organiser = await login_as(new_client, "organiser")
    jiaozhou = await login_as(new_client, "jiaozhou")
    assert (await gzk.post("/api/v1/orgs", json={"code": "gzk-1", "name_zh": "古镇口一社区"})
            ).status_code == 201
    drafts = {}
    for who, org in ((gzk, "gzk"), (gzk, "gzk-1"), (organiser, "xha"), (jiaozhou, "jiaozhou")):
        fair = await make_fair(who, world, start=60 * 24 * 5, end=60 * 24 * 5 + 180,
                               publish=False, org=org, title=f"草稿{org}")
        drafts[org] = fair["id"]

    async def visible(client) -> set[str]:
        response = await client.get("/api/v1/fairs", params={"status": "draft", "limit": 500})
        assert response.status_code == 200, response.text
        ids = {f["id"] for f in response.json()["items"]}
        return {org for org, fair_id in drafts.items() if fair_id in ids}

    assert await visible(gzk) == {"gzk", "gzk-1"}
    assert await visible(organiser) == {"gzk", "gzk-1", "xha"}
    assert await visible(jiaozhou) == {"jiaozhou"}

    moved = await admin.patch("/api/v1/orgs/gzk", json={"parent": "jiaozhou"})
    assert moved.status_code == 200, moved.text
    orgs = await tree()
    assert orgs["gzk"]["path"] == "/qd/jiaozhou/gzk/"
    assert orgs["gzk-1"]["path"] == "/qd/jiaozhou/gzk/gzk-1/"
    assert_consistent(orgs)

    assert await visible(gzk) == {"gzk", "gzk-1"}
    assert await visible(organiser) == {"xha"}
    assert await visible(jiaozhou) == {"jiaozhou", "gzk", "gzk-1"}
    me = (await gzk.get("/api/v1/auth/me")).json()
    assert me["org"] == "gzk"
    # Changing a fair: gzk its own street's, not Jiaozhou's; xha no longer gzk's.
    title = {"title": "改过名的草稿"}
    assert (await gzk.patch(f"/api/v1/fairs/{drafts['gzk-1']}", json=title)).status_code == 200
    assert (await gzk.patch(f"/api/v1/fairs/{drafts['jiaozhou']}", json=title)
            ).status_code in (403, 404)
    assert (await organiser.patch(f"/api/v1/fairs/{drafts['gzk']}", json=title)
            ).status_code in (403, 404)
    assert (await jiaozhou.patch(f"/api/v1/fairs/{drafts['gzk']}", json=title)
            ).status_code == 200
    # The tree below: gzk still manages its street, xha no longer manages gzk's.
    assert (await gzk.patch("/api/v1/orgs/gzk-1", json={"name_en": "Community 1"})
            ).status_code == 200
    problem(await organiser.patch("/api/v1/orgs/gzk-1", json={"name_en": "x"}), 403)


async def test_organisers_manage_below_their_own_organisation_only(new_client, world):
    organiser = await login_as(new_client, "organiser")  # xha
    gzk = await login_as(new_client, "gzk")  # gzk, below xha
    scanner = await login_as(new_client, "scanner")
    # Below its own node: add, rename, move within its subtree.
    made = await organiser.post("/api/v1/orgs", json={"code": "xha-new", "name_zh": "新街道",
                                                      "parent": "huangdao"})
    assert made.status_code == 201, made.text
    assert (await organiser.patch("/api/v1/orgs/gzk", json={"name_en": "GZK"})
            ).status_code == 200
    assert (await organiser.patch("/api/v1/orgs/xha-new", json={"parent": "xha"})
            ).status_code == 200
    # Its own node, its parent, a sibling district, or a move out of its subtree: refused.
    for code, body in (("xha", {"name_zh": "改名"}), ("qd", {"name_zh": "改名"}),
                       ("jiaozhou", {"name_zh": "改名"}), ("gzk", {"parent": "jiaozhou"}),
                       ("xha", {"active": False})):
        problem(await organiser.patch(f"/api/v1/orgs/{code}", json=body), 403)
    problem(await organiser.post("/api/v1/orgs", json={"code": "jz-1", "name_zh": "胶州街道",
                                                       "parent": "jiaozhou"}), 403)
    # A sub-area: below itself only.
    problem(await gzk.patch("/api/v1/orgs/gzk", json={"name_zh": "改名"}), 403)
    problem(await gzk.patch("/api/v1/orgs/xha-new", json={"name_zh": "改名"}), 403)
    assert (await gzk.post("/api/v1/orgs", json={"code": "gzk-2", "name_zh": "二社区"})
            ).status_code == 201
    # Door staff and strangers: never.
    problem(await scanner.patch("/api/v1/orgs/gzk-2", json={"name_zh": "改名"}), 403)
    problem(await new_client().patch("/api/v1/orgs/gzk-2", json={"name_zh": "改名"}), 401)
    names = await listed(new_client())
    assert names["xha"]["name_zh"] == "西海岸新区" and names["gzk-2"]["name_zh"] == "二社区"


async def test_codes_and_names_are_bounded_and_unique_whatever_their_case(new_client, world):
    admin = await login_as(new_client, "admin")
    for code in ("GZK", "Xha", "gzk"):
        body = problem(await admin.post("/api/v1/orgs", json={
            "code": code, "name_zh": "重复", "parent": "xha"}), 409)
        assert body["errors"][0]["field"] == "code"
    for code in ("a b", "x_y", "a/b", "%", "", "c" * 33, "街道"):
        body = problem(await admin.post("/api/v1/orgs", json={
            "code": code, "name_zh": "坏代码", "parent": "xha"}), 400)
        assert body["errors"][0]["field"] == "code", code
    cases = [({"name_zh": ""}, "name_zh"), ({"name_zh": "长" * 101}, "name_zh"),
             ({"name_en": "x" * 101}, "name_en"), ({"kind": "planet"}, "kind"),
             ({"parent": None}, "parent"), ({"code": "renamed"}, "code"),
             ({"active": "no"}, "active"), ({"active": 0}, "active")]
    for body, field in cases:
        answer = await admin.patch("/api/v1/orgs/huangdao", json=body)
        assert answer.status_code in (400, 422), (body, answer.text)
        assert field in {e["field"] for e in answer.json()["errors"]}, (body, answer.text)
    problem(await admin.patch("/api/v1/orgs/nowhere", json={"name_zh": "无"}), 404)
    problem(await admin.patch("/api/v1/orgs/" + "x" * 300, json={"name_zh": "无"}), 404)
    # Blank-padded names are trimmed; nothing was half-written by the refusals.
    fine = await admin.patch("/api/v1/orgs/huangdao", json={"name_zh": "  黄岛街道  "})
    assert fine.status_code == 200 and fine.json()["name_zh"] == "黄岛街道"
    assert_consistent(await tree())


async def test_deactivation_is_refused_while_the_organisation_is_in_use(new_client, world):
    admin = await login_as(new_client, "admin")
    organiser = await login_as(new_client, "organiser")
    gzk = await login_as(new_client, "gzk")
    # The top organisation, and one with active organisations below it.
    body = problem(await admin.patch("/api/v1/orgs/qd", json={"active": False}), 409)
    assert body["errors"][0]["field"] == "active"
    body = problem(await admin.patch("/api/v1/orgs/xha", json={"active": False}), 409)
    assert body["errors"][0]["field"] == "active"
    # A street with a published fair that has not ended: refused until it is cancelled.
    fair = await make_fair(organiser, world, start=60 * 24 * 3, end=60 * 24 * 3 + 180,
                           org="huangdao")
    problem(await organiser.patch("/api/v1/orgs/huangdao", json={"active": False}), 409)
    assert (await organiser.post(f"/api/v1/fairs/{fair['id']}/cancel",
                                 json={"reason": "合并"})).status_code == 200
    done = await organiser.patch("/api/v1/orgs/huangdao", json={"active": False})
    assert done.status_code == 200 and done.json()["active"] is False
    # Nothing new under a deactivated organisation: no child, no move into it, no fair.
    body = problem(await organiser.post("/api/v1/orgs", json={
        "code": "hd-1", "name_zh": "社区", "parent": "huangdao"}), 409)
    assert body["errors"][0]["field"] == "parent"
    body = problem(await organiser.patch("/api/v1/orgs/xinan", json={"parent": "huangdao"}),
                   409)
    assert body["errors"][0]["field"] == "parent"
    late = await organiser.post("/api/v1/fairs", json={
        "kind": "offline", "title": "不该有的招聘会", "org": "huangdao",
        "starts_at": "2100-01-05T09:00:00+08:00", "ends_at": "2100-01-05T12:00:00+08:00",
        "venue": world["venue:西海岸新区人力资源市场"], "industries": ["software"],
        "audiences": ["general"]})
    problem(late, 409)

    # gzk has a staff login: refused unless its logins go with it, which then stop working.
    body = problem(await admin.patch("/api/v1/orgs/gzk", json={"active": False}), 409)
    assert body["errors"][0]["field"] == "active" and body["users"] == 1
    assert (await gzk.get("/api/v1/auth/me")).status_code == 200
    off = await admin.patch("/api/v1/orgs/gzk", json={"active": False, "deactivate_users": True})
    assert off.status_code == 200, off.text
    problem(await gzk.get("/api/v1/auth/me"), 401)  # its session ends at once
    problem(await new_client().post("/api/v1/auth/login", json={
        "username": "gzk", "password": "gzk-demo-2026"}), 401)
    entry = (await audit(admin, action="org.deactivate"))[0]
    assert entry["after"]["users"] == ["gzk"] and entry["after"]["active"] is False

    # Reactivation: never below a deactivated parent.
    assert (await admin.post("/api/v1/orgs", json={"code": "lsw-1", "name_zh": "灵山湾一社区",
                                                   "parent": "lsw"})).status_code == 201
    for code in ("lsw-1", "lsw"):
        off = await admin.patch(f"/api/v1/orgs/{code}", json={"active": False})
        assert off.status_code == 200, off.text
    body = problem(await admin.patch("/api/v1/orgs/lsw-1", json={"active": True}), 409)
    assert body["errors"][0]["field"] == "active"
    for code in ("lsw", "lsw-1"):
        on = await admin.patch(f"/api/v1/orgs/{code}", json={"active": True})
        assert on.status_code == 200 and on.json()["active"] is True
    assert (await listed(new_client()))["huangdao"]["active"] is False


async def test_a_new_login_and_a_deactivation_at_once(new_client, world):
    """A staff login made in an organisation while it is deactivated: either the login is
    refused, or the deactivation is (it has an active login). Never an active login in a
    deactivated organisation."""
    from fairs.accounts import orgs, services
    from fairs.errors import Conflict
    from tests.factories import principal

    admin = await principal("admin")
    for n in range(6):
        code = f"race{n}"
        await orgs.create_org(code, "竞争街道", "", "street", "xha")
        results = await asyncio.gather(
            services.create_user(f"racer{n}", "racer-pass-2026", "scanner", code),
            orgs.update_org(admin, code, active=False), return_exceptions=True)
        assert all(r is None or isinstance(r, dict | Conflict) for r in results), results
        rows = await db.fetch(
            "SELECT o.active, (SELECT COUNT(*) FROM app_user u WHERE u.org = o.id AND u.active)"
            " AS users FROM organisation o WHERE o.code = {}", code)
        assert not (not rows[0]["active"] and rows[0]["users"]), (results, rows)
        assert sum(isinstance(r, Conflict) for r in results) == 1, results


async def test_concurrent_moves_never_build_a_loop(new_client, world):
    """Two admins at once: a under b, and b under a. One wins; the other is told it would be a
    cycle; the tree stays a tree, every path right. Then a move of a whole district while
    streets are being added below it: every new street's path follows the move."""
    admins = [await login_as(new_client, "admin") for _ in range(2)]
    for n in range(5):
        a, b = f"loop-a{n}", f"loop-b{n}"
        for code in (a, b):
            assert (await admins[0].post("/api/v1/orgs", json={
                "code": code, "name_zh": "环", "kind": "street", "parent": "xha"})
            ).status_code == 201
        answers = await asyncio.gather(
            admins[0].patch(f"/api/v1/orgs/{a}", json={"parent": b}),
            admins[1].patch(f"/api/v1/orgs/{b}", json={"parent": a}))
        assert sorted(r.status_code for r in answers) == [200, 422], [r.text for r in answers]
        assert_consistent(await tree())

    # Which move commits last decides whether xha's organisers still reach gzk: their adds may
    # be refused (403), but an admin's never are, so streets are made whichever move wins.
    adders = [await login_as(new_client, "admin") for _ in range(2)]
    adders += [await login_as(new_client, "organiser") for _ in range(2)]
    moves = [admins[0].patch("/api/v1/orgs/gzk", json={"parent": "jiaozhou"}),
             admins[1].patch("/api/v1/orgs/gzk", json={"parent": "xha"})]
    adds = [adders[i % 4].post("/api/v1/orgs", json={
        "code": f"gzk-s{i}", "name_zh": "街道", "kind": "street", "parent": "gzk"})
        for i in range(12)]
    answers = await asyncio.gather(*moves, *adds)
    assert [r.status_code for r in answers[:2]] == [200, 200], [r.text for r in answers[:2]]
    by_admin = [r for i, r in enumerate(answers[2:]) if i % 4 < 2]
    by_organiser = [r for i, r in enumerate(answers[2:]) if i % 4 >= 2]
    assert all(r.status_code == 201 for r in by_admin), [r.text for r in by_admin]
    assert all(r.status_code in (201, 403) for r in by_organiser), [r.text for r in by_organiser]
    orgs = await tree()
    assert_consistent(orgs)
    made = {c for c in orgs if c.startswith("gzk-s")}
    assert made == {r.json()["code"] for r in answers[2:] if r.status_code == 201}
    assert len(made) >= 6
    assert all(orgs[c]["path"] == orgs["gzk"]["path"] + c + "/" for c in made)


async def test_the_same_code_added_at_once_is_made_once(new_client, world):
    admin = await login_as(new_client, "admin")
    answers = await asyncio.gather(*[admin.post("/api/v1/orgs", json={
        "code": "twice" if i % 2 else "TWICE", "name_zh": "一次", "parent": "xha"})
        for i in range(8)])
    assert sorted(r.status_code for r in answers) == [201] + [409] * 7
    assert sum(1 for c in await tree() if c.lower() == "twice") == 1


# --- the page -------------------------------------------------------------------------------


async def form_client(new_client, username: str):
    client = await login_as(new_client, username)
    client.headers["accept"] = "text/html"
    return client


async def test_the_tree_page_in_both_languages(new_client, world):
    admin = await form_client(new_client, "admin")
    page = await admin.get("/organiser/orgs")
    assert page.status_code == 200
    text = page.text
    assert "组织机构" in text and "添加组织机构" in text
    assert text.index("青岛市") < text.index("西海岸新区") < text.index("古镇口军民融合创新示范区")
    assert 'action="/organiser/orgs/gzk/move"' in text and 'name="_csrf_token"' in text
    english = await admin.get("/organiser/orgs", params={"lang": "en"})
    assert "Organisations" in english.text and "Add an organisation" in english.text
    assert "West Coast New Area" in english.text
    home = await admin.get("/organiser")
    assert 'href="/organiser/orgs"' in home.text

    # An organiser sees its own subtree: its own node managed above, the rest changeable.
    organiser = await form_client(new_client, "organiser")
    mine = (await organiser.get("/organiser/orgs")).text
    assert "胶州市" not in mine and "青岛市" not in mine
    own_row = mine.split('id="org-xha"', 1)[1].split("</tr>", 1)[0]
    assert "/organiser/orgs/xha/move" not in own_row and "由上级管理" in own_row
    assert 'action="/organiser/orgs/gzk"' in mine


async def test_the_page_adds_renames_moves_and_deactivates(new_client, world):
    admin = await form_client(new_client, "admin")
    made = await admin.post("/organiser/orgs", data={
        "code": "Form-St", "name_zh": "表单街道", "name_en": "Form Street", "kind": "street",
        "parent": "xha"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/organiser/orgs?done=created&code=form-st"
    shown = await admin.get(made.headers["location"])
    assert "已添加组织机构" in shown.text and "表单街道" in shown.text

    renamed = await admin.post("/organiser/orgs/form-st", data={
        "name_zh": "表单街道二", "name_en": "", "kind": "street"}, follow_redirects=False)
    assert renamed.status_code == 303
    moved = await admin.post("/organiser/orgs/form-st/move", data={"parent": "jiaozhou"},
                             follow_redirects=False)
    assert moved.status_code == 303
    off = await admin.post("/organiser/orgs/form-st/deactivate", data={},
                           follow_redirects=False)
    assert off.status_code == 303
    orgs = await listed(new_client())
    assert orgs["form-st"] == {**orgs["form-st"], "name_zh": "表单街道二", "name_en": "",
                               "parent": "jiaozhou", "active": False}

    # Refusals come back on the page, in the reader's language, naming the field.
    bad = await admin.post("/organiser/orgs", data={
        "code": "bad code", "name_zh": "坏", "kind": "street", "parent": "xha"})
    assert bad.status_code == 422
    assert 'role="alert"' in bad.text and "机构代码" in bad.text
    assert 'value="bad code"' in bad.text
    loop = await admin.post("/organiser/orgs/xha/move", data={"parent": "gzk"})
    assert loop.status_code == 422 and "上级组织机构" in loop.text
    busy = await admin.post("/organiser/orgs/gzk/deactivate", data={})
    assert busy.status_code == 409 and "员工账号" in busy.text
    english = await admin.post("/organiser/orgs/gzk/deactivate?lang=en", data={})
    assert english.status_code == 409 and "staff logins" in english.text
    # With its logins: done.
    off = await admin.post("/organiser/orgs/gzk/deactivate", data={"deactivate_users": "1"},
                           follow_redirects=False)
    assert off.status_code == 303
    assert (await listed(new_client()))["gzk"]["active"] is False
    on = await admin.post("/organiser/orgs/gzk/activate", data={}, follow_redirects=False)
    assert on.status_code == 303 and (await listed(new_client()))["gzk"]["active"] is True

    # Another district's organisation: refused, as over the API.
    jiaozhou = await form_client(new_client, "jiaozhou")
    refused = await jiaozhou.post("/organiser/orgs/gzk", data={"name_zh": "抢", "kind": "area"})
    assert refused.status_code == 403


# --- `fairs init`'s rules (the command itself: tests/test_cli.py) -----------------------------


async def test_init_again_keeps_what_is_there(migrated):
    from fairs.accounts import orgs
    from fairs.errors import Conflict, Invalid

    first = await orgs.init("qd", "青岛市", "Qingdao", "chief", "chief-pass-2026")
    assert first.created_org and first.created_admin and not first.names_differ
    # Other names: kept (renamed on the page), and said.
    again = await orgs.init("qd", "青岛", "", "chief", None)
    assert not again.created_org and not again.created_admin and again.names_differ
    assert (await tree())["qd"]["path"] == "/qd/"
    # A second admin for the same organisation is made (a lost admin login, say).
    second = await orgs.init("qd", "青岛市", "", "chief2", "chief2-pass-2026")
    assert second.created_admin and not second.created_org
    # Refused: a weak password when an admin is to be made; a login that is not an admin's.
    try:
        await orgs.init("qd", "青岛市", "", "chief3", "short")
        raise AssertionError("a short password was taken")
    except Invalid as exc:
        assert exc.errors[0].field == "password"
    from fairs.accounts import services

    await services.create_user("door9", "door9-pass-2026", "scanner")
    try:
        await orgs.init("qd", "青岛市", "", "door9", None)
        raise AssertionError("a scanner's login was taken as the admin")
    except Conflict as exc:
        assert exc.errors[0].field == "admin"
    rows = await db.fetch("SELECT username, role FROM app_user ORDER BY id")
    assert [(r["username"], r["role"]) for r in rows] == [
        ("chief", "admin"), ("chief2", "admin"), ("door9", "scanner")]
