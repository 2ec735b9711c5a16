from django.apps import AppConfig
from django.contrib.admin import options
from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    """django.contrib.admin with the console's site as `admin.site`, so every
    `@admin.register` in the project lands on it."""

    default_site = "console.site.ConsoleAdminSite"

    def ready(self):
        # Before the admin modules are imported (super().ready() discovers them): each
        # ModelAdmin copies these defaults when it is made. Every date and time field of
        # every admin page then uses the browser's pickers with ISO values.
        from symposium.widgets import ADMIN_OVERRIDES

        options.FORMFIELD_FOR_DBFIELD_DEFAULTS.update(ADMIN_OVERRIDES)
        super().ready()


class ConsoleConfig(AppConfig):
    """The organisers' and staff's side: its admin modules (console/admin/), staff pages,
    exports and commands."""

    name = "console"
    verbose_name = "Organisers' console"

    def ready(self):
        from console import receivers  # noqa: F401 - connects them
