"""The planner's themes (pure: no database, no HTTP): which industries and audiences the
proposed fairs carry. Remaining per-industry/per-audience minimums first (most owed first, dealt
round-robin so a theme owed three times lands on three fairs), then each key industry and named
audience not yet covered once, then round robin over the keys."""

from __future__ import annotations


def theme_queue(minimums: dict[str, int], keys: tuple[str, ...], covered: frozenset[str]
                 ) -> tuple[list[str], list[str]]:
    """First the codes still owed a minimum (most owed first), then each uncovered key once;
    after that the caller cycles `keys`."""
    owed: list[str] = []
    remaining = {c: n for c, n in minimums.items() if n > 0}
    while remaining:
        for code in sorted(remaining, key=lambda c: (-remaining[c], c)):
            owed.append(code)
            remaining[code] -= 1
        remaining = {c: n for c, n in remaining.items() if n > 0}
    seen = set(owed) | set(covered)
    owed += [c for c in keys if c not in seen]
    cycle = list(keys) or sorted(minimums)
    return owed, cycle


def assign_themes(count: int, per_fair: int, minimums: dict[str, int], keys: tuple[str, ...],
                  covered: frozenset[str]) -> list[tuple[str, ...]]:
    owed, cycle = theme_queue(minimums, keys, covered)
    out: list[tuple[str, ...]] = [() for _ in range(count)]
    if not (owed or cycle) or per_fair <= 0:
        return out
    # Deal the owed codes round-robin over the fairs, so a theme owed three times lands on three
    # different fairs, then fill each fair up to `per_fair` from the cycle.
    slots: list[list[str]] = [[] for _ in range(count)]
    idx = 0
    for code in owed:
        for _ in range(count):
            target = slots[idx % count]
            idx += 1
            if len(target) < per_fair and code not in target:
                target.append(code)
                break
    c = 0
    for target in slots:
        tries = 0
        while len(target) < per_fair and cycle and tries < len(cycle):
            code = cycle[c % len(cycle)]
            c += 1
            tries += 1
            if code not in target:
                target.append(code)
                tries = 0
    return [tuple(s) for s in slots]
