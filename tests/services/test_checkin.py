"""Check-in, called as a service (fairs.checkin.services.check_in): the one admission rule.

Each answer is checked against what the rule promises, and the database afterwards: one
admission per ticket whatever happens, one scan log row per attempt (none for a replay).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from fairs import clock, db
from fairs.checkin import services as checkin
from fairs.errors import Forbidden, NotFound
from fairs.events import services as events
from fairs.tickets import codes
from fairs.tickets import services as tickets
from tests import factories


async def open_fair(organiser, world, **kw) -> dict:
    """A published offline fair that started 30 minutes ago: the door is open."""
    return await factories.fair(organiser, world, start=-30, minutes=240, **kw)


async def admissions(registration_id: int) -> list[dict]:
    return await db.fetch("SELECT admitted_at, device, offline FROM admission "
                          "WHERE registration = {}", registration_id)


async def scans(fair_id: int) -> list[dict]:
    return await db.fetch("SELECT result, kind, offline, nonce, scanned_at, registration_id "
                          "FROM scan WHERE fair = {} ORDER BY id", fair_id)


async def test_ok_admits_once_and_counts(organiser, scanner, world):
    fair = await open_fair(organiser, world)
    reg = await factories.registration(fair["id"], "李四")
    answer = await checkin.check_in(fair["id"], reg["code"], principal=scanner, device="door-1")
    assert answer["result"] == "ok"
    assert answer["attendee"]["name"] == tickets.mask_name("李四")
    assert answer["counts"] == {"registered": 1, "checked_in": 1}
    [admitted] = await admissions(reg["id"])
    assert admitted["device"] == "door-1"
    assert [s["result"] for s in await scans(fair["id"])] == ["ok"]


async def test_second_scan_is_already_checked_in_with_the_first_time(organiser, scanner, world):
    fair = await open_fair(organiser, world)
    reg = await factories.registration(fair["id"])
    first = await checkin.check_in(fair["id"], reg["code"], principal=scanner)
    with clock.shifted(timedelta(minutes=7)):
        again = await checkin.check_in(fair["id"], reg["code"], principal=scanner)
    assert again["result"] == "already_checked_in"
    assert again["checked_in_at"] == first["checked_in_at"]
    assert again["counts"]["checked_in"] == 1
    assert len(await admissions(reg["id"])) == 1
    assert [s["result"] for s in await scans(fair["id"])] == ["ok", "already_checked_in"]


async def test_unknown_and_mistyped_codes(organiser, scanner, world):
    fair = await open_fair(organiser, world)
    unknown = await checkin.check_in(fair["id"], codes.new_code(), principal=scanner)
    assert unknown["result"] == "unknown"
    garbage = await checkin.check_in(fair["id"], "no such thing", principal=scanner)
    assert garbage["result"] == "unknown"
    assert "attendee" not in unknown and "employer" not in unknown
    assert unknown["counts"]["checked_in"] == 0
    assert await db.fetch("SELECT id FROM admission WHERE fair = {}", fair["id"]) == []


async def test_wrong_fair(organiser, scanner, world):
    here = await open_fair(organiser, world)
    there = await open_fair(organiser, world, venue_name="新区人才服务中心报告厅")
    reg = await factories.registration(there["id"])
    answer = await checkin.check_in(here["id"], reg["code"], principal=scanner)
    assert answer["result"] == "wrong_fair"
    assert "attendee" not in answer  # nothing about another fair's ticket holder
    assert await admissions(reg["id"]) == []


async def test_cancelled_registration(organiser, scanner, world):
    fair = await open_fair(organiser, world)
    reg = await factories.registration(fair["id"])
    await tickets.cancel(reg["secret"])
    answer = await checkin.check_in(fair["id"], reg["code"], principal=scanner)
    assert answer["result"] == "cancelled"
    assert await admissions(reg["id"]) == []


async def test_cancelled_fair(organiser, scanner, world):
    fair = await open_fair(organiser, world)
    reg = await factories.registration(fair["id"])
    await events.cancel(organiser, fair["id"], "暴雨")
    answer = await checkin.check_in(fair["id"], reg["code"], principal=scanner)
    assert answer["result"] == "cancelled"
    assert await admissions(reg["id"]) == []


async def test_not_open_before_and_after_the_window(organiser, scanner, world):
    fair = await factories.fair(organiser, world, start=180, minutes=120)
    reg = await factories.registration(fair["id"])
    starts = factories.aware(fair["starts_at"])
    ends = factories.aware(fair["ends_at"])
    opens = starts - checkin.OPENS_BEFORE
    with clock.frozen(opens - timedelta(minutes=1)):
        before = await checkin.check_in(fair["id"], reg["code"], principal=scanner)
    with clock.frozen(ends):
        after = await checkin.check_in(fair["id"], reg["code"], principal=scanner)
    assert before["result"] == after["result"] == "not_open"
    assert await admissions(reg["id"]) == []
    with clock.frozen(opens):  # the window opens an hour before the start
        inside = await checkin.check_in(fair["id"], reg["code"], principal=scanner)
    assert inside["result"] == "ok"
    [admitted] = await admissions(reg["id"])
    assert db.as_datetime(admitted["admitted_at"]) == opens


async def test_a_replayed_nonce_gets_the_same_answer_and_counts_once(organiser, scanner, world):
    fair = await open_fair(organiser, world)
    reg = await factories.registration(fair["id"])
    first = await checkin.check_in(fair["id"], reg["code"], principal=scanner, nonce="n-1")
    replay = await checkin.check_in(fair["id"], reg["code"], principal=scanner, nonce="n-1")
    assert first["result"] == replay["result"] == "ok"
    assert replay["checked_in_at"] == first["checked_in_at"]
    assert replay["counts"]["checked_in"] == 1
    # A new scan (another nonce) of the same ticket is a repeat, and its replay says so too.
    repeat = await checkin.check_in(fair["id"], reg["code"], principal=scanner, nonce="n-2")
    repeat_replay = await checkin.check_in(fair["id"], reg["code"], principal=scanner,
                                           nonce="n-2")
    assert repeat["result"] == repeat_replay["result"] == "already_checked_in"
    assert repeat_replay["checked_in_at"] == first["checked_in_at"]
    assert len(await admissions(reg["id"])) == 1
    logged = await scans(fair["id"])
    assert [(s["nonce"], s["result"]) for s in logged] == [("n-1", "ok"),
                                                           ("n-2", "already_checked_in")]


async def test_offline_scans_keep_their_time_and_flag(organiser, scanner, world):
    fair = await open_fair(organiser, world)
    one = await factories.registration(fair["id"])
    two = await factories.registration(fair["id"])
    taken = factories.when(-10)
    answers = await checkin.check_in_batch(fair["id"], [
        {"code": one["code"], "scanned_at": taken, "device": "phone-a", "nonce": "a1"},
        {"code": two["code"], "scanned_at": taken + timedelta(minutes=1), "device": "phone-a",
         "nonce": "a2"},
        {"code": one["code"], "scanned_at": taken + timedelta(minutes=2), "device": "phone-b",
         "nonce": "b1"},
    ], principal=scanner)
    assert [a["result"] for a in answers] == ["ok", "ok", "already_checked_in"]
    assert answers[2].get("conflict") is True  # admitted on another device while offline
    [admitted] = await admissions(one["id"])
    assert db.as_datetime(admitted["admitted_at"]) == taken
    assert admitted["offline"] and admitted["device"] == "phone-a"
    logged = await scans(fair["id"])
    assert all(s["offline"] for s in logged)
    assert [db.as_datetime(s["scanned_at"]) for s in logged] == [
        taken, taken + timedelta(minutes=1), taken + timedelta(minutes=2)]


async def test_a_device_clock_ahead_is_not_trusted(organiser, scanner, world):
    fair = await open_fair(organiser, world)
    reg = await factories.registration(fair["id"])
    with clock.frozen(clock.now()):
        received = clock.now()
        await checkin.check_in(fair["id"], reg["code"], principal=scanner, offline=True,
                               scanned_at=received + timedelta(hours=2))
    [admitted] = await admissions(reg["id"])
    assert db.as_datetime(admitted["admitted_at"]) == received


async def test_a_booking_code_marks_the_employer_present(organiser, scanner, world):
    fair = await factories.fair(organiser, world, booths=2)
    emp = await factories.employer()
    booked = await factories.booking(emp, fair["id"], "A02")
    start = factories.aware(fair["starts_at"])
    with clock.frozen(start):
        first = await checkin.check_in(fair["id"], booked["code"], principal=scanner)
        again = await checkin.check_in(fair["id"], booked["code"], principal=scanner)
    assert first["result"] == "ok"
    holder = first["employer"]["employer"]
    assert holder["id"] == emp.id and holder["booth"] == "A02"
    assert again["result"] == "already_checked_in"
    assert again["checked_in_at"] == first["checked_in_at"]
    [row] = await db.fetch("SELECT checked_in_at FROM booking WHERE id = {}", booked["id"])
    assert db.as_datetime(row["checked_in_at"]) == start
    assert [s["kind"] for s in await scans(fair["id"])] == ["employer", "employer"]


async def test_concurrent_scans_of_one_ticket_admit_once(organiser, scanner, world):
    fair = await open_fair(organiser, world)
    reg = await factories.registration(fair["id"])
    answers = await asyncio.gather(*(
        checkin.check_in(fair["id"], reg["code"], principal=scanner, device=f"door-{i}")
        for i in range(20)))
    results = sorted(a["result"] for a in answers)
    assert results == ["already_checked_in"] * 19 + ["ok"]
    [admitted] = await admissions(reg["id"])
    winner = next(a for a in answers if a["result"] == "ok")
    assert all(a["checked_in_at"] == winner["checked_in_at"] for a in answers)
    assert (await checkin.counts(fair["id"]))["checked_in"] == 1
    assert len(await scans(fair["id"])) == 20


async def test_scanner_of_another_organisation_is_refused(staff, world):
    fair = await open_fair(staff["jiaozhou"], world, venue_name="胶州市人力资源市场")
    reg = await factories.registration(fair["id"])
    with pytest.raises(Forbidden):
        await checkin.check_in(fair["id"], reg["code"], principal=staff["scanner"])
    with pytest.raises(NotFound):
        await checkin.check_in(10**6, reg["code"], principal=staff["scanner"])
    assert await admissions(reg["id"]) == []


async def test_a_retry_of_a_not_open_scan_gets_the_first_answer_and_admits_nothing(
        organiser, scanner, world):
    """A nonce first answered not_open and retried once the window is open: the retry answers
    not_open (the same answer, replayed) and counts nothing, for a ticket and for a booking's
    code; a new scan of either is let in."""
    fair = await factories.fair(organiser, world, start=180, minutes=120, booths=2)
    reg = await factories.registration(fair["id"])
    emp = await factories.employer()
    booked = await factories.booking(emp, fair["id"], "A01")
    opens = factories.aware(fair["starts_at"]) - checkin.OPENS_BEFORE
    with clock.frozen(opens - timedelta(minutes=5)):
        early = await checkin.check_in(fair["id"], reg["code"], principal=scanner, nonce="e-1")
        early_booth = await checkin.check_in(fair["id"], booked["code"], principal=scanner,
                                             nonce="e-2")
    assert early["result"] == early_booth["result"] == "not_open"
    with clock.frozen(opens + timedelta(minutes=5)):
        retry = await checkin.check_in(fair["id"], reg["code"], principal=scanner, nonce="e-1")
        retry_booth = await checkin.check_in(fair["id"], booked["code"], principal=scanner,
                                             nonce="e-2")
        assert retry.pop("replayed") is True and retry_booth.pop("replayed") is True
        assert retry == early and retry_booth == early_booth
        assert await admissions(reg["id"]) == []
        [row] = await db.fetch("SELECT checked_in_at FROM booking WHERE id = {}", booked["id"])
        assert row["checked_in_at"] is None
        assert [s["result"] for s in await scans(fair["id"])] == ["not_open", "not_open"]
        fresh = await checkin.check_in(fair["id"], reg["code"], principal=scanner, nonce="e-3")
        fresh_booth = await checkin.check_in(fair["id"], booked["code"], principal=scanner,
                                             nonce="e-4")
    assert fresh["result"] == fresh_booth["result"] == "ok"
    assert len(await admissions(reg["id"])) == 1


async def test_every_answer_is_rendered_again_the_same_on_a_retry(organiser, scanner, world):
    """Each result, retried with its nonce, answers exactly what it answered first (but the
    `replayed` flag and today's counts): ok, already_checked_in with its conflict flag,
    unknown (mistyped or not), wrong_fair, cancelled (the registration, then the fair), and a
    booking's code."""
    fair = await factories.fair(organiser, world, booths=2)
    other = await factories.fair(organiser, world, venue_name="新区人才服务中心报告厅")
    one = await factories.registration(fair["id"], "王小明")
    gone = await factories.registration(fair["id"])
    theirs = await factories.registration(other["id"])
    booked = await factories.booking(await factories.employer(), fair["id"], "A02")
    await tickets.cancel(gone["secret"])
    mistyped = one["code"][:-1] + ("A" if one["code"][-1] != "A" else "B")
    start = factories.aware(fair["starts_at"])
    made = [
        dict(code=one["code"], device="d-1"),
        dict(code=one["code"], device="d-2", offline=True,
             scanned_at=start + timedelta(minutes=1)),
        dict(code=codes.new_code()), dict(code=mistyped), dict(code="no such thing"),
        dict(code=theirs["code"]), dict(code=gone["code"]),
        dict(code=booked["code"]), dict(code=booked["code"]),
    ]
    with clock.frozen(start + timedelta(minutes=10)):
        firsts = [await checkin.check_in(fair["id"], principal=scanner, nonce=f"r-{n}", **kw)
                  for n, kw in enumerate(made)]
        assert [a["result"] for a in firsts] == [
            "ok", "already_checked_in", "unknown", "unknown", "unknown", "wrong_fair",
            "cancelled", "ok", "already_checked_in"]
        assert firsts[1]["conflict"] is True
        await events.cancel(organiser, fair["id"], "暴雨")
        made.append(dict(code=one["code"]))
        firsts.append(await checkin.check_in(fair["id"], principal=scanner,
                                             nonce=f"r-{len(made) - 1}", **made[-1]))
        assert firsts[-1]["result"] == "cancelled"
        for n, (kw, first) in enumerate(zip(made, firsts, strict=True)):
            again = await checkin.check_in(fair["id"], principal=scanner, nonce=f"r-{n}", **kw)
            assert again.pop("replayed") is True
            assert again.pop("counts")["checked_in"] == 1
            first.pop("counts")
            assert again == first, n


async def _until(condition) -> None:
    """Poll an async condition until it holds (the test's own ordering, not a timing)."""
    while not await condition():  # noqa: ASYNC110 - the condition is the database's state
        await asyncio.sleep(0.01)


async def _scan_is_waiting() -> bool:
    """The scan's write is waiting for the other transaction: on PostgreSQL its statement waits
    on the admission's unique index; on SQLite its job waits for the writer."""
    if db.is_sqlite():
        lock = (await db.current_engine()._get_state()).write_lock
        return bool(lock.locked() and getattr(lock, "_waiters", None))
    rows = await db.fetch("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = "
                          "current_database() AND wait_event_type = 'Lock'")
    return int(rows[0]["n"]) > 0


async def test_a_scan_racing_an_admission_in_flight_answers_and_logs_already(organiser, scanner,
                                                                             world):
    """Another door admits the ticket in a transaction still open when this scan's write
    begins (on PostgreSQL, after its statement's snapshot: it logs the scan `ok`, then loses
    the admission): the scan answers already_checked_in with the other door's time, and the
    log says so too."""
    fair = await open_fair(organiser, world)
    reg = await factories.registration(fair["id"])
    other_time = factories.when(-5)
    admitted, release = asyncio.Event(), asyncio.Event()

    async def other_door() -> None:
        async with db.write_transaction():
            await db.execute(
                "INSERT INTO admission (fair, registration, method, admitted_at, recorded_at, "
                "device, offline) VALUES ({}, {}, 'scan', {}, {}, 'door-9', {})",
                fair["id"], reg["id"], other_time, other_time, False)
            await db.execute(
                "INSERT INTO admission_tally (fair, shard, n) VALUES ({}, 0, 1) ON CONFLICT "
                "(fair, shard) DO UPDATE SET n = admission_tally.n + 1", fair["id"])
            admitted.set()
            await release.wait()

    other = asyncio.create_task(other_door())
    await admitted.wait()
    scanning = asyncio.create_task(checkin.check_in(fair["id"], reg["code"], principal=scanner,
                                                    nonce="race-1", device="door-1"))
    await _until(_scan_is_waiting)
    release.set()
    await other
    answer = await scanning
    assert answer["result"] == "already_checked_in"
    assert db.as_datetime(answer["checked_in_at"]) == other_time
    assert answer["counts"]["checked_in"] == 1
    [admission] = await admissions(reg["id"])
    assert admission["device"] == "door-9"
    assert [(s["nonce"], s["result"]) for s in await scans(fair["id"])] == [
        ("race-1", "already_checked_in")]
    again = await checkin.check_in(fair["id"], reg["code"], principal=scanner, nonce="race-1")
    assert again["replayed"] is True and again["result"] == "already_checked_in"
