"""Rate limits: fixed-window counters per key, in memory (one process) or Redis (many workers).

Login is limited per address and per account, public registration per address; authenticated
scanner traffic is never limited (a venue's scanners share one address). Limits are settings:
FAIRS_RATE_LIMITS=off turns them off (load tests, benchmarks), and FAIRS_RATE_LIMIT_<NAME>=N/SECONDS
changes one (e.g. FAIRS_RATE_LIMIT_LOGIN_IP=20/300).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from fairs.errors import TooManyRequests

DEFAULTS = {
    "login_ip": (30, 300),  # attempts per address in 5 minutes
    "login_account": (10, 300),  # failed attempts per account in 5 minutes
    "register_ip": (60, 300),  # public registrations per address in 5 minutes
}


@dataclass(frozen=True)
class Rule:
    limit: int
    window: int


def rules_from_env() -> dict[str, Rule]:
    rules = {}
    for name, (limit, window) in DEFAULTS.items():
        raw = os.environ.get(f"FAIRS_RATE_LIMIT_{name.upper()}", "")
        if raw:
            try:
                a, b = raw.split("/", 1)
                limit, window = int(a), int(b)
            except ValueError as exc:
                raise RuntimeError(f"FAIRS_RATE_LIMIT_{name.upper()} must be N/SECONDS") from exc
        rules[name] = Rule(limit, window)
    return rules


class RateLimiter:
    def __init__(self, enabled: bool = True, redis=None, rules: dict[str, Rule] | None = None):
        self.enabled = enabled
        self.redis = redis
        self.rules = rules or rules_from_env()
        self._memory: dict[str, tuple[int, float]] = {}

    async def _incr(self, key: str, window: int) -> tuple[int, int]:
        """Count one more hit; returns (hits in this window, seconds until it resets)."""
        now = time.time()
        bucket = int(now // window)
        reset = int((bucket + 1) * window - now) + 1
        full = f"fairs:rl:{key}:{bucket}"
        if self.redis is not None:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(full)
                pipe.expire(full, window + 1)
                count, _ = await pipe.execute()
            return int(count), reset
        if len(self._memory) > 100_000:  # drop expired windows now and then
            self._memory = {k: v for k, v in self._memory.items() if v[1] > now}
        count = self._memory.get(full, (0, 0.0))[0] + 1
        self._memory[full] = (count, now + window)
        return count, reset

    async def peek(self, name: str, subject: str) -> None:
        """Refuse when the window is already used up, without counting a hit."""
        if not self.enabled:
            return
        rule = self.rules[name]
        now = time.time()
        bucket = int(now // rule.window)
        full = f"fairs:rl:{name}:{subject}:{bucket}"
        if self.redis is not None:
            count = int(await self.redis.get(full) or 0)
        else:
            count = self._memory.get(full, (0, 0.0))[0]
        if count >= rule.limit:
            raise TooManyRequests("Too many attempts; wait and try again",
                                  retry_after=int((bucket + 1) * rule.window - now) + 1)

    async def hit(self, name: str, subject: str) -> None:
        """Count one hit for `subject` under rule `name`; raise 429 past the limit."""
        if not self.enabled:
            return
        rule = self.rules[name]
        count, reset = await self._incr(f"{name}:{subject}", rule.window)
        if count > rule.limit:
            raise TooManyRequests("Too many attempts; wait and try again", retry_after=reset)
