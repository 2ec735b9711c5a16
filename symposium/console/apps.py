from django.contrib.admin.apps import AdminConfig


class ConsoleAdminConfig(AdminConfig):
    """django.contrib.admin with the console's site as `admin.site`, so every
    `@admin.register` in the project lands on it."""

    default_site = "symposium.console.site.ConsoleAdminSite"
