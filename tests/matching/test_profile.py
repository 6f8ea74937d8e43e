"""A job seeker's optional profile: given at registration (API and form) or later on the ticket
page, changed and deleted by the holder, opened only by the ticket's secret, checked (422
naming the field), and written with the registration or not at all."""

from __future__ import annotations

import re

import pytest

from fairs import db
from tests import factories
from tests.matching.conftest import SEEKER, register
from tests.test_accounts import problem
from tests.tickets.helpers import make_fair


@pytest.fixture
async def fair(new_client, world):
    from tests.conftest import login_as

    organiser = await login_as(new_client, "organiser")
    return await make_fair(organiser, world, start=60 * 24, end=60 * 27)


async def stored() -> list[dict]:
    return await db.fetch("SELECT registration, fair, industries, job_types, education, major, "
                          "districts, expected_pay, consent_contact FROM seeker_profile")


async def count(table: str) -> int:
    return int((await db.fetch(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"])


async def test_a_profile_given_at_registration(client, fair):
    ticket = await register(client, fair["id"], SEEKER)
    got = await client.get(f"/api/v1/tickets/{ticket['secret']}/profile")
    assert got.status_code == 200, got.text
    body = got.json()
    assert {k: body[k] for k in SEEKER} == SEEKER
    assert got.headers["cache-control"].startswith("private")
    rows = await stored()
    assert len(rows) == 1 and rows[0]["fair"] == fair["id"]
    assert rows[0]["industries"] == "software,logistics" and rows[0]["expected_pay"] == 7000


async def test_the_contracts_minimum_and_no_profile(client, fair):
    """API.md's fields only (no major, no districts, no pay); and a registration without a
    profile writes none."""
    minimum = {"industries": ["software"], "education": "college", "job_types": []}
    ticket = await register(client, fair["id"], minimum)
    body = (await client.get(f"/api/v1/tickets/{ticket['secret']}/profile")).json()
    assert body["expected_pay"] is None and body["consent_contact"] is False
    assert body["districts"] == [] and body["major"] == ""
    plain = await register(client, fair["id"])
    missing = problem(await client.get(f"/api/v1/tickets/{plain['secret']}/profile"), 404)
    assert missing["errors"][0]["code"] == "no_profile" if missing.get("errors") else True
    assert await count("seeker_profile") == 1


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"industries": ["software", "no-such-industry"]}, "profile.industries", "unknown_code"),
    ({"industries": ["software", "logistics", "finance", "ai", "film", "automotive"]},
     "profile.industries", "too_many"),
    ({"expected_pay": 100}, "profile.expected_pay", "out_of_range"),
    ({"expected_pay": 2_000_000}, "profile.expected_pay", "out_of_range"),
    ({"expected_pay": -5}, "profile.expected_pay", "out_of_range"),
    ({"education": "any"}, "profile.education", "invalid_choice"),
    ({"job_types": ["astronaut"]}, "profile.job_types", "invalid_choice"),
    ({"districts": ["atlantis"]}, "profile.districts", "unknown_code"),
    ({"major": "很" * 51}, "profile.major", "too_long"),
])
async def test_bad_input_is_a_422_naming_the_field_and_registers_nobody(client, fair, change,
                                                                        field, code):
    body = {"name": "韩梅梅", "phone": factories.phone(), "profile": {**SEEKER, **change}}
    answer = problem(await client.post(f"/api/v1/fairs/{fair['id']}/registrations",
                                       json=body), 422)
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [(field, code)]
    assert await count("registration") == 0 and await count("seeker_profile") == 0


async def test_the_holder_gives_changes_and_deletes_it_later(client, fair):
    ticket = await register(client, fair["id"])
    secret = ticket["secret"]
    url = f"/api/v1/tickets/{secret}/profile"
    made = await client.put(url, json={"industries": ["ai"], "education": "master",
                                       "job_types": ["traineeship", "实训"]})
    assert made.status_code == 200, made.text
    assert made.json()["job_types"] == ["traineeship", "practical"]
    changed = await client.put(url, json={**SEEKER, "consent_contact": False})
    assert changed.status_code == 200 and changed.json()["industries"] == SEEKER["industries"]
    assert await count("seeker_profile") == 1
    bad = problem(await client.put(url, json={**SEEKER, "expected_pay": 10}), 422)
    assert bad["errors"][0]["field"] == "expected_pay"
    assert (await client.delete(url)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.delete(url)).status_code == 204  # again: nothing to delete
    assert await count("seeker_profile") == 0


async def test_the_door_code_opens_nothing(client, fair):
    """The door code (seen by door staff and employers) neither reads nor changes a profile,
    nor the positions ranked for it: 404, as an unknown secret."""
    ticket = await register(client, fair["id"], SEEKER)
    code = ticket["code"]
    for method, path in (("GET", "profile"), ("PUT", "profile"), ("DELETE", "profile"),
                         ("GET", "matches")):
        kw = {"json": SEEKER} if method == "PUT" else {}
        answer = await client.request(method, f"/api/v1/tickets/{code}/{path}", **kw)
        assert answer.status_code == 404, (method, path, answer.text)
    for path in ("profile", "matches"):
        forged = await client.get(f"/api/v1/tickets/{'x' * 32}/{path}")
        assert forged.status_code == 404
    assert (await client.get(f"/tickets/{code}/profile")).status_code == 404
    assert (await client.post(f"/tickets/{code}/profile/delete")).status_code in (403, 404)
    assert await count("seeker_profile") == 1


async def test_a_cancelled_registration_takes_no_profile(client, fair):
    ticket = await register(client, fair["id"], SEEKER)
    assert (await client.delete(f"/api/v1/tickets/{ticket['secret']}")).status_code == 204
    refused = problem(await client.put(f"/api/v1/tickets/{ticket['secret']}/profile",
                                       json=SEEKER), 409)
    assert refused["code"] == "registration_cancelled"
    matches = (await client.get(f"/api/v1/tickets/{ticket['secret']}/matches")).json()
    assert matches["items"] == []


# --- the pages --------------------------------------------------------------------------------


def csrf(page_client) -> dict:
    return {"_csrf_token": page_client.cookies.get("fairs_csrf", "")}


async def test_the_registration_form_offers_the_profile_and_asks_for_consent(client, fair):
    form_page = await client.get(f"/fairs/{fair['id']}/register")
    assert form_page.status_code == 200
    assert 'name="profile_consent"' in form_page.text and 'name="profile_industries"' in \
        form_page.text
    fields = {"name": "王芳", "phone": factories.phone(), "profile_industries": ["software"],
              "profile_education": "bachelor", "profile_expected_pay": "8000",
              **csrf(client)}
    refused = await client.post(f"/fairs/{fair['id']}/register", data=fields)
    assert refused.status_code == 422
    assert 'id="err-profile-consent"' in refused.text or "profile.consent" not in refused.text
    assert "aria-invalid" in refused.text
    assert await count("registration") == 0  # nothing half-written
    done = await client.post(f"/fairs/{fair['id']}/register",
                             data={**fields, "profile_consent": "1"})
    assert done.status_code == 303, done.text
    rows = await stored()
    assert [(r["industries"], r["education"], r["expected_pay"], bool(r["consent_contact"]))
            for r in rows] == [("software", "bachelor", 8000, False)]
    # Left empty, the profile is not given (and no consent is asked for).
    plain = await client.post(f"/fairs/{fair['id']}/register", data={
        "name": "赵敏", "phone": factories.phone(), "profile_education": "",
        **csrf(client)})
    assert plain.status_code == 303
    assert await count("registration") == 2 and await count("seeker_profile") == 1


async def test_the_ticket_page_edits_and_deletes_the_profile(client, fair):
    ticket = await register(client, fair["id"])
    secret = ticket["secret"]
    page = await client.get(f"/tickets/{secret}")
    assert f'href="/tickets/{secret}/profile"' in page.text
    form = await client.get(f"/tickets/{secret}/profile")
    assert form.status_code == 200 and form.headers["cache-control"].startswith("private")
    no_consent = await client.post(f"/tickets/{secret}/profile", data={
        "profile_industries": "logistics", "profile_education": "senior", **csrf(client)})
    assert no_consent.status_code == 422 and await count("seeker_profile") == 0
    saved = await client.post(f"/tickets/{secret}/profile", data={
        "profile_industries": ["logistics", "software"], "profile_education": "senior",
        "profile_job_types": "gig", "profile_districts": "xha", "profile_contact": "1",
        "profile_consent": "1", **csrf(client)})
    assert saved.status_code == 303, saved.text
    rows = await stored()
    assert [(r["industries"], r["job_types"], r["districts"], bool(r["consent_contact"]))
            for r in rows] == [("logistics,software", "gig", "xha", True)]
    again = await client.get(f"/tickets/{secret}/profile")
    assert re.search(r'value="logistics" checked', again.text)
    deleted = await client.post(f"/tickets/{secret}/profile/delete", data=csrf(client))
    assert deleted.status_code == 303 and await count("seeker_profile") == 0
