"""Partner leads' emails on the task queue (symposium.background)."""

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from mailer.engine import send_all
from mailer.models import Message

from partners import quotas
from partners.emails import build_lead_link, build_quota_warning
from partners.models import PartnerLead, SeatQuota
from symposium import background, mail_worker
from symposium.models import Event


@background.task()
def email_lead_link(*, lead_pk: int, event_pk: int) -> None:
    """Build the lead's link for the event into django-mailer's queue and send it. A
    lead deleted or no longer leading for the event since is sent nothing."""
    try:
        _email_lead_link(lead_pk=lead_pk, event_pk=event_pk)
    finally:
        # As after a request (symposium.tasks): the worker's thread keeps a connection
        # only while it is usable; not when called inside a caller's transaction.
        if not connection.in_atomic_block:
            close_old_connections()


def _email_lead_link(*, lead_pk: int, event_pk: int) -> None:
    lead = PartnerLead.objects.filter(pk=lead_pk, events=event_pk).first()
    event = Event.objects.filter(pk=event_pk).first()
    if lead is None or event is None:
        return
    _send(build_lead_link(lead=lead, event=event))


@background.task()
def email_quota_warning(*, lead_pk: int, quota_pk: int) -> None:
    """Build and send a lead the warning that their quota's unused seats return to the
    general pool soon (partners.services.warn_quota_releases). Nothing for a lead or
    quota deleted since, or a quota already released."""
    try:
        lead = PartnerLead.objects.filter(pk=lead_pk).first()
        quota = (
            SeatQuota.objects.filter(pk=quota_pk, released_at__isnull=True)
            .select_related("event")
            .first()
        )
        if lead is None or quota is None:
            return
        use = next(use for use in quotas.quota_usage(quota.event) if use.quota.pk == quota.pk)
        _send(build_quota_warning(lead=lead, use=use))
    finally:
        if not connection.in_atomic_block:
            close_old_connections()


def _send(email) -> None:
    with transaction.atomic():
        queued = Message()
        queued.email = email
        queued.save()
    if settings.SEND_MAIL_ON_COMMIT:  # Tests: into mail.outbox at once.
        send_all(Message.objects.filter(pk=queued.pk))
        return
    worker = mail_worker.MailWorker()
    try:
        worker.send_message(queued.pk)
    except mail_worker.ServerUnreachable:
        pass  # Queued: the mail sweep (symposium.tasks.send_mail) sends it later.
    finally:
        worker.close()
