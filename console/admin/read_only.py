"""Records the services write (logs, exports, jobs, places): shown in the admin, never
added, changed or deleted by hand."""


class ReadOnlyMixin:
    """First among a ModelAdmin's or an inline's bases: its False wins over any grant."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
