import os

from piccolo.conf.apps import AppConfig

from fairs.booths.tables import (
    Booking,
    Booth,
    GuestSlot,
    Interest,
    SlotBooking,
)

APP_CONFIG = AppConfig(
    app_name="booths",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Booth, Booking, GuestSlot, SlotBooking, Interest],
    migration_dependencies=['fairs.events.piccolo_app', 'fairs.employers.piccolo_app',
                            'fairs.tickets.piccolo_app'],
    commands=[],
)
