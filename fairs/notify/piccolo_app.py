import os

from piccolo.conf.apps import AppConfig

from .tables import NotifyOptOut, OutboxMessage, WebhookEndpoint

APP_CONFIG = AppConfig(
    app_name="notify",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[OutboxMessage, WebhookEndpoint, NotifyOptOut],
    migration_dependencies=["fairs.tickets.piccolo_app", "fairs.booths.piccolo_app"],
    commands=[],
)
