"""The report made on the task queue by a real worker, and the retention rule: feedback
goes with the event's personal data, the report's figures stay (frozen first)."""

import html
import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from console.report import services
from feedback.models import Rating, Response, SurveyInvitation
from registration.privacy import purge_event
from symposium.models import BoardReport
from tests.background import run_background_jobs
from tests.factories import UserFactory


@pytest.fixture
def reporter_client(client):
    """An all-events staff account that may see and prepare reports (a transactional
    test's flush takes the Organisers group away)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_boardreport", "add_boardreport"])
    )
    client.force_login(user)
    return client


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.mark.django_db(transaction=True)
def test_the_report_is_made_by_the_worker_and_its_page_follows_it(reporter_client, world):
    organiser_client = reporter_client
    url = reverse("staff:report", args=[world.slug])

    organiser_client.post(url)
    queued = organiser_client.get(url)
    status = organiser_client.get(reverse("staff:report-status", args=[world.slug])).json()
    again = organiser_client.post(url)  # one at a time
    run_background_jobs()
    done = organiser_client.get(url)
    status_done = organiser_client.get(reverse("staff:report-status", args=[world.slug])).json()

    assert "being prepared in the background" in text_of(queued)
    assert status["status"] == "queued"
    assert again.status_code == 302
    assert BoardReport.objects.filter(event=world).count() == 1
    report = BoardReport.objects.get(event=world)
    assert report.status == BoardReport.Status.DONE
    assert report.figures["feedback"]["responses"] == 8
    assert status_done["status"] == "done"
    assert "33 confirmed registrations: 22 attended" in text_of(done)
    assert "being prepared" not in text_of(done)


@pytest.mark.django_db(transaction=True)
def test_a_failed_report_says_so_and_can_be_prepared_again(reporter_client, world, monkeypatch):
    organiser_client = reporter_client
    from console.report import pdf

    def broken(figures):
        raise RuntimeError("no ink")

    monkeypatch.setattr(pdf, "report_pdf", broken)
    url = reverse("staff:report", args=[world.slug])
    organiser_client.post(url)
    run_background_jobs()
    failed = organiser_client.get(url)
    monkeypatch.undo()
    organiser_client.post(url)
    run_background_jobs()

    assert "Preparing the report failed." in text_of(failed)
    assert BoardReport.objects.filter(event=world, status=BoardReport.Status.FAILED).count() == 1
    assert BoardReport.objects.filter(event=world, status=BoardReport.Status.DONE).count() == 1


@pytest.mark.django_db
def test_purging_the_event_freezes_the_figures_then_deletes_the_feedback(organiser_client, world):
    before = BoardReport.objects.create(event=world)
    services.prepare_report(report_id=before.pk)
    figures_before = BoardReport.objects.get(pk=before.pk).figures

    purge_event(event=world)

    assert Response.objects.filter(survey__event=world).count() == 0
    assert Rating.objects.filter(response__survey__event=world).count() == 0
    assert SurveyInvitation.objects.filter(survey__event=world).count() == 0
    frozen = BoardReport.objects.get(event=world)  # the earlier one, with quotes, is gone
    assert frozen.frozen
    assert frozen.figures["feedback"]["responses"] == 8
    assert frozen.figures["feedback"]["overall"] == figures_before["feedback"]["overall"]
    assert frozen.figures["feedback"]["items"] == figures_before["feedback"]["items"]
    assert frozen.figures["attendance"] == figures_before["attendance"]
    assert frozen.figures["feedback"]["quotes"] == {"comments": [], "do_differently": []}


@pytest.mark.django_db
def test_after_the_purge_the_report_renders_from_the_frozen_figures(organiser_client, world):
    purge_event(event=world)
    url = reverse("staff:report", args=[world.slug])

    page = organiser_client.get(url)
    pdf = organiser_client.get(reverse("staff:report-pdf", args=[world.slug]))
    refused = organiser_client.post(url)

    for body in (text_of(page), pdf_text(pdf.content)):
        assert "8 responses from 22 people asked (36 %). Overall score: 4.0 out of 5." in body
        assert "33 confirmed registrations: 22 attended and 11 did not come" in body
        assert "Quotes were removed with the event's personal data." in body
        assert "kept when the personal data was removed" in body
        assert "Brilliant networking" not in body
    assert "Prepare it again" not in page.content.decode()
    assert refused.status_code == 302
    assert BoardReport.objects.filter(event=world).count() == 1


@pytest.mark.django_db
def test_a_second_purge_keeps_the_frozen_figures(world):
    purge_event(event=world)
    frozen = BoardReport.objects.get(event=world)

    services.freeze_and_purge_feedback(event=world)

    assert list(BoardReport.objects.filter(event=world)) == [frozen]
    assert BoardReport.objects.get(pk=frozen.pk).figures["feedback"]["responses"] == 8


@pytest.mark.django_db
def test_the_year_on_year_view_reads_an_earlier_events_frozen_figures(world):
    import datetime as dt

    from console.report import selectors
    from console.services import copy_event

    purge_event(event=world)
    copy = copy_event(
        event=world,
        name="Kent 2027",
        slug="kent-2027",
        starts_on=world.starts_on.replace(year=world.starts_on.year + 1) + dt.timedelta(days=0),
    )

    years = selectors.report_figures(copy)["year_on_year"]

    assert years[1]["event"] == "Kent symposium 2026"
    assert (years[1]["responses"], years[1]["rate"], years[1]["overall"]) == (8, 36, 4.0)


@pytest.mark.django_db
def test_a_report_is_made_once_whoever_runs_its_job_again(world):
    report = BoardReport.objects.create(event=world)
    services.prepare_report(report_id=report.pk)
    first = BoardReport.objects.get(pk=report.pk)
    Response.objects.filter(survey__event=world).delete()  # the figures would change

    services.prepare_report(report_id=report.pk)  # a retry, a second worker

    again = BoardReport.objects.get(pk=report.pk)
    assert again.finished_at == first.finished_at
    assert again.figures == first.figures
    assert again.figures["feedback"]["responses"] == 8
