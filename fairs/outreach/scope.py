"""Which employers an organiser serves: the one rule the services, the officers and the lists
ask.

Employers belong to no district (the register is the city's: fairs.employers.services); an
organisation's hold on a company comes from its dealings with it. An organiser covers an
employer when the employer booked at a fair of the organiser's subtree (the employers slice's
own rule, `manages_employer` / `EMPLOYERS_UNDER`), when one of the employer's service officers
is a login of the subtree, or when the subtree recorded a service for it; an admin covers every
employer. A first contact with a company that never booked here comes from an officer
assignment (by an admin, or by an organiser above who covers it) or a service an admin records.
"""

from __future__ import annotations

from typing import Any

from fairs import db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.employers import services as employers
from fairs.errors import Forbidden
from fairs.i18n import N_

_OWN_DEALINGS = (
    "SELECT 1 AS found FROM employer_officer eo JOIN app_user u ON u.id = eo.officer "
    "JOIN organisation o ON o.id = u.org WHERE eo.employer = {} AND o.path LIKE {} "
    "UNION ALL SELECT 1 FROM employer_service s JOIN organisation o ON o.id = s.org "
    "WHERE s.employer = {} AND o.path LIKE {}"
)


def organisers_only(principal: Principal | None) -> Principal:
    """403 for anyone but an organiser (or an admin) who belongs to an organisation."""
    if principal is None or not principal.is_organiser:
        raise Forbidden(N_("Only organisers can do this."), code="organisers_only")
    if not principal.is_admin and not principal.org_path:
        raise Forbidden(N_("Your account belongs to no organisation."), code="no_organisation")
    return principal


def subtree(principal: Principal) -> str:
    """The organisation path whose subtree the caller reads ("" for an admin: everything)."""
    return "" if principal.is_admin else principal.org_path or "//"


async def covers(principal: Principal | None, employer_id: int) -> bool:
    """Whether the caller serves this employer (see the module's rule)."""
    if principal is None or not principal.is_organiser:
        return False
    if principal.is_admin:
        return True
    if not principal.org_path:
        return False
    if await employers.manages_employer(principal, employer_id):
        return True
    pattern = f"{principal.org_path}%"
    return bool(await db.fetch(_OWN_DEALINGS, employer_id, pattern, employer_id, pattern))


async def require_cover(principal: Principal | None, employer_id: int) -> dict:
    """The employer (404 when there is none), if the caller serves it (403 otherwise)."""
    organisers_only(principal)
    employer = await employers.get_employer(employer_id)
    if not await covers(principal, employer_id):
        raise Forbidden(N_("This employer is outside your organisation's services."),
                        code="other_organisation")
    return employer


def covered(path: str) -> tuple[str, list[Any]]:
    """`SELECT employer` of the employers an organisation subtree serves (path "" for all
    of them: the whole register), and its args."""
    if not path:
        return "SELECT e.id AS employer FROM employer e", []
    pattern = f"{path}%"
    sql = (f"{employers.EMPLOYERS_UNDER} UNION SELECT eo.employer FROM employer_officer eo "
           "JOIN app_user u ON u.id = eo.officer JOIN organisation o ON o.id = u.org "
           "WHERE o.path LIKE {} UNION SELECT s.employer FROM employer_service s "
           "JOIN organisation o ON o.id = s.org WHERE o.path LIKE {}")
    return sql, [pattern] * 4


async def recording_org(principal: Principal) -> int:
    """The organisation a service the caller records counts for: its own (an admin without
    one: the top organisation)."""
    if principal.org_id is not None:
        return principal.org_id
    return (await accounts.top_org())["id"]
