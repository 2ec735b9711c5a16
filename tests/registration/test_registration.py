import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from symposium.enums import DietaryRequirement, RegistrationStatus
from symposium.models import Delegate, DelegateNeeds
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    EventFactory,
    ThemeFactory,
    event_day_at,
)

pytestmark = pytest.mark.django_db


def make_round(event, *capacities, hour=14):
    round_ = BreakoutRoundFactory(
        event=event, title=f"Breakout round at {hour}", starts_at=event_day_at(event, hour)
    )
    return [
        BreakoutSessionFactory(
            theme=ThemeFactory(event=event, title=f"Theme {hour}-{index}"),
            agenda_item=round_,
            capacity=capacity,
        )
        for index, capacity in enumerate(capacities)
    ]


def register_url(event):
    return reverse("registration:register", kwargs={"event_slug": event.slug})


def form_data(**overrides):
    data = {
        "first_name": "Priya",
        "last_name": "O'Neill",
        "email": "priya.oneill@nhs.net",
        "organisation": "Kent and Medway ICB",
        "sector": "nhs",
        "job_title": "Head of Partnerships",
        "privacy_consent": "on",
    }
    return {key: value for key, value in (data | overrides).items() if value is not None}


@pytest.fixture
def event():
    return EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")


def test_register_page_lists_each_round_with_places(client, event):
    first = make_round(event, 20, 3, hour=11)
    second = make_round(event, 1, hour=14)
    BreakoutChoiceFactory(session=second[0])

    response = client.get(register_url(event))

    assert response.status_code == 200
    assert response.context["event"] == event
    body = response.content.decode()
    assert body.count("No breakout") == 2
    assert f'value="{first[0].pk}"' in body
    assert "Theme 11-0 – Places available" in body
    assert "Theme 11-1 – Few places left" in body
    assert "Theme 14-0 – Full — join the waitlist" in body
    assert "novalidate" in body
    assert reverse("symposium:privacy", args=[event.slug]) in body
    assert "The event is full" not in body


def test_register_creates_delegate_choices_and_emails_confirmation(
    post, client, event, mailoutbox, settings
):
    settings.SITE_URL = "https://symposium.example.org"
    sessions = make_round(event, 20, 20)
    field = f"round_{sessions[1].agenda_item_id}"

    response = post(register_url(event), form_data(**{field: str(sessions[1].pk)}))

    done_url = reverse("registration:register-done", kwargs={"event_slug": event.slug})
    assert response.status_code == 302
    assert response["Location"] == done_url
    delegate = Delegate.objects.get()
    assert (delegate.full_name, delegate.email, delegate.organisation) == (
        "Priya O'Neill",
        "priya.oneill@nhs.net",
        "Kent and Medway ICB",
    )
    assert (delegate.sector, delegate.job_title) == ("nhs", "Head of Partnerships")
    assert delegate.status == RegistrationStatus.CONFIRMED
    assert delegate.privacy_consent_at is not None
    assert not DelegateNeeds.objects.exists()
    assert list(BreakoutChoice.objects.values_list("delegate", "session", "status")) == [
        (delegate.pk, sessions[1].pk, ChoiceStatus.CONFIRMED)
    ]
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["priya.oneill@nhs.net"]
    assert message.subject == "Your place at Kent and Medway ICS symposium is confirmed"
    assert message.reply_to == ["events@example.org"]
    assert "Dear Priya O'Neill," in message.body
    assert "Theme 14-1" in message.body
    assert "place confirmed" in message.body
    manage_link = "https://symposium.example.org/events/kent-medway/manage/"
    assert manage_link in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert manage_link in html
    assert "Priya O&#x27;Neill" in html
    [(filename, ics, ics_type)] = message.attachments
    assert (filename, ics_type) == ("kent-medway.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in ics
    assert "Theme 14-1 (Confirmed)" in ics

    done = client.get(done_url)
    assert done.status_code == 200
    assert "You are registered" in done.content.decode()
    assert "Theme 14-1" in done.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "Enter your first name"),
        ("last_name", "", "Enter your last name"),
        (
            "email",
            "priya-at-nhs",
            "Enter an email address in the correct format, like name@example.com",
        ),
        ("organisation", "", "Enter your organisation"),
        ("sector", "", "Choose your sector"),
        (
            "last_name",
            "Eve\r\nBcc: x@example.org",
            "Last name must be on one line, without line breaks or special characters",
        ),
        ("organisation", "x" * 201, "Organisation must be 200 characters or fewer"),
        ("privacy_consent", None, "Agree to the privacy notice to register"),
    ],
)
def test_register_error_shown_beside_field_and_in_summary(client, event, field, value, message):
    response = client.post(register_url(event), form_data(**{field: value}))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "There is a problem" in body
    assert f'<a href="#id_{field}">{message}</a>' in body
    assert f'id="error_1_id_{field}"' in body
    assert response.context["form"].errors == {field: [message]}
    assert not Delegate.objects.exists()
    typed = form_data(**{field: value})
    for name in ("first_name", "last_name", "email", "organisation", "job_title"):
        if typed.get(name):
            assert f'name="{name}" value="{escape(typed[name])}"' in body


def test_register_error_keeps_typed_needs_and_breakout(client, event):
    [session] = make_round(event, 20)
    field = f"round_{session.agenda_item_id}"
    data = form_data(
        last_name="",
        needs_consent="on",
        dietary_requirement="vegan",
        access_needs="A hearing loop",
        **{field: str(session.pk)},
    )

    response = client.post(register_url(event), data)

    body = " ".join(response.content.decode().split())
    assert '<option value="vegan" selected>' in body
    assert "A hearing loop</textarea>" in body
    assert f'value="{session.pk}" id="id_{field}_1" checked>' in body
    assert 'id="id_needs_consent" checked>' in body


def test_register_radio_error_links_to_first_option(client, event):
    [session] = make_round(event, 20)
    field = f"round_{session.agenda_item_id}"

    response = client.post(register_url(event), form_data(**{field: "999999"}))

    assert f'<a href="#id_{field}_0">' in response.content.decode()
    assert not Delegate.objects.exists()


def test_register_refused_before_registration_opens(client):
    event = EventFactory(
        registration_opens_at=timezone.now() + dt.timedelta(days=2),
        registration_closes_at=timezone.now() + dt.timedelta(days=10),
    )

    response = client.get(register_url(event))
    posted = client.post(register_url(event), form_data())

    assert response.status_code == 200
    assert "Registration is not open yet" in response.content.decode()
    assert "form" not in response.context
    assert 'name="last_name"' not in response.content.decode()
    assert "Registration is not open yet" in posted.content.decode()
    assert not Delegate.objects.exists()


def test_register_refused_after_registration_closes(client):
    event = EventFactory(
        registration_opens_at=timezone.now() - dt.timedelta(days=10),
        registration_closes_at=timezone.now() - dt.timedelta(minutes=1),
    )

    response = client.get(register_url(event))
    posted = client.post(register_url(event), form_data())

    assert "Registration has closed" in response.content.decode()
    assert 'name="last_name"' not in response.content.decode()
    assert "Registration has closed" in posted.content.decode()
    assert not Delegate.objects.exists()


def test_register_unpublished_event_is_not_found(client):
    event = EventFactory(is_published=False)

    assert client.get(register_url(event)).status_code == 404


def test_register_full_event_offers_waitlist_and_waitlists(post, client, event, mailoutbox):
    event.delegate_capacity = 1
    event.save()
    DelegateFactory(event=event)
    [session] = make_round(event, 20)

    page = client.get(register_url(event))
    response = post(
        register_url(event),
        form_data(**{f"round_{session.agenda_item_id}": str(session.pk)}),
    )

    assert "The event is full" in page.content.decode()
    assert response.status_code == 302
    delegate = Delegate.objects.get(email="priya.oneill@nhs.net")
    assert delegate.status == RegistrationStatus.WAITLISTED
    # Held, not placed: someone on the event's waitlist takes no breakout place.
    assert delegate.breakout_choices.get().status == ChoiceStatus.WAITLISTED
    [message] = mailoutbox
    assert message.subject == "You are on the waitlist for Kent and Medway ICS symposium"
    assert message.attachments == []
    done = client.get(response["Location"])
    assert "You are on the waitlist" in done.content.decode()


def test_register_same_email_again_resends_link_only(post, client, event, mailoutbox):
    first = DelegateFactory(
        event=event, email="Priya.ONeill@nhs.net", first_name="Priya", last_name="First"
    )

    response = post(register_url(event), form_data(email="priya.oneill@NHS.net"))

    assert response.status_code == 302
    assert Delegate.objects.count() == 1
    first.refresh_from_db()
    assert first.full_name == "Priya First"
    [message] = mailoutbox
    assert message.to == ["Priya.ONeill@nhs.net"]
    assert message.subject == (
        "Your link to manage your registration for Kent and Medway ICS symposium"
    )
    assert "/events/kent-medway/manage/" in message.body
    page = client.get(response["Location"]).content.decode()
    assert "Check your email" in page
    assert "Priya First" not in page


def test_register_after_cancelling_replaces_the_cancelled_registration(post, event):
    old = DelegateFactory(
        event=event,
        email="priya.oneill@nhs.net",
        status=RegistrationStatus.CANCELLED,
        cancelled_at=timezone.now(),
    )
    old_key = old.access_key

    post(register_url(event), form_data())

    delegate = Delegate.objects.get()
    assert delegate.pk == old.pk
    assert delegate.status == RegistrationStatus.CONFIRMED
    assert delegate.cancelled_at is None
    assert delegate.full_name == "Priya O'Neill"
    assert delegate.access_key != old_key


def test_register_needs_typed_without_consent_are_refused(client, event):
    data = form_data(dietary_requirement="halal", access_needs="Wheelchair user")

    response = client.post(register_url(event), data)

    assert response.context["form"].errors == {
        "needs_consent": [
            "Tick this box if you want us to store the dietary or access needs you "
            "entered, or clear those fields"
        ]
    }
    assert not Delegate.objects.exists()
    assert not DelegateNeeds.objects.exists()


def test_register_without_needs_consent_stores_no_needs(post, event):
    response = post(register_url(event), form_data(dietary_requirement="none"))

    assert response.status_code == 302
    assert Delegate.objects.count() == 1
    assert not DelegateNeeds.objects.exists()


def test_register_with_needs_consent_stores_needs(post, event):
    data = form_data(
        needs_consent="on",
        dietary_requirement="other",
        dietary_details="No mushrooms",
        access_needs="Step-free access",
    )

    response = post(register_url(event), data)

    assert response.status_code == 302
    needs = DelegateNeeds.objects.get()
    assert needs.delegate == Delegate.objects.get()
    assert (needs.dietary_requirement, needs.dietary_details, needs.access_needs) == (
        DietaryRequirement.OTHER,
        "No mushrooms",
        "Step-free access",
    )
    assert needs.consented_at is not None


def test_register_other_diet_needs_details(client, event):
    data = form_data(needs_consent="on", dietary_requirement="other")

    response = client.post(register_url(event), data)

    assert response.context["form"].errors == {
        "dietary_details": ["Describe your dietary requirement"]
    }


def test_register_done_without_registering_goes_to_form(client, event):
    response = client.get(reverse("registration:register-done", args=[event.slug]))

    assert response.status_code == 302
    assert response["Location"] == register_url(event)


def test_register_page_query_count_is_fixed(
    client, event, django_assert_num_queries, django_capture_on_commit_callbacks
):
    make_round(event, 20, hour=11)
    # What was saved so far counts as committed before the first visit: the pages kept
    # from now on are out of date when the organiser's changes below commit.
    connection.run_on_commit.clear()
    # The event, the sessions with their places, the event's questions (none), whether
    # the event is full.
    with django_assert_num_queries(4):
        client.get(register_url(event))

    with django_capture_on_commit_callbacks(execute=True):
        make_round(event, 20, 10, 5, hour=14)
        make_round(event, 20, 30, hour=16)
        BreakoutChoiceFactory.create_batch(3, session=event.themes.last().sessions.get())
    with django_assert_num_queries(4):
        response = client.get(register_url(event))
    assert response.content.decode().count("No breakout") == 3
    # Then the blank form comes from the cache: no query, the visitor's own token.
    with django_assert_num_queries(0):
        cached = client.get(register_url(event))
    assert cached.content.decode().count("No breakout") == 3
    assert cached.content.decode().count('name="csrfmiddlewaretoken"') == 1


def test_breakout_round_labels_give_the_local_time_in_summer(client):
    event = EventFactory(starts_on=dt.date(2030, 7, 10), ends_on=dt.date(2030, 7, 10))
    make_round(event, 10, hour=14)
    response = client.get(register_url(event))
    assert "Breakout round at 14, 14:00 to" in response.content.decode()


def test_access_needs_over_the_limit_are_refused_beside_the_field_and_kept(client, event):
    data = form_data(needs_consent="on", access_needs="x" * 2001, dietary_details="No\rnuts")

    response = client.post(register_url(event), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "access_needs": ["Access needs must be 2,000 characters or fewer"],
        "dietary_details": [
            "Details of your dietary requirement must be on one line, without line breaks "
            "or special characters"
        ],
    }
    assert "x" * 2001 in response.content.decode()
    assert not Delegate.objects.exists()
