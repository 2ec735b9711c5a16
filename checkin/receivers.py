from django.dispatch import receiver

from checkin.models import BadgeRun
from registration.privacy import event_purged, registration_erased


# A badge run's PDF names everyone it printed: it goes when their data does (the desk
# can print again for those still there).
@receiver(event_purged, dispatch_uid="checkin-purge-badge-runs")
@receiver(registration_erased, dispatch_uid="checkin-erasure-badge-runs")
def delete_badge_runs(sender, event, **kwargs):
    BadgeRun.objects.filter(event=event).delete()
