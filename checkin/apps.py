from django.apps import AppConfig


class CheckinConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checkin"
    verbose_name = "Check-in and badges"

    def ready(self):
        from checkin import emails, receivers  # noqa: F401 - connects them
        from symposium import outbox

        # The QR code in the emails that confirm a place (symposium.outbox builds them).
        outbox.add_extra(emails)
