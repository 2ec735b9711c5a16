from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo event from the seed articles (`manage.py loaddemo`) and the demo server
    with its task worker (`manage.py rundemo`): what `make demo` runs."""

    name = "demo"
    verbose_name = "Demo"
