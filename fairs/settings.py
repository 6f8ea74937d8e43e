"""One Settings object, read from FAIRS_* environment variables (documented in README.md)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/fairs.db"

# Rate limits (fairs.ratelimit), each (events, seconds); FAIRS_RATE_LIMIT_<NAME>=N/SECONDS.
RATE_LIMIT_DEFAULTS: dict[str, tuple[int, int]] = {
    "login_ip": (30, 300),  # login attempts per address in 5 minutes
    "login_account": (10, 300),  # failed logins per account from one address in 5 minutes
    "register_ip": (60, 300),  # anonymous registrations for fairs per address in 5 minutes
    "signup_ip": (10, 3600),  # employer sign-ups per address in an hour
    "lookup": (30, 60),  # phone lookups at the door per scanner and fair in a minute
    "resend_phone": (3, 3600),  # "send my ticket again" per phone and fair in an hour
    "resend_ip": (20, 3600),  # "send my ticket again" per address in an hour
    "workbook_ip": (30, 300),  # public workbooks (demand catalogue, wages) per address in 5 min
    "report_ip": (60, 60),  # public wage tables (an aggregate over a year) per address a minute
}


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None or not value.strip():
        return default
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _load_secret(var_dir: Path, production: bool) -> str:
    """The FAIRS_SECRET_KEY, or a key generated once and kept in var/secret_key.

    In production mode a key must be given: a key generated on one machine would not be shared
    by the workers of another, and sessions would break behind a load balancer.
    """
    given = os.environ.get("FAIRS_SECRET_KEY", "")
    if given:
        if len(given) < 32:
            raise RuntimeError("FAIRS_SECRET_KEY must be at least 32 characters")
        return given
    if production:
        raise RuntimeError("FAIRS_SECRET_KEY is required when FAIRS_ENV=production")
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _int(env, name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number") from exc


def _float(env, name: str, default: float) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a number") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise RuntimeError(f"{name} must be a number")
    return value


def _rate_limit_rules(env) -> dict[str, tuple[int, int]]:
    rules = {}
    for name, (limit, window) in RATE_LIMIT_DEFAULTS.items():
        var = f"FAIRS_RATE_LIMIT_{name.upper()}"
        raw = env.get(var, "")
        if raw:
            try:
                a, b = raw.split("/", 1)
                limit, window = int(a), int(b)
            except ValueError as exc:
                raise RuntimeError(f"{var} must be N/SECONDS") from exc
            if limit < 1 or window < 1:
                raise RuntimeError(f"{var} must be N/SECONDS with N and SECONDS 1 or more")
        rules[name] = (limit, window)
    return rules


def _quiet_hours(raw: str | None) -> tuple[int, int] | None:
    """FAIRS_NOTIFY_QUIET_HOURS: "21-8" (the default), or empty for none."""
    if raw is None:
        return (21, 8)
    if not raw.strip():
        return None
    try:
        start, end = (int(part) for part in raw.split("-", 1))
    except ValueError as exc:
        raise RuntimeError("FAIRS_NOTIFY_QUIET_HOURS must be FROM-TO hours, e.g. 21-8") from exc
    if not (0 <= start <= 23 and 0 <= end <= 23):
        raise RuntimeError("FAIRS_NOTIFY_QUIET_HOURS must be hours from 0 to 23")
    return (start, end)


@dataclass(frozen=True)
class DatabaseSettings:
    """What the engine needs, read from the environment without side effects (piccolo_conf
    builds the engine from it at import; Settings.from_env reads the same values through it)."""

    url: str = DEFAULT_DATABASE_URL
    sqlite_synchronous: str = "NORMAL"  # FAIRS_SQLITE_SYNCHRONOUS: NORMAL or FULL
    sqlite_inline: bool = True  # FAIRS_SQLITE_INLINE=off: statements on a connection thread
    db_pool_size: int = 10  # FAIRS_DB_POOL_SIZE: PostgreSQL connections per worker process
    pg_plan_cache_mode: str = "force_generic_plan"  # FAIRS_PG_PLAN_CACHE_MODE

    @classmethod
    def from_env(cls, env=None) -> DatabaseSettings:
        env = os.environ if env is None else env
        values = cls(
            url=env.get("FAIRS_DATABASE_URL") or DEFAULT_DATABASE_URL,
            sqlite_synchronous=(env.get("FAIRS_SQLITE_SYNCHRONOUS") or "NORMAL").upper(),
            sqlite_inline=(env.get("FAIRS_SQLITE_INLINE") or "on").strip().lower()
            not in {"off", "0", "false", "no"},
            db_pool_size=int(env.get("FAIRS_DB_POOL_SIZE") or 10),
            pg_plan_cache_mode=env.get("FAIRS_PG_PLAN_CACHE_MODE") or "force_generic_plan",
        )
        if values.db_pool_size < 1:
            raise RuntimeError("FAIRS_DB_POOL_SIZE must be 1 or more")
        return values


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = ""
    secret_key: str = field(default="", repr=False)
    env: str = "development"
    base_url: str = "http://127.0.0.1:8000"
    var_dir: Path = ROOT / "var"
    sqlite_synchronous: str = "NORMAL"
    sqlite_inline: bool = True
    db_pool_size: int = 10
    pg_plan_cache_mode: str = "force_generic_plan"
    session_max_age: int = 12 * 3600
    cookie_secure: bool = False
    default_locale: str = "zh_CN"
    timezone: str = "Asia/Shanghai"
    rate_limits: str = "on"
    rate_limit_rules: dict[str, tuple[int, int]] = field(
        default_factory=lambda: dict(RATE_LIMIT_DEFAULTS), hash=False)
    log_level: str = "INFO"
    bench_endpoints: bool = False  # FAIRS_BENCH_ENDPOINTS=on: test/benchmark-only routes
    # Reports: target-group (audience) cells below this many people are shown as "<N".
    report_min_cell: int = 5
    # /metrics: only for these addresses or networks (FAIRS_METRICS_ALLOW, comma-separated), or
    # with FAIRS_METRICS_TOKEN as a bearer token.
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")
    metrics_token: str = field(default="", repr=False)
    # The proxies whose X-Forwarded-For/-Proto uvicorn believes (`fairs run`; uvicorn's own
    # default too): comma-separated addresses or networks, "*" for any.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Live attendance streams (GET /api/v1/fairs/{id}/attendance/stream): open streams allowed
    # per client address (an IPv6 client by its /64) and per worker process, the seconds between
    # heartbeat comments on a quiet stream, and a stream's longest life in seconds (the
    # browser's EventSource reconnects by itself).
    streams_per_address: int = 20
    streams_per_process: int = 2000
    stream_heartbeat: float = 15.0
    stream_max_age: float = 3600.0
    # FAIRS_PASSWORD_PROFILE=cheapest: argon2's cheapest parameters (the test suite's, so that
    # hundreds of logins do not take minutes); anything else: argon2-cffi's defaults.
    password_profile: str = ""
    # Job seekers' personal data (fairs.tickets.retention): the names, phone numbers and ticket
    # secrets of registrations are erased this many days after their fair ends
    # (FAIRS_RETENTION_DAYS, 1-3650); the serving process runs the purge at start-up and then
    # every FAIRS_PURGE_INTERVAL_HOURS hours (0: never; run `fairs purge` from cron instead).
    retention_days: int = 180
    purge_interval_hours: float = 24.0
    # Notifications (fairs.notify, API.md "Notifications"): unset channels leave their messages
    # waiting in the outbox. Quiet hours: no SMS from the first local hour to the second.
    smtp_url: str = field(default="", repr=False)
    mail_from: str = "fairs@localhost"
    sms_url: str = ""
    sms_token: str = field(default="", repr=False)
    quiet_hours: tuple[int, int] | None = (21, 8)
    notify_worker: bool = True  # FAIRS_NOTIFY_WORKER=off: this process delivers nothing
    notify_lease: int = 60  # FAIRS_NOTIFY_LEASE: seconds before a dead worker's claim lapses

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        var_dir = Path(env.get("FAIRS_VAR_DIR") or ROOT / "var")
        production = env.get("FAIRS_ENV", "development") == "production"
        database = DatabaseSettings.from_env(env)
        values = dict(
            database_url=database.url,
            redis_url=env.get("FAIRS_REDIS_URL", ""),
            env=env.get("FAIRS_ENV", "development"),
            base_url=(env.get("FAIRS_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            var_dir=var_dir,
            sqlite_synchronous=database.sqlite_synchronous,
            sqlite_inline=database.sqlite_inline,
            db_pool_size=database.db_pool_size,
            pg_plan_cache_mode=database.pg_plan_cache_mode,
            session_max_age=int(env.get("FAIRS_SESSION_MAX_AGE") or 12 * 3600),
            cookie_secure=_bool(env.get("FAIRS_COOKIE_SECURE"), production),
            default_locale=env.get("FAIRS_DEFAULT_LOCALE") or "zh_CN",
            rate_limits=(env.get("FAIRS_RATE_LIMITS") or "on").lower(),
            rate_limit_rules=_rate_limit_rules(env),
            log_level=(env.get("FAIRS_LOG_LEVEL") or "INFO").upper(),
            bench_endpoints=_bool(env.get("FAIRS_BENCH_ENDPOINTS"), False),
            report_min_cell=int(env.get("FAIRS_REPORT_MIN_CELL") or 5),
            metrics_allow=_list(env.get("FAIRS_METRICS_ALLOW"), ("127.0.0.1", "::1")),
            metrics_token=env.get("FAIRS_METRICS_TOKEN", ""),
            forwarded_allow_ips=(env.get("FAIRS_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1").strip(),
            streams_per_address=int(env.get("FAIRS_STREAMS_PER_ADDRESS") or 20),
            streams_per_process=int(env.get("FAIRS_STREAMS_PER_PROCESS") or 2000),
            stream_heartbeat=float(env.get("FAIRS_STREAM_HEARTBEAT") or 15),
            stream_max_age=float(env.get("FAIRS_STREAM_MAX_AGE") or 3600),
            password_profile=(env.get("FAIRS_PASSWORD_PROFILE") or "").strip().lower(),
            retention_days=_int(env, "FAIRS_RETENTION_DAYS", 180),
            purge_interval_hours=_float(env, "FAIRS_PURGE_INTERVAL_HOURS", 24.0),
            smtp_url=(env.get("FAIRS_SMTP_URL") or "").strip(),
            mail_from=(env.get("FAIRS_MAIL_FROM") or "fairs@localhost").strip(),
            sms_url=(env.get("FAIRS_SMS_URL") or "").strip(),
            sms_token=env.get("FAIRS_SMS_TOKEN", ""),
            quiet_hours=_quiet_hours(env.get("FAIRS_NOTIFY_QUIET_HOURS")),
            notify_worker=_bool(env.get("FAIRS_NOTIFY_WORKER"), True),
            notify_lease=max(1, _int(env, "FAIRS_NOTIFY_LEASE", 60)),
        )
        values.update(overrides)
        if not values.get("secret_key"):
            values["secret_key"] = _load_secret(Path(values["var_dir"]), production)
        if int(values["report_min_cell"]) < 1:
            raise RuntimeError("FAIRS_REPORT_MIN_CELL must be 1 or more")
        if min(int(values["streams_per_address"]), int(values["streams_per_process"])) < 1:
            raise RuntimeError("FAIRS_STREAMS_PER_ADDRESS and FAIRS_STREAMS_PER_PROCESS must be "
                               "1 or more")
        if not (0 < float(values["stream_heartbeat"]) and 0 < float(values["stream_max_age"])):
            raise RuntimeError("FAIRS_STREAM_HEARTBEAT and FAIRS_STREAM_MAX_AGE must be positive")
        if not 1 <= int(values["retention_days"]) <= 3650:
            raise RuntimeError("FAIRS_RETENTION_DAYS must be a number of days from 1 to 3650")
        if not 0 <= float(values["purge_interval_hours"]) <= 24 * 366:
            raise RuntimeError("FAIRS_PURGE_INTERVAL_HOURS must be 0 (off) or a number of hours "
                               "up to a year")
        if values["sqlite_synchronous"] not in {"NORMAL", "FULL"}:
            raise RuntimeError("FAIRS_SQLITE_SYNCHRONOUS must be NORMAL or FULL")
        return cls(**values)


# --- the process's one Settings ---------------------------------------------------------------

_current: Settings | None = None


def settings() -> Settings:
    """The process's Settings, read from the environment once (on first use). create_app, the
    CLI and the services all use it."""
    global _current
    if _current is None:
        _current = Settings.from_env()
    return _current


def current_settings() -> Settings | None:
    """The process's Settings if they were read or configured already (None: not yet)."""
    return _current


def configure(value: Settings | None) -> None:
    """Make `value` the process's Settings (None: read the environment again on next use)."""
    global _current
    _current = value


@contextmanager
def overridden(**changes) -> Iterator[Settings]:
    """For tests: the process's Settings with `changes`, until the block ends."""
    global _current
    saved = _current
    _current = replace(settings(), **changes)
    try:
        yield _current
    finally:
        _current = saved
