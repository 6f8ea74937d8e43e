"""The no-show ledger and the city-wide booking rules: absences recorded after a held fair, late
cancellations, suspensions, annulments and notes; a late scan clears an absence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fairs.booths import services as booths
from fairs.booths.tables import Booking
from fairs.employers import ledger
from fairs.employers.tables import NoShow
from fairs.events.tables import Fair
from tests.conftest import login_as
from tests.employers.conftest import make_fair
from tests.test_accounts import problem


async def test_no_show_ledger(new_client, world, organiser, employer_clients):
    (hr,) = await employer_clients(1)
    fairs = [await make_fair(organiser, world, booths=2, days=10 + 2 * i) for i in range(3)]
    bookings = []
    for f in fairs[:2]:
        r = await hr.post(f"/api/v1/fairs/{f['id']}/bookings", json={"booth": "A01"})
        bookings.append(r.json())
    # fair 0 is held and nobody came; fair 1 is held and the employer checked in
    past = datetime.now(UTC) - timedelta(days=3)
    for f in fairs[:2]:
        await Fair.update({Fair.starts_at: past, Fair.ends_at: past + timedelta(hours=3)}).where(
            Fair.id == f["id"])
    resolution = await booths.resolve_code(bookings[1]["code"])
    assert resolution.kind == "employer" and resolution.fair_id == fairs[1]["id"]
    counted, first = await resolution.admit(past + timedelta(hours=1))
    assert counted
    again, first_again = await resolution.admit(past + timedelta(hours=2))
    assert not again and first_again == first
    assert await booths.resolve_code("E0000000000000000") is None
    assert await booths.resolve_code("T" + bookings[0]["code"][1:]) is None

    ledger = (await organiser.get("/api/v1/no-shows")).json()["items"]
    assert [(x["fair"], x["reason"]) for x in ledger] == [(fairs[0]["id"], "absent")]
    own = (await hr.get("/api/v1/no-shows")).json()["items"]
    assert len(own) == 1
    # one no-show: still allowed to book
    r = await hr.post(f"/api/v1/fairs/{fairs[2]['id']}/bookings", json={"booth": "A01"})
    assert r.status_code == 201
    # a late cancellation (the fair starts tomorrow) is the second: booking is suspended
    late = await make_fair(organiser, world, booths=2, days=1)
    r = await hr.post(f"/api/v1/fairs/{late['id']}/bookings", json={"booth": "A01"})
    assert (await hr.delete(f"/api/v1/bookings/{r.json()['id']}")).status_code == 204
    reasons = sorted(x["reason"] for x in (await organiser.get("/api/v1/no-shows")).json()[
        "items"])
    assert reasons == ["absent", "late_cancel"]
    another = await make_fair(organiser, world, booths=2, days=40)
    body = problem(await hr.post(f"/api/v1/fairs/{another['id']}/bookings",
                                 json={"booth": "A01"}), 403)
    assert body["suspended_until"]
    # an organiser cancelling is not the employer's fault; an early cancellation neither
    r = await hr.delete(f"/api/v1/bookings/{(await hr.get('/api/v1/me/bookings')).json()['items'][0]['id']}")  # noqa: E501
    assert r.status_code == 204 and len((await hr.get("/api/v1/no-shows")).json()["items"]) == 2
    # the organiser annuls the absence with an explanation: booking opens again
    record = next(x for x in (await organiser.get("/api/v1/no-shows")).json()["items"]
                  if x["reason"] == "absent")
    problem(await organiser.post(f"/api/v1/no-shows/{record['id']}/annul", json={}), 422)
    problem(await hr.post(f"/api/v1/no-shows/{record['id']}/annul", json={"note": "x"}), 403)
    annulled = await organiser.post(f"/api/v1/no-shows/{record['id']}/annul",
                                    json={"note": "展位搭建方原因，企业无责"})
    assert annulled.status_code == 200 and annulled.json()["annulled"]
    assert (await hr.post(f"/api/v1/fairs/{another['id']}/bookings",
                          json={"booth": "A01"})).status_code == 201
    # a stricter rule (N = 1) suspends again; the rules are the city's (an admin's)
    problem(await hr.put("/api/v1/booking-rules", json={"no_show_limit": 1}), 403)
    problem(await organiser.put("/api/v1/booking-rules", json={"no_show_limit": 1}), 403)
    admin = await login_as(new_client, "admin")
    rules = await admin.put("/api/v1/booking-rules", json={"no_show_limit": 1})
    assert rules.json() == {"free_cancel_workdays": 1, "no_show_limit": 1, "window_days": 365,
                            "suspension_days": 90}
    problem(await admin.put("/api/v1/booking-rules", json={"no_show_limit": 0}), 400)
    third = await make_fair(organiser, world, booths=2, days=50)
    problem(await hr.post(f"/api/v1/fairs/{third['id']}/bookings", json={"booth": "A01"}), 403)
    # the employer checked in at fair 1: present there, visits counted
    counts = await booths.fair_counts([fairs[1]["id"], fairs[0]["id"]])
    assert counts[fairs[1]["id"]]["employers_present"] == 1
    assert counts[fairs[0]["id"]]["employers_present"] == 0
    assert (await booths.employer_visits([fairs[1]["id"]])) == {fairs[1]["id"]: 1}


async def test_late_scan_clears_the_absence(world, organiser, employer_clients):
    (hr,) = await employer_clients(1)
    fair = await make_fair(organiser, world, booths=1)
    booking = (await hr.post(f"/api/v1/fairs/{fair['id']}/bookings",
                             json={"booth": "A01"})).json()
    past = datetime.now(UTC) - timedelta(days=1)
    await Fair.update({Fair.starts_at: past - timedelta(hours=3), Fair.ends_at: past}).where(
        Fair.id == fair["id"])
    await ledger.record_absences()
    assert await NoShow.count() == 1
    resolution = await booths.resolve_code(booking["code"].lower())
    counted, _ = await resolution.admit(past - timedelta(hours=1))  # an offline scan synced late
    assert counted and await NoShow.count() == 0
    await ledger.record_absences()
    assert await NoShow.count() == 0
    row = await Booking.select(Booking.checked_in_at).where(Booking.id == booking["id"]).first()
    assert row["checked_in_at"] is not None


HTML = {"accept": "text/html", "accept-language": "en"}


async def test_the_no_show_ledger_page(new_client, world, organiser, employer_clients):
    """The organiser sees an absence (the company, the fair and its booth), notes and annuls
    it through the page; the booking rules are shown to organisers and changed by an admin."""
    (hr,) = await employer_clients(1)
    fair = await make_fair(organiser, world, booths=2)
    await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A02"})
    past = datetime.now(UTC) - timedelta(days=2)
    await Fair.update({Fair.starts_at: past, Fair.ends_at: past + timedelta(hours=3)}).where(
        Fair.id == fair["id"])
    page = await organiser.get("/organiser/no-shows", headers=HTML)
    assert page.status_code == 200 and "Did not come" in page.text
    assert f"{fair['title']} · A02" in page.text
    assert "only an administrator changes them" in page.text
    [record] = (await organiser.get("/api/v1/no-shows")).json()["items"]
    assert record["booth"] == "A02" and record["reason"] == "absent"
    token = {"_csrf_token": organiser.cookies.get("fairs_csrf")}
    noted = await organiser.post(f"/organiser/no-shows/{record['id']}/explain",
                                 data={**token, "note": "企业来电说明"})
    assert noted.status_code == 303 and noted.headers["location"] == "/organiser/no-shows"
    annulled = await organiser.post(f"/organiser/no-shows/{record['id']}/annul",
                                    data={**token, "note": "展位搭建方原因"})
    assert annulled.status_code == 303
    [record] = (await organiser.get("/api/v1/no-shows")).json()["items"]
    assert record["annulled"] and record["note"] == "展位搭建方原因"
    assert "Annulled" in (await organiser.get("/organiser/no-shows", headers=HTML)).text
    # the rules: an organiser's form changes nothing, an admin's does
    refused = await organiser.post("/organiser/booking-rules", data={**token, "no_show_limit": "3"},
                                   headers=HTML)
    assert refused.status_code == 403
    admin = await login_as(new_client, "admin")
    changed = await admin.post("/organiser/booking-rules", data={
        "_csrf_token": admin.cookies.get("fairs_csrf"), "no_show_limit": "3"})
    assert changed.status_code == 303
    assert (await hr.get("/api/v1/booking-rules")).json()["no_show_limit"] == 3
    # the organiser's home links to the ledger
    assert 'href="/organiser/no-shows"' in (await organiser.get("/organiser", headers=HTML)).text
