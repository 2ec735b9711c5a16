from django.apps import AppConfig


class MailingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mailings"
    verbose_name = "Emails to delegates"

    def ready(self):
        from mailings import receivers  # noqa: F401
