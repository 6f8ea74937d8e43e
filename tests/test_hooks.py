"""Declared hooks (fairs.hooks): each slice's receivers are connected once, at start-up, in one
place (fairs.slices.connect_hooks), whatever was imported before; importing a module connects
nothing; a hook sent before start-up refuses rather than answer in part."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fairs import hooks

ROOT = Path(__file__).resolve().parent.parent

# Every declared hook and who receives it in the running app.
EXPECTED = {
    "employer_of_user": ["fairs.employers.services.employer_of_user"],
    "home_sections": ["fairs.events.pages.upcoming_section"],
    "organiser_links": sorted(f"fairs.{s}.hooks.organiser_links" for s in (
        "accounts", "events", "plans", "catalog", "employers", "booths", "checkin", "reports",
        "audit", "demand")),
    "fair_counts": ["fairs.booths.hooks.fair_counts", "fairs.checkin.services.checked_in_counts",
                    "fairs.tickets.services.registered_counts"],
    "door_codes": ["fairs.booths.bookings.resolve_code"],
    "booking_of": ["fairs.booths.hooks.booking_of"],
    "fair_sections": ["fairs.booths.pages.jobs_section", "fairs.calendar.pages.subscribe_section",
                      "fairs.reports.pages.fair_summary_section",
                      "fairs.tickets.pages.register_section"],
    "ticket_sections": ["fairs.booths.posters.ticket_interests_section",
                        "fairs.reports.pages.ticket_intentions_section"],
    "employer_calendar": ["fairs.booths.hooks.employer_calendar"],
    "fair_jobs": ["fairs.booths.hooks.fair_jobs"],
    "jobs_stamp": ["fairs.booths.counts.jobs_stamp"],
    "attendance_changed": ["fairs.checkin.live.changed"],
    "fair_created": ["fairs.booths.layouts.default_layout"],
    "audit": ["fairs.audit.services.record"],
    "happened": ["fairs.demand.hooks.on_happened", "fairs.notify.receivers.on_happened"],
}

REPORT = """
import json, sys
from fairs import hooks
def name(f):
    return f"{f.__module__}.{f.__qualname__}"
json.dump({"connected": hooks.connected(),
           "hooks": {h.name: sorted(name(r) for r in h.receivers) for h in hooks.ALL},
           "counts": {h.name: len(h.receivers) for h in hooks.ALL}}, sys.stdout)
"""


def _run(code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code) + REPORT], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_declared_hook_has_a_docstring_and_is_expected():
    assert sorted(h.name for h in hooks.ALL) == sorted(EXPECTED)
    for hook in hooks.ALL:
        assert hook.__doc__ and "Behaviour:" in hook.__doc__, hook.name


def test_the_app_connects_every_receiver_once():
    """A process that imports only fairs.app and builds it: every hook has its receivers,
    each once, and connecting again changes nothing."""
    found = _run("""
        from fairs.app import create_app
        from fairs.slices import connect_hooks
        create_app()
        create_app()
        connect_hooks()
    """)
    assert found["connected"]
    assert found["hooks"] == {name: sorted(r) for name, r in EXPECTED.items()}
    assert found["counts"] == {name: len(r) for name, r in EXPECTED.items()}


def test_import_order_does_not_matter():
    """Importing the slices' modules first, in reverse order, changes nothing; importing alone
    connects nothing."""
    found = _run("""
        import importlib, pkgutil
        import fairs
        from fairs import hooks
        names = sorted(m.name for m in pkgutil.walk_packages(fairs.__path__, "fairs.")
                       if "piccolo_migrations" not in m.name)
        for name in reversed(names):
            importlib.import_module(name)
        assert not hooks.connected()
        assert all(not h.receivers for h in hooks.ALL), [h for h in hooks.ALL if h.receivers]
        from fairs.slices import connect_hooks
        connect_hooks()
    """)
    assert found["hooks"] == {name: sorted(r) for name, r in EXPECTED.items()}


def test_the_cli_and_the_demo_connect_too():
    """Paths that run services without building the app connect the receivers themselves."""
    cli = (ROOT / "fairs" / "cli.py").read_text()
    demo = (ROOT / "fairs" / "demo.py").read_text()
    assert "connect_hooks()" in cli and "connect_hooks()" in demo


def test_a_hook_sent_before_start_up_refuses():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = """
        import asyncio
        from fairs import hooks
        try:
            asyncio.run(hooks.counts_of_fairs([1]))
        except hooks.HooksNotConnected:
            print("refused")
    """
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "refused", done.stderr


# --- the behaviours ---------------------------------------------------------------------------


async def test_collect_first_and_notify():
    assert hooks.connected()  # the test session connected them (tests/conftest.py)
    calls: list[str] = []

    def plain(fair_ids):
        calls.append("plain")
        return {i: hooks.FairCounts(registered=1) for i in fair_ids}

    async def coroutine(fair_ids):
        calls.append("coroutine")
        return {fair_ids[0]: hooks.FairCounts(checked_in=2, registered=3)}

    def nothing(fair_ids):
        calls.append("nothing")
        return None

    with hooks.fair_counts.replaced(plain, nothing, coroutine):
        merged = await hooks.counts_of_fairs([7, 8])
    assert calls == ["plain", "nothing", "coroutine"]
    # Later receivers' figures win where two answer; None says nothing.
    assert merged == {7: hooks.FairCounts(registered=3, checked_in=2),
                      8: hooks.FairCounts(registered=1)}
    assert hooks.fair_counts.receivers, "replaced() restores the connected receivers"

    async def first_none(principal):
        return None

    async def seven(principal):
        return 7

    def never(principal):
        raise AssertionError("first() stops at the first answer")

    with hooks.employer_of_user.replaced(first_none, seven, never):
        assert await hooks.employer_of_user.first(object()) == 7

    told: list[int] = []
    with hooks.attendance_changed.replaced(told.append, lambda fair_id: 5):
        assert await hooks.attendance_changed.notify(42) is None
    assert told == [42]


async def test_connecting_twice_is_once():
    def receiver():
        return ()

    with hooks.organiser_links.replaced():
        hooks.organiser_links.connect(receiver)
        hooks.organiser_links.connect(receiver)
        assert hooks.organiser_links.receivers == [receiver]
        hooks.organiser_links.disconnect(receiver)
        assert hooks.organiser_links.receivers == []


# --- through the app ----------------------------------------------------------------------------


async def test_the_organiser_home_shows_every_slices_tile(new_client, world):
    from tests.conftest import login_as

    organiser = await login_as(new_client, "organiser")
    page = await organiser.get("/organiser")
    assert page.status_code == 200
    links = await hooks.links_for_organisers()
    assert len(links) == 12 and [link.order for link in links] == sorted(
        link.order for link in links)
    positions = [page.text.rindex(f'href="{link.href}"') for link in links]
    assert positions == sorted(positions), "tiles in their declared order"


# How each hook is sent (its sender in fairs.hooks, or the hook itself).
SENT_BY = {
    "employer_of_user": "hooks.employer_of_user.first(",
    "home_sections": "hooks.sections(hooks.home_sections",
    "organiser_links": "hooks.links_for_organisers(",
    "fair_counts": "hooks.counts_of_fairs(",
    "door_codes": "hooks.door_codes.first(",
    "booking_of": "hooks.booking_of.first(",
    "fair_sections": "hooks.sections(hooks.fair_sections",
    "ticket_sections": "hooks.sections(hooks.ticket_sections",
    "employer_calendar": "hooks.calendar_of_employer(",
    "fair_jobs": "hooks.jobs_of_fairs(",
    "jobs_stamp": "hooks.stamp_of_jobs(",
    "attendance_changed": "hooks.attendance_changed.notify(",
    "fair_created": "hooks.fair_created.notify(",
    "audit": "hooks.audit.notify(",
    "happened": "hooks.happened.notify(",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_hook_is_sent_somewhere(name):
    """A hook nobody sends (or nobody receives) is removed, not kept."""
    sources = "\n".join(p.read_text() for p in (ROOT / "fairs").rglob("*.py")
                        if p.name != "hooks.py")
    assert SENT_BY[name] in sources, name
    assert EXPECTED[name], name
