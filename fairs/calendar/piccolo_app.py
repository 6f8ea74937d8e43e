import os

from piccolo.conf.apps import AppConfig

from .tables import CalendarFeedToken, CalendarPiece

APP_CONFIG = AppConfig(
    app_name="calendar",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[CalendarFeedToken, CalendarPiece],
    migration_dependencies=['fairs.events.piccolo_app'],
    commands=[],
)
