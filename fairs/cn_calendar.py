"""Mainland China's working calendar: public holidays and 调休 make-up working days (pure).

`chinese-calendar` holds the State Council's announced calendar (holidays and the weekend days
worked in exchange) for the years it covers; it is exact. Beyond them `holidays` (CN) computes the
statutory holidays (lunar ones included) but cannot know the make-up days before they are announced,
so those years are marked *estimated*. A year neither knows (the far past or future) falls back to
plain weekends, also estimated. Nothing here raises for any date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

EXACT = "chinese-calendar"
ESTIMATED = "holidays"
WEEKENDS_ONLY = "weekends"


@dataclass(frozen=True)
class Day:
    on: date
    workday: bool  # an official working day (Mon-Fri not a holiday, or a make-up day)
    holiday: bool  # a public holiday (the statutory days and the days given in exchange)
    makeup: bool  # a weekend day worked in exchange (调休上班)
    name: str  # the holiday's name, or ""
    source: str  # EXACT, ESTIMATED or WEEKENDS_ONLY

    @property
    def estimated(self) -> bool:
        return self.source != EXACT


@dataclass(frozen=True)
class _Year:
    source: str
    holidays: dict[date, str]
    makeup: frozenset[date]


@lru_cache(maxsize=256)
def _year(year: int) -> _Year:
    try:
        import chinese_calendar as cc

        cc.is_holiday(date(year, 6, 1))  # NotImplementedError for a year it does not cover
        names: dict[date, str] = {}
        for d, name in cc.holidays.items():
            if d.year == year:
                names[d] = str(getattr(name, "value", name) or "holiday").split(",")[0]
        makeup = frozenset(d for d in cc.workdays if d.year == year)
        return _Year(EXACT, names, makeup)
    except Exception:  # noqa: BLE001 - a year it does not know, or anything else: fall back
        pass
    try:
        import holidays

        cn = holidays.China(years=year)
        names = {d: str(n) for d, n in cn.items() if d.year == year}
        makeup = frozenset(d for d in getattr(cn, "weekend_workdays", ()) if d.year == year)
        if names:
            return _Year(ESTIMATED, names, makeup)
    except Exception:  # noqa: BLE001
        pass
    return _Year(WEEKENDS_ONLY, {}, frozenset())


def day(d: date) -> Day:
    info = _year(d.year)
    name = info.holidays.get(d, "")
    makeup = d in info.makeup
    holiday = bool(name) and not makeup
    workday = makeup or (d.weekday() < 5 and not holiday)
    return Day(d, workday, holiday, makeup, name, info.source)


def source(year: int) -> str:
    return _year(year).source
