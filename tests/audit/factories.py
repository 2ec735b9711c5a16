"""Reading the audit log in tests."""

from symposium.models import AuditEntry


def entries(event):
    """The event's entries, newest first (the log's own order)."""
    return AuditEntry.objects.filter(event=event).select_related("delegate", "actor")


def only_entry(event):
    [entry] = entries(event)
    return entry
