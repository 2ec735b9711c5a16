from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from feedback import services
from symposium.models import Delegate, Event


@receiver(post_save, sender=Event, dispatch_uid="feedback-survey-for-new-event")
def survey_for_event(sender, instance, created, raw=False, **kwargs):
    # Not while loading a fixture or a backup: those bring their own rows.
    if raw:
        return
    if created:
        services.ensure_survey(event=instance)
    else:
        services.keep_in_step(event=instance)


@receiver(pre_delete, sender=Delegate, dispatch_uid="feedback-forget-erased-delegate")
def forget_response(sender, instance, **kwargs):
    # An erased registration's own response (SET_NULL would keep its free text).
    services.forget_delegate(delegate_pk=instance.pk)
