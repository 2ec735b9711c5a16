from django.apps import AppConfig


class SymposiumConfig(AppConfig):
    name = "symposium"
    verbose_name = "Symposium"

    def ready(self):
        from symposium import receivers

        receivers.connect()
