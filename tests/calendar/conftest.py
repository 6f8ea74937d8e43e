"""Helpers for the calendar tests: fairs made through the API, and the three parsers."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from fairs.calendar import services as calendar_services
from fairs.i18n import TZ
from tests.helpers import create_fair

JS_DIR = Path(__file__).parent / "js"


def at(days: int, hour: int = 9, minute: int = 0) -> datetime:
    base = datetime.now(TZ).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=days)


def offline(world, **kw) -> dict:
    body = {"kind": "offline", "title": "高校毕业生专场招聘会", "starts_at": at(10).isoformat(),
            "ends_at": at(10, 12).isoformat(), "venue": world["venue:西海岸新区人力资源市场"],
            "industries": ["ai", "software"], "audiences": ["graduates"], "capacity": 500}
    body.update(kw)
    return body


def online(world, **kw) -> dict:
    body = {"kind": "online", "title": "职海冲浪·直播带岗", "starts_at": at(11, 19).isoformat(),
            "ends_at": at(11, 20).isoformat(), "channel": world["channel:职海冲浪"],
            "industries": ["logistics"], "audiences": ["general"]}
    body.update(kw)
    return body


async def make_fair(organiser, body: dict, publish: bool = True) -> dict:
    return await create_fair(organiser, body, publish)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Each test starts with cold in-process caches (the database is emptied anyway)."""
    calendar_services.clear_caches()
    yield
    calendar_services.clear_caches()


# --- the three parsers ----------------------------------------------------------------------


def parse_icalendar(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def parse_strict(text: str):
    """The `ical` package: strict RFC 5545 parsing into pydantic models (raises on errors)."""
    return IcsCalendarStream.calendar_from_ics(text)


def _node_ready() -> bool:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return False
    if not (JS_DIR / "node_modules" / "ical.js").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True,
                       capture_output=True, timeout=300)
    return True


def parse_icaljs(text: str) -> dict:
    """Mozilla's ical.js under node: what Thunderbird would read."""
    if not _node_ready():
        pytest.skip("node and npm are needed for the ical.js check (scripts/system-deps.sh)")
    done = subprocess.run(["node", str(JS_DIR / "parse.mjs")], input=text.encode(),
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)
