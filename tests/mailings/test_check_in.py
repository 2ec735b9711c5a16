"""What check-in adds to mailings: each delegate's `{check_in_code}`, and an audience of
those who attended the event, or did not, once it has started."""

import datetime as dt

import pytest
from django.utils import timezone
from mailer.models import Message

from checkin.codes import check_in_code
from checkin.models import CheckIn
from mailings import services
from mailings.enums import Attendance, MailingKind
from mailings.models import Mailing
from mailings.selectors import audience
from symposium.enums import RegistrationStatus as Status
from tests.helpers import admin_url
from tests.mailings.conftest import make_mailing
from tests.mailings.test_compose import compose

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def started(world):
    """The event began this morning: Ana and Eve are in (Eve after an undone scan),
    Ben's only check-in was undone, Cat and Dan never came."""
    event = world["event"]
    event.starts_on = event.ends_on = timezone.localdate()
    event.save()
    now = timezone.now()
    people = world["people"]
    CheckIn.objects.create(delegate=people["ana"], at=now)
    CheckIn.objects.create(delegate=people["ben"], at=now, undone_at=now)
    CheckIn.objects.create(delegate=people["eve"], at=now, undone_at=now)
    CheckIn.objects.create(delegate=people["eve"], at=now)
    return world


def names(mailing):
    return [delegate.first_name for delegate in audience(mailing)]


# {check_in_code} ---------------------------------------------------------------------


def test_the_code_placeholder_is_accepted_when_saving(world, organiser_client):
    response = organiser_client.post(
        admin_url(Mailing, "add"),
        compose(world, subject="Your code {check_in_code}", body="Show {check_in_code}"),
    )

    assert response.status_code == 302
    assert Mailing.objects.get(kind=MailingKind.MESSAGE).subject == "Your code {check_in_code}"


def test_each_delegate_gets_their_own_code_in_text_and_html(world, settings):
    settings.SEND_MAIL_ON_COMMIT = False
    mailing = make_mailing(
        world["event"], subject="Code {check_in_code}", body="Yours: {check_in_code}"
    )
    services.schedule(mailing=mailing, send_at=timezone.now())

    services.send(mailing_pk=mailing.pk)

    by_address = {message.to_addresses[0]: message.email for message in Message.objects.all()}
    assert len(by_address) == 3
    for name in ("ana", "ben", "eve"):
        delegate = world["people"][name]
        code = check_in_code(delegate)
        email = by_address[delegate.email]
        [(html, _mimetype)] = email.alternatives
        assert email.subject == f"Code {code}"
        assert email.body.startswith(f"Yours: {code}\n")
        assert f"<p>Yours: {code}</p>" in html


@pytest.mark.parametrize("name", ["cat", "dan"])
def test_a_delegate_without_a_place_gets_a_sentence_not_a_code(world, name):
    delegate = world["people"][name]
    mailing = make_mailing(world["event"], body="Code: {check_in_code}")

    copy = services.preview(mailing=mailing, delegate=delegate)

    assert copy["text"].startswith("Code: none (only a confirmed place has a check-in code)\n")
    assert "<p>Code: none (only a confirmed place has a check-in code)</p>" in copy["html"]
    assert check_in_code(delegate) not in copy["text"] + copy["html"]


def test_the_preview_shows_the_chosen_delegates_code(world, organiser_client):
    mailing = make_mailing(world["event"], body="Your code is {check_in_code}.")
    eve = world["people"]["eve"]

    response = organiser_client.get(
        f"/admin/mailings/mailing/{mailing.pk}/send/", {"delegate": eve.pk}
    )

    code = check_in_code(eve)
    assert f"<p>Your code is {code}.</p>" in response.text
    assert f"Your code is {code}." in response.context["preview"]["text"]
    assert check_in_code(world["people"]["ana"]) not in response.text


# Attended or not ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"attendance": Attendance.ANY}, ["Ana", "Ben", "Eve"]),
        ({"attendance": Attendance.ATTENDED}, ["Ana", "Eve"]),
        ({"attendance": Attendance.ABSENT}, ["Ben"]),
        ({"attendance": Attendance.ATTENDED, "statuses": list(Status)}, ["Ana", "Eve"]),
        ({"attendance": Attendance.ABSENT, "statuses": list(Status)}, ["Ben", "Cat", "Dan"]),
        ({"attendance": Attendance.ABSENT, "organisations": "Kent Police"}, ["Ben"]),
    ],
)
def test_attended_or_not_selects_exactly_and_undone_check_ins_do_not_count(
    started, filters, expected
):
    assert names(make_mailing(started["event"], **filters)) == expected


def test_the_attendance_filter_costs_no_extra_query(started, django_assert_num_queries):
    anyone = make_mailing(started["event"])
    attended = make_mailing(started["event"], attendance=Attendance.ATTENDED)
    with django_assert_num_queries(3) as everyone_queries:
        list(audience(anyone))

    with django_assert_num_queries(len(everyone_queries.captured_queries)):
        chosen = [delegate.first_name for delegate in audience(attended)]

    assert chosen == ["Ana", "Eve"]


def test_a_send_to_those_who_attended_goes_to_them_only(started, settings):
    settings.SEND_MAIL_ON_COMMIT = False
    mailing = make_mailing(started["event"], attendance=Attendance.ATTENDED)
    services.schedule(mailing=mailing, send_at=timezone.now())

    services.send(mailing_pk=mailing.pk)

    addresses = {message.to_addresses[0] for message in Message.objects.all()}
    assert addresses == {started["people"]["ana"].email, started["people"]["eve"].email}


def test_the_count_before_sending_reflects_attendance(started, organiser_client):
    mailing = make_mailing(started["event"], attendance=Attendance.ABSENT, statuses=list(Status))

    response = organiser_client.get(f"/admin/mailings/mailing/{mailing.pk}/send/")

    assert response.context["audience_count"] == 3
    assert "<strong>3</strong> delegates" in response.text
    assert "Send now to 3 delegates" in response.text
    preview_choices = response.context["preview_form"].fields["delegate"].queryset
    assert [delegate.first_name for delegate in preview_choices] == ["Ben", "Cat", "Dan"]


@pytest.mark.parametrize("attendance", [Attendance.ATTENDED, Attendance.ABSENT])
def test_attendance_is_refused_before_the_event_next_to_its_field(
    world, organiser_client, attendance
):
    event = world["event"]
    event.starts_on = event.ends_on = dt.date(2027, 3, 11)
    event.save()

    response = organiser_client.post(
        admin_url(Mailing, "add"), compose(world, attendance=attendance)
    )

    assert response.status_code == 200
    message = (
        "Nobody can have attended yet: the event starts on Thursday 11 March 2027. "
        "Choose “Attended or not” until then."
    )
    assert response.context["adminform"].form.errors == {"attendance": [message]}
    assert message in response.text
    assert not Mailing.objects.filter(kind=MailingKind.MESSAGE).exists()


@pytest.mark.parametrize("days_after_start", [0, 5])
def test_attendance_is_allowed_once_the_event_has_started(
    world, organiser_client, days_after_start
):
    event = world["event"]
    event.starts_on = timezone.localdate() - dt.timedelta(days=days_after_start)
    event.ends_on = event.starts_on + dt.timedelta(days=1)
    event.save()

    response = organiser_client.post(
        admin_url(Mailing, "add"), compose(world, attendance=Attendance.ATTENDED)
    )

    assert response.status_code == 302
    assert Mailing.objects.get(kind=MailingKind.MESSAGE).attendance == Attendance.ATTENDED


def test_the_thank_you_may_be_narrowed_to_attendees_before_the_event(world, organiser_client):
    thank_you = Mailing.objects.get(event=world["event"], kind=MailingKind.THANK_YOU)

    response = organiser_client.post(
        admin_url(Mailing, "change", thank_you.pk),
        {
            "subject": thank_you.subject,
            "body": thank_you.body,
            "statuses": [Status.CONFIRMED],
            "organisations": "",
            "attendance": Attendance.ATTENDED,
            "is_enabled": "on",
        },
    )

    assert response.status_code == 302
    thank_you.refresh_from_db()
    assert thank_you.attendance == Attendance.ATTENDED


def test_the_audience_fieldset_offers_attendance(world, organiser_client):
    response = organiser_client.get(admin_url(Mailing, "add"))

    [audience_fieldset] = [
        fieldset for fieldset in response.context["adminform"] if fieldset.name == "Audience"
    ]
    assert "attendance" in audience_fieldset.fields
    assert 'name="attendance"' in response.text
    assert "not a filter yet" not in response.text
