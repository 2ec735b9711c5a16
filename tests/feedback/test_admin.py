"""Organisers set up each event's survey in the admin: anonymous or not, its
introduction and closing date; once sent, whether it is anonymous stays as the
delegates were told."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import Survey
from tests.factories import EventFactory
from tests.feedback.factories import SurveyFactory
from tests.helpers import admin_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def change(client, survey, **values):
    data = {
        "is_anonymous": "on" if survey.is_anonymous else "",
        "intro": survey.intro,
        "closes_on": survey.closes_on.isoformat(),
    } | values
    return client.post(admin_url(Survey, "change", survey.pk), {k: v for k, v in data.items() if v})


def test_organisers_may_set_up_surveys_and_event_staff_look():
    organisers = Group.objects.get(name="Organisers").permissions
    staff = Group.objects.get(name="Event staff").permissions

    assert set(
        organisers.filter(content_type__app_label="feedback").values_list("codename", flat=True)
    ) == {
        "add_survey",
        "change_survey",
        "delete_survey",
        "view_survey",
        # To pick the report's quotes (symposium's 0015_organisers_prepare_board_reports).
        "view_response",
        "change_response",
    }
    assert list(
        staff.filter(content_type__app_label="feedback").values_list("codename", flat=True)
    ) == ["view_survey"]


def test_an_organiser_changes_the_intro_closing_date_and_anonymity(organiser_client):
    event = EventFactory(starts_on=dt.date(2027, 6, 10), ends_on=dt.date(2027, 6, 10))
    survey = Survey.objects.get(event=event)

    response = change(
        organiser_client,
        survey,
        is_anonymous="",
        intro="Five minutes, please.",
        closes_on="2027-06-30",
    )

    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.is_anonymous, survey.intro, survey.closes_on) == (
        False,
        "Five minutes, please.",
        dt.date(2027, 6, 30),
    )


def test_a_closing_date_on_or_before_the_event_is_refused_by_its_field(organiser_client):
    event = EventFactory(starts_on=dt.date(2027, 6, 10), ends_on=dt.date(2027, 6, 11))
    survey = Survey.objects.get(event=event)

    page = change(organiser_client, survey, intro="Kept as typed", closes_on="2027-06-11")

    assert page.status_code == 200
    assert (
        "The survey is sent after the event: close it after 11 June 2027, the event&#x27;s "
        "last day." in page.text
    )
    assert "Kept as typed</textarea>" in page.text
    survey.refresh_from_db()
    assert survey.closes_on == dt.date(2027, 6, 25)


def test_once_sent_anonymity_cannot_change(organiser_client):
    survey = SurveyFactory(is_anonymous=True)
    Survey.objects.filter(pk=survey.pk).update(sent_at=timezone.now())

    page = organiser_client.get(admin_url(Survey, "change", survey.pk))
    change(organiser_client, survey, is_anonymous="")

    assert 'name="is_anonymous"' not in page.text
    survey.refresh_from_db()
    assert survey.is_anonymous is True


def test_the_list_runs_the_same_queries_for_one_survey_and_four(organiser_client):
    SurveyFactory()
    url = admin_url(Survey, "changelist")
    organiser_client.get(url)
    with CaptureQueriesContext(connection) as one:
        organiser_client.get(url)
    for _ in range(3):
        SurveyFactory()

    with CaptureQueriesContext(connection) as four:
        response = organiser_client.get(url)

    assert response.context["cl"].result_count == 4
    assert len(four) == len(one)
