"""One label table per enumeration: what a page, an export or the audit log shows for a stored
code (issue 15: "store codes, render text when shown"). Values are msgids, translated where shown
(`label("booking_status", "confirmed")`); a code without a label is shown as it is.

Pure: no Litestar, no database.
"""

from __future__ import annotations

from fairs import i18n
from fairs.i18n import N_

FAIR_KIND = {"offline": N_("Offline fair"), "online": N_("Online fair")}
FAIR_KIND_PLURAL = {"offline": N_("Offline fairs"), "online": N_("Online fairs")}
FAIR_STATUS = {"draft": N_("Draft"), "published": N_("Published"),
               "cancelled": N_("Cancelled"), "held": N_("Held")}
BOOKING_STATUS = {"confirmed": N_("Booking confirmed"), "waitlisted": N_("On the waitlist"),
                  "cancelled": N_("Cancelled"), "booked": N_("Booked")}
BOOTH_STATUS = {"free": N_("Free"), "booked": N_("Booked"), "blocked": N_("Blocked")}
EMPLOYER_STATUS = {"pending": N_("Pending"), "approved": N_("Approved"),
                   "rejected": N_("Rejected")}
TICKET_STATUS = {"active": N_("Valid"), "cancelled": N_("Cancelled")}
ROLE = {"admin": N_("Administrator"), "organiser": N_("Organiser"),
        "employer": N_("Employer"), "scanner": N_("Door staff")}
ORG_KIND = {"city": N_("City"), "district": N_("District"), "area": N_("Area"),
            "street": N_("Street")}
PAY_UNIT = {"month": N_("CNY/month"), "day": N_("CNY/day"), "hour": N_("CNY/hour")}
FOLLOWUP_STATUS = {"open": N_("To call"), "done": N_("Recorded"), "closed": N_("Closed")}
FOLLOWUP_OUTCOME = {"hired": N_("Hired"), "in_process": N_("In process"),
                    "declined": N_("Declined"), "unreachable": N_("Unreachable")}
# Employer services (fairs.outreach) and the kinds of employer-service visit (fairs.measures).
VISIT_KIND = {"fair": N_("Fair attendance"), "visit": N_("Field visit"),
              "phone": N_("Phone call"), "symposium": N_("Symposium"),
              "policy": N_("Policy help"), "other": N_("Other service")}
SERVICE_TOPIC = {"recruiting": N_("Recruiting"), "training": N_("Skills training"),
                 "social_insurance": N_("Social insurance"), "subsidies": N_("Subsidies"),
                 "labour_relations": N_("Labour relations"), "other": N_("Other topics")}

TABLES: dict[str, dict[str, str]] = {
    "fair_kind": FAIR_KIND, "fair_kinds": FAIR_KIND_PLURAL, "fair_status": FAIR_STATUS,
    "booking_status": BOOKING_STATUS, "booth_status": BOOTH_STATUS,
    "employer_status": EMPLOYER_STATUS, "ticket_status": TICKET_STATUS, "role": ROLE,
    "org_kind": ORG_KIND, "pay_unit": PAY_UNIT, "followup_status": FOLLOWUP_STATUS,
    "followup_outcome": FOLLOWUP_OUTCOME,
    "visit_kind": VISIT_KIND,
    "service_topic": SERVICE_TOPIC,
}


def label(table: str, code: str | None) -> str:
    """The reader's name for `code` of enumeration `table`; the code itself when unknown."""
    if code is None:
        return ""
    msgid = TABLES[table].get(code)
    return i18n.gettext(msgid) if msgid else str(code)


def org_name(org: dict | None, code: str | None = None) -> str:
    """An organisation's name in the reader's language (its code only when it is unknown)."""
    if not org:
        return code or ""
    return i18n.pick(org.get("name_zh") or "", org.get("name_en") or "") or code or ""
