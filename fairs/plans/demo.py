"""Demo plans: this year's 200-event plan (mostly held by now, a gap left) and the seed's plan for
the coming first quarter (10 offline and 30 online fairs by 31 March, partly scheduled). The fairs
come from fairs.events.demo; dates follow ctx.today. Idempotent: a plan is known by its
organisation and title."""

from __future__ import annotations

from datetime import date

from fairs import db
from fairs.events.demo import coming_q1

from .progress import _scope_args, _scope_sql
from .tables import Plan, PlanTheme


def plans(today: date) -> list[dict]:
    q1 = coming_q1(today)
    return [
        {"title": f"{today.year}年度招聘活动计划", "starts_on": date(today.year, 1, 1),
         "ends_on": date(today.year, 12, 31), "offline": 75, "online": 110, "events": 200,
         "employer_visits": 3000,  # 服务企业不少于3000家次 (000_e41461a734ddef5a.txt)
         "audience": {"veterans": 8, "disabled": 6, "graduates": 20}},
        {"title": f"{q1}年一季度专场招聘会计划", "starts_on": date(q1, 1, 1),
         "ends_on": date(q1, 3, 31), "offline": 10, "online": 30, "events": None,
         "audience": {"graduates": 4, "rural-migrant": 3}},
    ]


async def load(ctx) -> None:
    org = ctx.ids["org:xha"]
    for spec in plans(ctx.today):
        row = await Plan.select(Plan.id).where(
            (Plan.org == org) & (Plan.title == spec["title"])).first()
        if row is None:
            async with db.write_transaction():
                rows = await Plan.insert(Plan(
                    org=org, title=spec["title"], starts_on=spec["starts_on"],
                    ends_on=spec["ends_on"], target_offline=spec["offline"],
                    target_online=spec["online"], target_events=spec["events"],
                    target_employer_visits=spec.get("employer_visits"),
                )).returning(Plan.id)
                plan_id = rows[0]["id"]
                await PlanTheme.insert(*[
                    PlanTheme(plan=plan_id, dimension="audience", code=c, minimum=n)
                    for c, n in spec["audience"].items()])
        else:
            plan_id = row["id"]
        ctx.ids[f"plan:{spec['title']}"] = plan_id
        # Link the plan's fairs that no plan claims yet.
        plan = {"starts_on": spec["starts_on"], "ends_on": spec["ends_on"], "org_path": "/qd/xha/"}
        await db.execute(
            f"UPDATE fair SET plan_id = {{}} WHERE plan_id IS NULL AND id IN "
            f"(SELECT f.id FROM fair f WHERE {_scope_sql()})", plan_id, *_scope_args(plan))
