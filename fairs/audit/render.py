"""The audit log for people (issue 15): who (name and organisation), what (a sentence in the
reader's language), when (Beijing time) and what changed (field: before → after, values shown
as the pages show them). Pure rendering over the stored entries plus one look-up per kind of
name; secrets stay masked as they were recorded ("***")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fairs import db, i18n, labels
from fairs.i18n import N_

# One sentence per action (msgids; %(name)s is the object's name).
ACTIONS = {
    "fair.create": N_("created the fair “%(name)s”"),
    "fair.update": N_("changed the fair “%(name)s”"),
    "fair.publish": N_("published the fair “%(name)s”"),
    "fair.cancel": N_("cancelled the fair “%(name)s”"),
    "fair.delete": N_("deleted the draft fair “%(name)s”"),
    "employer.approve": N_("approved the employer “%(name)s”"),
    "employer.reject": N_("rejected the employer “%(name)s”"),
    "employer.staff_add": N_("added a login for the employer “%(name)s”"),
    "booking_rules.update": N_("changed the booking rules"),
    "followup.outcome": N_("recorded the outcome of follow-up call %(name)s"),
    "followup.phone": N_("viewed the phone number of follow-up call %(name)s"),
    "employer.service_add": N_("recorded a service to the employer “%(name)s”"),
    "employer.service_update": N_("changed a service record of the employer “%(name)s”"),
    "employer.service_delete": N_("deleted a service record of the employer “%(name)s”"),
    "employer.officer_add": N_("assigned a service officer to the employer “%(name)s”"),
    "employer.officer_remove": N_("removed a service officer of the employer “%(name)s”"),
}
# The action kinds for the filter.
ACTION_KINDS = {
    "fair.create": N_("Fair created"), "fair.update": N_("Fair changed"),
    "fair.publish": N_("Fair published"), "fair.cancel": N_("Fair cancelled"),
    "fair.delete": N_("Draft deleted"), "employer.approve": N_("Employer approved"),
    "employer.reject": N_("Employer rejected"), "employer.staff_add": N_("Employer login added"),
    "booking_rules.update": N_("Booking rules changed"),
    "followup.outcome": N_("Follow-up outcome recorded"),
    "followup.phone": N_("Phone number viewed"),
    "employer.service_add": N_("Service recorded"),
    "employer.service_update": N_("Service changed"),
    "employer.service_delete": N_("Service deleted"),
    "employer.officer_add": N_("Officer assigned"),
    "employer.officer_remove": N_("Officer removed"),
}
OBJECT_TYPES = {"fair": N_("Fair"), "employer": N_("Employer"),
                "booking_rules": N_("Booking rules"), "followup": N_("Follow-up call")}
FIELDS = {
    "title": N_("Title"), "status": N_("Status"), "reason": N_("Reason"),
    "kind": N_("Kind"), "starts_at": N_("Starts"), "ends_at": N_("Ends"),
    "venue": N_("Venue"), "channel": N_("Livestream channel"), "org": N_("Organisation"),
    "capacity": N_("Capacity"), "description": N_("Description"),
    "stream_url": N_("Livestream address"), "format": N_("Format"),
    "industries": N_("Industries"), "audiences": N_("Audiences"),
    "booking_opens_at": N_("Booth booking opens"), "booking_closes_at": N_("Booth booking closes"),
    "registration_opens_at": N_("Registration opens"),
    "registration_closes_at": N_("Registration closes"),
    "plan": N_("Plan"), "user": N_("Login"), "username": N_("Username"),
    "display_name": N_("Display name"),
    "free_cancel_workdays": N_("Free cancellation (working days before)"),
    "no_show_limit": N_("No-shows before suspension"),
    "window_days": N_("No-shows counted over (days)"),
    "suspension_days": N_("Suspension (days)"),
    "outcome": N_("Outcome"), "started_on": N_("Start date"), "intention": N_("Intention"),
    "service": N_("Service record"), "on": N_("Date of the service"), "topics": N_("Topics"),
    "notes": N_("Notes"), "staff_names": N_("Staff who gave the service"),
    "follow_up_on": N_("Follow up on"),
}
_STATUS_TABLE = {"fair": "fair_status", "employer": "employer_status",
                 "followup": "followup_status"}
_NAMED = {"fair": ("fair", "title"), "employer": ("employer", "name")}
_IDS = {"venue": "venue", "channel": "channel", "org": "organisation"}


def _ids(values: set[str]) -> list[int]:
    return sorted({int(v) for v in values if str(v).isdigit()})[:500]


async def _names(table: str, column: str, ids: set[str], *extra: str) -> dict[int, dict]:
    found = _ids(ids)
    if not found:
        return {}
    marks = ", ".join("{}" for _ in found)
    cols = ", ".join((f"{column} AS name", *extra))
    rows = await db.fetch(f"SELECT id, {cols} FROM {table} WHERE id IN ({marks})", *found)
    return {r["id"]: r for r in rows}


async def _people(ids: set[int]) -> dict[int, dict]:
    found = sorted(i for i in ids if i is not None)[:500]
    if not found:
        return {}
    marks = ", ".join("{}" for _ in found)
    rows = await db.fetch(
        "SELECT u.id, u.username, u.display_name, o.name_zh, o.name_en FROM app_user u "
        f"LEFT JOIN organisation o ON o.id = u.org WHERE u.id IN ({marks})", *found)
    return {r["id"]: r for r in rows}


def _when(value: str) -> str | None:
    if len(value) < 16 or value[4] != "-" or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return i18n.format_datetime(moment) if moment.tzinfo else None


def _value(field: str, value: Any, object_type: str, refs: dict[str, dict[int, dict]]) -> str:
    """A recorded value as the pages show it."""
    if value is None or value == "":
        return "—"
    if value == "***":
        return "***"
    if field == "status":
        return labels.label(_STATUS_TABLE.get(object_type, "fair_status"), str(value))
    if field == "kind":
        return labels.label("visit_kind" if object_type == "employer" else "fair_kind",
                            str(value))
    if field == "outcome":
        return labels.label("followup_outcome", str(value))
    if field == "topics" and isinstance(value, list):
        return "、".join(labels.label("service_topic", str(v)) for v in value) or "—"
    if field in _IDS and str(value).isdigit():
        row = refs[field].get(int(value))
        if row:
            return labels.org_name(row) if field == "org" else row["name"]
    if isinstance(value, bool):
        return i18n.gettext("yes") if value else i18n.gettext("no")
    if isinstance(value, int | float):
        return i18n.format_number(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value) if value else "—"
    if isinstance(value, str):
        return _when(value) or value
    return str(value)


def _changes(entry: dict, refs: dict[str, dict[int, dict]]) -> list[dict]:
    before = entry["before"] if isinstance(entry["before"], dict) else {}
    after = entry["after"] if isinstance(entry["after"], dict) else {}
    out = []
    for field in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(field), after.get(field)
        if field in before and field in after and old == new:
            continue
        if (field in before) != (field in after) and (old if field in before else new) in (
                None, ""):
            continue  # a creation's empty fields say nothing
        out.append({
            "field": i18n.gettext(FIELDS[field]) if field in FIELDS else field,
            "before": _value(field, old, entry["object_type"], refs) if field in before else None,
            "after": _value(field, new, entry["object_type"], refs) if field in after else None,
        })
    return out


async def people(rows: list[dict]) -> list[dict]:
    """The people of the log's filter, by display name (and organisation)."""
    found = await _people({r["actor_id"] for r in rows})
    out = []
    for r in rows:
        person = found.get(r["actor_id"])
        name = (person["display_name"] or person["username"]) if person else r["actor"]
        org = labels.org_name(person) if person and person.get("name_zh") else ""
        out.append({"id": r["actor_id"], "name": f"{name}（{org}）" if org else name})
    return sorted(out, key=lambda p: p["name"])


async def render(rows: list[dict]) -> list[dict]:
    """Each entry with `who`, `org`, `what`, `when` and `changes` (a list of field, before,
    after; before or after None when the entry has no such side) in the current language."""
    people = await _people({r["actor_id"] for r in rows})
    objects: dict[str, dict[int, dict]] = {}
    for kind, (table, column) in _NAMED.items():
        objects[kind] = await _names(table, column,
                                     {r["object_id"] for r in rows if r["object_type"] == kind})
    wanted: dict[str, set[str]] = {f: set() for f in _IDS}
    for r in rows:
        for side in ("before", "after"):
            if isinstance(r[side], dict):
                for field in _IDS:
                    if r[side].get(field) is not None:
                        wanted[field].add(str(r[side][field]))
    refs = {"venue": await _names("venue", "name", wanted["venue"]),
            "channel": await _names("channel", "name", wanted["channel"]),
            "org": await _names("organisation", "name_zh", wanted["org"], "name_zh", "name_en")}
    out = []
    for r in rows:
        person = people.get(r["actor_id"])
        who = ((person["display_name"] or person["username"]) if person else r["actor"]) or "—"
        org = labels.org_name(person) if person and person.get("name_zh") else ""
        obj = objects.get(r["object_type"], {}).get(int(r["object_id"])) \
            if r["object_id"].isdigit() else None
        recorded = {**(r["after"] if isinstance(r["after"], dict) else {}),
                    **(r["before"] if isinstance(r["before"], dict) else {})}
        name = (obj["name"] if obj else None) or recorded.get("title") or recorded.get(
            "name") or f"#{r['object_id']}"
        sentence = ACTIONS.get(r["action"])
        what = i18n.gettext(sentence, name=name) if sentence else r["action"]
        out.append({**r, "who": who, "org": org, "role_name": labels.label("role", r["role"]),
                    "what": what, "when": i18n.format_datetime(r["at"]),
                    "changes": _changes(r, refs)})
    return out
