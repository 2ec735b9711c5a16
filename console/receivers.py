from django.dispatch import receiver

from console.report.services import forget_erased_quotes, freeze_and_purge_feedback
from registration.privacy import event_purged, registration_erased
from symposium.models import PreparedExport


# A prepared attendee list names everyone on it: it goes when their data does (the
# audit record stays, as ExportRecords do).
@receiver(event_purged, dispatch_uid="console-purge-prepared-exports")
@receiver(registration_erased, dispatch_uid="console-erasure-prepared-exports")
def delete_prepared_exports(sender, event, **kwargs):
    PreparedExport.objects.filter(record__event=event).delete()


# Feedback goes with the event's personal data; the report's figures stay, frozen
# first (console.report.services).
@receiver(event_purged, dispatch_uid="console-purge-feedback")
def purge_feedback(sender, event, **kwargs):
    freeze_and_purge_feedback(event=event)


# An erased registration's response is gone (feedback.receivers): the reports prepared
# so far stop quoting it.
@receiver(registration_erased, dispatch_uid="console-erasure-report-quotes")
def forget_quotes(sender, event, **kwargs):
    forget_erased_quotes(event=event)
