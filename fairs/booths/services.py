"""The booths slice's services, re-exported from the modules that hold them (one
sub-capability each) so that callers outside the slice keep one import:

- base: the fair a booth or slot belongs to, booking windows, working days, the fair's lock
- layouts: booth layouts of offline fairs
- bookings: booth bookings, the waitlist and bookings' door codes (the booking hot path)
- slots: guest slots of online fairs
- counts: counts and summaries other slices ask through fairs.hooks
- interests: posters' services, the employer's page at a fair, attendees' interests

New code imports the module it needs. Positions and the no-show ledger (with the booking rules)
are the employers slice's: fairs.employers.positions and fairs.employers.ledger.
"""

from __future__ import annotations

from .base import (  # noqa: F401
    booking_window,
    check_open,
    fair_row,
    free_cancel_deadline,
    is_workday,
    managed_fair,
    now,
    open_fairs,
    organisers_coming_fairs,
)
from .bookings import (  # noqa: F401
    ACTIVE,
    MAX_RETRIES,
    admit_booking,
    book_booth,
    cancel_booking,
    fair_bookings,
    get_booking,
    my_bookings,
    resolve_code,
)
from .counts import (  # noqa: F401
    employer_calendar_items,
    employer_visits,
    fair_counts,
    jobs_stamp,
    jobs_summaries,
)
from .interests import (  # noqa: F401
    booking_poster,
    employer_at_fair,
    employer_page_path,
    fair_posters,
    interested_job_seekers,
    mark_interest,
    registration_interests,
    ticket_interests,
    withdraw_interest,
)
from .layouts import (  # noqa: F401
    booth_counts,
    copy_layout,
    layout_sources,
    list_booths,
    set_layout,
)
from .slots import (  # noqa: F401
    add_slots,
    book_slot,
    cancel_slot_booking,
    delete_slot,
    get_slot_booking,
    list_slots,
    my_slot_bookings,
    split_session,
)
