from __future__ import annotations

from typing import Annotated, Literal

import msgspec

# Bounds at the edge: a login body stays small whatever a client sends (fairs.accounts.services
# checks the same on the login form, which has no schema).
Username = Annotated[str, msgspec.Meta(max_length=150)]
Password = Annotated[str, msgspec.Meta(max_length=256)]


class LoginIn(msgspec.Struct, forbid_unknown_fields=False):
    username: Username = msgspec.field()
    password: Password = msgspec.field()


class UserOut(msgspec.Struct):
    id: int
    username: str
    roles: list[str]


class LoginOut(msgspec.Struct):
    user: UserOut


class MeOut(msgspec.Struct, omit_defaults=True):
    id: int
    username: str
    roles: list[str]
    display_name: str = ""
    org: str | None = None
    employer: int | None = None


class TokenIn(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(max_length=200)]
    username: Username | None = None
    password: Password | None = None


class TokenOut(msgspec.Struct):
    id: int
    token: str
    name: str


class TokenInfo(msgspec.Struct):
    id: int
    name: str
    prefix: str
    created_at: str
    revoked: bool


OrgKind = Literal["city", "district", "area", "street"]
OrgCode = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")]
OrgName = Annotated[str, msgspec.Meta(max_length=100)]


class OrgIn(msgspec.Struct):
    code: OrgCode
    name_zh: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    name_en: OrgName = ""
    kind: OrgKind = "street"
    parent: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class OrgPatch(msgspec.Struct, forbid_unknown_fields=True):
    """What PATCH /api/v1/orgs/{code} changes: whatever is given (the code never changes).
    `parent` moves the organisation (and everything below it); `active: false` deactivates it,
    refused while it has active organisations below it, upcoming published fairs, or active
    staff logins (unless `deactivate_users` is true: they are deactivated with it)."""

    name_zh: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | msgspec.UnsetType = (
        msgspec.UNSET)
    name_en: OrgName | msgspec.UnsetType = msgspec.UNSET
    kind: OrgKind | msgspec.UnsetType = msgspec.UNSET
    parent: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | msgspec.UnsetType = (
        msgspec.UNSET)
    active: bool | msgspec.UnsetType = msgspec.UNSET
    deactivate_users: bool = False


class OrgOut(msgspec.Struct):
    id: int
    code: str
    name_zh: str
    name_en: str
    kind: str
    parent: str | None
    active: bool = True


class ListOut(msgspec.Struct):
    items: list
    total: int
