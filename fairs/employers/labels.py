"""What pages show for a position's coded fields (msgids, translated when shown): the positions
editor and the jobs list here; the booths slice's posters and employer pages show them too."""

from __future__ import annotations

from fairs.i18n import N_
from fairs.labels import PAY_UNIT

JOB_TYPE_LABELS = {"regular": N_("Regular"), "traineeship": N_("Traineeship"),
                   "practical": N_("Practical training"), "gig": N_("Gig work")}
EDUCATION_LABELS = {"any": N_("Any"), "junior": N_("Junior high school"),
                    "senior": N_("Senior high or vocational school"),
                    "college": N_("Junior college"), "bachelor": N_("Bachelor's degree"),
                    "master": N_("Master's degree"), "doctor": N_("Doctorate")}
EXPERIENCE_LABELS = {"any": N_("Any"), "none": N_("No experience needed"),
                     "1-3": N_("1-3 years"), "3-5": N_("3-5 years"),
                     "5-10": N_("5-10 years"), "10+": N_("10 years or more")}
LABELS = {"job_types": JOB_TYPE_LABELS, "educations": EDUCATION_LABELS,
          "experiences": EXPERIENCE_LABELS, "pay_units": PAY_UNIT}
