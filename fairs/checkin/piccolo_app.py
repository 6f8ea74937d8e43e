import os

from piccolo.conf.apps import AppConfig

from .tables import Admission, AdmissionTally, CheckinWindow, OnlineSession, Scan

APP_CONFIG = AppConfig(
    app_name="checkin",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Admission, Scan, CheckinWindow, OnlineSession, AdmissionTally],
    migration_dependencies=['fairs.tickets.piccolo_app'],
    commands=[],
)
