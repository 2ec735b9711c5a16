"""Invitations: partner codes counted exactly, expired codes refused, an invitation's
organisation locked, personal invitations imported, sent, answered and reminded."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mailings import invitations as invitation_emails
from mailings.enums import InvitationCopyStatus, InvitationEmailKind
from mailings.models import InvitationCopy
from partners import invitations
from partners.models import (
    Affiliation,
    Invitation,
    InvitationStatus,
    InvitationUse,
    MatchedBy,
    PersonalInvitation,
)
from registration import services
from symposium.enums import Sector
from symposium.models import Delegate
from tests.background import run_background_jobs
from tests.breakouts.test_concurrency import all_at_once
from tests.factories import (
    DelegateFactory,
    EventFactory,
    InvitationFactory,
    OrganisationFactory,
    PersonalInvitationFactory,
)

pytestmark = pytest.mark.django_db


def register_url(event, code=None):
    url = reverse("registration:register", kwargs={"event_slug": event.slug})
    return f"{url}?invitation={code}" if code is not None else url


def details(number=1, **fields):
    return {
        "first_name": "Invited",
        "last_name": f"Delegate {number}",
        "email": f"invited{number}@example.org",
        "organisation": "Typed Organisation",
        "sector": "nhs",
        "privacy_consent": "on",
        **fields,
    }


# Codes ---------------------------------------------------------------------------------


def test_new_codes_have_no_characters_that_look_alike():
    codes = "".join(invitations.new_code() for _ in range(500))
    assert not set(codes) & set("0O1IL")
    assert len(invitations.new_code()) == invitations.CODE_LENGTH


def test_a_code_typed_in_lower_case_with_spaces_is_found():
    invitation = InvitationFactory(code="KENTDC2345")
    found = invitations.find_invitation(event=invitation.event, code=" kent-dc 2345 ")
    assert found == invitation


def test_a_registration_through_a_code_counts_one_use_and_records_its_tag(client):
    invitation = InvitationFactory(max_uses=3, tag="district councils")

    response = client.post(
        register_url(invitation.event), details(invitation=invitation.code.lower())
    )

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.uses == 1
    delegate = Delegate.objects.get(email="invited1@example.org")
    assert InvitationUse.objects.get(delegate=delegate).invitation == invitation


def test_the_link_shows_the_form_with_the_code_in_a_hidden_field(client):
    invitation = InvitationFactory(code="LINKCODE23")

    response = client.get(register_url(invitation.event, "LINKCODE23"))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<input type="hidden" name="invitation" value="LINKCODE23"', html)
    assert "You are registering with an invitation" in html


def test_a_used_up_code_is_refused_by_its_field_and_keeps_what_was_typed(client):
    invitation = InvitationFactory(max_uses=1)
    Invitation.objects.filter(pk=invitation.pk).update(uses=1)

    response = client.post(
        register_url(invitation.event), details(invitation=invitation.code, job_title="Nurse")
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["invitation"] == [invitations.USED_UP]
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_invitation"' in html
    assert 'value="Nurse"' in html
    assert 'value="invited1@example.org"' in html
    assert not Delegate.objects.exists()


def test_an_unknown_code_in_the_link_is_said_at_once_not_a_crash(client):
    event = EventFactory()

    response = client.get(register_url(event, "NOSUCHCODE"))

    assert response.status_code == 200
    assert response.context["form"].errors["invitation"] == [invitations.UNKNOWN]
    assert "There is a problem" in response.content.decode()


def test_a_code_cleared_from_the_form_registers_without_an_invitation(client):
    event = EventFactory()

    response = client.post(register_url(event), details(invitation=""))

    assert response.status_code == 302
    assert not InvitationUse.objects.exists()


def test_valid_until_is_enforced(client):
    invitation = InvitationFactory(valid_until=timezone.now() - dt.timedelta(minutes=1))

    response = client.post(register_url(invitation.event), details(invitation=invitation.code))

    assert response.status_code == 200
    assert response.context["form"].errors["invitation"][0].startswith("This invitation expired")
    invitation.refresh_from_db()
    assert invitation.uses == 0
    assert not Delegate.objects.exists()


def test_the_service_refuses_a_code_expired_since_the_form_was_read():
    """The check that counts is under the lock, in the registration's transaction."""

    invitation = InvitationFactory(valid_until=timezone.now() + dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as refused:
        services.register_delegate(
            event=invitation.event,
            first_name="Late",
            last_name="Comer",
            email="late@example.org",
            organisation="Kent Police",
            sector=Sector.POLICE,
            invitation=invitation,
            now=timezone.now() + dt.timedelta(minutes=2),
            enforce_window=False,
        )
    assert "invitation" in refused.value.message_dict
    assert not Delegate.objects.exists()
    invitation.refresh_from_db()
    assert invitation.uses == 0


def test_a_code_of_another_event_is_not_valid_here(client):
    invitation = InvitationFactory()
    other = EventFactory()

    response = client.post(register_url(other), details(invitation=invitation.code))

    assert response.context["form"].errors["invitation"] == [invitations.UNKNOWN]


# The invitation's organisation, locked ---------------------------------------------------


def test_a_locked_organisation_is_shown_read_only(client):
    organisation = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    invitation = InvitationFactory(organisation=organisation)

    response = client.get(register_url(invitation.event, invitation.code))

    html = response.content.decode()
    assert re.search(r'<input[^>]*name="organisation"[^>]*value="Medway Council"', html)
    assert re.search(r'<input[^>]*name="organisation"[^>]*disabled', html)
    assert re.search(r'<select[^>]*name="sector"[^>]*disabled', html)
    assert "Your organisation and sector are filled in from it" in html


def test_a_locked_organisation_cannot_be_overridden_by_a_post(client):
    organisation = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    invitation = InvitationFactory(organisation=organisation)

    response = client.post(
        register_url(invitation.event),
        details(invitation=invitation.code, organisation="Someone Else Ltd", sector="private"),
    )

    assert response.status_code == 302
    delegate = Delegate.objects.get()
    assert (delegate.organisation, delegate.sector) == ("Medway Council", Sector.COUNCIL)
    affiliation = Affiliation.objects.get(delegate=delegate)
    assert (affiliation.organisation, affiliation.matched_by) == (
        organisation,
        MatchedBy.INVITATION,
    )


def test_the_service_sets_the_invitations_organisation_whatever_it_is_passed():

    organisation = OrganisationFactory(name="Kent Police", sector=Sector.POLICE)
    invitation = InvitationFactory(organisation=organisation)
    registration = services.register_delegate(
        event=invitation.event,
        first_name="Pat",
        last_name="Doe",
        email="pat@example.org",
        organisation="Anything",
        sector=Sector.OTHER,
        invitation=invitation,
    )
    assert (registration.delegate.organisation, registration.delegate.sector) == (
        "Kent Police",
        Sector.POLICE,
    )


# Concurrency -----------------------------------------------------------------------------


def poster(event, number, code):
    client = Client(REMOTE_ADDR=f"198.18.7.{number + 1}")
    return lambda: client.post(register_url(event), details(number, invitation=code)).status_code


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("uses_left", "people"), [(1, 2), (3, 20)])
def test_a_codes_last_uses_taken_at_once_register_exactly_that_many(uses_left, people):
    invitation = InvitationFactory(max_uses=10)
    Invitation.objects.filter(pk=invitation.pk).update(uses=10 - uses_left)

    statuses, errors = all_at_once(
        [poster(invitation.event, number, invitation.code) for number in range(people)]
    )

    assert errors == []
    assert sorted(statuses) == [200] * (people - uses_left) + [302] * uses_left
    invitation.refresh_from_db()
    assert invitation.uses == 10
    assert Delegate.objects.count() == uses_left
    assert InvitationUse.objects.filter(invitation=invitation).count() == uses_left


def test_the_database_refuses_more_uses_than_allowed():

    invitation = InvitationFactory(max_uses=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(uses=2)


# The invitation page and "can't come" -------------------------------------------------


def test_the_invitation_page_greets_the_invitee_and_links_to_the_form(client):
    personal = PersonalInvitationFactory(name="Ann Smith")

    response = client.get(
        reverse("registration:invitation", args=[personal.event.slug, personal.invitation.code])
    )

    html = response.content.decode()
    assert "Ann Smith, you are invited" in html
    assert f"?invitation={personal.invitation.code}" in html
    assert "I can&#x27;t come" in html or "I can't come" in html


def test_an_unknown_invitation_page_is_a_404_that_says_so(client):
    event = EventFactory()
    response = client.get(reverse("registration:invitation", args=[event.slug, "NOPE"]))
    assert response.status_code == 404
    assert "Invitation not found" in response.content.decode()


def test_the_decline_link_declines(client):
    personal = PersonalInvitationFactory()
    url = reverse(
        "registration:invitation-decline", args=[personal.event.slug, personal.invitation.code]
    )

    assert client.get(url).status_code == 200
    personal.refresh_from_db()
    assert personal.status == InvitationStatus.INVITED  # A GET changes nothing.
    response = client.post(url)

    assert "Thank you for letting us know" in response.content.decode()
    personal.refresh_from_db()
    assert personal.status == InvitationStatus.DECLINED
    assert personal.answered_at is not None


def test_someone_registered_cannot_decline():
    personal = PersonalInvitationFactory(status=InvitationStatus.REGISTERED)
    assert invitations.decline(personal=personal) is False
    personal.refresh_from_db()
    assert personal.status == InvitationStatus.REGISTERED


def test_a_personal_invitation_fills_in_the_name_and_email(client):
    personal = PersonalInvitationFactory(name="Ann Smith", email="ann@example.org")

    response = client.get(register_url(personal.event, personal.invitation.code))

    form = response.context["form"]
    assert (form.initial["first_name"], form.initial["last_name"]) == ("Ann", "Smith")
    assert form.initial["email"] == "ann@example.org"


def test_a_personal_code_registers_once(client):
    personal = PersonalInvitationFactory()
    code = personal.invitation.code
    client.post(register_url(personal.event), details(1, invitation=code))

    response = client.post(register_url(personal.event), details(2, invitation=code))

    assert response.context["form"].errors["invitation"] == [invitations.USED_UP]
    personal.refresh_from_db()
    assert personal.status == InvitationStatus.REGISTERED
    assert personal.delegate.email == "invited1@example.org"


# Sending through the mailings app, answering, reminding -------------------------------


def links(message):
    """The links of the email's plain text, by what they lead to."""
    found = re.findall(r"https?://\S+", message.body)
    return {
        "invitation": next(url for url in found if not url.rstrip("/").endswith("decline")),
        "decline": next(url for url in found if url.rstrip("/").endswith("decline")),
    }


def path_of(url):

    return urlsplit(url).path


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_invitation_email_is_built_on_the_task_queue_and_its_link_registers(mailoutbox):

    organisation = OrganisationFactory(name="Swale Borough Council", sector=Sector.COUNCIL)
    personal = PersonalInvitationFactory(name="Ann Smith", email="ann@example.org")
    Invitation.objects.filter(pk=personal.invitation_id).update(organisation=organisation)

    run = invitation_emails.start_run(event=personal.event, kind=InvitationEmailKind.INVITATION)
    assert mailoutbox == []  # Built by the worker, not by whoever asked.
    run_background_jobs()

    (message,) = mailoutbox
    assert message.to == ["ann@example.org"]
    assert message.subject == f"You are invited to {personal.event.name}"
    html = message.alternatives[0][0]
    assert f"/invitation/{personal.invitation.code}/" in html
    client = Client()
    page = client.get(path_of(links(message)["invitation"]))
    assert page.status_code == 200
    register = re.search(r'href="([^"]*\?invitation=[^"]+)"', page.content.decode()).group(1)
    form = client.get(register.replace("&amp;", "&"))
    assert form.context["form"].initial["email"] == "ann@example.org"
    response = client.post(
        register, details(email="ann@example.org", invitation=personal.invitation.code)
    )

    assert response.status_code == 302
    personal.refresh_from_db()
    assert personal.status == InvitationStatus.REGISTERED
    assert personal.delegate.organisation == "Swale Borough Council"
    assert personal.sent_at is not None
    run.refresh_from_db()
    assert (run.total, run.queued) == (1, 1)
    assert run.finished_at is not None


def test_the_decline_link_in_the_email_declines(mailoutbox):

    personal = PersonalInvitationFactory()
    run = invitation_emails.start_run(event=personal.event, kind=InvitationEmailKind.INVITATION)
    invitation_emails.send_run(run_pk=run.pk)
    (message,) = mailoutbox

    client = Client()
    url = path_of(links(message)["decline"])
    assert client.get(url).status_code == 200
    client.post(url)

    personal.refresh_from_db()
    assert personal.status == InvitationStatus.DECLINED


def test_invitations_are_sent_once_and_reminders_go_only_to_those_who_have_not_answered(
    mailoutbox,
):

    event = EventFactory()
    waiting, registered, declined = PersonalInvitationFactory.create_batch(3, event=event)
    PersonalInvitationFactory()  # Another event's.
    send = invitation_emails.start_run(event=event, kind=InvitationEmailKind.INVITATION)
    invitation_emails.send_run(run_pk=send.pk)
    assert len(mailoutbox) == 3
    assert invitation_emails.start_run(event=event, kind=InvitationEmailKind.INVITATION) is None
    PersonalInvitation.objects.filter(pk=registered.pk).update(status=InvitationStatus.REGISTERED)
    invitations.decline(personal=declined)
    mailoutbox.clear()

    reminder = invitation_emails.start_run(event=event, kind=InvitationEmailKind.REMINDER)
    invitation_emails.send_run(run_pk=reminder.pk)
    invitation_emails.send_run(run_pk=reminder.pk)  # A retried task sends nothing again.

    assert [message.to for message in mailoutbox] == [[waiting.email]]
    assert mailoutbox[0].subject.startswith("Reminder: you are invited")
    waiting.refresh_from_db()
    assert (waiting.reminders, waiting.reminded_at is not None) == (1, True)
    assert PersonalInvitation.objects.filter(reminders__gt=0).count() == 1

    mailoutbox.clear()
    second = invitation_emails.start_run(event=event, kind=InvitationEmailKind.REMINDER)
    invitation_emails.send_run(run_pk=second.pk)
    assert len(mailoutbox) == 1  # A second run reminds again, once.
    waiting.refresh_from_db()
    assert waiting.reminders == 2


def test_a_reminder_to_someone_who_answers_after_the_run_started_is_skipped(mailoutbox):

    personal = PersonalInvitationFactory(sent_at=timezone.now())
    run = invitation_emails.start_run(event=personal.event, kind=InvitationEmailKind.REMINDER)
    invitations.decline(personal=personal)

    invitation_emails.send_run(run_pk=run.pk)

    assert mailoutbox == []
    assert InvitationCopy.objects.get(run=run).status == InvitationCopyStatus.SKIPPED


def test_counts_per_status():

    event = EventFactory()
    PersonalInvitationFactory(event=event)
    PersonalInvitationFactory(event=event, sent_at=timezone.now())
    PersonalInvitationFactory(event=event, sent_at=timezone.now(), status="registered")
    PersonalInvitationFactory(event=event, sent_at=timezone.now(), status="declined")

    assert invitation_emails.status_counts(event=event) == {
        "not_sent": 1,
        "invited": 1,
        "registered": 1,
        "declined": 1,
        "cancelled": 0,
    }


def test_purging_the_events_personal_data_forgets_the_invitees_but_keeps_the_counts():
    from registration import privacy

    event = EventFactory(starts_on=timezone.localdate() - dt.timedelta(days=400))
    PersonalInvitationFactory(event=event, name="Ann Smith", status="declined")
    DelegateFactory(event=event)
    kept = PersonalInvitationFactory(name="Bob Jones")

    privacy.purge_event(event=event)

    (purged,) = PersonalInvitation.objects.filter(event=event)
    assert (purged.name, purged.status) == ("", "declined")
    assert purged.email.endswith("@anonymised.invalid")
    kept.refresh_from_db()
    assert kept.name == "Bob Jones"
