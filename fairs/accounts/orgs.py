"""The organisation tree: create, rename, move, deactivate and reactivate an organisation, and
the first organisation and admin of an empty database (`fairs init`).

Who: an admin manages the whole tree; an organiser manages what lies *below* its own
organisation: it creates children of its own node or of any node below it, and renames, moves
(within its own subtree) or deactivates the nodes strictly below its own, never its own node
(that is its parent's to change) nor anything outside. The command line and the demo act as
the system (principal None).

How: every change is one write transaction that first takes the tree's lock (the top
organisation's row on PostgreSQL; SQLite's IMMEDIATE transaction holds the whole database), so
two changes never interleave: a move checks for a cycle and rewrites the subtree's materialised
`path` against the tree as it is, and two moves at once cannot build a loop between them. Each
change is recorded in the audit log in the same transaction (through fairs.hooks.audit: the
audit slice depends on accounts and cannot be imported here).

Codes never change (they name organisations in the API, the CLI, filters and the audit log) and
are stored in lower case: on SQLite `LIKE` ignores the case of ASCII letters, so "XHA" beside
"xha" would make one subtree's prefix match the other's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fairs import clock, db, hooks
from fairs.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from fairs.i18n import N_

from .services import (
    NewUser,
    Principal,
    hash_password,
    insert_user,
    validate_password,
    validate_username,
)
from .tables import ORG_KINDS

ORG_CODE = re.compile(r"[A-Za-z0-9-]{1,32}")
NAME_MAX = 100
PATH_MAX = 1000  # the column's length: a move that would make a longer path is refused
UNCHANGED: Any = object()  # an argument of update_org() not given

_ORG_SELECT = ("SELECT o.id, o.code, o.name_zh, o.name_en, o.kind, o.path, o.active, o.parent, "
               "p.code AS parent_code FROM organisation o "
               "LEFT JOIN organisation p ON p.id = o.parent ")


# --- checks on input (before any transaction) -----------------------------------------------


def check_code(code: str | None) -> str:
    """A new organisation's code: 1 to 32 letters, digits or '-', stored in lower case."""
    code = (code or "").strip()
    if not ORG_CODE.fullmatch(code):
        # Codes make the organisation's path, matched by prefix: no '/', '%' or '_'.
        raise Invalid("code", N_("1 to 32 letters, digits or '-'"))
    return code.lower()


def check_name(value: str | None, field: str, required: bool) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise Invalid(field, N_("1 to 100 characters"))
    if len(value) > NAME_MAX:
        raise Invalid(field, N_("at most 100 characters"))
    return value


def check_kind(kind: str | None) -> str:
    if kind not in ORG_KINDS:
        raise Invalid("kind", N_("one of city, district, area, street"))
    return kind


def check_parent_code(code: str | None) -> str:
    code = (code or "").strip()
    if not code or len(code) > 64:
        raise Invalid("parent", N_("required"))
    return code


# --- who may change what --------------------------------------------------------------------


def may_manage(principal: Principal | None, path: str, *, below_only: bool) -> bool:
    """Whether `principal` may change the organisation at `path` (below_only: its node must lie
    strictly below the principal's own) or add a child to it (below_only False: its own node
    counts). None is the system (the command line, the demo)."""
    if principal is None or principal.is_admin:
        return True
    if not principal.is_organiser or not principal.org_path:
        return False
    if below_only and path == principal.org_path:
        return False
    return path.startswith(principal.org_path)


def _refuse(principal: Principal | None, path: str, below_only: bool) -> None:
    if not may_manage(principal, path, below_only=below_only):
        raise Forbidden(N_("only an admin, or an organiser above this organisation, may "
                           "change it"))


# --- inside the transaction -----------------------------------------------------------------


async def _lock_tree() -> None:
    """One change of the tree at a time (inside a write transaction): PostgreSQL locks the top
    organisation's row (NO KEY UPDATE: inserts that reference it are not held up); SQLite's
    IMMEDIATE transaction already holds the database for one writer."""
    rows = await db.fetch(
        "SELECT id FROM organisation WHERE parent IS NULL ORDER BY id LIMIT 1")
    if rows:
        await db.dialect.lock_row("organisation", rows[0]["id"], "NO KEY UPDATE")


async def _org(code: str) -> dict | None:
    rows = await db.fetch(_ORG_SELECT + "WHERE o.code = {}", code)
    return rows[0] if rows else None


def _public(row: dict) -> dict:
    """An organisation as the API and the audit log show it."""
    return {"id": row["id"], "code": row["code"], "name_zh": row["name_zh"],
            "name_en": row["name_en"] or "", "kind": row["kind"],
            "parent": row.get("parent_code"), "active": bool(row["active"]),
            "path": row["path"]}


async def _audit(principal: Principal | None, action: str, object_id: int, before: Any,
                 after: Any, object_type: str = "organisation") -> None:
    await hooks.audit.notify(principal, action, object_type, object_id, before, after)


# --- create ---------------------------------------------------------------------------------


async def create_org(code: str, name_zh: str, name_en: str = "", kind: str = "district",
                     parent_code: str | None = None, *,
                     principal: Principal | None = None) -> dict:
    """A new organisation under `parent_code` (None: a top organisation, for the system only).
    409 for a code taken (in any case), 422 for an unknown parent, 409 for an inactive one,
    403 for a parent outside the caller's subtree."""
    code = check_code(code)
    name_zh = check_name(name_zh, "name_zh", required=True)
    name_en = check_name(name_en, "name_en", required=False)
    kind = check_kind(kind)
    if parent_code is None and principal is not None:
        raise Invalid("parent", N_("required"))
    taken = N_("this code is taken")
    try:
        async with db.write_transaction():
            await _lock_tree()
            parent = None
            if parent_code is not None:
                parent = await _org(check_parent_code(parent_code))
                if parent is None:
                    raise Invalid("parent", N_("no such organisation"))
                _refuse(principal, parent["path"], below_only=False)
                if not parent["active"]:
                    raise Conflict(N_("the parent organisation is deactivated"),
                                   errors=[FieldError("parent", N_("deactivated"))])
            if await db.fetch("SELECT id FROM organisation WHERE lower(code) = {}", code):
                raise Conflict(taken, errors=[FieldError("code", taken)])
            path = f"{parent['path'] if parent else '/'}{code}/"
            if len(path) > PATH_MAX:
                raise Invalid("parent", N_("the tree would be too deep there"))
            rows = await db.write(
                "INSERT INTO organisation (code, name_zh, name_en, kind, parent, path, active) "
                "VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id",
                code, name_zh, name_en, kind, parent["id"] if parent else None, path, True)
            made = {"id": rows[0]["id"], "code": code, "name_zh": name_zh, "name_en": name_en,
                    "kind": kind, "parent_code": parent["code"] if parent else None,
                    "active": True, "path": path}
            await _audit(principal, "org.create", made["id"], None, _public(made))
    except Exception as exc:
        if db.is_unique_violation(exc):  # the lock makes this rare: a race with no lock held
            raise Conflict(taken, errors=[FieldError("code", taken)]) from exc
        raise
    return _public(made)


# --- rename, move, deactivate ---------------------------------------------------------------


@dataclass(frozen=True)
class Blockers:
    """What keeps an organisation from being deactivated (counts over its whole subtree)."""

    children: int
    users: int
    upcoming_fairs: int


async def blockers(org: dict) -> Blockers:
    """Its active child organisations, the active staff logins and the published fairs that
    have not ended in its subtree."""
    n = len(org["path"])
    rows = await db.fetch(
        "SELECT (SELECT COUNT(*) FROM organisation c WHERE c.parent = {} AND c.active) AS ch, "
        "(SELECT COUNT(*) FROM app_user u JOIN organisation o ON o.id = u.org "
        " WHERE u.active AND substr(o.path, 1, {}) = {}) AS us, "
        "(SELECT COUNT(*) FROM fair f JOIN organisation o ON o.id = f.org "
        " WHERE f.status = 'published' AND f.ends_at > {} AND substr(o.path, 1, {}) = {}) AS fa",
        org["id"], n, org["path"], clock.now(), n, org["path"])
    return Blockers(int(rows[0]["ch"]), int(rows[0]["us"]), int(rows[0]["fa"]))


async def _move(principal: Principal | None, org: dict, parent_code: str) -> dict | None:
    """Move `org` under `parent_code`; the subtree's paths rewritten. None: it is there."""
    if parent_code == org["parent_code"]:
        return None
    if org["parent"] is None:
        raise Conflict(N_("the top organisation does not move"),
                       errors=[FieldError("parent", N_("the top organisation does not move"))])
    parent = await _org(parent_code)
    if parent is None:
        raise Invalid("parent", N_("no such organisation"))
    if parent["path"].startswith(org["path"]):
        raise Invalid("parent", N_("not the organisation itself or one below it"))
    _refuse(principal, parent["path"], below_only=False)
    if not parent["active"]:
        raise Conflict(N_("the parent organisation is deactivated"),
                       errors=[FieldError("parent", N_("deactivated"))])
    old, new = org["path"], f"{parent['path']}{org['code']}/"
    deepest = await db.fetch(
        "SELECT MAX(LENGTH(path)) AS n FROM organisation WHERE substr(path, 1, {}) = {}",
        len(old), old)
    if int(deepest[0]["n"] or 0) - len(old) + len(new) > PATH_MAX:
        raise Invalid("parent", N_("the tree would be too deep there"))
    await db.execute("UPDATE organisation SET parent = {} WHERE id = {}", parent["id"], org["id"])
    # The node and everything below it: the old prefix replaced by the new, in one statement.
    await db.execute(
        "UPDATE organisation SET path = CAST({} AS VARCHAR(1000)) || "
        "substr(path, CAST({} AS INTEGER)) WHERE substr(path, 1, {}) = {}",
        new, len(old) + 1, len(old), old)
    return {**org, "parent": parent["id"], "parent_code": parent["code"], "path": new}


async def _deactivate(principal: Principal | None, org: dict, with_users: bool) -> list[str]:
    """Deactivate `org` (no active children, no upcoming published fairs in its subtree; its
    subtree's staff logins only with `with_users`, which deactivates them too). Answers the
    usernames deactivated."""
    if org["parent"] is None:
        raise Conflict(N_("the top organisation cannot be deactivated"),
                       errors=[FieldError("active", N_("the top organisation stays active"))])
    found = await blockers(org)
    if found.children:
        raise Conflict(N_("deactivate the organisations below it first"),
                       errors=[FieldError("active", N_("it has active organisations below it"))],
                       extra={"children": found.children})
    if found.upcoming_fairs:
        raise Conflict(N_("it has published fairs that have not ended: cancel them or wait "
                          "until they end"),
                       errors=[FieldError("active", N_("it has upcoming published fairs"))],
                       extra={"upcoming_fairs": found.upcoming_fairs})
    if found.users and not with_users:
        raise Conflict(N_("it has active staff logins: move them elsewhere, or deactivate them "
                          "with the organisation (deactivate_users)"),
                       errors=[FieldError("active", N_("it has active staff logins"))],
                       extra={"users": found.users})
    names: list[str] = []
    if found.users:
        rows = await db.write(
            "UPDATE app_user SET active = {} WHERE active AND org IN (SELECT id FROM "
            "organisation WHERE substr(path, 1, {}) = {}) RETURNING username",
            False, len(org["path"]), org["path"])
        names = sorted(r["username"] for r in rows)
    await db.execute("UPDATE organisation SET active = {} WHERE id = {}", False, org["id"])
    return names


async def update_org(principal: Principal | None, code: str, *, name_zh: Any = UNCHANGED,
                     name_en: Any = UNCHANGED, kind: Any = UNCHANGED, parent: Any = UNCHANGED,
                     active: Any = UNCHANGED, deactivate_users: bool = False) -> dict:
    """Rename, re-kind, move (`parent`), deactivate or reactivate (`active`) the organisation
    `code`: whatever is given, all or nothing, each change audited. 404 for no such
    organisation; 403 unless the caller may manage it (an organiser: strictly below its own)."""
    changes: dict[str, Any] = {}
    if name_zh is not UNCHANGED:
        changes["name_zh"] = check_name(name_zh, "name_zh", required=True)
    if name_en is not UNCHANGED:
        changes["name_en"] = check_name(name_en, "name_en", required=False)
    if kind is not UNCHANGED:
        changes["kind"] = check_kind(kind)
    if parent is not UNCHANGED:
        parent = check_parent_code(parent)
    if active is not UNCHANGED and not isinstance(active, bool):
        raise Invalid("active", N_("true or false"))
    async with db.write_transaction():
        await _lock_tree()
        org = await _org(code)
        if org is None:
            raise NotFound(N_("no such organisation"), extra={"field": "code"})
        _refuse(principal, org["path"], below_only=True)
        # Writers of this organisation's dependants (a new login in it) wait for this change.
        await db.dialect.lock_row("organisation", org["id"])
        before = _public(org)
        changes = {k: v for k, v in changes.items() if org[k] != v}
        if changes:
            sets = ", ".join(f"{k} = {{}}" for k in changes)
            await db.execute(f"UPDATE organisation SET {sets} WHERE id = {{}}",
                             *changes.values(), org["id"])
            org = {**org, **changes}
            await _audit(principal, "org.update", org["id"], before, _public(org))
        if parent is not UNCHANGED:
            moved = await _move(principal, org, parent)
            if moved is not None:
                await _audit(principal, "org.move", org["id"], _public(org), _public(moved))
                org = moved
        if active is not UNCHANGED and active != bool(org["active"]):
            if active:
                if org["parent"] is not None:
                    above = await db.fetch("SELECT active FROM organisation WHERE id = {}",
                                           org["parent"])
                    if not above[0]["active"]:
                        raise Conflict(N_("its parent organisation is deactivated: activate "
                                          "that first"),
                                       errors=[FieldError("active",
                                                          N_("the parent is deactivated"))])
                await db.execute("UPDATE organisation SET active = {} WHERE id = {}", True,
                                 org["id"])
                users: list[str] = []
            else:
                users = await _deactivate(principal, org, deactivate_users)
            after = {**org, "active": active}
            await _audit(principal, "org.activate" if active else "org.deactivate", org["id"],
                         _public(org), {**_public(after), **({"users": users} if users else {})})
            org = after
    return _public(org)


# --- an empty database: the first organisation and its admin --------------------------------


@dataclass(frozen=True)
class InitResult:
    org: dict
    admin: str
    created_org: bool
    created_admin: bool
    names_differ: bool = False


async def init_needs_admin(username: str) -> bool:
    """Whether `init()` would have to make this admin login (and so needs a password)."""
    rows = await db.fetch("SELECT id FROM app_user WHERE username = {}", username.strip())
    return not rows


async def init(code: str, name_zh: str, name_en: str, admin: str,
               password: str | None) -> InitResult:
    """The top organisation `code` and its first admin `admin`, on a database that has no
    organisation: all or nothing. Again with the same code: nothing changes (an admin login
    that is missing is made). 409 when the top organisation has another code, or `admin` is
    someone else's login (not an admin's)."""
    code = check_code(code)
    name_zh = check_name(name_zh, "name", required=True)
    name_en = check_name(name_en, "name_en", required=False)
    admin = validate_username(admin)
    password_hash = None
    if await init_needs_admin(admin):  # the slow hash before the transaction, never in it
        validate_password(password or "")
        password_hash = await hash_password(password or "")
    async with db.write_transaction():
        await _lock_tree()
        tops = await db.fetch(_ORG_SELECT + "WHERE o.parent IS NULL ORDER BY o.id")
        top = next((t for t in tops if t["code"] == code), None)
        if tops and top is None:
            other = tops[0]["code"]
            raise Conflict(N_("the top organisation has another code"),
                           code="other_top_org",
                           errors=[FieldError("org", N_("the top organisation is '{top}', not "
                                                        "'{code}'; nothing changed"),
                                              code="other_top_org",
                                              params={"top": other, "code": code})],
                           extra={"top": other})
        created_org = top is None
        if top is None:
            path = f"/{code}/"
            rows = await db.write(
                "INSERT INTO organisation (code, name_zh, name_en, kind, parent, path, active) "
                "VALUES ({}, {}, {}, 'city', NULL, {}, {}) RETURNING id",
                code, name_zh, name_en, path, True)
            top = {"id": rows[0]["id"], "code": code, "name_zh": name_zh, "name_en": name_en,
                   "kind": "city", "parent": None, "parent_code": None, "active": True,
                   "path": path}
            await _audit(None, "org.create", top["id"], None, _public(top))
        user = await db.fetch("SELECT id, role FROM app_user WHERE username = {}", admin)
        if user and user[0]["role"] != "admin":
            raise Conflict(N_("this username belongs to a login that is not an admin"),
                           errors=[FieldError("admin", N_("taken by a login that is not an "
                                                          "admin"))])
        created_admin = not user
        if created_admin:
            if password_hash is None:  # made by someone else since the check above: again
                raise Conflict(N_("the database changed meanwhile: run the command again"))
            made = await insert_user(NewUser(admin, password_hash, "admin", top["id"]))
            await _audit(None, "user.create", made["id"], None,
                         {"username": admin, "role": "admin", "org": code}, "user")
    names_differ = not created_org and (top["name_zh"], top["name_en"] or "") != (
        name_zh, name_en or (top["name_en"] or ""))
    return InitResult(_public(top), admin, created_org, created_admin, names_differ)
