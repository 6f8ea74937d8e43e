"""Demo follow-up: every demo intention gets its tasks (the reports demo writes intentions
directly, so the hook never ran for them), and the calls already due at the past fairs get
outcomes, as the bureau's staff record them: some hired (a few confirmed by the employer),
some in process, declined or unreachable; about one recent intention in ten is left uncalled, so the
call list shows overdue calls. Through the services (the one rule, audited), deterministic, and
idempotent: nothing is recorded again once any call has an outcome."""

from __future__ import annotations

import random
from datetime import timedelta

from fairs import clock, db
from fairs.accounts import services as accounts

from . import services, tasks

MAX_INTENTIONS = 1500  # worked through the services (the one rule, audited)
RECENT_DAYS = 120  # only recent intentions are left uncalled (older numbers are erased)


def _outcome(rng: random.Random, step: int) -> str:
    r = rng.random()
    table = {1: ((.25, "unreachable"), (.65, "in_process"), (.9, "declined")),
             2: ((.2, "unreachable"), (.6, "in_process"), (.82, "declined")),
             3: ((.25, "unreachable"), (.6, "in_process"), (.8, "declined"))}[step]
    return next((name for bound, name in table if r < bound), "hired")


async def _principal(username: str):
    rows = await db.fetch("SELECT id FROM app_user WHERE username = {}", username)
    return await accounts.principal_by_id(rows[0]["id"]) if rows else None


async def _employer_staff(employer_id: int):
    rows = await db.fetch("SELECT m.\"user\" AS id FROM employer_member m WHERE m.employer = {} "
                          "ORDER BY m.id LIMIT 1", employer_id)
    return await accounts.principal_by_id(rows[0]["id"]) if rows else None


async def load(ctx) -> None:
    await tasks.backfill()
    if await db.fetch("SELECT 1 AS x FROM followup_task WHERE status <> 'open' LIMIT 1"):
        return
    admin = await _principal("admin")
    if admin is None:
        return
    today = clock.today_local()
    rows = await db.fetch(
        "SELECT t.intention, t.id, t.step, t.due_on, i.employer, i.created_at "
        "FROM followup_task t "
        "JOIN intention i ON i.id = t.intention WHERE t.due_on <= {} ORDER BY t.intention, "
        "t.step", today)
    by_intention: dict[int, list[dict]] = {}
    for r in rows:
        by_intention.setdefault(r["intention"], []).append(r)
    rng = random.Random(19)
    recent = clock.now() - timedelta(days=RECENT_DAYS)
    for intention_id in sorted(by_intention)[:MAX_INTENTIONS]:
        if (rng.random() < .1
                and db.as_datetime(by_intention[intention_id][0]["created_at"]) > recent):
            continue  # not called yet: overdue in the call list (their numbers still kept)
        for task in by_intention[intention_id]:
            outcome = _outcome(rng, task["step"])
            due_on = services._day(task["due_on"])
            started = None
            if outcome == "hired":
                started = min(due_on + timedelta(days=rng.randint(0, 14)), today)
                if rng.random() < .25:  # the employer confirms it from its side
                    staff = await _employer_staff(task["employer"])
                    if staff is not None:
                        await services.confirm_hire(staff, intention_id, started)
                        break
            await services.record_outcome(admin, task["id"], outcome, started,
                                          "电话回访" if outcome != "unreachable" else "无人接听")
            if outcome in services.FINAL:
                break
