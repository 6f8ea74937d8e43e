"""Forty demo employers across the "5+5+7" key industries: most approved, some pending, two
rejected. Each has a staff login (emp01 ... emp40). USCCs are generated with a valid check digit.

Idempotent: an employer is known by its USCC.
"""

from __future__ import annotations

from stdnum.cn import uscc as stdnum_uscc

from fairs.accounts.tables import User

from . import services
from .tables import Employer

PASSWORD = "employer-demo-2026"

# name, industry code, contact
EMPLOYERS = [
    ("青岛北船重工有限责任公司", "shipbuilding", "孙工"),
    ("海西湾海洋工程装备有限公司", "shipbuilding", "刘女士"),
    ("西海岸智能家电制造有限公司", "smart-appliances", "王经理"),
    ("琅琊台电器科技有限公司", "smart-appliances", "赵女士"),
    ("董家口石化新材料有限公司", "chemicals", "钱经理"),
    ("黄岛高分子材料科技有限公司", "chemicals", "周工"),
    ("新区新能源汽车零部件有限公司", "automotive", "吴经理"),
    ("灵山湾汽车电子有限公司", "automotive", "郑女士"),
    ("青岛轨道交通装备有限公司", "equipment", "冯经理"),
    ("藏马山精密机械有限公司", "equipment", "陈工"),
    ("西海岸芯片封测有限公司", "chips-displays", "褚经理"),
    ("唐岛湾新型显示科技有限公司", "chips-displays", "卫女士"),
    ("蓝色药谷海洋生物医药有限公司", "marine-biomedicine", "蒋博士"),
    ("积米崖海洋生物科技有限公司", "marine-biomedicine", "沈经理"),
    ("青岛虚拟现实产业园运营有限公司", "virtual-reality", "韩经理"),
    ("星光岛 VR 内容制作有限公司", "virtual-reality", "杨女士"),
    ("西海岸人工智能研究院有限公司", "ai", "朱博士"),
    ("凤凰岛智能机器人有限公司", "ai", "秦经理"),
    ("东方影都影视制作有限公司", "film", "尤导演"),
    ("灵山湾影视后期制作有限公司", "film", "许女士"),
    ("青岛西海岸农商银行", "finance", "何经理"),
    ("新区融资租赁有限公司", "finance", "吕经理"),
    ("前湾港国际物流有限公司", "logistics", "施经理"),
    ("董家口港冷链物流有限公司", "logistics", "张经理"),
    ("西海岸跨境电商产业园有限公司", "commerce", "孔女士"),
    ("金沙滩商贸连锁有限公司", "commerce", "曹经理"),
    ("青岛软件园信息技术有限公司", "software", "严工"),
    ("海云数据科技有限公司", "software", "华经理"),
    ("古镇口科技服务有限公司", "tech-services", "金经理"),
    ("新区检验检测认证有限公司", "tech-services", "魏女士"),
    ("金沙滩文化旅游发展有限公司", "culture-tourism", "陶经理"),
    ("琅琊台景区管理有限公司", "culture-tourism", "姜女士"),
    ("青岛国际会展中心运营有限公司", "exhibitions", "戚经理"),
    ("西海岸会议展览服务有限公司", "exhibitions", "谢女士"),
    ("胶州湾家电配件有限公司", "smart-appliances", "邹经理"),
    ("新区海工焊接技术有限公司", "shipbuilding", "喻工"),
    ("西海岸餐饮管理有限公司", "commerce", "柏经理"),
    ("青岛海发人力资源服务有限公司", "tech-services", "水女士"),
    ("灵山卫物流配送有限公司", "logistics", "窦经理"),
    ("藏马镇农产品电商有限公司", "commerce", "章女士"),
]
PENDING = {34, 35, 36, 37, 38, 39}  # indexes still waiting for approval
REJECTED = {33: "营业执照已注销，请核实后重新注册"}


def demo_uscc(n: int) -> str:
    body = f"91370211MA{n + 1:07d}"
    return body + stdnum_uscc.calc_check_digit(body)


async def load(ctx) -> None:
    have = {r["uscc"]: r["id"] for r in await Employer.select(Employer.uscc, Employer.id)}
    decider = await User.select(User.id).where(User.username == "organiser").first()
    for n, (name, industry, contact) in enumerate(EMPLOYERS):
        code = demo_uscc(n)
        if code not in have:
            made = await services.register(
                name=name, uscc=code, industry=industry, contact_name=contact,
                contact_phone=f"1390532{n + 1:04d}", username=f"emp{n + 1:02d}",
                password=PASSWORD)
            have[code] = made["id"]
            status = ("pending" if n in PENDING else "rejected" if n in REJECTED
                      else "approved")
            if status != "pending":
                await Employer.update({
                    Employer.status: status, Employer.reject_reason: REJECTED.get(n, ""),
                    Employer.decided_at: Employer.created_at,
                    Employer.decided_by: decider["id"] if decider else None,
                }).where(Employer.id == made["id"])
        ctx.ids[f"employer:{n + 1:02d}"] = have[code]
    ctx.logins.append(("emp01", PASSWORD, "employer"))
    ctx.logins.append((f"emp{min(PENDING) + 1:02d}", PASSWORD, "employer (pending)"))
