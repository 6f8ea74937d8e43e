"""What pages show for a need's coded fields (msgids, translated when shown)."""

from __future__ import annotations

from fairs.i18n import N_

NEED_STATUS = {"draft": N_("Waiting for review"), "published": N_("Published"),
               "rejected": N_("Returned"), "withdrawn": N_("Withdrawn")}
WAGE_GROUPINGS = {"education": N_("By education"), "title": N_("By job title")}
