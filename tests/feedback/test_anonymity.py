"""Anonymous mode: nothing links a response to the delegate who gave it. Not a column
of the response or its ratings, not the link's row (which records only that it was
used, at the survey's send time), not the session, a cookie, the cache or a log line."""

import logging

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from feedback import services
from feedback.models import Rating, Response, SurveyInvitation
from feedback.tokens import make_survey_token
from symposium.web import log_filters
from tests.feedback.helpers import answers, invite, survey_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def columns(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = %s ORDER BY column_name",
            [table],
        )
        return dict(cursor.fetchall())


def row(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        names = [column.name for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


@pytest.fixture
def answered(anonymous_world, client, caplog):
    """Sam answers the anonymous survey, sent this morning; every log record kept."""
    world = anonymous_world
    survey = world["survey"]
    survey.sent_at = timezone.now() - timezone.timedelta(hours=3)
    survey.save()
    others = [invite(survey, world[name]) for name in ("ana", "cat")]
    invitation = invite(survey, world["sam"])
    caplog.set_level(logging.DEBUG)
    page = client.post(survey_url(invitation), answers(world))
    assert page.status_code == 302
    return world | {"invitation": invitation, "others": others, "client": client, "page": page}


def test_the_response_and_its_ratings_hold_nothing_of_the_delegate(answered):
    sam, invitation = answered["sam"], answered["invitation"]
    response = Response.objects.get()

    assert set(columns("feedback_response")) == {
        "id",
        "survey_id",
        "delegate_id",
        "submitted_on",
        "overall",
        "comments",
        "do_differently",
        "comments_quoted",
        "do_differently_quoted",
    }
    assert columns("feedback_response")["submitted_on"] == "date"  # A day, not a time.
    saved = row("feedback_response", response.pk)
    assert saved["delegate_id"] is None
    assert saved["submitted_on"] == timezone.localdate()
    assert saved["survey_id"] == answered["survey"].pk
    assert set(columns("feedback_rating")) == {
        "id",
        "response_id",
        "agenda_item_id",
        "presentation_id",
        "breakout_session_id",
        "score",
    }
    rated = [row("feedback_rating", rating.pk) for rating in Rating.objects.all()]
    talk_1, talk_2 = answered["talks"]
    # The response and the programme's rows it rates: what any attendee could rate.
    assert {
        (r["response_id"], r["agenda_item_id"], r["presentation_id"], r["breakout_session_id"])
        for r in rated
    } == {
        (response.pk, None, talk_1.pk, None),
        (response.pk, None, talk_2.pk, None),
        (response.pk, answered["film"].pk, None, None),
        (response.pk, None, None, answered["prevention"].pk),
    }
    assert invitation.delegate_id == sam.pk  # The link's row is the only one naming Sam.


def test_the_links_row_says_it_was_used_not_when_nor_which_response(answered):
    survey, invitation = answered["survey"], answered["invitation"]

    assert set(columns("feedback_surveyinvitation")) == {
        "id",
        "survey_id",
        "delegate_id",
        "answered_at",
    }
    saved = row("feedback_surveyinvitation", invitation.pk)
    # The survey's send time: the same for every anonymous answer, whenever given.
    assert saved["answered_at"] == survey.sent_at
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = 'feedback_response'::regclass"
        )
        referencing = [name for (name,) in cursor.fetchall()]
    assert referencing == ["feedback_rating"]


def test_no_session_cookie_or_cache_entry_holds_the_link(answered):
    client, page = answered["client"], answered["page"]
    token = make_survey_token(answered["invitation"])

    assert page.cookies == {} or all(token not in morsel.value for morsel in page.cookies.values())
    assert "sessionid" not in client.cookies
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_session")
        assert cursor.fetchone() == (0,)
    assert cache.get(token) is None


def test_no_log_line_holds_the_token_or_the_response(answered, caplog):
    token = make_survey_token(answered["invitation"])
    response = Response.objects.get()
    client = answered["client"]
    # A 404 under the link logs its address (django.request): the token is redacted.
    client.get(survey_url(answered["invitation"]) + "no-such-page/")

    logged = [record.getMessage() for record in caplog.records]
    formatted = [
        log_filters.redact(line) for line in logged
    ]  # what a handler writes: settings.LOGGING filters every handler
    assert any("/feedback/[redacted]/" in line for line in formatted)
    assert not any(token in line for line in formatted)
    assert not any(f"response {response.pk}" in line.lower() for line in logged)


def test_the_log_filter_redacts_a_survey_link():
    line = "Not Found: /events/kent-medway/feedback/eyJpIjo1fQ:abc/thank-you/"

    assert (
        log_filters.redact(line) == "Not Found: /events/kent-medway/feedback/[redacted]/thank-you/"
    )


def test_a_not_anonymous_response_names_its_delegate(world, client):
    invitation = invite(world["survey"], world["sam"])

    client.post(survey_url(invitation), answers(world))

    assert Response.objects.get().delegate == world["sam"]
    invitation.refresh_from_db()
    assert invitation.answered_at is not None


def test_erasing_a_registration_deletes_its_named_response_not_the_anonymous_ones(world):
    from registration.privacy import erase_registration

    named = services.submit_response(
        invitation=invite(world["survey"], world["sam"]),
        answers=services.Answers(overall=4, comments="Mine", do_differently="", ratings=[]),
    )
    assert named.delegate == world["sam"]

    erase_registration(delegate=world["sam"])

    assert not Response.objects.filter(pk=named.pk).exists()
    assert not SurveyInvitation.objects.filter(delegate_id=world["sam"].pk).exists()


def test_no_transaction_stamp_ties_a_response_to_the_link_that_gave_it(anonymous_world):
    """PostgreSQL stamps each row version with the transaction that wrote it (xmin).
    After two anonymous answers every answered link carries the latest answer's stamp:
    the first response's stamp matches no link, the second's matches both."""
    world = anonymous_world
    survey = world["survey"]
    survey.sent_at = timezone.now()
    survey.save()
    invitations = [invite(survey, world[name]) for name in ("sam", "ana", "cat")]
    mine = services.Answers(overall=4, comments="", do_differently="", ratings=[])
    first = services.submit_response(invitation=invitations[0], answers=mine)
    second = services.submit_response(invitation=invitations[1], answers=mine)

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, xmin::text FROM feedback_response ORDER BY id")
        stamps = dict(cursor.fetchall())
        cursor.execute(
            "SELECT id, xmin::text FROM feedback_surveyinvitation WHERE answered_at IS NOT NULL"
        )
        links = dict(cursor.fetchall())

    assert set(links) == {invitations[0].pk, invitations[1].pk}
    assert stamps[first.pk] not in links.values()
    assert set(links.values()) == {stamps[second.pk]}


def test_a_delegates_copy_of_their_data_holds_their_named_answers(world, client):
    import json

    from tests.helpers import manage_url

    invitation = invite(world["survey"], world["sam"])
    client.post(survey_url(invitation), answers(world))

    data = json.loads(client.get(manage_url(world["sam"], "registration:my-data")).content)

    survey = data["feedback_survey"]
    assert (survey["sent"], survey["answered"], survey["overall"]) == (True, True, 4)
    assert survey["comments"] == "The breakout on prevention was the best part."
    assert {"rated": "Film: voices from the community", "score": 3} in survey["ratings"]


def test_an_anonymous_answer_is_not_in_the_delegates_copy(answered):
    import json

    from tests.helpers import manage_url

    client = answered["client"]
    data = json.loads(client.get(manage_url(answered["sam"], "registration:my-data")).content)

    assert data["feedback_survey"] == {
        "sent": True,
        "answered": True,
        "answers": "anonymous: kept without your name, so we cannot find them",
    }
    assert "The breakout on prevention" not in json.dumps(data)
    cat = json.loads(client.get(manage_url(answered["cat"], "registration:my-data")).content)
    assert cat["feedback_survey"]["answered"] is False


def test_an_anonymous_answer_leaves_no_audit_entry_naming_or_linking_anyone(answered):
    """The audit log writes nothing per anonymous answer: no delegate, no link or
    response id, no time to match against the send entry's or the response's."""
    from symposium.models import AuditEntry

    survey, sam = answered["survey"], answered["sam"]
    invitation, response = answered["invitation"], Response.objects.get()
    # Another answer through the service, as the client's did, to be sure of both paths.
    services.submit_response(
        invitation=answered["others"][0],
        answers=services.Answers(overall=3, comments="", do_differently="", ratings=[]),
    )

    entries = AuditEntry.objects.filter(event=survey.event)
    assert not entries.filter(action="feedback.answered").exists()
    assert not entries.filter(delegate__in=[sam, *[i.delegate for i in answered["others"]]])
    for entry in entries:
        words = repr(
            (entry.data, entry.personal, entry.object_type, entry.object_id, entry.object_repr)
        )
        assert str(invitation.pk) not in (entry.object_id, *map(str, entry.data.values()))
        assert str(response.pk) not in (entry.object_id, *map(str, entry.data.values()))
        assert sam.email not in words
        assert sam.last_name not in words
        assert entry.object_type not in ("feedback.response", "feedback.surveyinvitation")


def test_a_named_answer_is_logged_with_its_delegate(world, client):
    from symposium.models import AuditEntry

    invitation = invite(world["survey"], world["sam"])

    client.post(survey_url(invitation), answers(world))

    entry = AuditEntry.objects.get(action="feedback.answered")
    assert (entry.event, entry.delegate, entry.actor, entry.via) == (
        world["survey"].event,
        world["sam"],
        None,
        "public",
    )
