"""Issue 13, item 12: a ticket's door code only admits (and identifies the holder to an
employer); the registration is managed with a separate secret (API.md revision 2).

Each test attacks as the people who see door codes do: door staff, an employer who recorded an
intention, anyone who read a code off a phone's screen."""

from __future__ import annotations

import hashlib
import json
import math
import re

from fairs import db
from fairs.tickets import codes
from tests.conftest import login_as
from tests.reports import helpers as reports
from tests.reports.helpers import book, employer, move, now_start
from tests.test_accounts import problem
from tests.tickets.helpers import make_fair, phone, register


async def _scan(scanner, fair_id: int, code: str) -> dict:
    response = await scanner.post(f"/api/v1/fairs/{fair_id}/checkins", json={"code": code})
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_code_does_not_read_the_registration(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"], "欧阳娜娜", audiences=["graduates"])
    code, secret = ticket["code"], ticket["secret"]
    stranger = new_client()
    for path in (f"/api/v1/tickets/{code}", f"/api/v1/tickets/{code.lower()}",
                 f"/tickets/{code}", f"/tickets/{code}/qr.svg", f"/tickets/{code}/qr.png",
                 f"/tickets/{code}/ticket.ics"):
        response = await stranger.get(path)
        assert response.status_code == 404, path
        assert "欧阳娜娜" not in response.text
    # The secret does.
    read = await stranger.get(f"/api/v1/tickets/{secret}")
    assert read.status_code == 200 and read.json()["name"] == "欧阳娜娜"
    assert read.json()["code"] == code
    page = await stranger.get(f"/tickets/{secret}")
    assert page.status_code == 200 and "欧阳娜娜" in page.text and code in page.text
    for key in ("qr_svg", "qr_png", "ics"):
        assert (await stranger.get(ticket[key])).status_code == 200


async def test_the_code_does_not_cancel(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    ticket = await register(new_client(), fair["id"])
    stranger = new_client()
    problem(await stranger.delete(f"/api/v1/tickets/{ticket['code']}"), 404)
    form = await stranger.post(f"/tickets/{ticket['code']}/cancel")
    assert form.status_code == 404
    # Still registered, and the code still admits.
    assert (await stranger.get(f"/api/v1/fairs/{fair['id']}")).json()["registered"] == 1
    assert (await _scan(scanner, fair["id"], ticket["code"]))["result"] == "ok"
    # The secret cancels; the code is refused at the door from then on.
    other = await register(new_client(), fair["id"])
    assert (await stranger.delete(f"/api/v1/tickets/{other['secret']}")).status_code == 204
    assert (await _scan(scanner, fair["id"], other["code"]))["result"] == "cancelled"
    third = await register(new_client(), fair["id"])
    form = await stranger.post(f"/tickets/{third['secret']}/cancel")
    assert form.status_code == 303
    assert (await _scan(scanner, fair["id"], third["code"]))["result"] == "cancelled"


async def test_the_code_does_not_list_or_change_the_marked_companies(app, new_client, world):
    reports._PUBLIC["client"] = new_client()
    organiser = await login_as(new_client, "organiser")
    hr = await employer(app)
    fair = await reports.create_fair(organiser, world, booths=2)
    booking = await book(hr, fair["id"], "A01", [2, 1])
    p1, p2 = booking["positions"]
    ticket = await reports.register(fair["id"], "李小龙")
    stranger = new_client()
    url = f"/api/v1/positions/{p1}/interests"
    # Marking with the door code is refused, naming the field; nothing is written.
    body = problem(await stranger.post(url, json={"secret": ticket["code"]}), 422)
    assert body["errors"][0]["field"] == "secret"
    assert (await new_client().post(url, json={"secret": ticket["secret"]})).status_code == 201
    # The code neither lists nor withdraws it ...
    problem(await stranger.get(f"/api/v1/tickets/{ticket['code']}/interests"), 404)
    body = problem(await stranger.request("DELETE", url, json={"secret": ticket["code"]}), 422)
    assert body["errors"][0]["field"] == "secret"
    withdraw = await stranger.post(f"/tickets/{ticket['code']}/interests/{p1}/withdraw")
    assert withdraw.status_code == 422
    # ... nor learns whether the holder marked a position (201 or 200) by marking it again.
    problem(await stranger.post(url, json={"secret": ticket["code"]}), 422)
    # The secret lists it.
    mine = await stranger.get(f"/api/v1/tickets/{ticket['secret']}/interests")
    assert mine.status_code == 200 and [i["position"] for i in mine.json()["items"]] == [p1]
    rows = await db.fetch("SELECT COUNT(*) AS n FROM position_interest WHERE fair = {}",
                          fair["id"])
    assert int(rows[0]["n"]) == 1
    assert (await stranger.request("DELETE", f"/api/v1/positions/{p2}/interests",
                                   json={"secret": ticket["secret"]})).status_code == 204


async def test_the_secret_is_strong_separate_and_not_stored(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world)
    tickets = [await register(new_client(), fair["id"]) for _ in range(5)]
    secrets = [t["secret"] for t in tickets]
    assert len(set(secrets)) == 5
    for t in tickets:
        secret = t["secret"]
        # At least 128 bits: base64url carries 6 bits a character.
        assert re.fullmatch(r"[A-Za-z0-9_-]+", secret)
        assert len(secret) * math.log2(64) >= 128
        # Nothing of the code in it, nor of it in the code.
        assert t["code"] not in secret and secret not in t["code"]
        assert t["code"].lower() not in secret.lower()
        assert t["url"].endswith(f"/tickets/{secret}")
    # The database keeps a hash: a copy of it admits at the door but manages nothing.
    rows = await db.fetch("SELECT * FROM registration WHERE fair = {} ORDER BY id", fair["id"])
    stored = json.dumps(rows, default=str)
    for t, row in zip(tickets, rows, strict=True):
        assert t["secret"] not in stored
        assert row["secret_hash"] == hashlib.sha256(t["secret"].encode()).hexdigest()
        assert row["secret_hash"] != hashlib.sha256(t["code"].encode()).hexdigest()
        problem(await new_client().get(f"/api/v1/tickets/{row['secret_hash']}"), 404)
    # The secret is a separate random value: the same code shape, other secrets.
    assert codes.looks_like_secret(secrets[0]) and not codes.looks_like_secret(tickets[0]["code"])


async def test_an_employer_recording_an_intention_gets_no_way_in(app, new_client, world):
    reports._PUBLIC["client"] = new_client()
    organiser = await login_as(new_client, "organiser")
    hr = await employer(app)
    fair = await reports.create_fair(organiser, world, booths=2)
    booking = await book(hr, fair["id"], "A01", [2])
    await move(fair["id"], now_start())
    ticket = await reports.register(fair["id"], "李小龙")
    made = await hr.post(f"/api/v1/fairs/{fair['id']}/intentions",
                         json={"code": ticket["code"], "position": booking["positions"][0]})
    assert made.status_code == 201, made.text
    text = made.text
    assert ticket["secret"] not in text and "secret" not in made.json()
    assert "李小龙" not in text and ticket["code"] not in text
    # What it holds (the code) opens nothing of the holder's.
    problem(await hr.get(f"/api/v1/tickets/{ticket['code']}"), 404)
    problem(await hr.get(f"/api/v1/tickets/{ticket['code']}/interests"), 404)
    problem(await hr.delete(f"/api/v1/tickets/{ticket['code']}"), 404)
    assert (await hr.get(f"/tickets/{ticket['code']}")).status_code == 404
    # Its page of intentions shows the job seeker masked.
    page = await hr.get(f"/employer/fairs/{fair['id']}/intentions")
    assert page.status_code == 200 and "李小龙" not in page.text and "李**" in page.text
    assert ticket["secret"] not in page.text


async def test_the_phone_lookup_hands_out_no_codes(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    last4 = "4242"
    made = [await register(new_client(), fair["id"], name, f"13{n}0042{last4}")
            for n, name in zip((8, 9, 7), ("王小明", "王大明", "李雷"), strict=True)]
    await register(new_client(), fair["id"], "无关者", phone())
    found = await scanner.get(f"/api/v1/fairs/{fair['id']}/registrations/lookup",
                              params={"last4": last4})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["total"] == 3
    for t in made:
        assert t["code"] not in found.text and t["secret"] not in found.text
    assert all("code" not in item and "secret" not in item for item in body["items"])
    assert {item["name"] for item in body["items"]} == {"王**", "李*"}
    # Door staff admit the chosen one by its id (and the same digits), as a check-in does;
    # the answer names the holder for the staff to check, and carries no code either.
    item = body["items"][0]
    url = f"/api/v1/fairs/{fair['id']}/registrations/{item['id']}/admit"
    admitted = await scanner.post(url, json={"last4": last4})
    assert admitted.status_code == 200, admitted.text
    assert admitted.json()["result"] == "ok"
    assert all(t["code"] not in admitted.text for t in made)
    again = await scanner.post(url, json={"last4": last4})
    assert again.json()["result"] == "already_checked_in"
    # Another registration's id with these digits, or an id of another fair: not found.
    problem(await scanner.post(url, json={"last4": "0000"}), 404)
    other = await make_fair(organiser, world, venue="新区人才服务中心报告厅", title="另一场")
    problem(await scanner.post(
        f"/api/v1/fairs/{other['id']}/registrations/{item['id']}/admit",
        json={"last4": last4}), 404)
