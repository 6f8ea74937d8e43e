"""The planner's themes (pure: no database, no HTTP): which industries and audiences the
proposed fairs carry.

First the remaining per-industry/per-audience minimums (most owed first, dealt round-robin so a
theme owed three times lands on three fairs); then every slot left is filled with the key that
has served the fewest fairs so far, counting the fairs already scheduled (`covered`) as one
each, ties going to the earlier key. Over a year every key industry and every target group gets
its fair share (the counts differ by at most one among keys that started equal), and the same
input always gives the same themes.
"""

from __future__ import annotations

from collections import Counter


def theme_queue(minimums: dict[str, int]) -> list[str]:
    """The codes still owed a minimum, most owed first, one round at a time."""
    owed: list[str] = []
    remaining = {c: n for c, n in minimums.items() if n > 0}
    while remaining:
        for code in sorted(remaining, key=lambda c: (-remaining[c], c)):
            owed.append(code)
            remaining[code] -= 1
        remaining = {c: n for c, n in remaining.items() if n > 0}
    return owed


def assign_themes(count: int, per_fair: int, minimums: dict[str, int], keys: tuple[str, ...],
                  covered: frozenset[str]) -> list[tuple[str, ...]]:
    slots: list[list[str]] = [[] for _ in range(count)]
    if count <= 0 or per_fair <= 0:
        return [tuple(s) for s in slots]
    uses: Counter[str] = Counter({c: 1 for c in covered})
    # Deal the owed codes round-robin over the fairs, so a theme owed three times lands on three
    # different fairs.
    idx = 0
    for code in theme_queue(minimums):
        for _ in range(count):
            target = slots[idx % count]
            idx += 1
            if len(target) < per_fair and code not in target:
                target.append(code)
                uses[code] += 1
                break
    pool = list(dict.fromkeys(keys)) or sorted(minimums)
    rank = {code: i for i, code in enumerate(pool)}
    for target in slots:
        while len(target) < per_fair:
            free = [c for c in pool if c not in target]
            if not free:
                break
            code = min(free, key=lambda c: (uses[c], rank[c]))
            target.append(code)
            uses[code] += 1
    return [tuple(s) for s in slots]
