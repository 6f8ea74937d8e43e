import os

from piccolo.conf.apps import AppConfig

from fairs.reports.tables import AudienceTally, Intention

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Intention, AudienceTally],
    migration_dependencies=['fairs.events.piccolo_app', 'fairs.tickets.piccolo_app',
                            'fairs.booths.piccolo_app', 'fairs.employers.piccolo_app',
                            'fairs.checkin.piccolo_app'],
    commands=[],
)
