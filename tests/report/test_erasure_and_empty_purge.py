"""Feedback and personal data at the edges: a delegate erasing their registration takes
their own (named) response and its ratings with it, whoever asks for the erasure; and
purging an event with no delegate data left still clears what the other apps hold about
it (facilitators' emails, the feedback behind the report), the report frozen first; and
the reports prepared before an erasure stop quoting the erased delegate."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from console.report import services as report_services
from feedback import services as feedback
from feedback.models import Rating, Response, SurveyInvitation
from outcomes.models import SessionOutcome
from registration.privacy import erase_registration, purge_event
from symposium.models import BoardReport, Delegate
from symposium.tokens import make_manage_token
from tests.factories import BreakoutSessionFactory, DelegateFactory, EventFactory
from tests.feedback.factories import SurveyFactory, build_symposium
from tests.feedback.helpers import invite
from tests.report.factories import ResponseFactory


def answer(world, name, *, comments="The prevention breakout was the best part."):
    talk = world["talks"][0]
    return feedback.submit_response(
        invitation=invite(world["survey"], world[name]),
        answers=feedback.Answers(
            overall=4,
            comments=comments,
            do_differently="",
            ratings=[("presentation", talk.pk, 5), ("session", world["prevention"].pk, 4)],
        ),
    )


@pytest.mark.django_db
def test_deleting_my_data_from_the_manage_page_deletes_my_response_and_its_ratings(client):
    world = build_symposium()
    mine = answer(world, "sam")
    theirs = answer(world, "ana", comments="Ana's words")
    assert mine.delegate == world["sam"]
    token = make_manage_token(world["sam"])

    page = client.post(f"/events/{world['event'].slug}/manage/{token}/delete/", follow=True)

    assert "Your registration and the information you gave us have been deleted." in (
        page.content.decode()
    )
    assert not Delegate.objects.filter(pk=world["sam"].pk).exists()
    assert not Response.objects.filter(pk=mine.pk).exists()
    assert not Rating.objects.filter(response_id=mine.pk).exists()
    assert not Response.objects.filter(comments__contains="prevention breakout").exists()
    # Ana's answers are hers: they stay.
    assert Response.objects.get(pk=theirs.pk).comments == "Ana's words"
    assert Rating.objects.filter(response=theirs).count() == 2


@pytest.mark.django_db
def test_erasing_a_registration_keeps_the_anonymous_responses(client):
    world = build_symposium(anonymous=True)
    kept = answer(world, "sam")
    assert kept.delegate is None

    assert erase_registration(delegate=world["sam"])

    assert Response.objects.get(pk=kept.pk).comments.startswith("The prevention")
    assert Rating.objects.filter(response=kept).count() == 2


def past_event_without_delegates():
    day = timezone.localdate() - dt.timedelta(days=400)
    event = EventFactory(
        slug="long-ago",
        starts_on=day,
        ends_on=day,
        registration_opens_at=timezone.now() - dt.timedelta(days=460),
        registration_closes_at=timezone.now() - dt.timedelta(days=401),
    )
    outcome = SessionOutcome.objects.create(
        session=BreakoutSessionFactory(theme__event=event),
        facilitator_email="fran@example.org",
        key_points="Share one referral form.",
    )
    return event, outcome


@pytest.mark.django_db
def test_purging_an_event_with_no_delegates_still_clears_the_other_apps_copies():
    """Its only delegate answered anonymously, then erased their registration: the event
    has no delegate, but an anonymous response and a facilitator's email remain."""
    event, outcome = past_event_without_delegates()
    survey = SurveyFactory(event=event, is_anonymous=True)
    delegate = DelegateFactory(event=event)
    invitation = invite(survey, delegate, answered_at=timezone.now())
    ResponseFactory(survey=survey, comments="Words that may name someone")
    erase_registration(delegate=delegate)
    assert not SurveyInvitation.objects.filter(pk=invitation.pk).exists()
    key = outcome.access_key
    earlier = BoardReport.objects.create(event=event, figures={"quotes": "maybe"})

    result = purge_event(event=event)

    assert not result  # no delegate's data was anonymised…
    outcome.refresh_from_db()
    assert outcome.facilitator_email == ""  # …yet the facilitator's email went,
    assert outcome.access_key != key  # their link died,
    assert not Response.objects.filter(survey__event=event).exists()  # the feedback went,
    frozen = BoardReport.objects.get(event=event)  # and the report was frozen first.
    assert frozen.pk != earlier.pk
    assert frozen.frozen
    assert frozen.figures["feedback"]["quotes"] == {"comments": [], "do_differently": []}


@pytest.mark.django_db
def test_a_dry_run_of_an_empty_event_changes_nothing_and_a_second_purge_keeps_the_frozen_report():
    event, outcome = past_event_without_delegates()

    purge_event(event=event, dry_run=True)
    outcome.refresh_from_db()
    assert outcome.facilitator_email == "fran@example.org"
    assert not BoardReport.objects.filter(event=event).exists()

    purge_event(event=event)
    frozen = BoardReport.objects.get(event=event)
    purge_event(event=event)
    assert list(BoardReport.objects.filter(event=event)) == [frozen]


def test_erasing_a_registration_takes_its_words_out_of_the_reports_prepared(
    organiser_client, world
):
    """The report's world: 8 responses, one comment and one "do differently" quoted.
    The comment's author erases their registration after the report was prepared."""
    quoted = Response.objects.get(survey__event=world, comments_quoted=True)
    author = Delegate.objects.filter(event=world).order_by("pk").first()
    quoted.delegate = author
    quoted.save(update_fields=["delegate"])
    report = BoardReport.objects.create(event=world)
    report_services.prepare_report(report_id=report.pk)
    url = reverse("staff:report", args=[world.slug])
    assert "Brilliant networking with the council." in organiser_client.get(url).content.decode()

    erase_registration(delegate=author)

    report.refresh_from_db()
    assert report.figures["feedback"]["quotes"] == {
        "comments": [],
        "do_differently": ["Invite housing colleagues."],
    }
    page = organiser_client.get(url).content.decode()
    pdf = organiser_client.get(reverse("staff:report-pdf", args=[world.slug])).content
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    for body in (page, text):
        assert "Brilliant networking" not in body
        assert "Invite housing colleagues." in body
    # The figures counted stay as they were counted.
    assert report.figures["feedback"]["responses"] == 8
