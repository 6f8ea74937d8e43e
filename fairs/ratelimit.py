"""Rate limits: moving windows (the `limits` library), in memory (one process) or Redis (workers).

The rules, as `N/SECONDS` settings (FAIRS_RATE_LIMIT_<NAME>, read in fairs.settings):

- login_ip        every login attempt, per address
- login_account   failed logins per account *from one address*: a stranger's failures elsewhere
                  never lock the owner out (there is deliberately no cap across all addresses:
                  whoever holds a few addresses could use it to lock any account)
- register_ip     anonymous public registrations for a fair, per address
- signup_ip       employer sign-ups, per address (each one pays for a password hash)
- lookup          door staff's phone lookups (`lookup?last4=`), per scanner and fair
- workbook_ip     the public workbooks (/demand.xlsx, /wages.xlsx: up to 5,000 rows each),
                  per address

FAIRS_RATE_LIMITS=off turns them off (load tests, benchmarks). Every key is a fixed-size hash of
the rule and its subjects (an address, a username, ...), however long the subject; a key lives no
longer than its window (Redis expires it; in memory the storage drops expired entries as it goes).
An IPv6 address counts by its /64: one host commonly holds a whole /64.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from fairs.errors import TooManyRequests
from fairs.i18n import N_
from fairs.settings import RATE_LIMIT_DEFAULTS

NAMESPACE = "fairs-rl"


@dataclass(frozen=True)
class Rule:
    limit: int
    window: int  # seconds


def default_rules() -> dict[str, Rule]:
    return {name: Rule(*pair) for name, pair in RATE_LIMIT_DEFAULTS.items()}


def subject_key(*parts: object) -> str:
    """A bounded key for any subjects: 32 hex digits whatever their length."""
    joined = "\x1f".join(str(p) for p in parts)
    return hashlib.blake2b(joined.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def address_subject(address: str) -> str:
    """The address a limit counts: an IPv6 address by its /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class RateLimiter:
    """`hit(rule, *subjects)` counts one event and answers 429 past the limit; `peek` refuses
    when the window is already full without counting."""

    def __init__(self, enabled: bool = True, redis=None,
                 rules: Mapping[str, Rule] | None = None) -> None:
        self.enabled = enabled
        self.rules: dict[str, Rule] = dict(rules) if rules is not None else default_rules()
        if redis is not None:
            # The app's own redis.asyncio connection pool; the URL only picks the scheme.
            self.storage = RedisStorage("async+redis://", implementation="redispy",
                                        connection_pool=redis.connection_pool,
                                        key_prefix="fairs-rl")
        else:
            self.storage = MemoryStorage()
        self.strategy = MovingWindowRateLimiter(self.storage)

    @classmethod
    def from_settings(cls, settings, redis=None) -> RateLimiter:
        rules = {name: Rule(*pair) for name, pair in settings.rate_limit_rules.items()}
        return cls(enabled=settings.rate_limits != "off", redis=redis, rules=rules)

    @staticmethod
    def _key(name: str, subjects: tuple[object, ...]) -> str:
        """A rule named `*_ip` counts per client address: its first subject is an address,
        taken as address_subject() takes it (an IPv6 client by its /64), whoever calls."""
        if name.endswith("_ip") and subjects:
            subjects = (address_subject(str(subjects[0])), *subjects[1:])
        return subject_key(*subjects)

    def _item(self, name: str) -> RateLimitItemPerSecond:
        rule = self.rules[name]
        return RateLimitItemPerSecond(rule.limit, rule.window, namespace=NAMESPACE)

    async def _refuse(self, item: RateLimitItemPerSecond, name: str, key: str) -> None:
        stats = await self.strategy.get_window_stats(item, name, key)
        wait = math.ceil(stats.reset_time - time.time()) if stats.reset_time else 1
        wait = min(max(wait, 1), item.get_expiry())
        raise TooManyRequests(N_("Too many attempts; try again in {seconds} seconds."),
                              retry_after=wait, params={"seconds": wait})

    async def hit(self, name: str, *subjects: object) -> None:
        """Count one event for `subjects` under rule `name`; 429 (Retry-After) past the limit."""
        if not self.enabled:
            return
        item, key = self._item(name), self._key(name, subjects)
        if not await self.strategy.hit(item, name, key):
            await self._refuse(item, name, key)

    async def peek(self, name: str, *subjects: object) -> None:
        """Refuse when the window is already used up, without counting a hit."""
        if not self.enabled:
            return
        item, key = self._item(name), self._key(name, subjects)
        if not await self.strategy.test(item, name, key):
            await self._refuse(item, name, key)

    async def reset(self) -> None:
        """Forget every count (tests)."""
        await self.storage.reset()
