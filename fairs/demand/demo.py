"""Demo needs and staff counts (用工需求摸底): each of the demo employers is surveyed by the
organisation of its area (the West Coast New Area's zones and streets; Jiaozhou's company by
Jiaozhou), reports its staff monthly for the last six months, and states five to ten needs
across the "5+5+7" industries' typical jobs; most are published (over the six months, so the
vacancy monitor has a history and the wage levels a year's offers), some wait for review, a few
were returned or withdrawn.

Everything goes through the services (fairs.demand.workforce and .needs), the past ones with
the clock set back (fairs.clock.frozen), so the rows obey the same rules as a person's. About
280 needs. Idempotent: nothing is added once any need exists.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from fairs import clock, db
from fairs.accounts import services as accounts
from fairs.i18n import TZ

from . import needs, workforce

# Typical jobs per industry: title, education, pay from, pay to, unit, skilled, skills.
JOBS: dict[str, list[tuple[str, str, int, int, str, bool, str]]] = {
    "shipbuilding": [
        ("船舶电焊工", "senior", 7000, 11000, "month", True, "持焊工证，熟悉CO2保护焊"),
        ("船体装配工", "junior", 6500, 9500, "month", True, "看懂船体结构图"),
        ("船舶涂装工", "junior", 280, 380, "day", True, "有船厂涂装经验"),
        ("轮机设计工程师", "bachelor", 10000, 16000, "month", False, "船舶与海洋工程专业"),
    ],
    "smart-appliances": [
        ("家电装配工", "junior", 5200, 7000, "month", False, "能适应倒班"),
        ("嵌入式软件工程师", "bachelor", 11000, 18000, "month", False, "熟悉C语言和RTOS"),
        ("品质检验员", "college", 5500, 7500, "month", True, "熟悉来料检验流程"),
        ("设备维修电工", "senior", 7000, 9500, "month", True, "持低压电工证"),
    ],
    "chemicals": [
        ("化工操作工", "senior", 7000, 10000, "month", True, "持危化品作业证"),
        ("高分子材料研发工程师", "master", 13000, 22000, "month", False, "高分子专业硕士"),
        ("安全员", "college", 6500, 8500, "month", True, "持注册安全工程师证优先"),
        ("化验分析员", "college", 5500, 7500, "month", True, "熟悉气相色谱"),
    ],
    "automotive": [
        ("汽车装配工", "senior", 6000, 8500, "month", False, "能适应两班倒"),
        ("数控车工", "senior", 7500, 11000, "month", True, "持数控车工中级证"),
        ("汽车电子工程师", "bachelor", 12000, 20000, "month", False, "熟悉CAN总线"),
        ("焊装线维修技师", "college", 8000, 11000, "month", True, "熟悉发那科机器人"),
    ],
    "equipment": [
        ("机械设计工程师", "bachelor", 10000, 16000, "month", False, "熟练使用SolidWorks"),
        ("钳工", "senior", 7000, 10000, "month", True, "持钳工高级证"),
        ("数控铣工", "senior", 7500, 11000, "month", True, "会编程与调试"),
        ("售后服务工程师", "college", 8000, 12000, "month", False, "能适应出差"),
    ],
    "chips-displays": [
        ("芯片封装操作员", "senior", 5500, 7500, "month", False, "能适应无尘车间"),
        ("工艺工程师", "bachelor", 11000, 18000, "month", False, "微电子专业"),
        ("设备工程师", "bachelor", 10000, 16000, "month", True, "熟悉半导体设备"),
        ("显示面板检测员", "college", 5000, 6500, "month", False, "视力良好"),
    ],
    "marine-biomedicine": [
        ("生物制药研究员", "master", 12000, 20000, "month", False, "药学或生物学硕士"),
        ("GMP质量专员", "bachelor", 8000, 12000, "month", False, "熟悉GMP规范"),
        ("发酵操作工", "senior", 6000, 8000, "month", True, "有发酵车间经验"),
        ("医药代表", "college", 6000, 15000, "month", False, "沟通能力强"),
    ],
    "virtual-reality": [
        ("Unity开发工程师", "bachelor", 12000, 20000, "month", False, "熟悉Unity3D"),
        ("三维建模师", "college", 8000, 13000, "month", True, "熟练使用Maya、3ds Max"),
        ("VR体验店店员", "senior", 25, 35, "hour", False, "周末可上班"),
        ("交互设计师", "bachelor", 10000, 16000, "month", False, "有作品集"),
    ],
    "ai": [
        ("算法工程师", "master", 18000, 30000, "month", False, "熟悉深度学习框架"),
        ("数据标注员", "college", 4800, 6000, "month", False, "细心耐心"),
        ("机器人运维工程师", "bachelor", 10000, 15000, "month", True, "熟悉ROS"),
        ("AI产品经理", "bachelor", 15000, 25000, "month", False, "三年以上产品经验"),
    ],
    "film": [
        ("影视剪辑师", "college", 8000, 14000, "month", True, "熟练使用Premiere、达芬奇"),
        ("灯光助理", "senior", 300, 450, "day", True, "能适应夜间拍摄"),
        ("群众演员", "any", 150, 250, "day", False, "形象端正"),
        ("后期特效师", "bachelor", 12000, 20000, "month", True, "熟悉Nuke、Houdini"),
    ],
    "finance": [
        ("客户经理", "bachelor", 8000, 15000, "month", False, "金融或经济类专业"),
        ("柜员", "bachelor", 6000, 8000, "month", False, "持银行从业资格证"),
        ("风险管理专员", "master", 12000, 18000, "month", False, "熟悉信贷风控"),
        ("融资租赁业务员", "bachelor", 7000, 13000, "month", False, "沟通能力强"),
    ],
    "logistics": [
        ("叉车司机", "junior", 6000, 8000, "month", True, "持叉车证"),
        ("冷链货车司机", "junior", 8000, 11000, "month", True, "持A2驾照"),
        ("仓库分拣员", "any", 20, 26, "hour", False, "能适应夜班"),
        ("报关员", "college", 6000, 9000, "month", True, "熟悉进出口报关流程"),
    ],
    "commerce": [
        ("跨境电商运营", "college", 6000, 10000, "month", False, "熟悉亚马逊平台"),
        ("门店店长", "college", 6500, 9000, "month", False, "两年以上零售管理经验"),
        ("收银员", "senior", 4200, 5200, "month", False, "能适应轮班"),
        ("中式烹调师", "junior", 6000, 9000, "month", True, "持中式烹调师证"),
    ],
    "software": [
        ("Java开发工程师", "bachelor", 12000, 20000, "month", False, "熟悉Spring Boot"),
        ("软件测试工程师", "college", 7000, 11000, "month", False, "会编写自动化测试"),
        ("运维工程师", "college", 8000, 13000, "month", True, "熟悉Linux和容器"),
        ("前端开发工程师", "bachelor", 10000, 17000, "month", False, "熟悉Vue或React"),
    ],
    "tech-services": [
        ("检验检测员", "college", 5500, 7500, "month", True, "持检验检测上岗证"),
        ("知识产权代理人", "bachelor", 8000, 14000, "month", False, "理工科背景"),
        ("人力资源专员", "bachelor", 6000, 8500, "month", False, "熟悉社保政策"),
        ("计量校准工程师", "bachelor", 8000, 12000, "month", True, "熟悉计量检定规程"),
    ],
    "culture-tourism": [
        ("导游", "college", 5000, 8000, "month", True, "持导游证"),
        ("景区讲解员", "college", 4500, 6000, "month", False, "普通话二级甲等"),
        ("酒店前台", "senior", 4500, 5500, "month", False, "会基础英语"),
        ("活动策划", "bachelor", 7000, 11000, "month", False, "有文旅活动经验"),
    ],
    "exhibitions": [
        ("展会项目经理", "bachelor", 9000, 15000, "month", False, "三年以上会展经验"),
        ("展台搭建工", "junior", 250, 350, "day", True, "会木工或电工"),
        ("会议服务员", "senior", 22, 30, "hour", False, "形象气质佳"),
        ("招展销售", "college", 6000, 12000, "month", False, "沟通能力强"),
    ],
}
# The organisation that surveys each industry's demo employers (areas of the West Coast New
# Area by what they host; Jiaozhou's one company separately).
AREA = {"shipbuilding": "djk", "chemicals": "djk", "logistics": "djk", "film": "lsw",
        "culture-tourism": "lsw", "virtual-reality": "lsw", "equipment": "gzk",
        "ai": "gzk", "marine-biomedicine": "gzk", "exhibitions": "xinan",
        "finance": "changjiang", "software": "changjiang", "tech-services": "changjiang",
        "commerce": "huangdao", "automotive": "huangdao", "smart-appliances": "huangdao",
        "chips-displays": "xinan"}
MONTHS = 6


def _month_back(today, n: int) -> datetime:
    """Noon of the 5th, `n` months before today's month (China time)."""
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.combine(today.replace(year=year, month=month, day=5), time(12), tzinfo=TZ)


async def load(ctx) -> None:
    if (await db.fetch("SELECT COUNT(*) AS n FROM need"))[0]["n"]:
        return
    employers = await db.fetch(
        "SELECT id, name, industry, status FROM employer ORDER BY id")
    if not employers:
        return
    staff_of = {p: await accounts.principal_by_id(
        (await db.fetch("SELECT id FROM app_user WHERE username = {}", p))[0]["id"])
        for p in ("organiser", "jiaozhou")}
    if None in staff_of.values():
        return
    rng = random.Random(18)
    today = ctx.today
    real_now = clock.now()
    for employer in employers:
        area = "jiaozhou" if "胶州" in employer["name"] else AREA.get(employer["industry"], "xha")
        who = staff_of["jiaozhou" if area == "jiaozhou" else "organiser"]
        jobs = JOBS.get(employer["industry"]) or JOBS["commerce"]
        staff = rng.choice((35, 60, 120, 240, 480, 900, 1600))
        for back in range(MONTHS - 1, -1, -1):
            with clock.frozen(min(_month_back(today, back), clock.now())):
                staff = max(5, staff + rng.randint(-staff // 20, staff // 12))
                await workforce.report_staff(who, employer["id"], staff, org=area)
            if back == MONTHS - 1:
                continue
            if employer["status"] == "rejected":
                continue
            # Each month a need or two: published a few days after it is stated.
            for _ in range(rng.choice((1, 1, 2)) if back else rng.choice((1, 2, 3))):
                title, education, lo, hi, unit, skilled, skills = rng.choice(jobs)
                stated = _month_back(today, back) + timedelta(days=rng.randint(0, 20))
                if stated > real_now - timedelta(hours=2):
                    stated = real_now - timedelta(hours=rng.randint(2, 240))
                with clock.frozen(stated):
                    lasts = stated.astimezone(TZ).date() + timedelta(days=rng.choice(
                        (30, 60, 90, 120, 180)))
                    scale = rng.choice((0.95, 1, 1, 1.05, 1.1))
                    made = await needs.create_need(who, employer["id"], {
                        "title": title, "headcount": rng.choice((1, 2, 3, 5, 8, 10, 20)),
                        "education": education, "skills": skills, "skilled": skilled,
                        "salary_min": int(lo * scale), "salary_max": int(hi * scale),
                        "pay_unit": unit, "job_type": "gig" if unit != "month" else "regular",
                        "valid_until": lasts})
                fate = rng.random()
                if employer["status"] != "approved" or (back == 0 and fate < .2):
                    continue  # waits for review
                reviewed = stated + timedelta(hours=rng.randint(1, 96))
                with clock.frozen(min(reviewed, max(stated, real_now - timedelta(hours=1)))):
                    if fate < .05:
                        await needs.reject_need(who, made["id"], "薪酬范围请按实际填写")
                        continue
                    await needs.publish_need(who, made["id"])
                if fate > .93:
                    with clock.frozen(min(stated + timedelta(days=25), real_now)):
                        await needs.withdraw_need(who, made["id"])
    ctx.ids["demand:needs"] = (await db.fetch("SELECT COUNT(*) AS n FROM need"))[0]["n"]
