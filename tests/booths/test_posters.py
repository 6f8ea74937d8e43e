"""Booth and guest-slot posters, the employer's page at a fair that their QR opens, and
attendees marking interest in positions (issue 5, "Booth posters")."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fairs import db
from fairs.settings import Settings
from tests.employers.conftest import make_fair
from tests.test_accounts import problem
from tests.tickets.helpers import register
from tests.tickets.test_tickets import JSQR

JOB = {"title": "Python 开发工程师", "headcount": 5, "education": "bachelor",
       "salary_min": 8000, "salary_max": 15000, "job_type": "常规", "major": "计算机",
       "description": "负责招聘系统后端"}
BASE = Settings.from_env().base_url


# --- helpers ----------------------------------------------------------------------------------


def svg_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """The QR's size and dark modules from qrcode's SvgPathFillImage: one `Mx,yH..V..H..z` per
    dark module, in a viewBox of one unit per module (the quiet zone included)."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    dark = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", svg)}
    return size, dark


def decode_svg(svg: str, tmp_path: Path, scale: int = 6) -> str | None:
    """Draw the SVG's modules as RGBA pixels and decode them with jsQR (the scanner pages' own
    decoder) under node."""
    size, dark = svg_modules(svg)
    pixels = bytearray()
    for y in range(size):
        row = bytearray()
        for x in range(size):
            value = 0 if (x, y) in dark else 255
            row.extend(bytes((value, value, value, 255)) * scale)
        pixels.extend(bytes(row) * scale)
    raw = tmp_path / "poster.rgba"
    raw.write_bytes(bytes(pixels))
    script = ("const jsQR = require(process.argv[1]); const fs = require('fs');"
              "const data = new Uint8ClampedArray(fs.readFileSync(process.argv[2]));"
              "const r = jsQR(data, +process.argv[3], +process.argv[3]);"
              "process.stdout.write(JSON.stringify(r ? r.data : null));")
    out = subprocess.run(["node", "-e", script, str(JSQR), str(raw), str(size * scale)],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def posters_in(html: str) -> list[dict]:
    """Each printed poster: its employer, the address it names, and its QR's SVG."""
    out = []
    for m in re.finditer(r'<article class="poster" data-employer="(\d+)" data-url="([^"]+)"'
                         r'(.*?)</article>', html, re.S):
        svg = re.search(r"<svg.*?</svg>", m.group(3), re.S).group(0)
        out.append({"employer": int(m.group(1)), "url": m.group(2), "svg": svg,
                    "html": m.group(3)})
    return out


async def book_with_positions(client, fair_id: int, booth: str, titles: list[str]) -> dict:
    booking = await client.post(f"/api/v1/fairs/{fair_id}/bookings", json={"booth": booth})
    assert booking.status_code == 201, booking.text
    booking = booking.json()
    ids = []
    for title in titles:
        made = await client.post(f"/api/v1/bookings/{booking['id']}/positions",
                                 json={**JOB, "title": title})
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    return {**booking, "positions": ids}


async def interests(fair_id: int) -> int:
    rows = await db.fetch("SELECT COUNT(*) AS n FROM position_interest WHERE fair = {}", fair_id)
    return int(rows[0]["n"])


@pytest.fixture
async def scene(new_client, world, organiser, employer_clients):
    """An offline fair with two employers at booths A01 and A02 (with positions), a third
    employer without a booth, another fair, and tickets for both fairs."""
    fair = await make_fair(organiser, world, booths=3)
    other = await make_fair(organiser, world, booths=1, days=12)
    a, b, c = await employer_clients(3)
    ba = await book_with_positions(a, fair["id"], "A01", ["Python 开发工程师", "仓储主管"])
    bb = await book_with_positions(b, fair["id"], "A02", ["叉车司机"])
    bo = await book_with_positions(c, other["id"], "A01", ["会计"])
    anon = new_client()
    ticket = await register(anon, fair["id"], "李小龙", "13800138123")
    elsewhere = await register(anon, other["id"], "王五")
    return dict(fair=fair, other=other, a=a, b=b, c=c, ba=ba, bb=bb, bo=bo, anon=anon,
                ticket=ticket, elsewhere=elsewhere, organiser=organiser)


# --- posters ----------------------------------------------------------------------------------


async def test_organiser_prints_every_poster_of_a_fair(scene, new_client, tmp_path):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    fair, organiser = scene["fair"], scene["organiser"]
    response = await organiser.get(f"/organiser/fairs/{fair['id']}/posters")
    assert response.status_code == 200, response.text
    posters = posters_in(response.text)
    assert [p["employer"] for p in posters] == [scene["a"].employer_id, scene["b"].employer_id]
    for p, booth in zip(posters, ("A01", "A02"), strict=True):
        expected = f"{BASE}/fairs/{fair['id']}/employers/{p['employer']}"
        assert p["url"] == expected
        assert f"展位 {booth}" in p["html"] or f"Booth {booth}" in p["html"]
        assert "高校毕业生专场招聘会" in p["html"]
        assert await asyncio.to_thread(decode_svg, p["svg"], tmp_path) == expected
    assert "青岛测试企业" in posters[0]["html"]
    # One poster per printed A4 page: the print stylesheet says so.
    css = (await new_client().get("/static/css/app.css")).text
    assert "size: A4 portrait" in css and "break-after: page" in css
    # An organiser of a sibling district cannot print them; an employer neither.
    sibling = await new_client().login("jiaozhou")
    problem(await sibling.get(f"/organiser/fairs/{fair['id']}/posters",
                              headers={"accept": "application/json"}), 403)


async def test_employer_prints_its_own_poster(scene, tmp_path):
    a, b, ba = scene["a"], scene["b"], scene["ba"]
    response = await a.get(f"/employer/bookings/{ba['id']}/poster")
    assert response.status_code == 200, response.text
    (poster,) = posters_in(response.text)
    assert poster["employer"] == a.employer_id
    assert poster["url"] == f"{BASE}/fairs/{scene['fair']['id']}/employers/{a.employer_id}"
    if shutil.which("node") is not None:
        assert await asyncio.to_thread(decode_svg, poster["svg"], tmp_path) == poster["url"]
    problem(await b.get(f"/employer/bookings/{ba['id']}/poster",
                        headers={"accept": "application/json"}), 403)
    # The same QR as an image (for print shops), PNG too.
    svg = await scene["anon"].get(
        f"/fairs/{scene['fair']['id']}/employers/{a.employer_id}/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    png = await scene["anon"].get(
        f"/fairs/{scene['fair']['id']}/employers/{a.employer_id}/qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


async def test_guest_slot_poster(world, organiser, employer_clients, new_client, tmp_path):
    fair = await make_fair(organiser, world, kind="online", days=9)
    start = datetime.fromisoformat(fair["starts_at"])
    slots = (await organiser.post(f"/api/v1/fairs/{fair['id']}/slots", json={"slots": [
        {"starts_at": start.isoformat(), "ends_at": (start + timedelta(minutes=15)).isoformat(),
         "label": "第一位嘉宾"}]})).json()["items"]
    (a,) = await employer_clients(1)
    got = await a.post(f"/api/v1/slots/{slots[0]['id']}/bookings", json={"topic": "物流岗位"})
    assert got.status_code == 201, got.text
    await a.post(f"/api/v1/slot-bookings/{got.json()['id']}/positions",
                 json={"title": "快递员", "headcount": 20, "job_type": "零工"})
    mine = await a.get(f"/employer/slot-bookings/{got.json()['id']}/poster")
    assert mine.status_code == 200, mine.text
    (poster,) = posters_in(mine.text)
    assert "19:00" in poster["html"] and "19:15" in poster["html"]
    assert poster["url"] == f"{BASE}/fairs/{fair['id']}/employers/{a.employer_id}"
    everyone = posters_in((await organiser.get(f"/organiser/fairs/{fair['id']}/posters")).text)
    assert [p["employer"] for p in everyone] == [a.employer_id]
    if shutil.which("node") is not None:
        assert await asyncio.to_thread(decode_svg, poster["svg"], tmp_path) == poster["url"]
    page = await new_client().get(f"/fairs/{fair['id']}/employers/{a.employer_id}")
    assert page.status_code == 200 and "快递员" in page.text and "19:00" in page.text


# --- the employer's page at a fair -------------------------------------------------------------


async def test_employer_page_shows_who_and_what(scene):
    anon, fair, a = scene["anon"], scene["fair"], scene["a"]
    page = await anon.get(f"/fairs/{fair['id']}/employers/{a.employer_id}")
    assert page.status_code == 200
    text = page.text
    for needle in ("青岛测试企业", "A01", "Python 开发工程师", "仓储主管", "8,000", "15,000",
                   "负责招聘系统后端", 'name="position"'):
        assert needle in text, needle
    assert "叉车司机" not in text  # another employer's position
    api = (await anon.get(f"/api/v1/fairs/{fair['id']}/employers/{a.employer_id}")).json()
    assert api["booth"] == "A01" and api["kind"] == "booth" and api["industry"] == "software"
    assert [p["title"] for p in api["positions"]] == ["Python 开发工程师", "仓储主管"]
    assert api["poster_qr"] == f"{BASE}/fairs/{fair['id']}/employers/{a.employer_id}"
    # An employer with no booth at this fair has no page here.
    problem(await anon.get(f"/api/v1/fairs/{fair['id']}/employers/{scene['c'].employer_id}"),
            404)
    assert (await anon.get(f"/fairs/{fair['id']}/employers/{scene['c'].employer_id}",
                           headers={"accept": "text/html"})).status_code == 404
    # A cancelled booking takes the page down.
    await scene["b"].delete(f"/api/v1/bookings/{scene['bb']['id']}")
    problem(await anon.get(f"/api/v1/fairs/{fair['id']}/employers/{scene['b'].employer_id}"),
            404)


# --- interest -------------------------------------------------------------------------------


async def test_interest_is_recorded_once(scene, new_client):
    fair, ticket, p1 = scene["fair"], scene["ticket"], scene["ba"]["positions"][0]
    url = f"/api/v1/positions/{p1}/interests"
    made = await scene["anon"].post(url, json={"secret": ticket["secret"]})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["created"] is True and body["position"] == p1 and body["fair"] == fair["id"]
    assert body["created_at"].endswith("+08:00")
    again = await new_client().post(url, json={"secret": ticket["url"]})  # the address works
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert again.json()["created"] is False
    assert await interests(fair["id"]) == 1
    # Many at once from one ticket: one 201, the rest 200, one row.
    p2 = scene["ba"]["positions"][1]
    answers = await asyncio.gather(*(new_client().post(
        f"/api/v1/positions/{p2}/interests", json={"secret": ticket["secret"]}) for _ in range(20)))
    assert sorted(r.status_code for r in answers) == [200] * 19 + [201]
    assert len({r.json()["id"] for r in answers}) == 1
    assert await interests(fair["id"]) == 2
    # The ticket's list, and withdrawing.
    mine = (await new_client().get(f"/api/v1/tickets/{ticket['secret']}/interests")).json()
    assert {i["position"] for i in mine["items"]} == {p1, p2}
    assert mine["items"][0]["url"] == f"/fairs/{fair['id']}/employers/{scene['a'].employer_id}"
    gone = await new_client().request("DELETE", url, json={"secret": ticket["secret"]})
    assert gone.status_code == 204
    assert await interests(fair["id"]) == 1
    assert (await new_client().post(url, json={"secret": ticket["secret"]})).status_code == 201


async def test_interest_refusals(scene, new_client):
    fair, ticket = scene["fair"], scene["ticket"]
    p1 = scene["ba"]["positions"][0]
    url = f"/api/v1/positions/{p1}/interests"
    anon = new_client()
    # An unknown secret, and the door code (which does not mark interest).
    body = problem(await anon.post(url, json={"secret": "x" * 32}), 422)
    assert body["errors"][0]["field"] == "secret"
    body = problem(await anon.post(url, json={"secret": ticket["code"]}), 422)
    assert body["errors"][0]["field"] == "secret"
    # A ticket of another fair.
    body = problem(await anon.post(url, json={"secret": scene["elsewhere"]["secret"]}), 422)
    assert body["errors"][0]["field"] == "secret"
    # A position of another fair (through the employer's page form at this fair).
    page = await anon.post(f"/fairs/{fair['id']}/employers/{scene['a'].employer_id}/interest",
                           data={"secret": ticket["secret"],
                                 "position": str(scene["bo"]["positions"][0])})
    assert page.status_code == 422
    # ... and through the API the position's own fair decides: this ticket is not for it.
    body = problem(await anon.post(f"/api/v1/positions/{scene['bo']['positions'][0]}/interests",
                                   json={"secret": ticket["secret"]}), 422)
    assert body["errors"][0]["field"] == "secret"
    # An unknown position, and one whose booking was cancelled.
    body = problem(await anon.post("/api/v1/positions/999999/interests",
                                   json={"secret": ticket["secret"]}), 404)
    assert body["errors"][0]["field"] == "position"
    await scene["b"].delete(f"/api/v1/bookings/{scene['bb']['id']}")
    body = problem(await anon.post(f"/api/v1/positions/{scene['bb']['positions'][0]}/interests",
                                   json={"secret": ticket["secret"]}), 404)
    assert body["errors"][0]["field"] == "position"
    # A cancelled registration.
    cancelled = await register(anon, fair["id"], "赵六")
    assert (await anon.delete(f"/api/v1/tickets/{cancelled['secret']}")).status_code == 204
    body = problem(await anon.post(url, json={"secret": cancelled["secret"]}), 409)
    assert body["errors"][0]["field"] == "secret"
    # A missing code is malformed input naming the field.
    body = problem(await anon.post(url, json={}), 400)
    assert await interests(fair["id"]) == 0


async def test_page_form_without_javascript(scene, new_client):
    fair, ticket, a = scene["fair"], scene["ticket"], scene["a"]
    p1 = scene["ba"]["positions"][0]
    anon = new_client()
    path = f"/fairs/{fair['id']}/employers/{a.employer_id}"
    made = await anon.post(f"{path}/interest", data={"secret": ticket["url"], "position": p1})
    assert made.status_code == 303 and made.headers["location"] == f"{path}?marked={p1}"
    shown = await anon.get(made.headers["location"])
    assert "Python 开发工程师" in shown.text and 'role="status"' in shown.text
    again = await anon.post(f"{path}/interest", data={"secret": ticket["secret"],
                                                      "position": p1})
    assert again.headers["location"] == f"{path}?marked={p1}&again=1"
    bad = await anon.post(f"{path}/interest", data={"secret": ticket["code"], "position": p1})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert await interests(fair["id"]) == 1


# --- who sees what ----------------------------------------------------------------------------


async def test_employer_sees_its_interested_job_seekers_only(scene, new_client):
    fair, ticket, a, b = scene["fair"], scene["ticket"], scene["a"], scene["b"]
    p1, p2 = scene["ba"]["positions"]
    for pid in (p1, p2):
        assert (await new_client().post(f"/api/v1/positions/{pid}/interests",
                                        json={"secret": ticket["secret"]})).status_code == 201
    listed = (await a.get("/api/v1/me/interests", params={"fair": fair["id"]})).json()
    assert listed["total"] == 2
    assert {i["title"] for i in listed["items"]} == {"Python 开发工程师", "仓储主管"}
    for item in listed["items"]:
        assert item["name"] == "李**" and item["phone"] == "138****8123"
        assert item["created_at"].endswith("+08:00")
    assert {(p["position"], p["interested"]) for p in listed["positions"]} == {(p1, 1), (p2, 1)}
    assert "13800138123" not in json.dumps(listed) and "李小龙" not in json.dumps(listed)
    page = await a.get(f"/employer/interests?fair={fair['id']}")
    assert page.status_code == 200
    assert "李**" in page.text and "138****8123" in page.text and "仓储主管" in page.text
    assert "李小龙" not in page.text and "13800138123" not in page.text
    # Another employer at the same fair sees none of them.
    theirs = (await b.get("/api/v1/me/interests", params={"fair": fair["id"]})).json()
    assert theirs["total"] == 0 and theirs["items"] == []
    page_b = await b.get("/employer/interests")
    assert "李**" not in page_b.text and "仓储主管" not in page_b.text
    # Organisers and anonymous callers are not employers.
    problem(await scene["organiser"].get("/api/v1/me/interests"), 403)
    problem(await new_client().get("/api/v1/me/interests"), 401)
    # The employer's home links to its posters and the list.
    home = await a.get("/employer")
    assert f"/employer/bookings/{scene['ba']['id']}/poster" in home.text
    assert "/employer/interests" in home.text


async def test_ticket_page_lists_the_interests(scene, new_client):
    ticket, p1 = scene["ticket"], scene["ba"]["positions"][0]
    anon = new_client()
    empty = await anon.get(ticket["url"])
    assert 'id="interests"' in empty.text and "Python 开发工程师" not in empty.text
    await anon.post(f"/api/v1/positions/{p1}/interests", json={"secret": ticket["secret"]})
    page = await anon.get(ticket["url"])
    assert page.status_code == 200
    section = page.text.split('id="interests"', 1)[1].split("</section>", 1)[0]
    assert "Python 开发工程师" in section and "青岛测试企业" in section and "A01" in section
    withdrawn = await anon.post(f"/tickets/{ticket['secret']}/interests/{p1}/withdraw")
    assert withdrawn.status_code == 303
    assert await interests(scene["fair"]["id"]) == 0
    # Another ticket's page does not show them.
    await anon.post(f"/api/v1/positions/{p1}/interests", json={"secret": ticket["secret"]})
    other = await anon.get(scene["elsewhere"]["url"])
    assert "Python 开发工程师" not in other.text


async def test_openapi_documents_the_interest_api(client):
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    assert {"post", "delete"} <= set(paths["/api/v1/positions/{position_id}/interests"])
    assert "get" in paths["/api/v1/me/interests"]
    assert "get" in paths["/api/v1/fairs/{fair_id}/employers/{employer_id}"]
    assert "get" in paths["/api/v1/tickets/{secret}/interests"]
