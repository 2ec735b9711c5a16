from django.apps import AppConfig


class BackgroundConfig(AppConfig):
    """The task queue's own records and admin (installed with procrastinate, on
    PostgreSQL); the API, `task` and `defer`, is the package itself."""

    name = "symposium.background"
    label = "background"
    verbose_name = "Background tasks"
