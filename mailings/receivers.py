from django.db.models.signals import post_save
from django.dispatch import receiver

from mailings import services
from partners import invitations
from registration.privacy import event_purged
from symposium.models import Event


@receiver(post_save, sender=Event, dispatch_uid="mailings-automatic-for-new-event")
def automatic_mailings_for_new_event(sender, instance, created, raw=False, **kwargs):
    # Not while loading a fixture or a backup: those bring their own rows.
    if created and not raw:
        services.ensure_automatic_mailings(event=instance)


@receiver(event_purged, dispatch_uid="mailings-purge-recipients")
def purge_recipients(sender, event, **kwargs):
    services.purge_recipients(event=event)


@receiver(event_purged, dispatch_uid="mailings-purge-invitees")
def purge_invitees(sender, event, **kwargs):
    # Whom the invitations went to (partners sits below registration and cannot hear it).
    invitations.purge_personal_invitations(event=event)
