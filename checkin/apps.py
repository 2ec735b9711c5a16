from django.apps import AppConfig


class CheckinConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checkin"
    verbose_name = "Check-in and badges"

    def ready(self):
        from checkin import receivers  # noqa: F401 - connects them
