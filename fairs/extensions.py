"""Hooks through which a later slice adds to an earlier one without the earlier importing it.

`me_extras`: fields added to GET /api/v1/auth/me (the employers slice adds "employer").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MeExtra = Callable[[Any], Awaitable[dict[str, Any]]]
_me_extras: list[MeExtra] = []


def register_me_extra(func: MeExtra) -> MeExtra:
    if func not in _me_extras:
        _me_extras.append(func)
    return func


async def me_extras(principal: Any) -> dict[str, Any]:
    extras: dict[str, Any] = {}
    for func in _me_extras:
        extras.update(await func(principal))
    return extras


HomeSection = Callable[[Any], Awaitable[dict[str, Any] | None]]
_home_sections: list[HomeSection] = []


def register_home_section(func: HomeSection) -> HomeSection:
    """A slice adds a section to the home page (upcoming fairs, say)."""
    if func not in _home_sections:
        _home_sections.append(func)
    return func


async def home_sections(request: Any) -> list[dict[str, Any]]:
    sections = []
    for func in _home_sections:
        section = await func(request)
        if section:
            sections.append(section)
    return sections


FairCounts = Callable[[list[int]], Awaitable[dict[int, dict[str, int]]]]
_fair_counts: list[FairCounts] = []


def register_fair_counts(func: FairCounts) -> FairCounts:
    """A slice adds counts to every fair answer (tickets: registered; check-in: checked_in)."""
    if func not in _fair_counts:
        _fair_counts.append(func)
    return func


async def fair_counts(fair_ids: list[int]) -> dict[int, dict[str, int]]:
    merged: dict[int, dict[str, int]] = {}
    if not fair_ids:
        return merged
    for func in _fair_counts:
        for fair_id, counts in (await func(fair_ids)).items():
            merged.setdefault(fair_id, {}).update(counts)
    return merged


OrganiserLink = tuple[int, str, str, str]  # order, href, title msgid, text msgid
_organiser_links: list[OrganiserLink] = []


def register_organiser_link(order: int, href: str, title: str, text: str) -> None:
    """A slice adds a tile to the organiser's home page (msgids, translated when shown)."""
    link = (order, href, title, text)
    if link not in _organiser_links:
        _organiser_links.append(link)


def organiser_links() -> list[OrganiserLink]:
    return sorted(_organiser_links)


# --- door codes that are not job seekers' tickets -------------------------------------------
#
# The check-in service (fairs.checkin) decides every scan. A code that is not a ticket may be
# another slice's: a booking's QR (the employer arrives at its booth). That slice registers a
# resolver; check-in calls it, applies the same rules (wrong fair, cancelled, window), logs the
# scan, and lets the resolution admit the holder once.


@dataclass
class CodeResolution:
    kind: str  # "employer" for a booking's code
    fair_id: int
    cancelled: bool
    label: str  # what the scanner shows: the employer's name and booth
    # admit(at) -> (counted now?, first admission time): race-safe, counts once.
    admit: Callable[[datetime], Awaitable[tuple[bool, datetime]]]
    extra: dict[str, Any] = field(default_factory=dict)


CodeResolver = Callable[[str], Awaitable[CodeResolution | None]]
_code_resolvers: list[CodeResolver] = []


def register_code_resolver(func: CodeResolver) -> CodeResolver:
    if func not in _code_resolvers:
        _code_resolvers.append(func)
    return func


async def resolve_code(code: str) -> CodeResolution | None:
    for func in _code_resolvers:
        found = await func(code)
        if found is not None:
            return found
    return None
