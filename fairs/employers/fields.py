"""The fields of a job offer and the one rule that checks them: a position an employer brings to
a fair (fairs.employers.positions) and a need it states in the demand catalogue (fairs.demand)
are checked here, by `job_fields`, and nowhere else.

Pure: no Litestar, no database.
"""

from __future__ import annotations

from typing import Any

from fairs.errors import Invalid, Message
from fairs.i18n import N_
from fairs.labels import PAY_UNIT

JOB_TYPES = ("regular", "traineeship", "practical", "gig")  # 常规 见习 实训 零工
JOB_TYPE_ZH = {"常规": "regular", "见习": "traineeship", "实训": "practical", "零工": "gig"}
EDUCATION = ("any", "junior", "senior", "college", "bachelor", "master", "doctor")
EXPERIENCE = ("any", "none", "1-3", "3-5", "5-10", "10+")
PAY_UNITS = ("month", "day", "hour")  # 元/月 元/天 元/小时
PAY_UNIT_ZH = {"月": "month", "天": "day", "日": "day", "小时": "hour", "时": "hour"}
# What a pay figure may be in each unit, when one is given (0 is "not given"): a monthly pay
# under 500 yuan is a day or hour rate typed as a month (the demo's "180–260 元/月"), and a day
# or hour rate above these is a monthly figure in the wrong unit.
PAY_BOUNDS = {"month": (500, 1_000_000), "day": (20, 10_000), "hour": (5, 1_000)}

# Every field the rule knows, and the texts' lengths.
ALL_FIELDS = ("title", "headcount", "job_type", "education", "experience", "pay_unit",
              "salary_min", "salary_max", "major", "description")
TEXT_LIMITS = {"major": 200, "description": 5000}


def check_pay(unit: str, salary_min: int, salary_max: int) -> None:
    """Each given pay figure lies within its unit's bounds (422 naming the field)."""
    lo, hi = PAY_BOUNDS[unit]
    for key, value in (("salary_min", salary_min), ("salary_max", salary_max)):
        if value and not lo <= value <= hi:
            raise Invalid(key, N_("0, or from {lo} to {hi} in {unit}"), code="out_of_range",
                          params={"lo": lo, "hi": hi, "unit": Message(PAY_UNIT[unit])})


def check_job_type(value: Any) -> str:
    """A job type's code (the Chinese names 常规 见习 实训 零工 taken too), else a 422."""
    job_type = str(value or "regular").strip()
    job_type = JOB_TYPE_ZH.get(job_type, job_type)
    if job_type not in JOB_TYPES:
        raise Invalid("job_type", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": [*JOB_TYPES, *JOB_TYPE_ZH]})
    return job_type


def check_education(value: Any) -> str:
    """An education level's code, else a 422 naming `education`."""
    education = str(value or "any").strip()
    if education not in EDUCATION:
        raise Invalid("education", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": list(EDUCATION)})
    return education


def job_fields(data: dict, partial: bool = False,
               fields: tuple[str, ...] = ALL_FIELDS) -> dict:
    """The checked values of `fields` from `data` (with `partial`, only those given): title 1 to
    200 characters, headcount 1 to 100,000, a known job type, education and experience, a pay
    unit with figures within its bounds and the highest not below the lowest; texts trimmed.
    The first fault is a 422 naming its field."""
    out: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        return key in fields and ((key in data and data[key] is not None) or not partial)

    if wanted("title"):
        title = str(data.get("title") or "").strip()
        if not title or len(title) > 200:
            raise Invalid("title", N_("from {lo} to {hi} characters"), code="out_of_range",
                          params={"lo": 1, "hi": 200})
        out["title"] = title
    if wanted("headcount"):
        headcount = data.get("headcount")
        if not isinstance(headcount, int) or isinstance(headcount, bool) or not (
                1 <= headcount <= 100_000):
            raise Invalid("headcount", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                          params={"lo": 1, "hi": 100_000})
        out["headcount"] = headcount
    if wanted("job_type"):
        out["job_type"] = check_job_type(data.get("job_type"))
    if wanted("education"):
        out["education"] = check_education(data.get("education"))
    if wanted("experience"):
        value = str(data.get("experience") or "any").strip()
        if value not in EXPERIENCE:
            raise Invalid("experience", N_("one of {choices}"), code="invalid_choice",
                          params={"choices": list(EXPERIENCE)})
        out["experience"] = value
    if wanted("pay_unit"):
        unit = str(data.get("pay_unit") or "month").strip()
        unit = PAY_UNIT_ZH.get(unit, unit)
        if unit not in PAY_UNITS:
            raise Invalid("pay_unit", N_("one of {choices}"), code="invalid_choice",
                          params={"choices": ", ".join(PAY_UNITS)})
        out["pay_unit"] = unit
    for key in ("salary_min", "salary_max"):
        if wanted(key):
            value = data.get(key) or 0
            if not isinstance(value, int) or not 0 <= value <= 1_000_000:
                raise Invalid(key, N_("yuan a month, 0 to 1,000,000"), code="out_of_range")
            out[key] = value
    if "salary_min" in out and "salary_max" in out and out["salary_max"] and (
            out["salary_max"] < out["salary_min"]):
        raise Invalid("salary_max", N_("must not be below the lowest pay"),
                      code="below_salary_min")
    if "pay_unit" in out:
        check_pay(out["pay_unit"], out.get("salary_min", 0), out.get("salary_max", 0))
    for key, limit in TEXT_LIMITS.items():
        if wanted(key):
            out[key] = str(data.get(key) or "").strip()[:limit]
    return out
