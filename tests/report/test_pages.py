"""The report's staff pages: what the HTML page and the PDF say (read with pypdf), who
may see, prepare and download it, the quotes page, the links to it, and the number of
queries at two sizes of event."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from pypdf import PdfReader

from bench.report import build
from console.report import services
from feedback.models import Response
from symposium.enums import Sector
from symposium.models import BoardReport
from tests.factories import TeamFactory, UserFactory
from tests.report.conftest import people

pytestmark = pytest.mark.django_db


def prepared(event, user=None):
    report = BoardReport.objects.create(event=event, requested_by=user)
    services.prepare_report(report_id=report.pk)
    report.refresh_from_db()
    return report


def page_text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_organiser_prepares_the_report_and_reads_it_as_html_and_pdf(
    organiser_client, world, django_capture_on_commit_callbacks
):
    url = reverse("staff:report", args=[world.slug])
    empty = organiser_client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        asked = organiser_client.post(url)

    report = BoardReport.objects.get(event=world)
    if report.status != BoardReport.Status.DONE:  # queued: run it as the worker would
        services.prepare_report(report_id=report.pk)
    page = organiser_client.get(url)
    pdf = organiser_client.get(reverse("staff:report-pdf", args=[world.slug]))

    assert "No report has been prepared yet." in page_text(empty)
    assert asked.status_code == 302
    text = page_text(page)
    for words in [
        "33 confirmed registrations: 22 attended and 11 did not come (no-shows).",
        "8 responses from 22 people asked (36 %). Overall score: 4.0 out of 5.",
        "Brilliant networking with the council.",
        "Invite housing colleagues.",
        "Set up a data-sharing agreement",
        "An organisation not named",
        "We will publish our waiting times.",
    ]:
        assert words in text, words
        assert words in pdf_text(pdf.content), words
    assert "Secret words" not in text
    assert "Secret words" not in pdf_text(pdf.content)
    assert "Secretive Trust" not in text + pdf_text(pdf.content)
    assert "Draft action" not in text + pdf_text(pdf.content)
    assert pdf["Content-Type"] == "application/pdf"
    # Charts: SVG on the page (sectors, scores, year on year), vectors in the PDF.
    assert page.content.decode().count('<svg class="chart__svg"') == 3
    assert "Attended, year on year" in text
    assert "Attended, year on year" in pdf_text(pdf.content)
    assert b"/Subtype /Image" not in pdf.content


def test_small_groups_are_hidden_in_the_html_and_the_pdf(organiser_client, world):
    people(world, 3, sector=Sector.POLICE, organisation="Lone Constabulary", came=2)
    Response.objects.filter(survey__event=world).update(comments_quoted=True)
    report = prepared(world)

    text = page_text(organiser_client.get(reverse("staff:report", args=[world.slug])))
    pdf = pdf_text(bytes(report.pdf))

    for body in (text, pdf):
        assert "Police fewer than 5 fewer than 5 fewer than 5" in body
        assert "Lone Constabulary" not in body  # merged into the small organisations
        # 3 ratings: no mean, and no number that reads as a score.
        assert "Data talk not shown (fewer than 5 answers) fewer than 5" in body
        assert "Quiet theme" in body
        assert "Quiet theme (Breakout round" in body
        # Each "withheld" figure is one of 5 or more hidden beside a small one.
        assert "withheld" in body


def test_fewer_than_five_responses_print_no_score_and_no_quote(organiser_client, world):
    keep = Response.objects.filter(survey__event=world).order_by("pk")[:4]
    Response.objects.filter(survey__event=world).exclude(pk__in=keep).delete()
    report = prepared(world)

    text = page_text(organiser_client.get(reverse("staff:report", args=[world.slug])))
    pdf = pdf_text(bytes(report.pdf))

    for body in (text, pdf):
        assert (
            "fewer than 5 responses from 22 people asked. "
            "Overall score: not shown (fewer than 5 answers)." in body
        )
        assert "No quotes: fewer than 5 people responded." in body
        assert "Brilliant networking" not in body


def test_the_report_needs_its_permission(client, world):
    prepared(world)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["export_attendees", "view_event"])
    )
    client.force_login(staff)

    for name in ("report", "report-pdf", "report-status", "report-quotes"):
        assert client.get(reverse(f"staff:{name}", args=[world.slug])).status_code == 403, name


def test_viewing_is_not_preparing(client, world):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_boardreport"))
    client.force_login(viewer)

    page = client.get(reverse("staff:report", args=[world.slug]))
    refused = client.post(reverse("staff:report", args=[world.slug]))

    assert page.status_code == 200
    assert "Prepare the report" not in page.content.decode()
    assert refused.status_code == 403
    assert not BoardReport.objects.exists()


def test_the_pdf_is_rechecked_at_download(client, world):
    prepared(world)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_boardreport"))
    client.force_login(staff)
    url = reverse("staff:report-pdf", args=[world.slug])
    first = client.get(url)

    staff.user_permissions.clear()
    taken_away = client.get(url)
    team_only = UserFactory(is_staff=True, teams=[TeamFactory(name="Elsewhere", events=[])])
    team_only.user_permissions.set(Permission.objects.filter(codename="view_boardreport"))
    client.force_login(team_only)
    other_team = client.get(url)

    assert first.status_code == 200
    assert taken_away.status_code == 403
    assert other_team.status_code == 404


def test_no_pdf_before_a_report_is_ready(organiser_client, world):
    assert organiser_client.get(reverse("staff:report-pdf", args=[world.slug])).status_code == 404


def test_the_organiser_picks_the_quotes(organiser_client, world):
    url = reverse("staff:report-quotes", args=[world.slug])
    page = organiser_client.get(url)
    secret = Response.objects.get(comments="Secret words")
    networking = Response.objects.get(comments__startswith="Brilliant")

    saved = organiser_client.post(url, {"comments_quoted": [str(secret.pk)]})

    assert "Secret words" in page.content.decode()
    assert saved.status_code == 302
    secret.refresh_from_db()
    networking.refresh_from_db()
    assert secret.comments_quoted
    assert not networking.comments_quoted  # shown and not ticked: no longer quoted
    assert (
        list(Response.objects.filter(do_differently_quoted=True).values_list("pk", flat=True)) == []
    )


def test_the_event_pages_link_to_the_report(organiser_client, world):
    index = organiser_client.get(reverse("admin:index"))
    staff = organiser_client.get(reverse("staff:event", args=[world.slug]))

    link = reverse("staff:report", args=[world.slug])
    assert f'href="{link}"' in index.content.decode()
    assert f'href="{link}"' in staff.content.decode()


@pytest.mark.parametrize("size", [(20, 10), (200, 100)])
def test_the_job_and_the_page_run_a_fixed_number_of_queries(
    size, organiser_client, django_assert_num_queries
):
    delegates, responses = size
    event = build(delegates=delegates, responses=responses, slug="sized")
    report = BoardReport.objects.create(event=event)
    # The same count at both sizes: 26 for the job (its audit entry written in a
    # savepoint with the result: 3), 20 for the page and its PDF, 8 for the quotes page.
    with django_assert_num_queries(26):
        services.prepare_report(report_id=report.pk)
    organiser_client.get(reverse("staff:report", args=[event.slug]))  # session warmed
    with django_assert_num_queries(20):
        organiser_client.get(reverse("staff:report", args=[event.slug]))
        organiser_client.get(reverse("staff:report-pdf", args=[event.slug]))
    with django_assert_num_queries(8):
        organiser_client.get(reverse("staff:report-quotes", args=[event.slug]))


def test_an_event_with_nobody_and_no_survey_still_has_a_report(organiser_client):
    from feedback.models import Survey
    from tests.factories import EventFactory

    event = EventFactory(slug="empty")
    # feedback makes a survey with each event: this one had none.
    Survey.objects.filter(event=event).delete()
    report = prepared(event)

    text = page_text(organiser_client.get(reverse("staff:report", args=[event.slug])))
    pdf = pdf_text(bytes(report.pdf))

    for body in (text, pdf):
        assert (
            "fewer than 5 confirmed registrations: fewer than 5 attended and fewer than 5 "
            "did not come (no-shows)." in body
        )
        assert "This event had no feedback survey." in body
        assert "No breakout sessions." in body
        assert "0 breakout sessions published their outcomes: 0 actions and 0 pledges." in body
