"""Composing in the admin: placeholders checked on save, one body made into plain text
and HTML in the portal's email layout, values escaped in the HTML."""

import pytest
from django.core import mail
from mailer.models import Message

from mailings import services
from mailings.enums import MailingStatus
from mailings.models import Mailing
from registration.emails import manage_url
from symposium.enums import RegistrationStatus
from tests.helpers import admin_url
from tests.mailings.conftest import make_mailing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def compose(world, **overrides):
    return {
        "event": world["event"].pk,
        "subject": "Your day at {event}",
        "body": "Dear {first_name},\n\nYour breakouts:\n{breakouts}\n\nLink: {manage_link}",
        "statuses": [RegistrationStatus.CONFIRMED],
        "organisations": "",
        "attendance": "any",
        "is_enabled": "on",
        **overrides,
    }


def test_organiser_composes_a_message_and_is_its_author(world, organiser_client, organiser):
    response = organiser_client.post(admin_url(Mailing, "add"), compose(world))

    mailing = Mailing.objects.get(kind="message")
    assert response.status_code == 302
    assert response.url == f"/admin/mailings/mailing/{mailing.pk}/send/"
    assert (mailing.author, mailing.status, mailing.statuses) == (
        organiser,
        MailingStatus.DRAFT,
        ["confirmed"],
    )


def test_an_unknown_placeholder_is_refused_next_to_its_field(world, organiser_client):
    response = organiser_client.post(
        admin_url(Mailing, "add"), compose(world, body="Dear {frist_name},")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["body"] == [
        "Unknown placeholder {frist_name}. Use one of: {first_name}, {last_name}, {event}, "
        "{date}, {start_time}, {venue}, {manage_link}, {breakouts}, {check_in_code}."
    ]
    assert "Unknown placeholder {frist_name}" in response.text
    assert not Mailing.objects.filter(kind="message").exists()


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("Hello {event.__class__}", "Unknown placeholder {event.__class__}"),
        ("Hello {event!r}", "Unknown placeholder {event!r}"),
        ("Hello {event:>99}", "Unknown placeholder {event:>99}"),
        ("Hello {", "A single { or } is not allowed"),
    ],
)
def test_subject_placeholders_are_checked_too(world, organiser_client, subject, message):
    response = organiser_client.post(admin_url(Mailing, "add"), compose(world, subject=subject))

    [error] = response.context["adminform"].form.errors["subject"]
    assert error.startswith(message)


def test_sessions_of_another_event_are_refused(world, organiser_client):
    from tests.factories import BreakoutSessionFactory

    elsewhere = BreakoutSessionFactory()
    response = organiser_client.post(
        admin_url(Mailing, "add"), compose(world, sessions=[elsewhere.pk])
    )

    assert response.context["adminform"].form.errors["sessions"] == [
        "Choose breakout sessions of this event."
    ]


def test_one_body_makes_plain_text_and_html_in_the_email_layout(world):
    ana = world["people"]["ana"]
    mailing = make_mailing(
        world["event"],
        subject="Your day at {event}",
        body="Dear {first_name} {last_name},\n\nYour breakouts:\n{breakouts}\n\n"
        "Link: {manage_link}\n{{not a placeholder}}",
    )

    copy = services.preview(mailing=mailing, delegate=ana)

    link = "http://127.0.0.1:8000" + manage_url(ana).removeprefix("http://127.0.0.1:8000")
    assert copy["subject"] == "Your day at Kent and Medway ICS symposium"
    assert copy["text"].startswith(
        "Dear Ana Able,\n\nYour breakouts:\n"
        "- Breakout round 1, 14:00 to 15:00: Prevention and early help, Room A\n\n"
        f"Link: {link}\n{{not a placeholder}}\n\n--\nKent and Medway ICS symposium\n"
    )
    assert "<p>Dear Ana Able,</p>" in copy["html"]
    assert (
        "<p>Your breakouts:<br>Breakout round 1, 14:00 to 15:00: Prevention and early help, "
        "Room A</p>" in copy["html"]
    )
    assert (
        f'<p>Link: <a href="{link}">View, change or cancel your registration</a>'
        "<br>{not a placeholder}</p>" in copy["html"]
    )
    # The portal's layout: its title, and the manage paragraph of every email.
    assert "<title>Your day at Kent and Medway ICS symposium</title>" in copy["html"]
    assert "View, change or cancel your registration" in copy["html"]


def test_placeholders_and_the_body_are_escaped_in_html_not_in_text(world):
    ben = world["people"]["ben"]
    ben.first_name = '<script>alert("x")</script>'
    ben.save()
    world["event"].name = "Health & <b>care</b>"
    world["event"].save()
    mailing = make_mailing(world["event"], body="Hi {first_name} at {event} <i>sic</i>")

    copy = services.preview(mailing=mailing, delegate=ben)

    assert (
        "<p>Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; at "
        "Health &amp; &lt;b&gt;care&lt;/b&gt; &lt;i&gt;sic&lt;/i&gt;</p>" in copy["html"]
    )
    assert "<script>" not in copy["html"]
    assert copy["text"].startswith('Hi <script>alert("x")</script> at Health & <b>care</b>')


def test_a_cancelled_delegate_gets_the_event_page_not_a_dead_manage_link(world):
    dan = world["people"]["dan"]
    mailing = make_mailing(world["event"], body="See {manage_link}")

    copy = services.preview(mailing=mailing, delegate=dan)

    assert copy["text"].startswith("See http://127.0.0.1:8000/events/kent-medway/")
    assert "View, change or cancel" not in copy["html"]


def test_send_a_test_to_yourself_as_the_chosen_delegate_would_get_it(
    world, organiser_client, organiser, django_capture_on_commit_callbacks
):
    mailing = make_mailing(world["event"], subject="For {first_name}")
    ben = world["people"]["ben"]
    url = f"/admin/mailings/mailing/{mailing.pk}/send/"

    response = organiser_client.post(url, {"action": "test", "delegate": ben.pk})

    assert response.status_code == 302
    [sent] = mail.outbox
    assert (sent.to, sent.subject) == ([organiser.email], "[Test] For Ben")
    assert not Message.objects.exists()  # Sent at once by the test settings.
    assert not mailing.recipients.exists()
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.DRAFT
