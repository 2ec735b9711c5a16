from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = "Registration"

    def ready(self):
        from registration import emails
        from symposium import outbox

        # Every email the outbox owes a delegate says what registration.emails writes.
        outbox.build_with(emails.build)
