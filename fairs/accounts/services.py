"""Accounts: users, roles, organisations, passwords, API tokens, and who may act where."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from fairs import clock, db
from fairs.db import is_unique_violation, write_transaction
from fairs.errors import (
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    Message,
    NotAuthenticated,
    NotFound,
)
from fairs.i18n import N_
from fairs.labels import ROLE as ROLE_LABELS
from fairs.ratelimit import address_subject
from fairs.settings import settings

from .tables import ROLES, ApiToken, Organisation, User


@functools.cache
def _password_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile). The test suite sets
    FAIRS_PASSWORD_PROFILE=cheapest so that hundreds of logins do not take minutes."""
    if settings().password_profile == "cheapest":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


class _Hasher:
    """The password hasher, chosen from the Settings on first use (not at import)."""

    def hash(self, password: str) -> str:
        return _password_hasher().hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        return _password_hasher().verify(password_hash, password)


_hasher = _Hasher()


@functools.cache
def _dummy_hash() -> str:
    return _password_hasher().hash("not-a-real-password")

TOKEN_PREFIX = "fairs_"
ORGANISER_ROLES = ("admin", "organiser")


@dataclass(frozen=True)
class Principal:
    """Who is calling: what guards and services look at."""

    id: int
    username: str
    role: str
    org_id: int | None = None
    org_code: str | None = None
    org_path: str | None = None
    display_name: str = ""
    token_id: int | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def roles(self) -> list[str]:
        return [self.role]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_organiser(self) -> bool:
        return self.role in ORGANISER_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.role in roles or (self.role == "admin" and "organiser" in roles)

    def require_role(self, *roles: str) -> None:
        """What a role guard checks: Forbidden unless the principal has one of `roles`."""
        if not self.has_role(*roles):
            message = (N_("needs the role {roles}") if len(roles) == 1
                       else N_("needs one of the roles {roles}"))
            raise Forbidden(message, code="role_required", params={
                "roles": [Message(ROLE_LABELS.get(r, r)) for r in roles]})


now = clock.now  # the one clock (tests set it)
DEACTIVATED = N_("this organisation is deactivated")


# --- passwords ------------------------------------------------------------------------------

PASSWORD_MIN = 8
PASSWORD_MAX = 256  # characters: argon2 takes any length, but a login body stays small
USERNAME_MAX = 150
# Hashing and checking run in these threads (argon2 releases the GIL), never on the event loop
# and never while a write transaction is open: on SQLite that would hold the process's write
# lock, and every check-in would wait behind the hash. Two threads: a burst of sign-ups or
# logins queues here instead of taking every core, or the default pool other work shares.
_password_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fairs-password")


async def _in_password_thread(fn, *args):
    if db.current_engine().current_transaction.get() is not None:
        raise RuntimeError("hash or check a password before the write transaction, not in it")
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_password_threads, contextvars.copy_context().run, fn,
                                      *args)


async def hash_password(password: str) -> str:
    return await _in_password_thread(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await _in_password_thread(check)


def validate_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise Invalid("password", N_("at least {n} characters"), code="too_short",
                      params={"n": PASSWORD_MIN})
    if len(password) > PASSWORD_MAX:
        raise Invalid("password", N_("at most {n} characters"), code="too_long",
                      params={"n": PASSWORD_MAX})


def validate_username(username: str) -> str:
    username = username.strip()
    if not (3 <= len(username) <= USERNAME_MAX):
        raise Invalid("username", N_("from {lo} to {hi} characters"), code="out_of_range",
                      params={"lo": 3, "hi": USERNAME_MAX})
    if any(c.isspace() for c in username):
        raise Invalid("username", N_("no spaces"), code="spaces")
    return username


# --- principals -----------------------------------------------------------------------------

_USER_COLUMNS = (
    User.id,
    User.username,
    User.role,
    User.display_name,
    User.active,
    User.org.id.as_alias("org_id"),
    User.org.code.as_alias("org_code"),
    User.org.path.as_alias("org_path"),
)


def _principal(row: dict, token_id: int | None = None) -> Principal:
    return Principal(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        org_id=row["org_id"],
        org_code=row["org_code"],
        org_path=row["org_path"],
        display_name=row["display_name"] or "",
        token_id=token_id,
    )


_ID_PRINCIPAL = (
    "SELECT u.id, u.username, u.role, u.display_name, u.active,"
    " o.id AS org_id, o.code AS org_code, o.path AS org_path"
    " FROM app_user u LEFT JOIN organisation o ON o.id = u.org WHERE u.id = {}"
)


async def principal_by_id(user_id: int) -> Principal | None:
    rows = await db.fetch(_ID_PRINCIPAL, user_id)
    if not rows or not rows[0]["active"]:
        return None
    return _principal(rows[0])


async def login(username: str, password: str, address: str, limiter) -> Principal:
    """A login attempt, limited per address (every attempt) and per account from that address
    (failures): a stranger's failures from elsewhere never lock the owner out."""
    if len(username) > USERNAME_MAX:  # the API's schemas say so too; the login form has none
        raise Invalid("username", N_("at most {n} characters"), code="too_long",
                      params={"n": USERNAME_MAX})
    if len(password) > PASSWORD_MAX:
        raise Invalid("password", N_("at most {n} characters"), code="too_long",
                      params={"n": PASSWORD_MAX})
    account = username.strip().lower()
    where = address_subject(address)
    await limiter.hit("login_ip", where)
    await limiter.peek("login_account", account, where)
    try:
        return await authenticate(username, password)
    except NotAuthenticated:
        await limiter.hit("login_account", account, where)
        raise


async def authenticate(username: str, password: str) -> Principal:
    row = await User.select(*_USER_COLUMNS, User.password_hash).where(
        User.username == username.strip()
    ).first()
    if row is None:
        # Spend the same time as a real check, so a timing difference tells nothing.
        await verify_password(_dummy_hash(), password)
        raise NotAuthenticated(N_("Wrong username or password"), code="wrong_login")
    if not await verify_password(row["password_hash"], password) or not row["active"]:
        raise NotAuthenticated(N_("Wrong username or password"), code="wrong_login")
    await User.update({User.last_login_at: now()}).where(User.id == row["id"])
    return _principal(row)


# --- users and organisations ----------------------------------------------------------------


async def org_by_code(code: str) -> dict:
    row = await Organisation.select().where(Organisation.code == code).first()
    if row is None:
        raise NotFound(N_("no organisation {code}"), code="unknown_org", params={"code": code},
                       extra={"field": "org"})
    return row


async def top_org() -> dict:
    row = (
        await Organisation.select()
        .where(Organisation.parent.is_null())
        .order_by(Organisation.id)
        .first()
    )
    if row is None:
        raise NotFound(N_("no organisation exists yet: run `fairs init` (or `fairs demo`)"),
                       code="no_organisation")
    return row


@dataclass(frozen=True)
class NewUser:
    """A user checked and with its password hashed, ready to insert (insert_user) inside a
    write transaction: the slow hash is paid before the transaction opens."""

    username: str
    password_hash: str
    role: str
    org_id: int | None
    display_name: str = ""


async def prepare_user(username: str, password: str, role: str, org_code: str | None = None,
                       display_name: str = "") -> NewUser:
    username = validate_username(username)
    validate_password(password)
    if role not in ROLES:
        raise Invalid("role", N_("one of {choices}"), code="invalid_choice",
                      params={"choices": list(ROLES)})
    org_id = None
    if role != "employer":
        org = await org_by_code(org_code) if org_code else await top_org()
        if not org["active"]:
            raise Conflict(DEACTIVATED, errors=[FieldError("org", DEACTIVATED)])
        org_id = org["id"]
    return NewUser(username, await hash_password(password), role, org_id, display_name)


async def insert_user(user: NewUser) -> dict:
    """Insert a prepared user; inside the caller's write transaction, or in one of its own."""
    try:
        async with write_transaction():
            if user.org_id is not None:
                # Shares the organisation's row with other new logins; a deactivation (which
                # locks it) waits for this one, or this one sees it deactivated.
                org = await db.fetch("SELECT active FROM organisation WHERE id = {}"
                                     + db.dialect.row_lock("SHARE"), user.org_id)
                if not org or not org[0]["active"]:
                    raise Conflict(DEACTIVATED, errors=[FieldError("org", DEACTIVATED)])
            rows = await User.insert(
                User(username=user.username, password_hash=user.password_hash, role=user.role,
                     org=user.org_id, display_name=user.display_name)
            ).returning(User.id, User.username, User.role)
    except Exception as exc:
        if is_unique_violation(exc):
            taken = N_("username '{username}' is taken")
            raise Conflict(taken, code="username_taken", params={"username": user.username},
                           errors=[FieldError("username", taken, code="username_taken",
                                              params={"username": user.username})]) from exc
        raise
    return rows[0]


async def create_user(username: str, password: str, role: str, org_code: str | None = None,
                      display_name: str = "") -> dict:
    return await insert_user(await prepare_user(username, password, role, org_code,
                                                display_name))


async def subtree_ids(org_path: str) -> list[int]:
    rows = await Organisation.select(Organisation.id).where(
        Organisation.path.like(f"{org_path}%")
    )
    return [r["id"] for r in rows]


async def org_path_of(org_id: int) -> str:
    row = await Organisation.select(Organisation.path).where(Organisation.id == org_id).first()
    if row is None:
        raise NotFound(N_("no such organisation"), code="unknown_org")
    return row["path"]


async def _org_state(org_id: int) -> dict:
    row = await Organisation.select(Organisation.path, Organisation.active).where(
        Organisation.id == org_id).first()
    if row is None:
        raise NotFound(N_("no such organisation"), code="unknown_org")
    return row


def in_subtree(principal: Principal, org_path: str) -> bool:
    if principal.is_admin:
        return True
    return bool(principal.org_path) and org_path.startswith(principal.org_path)


async def ensure_manages(principal: Principal, org_id: int) -> None:
    """An organiser acts only on its organisation's subtree; an admin everywhere. Nothing new
    is made for a deactivated organisation (409)."""
    if not principal.is_organiser:
        raise Forbidden(N_("organisers only"), code="organisers_only")
    org = await _org_state(org_id)
    if not principal.is_admin and not in_subtree(principal, org["path"]):
        raise Forbidden(N_("this belongs to another organisation"), code="other_organisation")
    if not org["active"]:
        # Nothing new (a fair, a plan, a venue) under an organisation that was deactivated.
        raise Conflict(DEACTIVATED, errors=[FieldError("org", DEACTIVATED)])


async def list_orgs(under_path: str | None = None) -> list[dict]:
    query = Organisation.select(
        Organisation.id, Organisation.code, Organisation.name_zh, Organisation.name_en,
        Organisation.kind, Organisation.path, Organisation.parent.code.as_alias("parent"),
        Organisation.active,
    ).order_by(Organisation.path)
    if under_path:
        query = query.where(Organisation.path.like(f"{under_path}%"))
    return await query


# --- API tokens -----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(principal: Principal, name: str) -> dict:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid("name", N_("from {lo} to {hi} characters"), code="out_of_range",
                      params={"lo": 1, "hi": 200})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    rows = await ApiToken.insert(
        ApiToken(user=principal.id, name=name, token_hash=_token_hash(token),
                 prefix=token[: len(TOKEN_PREFIX) + 4])
    ).returning(ApiToken.id)
    return {"id": rows[0]["id"], "token": token, "name": name}


# A bearer token's principal: token, user and organisation in one indexed lookup by the token's
# hash. Also joins other statements embed (fairs.checkin looks the scanner's token up in the
# same statement as the ticket): `token_principal_join("i.token_hash")`.
_TOKEN_PRINCIPAL_SELECT = (("t.id", "token_id"), ("u.id", "id"), ("u.username", "username"),
                           ("u.role", "role"), ("u.display_name", "display_name"),
                           ("u.active", "active"), ("o.id", "org_id"), ("o.code", "org_code"),
                           ("o.path", "org_path"))
TOKEN_PRINCIPAL_COLUMNS = tuple(name for _expr, name in _TOKEN_PRINCIPAL_SELECT)
_TOKEN_PRINCIPAL_FROM = (
    "SELECT " + ", ".join(f"{expr} AS {name}" for expr, name in _TOKEN_PRINCIPAL_SELECT)
    + " FROM api_token t JOIN app_user u ON u.id = t.user"
    " LEFT JOIN organisation o ON o.id = u.org"
    " WHERE t.revoked_at IS NULL AND t.token_hash = "
)
_TOKEN_PRINCIPAL = _TOKEN_PRINCIPAL_FROM + "{}"
# The bearer requests that arrive together share one round trip where the db package batches
# (fairs.db.BatchedFetch; one statement per request where it does not); still no cache, so a
# revoked token stops working at once.
_TOKEN_PRINCIPALS = db.BatchedFetch(
    "SELECT h.ord, p.* FROM unnest({}::varchar[]) WITH ORDINALITY AS h(hash, ord) "
    "JOIN LATERAL (" + _TOKEN_PRINCIPAL_FROM + "h.hash OFFSET 0) p ON true",
    single=_TOKEN_PRINCIPAL,
)


def token_principal_join(hash_sql: str) -> tuple[str, str]:
    """For a statement over many rows (fairs.checkin's lookup, fairs.db.BatchedFetch): the
    select-list columns tp_<name> (TOKEN_PRINCIPAL_COLUMNS) and the joins giving the principal
    of the live token whose hash is `hash_sql`, NULL when there is none; read them back with
    principal_from_token_row(). The token is found by its hash's index on both engines
    (fairs.db.dialect.index_join)."""
    aliases = {"t": "tpt", "u": "tpu", "o": "tpo"}
    columns = ", ".join(f"{aliases[expr.partition('.')[0]]}.{expr.partition('.')[2]} AS tp_{name}"
                        for expr, name in _TOKEN_PRINCIPAL_SELECT)
    joins = (db.dialect.index_join("api_token", "tpt",
                                f"tpt.token_hash = {hash_sql} AND tpt.revoked_at IS NULL")
             + db.dialect.index_join("app_user", "tpu", "tpu.id = tpt.user")
             + " LEFT JOIN organisation tpo ON tpo.id = tpu.org")
    return columns, joins


def token_hash(token: str) -> str | None:
    """The stored hash of a bearer token, or None for something that cannot be one."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return _token_hash(token)


def principal_from_token_row(row: dict) -> Principal | None:
    """The principal in a row of token_principal_join()'s columns (None: no live token)."""
    if row.get("tp_id") is None or not row["tp_active"]:
        return None
    found = {c: row[f"tp_{c}"] for c in TOKEN_PRINCIPAL_COLUMNS}
    return _principal(found, token_id=found["token_id"])


async def principal_by_token(token: str) -> Principal | None:
    """One indexed query per bearer request (scanners send one per scan): token, user and
    organisation together. A revoked token stops working at once: nothing is cached."""
    hashed = token_hash(token)
    if hashed is None:
        return None
    rows = await _TOKEN_PRINCIPALS.fetch(hashed)
    if not rows or not rows[0]["active"]:
        return None
    return _principal(rows[0], token_id=rows[0]["token_id"])


async def list_tokens(principal: Principal) -> list[dict]:
    return await ApiToken.select(
        ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.created_at, ApiToken.revoked_at
    ).where(ApiToken.user == principal.id).order_by(ApiToken.id)


async def revoke_token(principal: Principal, token_id: int) -> None:
    row = await ApiToken.select(ApiToken.user, ApiToken.revoked_at).where(
        ApiToken.id == token_id
    ).first()
    if row is None or (row["user"] != principal.id and not principal.is_admin):
        raise NotFound(N_("no such token"), code="unknown_token")
    if row["revoked_at"] is None:
        await ApiToken.update({ApiToken.revoked_at: now()}).where(ApiToken.id == token_id)
