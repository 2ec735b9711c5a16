"""Badges for a whole event as background work (issue 20, point 2): over
badges.BACKGROUND_OVER the desk gets a run with its progress, and the PDF from a real
worker once it is done; fewer come back at once."""

import io

import pytest
from pypdf import PdfReader

from checkin import badges
from checkin.codes import check_in_code
from checkin.models import BadgePrint, BadgeRun
from tests.background import run_background_jobs
from tests.checkin.helpers import desk_url
from tests.factories import DelegateFactory, EventFactory
from tests.helpers import staff_user


@pytest.fixture
def few_over(monkeypatch):
    monkeypatch.setattr(badges, "BACKGROUND_OVER", 4)
    monkeypatch.setattr(badges, "PROGRESS_EVERY", 8)


def run_url(event, run, name="badge-run"):
    from django.urls import reverse

    return reverse(f"checkin:{name}", kwargs={"slug": event.slug, "run": run.pk})


@pytest.mark.postgres  # the run is queued, then done by a worker
@pytest.mark.django_db(transaction=True)
def test_a_big_run_is_made_in_the_background_with_progress_then_downloaded(client, few_over):
    event = EventFactory()
    delegates = DelegateFactory.create_batch(10, event=event)
    client.force_login(staff_user("check_in"))
    response = client.get(desk_url(event, "badges"))
    run = BadgeRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run_url(event, run)
    page = client.get(response["Location"]).content.decode()
    assert "10 badges are being made in the background" in page
    assert "Waiting to start: 0 of 10." in page
    assert client.get(run_url(event, run, "badge-run-pdf")).status_code == 404
    assert not BadgePrint.objects.exists()

    run_background_jobs()
    status = client.get(run_url(event, run, "badge-run-status")).json()
    assert status["status"] == "done"
    assert (status["done"], status["total"]) == (10, 10)
    assert status["download"] == run_url(event, run, "badge-run-pdf")
    download = client.get(status["download"])
    assert download["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(download.content))
    assert len(reader.pages) == 2
    text = " ".join(page.extract_text() for page in reader.pages)
    for delegate in delegates:
        assert check_in_code(delegate) in text
    assert BadgePrint.objects.get().count == 10


@pytest.mark.django_db(transaction=True)
def test_progress_is_saved_page_by_page_as_the_run_goes(monkeypatch, few_over):
    event = EventFactory()
    DelegateFactory.create_batch(20, event=event)
    run = BadgeRun.objects.create(event=event, scope="all", total=0)
    seen = []
    real_pdf = badges.badge_pdf

    def watched(*, event, delegates, progress):
        def told(count):
            progress(count)
            # What the desk's page reads at that moment.
            seen.append(BadgeRun.objects.values_list("status", "done", "total").get(pk=run.pk))

        return real_pdf(event=event, delegates=delegates, progress=told)

    monkeypatch.setattr(badges, "badge_pdf", watched)
    badges.make_badge_run(run_id=run.pk)
    assert seen == [("running", 8, 20), ("running", 16, 20)]
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == ("done", 20, 20)
    assert run.finished_at is not None


@pytest.mark.django_db
def test_a_small_run_comes_back_at_once(client, few_over):
    event = EventFactory()
    DelegateFactory.create_batch(4, event=event)
    client.force_login(staff_user("check_in"))
    response = client.get(desk_url(event, "badges"))
    assert response["Content-Type"] == "application/pdf"
    assert not BadgeRun.objects.exists()


@pytest.mark.django_db
def test_a_run_is_for_its_events_desk_staff_only_and_goes_with_the_event(client, few_over):
    event, other = EventFactory(), EventFactory()
    run = BadgeRun.objects.create(event=event, scope="all", total=1, status="done", pdf=b"%PDF")
    client.force_login(staff_user())  # staff, but may not check in
    assert client.get(run_url(event, run, "badge-run-pdf")).status_code == 403
    client.force_login(staff_user("check_in"))
    assert client.get(run_url(event, run, "badge-run-pdf")).content == b"%PDF"
    wrong = run_url(event, run, "badge-run-pdf").replace(event.slug, other.slug)
    assert client.get(wrong).status_code == 404
    client.logout()
    assert client.get(run_url(event, run, "badge-run-pdf")).status_code == 302
    event.delete()
    assert not BadgeRun.objects.exists()
