import datetime as dt
import time

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from symposium import tokens
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, DelegateNeeds, new_access_key
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    ThemeFactory,
)
from tests.helpers import delegate_details as details
from tests.helpers import manage_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")


@pytest.fixture
def delegate(event):
    return DelegateFactory(
        event=event, first_name="Sam", last_name="Okafor", email="sam.okafor@medway.gov.uk"
    )


def assert_refused(response):
    assert response.status_code == 404
    body = response.content.decode()
    assert "This link does not work" in body
    assert "Sam Okafor" not in body
    assert "sam.okafor" not in body


def test_manage_page_shows_only_its_own_registration(client, event, delegate):
    DelegateFactory(event=event, first_name="Other", last_name="Person", email="other@example.org")

    response = client.get(manage_url(delegate))

    assert response.status_code == 200
    assert response.context["event"] == event
    assert response.context["delegate"] == delegate
    body = response.content.decode()
    assert "Your place at Kent and Medway ICS symposium is confirmed." in body
    assert 'value="Okafor"' in body
    assert "Other Person" not in body
    assert "other@example.org" not in body


def test_manage_token_tampered_is_refused(client, delegate):
    token = tokens.make_manage_token(delegate)

    assert_refused(client.get(manage_url(delegate, token=token[:-2] + "xx")))
    assert_refused(client.get(manage_url(delegate, token="not-a-token")))


def test_manage_token_with_another_delegates_id_is_refused(client, event, delegate):
    other = DelegateFactory(event=event)
    forged = signing.TimestampSigner(salt=tokens.SALT).sign_object(
        {"d": other.pk, "k": delegate.access_key}
    )

    assert_refused(client.get(manage_url(delegate, token=forged)))


def test_manage_token_signed_for_another_purpose_is_refused(client, delegate):
    other_salt = signing.TimestampSigner(salt="something.else").sign_object(
        tokens.token_payload(delegate)
    )

    assert_refused(client.get(manage_url(delegate, token=other_salt)))


def test_manage_token_for_another_event_is_refused(client, delegate):
    other_event = EventFactory()
    url = reverse(
        "registration:manage",
        kwargs={"event_slug": other_event.slug, "token": tokens.make_manage_token(delegate)},
    )

    assert_refused(client.get(url))


def test_after_the_event_the_link_cancels_nothing(client):
    ended = timezone.localdate() - dt.timedelta(days=1)
    event = EventFactory(
        starts_on=ended,
        ends_on=ended,
        registration_opens_at=timezone.now() - dt.timedelta(days=30),
        registration_closes_at=timezone.now() - dt.timedelta(days=2),
    )
    delegate = DelegateFactory(event=event, first_name="Sam", last_name="Okafor")
    token = tokens.make_manage_token(delegate)

    # The page itself says the event is over (tests/registration/test_manage_after_event.py).
    for name in ("cancel", "delegate-ics"):
        url = reverse(f"registration:{name}", kwargs={"event_slug": event.slug, "token": token})
        assert_refused(client.get(url))


def test_manage_token_works_on_the_last_day_of_the_event(client):
    event = EventFactory(starts_on=timezone.localdate(), ends_on=timezone.localdate())
    delegate = DelegateFactory(event=event)

    assert client.get(manage_url(delegate)).status_code == 200


def test_manage_token_older_than_max_age_is_refused(client, delegate, settings):
    class HourAgoSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 3600)

    old = HourAgoSigner(salt=tokens.SALT).sign_object(tokens.token_payload(delegate))
    settings.MANAGE_LINK_MAX_AGE = 60

    assert_refused(client.get(manage_url(delegate, token=old)))
    assert client.get(manage_url(delegate)).status_code == 200


def test_manage_token_revoked_by_rotating_access_key(client, delegate):
    url = manage_url(delegate)
    delegate.access_key = new_access_key()
    delegate.save()

    assert_refused(client.get(url))
    assert client.get(manage_url(delegate)).status_code == 200


def test_manage_token_does_not_open_cancel_or_calendar_of_others(client, event, delegate):
    other = DelegateFactory(event=event)
    forged = signing.TimestampSigner(salt=tokens.SALT).sign_object(
        {"d": other.pk, "k": delegate.access_key}
    )

    assert_refused(client.get(manage_url(delegate, "registration:cancel", token=forged)))
    assert_refused(client.get(manage_url(delegate, "registration:delegate-ics", token=forged)))
    assert Delegate.objects.get(pk=other.pk).status == RegistrationStatus.CONFIRMED


def test_manage_post_changes_details_and_emails_summary(post, client, delegate, mailoutbox):
    url = manage_url(delegate)

    response = post(url, details(delegate, organisation="Medway Council", job_title="Lead"))

    assert response.status_code == 302
    assert response["Location"] == url
    delegate.refresh_from_db()
    assert (delegate.organisation, delegate.job_title) == ("Medway Council", "Lead")
    [message] = mailoutbox
    assert message.subject == "Your registration for Kent and Medway ICS symposium has been updated"
    assert "Organisation: Medway Council" in message.body
    assert "Your changes are saved" in client.get(url).content.decode()


def test_manage_post_unchanged_sends_nothing(post, delegate, mailoutbox):
    post(manage_url(delegate), details(delegate))

    assert mailoutbox == []


def test_manage_email_of_another_registration_is_refused(client, event, delegate):
    DelegateFactory(event=event, email="taken@example.org")

    response = client.post(manage_url(delegate), details(delegate, email="TAKEN@example.org"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["This email address is already registered for the event."]
    }
    delegate.refresh_from_db()
    assert delegate.email == "sam.okafor@medway.gov.uk"


def test_manage_withdrawing_needs_consent_deletes_needs(post, delegate):
    DelegateNeedsFactory(delegate=delegate)

    post(manage_url(delegate), details(delegate))

    assert not DelegateNeeds.objects.exists()


def test_manage_form_shows_stored_needs(client, delegate):
    DelegateNeedsFactory(delegate=delegate, access_needs="Hearing loop please")

    form = client.get(manage_url(delegate)).context["form"]

    assert form.initial["needs_consent"] is True
    assert form.initial["access_needs"] == "Hearing loop please"


def test_manage_moving_session_frees_place_for_first_waitlisted(post, event, delegate, mailoutbox):
    round_ = BreakoutRoundFactory(event=event)
    full = BreakoutSessionFactory(theme=ThemeFactory(event=event), agenda_item=round_, capacity=1)
    other = BreakoutSessionFactory(theme=ThemeFactory(event=event), agenda_item=round_)
    BreakoutChoiceFactory(delegate=delegate, session=full, status=ChoiceStatus.CONFIRMED)
    first = BreakoutChoiceFactory(session=full, status=ChoiceStatus.WAITLISTED)
    second = BreakoutChoiceFactory(session=full, status=ChoiceStatus.WAITLISTED)

    post(manage_url(delegate), details(delegate, **{f"round_{round_.pk}": str(other.pk)}))

    assert delegate.breakout_choices.get().session == other
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ChoiceStatus.CONFIRMED, ChoiceStatus.WAITLISTED)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [delegate.email, first.delegate.email]
    )
    [promotion] = [message for message in mailoutbox if message.to == [first.delegate.email]]
    assert promotion.subject == (
        "You now have a place in your breakout at Kent and Medway ICS symposium"
    )


def test_cancel_page_asks_for_confirmation(client, delegate):
    response = client.get(manage_url(delegate, "registration:cancel"))

    assert response.status_code == 200
    assert "Yes, cancel my registration" in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.status == RegistrationStatus.CONFIRMED


def test_cancel_frees_places_and_promotes_and_emails(post, client, event, delegate, mailoutbox):
    event.delegate_capacity = 2
    event.save()
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event), capacity=1)
    BreakoutChoiceFactory(delegate=delegate, session=session, status=ChoiceStatus.CONFIRMED)
    queued = BreakoutChoiceFactory(session=session, status=ChoiceStatus.WAITLISTED)
    waiting = DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED)

    response = post(manage_url(delegate, "registration:cancel"))

    assert response.status_code == 302
    assert response["Location"] == manage_url(delegate)
    delegate.refresh_from_db()
    assert delegate.status == RegistrationStatus.CANCELLED
    assert delegate.cancelled_at is not None
    assert not BreakoutChoice.objects.filter(delegate=delegate).exists()
    queued.refresh_from_db()
    assert queued.status == ChoiceStatus.CONFIRMED
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    subjects = {message.to[0]: message.subject for message in mailoutbox}
    assert subjects == {
        delegate.email: "Your registration for Kent and Medway ICS symposium is cancelled",
        queued.delegate.email: (
            "You now have a place in your breakout at Kent and Medway ICS symposium"
        ),
        waiting.email: (
            "A place has come up: you are now confirmed for Kent and Medway ICS symposium"
        ),
    }
    page = client.get(manage_url(delegate)).content.decode()
    assert "This registration was cancelled on" in page
    assert 'name="last_name"' not in page


def test_cancelled_registration_cannot_be_cancelled_or_changed_again(post, client, delegate):
    post(manage_url(delegate, "registration:cancel"))

    assert_refused(client.get(manage_url(delegate, "registration:cancel")))
    post(manage_url(delegate), details(delegate, last_name="Changed"))
    delegate.refresh_from_db()
    assert delegate.full_name == "Sam Okafor"


def test_delegate_calendar_download(client, event, delegate):
    session = BreakoutSessionFactory(theme=ThemeFactory(event=event, title="Housing and health"))
    BreakoutChoiceFactory(delegate=delegate, session=session)

    response = client.get(manage_url(delegate, "registration:delegate-ics"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kent-medway.ics"'
    assert b"Housing and health (Confirmed)" in response.content


def test_resend_link_same_answer_whether_or_not_registered(
    post, client, event, delegate, mailoutbox
):
    url = reverse("registration:resend-link", kwargs={"event_slug": event.slug})
    sent_url = reverse("registration:resend-link-sent", kwargs={"event_slug": event.slug})

    known = post(url, {"email": "SAM.okafor@medway.gov.uk"})
    unknown = post(url, {"email": "nobody@example.org"})

    assert (known.status_code, known["Location"]) == (302, sent_url)
    assert (unknown.status_code, unknown["Location"]) == (302, sent_url)
    [message] = mailoutbox
    assert message.to == ["sam.okafor@medway.gov.uk"]
    assert manage_url(delegate) in message.body
    assert "If that address is registered" in client.get(sent_url).content.decode()


def test_resend_link_page_shows_form_errors(client, event):
    url = reverse("registration:resend-link", kwargs={"event_slug": event.slug})

    response = client.post(url, {"email": "not an email"})

    assert response.status_code == 200
    message = "Enter an email address in the correct format, like name@example.com"
    assert f'<a href="#id_email">{message}</a>' in response.content.decode()
