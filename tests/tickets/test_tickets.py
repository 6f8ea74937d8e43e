"""Registration and tickets (API.md "Registration and tickets"), as a job seeker meets them."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import png
import pytest

from fairs.settings import ROOT
from fairs.tickets import codes
from tests.conftest import login_as
from tests.test_accounts import problem
from tests.tickets.helpers import make_fair, phone, register

JSQR = ROOT / "static" / "vendor" / "jsqr" / "jsQR.js"


async def test_register_and_read_the_ticket(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26)
    anon = new_client()
    response = await anon.post(f"/api/v1/fairs/{fair['id']}/registrations",
                               json={"name": "李四", "phone": "138 0013 8000",
                                     "audiences": ["graduates"]})
    assert response.status_code == 201, response.text
    ticket = response.json()["ticket"]
    code = ticket["code"]
    assert codes.is_well_formed(code) and code.startswith("T") and len(code) == 20
    assert set(code[1:]) <= set(codes.ALPHABET)
    secret = ticket["secret"]
    for key in ("url", "qr_svg", "qr_png", "ics"):  # the holder's addresses carry the secret
        assert secret in ticket[key] and code not in ticket[key]
    page = await anon.get(ticket["url"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "测试招聘会" in page.text and "<svg" in page.text
    assert "西海岸新区人力资源市场" in page.text
    svg = await anon.get(ticket["qr_svg"])
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    image = await anon.get(ticket["qr_png"])
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    ics = await anon.get(ticket["ics"])
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text and "测试招聘会" in ics.text
    counted = (await anon.get(f"/api/v1/fairs/{fair['id']}")).json()
    assert counted["registered"] == 1
    read = (await anon.get(f"/api/v1/tickets/{secret}")).json()
    assert read["status"] == "active" and read["fair"] == fair["id"]


async def test_registration_rules(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26)
    anon = new_client()
    url = f"/api/v1/fairs/{fair['id']}/registrations"
    for bad in ("12345", "02161234567", "+14155550100", "abc"):
        body = problem(await anon.post(url, json={"name": "王五", "phone": bad}), 422)
        assert body["errors"][0]["field"] == "phone"
    body = problem(await anon.post(url, json={"name": "王五", "phone": phone(),
                                              "audiences": ["martians"]}), 422)
    assert body["errors"][0]["field"] == "audiences"
    number = phone()
    await register(anon, fair["id"], "王五", number)
    body = problem(await anon.post(url, json={"name": "王五", "phone": number}), 409)
    assert body["code"] == "already_registered" and "已报名本场招聘会" in body["detail"]
    # The same number written differently is the same phone.
    problem(await anon.post(url, json={"name": "王五", "phone": f"+86 {number}"}), 409)
    draft = await make_fair(organiser, world, start=60 * 48, end=60 * 50, publish=False)
    problem(await anon.post(f"/api/v1/fairs/{draft['id']}/registrations",
                            json={"name": "王五", "phone": phone()}), 404)
    # Registration closes when the fair ends.
    past = await make_fair(organiser, world, start=-60 * 24 * 3, end=-60 * 24 * 3 + 120,
                           venue="新区人才服务中心报告厅")
    problem(await anon.post(f"/api/v1/fairs/{past['id']}/registrations",
                            json={"name": "王五", "phone": phone()}), 409)
    cancelled = await organiser.post(f"/api/v1/fairs/{fair['id']}/cancel",
                                     json={"reason": "台风"})
    assert cancelled.status_code == 200
    problem(await anon.post(url, json={"name": "赵六", "phone": phone()}), 409)


async def test_cancel_frees_the_place_and_the_phone(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26, capacity=1)
    anon = new_client()
    number = phone()
    ticket = await register(anon, fair["id"], "钱七", number)
    full = problem(await anon.post(f"/api/v1/fairs/{fair['id']}/registrations",
                                   json={"name": "孙八", "phone": phone()}), 409)
    assert full["code"] == "fair_full" and "名额已满" in full["detail"]
    assert (await anon.delete(f"/api/v1/tickets/{ticket['secret']}")).status_code == 204
    assert (await anon.delete(f"/api/v1/tickets/{ticket['secret']}")).status_code == 204
    assert (await anon.get(f"/api/v1/tickets/{ticket['secret']}")).json()["status"] == "cancelled"
    again = await register(anon, fair["id"], "钱七", number)
    assert again["code"] != ticket["code"]
    problem(await anon.delete("/api/v1/tickets/TXXXXXXXXXXXXXXXXXXX"), 404)
    assert (await anon.get(f"/api/v1/fairs/{fair['id']}")).json()["registered"] == 1


async def test_capacity_race(new_client, world):
    """30 people register at once for 10 places: exactly 10 tickets."""
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26, capacity=10)
    clients = [new_client() for _ in range(30)]
    responses = await asyncio.gather(*(
        c.post(f"/api/v1/fairs/{fair['id']}/registrations",
               json={"name": f"求职者{i}", "phone": phone()}) for i, c in enumerate(clients)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 10 and statuses.count(409) == 20, statuses
    assert (await organiser.get(f"/api/v1/fairs/{fair['id']}")).json()["registered"] == 10
    listed = (await organiser.get(f"/api/v1/fairs/{fair['id']}/registrations")).json()
    assert listed["total"] == 10
    assert all("****" in r["phone"] for r in listed["items"])


async def test_same_phone_race(new_client, world):
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26)
    number = phone()
    responses = await asyncio.gather(*(
        new_client().post(f"/api/v1/fairs/{fair['id']}/registrations",
                          json={"name": "周九", "phone": number}) for _ in range(10)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9


def _decode_with_jsqr(png_bytes: bytes, tmp_path: Path) -> str | None:
    """Decode a PNG with jsQR (the scanner page's own decoder) under node: pure-Python PNG
    reading, the RGBA pixels handed to jsQR."""
    width, height, rows, info = png.Reader(bytes=png_bytes).asRGBA8()
    pixels = bytearray()
    for row in rows:
        pixels.extend(row)
    raw = tmp_path / "pixels.rgba"
    raw.write_bytes(bytes(pixels))
    script = (
        "const jsQR = require(process.argv[1]);"
        "const fs = require('fs');"
        "const data = new Uint8ClampedArray(fs.readFileSync(process.argv[2]));"
        "const r = jsQR(data, +process.argv[3], +process.argv[4]);"
        "process.stdout.write(JSON.stringify(r ? r.data : null));"
    )
    out = subprocess.run(["node", "-e", script, str(JSQR), str(raw), str(width), str(height)],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


async def test_qr_decodes_to_the_code(new_client, world, tmp_path):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, start=60 * 24, end=60 * 26)
    anon = new_client()
    ticket = await register(anon, fair["id"])
    image = (await anon.get(ticket["qr_png"])).content
    decoded = await asyncio.to_thread(_decode_with_jsqr, image, tmp_path)
    assert decoded == ticket["code"]


def test_one_mobile_rule_for_employers_and_job_seekers():
    """Employers' contacts and job seekers' registrations share one check and one mask."""
    import pytest

    from fairs.employers import services as employers
    from fairs.errors import Invalid
    from fairs.phones import check_mobile, mask_phone
    from fairs.tickets import services as tickets

    assert check_mobile("138 1234 5678") == "+8613812345678"
    assert mask_phone("+8613812345678") == "138****5678"
    for bad in ("", "12345", "010-12345678", "+1 415 555 0100", "1" * 40):
        with pytest.raises(Invalid) as refused:
            check_mobile(bad, "contact_phone")
        assert refused.value.errors[0].field == "contact_phone"
    assert tickets.check_phone is check_mobile
    assert employers.mask_phone is tickets.mask_phone is mask_phone
