"""Demo services and service officers: the West Coast New Area's staff serving the key
industries' companies (服务企业不少于3000家次: field visits, phone calls, symposiums, policy help)
over the last five months, and service officers for a dozen key companies (一企一策), two of them
new officers' logins, and two newly registered companies whose officer has not called yet. Some
follow-ups are open (one overdue) and some companies were not contacted this quarter, so the
officers' lists and the organisation's view have something to show.

Written directly (like the demo's history elsewhere), with the days and times the services
happened. Idempotent: nothing is added once any service exists.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from fairs import cn_calendar, db
from fairs.accounts import services as accounts
from fairs.accounts.tables import User
from fairs.employers.tables import Employer
from fairs.i18n import TZ

from .tables import EmployerOfficer, EmployerService

OFFICERS = [  # username, password, organisation, name
    ("zhangwei", "officer-demo-2026", "huangdao", "张伟（用工专员）"),
    ("lina", "officer-demo-2026", "xinan", "李娜（用工专员）"),
]
DAYS = 150
STAFF = ["张伟", "李娜", "王强", "刘洋、陈静", "赵磊", "孙丽、周杰", "吴敏", "郑浩"]
JOBS = ["技术工人", "操作工", "研发人员", "质检员", "电工", "焊工", "销售代表", "数控车工"]
NOTES = {
    "visit": [
        "走访企业人力资源部，了解用工缺口约{n}人，主要为{job}岗位。",
        "实地查看生产车间，企业计划扩产，需提前储备{job}{n}人。",
        "走访了解企业招用高校毕业生情况，推荐参加下月校园招聘会。",
        "上门宣讲稳岗返还和一次性扩岗补助政策，企业表示将尽快申报。",
    ],
    "phone": [
        "电话回访招聘会对接效果，已初步录用{n}人。",
        "电话了解企业节后返岗情况，返岗率约{p}%。",
        "电话通知企业报名参加下月专场招聘会。",
        "电话核实企业岗位信息，{job}岗位仍缺{n}人。",
    ],
    "symposium": [
        "参加重点产业企业用工需求座谈会，企业反映{job}招聘难。",
        "集中座谈：人力资源服务机构与企业供需对接，企业提出{n}个岗位需求。",
    ],
    "policy": [
        "协助企业申报以工代训补贴，材料已提交。",
        "指导企业办理就业登记和社保参保登记{n}人。",
        "协助办理新引进高技能人才技能补贴申请。",
        "解答企业关于劳动合同续签的政策咨询。",
    ],
    "other": [
        "向企业推送驻区院校毕业生简历{n}份。",
        "协调人力资源服务机构为企业开展招聘“陪跑”服务。",
    ],
}
TOPICS = {"visit": ["recruiting", "training", "subsidies"],
          "phone": ["recruiting", "social_insurance"],
          "symposium": ["recruiting", "training", "labour_relations"],
          "policy": ["subsidies", "social_insurance", "labour_relations"],
          "other": ["recruiting", "other"]}
# Kinds, weighted: visits and calls most, then policy help and the odd symposium.
KINDS = ["visit"] * 7 + ["phone"] * 7 + ["policy"] * 3 + ["other"]


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


async def _officers(ctx) -> dict[str, int]:
    taken = {r["username"]: r["id"] for r in await User.select(User.username, User.id)}
    for username, password, org, name in OFFICERS:
        if username not in taken:
            made = await accounts.create_user(username, password, "organiser", org,
                                              display_name=name)
            taken[username] = made["id"]
        ctx.logins.append((username, password, "organiser (officer)"))
    return taken


async def load(ctx) -> None:
    users = await _officers(ctx)
    if await EmployerService.count():
        return
    rows = await Employer.select(Employer.id, Employer.name, Employer.status).order_by(
        Employer.id)
    served = [r for r in rows if r["status"] == "approved"]
    if not served or "organiser" not in users:
        return
    orgs = {code: ctx.ids.get(f"org:{code}") for code in ("xha", "gzk", "huangdao", "xinan")}
    staff = [(users["organiser"], orgs["xha"]), (users["zhangwei"], orgs["huangdao"]),
             (users["lina"], orgs["xinan"])]
    if "gzk" in users:
        staff.append((users["gzk"], orgs["gzk"]))
    rng = random.Random(18)
    today = ctx.today
    workdays = [today - timedelta(days=n) for n in range(DAYS, -1, -1)
                if cn_calendar.day(today - timedelta(days=n)).workday]
    records: list[EmployerService] = []

    def add(employer: int, kind: str, day: date, who: tuple[int, int], follow: bool) -> None:
        note = rng.choice(NOTES[kind]).format(n=rng.randint(2, 30), p=rng.randint(80, 98),
                                              job=rng.choice(JOBS))
        topics = rng.sample(TOPICS[kind], k=rng.randint(1, len(TOPICS[kind])))
        due = day + timedelta(days=rng.choice((7, 14, 30))) if follow else None
        records.append(EmployerService(
            employer=employer, kind=kind, served_on=day, recorded_by=who[0],
            staff_names=rng.choice(STAFF), topics=",".join(t for t in
                                                           ("recruiting", "training",
                                                            "social_insurance", "subsidies",
                                                            "labour_relations", "other")
                                                           if t in topics),
            notes=note, follow_up_on=due, org=who[1],
            created_at=_at(day, rng.randint(9, 17), rng.randint(0, 59))))

    # Symposiums: a handful of companies of one sector around one table, once a month or so.
    for day in workdays[5::22]:
        who = rng.choice(staff)
        for e in rng.sample(served, k=min(len(served), rng.randint(5, 8))):
            add(e["id"], "symposium", day, who, False)
    # Visits, calls, policy help: about two a working day.
    for day in workdays:
        for _ in range(rng.choice((2, 2, 3, 3))):
            add(rng.choice(served)["id"], rng.choice(KINDS), day, rng.choice(staff),
                rng.random() < 0.18)
    # Follow-ups of the demo organiser's own companies: one overdue, one due next week (each
    # the company's latest service, so still open).
    mine = [e for n, e in enumerate(served[:15]) if n % 3 == 0]
    for e, (ago, due) in zip(mine[1:3], ((6, -2), (1, 7)), strict=False):
        day = today - timedelta(days=ago)
        add(e["id"], "phone", day, staff[0], False)
        records[-1].follow_up_on = today + timedelta(days=due)
    async with db.write_transaction():
        for start in range(0, len(records), 200):
            await EmployerService.insert(*records[start:start + 200])
        # Officers for key companies: the demo organiser, and the two officers.
        assignments = []
        for n, e in enumerate(served[:15]):
            officer = ("organiser", "zhangwei", "lina")[n % 3]
            assignments.append(EmployerOfficer(employer=e["id"], officer=users[officer],
                                               assigned_by=users["organiser"],
                                               created_at=_at(today - timedelta(days=60),
                                                              10, n)))
        # Two newly registered companies, assigned an officer and not contacted yet.
        for n, e in enumerate(r for r in rows if r["status"] == "pending"):
            if n < 2:
                assignments.append(EmployerOfficer(employer=e["id"], officer=users["lina"],
                                                   assigned_by=users["organiser"],
                                                   created_at=_at(today, 9, n)))
        await EmployerOfficer.insert(*assignments)
