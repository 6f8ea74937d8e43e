"""The demand catalogue, the wage levels and the vacancy table as workbooks, in Chinese as the
bureau publishes them, through fairs.reports.exports.workbook (cells written as text, never as
formulas). Pure: takes what the services answer, gives bytes."""

from __future__ import annotations

from fairs import i18n, pay
from fairs.employers.labels import EDUCATION_LABELS, JOB_TYPE_LABELS
from fairs.labels import PAY_UNIT
from fairs.reports.exports import Sheet, workbook

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zh(msgid: str | None) -> str:
    return i18n.render(msgid, None, "zh_CN") if msgid else ""


def _industries(industries: list[dict]) -> dict[str, str]:
    return {i["code"]: i["name_zh"] for i in industries}


def catalogue_xlsx(rows: list[dict], total: int, industries: list[dict],
                   meta: list[tuple[str, str]]) -> bytes:
    names = _industries(industries)
    headings = ["岗位名称", "用工单位", "行业", "需求人数", "学历要求", "技能型", "技能要求",
                "薪酬下限", "薪酬上限", "计薪单位", "折合月薪（元）", "用工形式", "受理机构",
                "有效期至"]
    table = [[r["title"], r["employer_name"], names.get(r["industry"], r["industry"]),
              r["headcount"], zh(EDUCATION_LABELS.get(r["education"])), bool(r["skilled"]),
              r["skills"], r["salary_min"] or None, r["salary_max"] or None,
              zh(PAY_UNIT.get(r["pay_unit"])),
              pay.offered_monthly(r["salary_min"], r["salary_max"], r["pay_unit"]),
              zh(JOB_TYPE_LABELS.get(r["job_type"])), r["org_name_zh"] or r["org"],
              r["valid_until"].isoformat()] for r in rows]
    note = (f"共{total}条，表中为最新发布的{len(rows)}条。" if total > len(rows) else "")
    note += "折合月薪：薪酬上下限的中值（只填一项时取该项），按日薪×21.75、时薪×174折算。"
    return workbook("重点产业人才需求目录", meta, [Sheet(
        "需求目录", headings, table, note,
        (24, 28, 16, 10, 16, 8, 30, 10, 10, 10, 12, 10, 16, 12))])


def wages_xlsx(found: dict, industries: list[dict], meta: list[tuple[str, str]]) -> bytes:
    names = _industries(industries)
    by = found["by"]
    second = "学历" if by == "education" else "岗位名称"
    table = [[names.get(r["industry"], r["industry"]),
              zh(EDUCATION_LABELS.get(r[by])) if by == "education" else r[by],
              r["count"], r["p25"], r["p50"], r["p75"]] for r in found["items"]]
    note = ("月薪为企业提供的薪酬（上下限的中值，只填一项时取该项；"
            "日薪×21.75、时薪×174折算为月薪），来源为期内发布的用工需求和期内举办的招聘会岗位，每条需求或岗位计一次。"
            f"样本少于{found['min_count']}条的格不公布（本表共{found['suppressed']}格）。")
    return workbook("劳动力市场工资价位", meta, [Sheet(
        "工资价位", ["行业", second, "样本数", "25分位（元/月）", "中位数（元/月）",
                 "75分位（元/月）"], table, note, (22, 24, 10, 16, 16, 16))])


def vacancy_xlsx(found: dict, industries: list[dict], orgs: dict[str, str],
                 meta: list[tuple[str, str]]) -> bytes:
    names = _industries(industries)
    totals = [[t["month"], t["open"], t["staff"], t["rate"]] for t in found["totals"]]
    items = [[r["month"], names.get(r["industry"], r["industry"]),
              orgs.get(r["district"], r["district"]), r["open"], r["staff"], r["rate"]]
             for r in found["items"]]
    top = [[r["name"], names.get(r["industry"], r["industry"]), orgs.get(r["org"], r["org"]),
            r["open"], r["staff"], r["rate"]] for r in found["top"]]
    note = ("缺工率 = 缺工人数 ÷（在职职工人数 + 缺工人数）；"
            "缺工人数为当月有效的已发布用工需求人数。")
    return workbook("企业缺工监测", meta, [
        Sheet("按月汇总", ["月份", "缺工人数", "在职职工人数", "缺工率"], totals, note,
              (12, 12, 14, 10)),
        Sheet("按行业和区域", ["月份", "行业", "区域", "缺工人数", "在职职工人数", "缺工率"],
              items, note, (12, 22, 24, 12, 14, 10)),
        Sheet("缺工较多的企业", ["企业", "行业", "区域", "缺工人数", "在职职工人数", "缺工率"],
              top, f"{found['months'][-1]}，按缺工人数排序。", (30, 22, 24, 12, 14, 10)),
    ])
