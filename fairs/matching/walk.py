"""An order to walk a fair's floor (or to watch its livestream) for the positions recommended to
a job seeker. Pure: no database, no HTTP.

Offline fairs: the booths that hold recommended positions, grouped by the layout's zones. Zones
are visited from the front of the hall (the zone whose front-most booth has the smallest row,
then the smallest column, first: row 0 is the entrance side, as the layout generator makes it);
inside a zone, row by row from the front, left to right on one row and right to left on the
next (a snake: nobody walks back along a row). A booth with several recommended positions is
one stop.

Online fairs: the guest slots that present recommended positions, in time order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def floor_walk(items: Iterable[Mapping[str, Any]]) -> list[dict]:
    """`items`: recommended positions with `booth`, `zone`, `x`, `y` (those without a booth
    are left out). Answers [{"zone", "stops": [{"booth", "items": [...]}]}] in walking order."""
    booths: dict[str, dict] = {}
    for item in items:
        code = item.get("booth")
        if not code:
            continue
        stop = booths.setdefault(code, {"booth": code, "zone": item.get("zone") or "",
                                        "x": int(item.get("x") or 0),
                                        "y": int(item.get("y") or 0), "items": []})
        stop["items"].append(item)
    zones: dict[str, list[dict]] = {}
    for stop in booths.values():
        zones.setdefault(stop["zone"], []).append(stop)

    def snake(stop: dict) -> tuple:
        return (stop["y"], stop["x"] if stop["y"] % 2 == 0 else -stop["x"], stop["booth"])

    def front(stops: list[dict]) -> tuple:
        first = min(stops, key=lambda s: (s["y"], s["x"], s["booth"]))
        return (first["y"], first["x"], first["zone"])

    return [{"zone": zone, "stops": [{"booth": s["booth"], "items": s["items"]}
                                     for s in sorted(stops, key=snake)]}
            for zone, stops in sorted(zones.items(), key=lambda z: front(z[1]))]


def stream_walk(items: Iterable[Mapping[str, Any]]) -> list[dict]:
    """`items`: recommended positions with `slot` ({"id", "starts_at", "ends_at", "label"}) for
    an online fair. Answers [{"slot", "items"}] by start time (those without a slot left out)."""
    slots: dict[int, dict] = {}
    for item in items:
        slot = item.get("slot")
        if not slot:
            continue
        slots.setdefault(slot["id"], {"slot": slot, "items": []})["items"].append(item)
    return sorted(slots.values(), key=lambda s: (s["slot"]["starts_at"], s["slot"]["id"]))
