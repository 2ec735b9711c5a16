"""A delegate answers the survey through their link: a rating per session they attended,
the day as a whole, two free texts; once, and only while it is open."""

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from feedback.models import Rating, Response, SurveyInvitation
from tests.feedback.factories import build_symposium
from tests.feedback.helpers import answers, invite, survey_url

pytestmark = [pytest.mark.postgres]


def legends(html):
    return re.findall(r"<legend[^>]*>\s*(.*?)\s*</legend>", html, flags=re.S)


@pytest.mark.django_db
def test_the_page_asks_about_exactly_the_sessions_the_delegate_attended(client, world):
    invitation = invite(world["survey"], world["sam"])

    page = client.get(survey_url(invitation))

    assert page.status_code == 200
    assert legends(page.text) == [
        "The sessions you attended",
        "Population health in Kent (Opening plenary)",
        "Policing and prevention (Opening plenary)",
        "Film: voices from the community",
        "Breakout round 1: Prevention and early help",
        "The day",
        'The day as a whole<span class="asteriskField">*</span>',
    ]
    assert "Coffee break" not in page.text
    assert "Mental health crisis care" not in page.text  # Ben's session, not Sam's.
    assert 'name="overall" value="5"' in page.text
    assert "5: excellent" in page.text
    assert "1: very poor" in page.text


@pytest.mark.django_db
def test_ana_without_a_breakout_place_rates_no_session(client, world):
    page = client.get(survey_url(invite(world["survey"], world["ana"])))

    assert "Breakout round 1" not in page.text
    assert "Population health in Kent (Opening plenary)" in page.text


@pytest.mark.django_db
def test_answers_are_saved_once_with_the_delegate_when_not_anonymous(client, world):
    invitation = invite(world["survey"], world["sam"])
    talk_1, talk_2 = world["talks"]

    response = client.post(survey_url(invitation), answers(world))

    assert response.status_code == 302
    assert response["Location"] == survey_url(invitation, "feedback:survey-done")
    done = client.get(response["Location"])
    assert "<h1>Thank you for your feedback</h1>" in done.text
    saved = Response.objects.get()
    assert (saved.delegate, saved.overall, saved.submitted_on) == (
        world["sam"],
        4,
        timezone.localdate(),
    )
    assert saved.comments == "The breakout on prevention was the best part."
    assert saved.do_differently == "Call the police prevention team before a case escalates."
    rated = {
        (r.agenda_item_id, r.presentation_id, r.breakout_session_id, r.score)
        for r in saved.ratings.all()
    }
    assert rated == {
        (None, talk_1.pk, None, 5),
        (None, talk_2.pk, None, 4),
        (world["film"].pk, None, None, 3),
        (None, None, world["prevention"].pk, 5),
    }
    invitation.refresh_from_db()
    assert invitation.answered_at is not None


@pytest.mark.django_db
def test_a_session_left_blank_is_not_rated_and_one_not_attended_is_ignored(client, world):
    invitation = invite(world["survey"], world["sam"])
    data = answers(world, **{f"item_{world['film'].pk}": None})
    data[f"session_{world['crisis'].pk}"] = "1"  # Ben's session, not offered to Sam.

    client.post(survey_url(invitation), data)

    ratings = Rating.objects.all()
    assert ratings.count() == 3
    assert not ratings.filter(agenda_item=world["film"]).exists()
    assert not ratings.filter(breakout_session=world["crisis"]).exists()


@pytest.mark.django_db
def test_the_link_answers_once(client, world):
    invitation = invite(world["survey"], world["sam"])
    client.post(survey_url(invitation), answers(world))

    again = client.get(survey_url(invitation))
    posted = client.post(survey_url(invitation), answers(world, overall="1"))

    assert "<h1>You have already answered</h1>" in again.text
    assert "each link can be used once" in posted.text
    assert Response.objects.count() == 1
    assert Response.objects.get().overall == 4


@pytest.mark.django_db
def test_without_the_overall_rating_nothing_is_saved_and_nothing_typed_is_lost(client, world):
    invitation = invite(world["survey"], world["sam"])

    page = client.post(survey_url(invitation), answers(world, overall=None))

    assert page.status_code == 200
    assert "<title>Error: Feedback on Kent and Medway ICS symposium" in page.text
    assert '<h2 id="error-summary-title">There is a problem</h2>' in page.text
    assert '<a href="#id_overall_0">Choose a rating for the day as a whole</a>' in page.text
    assert "The breakout on prevention was the best part.</textarea>" in page.text
    talk_1 = world["talks"][0]
    assert re.search(rf'name="presentation_{talk_1.pk}" value="5"[^>]*checked', page.text)
    assert Response.objects.count() == 0
    assert SurveyInvitation.objects.get().answered_at is None


@pytest.mark.django_db
def test_a_rating_out_of_range_is_refused_by_its_field(client, world):
    invitation = invite(world["survey"], world["sam"])
    talk_1 = world["talks"][0]

    page = client.post(survey_url(invitation), answers(world, **{f"presentation_{talk_1.pk}": "9"}))

    assert "Choose a rating from 1 to 5 for Population health in Kent" in page.text
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_after_the_closing_date_it_says_it_is_closed_and_saves_nothing(client, world):
    survey = world["survey"]
    survey.closes_on = timezone.localdate() - dt.timedelta(days=1)
    survey.save()
    invitation = invite(survey, world["sam"])

    page = client.get(survey_url(invitation))
    posted = client.post(survey_url(invitation), answers(world))

    assert page.status_code == 200
    assert "<h1>The survey is closed</h1>" in page.text
    closed = survey.closes_on
    assert f"closed at the end of {closed:%A} {closed.day} {closed:%B %Y}" in page.text
    assert "<form" not in page.text
    assert "<h1>The survey is closed</h1>" in posted.text
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_it_is_open_on_its_closing_day(client, world):
    survey = world["survey"]
    survey.closes_on = timezone.localdate()
    survey.save()

    page = client.get(survey_url(invite(survey, world["sam"])))

    assert "<h1>Feedback on Kent and Medway ICS symposium</h1>" in page.text


@pytest.mark.django_db
def test_a_tampered_link_or_one_for_another_event_is_not_found(client, world):
    invitation = invite(world["survey"], world["sam"])
    url = survey_url(invitation)

    tampered = client.get(url[:-3] + "xx/")
    elsewhere = client.get(url.replace("/kent-medway/", "/another-event/"))

    assert tampered.status_code == 404
    assert "<h1>This link does not work</h1>" in tampered.text
    assert elsewhere.status_code == 404


@pytest.mark.django_db
def test_a_link_dies_when_the_delegates_links_are_revoked(client, world):
    invitation = invite(world["survey"], world["sam"])
    url = survey_url(invitation)
    world["sam"].access_key = "rotated"
    world["sam"].save()

    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_page_makes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    invitation = invite(world["survey"], world["sam"])
    url = survey_url(invitation)
    client.get(url)

    with django_assert_max_num_queries(6):
        client.get(url)


@pytest.mark.django_db(transaction=True)
def test_two_submissions_through_one_link_at_once_save_one_response():
    """Ten threads with their own connections post the same link together: the
    invitation's conditional UPDATE lets one through."""
    world = build_symposium(anonymous=True)
    invitation = invite(world["survey"], world["sam"])
    url = survey_url(invitation)
    barrier = threading.Barrier(10)
    pages, errors = [], []

    def post(overall):
        try:
            barrier.wait(timeout=30)
            pages.append(Client().post(url, answers(world, overall=str(overall))))
        except Exception as error:  # Reported by the assertions below.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(1 + n % 5,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(page.status_code for page in pages) == [200] * 9 + [302]
    assert all(
        "You have already answered" in page.text for page in pages if page.status_code == 200
    )
    assert Response.objects.count() == 1
    assert Rating.objects.count() == 4


@pytest.mark.django_db
def test_the_thank_you_page_thanks_nobody_who_has_not_answered(client, world):
    invitation = invite(world["survey"], world["sam"])

    page = client.get(survey_url(invitation, "feedback:survey-done"))

    assert page.status_code == 302
    assert page["Location"] == survey_url(invitation)


@pytest.mark.django_db
def test_an_office_behind_one_address_answers_at_once(client, world, settings):
    """The survey reaches every attendee at the same moment: 100 requests from one
    address in a minute pass (the manage pages' 60 would not), the limit still holds."""
    assert settings.RATE_LIMITS["survey"] == {"ip": "300/m"}
    url = survey_url(invite(world["survey"], world["sam"]))

    statuses = {client.get(url, REMOTE_ADDR="192.0.2.7").status_code for _ in range(100)}

    assert statuses == {200}
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"survey": {"ip": "2/m"}}
    limited = [client.get(url, REMOTE_ADDR="192.0.2.8").status_code for _ in range(3)]
    assert limited == [200, 200, 429]
