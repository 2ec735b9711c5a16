"""A delegate added by an organiser in the admin: no invented privacy consent, how
and by whom recorded, breakouts chosen on the same page through the breakout rules, and
the confirmation with the manage link emailed unless the organiser says not to."""

import email
import re
import threading
from email import policy
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from symposium.enums import RegistrationSource, RegistrationStatus
from symposium.models import Delegate, OutboxEmail
from tests.admin_forms import change_form_data, field_errors
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    EventFactory,
    event_day_at,
)
from tests.helpers import admin_url, staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
ADDED = {
    "first_name": "Ada",
    "last_name": "Added",
    "email": "ada.added@example.org",
    "organisation": "Medway Council",
    "sector": "council",
    "job_title": "Housing officer",
}


@pytest.fixture
def event():
    return EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")


@pytest.fixture
def sessions(event):
    """Two rounds: in the morning one session with one place left and one full, in the
    afternoon one with room."""
    morning = BreakoutRoundFactory(event=event, title="Morning breakouts")
    afternoon = BreakoutRoundFactory(
        event=event,
        title="Afternoon breakouts",
        starts_at=event_day_at(event, 15, 30),
        ends_at=event_day_at(event, 16, 30),
    )
    last_place = BreakoutSessionFactory(
        theme__event=event, theme__title="Housing", agenda_item=morning, capacity=2
    )
    full = BreakoutSessionFactory(
        theme__event=event, theme__title="Crisis care", agenda_item=morning, capacity=1
    )
    roomy = BreakoutSessionFactory(
        theme__event=event, theme__title="Prevention", agenda_item=afternoon, capacity=20
    )
    BreakoutChoiceFactory(session=last_place)
    BreakoutChoiceFactory(session=full)
    return {"last_place": last_place, "full": full, "roomy": roomy}


def add(client, post, event, **data):
    url = admin_url(Delegate, "add")
    form = change_form_data(client.get(f"{url}?event={event.pk}"))
    return post(url, form | {"event": event.pk} | ADDED | data)


def parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def test_the_add_page_asks_for_no_consent_time_and_offers_breakouts_and_the_opt_out(
    organiser_client, event, sessions
):
    response = organiser_client.get(f"{admin_url(Delegate, 'add')}?event={event.pk}")

    page = response.content.decode()
    assert "privacy_consent_at" not in page
    assert 'name="dont_email"' in page
    assert "Don&#x27;t email them" in page or "Don't email them" in page
    offered = set(response.context["adminform"].form.fields["breakout_sessions"].queryset)
    assert offered == set(sessions.values())
    assert "Crisis care, 1 of 1 places taken (full: they would join its waitlist)" in page


def test_an_added_delegate_is_recorded_as_added_by_the_organiser_and_emailed(
    organiser_client, organiser, post, event
):
    response = add(organiser_client, post, event)

    delegate = Delegate.objects.get(email=ADDED["email"])
    assert response.status_code == 302
    assert delegate.privacy_consent_at is None
    assert (delegate.source, delegate.added_by) == (RegistrationSource.ADMIN, organiser)
    assert delegate.status == RegistrationStatus.CONFIRMED
    told = organiser_client.get(response.url).content.decode()
    assert (
        "Ada Added has a place. Their confirmation and personal link were emailed to "
        f"{ADDED['email']}." in told
    )
    page = organiser_client.get(admin_url(Delegate, "change", delegate.pk)).content.decode()
    assert "Added by an organiser in the admin" in page
    assert organiser.username in page

    [message] = mail.outbox
    sent = parsed(message)
    assert sent["To"] == ADDED["email"]
    assert sent["Subject"] == "Your place at Kent and Medway ICS symposium is confirmed"
    text = sent.get_body(preferencelist=("plain",)).get_content()
    assert "The organisers of Kent and Medway ICS symposium have registered you." in text
    assert "Thank you for registering" not in text
    [link] = re.findall(r"https?://\S+/events/kent-medway/manage/\S+/", text)
    # The link opens this registration, for someone with no session at all.
    manage = Client().get(urlsplit(link).path)
    assert manage.status_code == 200
    assert ADDED["email"] in manage.content.decode()


def test_dont_email_them_sends_nothing(organiser_client, post, event):
    response = add(organiser_client, post, event, dont_email="on")

    assert response.status_code == 302
    delegate = Delegate.objects.get(email=ADDED["email"])
    assert mail.outbox == []
    assert not OutboxEmail.objects.filter(delegate=delegate).exists()
    page = organiser_client.get(response.url).content.decode()
    assert "They were not emailed, as you chose." in page


def test_breakouts_chosen_in_the_admin_follow_the_breakout_rules(
    organiser_client, post, event, sessions
):
    add(
        organiser_client,
        post,
        event,
        breakout_sessions=[sessions["full"].pk, sessions["roomy"].pk],
    )

    delegate = Delegate.objects.get(email=ADDED["email"])
    choices = {
        choice.session_id: choice.status
        for choice in BreakoutChoice.objects.filter(delegate=delegate)
    }
    # The full session: its waitlist, after those already on it; the other: a place.
    assert choices == {
        sessions["full"].pk: ChoiceStatus.WAITLISTED,
        sessions["roomy"].pk: ChoiceStatus.CONFIRMED,
    }
    text = mail.outbox[0].body
    assert "Crisis care" in text
    assert "Prevention" in text


def test_two_breakouts_in_one_round_are_refused_by_the_field(
    organiser_client, post, event, sessions
):
    response = add(
        organiser_client,
        post,
        event,
        breakout_sessions=[sessions["full"].pk, sessions["last_place"].pk],
    )

    assert response.status_code == 200
    assert field_errors(response, "breakout_sessions") == [
        "Choose at most one breakout in each round."
    ]
    assert not Delegate.objects.filter(email=ADDED["email"]).exists()
    assert mail.outbox == []


def test_a_full_event_puts_the_added_delegate_on_its_waitlist(organiser_client, post, event):
    event.delegate_capacity = 0
    event.save(update_fields=["delegate_capacity"])

    add(organiser_client, post, event)

    assert Delegate.objects.get(email=ADDED["email"]).status == RegistrationStatus.WAITLISTED
    assert mail.outbox[0].subject == "You are on the waitlist for Kent and Medway ICS symposium"


def test_an_address_already_registered_is_refused_by_the_field(organiser_client, post, event):
    add(organiser_client, post, event)
    mail.outbox.clear()

    response = add(organiser_client, post, event, email=ADDED["email"].upper())

    assert field_errors(response, "email") == [
        "This email address is already registered for the event."
    ]
    assert mail.outbox == []


def test_the_public_site_still_records_consent(client, post, event):
    post(
        f"/events/{event.slug}/register/",
        ADDED | {"privacy_consent": "on"},
    )

    delegate = Delegate.objects.get(email=ADDED["email"])
    assert delegate.privacy_consent_at is not None
    assert (delegate.source, delegate.added_by) == (RegistrationSource.PUBLIC, None)


@pytest.mark.django_db(transaction=True)
def test_two_organisers_adding_into_the_last_place_at_once_give_it_once(sessions):
    """Both ask for the session with one place left, at the same moment: one place,
    one waitlist entry, never three taken of two."""
    # Not the Organisers group: it comes from a data migration, which a transactional
    # test's flush removes. The rights are the organiser's.
    organiser = staff_user("add_delegate", "view_delegate", "change_delegate", "view_event")
    session = sessions["last_place"]
    event = session.theme.event
    barrier = threading.Barrier(2)
    statuses = []

    def organiser_adds(number):
        try:
            client = Client(enforce_csrf_checks=False)
            client.force_login(organiser)
            url = admin_url(Delegate, "add")
            form = change_form_data(client.get(f"{url}?event={event.pk}"))
            barrier.wait(timeout=10)
            client.post(
                url,
                form
                | {"event": event.pk}
                | ADDED
                | {"email": f"added{number}@example.org", "breakout_sessions": [session.pk]},
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=organiser_adds, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(
        BreakoutChoice.objects.filter(
            session=session, delegate__email__startswith="added"
        ).values_list("status", flat=True)
    )
    assert statuses == [ChoiceStatus.CONFIRMED, ChoiceStatus.WAITLISTED]
    assert (
        BreakoutChoice.objects.filter(session=session, status=ChoiceStatus.CONFIRMED).count() == 2
    )
