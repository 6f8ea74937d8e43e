"""Demo booths and bookings: a layout for every offline demo fair, held fairs with their
employers checked in (and a few no-shows in the ledger), upcoming fairs partly booked; guest
slots on the online sessions; positions on the bookings.

The fairs come from fairs/events/demo.py (run before this step): they are looked up in the
database, and nothing is done when there are none. Idempotent: a fair that already has booths
(or slots) is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from fairs.employers.ledger import record_absences
from fairs.employers.tables import Employer, Position
from fairs.events.tables import Fair

from .base import now
from .codes import new_code
from .tables import Booking, Booth, GuestSlot, SlotBooking

# title, education, salary from, to, major, job type (gig work: a day's or an hour's pay, see
# pay_unit below)
JOBS = {
    "shipbuilding": [("船体焊工", "senior", 7000, 11000, "焊接技术", "regular"),
                     ("船舶设计助理", "bachelor", 6000, 9000, "船舶与海洋工程", "traineeship")],
    "smart-appliances": [("装配技术员", "senior", 5000, 7500, "", "regular"),
                         ("嵌入式软件工程师", "bachelor", 9000, 16000, "电子信息", "regular")],
    "chemicals": [("化工操作工", "college", 6500, 9500, "化学工程", "regular"),
                  ("实验室见习生", "bachelor", 4000, 5000, "材料科学", "traineeship")],
    "automotive": [("汽车电子测试员", "college", 6000, 8500, "汽车电子", "regular"),
                   ("生产线实训生", "senior", 3500, 4500, "", "practical")],
    "equipment": [("数控车工", "senior", 6500, 9000, "机电一体化", "regular"),
                  ("设备维修电工", "college", 6000, 8000, "电气自动化", "regular")],
    "chips-displays": [("封测工艺工程师", "bachelor", 9000, 14000, "微电子", "regular"),
                       ("洁净室操作员", "senior", 5000, 6500, "", "regular")],
    "marine-biomedicine": [("药物研发助理", "master", 9000, 13000, "药学", "regular"),
                           ("质检见习生", "bachelor", 4000, 5000, "生物技术", "traineeship")],
    "virtual-reality": [("三维建模师", "college", 7000, 12000, "数字媒体", "regular"),
                        ("VR 内容实训生", "college", 3000, 4000, "动画", "practical")],
    "ai": [("算法工程师", "master", 15000, 25000, "计算机", "regular"),
           ("数据标注员", "college", 4500, 6000, "", "regular")],
    "film": [("影视后期剪辑", "college", 6000, 10000, "影视制作", "regular"),
             ("群众演员", "any", 200, 300, "", "gig")],
    "finance": [("客户经理", "bachelor", 7000, 12000, "金融", "regular"),
                ("柜员见习生", "bachelor", 4000, 5000, "经济学", "traineeship")],
    "logistics": [("叉车司机", "senior", 6000, 8000, "", "regular"),
                  ("快递分拣员", "any", 150, 220, "", "gig")],
    "commerce": [("门店店长", "college", 6000, 9000, "市场营销", "regular"),
                 ("直播电商助理", "college", 4500, 7000, "电子商务", "regular")],
    "software": [("Java 开发工程师", "bachelor", 10000, 18000, "软件工程", "regular"),
                 ("软件测试实训生", "college", 3500, 4500, "计算机", "practical")],
    "tech-services": [("技术经纪人", "bachelor", 7000, 10000, "", "regular"),
                      ("检测员", "college", 5000, 7000, "化学", "regular")],
    "culture-tourism": [("导游", "college", 5000, 8000, "旅游管理", "regular"),
                        ("景区讲解员", "college", 180, 260, "", "gig")],
    "exhibitions": [("会展策划", "bachelor", 6000, 9000, "会展经济与管理", "regular"),
                    ("展会现场服务", "any", 25, 35, "", "gig")],
}
ZONES = ("A", "B")
PER_ZONE_ROWS, PER_ZONE_COLS = 2, 10


def _layout(fair_id: int) -> list[Booth]:
    booths = []
    for zi, zone in enumerate(ZONES):
        for r in range(PER_ZONE_ROWS):
            for c in range(PER_ZONE_COLS):
                booths.append(Booth(
                    fair=fair_id, code=f"{zone}{r * PER_ZONE_COLS + c + 1:02d}", zone=zone, x=c,
                    y=zi * (PER_ZONE_ROWS + 1) + r, w=1, h=1, step_free=(r == 0),
                    blocked=(zone == "B" and r == 1 and c == 9)))
    return booths


async def load(ctx) -> None:
    employers = await Employer.select(Employer.id, Employer.industry).where(
        Employer.status == "approved").order_by(Employer.id)
    fairs = await Fair.select(Fair.id, Fair.kind, Fair.starts_at, Fair.ends_at).where(
        Fair.status == "published").order_by(Fair.starts_at)
    if not fairs or not employers:
        return
    industry = {e["id"]: e["industry"] for e in employers}
    first_login = ctx.ids.get("employer:01")
    # emp01 stays free to book in the demo; two employers have no-shows (one is suspended)
    bookers = [e["id"] for e in employers if e["id"] != first_login]
    absentees = bookers[-2:]
    at = now()
    with_booths = {r["fair"] for r in await Booth.select(Booth.fair).distinct()}
    with_slots = {r["fair"] for r in await GuestSlot.select(GuestSlot.fair).distinct()}
    absences = 0
    for n, fair in enumerate(fairs):
        held = fair["ends_at"] <= at
        if fair["kind"] == "offline" and fair["id"] not in with_booths:
            await Booth.insert(*_layout(fair["id"]))
            booths = await Booth.select(Booth.id, Booth.code).where(
                Booth.fair == fair["id"], Booth.blocked.eq(False)).order_by(Booth.code)
            count = min(len(booths), (10 + n % 9) if held else (6 + n % 7))
            chosen = [bookers[(n * 7 + i) % len(bookers)] for i in range(count)]
            chosen = list(dict.fromkeys(chosen))
            rows = []
            for i, employer_id in enumerate(chosen):
                absent = held and employer_id in absentees and absences < 3
                if absent:
                    absences += 1
                booked_at = fair["starts_at"] - timedelta(days=7, hours=i)
                rows.append(Booking(
                    fair=fair["id"], employer=employer_id, booth=booths[i]["id"],
                    status="confirmed",
                    code=new_code(), created_at=booked_at, confirmed_at=booked_at,
                    checked_in_at=None if (absent or not held)
                    else fair["starts_at"] + timedelta(minutes=5 + i)))
            if rows:
                made = await Booking.insert(*rows).returning(Booking.id, Booking.employer)
                await _positions(fair["id"], made, industry, "booking")
        elif fair["kind"] == "online" and fair["id"] not in with_slots:
            slots, t = [], fair["starts_at"]
            while t + timedelta(minutes=15) <= fair["ends_at"]:
                slots.append(GuestSlot(fair=fair["id"], starts_at=t,
                                       ends_at=t + timedelta(minutes=15)))
                t += timedelta(minutes=15)
            if not slots:
                continue
            made_slots = await GuestSlot.insert(*slots).returning(GuestSlot.id)
            count = min(len(made_slots), 5 if held else 3)
            rows = []
            for i in range(count):
                employer_id = bookers[(n * 5 + i) % len(bookers)]
                rows.append(SlotBooking(slot=made_slots[i]["id"], fair=fair["id"],
                                        employer=employer_id, status="confirmed",
                                        topic="企业招聘宣讲"))
            if rows:
                made = await SlotBooking.insert(*rows).returning(SlotBooking.id,
                                                                  SlotBooking.employer)
                await _positions(fair["id"], made, industry, "slot_booking")
    await record_absences()


def pay_unit(job_type: str, high: int) -> str:
    """Gig work is paid by the day (群众演员 200–300 元/天), or by the hour for small sums."""
    if job_type != "gig":
        return "month"
    return "hour" if high < 100 else "day"


async def _positions(fair_id: int, made: list[dict], industry: dict[int, str],
                     link: str) -> None:
    rows = []
    for i, booking in enumerate(made):
        jobs = JOBS.get(industry.get(booking["employer"], ""), JOBS["commerce"])
        for j, (title, education, low, high, major, job_type) in enumerate(jobs):
            if j and (fair_id + i) % 3 == 0:
                continue
            rows.append(Position(
                fair=fair_id, employer=booking["employer"], **{link: booking["id"]},
                title=title, headcount=2 + (fair_id + i + j) % 9, education=education,
                experience="any" if job_type != "regular" else ("1-3" if j else "none"),
                salary_min=low, salary_max=high, pay_unit=pay_unit(job_type, high),
                major=major, job_type=job_type,
                description=""))
    if rows:
        await Position.insert(*rows)
