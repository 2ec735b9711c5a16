from django.apps import AppConfig


class BreakoutsConfig(AppConfig):
    name = "breakouts"
