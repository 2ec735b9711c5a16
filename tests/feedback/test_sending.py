"""The survey goes out the day after the event at 11:00 to those the desk checked in,
once: a second run, a second worker at the same moment, or a crash and a retry send
nothing twice. Its email says what is true of the survey."""

import datetime as dt
import email
import re
import threading
from email import policy
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from mailer.models import Message

from feedback import services
from feedback.models import Survey, SurveyInvitation
from mailings import services as mailings
from mailings.enums import MailingKind
from mailings.models import Mailing
from tests.background import run_background_jobs
from tests.factories import DelegateFactory, EventFactory
from tests.feedback.factories import build_symposium, check_in

pytestmark = [pytest.mark.postgres]


def parsed(sent):
    return email.message_from_bytes(sent.message().as_bytes(), policy=policy.default)


def recipients():
    return sorted(address for sent in mail.outbox for address in sent.to)


@pytest.mark.django_db
def test_a_new_event_gets_an_anonymous_survey_closing_two_weeks_after_it():
    event = EventFactory(starts_on=dt.date(2027, 6, 10), ends_on=dt.date(2027, 6, 11))

    survey = Survey.objects.get(event=event)

    assert (survey.is_anonymous, survey.closes_on, survey.sent_at) == (
        True,
        dt.date(2027, 6, 25),
        None,
    )
    assert survey.intro == services.DEFAULT_INTRO


@pytest.mark.django_db
def test_an_event_moved_later_keeps_its_survey_open_after_it():
    event = EventFactory(starts_on=dt.date(2027, 6, 10), ends_on=dt.date(2027, 6, 10))
    event.starts_on = event.ends_on = dt.date(2027, 7, 1)
    event.save()

    assert Survey.objects.get(event=event).closes_on == dt.date(2027, 7, 15)


@pytest.mark.django_db
def test_it_goes_the_day_after_at_eleven_to_those_checked_in_only(world):
    due = services.due_at(world["event"])
    assert timezone.localtime(due).time() == dt.time(11, 0)
    assert timezone.localdate(due) == world["event"].ends_on + dt.timedelta(days=1)

    assert services.send_due_surveys(now=due - dt.timedelta(minutes=1)) == 0
    assert mail.outbox == []

    assert services.send_due_surveys(now=due) == 2

    # Ben's check-in was undone, Cat never came, Dan cancelled.
    assert recipients() == ["ana@example.org", "sam@example.org"]
    assert {sent.subject for sent in mail.outbox} == {
        "Tell us what you thought of Kent and Medway ICS symposium"
    }
    invited = SurveyInvitation.objects.filter(survey=world["survey"])
    assert sorted(invited.values_list("delegate__first_name", flat=True)) == ["Ana", "Sam"]
    world["survey"].refresh_from_db()
    assert world["survey"].sent_at == due


@pytest.mark.django_db
def test_a_second_run_sends_nothing(world):
    due = services.due_at(world["event"])
    services.send_due_surveys(now=due)
    mail.outbox.clear()

    assert services.send_due_surveys(now=due + dt.timedelta(minutes=1)) == 0
    assert services.send_survey(survey_pk=world["survey"].pk, now=due) == 0
    assert mail.outbox == []
    assert SurveyInvitation.objects.count() == 2


@pytest.mark.django_db
def test_someone_the_desk_records_later_is_invited_by_the_next_run_alone(world):
    due = services.due_at(world["event"])
    services.send_due_surveys(now=due)
    mail.outbox.clear()
    check_in(world["cat"])  # An offline desk's scan reaching the server late.

    services.send_due_surveys(now=due + dt.timedelta(minutes=1))

    assert recipients() == ["cat@example.org"]


@pytest.mark.django_db
def test_nothing_goes_once_the_survey_is_closed(world):
    survey = world["survey"]
    survey.closes_on = world["event"].ends_on + dt.timedelta(days=1)
    survey.save()

    sent = services.send_due_surveys(now=services.due_at(world["event"]) + dt.timedelta(days=1))

    assert (sent, mail.outbox) == (0, [])


@pytest.mark.django_db
def test_the_email_says_what_is_true_and_its_link_opens_the_survey(client):
    world = build_symposium(anonymous=True)
    services.send_due_surveys(now=services.due_at(world["event"]))
    [sent] = [sent for sent in mail.outbox if sent.to == ["sam@example.org"]]
    message = parsed(sent)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    closes = f"{world['survey'].closes_on:%A} {world['survey'].closes_on.day} "
    assert "Dear Sam," in text
    assert "The survey is anonymous: we keep your answers without your name" in text
    assert f"You can answer once, until {closes}" in text
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Precedence"] == "bulk"
    [href] = re.findall(r'<a href="([^"]+)">Answer the survey</a>', html)
    assert href in text

    page = client.get(urlsplit(href).path)

    assert page.status_code == 200
    assert "<h1>Feedback on Kent and Medway ICS symposium</h1>" in page.text
    assert "This survey is anonymous" in page.text


@pytest.mark.django_db
def test_the_thank_you_and_the_survey_are_two_emails_the_thank_you_unchanged(world):
    """The survey has its own email an hour after the thank-you, whose words (slides and
    breakout notes to come) make no promise about a survey either way."""
    event = world["event"]
    day_after = services.due_at(event) - dt.timedelta(hours=1)
    Mailing.objects.create(
        event=event,
        kind=MailingKind.THANK_YOU,
        status="scheduled",
        send_at=day_after,
        attendance="attended",
        subject="Thank you for coming to {event}",
        body="Dear {first_name},\n\nThank you for taking part in {event}.",
    )
    mailings.run_scheduler(now=day_after)
    services.send_due_surveys(now=day_after)
    assert {sent.subject for sent in mail.outbox} == {
        "Thank you for coming to Kent and Medway ICS symposium"
    }

    services.send_due_surveys(now=services.due_at(event))

    sam = sorted(sent.subject for sent in mail.outbox if sent.to == ["sam@example.org"])
    assert sam == [
        "Tell us what you thought of Kent and Medway ICS symposium",
        "Thank you for coming to Kent and Medway ICS symposium",
    ]


@pytest.mark.django_db(transaction=True)
def test_ten_workers_at_once_send_it_once():
    """Ten threads with their own connections, released together: one conditional
    UPDATE of sent_at wins, the others send nothing."""
    world = build_symposium()
    for n in range(20):
        check_in(DelegateFactory(event=world["event"], email=f"more-{n}@example.org"))
    due = services.due_at(world["event"])
    barrier = threading.Barrier(10)
    counts, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            counts.append(services.send_survey(survey_pk=world["survey"].pk, now=due))
        except Exception as error:  # Reported by the assertions below.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(counts) == [0] * 9 + [22]
    assert SurveyInvitation.objects.count() == 22
    assert Message.objects.count() + len(mail.outbox) >= 22
    assert len(recipients()) == len(set(recipients())) == 22


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_sends_it():
    """Through the task queue: the periodic task's job run by a real worker."""
    from feedback import tasks
    from symposium import background

    # Two days ago: due since yesterday at 11:00.
    world = build_symposium(day=timezone.localdate() - dt.timedelta(days=2))
    background.defer(tasks.send_surveys)

    run_background_jobs()

    assert SurveyInvitation.objects.filter(survey=world["survey"]).count() == 2
    assert recipients() == ["ana@example.org", "sam@example.org"]


@pytest.mark.django_db
def test_the_send_runs_the_same_queries_for_two_attendees_and_twelve(settings):
    from django.test.utils import CaptureQueriesContext

    settings.SEND_MAIL_ON_COMMIT = False
    counts = []
    for slug, more in (("small", 0), ("large", 10)):
        world = build_symposium(slug=slug)
        for n in range(more):
            check_in(DelegateFactory(event=world["event"], email=f"{slug}-{n}@example.org"))
        with CaptureQueriesContext(connection) as queries:
            sent = services.send_survey(
                survey_pk=world["survey"].pk, now=services.due_at(world["event"])
            )
        # Savepoints aside: the mail sweep's job is refused when one already waits.
        statements = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
        counts.append((sent, len(statements)))

    assert counts[0][0] == 2
    assert counts[1][0] == 12
    assert counts[0][1] == counts[1][1]


@pytest.mark.django_db
def test_an_unpublished_events_survey_is_not_sent(world):
    type(world["event"]).objects.filter(pk=world["event"].pk).update(is_published=False)

    assert services.send_due_surveys(now=services.due_at(world["event"])) == 0
    assert SurveyInvitation.objects.count() == 0


@pytest.mark.django_db
def test_asked_to_send_before_the_event_is_over_it_sends_nothing():
    world = build_symposium(day=timezone.localdate())

    assert services.send_survey(survey_pk=world["survey"].pk) == 0
    world["survey"].refresh_from_db()
    assert world["survey"].sent_at is None
