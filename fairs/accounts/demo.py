"""Demo organisations and staff: Qingdao > West Coast New Area > functional areas and streets."""

from __future__ import annotations

from fairs.accounts import orgs, services
from fairs.accounts.tables import Organisation, User

ORGS = [
    # code, name_zh, name_en, kind, parent
    ("qd", "青岛市", "Qingdao", "city", None),
    ("xha", "西海岸新区", "West Coast New Area", "district", "qd"),
    ("gzk", "古镇口军民融合创新示范区", "Guzhenkou Civil-Military Integration Zone", "area", "xha"),
    ("lsw", "灵山湾影视文化产业区", "Lingshan Bay Film and Culture Zone", "area", "xha"),
    ("djk", "董家口经济区", "Dongjiakou Economic Zone", "area", "xha"),
    ("huangdao", "黄岛街道", "Huangdao Street", "street", "xha"),
    ("xinan", "辛安街道", "Xin'an Street", "street", "xha"),
    ("changjiang", "长江路街道", "Changjiang Road Street", "street", "xha"),
    ("jiaozhou", "胶州市", "Jiaozhou", "district", "qd"),
]

USERS = [
    # username, password, role, org, display name
    ("admin", "admin-demo-2026", "admin", "qd", "市人社局管理员"),
    ("organiser", "organiser-demo-2026", "organiser", "xha", "新区公共就业服务中心"),
    ("gzk", "gzk-demo-2026", "organiser", "gzk", "古镇口示范区就业办"),
    ("jiaozhou", "jiaozhou-demo-2026", "organiser", "jiaozhou", "胶州市就业服务中心"),
    ("scanner", "scanner-demo-2026", "scanner", "xha", "入口检票员"),
]


async def load(ctx) -> None:
    existing = {r["code"] for r in await Organisation.select(Organisation.code)}
    for code, zh, en, kind, parent in ORGS:
        if code not in existing:
            await orgs.create_org(code, zh, en, kind, parent)
    for code, _zh, _en, _kind, _parent in ORGS:
        ctx.ids[f"org:{code}"] = (await services.org_by_code(code))["id"]
    taken = {r["username"] for r in await User.select(User.username)}
    for username, password, role, org, name in USERS:
        if username not in taken:
            await services.create_user(username, password, role, org, display_name=name)
        ctx.logins.append((username, password, role))
