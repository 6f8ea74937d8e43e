"""Check-in (API.md "Check-in"): one rule for every scan, counted once, with real concurrency."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from fairs import db
from fairs.i18n import TZ
from fairs.tickets import codes
from tests.conftest import DEMO_PASSWORDS, login_as
from tests.test_accounts import problem
from tests.tickets.helpers import make_fair, phone, register


async def scan(client, fair_id: int, code: str, **kw):
    response = await client.post(f"/api/v1/fairs/{fair_id}/checkins", json={"code": code, **kw})
    assert response.status_code == 200, response.text
    return response.json()


async def admissions(fair_id: int) -> int:
    rows = await db.fetch("SELECT COUNT(*) AS n FROM admission WHERE fair = {}", fair_id)
    return int(rows[0]["n"])


async def test_ok_then_already(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"], "张三丰", audiences=["graduates"])
    first = await scan(scanner, fair["id"], ticket["code"], device="door-1")
    assert first["result"] == "ok"
    assert first["attendee"] == {"name": "张**", "audiences": ["graduates"]}
    assert first["counts"] == {"registered": 1, "checked_in": 1}
    assert first["checked_in_at"].endswith("+08:00")
    assert first["explanation"]
    again = await scan(scanner, fair["id"], ticket["code"].lower(), device="door-2")
    assert again["result"] == "already_checked_in"
    assert again["checked_in_at"] == first["checked_in_at"]
    assert again["counts"]["checked_in"] == 1
    assert (await organiser.get(f"/api/v1/fairs/{fair['id']}")).json()["checked_in"] == 1
    # No answer carries a phone number; the log carries no code.
    assert "1380013" not in str(first) + str(again)
    logged = await db.fetch("SELECT * FROM scan WHERE fair = {}", fair["id"])
    assert len(logged) == 2
    assert ticket["code"] not in str(logged)


async def test_explanation_in_the_request_language(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    response = await scanner.post(f"/api/v1/fairs/{fair['id']}/checkins?lang=en",
                                  json={"code": "NOT-A-TICKET"})
    assert response.json()["result"] == "unknown"
    assert "Unknown code" in response.json()["explanation"]


async def test_fifty_simultaneous_scans_count_once(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanners = [await login_as(new_client, "scanner") for _ in range(5)]
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"])
    answers = await asyncio.gather(*(
        scan(scanners[i % 5], fair["id"], ticket["code"], device=f"door-{i % 5}")
        for i in range(50)))
    results = [a["result"] for a in answers]
    assert results.count("ok") == 1, results
    assert results.count("already_checked_in") == 49
    assert await admissions(fair["id"]) == 1
    first_times = {a["checked_in_at"] for a in answers}
    assert len(first_times) == 1


async def test_refusals(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    other = await make_fair(organiser, world, venue="新区人才服务中心报告厅", title="另一场")
    anon = new_client()
    mine = await register(anon, fair["id"])
    theirs = await register(anon, other["id"])
    forged = codes.new_code()  # well formed, never issued
    assert (await scan(scanner, fair["id"], forged))["result"] == "unknown"
    mistyped = mine["code"][:-2] + ("A" if mine["code"][-2] != "A" else "B") + mine["code"][-1]
    answer = await scan(scanner, fair["id"], mistyped)
    assert answer["result"] == "unknown" and "attendee" not in answer
    assert (await scan(scanner, fair["id"], ""))["result"] == "unknown"
    assert (await scan(scanner, fair["id"], "https://example.org/x"))["result"] == "unknown"
    wrong = await scan(scanner, fair["id"], theirs["code"])
    assert wrong["result"] == "wrong_fair" and "attendee" not in wrong
    assert (await anon.delete(f"/api/v1/tickets/{mine['secret']}")).status_code == 204
    assert (await scan(scanner, fair["id"], mine["code"]))["result"] == "cancelled"
    assert await admissions(fair["id"]) == 0
    # A cancelled fair refuses its tickets.
    live = await register(anon, other["id"])
    await organiser.post(f"/api/v1/fairs/{other['id']}/cancel", json={"reason": "场地检修"})
    assert (await scan(scanner, other["id"], live["code"]))["result"] == "cancelled"
    # Every attempt was logged.
    logged = await db.fetch("SELECT result FROM scan ORDER BY id")
    assert [r["result"] for r in logged] == ["unknown", "unknown", "unknown", "unknown",
                                             "wrong_fair", "cancelled", "cancelled"]


async def test_window(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    later = await make_fair(organiser, world, start=120, end=300)
    ticket = await register(new_client(), later["id"])
    answer = await scan(scanner, later["id"], ticket["code"])
    assert answer["result"] == "not_open"
    # An hour before the start it opens (a scan taken then, uploaded later, counts).
    opens = datetime.now(TZ) + timedelta(minutes=61)
    answer = await scan(scanner, later["id"], ticket["code"], scanned_at=opens.isoformat())
    assert answer["result"] == "not_open"
    # The organiser opens the door early.
    window = await organiser.put(f"/api/v1/fairs/{later['id']}/checkin-window",
                                 json={"opens_at": (datetime.now(TZ) - timedelta(minutes=5))
                                       .isoformat()})
    assert window.status_code == 200 and window.json()["custom"] is True
    assert (await scan(scanner, later["id"], ticket["code"]))["result"] == "ok"
    ended = await make_fair(organiser, world, start=-300, end=-10,
                            venue="新区人才服务中心报告厅")
    problem(await new_client().post(f"/api/v1/fairs/{ended['id']}/registrations",
                                    json={"name": "x", "phone": phone()}), 409)


async def test_nonce_replay_counts_once(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"])
    nonce = str(uuid.uuid4())
    answers = await asyncio.gather(*(scan(scanner, fair["id"], ticket["code"], nonce=nonce)
                                     for _ in range(10)))
    assert all(a["result"] == "ok" for a in answers), [a["result"] for a in answers]
    assert await admissions(fair["id"]) == 1
    # A refused scan replays as refused, even after the ticket has been let in by another.
    other = await register(new_client(), fair["id"])
    late_nonce = str(uuid.uuid4())
    assert (await scan(scanner, fair["id"], "TBOGUS", nonce=late_nonce))["result"] == "unknown"
    assert (await scan(scanner, fair["id"], "TBOGUS", nonce=late_nonce))["result"] == "unknown"
    assert (await scan(scanner, fair["id"], other["code"]))["result"] == "ok"
    logged = await db.fetch("SELECT COUNT(*) AS n FROM scan WHERE fair = {}", fair["id"])
    assert int(logged[0]["n"]) == 3  # one per nonce, one without


async def test_batch_with_conflicts(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    anon = new_client()
    a, b = await register(anon, fair["id"]), await register(anon, fair["id"])
    t0 = datetime.now(TZ) - timedelta(minutes=20)
    scans = [
        {"code": a["code"], "nonce": "n1", "device": "door-1",
         "scanned_at": t0.isoformat()},
        {"code": b["code"], "nonce": "n2", "device": "door-1",
         "scanned_at": (t0 + timedelta(minutes=1)).isoformat()},
        # The same ticket admitted on another device while both were offline:
        {"code": a["code"], "nonce": "n3", "device": "door-2",
         "scanned_at": (t0 + timedelta(minutes=2)).isoformat()},
        {"code": "TNOPE", "nonce": "n4", "device": "door-2"},
    ]
    response = await scanner.post(f"/api/v1/fairs/{fair['id']}/checkins/batch",
                                  json={"scans": scans})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["result"] for r in body["results"]] == ["ok", "ok", "already_checked_in",
                                                      "unknown"]
    assert body["results"][2]["conflict"] is True and body["conflicts"] == 1
    assert body["results"][0]["checked_in_at"] == t0.replace(microsecond=t0.microsecond) \
        .isoformat()
    # Uploading the same batch again (the sync was interrupted) changes nothing.
    again = (await scanner.post(f"/api/v1/fairs/{fair['id']}/checkins/batch",
                                json={"scans": scans})).json()
    assert [r["result"] for r in again["results"]] == ["ok", "ok", "already_checked_in",
                                                       "unknown"]
    assert await admissions(fair["id"]) == 2
    rows = await db.fetch("SELECT offline FROM admission WHERE fair = {}", fair["id"])
    assert all(bool(r["offline"]) for r in rows)
    logged = await db.fetch("SELECT COUNT(*) AS n FROM scan WHERE fair = {} AND offline = {}",
                            fair["id"], True)
    assert int(logged[0]["n"]) == 4


async def test_who_may_scan(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"])
    problem(await new_client().post(f"/api/v1/fairs/{fair['id']}/checkins",
                                    json={"code": ticket["code"]}), 401)
    jiaozhou = await login_as(new_client, "jiaozhou")
    problem(await jiaozhou.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                json={"code": ticket["code"]}), 403)
    problem(await organiser.post("/api/v1/fairs/999999/checkins", json={"code": "T"}), 404)
    assert await admissions(fair["id"]) == 0
    # Organisers scan too.
    assert (await scan(organiser, fair["id"], ticket["code"]))["result"] == "ok"


async def token_client(new_client, username: str, password: str | None = None):
    """A scanner device: a bearer token made with a username and password, no session."""
    made = await new_client().post("/api/v1/auth/tokens", json={
        "username": username, "password": password or DEMO_PASSWORDS[username], "name": "door"})
    assert made.status_code == 201, made.text
    device = new_client()
    device.headers["authorization"] = f"Bearer {made.json()['token']}"
    return device, made.json()


async def test_scanner_devices_with_bearer_tokens(new_client, world):
    """A device's bearer token is checked in the same round trip as the ticket (and, on
    PostgreSQL, with the other scans arriving together): the answers are those the auth
    middleware and the scanner guard give on every other route."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    tickets = [await register(new_client(), fair["id"]) for _ in range(12)]
    door, made = await token_client(new_client, "scanner")
    answers = await asyncio.gather(*(
        scan(door, fair["id"], t["code"], nonce=f"n-{n}", device="door-1")
        for n, t in enumerate(tickets)))
    assert [a["result"] for a in answers] == ["ok"] * 12
    assert max(a["counts"]["checked_in"] for a in answers) == 12
    assert await admissions(fair["id"]) == 12
    again = await scan(door, fair["id"], tickets[0]["code"], nonce="n-0", device="door-1")
    assert again["result"] == "ok" and again["replayed"] is True
    assert await admissions(fair["id"]) == 12
    # A repeat scan's answer is kept for its retry too (on PostgreSQL, stored after the batch).
    repeats = await asyncio.gather(*(
        scan(door, fair["id"], t["code"], nonce=f"r-{n}", device="door-2")
        for n, t in enumerate(tickets[:4])))
    retried = await asyncio.gather(*(
        scan(door, fair["id"], t["code"], nonce=f"r-{n}", device="door-2")
        for n, t in enumerate(tickets[:4])))
    for repeat, retry, first in zip(repeats, retried, answers, strict=False):
        assert repeat["result"] == retry["result"] == "already_checked_in"
        assert retry["replayed"] is True and "replayed" not in repeat
        assert retry["checked_in_at"] == repeat["checked_in_at"] == first["checked_in_at"]
        assert retry["explanation"] == repeat["explanation"]
    # Organisers' tokens scan too; another organisation's organiser may not.
    own, _made = await token_client(new_client, "organiser")
    assert (await scan(own, fair["id"], tickets[0]["code"]))["result"] == "already_checked_in"
    sibling, _made = await token_client(new_client, "jiaozhou")
    problem(await sibling.post(f"/api/v1/fairs/{fair['id']}/checkins",
                               json={"code": tickets[1]["code"]}), 403)
    # A token without the scanner or organiser role: 403, naming the role, as the guard says.
    from tests.employers.conftest import employers_with_tokens

    [employer] = await employers_with_tokens(1, start=8800)
    hr = new_client()
    hr.headers["authorization"] = f"Bearer {employer['token']}"
    denied = problem(await hr.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                   json={"code": tickets[1]["code"]}), 403)
    assert denied["code"] == "role_required" and "检票员" in denied["detail"]
    # A forged token is refused before anything else, also at a fair that does not exist.
    forged = new_client()
    forged.headers["authorization"] = "Bearer fairs_" + "x" * 43
    for fair_id in (fair["id"], 999999):
        problem(await forged.post(f"/api/v1/fairs/{fair_id}/checkins",
                                  json={"code": tickets[1]["code"]}), 401)
    problem(await door.post("/api/v1/fairs/999999/checkins", json={"code": "T"}), 404)
    # A revoked token stops working at once.
    assert (await door.delete(f"/api/v1/auth/tokens/{made['id']}")).status_code == 204
    problem(await door.post(f"/api/v1/fairs/{fair['id']}/checkins",
                            json={"code": tickets[1]["code"]}), 401)
    assert await admissions(fair["id"]) == 12
    logged = await db.fetch("SELECT COUNT(*) AS n FROM scan WHERE fair = {}", fair["id"])
    assert int(logged[0]["n"]) == 17  # twelve admissions, four repeats, the organiser's


async def test_a_bearer_scan_is_decided_by_its_token_whatever_cookie_comes_with_it(
        new_client, world):
    """A check-in sent with a bearer token goes past the session, CSRF and authentication
    layers (fairs.web.RequestStack's short way): the token alone decides it. A browser's
    session cookie sent along neither lends its user to a bad token nor takes the token's
    place, no cookie is set, and the session stays as it was."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"])
    other = await register(new_client(), fair["id"])
    # A forged token with the organiser's live session cookie: 401, nothing admitted.
    forged = new_client()
    forged.cookies = organiser.cookies
    forged.headers["authorization"] = "Bearer fairs_" + "x" * 43
    refused = await forged.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                json={"code": ticket["code"]})
    assert problem(refused, 401)["code"] == "invalid_token"
    assert await admissions(fair["id"]) == 0
    # The session cookie of another organisation's organiser (who may not scan here) with a
    # scanner's token: the scanner scans.
    sibling = await login_as(new_client, "jiaozhou")
    door, _made = await token_client(new_client, "scanner")
    door.cookies = sibling.cookies
    answer = await door.post(f"/api/v1/fairs/{fair['id']}/checkins",
                             json={"code": ticket["code"], "device": "door-1"})
    assert answer.status_code == 200 and answer.json()["result"] == "ok"
    assert "set-cookie" not in answer.headers
    # ... and a scanner's session cookie does not lend its role to an employer's token.
    from tests.employers.conftest import employers_with_tokens

    [hr] = await employers_with_tokens(1, start=8900)
    scanner = await login_as(new_client, "scanner")
    mixed = new_client()
    mixed.cookies = scanner.cookies
    mixed.headers["authorization"] = f"Bearer {hr['token']}"
    denied = await mixed.post(f"/api/v1/fairs/{fair['id']}/checkins",
                              json={"code": other["code"]})
    assert problem(denied, 403)["code"] == "role_required"
    assert await admissions(fair["id"]) == 1
    # The sessions the cookies belong to still work as they did.
    assert (await sibling.get("/api/v1/auth/me")).json()["username"] == "jiaozhou"
    assert (await scan(scanner, fair["id"], other["code"]))["result"] == "ok"


async def test_scans_at_two_fairs_at_once_count_apart(new_client, world):
    """Scans at two doors arriving together (one batch on PostgreSQL): each fair's admissions
    and counts are its own, and a ticket scanned at the wrong door is refused there."""
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    one = await make_fair(organiser, world)
    two = await make_fair(organiser, world, venue="新区人才服务中心报告厅", title="另一场")
    ones = [await register(new_client(), one["id"]) for _ in range(6)]
    twos = [await register(new_client(), two["id"]) for _ in range(4)]
    answers = await asyncio.gather(
        *(scan(scanner, one["id"], t["code"]) for t in ones),
        *(scan(scanner, two["id"], t["code"]) for t in twos),
        scan(scanner, one["id"], twos[0]["code"]))
    assert [a["result"] for a in answers] == ["ok"] * 10 + ["wrong_fair"]
    assert max(a["counts"]["checked_in"] for a in answers[:6]) == 6
    assert {a["counts"]["registered"] for a in answers[:6]} == {6}
    assert max(a["counts"]["checked_in"] for a in answers[6:10]) == 4
    assert await admissions(one["id"]) == 6 and await admissions(two["id"]) == 4


async def test_find_by_last_digits(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    number = phone()
    ticket = await register(new_client(), fair["id"], "欧阳娜娜", number)
    found = (await scanner.get(f"/api/v1/fairs/{fair['id']}/registrations/lookup",
                               params={"last4": number[-4:]})).json()
    assert found["total"] == 1
    item = found["items"][0]
    assert "code" not in item and item["name"] == "欧***"  # no door codes handed out
    assert item["phone"] == number[:3] + "****" + number[-4:]
    problem(await new_client().get(f"/api/v1/fairs/{fair['id']}/registrations/lookup",
                                   params={"last4": "1234"}), 401)
    # Door staff admit the one found by its id and the same digits, as a check-in decides.
    url = f"/api/v1/fairs/{fair['id']}/registrations/{item['id']}/admit"
    problem(await scanner.post(url, json={"last4": "0000" if number[-4:] != "0000" else "1111"}),
            404)
    admitted = await scanner.post(url, json={"last4": number[-4:], "nonce": "lookup-1"})
    assert admitted.status_code == 200, admitted.text
    assert admitted.json()["result"] == "ok" and admitted.json()["counts"]["checked_in"] == 1
    assert (await scan(scanner, fair["id"], ticket["code"]))["result"] == "already_checked_in"
    problem(await new_client().post(url, json={"last4": number[-4:]}), 401)


async def test_walk_in(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world, capacity=1)
    await register(new_client(), fair["id"])  # the fair is now full for online registration
    response = await scanner.post(f"/api/v1/fairs/{fair['id']}/walk-ins",
                                  json={"name": "路人甲", "phone": phone()})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] == "ok" and body["walk_in"] is True
    assert body["counts"] == {"registered": 2, "checked_in": 1}
    attendance = (await organiser.get(f"/api/v1/fairs/{fair['id']}/attendance")).json()
    assert attendance["walk_ins"] == 1 and attendance["checked_in"] == 1
    assert attendance["registered"] == 2
    problem(await scanner.post(f"/api/v1/fairs/{fair['id']}/walk-ins",
                               json={"name": "路人乙", "phone": "123"}), 422)


async def test_attendance_and_online_sessions(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    anon = new_client()
    url = f"/api/v1/fairs/{fair['id']}"
    made = await organiser.post(f"{url}/online-sessions",
                                json={"label": "上午场", "peak_viewers": 830,
                                      "total_views": 12000})
    assert made.status_code == 201, made.text
    csv_text = ("场次,开播时间,最高在线人数,观看人次\n"
                "下午场,2027-03-05 14:00,1200,\"21,500\"\n"
                "晚场,2027-03-05 19:00,300,4000\n")
    imported = await organiser.post(f"{url}/online-sessions/import", json={"csv": csv_text})
    assert imported.status_code == 201, imported.text
    assert [s["total_views"] for s in imported.json()["items"]] == [21500, 4000]
    bad = problem(await organiser.post(f"{url}/online-sessions/import",
                                       json={"csv": "a,b\n1,2\n"}), 422)
    assert bad["errors"][0]["field"] == "file"
    problem(await anon.post(f"{url}/online-sessions", json={"total_views": 1}), 401)
    attendance = (await anon.get(f"{url}/attendance")).json()
    assert attendance == {"registered": 0, "checked_in": 0, "walk_ins": 0,
                          "employers_present": 0, "online_viewers": 37500,
                          "online_peak": 1200}


async def test_bench_endpoint_is_off_by_default(client, migrated):
    assert (await client.post("/api/v1/bench/fairs/1/insert")).status_code == 404


def _same(answer: dict) -> dict:
    """An answer without its `replayed` flag (a retry says it is one; nothing else differs)."""
    return {k: v for k, v in answer.items() if k != "replayed"}


async def test_a_replayed_repeat_scan_is_answered_at_once_with_the_first_answer(new_client,
                                                                                world):
    """A repeat scan (already checked in) retried 20 times at once: every answer is the first
    one, with the first admission's time, and nothing more is counted or logged."""
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"], "欧阳娜娜")
    first = await scan(scanner, fair["id"], ticket["code"], nonce="door-1-a", device="door-1")
    assert first["result"] == "ok"
    answers = await asyncio.gather(*(
        scan(scanner, fair["id"], ticket["code"], nonce="door-2-a", device="door-2")
        for _ in range(20)))
    assert {a["result"] for a in answers} == {"already_checked_in"}
    assert [a.get("replayed", False) for a in answers].count(False) == 1  # the first of them
    assert all(_same(a) == _same(answers[0]) for a in answers)
    assert answers[0]["checked_in_at"] == first["checked_in_at"]
    assert answers[0]["counts"] == {"registered": 1, "checked_in": 1}
    assert await admissions(fair["id"]) == 1
    logged = await db.fetch("SELECT nonce, result FROM scan WHERE fair = {} ORDER BY id",
                            fair["id"])
    assert [(r["nonce"], r["result"]) for r in logged] == [("door-1-a", "ok"),
                                                           ("door-2-a", "already_checked_in")]


async def test_a_replay_is_explained_in_the_language_of_the_retry(new_client, world):
    """The log keeps the result code and what the explanation needs, never its text: a scan
    answered in English and retried by a Chinese scanner gets the same answer in Chinese."""
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"])
    url = f"/api/v1/fairs/{fair['id']}/checkins"
    assert (await scan(scanner, fair["id"], ticket["code"]))["result"] == "ok"
    body = {"code": ticket["code"], "nonce": "lang-1"}
    english = (await scanner.post(url + "?lang=en", json=body)).json()
    chinese = (await scanner.post(url + "?lang=zh_CN", json=body)).json()
    assert english["result"] == chinese["result"] == "already_checked_in"
    assert chinese["replayed"] is True and "replayed" not in english
    assert english["checked_in_at"] == chinese["checked_in_at"]
    assert english["attendee"] == chinese["attendee"]
    assert english["explanation"].startswith("Already checked in")
    assert "已" in chinese["explanation"] and "Already" not in chinese["explanation"]
    # An unknown code's answer the same way round.
    unknown = {"code": "NOT-A-TICKET", "nonce": "lang-2"}
    zh = (await scanner.post(url + "?lang=zh_CN", json=unknown)).json()
    en = (await scanner.post(url + "?lang=en", json=unknown)).json()
    assert zh["result"] == en["result"] == "unknown" and en["replayed"] is True
    assert "Unknown code" in en["explanation"] and "Unknown" not in zh["explanation"]
    logged = str(await db.fetch("SELECT * FROM scan WHERE fair = {}", fair["id"]))
    for text in (english["explanation"], chinese["explanation"], zh["explanation"]):
        assert text not in logged


async def test_a_retry_of_a_scan_refused_before_the_door_opened_admits_nothing(new_client,
                                                                               world):
    """A scan answered not_open, retried (same nonce) after the organiser opened the door:
    the retry gets the first answer and counts nothing; a new scan of the ticket is let in."""
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world, start=120, end=300)
    ticket = await register(new_client(), fair["id"])
    first = await scan(scanner, fair["id"], ticket["code"], nonce="early-1")
    assert first["result"] == "not_open"
    opened = await organiser.put(f"/api/v1/fairs/{fair['id']}/checkin-window",
                                 json={"opens_at": (datetime.now(TZ) - timedelta(minutes=5))
                                       .isoformat()})
    assert opened.status_code == 200, opened.text
    retried = await asyncio.gather(*(scan(scanner, fair["id"], ticket["code"], nonce="early-1")
                                     for _ in range(5)))
    assert all(_same(r) == first for r in retried)
    assert all(r["replayed"] is True for r in retried)
    assert await admissions(fair["id"]) == 0
    assert retried[0]["counts"]["checked_in"] == 0
    now_in = await scan(scanner, fair["id"], ticket["code"], nonce="early-2")
    assert now_in["result"] == "ok" and now_in["counts"]["checked_in"] == 1
    assert await admissions(fair["id"]) == 1
