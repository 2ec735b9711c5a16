"""Attendee lists longer than settings.EXPORT_IN_REQUEST_ROWS are made on the task queue
(issue 22): recorded and queued by the request, written once by a real worker, kept in
the database for the one who asked (permissions checked again), removed on expiry."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from console.exports import prepared as prepared_exports
from registration import privacy
from symposium.background.models import JobFailure
from symposium.models import Delegate, ExportRecord, PreparedExport
from tests.background import run_background_jobs
from tests.console.test_exports import export_url, world  # noqa: F401
from tests.factories import DelegateFactory
from tests.helpers import staff_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
# As the "Event staff" group has them (a transactional test's flush removes the groups).
MAY_EXPORT = ("export_attendees", "view_delegateneeds")


@pytest.fixture
def low_threshold(settings):
    settings.EXPORT_IN_REQUEST_ROWS = 2


@pytest.fixture
def staff(client, world):  # noqa: F811
    """A staff member who may export and view needs, signed in."""
    user = staff_user(*MAY_EXPORT)
    client.force_login(user)
    return user


def prepared_url(prepared, name="prepared-export"):
    kwargs = {"slug": prepared.record.event.slug, "export": prepared.pk}
    return reverse(f"staff:{name}", kwargs=kwargs)


def ask(client, event, **params):
    url, query = export_url(event, **params)
    return client.get(url, query)


def read_rows(content: bytes, file_format: str):
    if file_format == "csv":
        text = content.decode("utf-8")
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:], newline="")))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def queue_one(client, world, **params):  # noqa: F811
    response = ask(client, world.event, statuses="all", **params)
    prepared = PreparedExport.objects.select_related("record__event").get()
    assert response.status_code == 302
    assert response["Location"] == prepared_url(prepared)
    return prepared


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_long_list_is_made_on_the_queue_and_reads_as_the_request_would_send_it(
    client,
    world,  # noqa: F811
    staff,
    low_threshold,
    settings,
    file_format,
):
    erin = Delegate.objects.get(event=world.event, first_name="Erin")
    erin.job_title = '=HYPERLINK("http://evil")'
    erin.save()
    prepared = queue_one(client, world, file_format=file_format, include_needs="on")

    page = client.get(prepared_url(prepared)).content.decode()
    assert "5 rows are too many to download at once" in page
    assert "Waiting to start: 0 of 5 rows." in page
    assert client.get(prepared_url(prepared, "prepared-export-file")).status_code == 404
    record = ExportRecord.objects.get()
    assert (record.row_count, record.exported_by, record.file_format) == (5, staff, file_format)

    run_background_jobs()
    status = client.get(prepared_url(prepared, "prepared-export-status")).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 5, 5)
    assert status["download"] == prepared_url(prepared, "prepared-export-file")
    assert "Download the list" in client.get(prepared_url(prepared)).content.decode()
    download = client.get(status["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{prepared.filename}"'
    assert download["Cache-Control"].startswith("max-age=0")
    queued_rows = read_rows(download.content, file_format)

    settings.EXPORT_IN_REQUEST_ROWS = 2000
    url, query = export_url(
        world.event, statuses="all", file_format=file_format, include_needs="on"
    )
    immediate = client.get(url, query)
    assert immediate.status_code == 200
    assert PreparedExport.objects.count() == 1  # the short list came at once
    assert queued_rows == read_rows(b"".join(immediate.streaming_content), file_format)
    assert [row[0] for row in queued_rows[1:]] == [
        "Alice Archer",
        "Bob Baker",
        "Carol Cole",
        "Dan Dale",
        "Erin Ennis",
    ]
    assert "Dietary needs" in queued_rows[0]
    assert queued_rows[5][4] == '\'=HYPERLINK("http://evil")'  # still text in Excel


def test_only_the_one_who_asked_may_have_the_file_while_they_may_export(
    client,
    world,  # noqa: F811
    staff,
    low_threshold,
):
    prepared = queue_one(client, world)
    run_background_jobs()
    urls = [prepared_url(prepared, name) for name in ("prepared-export", "prepared-export-file")]
    urls.append(prepared_url(prepared, "prepared-export-status"))

    client.force_login(staff_user(*MAY_EXPORT))  # may export, did not ask
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(staff_user())  # may not export at all
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    assert client.post(prepared_url(prepared, "prepared-export-retry")).status_code == 403
    client.logout()
    assert client.get(urls[1]).status_code == 302  # to the login page

    client.force_login(staff)
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    staff.user_permissions.clear()  # the permission taken away since the request
    assert client.get(urls[1]).status_code == 403


def test_a_list_with_needs_needs_the_needs_permission_again_at_download(
    client,
    world,  # noqa: F811
    low_threshold,
):
    user = staff_user(*MAY_EXPORT)
    client.force_login(user)
    ask(client, world.event, statuses="all", include_needs="on")
    ask(client, world.event, statuses="all")
    run_background_jobs()
    with_needs, without_needs = PreparedExport.objects.select_related("record__event").order_by(
        "pk"
    )
    assert (with_needs.record.filters["include_needs"], with_needs.status) == (True, "done")

    user.user_permissions.remove(Permission.objects.get(codename="view_delegateneeds"))

    assert client.get(prepared_url(with_needs, "prepared-export-file")).status_code == 403
    assert client.get(prepared_url(without_needs, "prepared-export-file")).status_code == 200


def test_the_file_goes_after_its_hours_and_its_page_says_so(
    client,
    world,  # noqa: F811
    staff,
    low_threshold,
    settings,
):
    prepared = queue_one(client, world)
    run_background_jobs()
    prepared.refresh_from_db()
    file_url = prepared_url(prepared, "prepared-export-file")
    assert prepared.expires_at == prepared.finished_at + dt.timedelta(hours=24)
    assert prepared_exports.remove_expired_exports(now=prepared.expires_at) == 1

    prepared.refresh_from_db()
    assert (prepared.status, prepared.content, prepared.size) == ("expired", None, 0)
    assert client.get(file_url).status_code == 404
    page = client.get(prepared_url(prepared)).content.decode()
    assert "This file has been removed: lists are kept for 24 hours." in page
    assert ExportRecord.objects.count() == 1  # the audit trail stays


def test_a_file_past_its_hours_is_refused_before_the_hourly_removal(
    client,
    world,  # noqa: F811
    staff,
    low_threshold,
):
    prepared = queue_one(client, world)
    run_background_jobs()
    PreparedExport.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert client.get(prepared_url(prepared, "prepared-export-file")).status_code == 404
    status = client.get(prepared_url(prepared, "prepared-export-status")).json()
    assert (status["status"], status["download"]) == ("expired", None)


def test_the_hourly_task_removes_what_expired_and_nothing_else(world, staff):  # noqa: F811
    from console import tasks

    old, fresh = (
        PreparedExport.objects.create(
            record=ExportRecord.objects.create(
                event=world.event, export="Attendee list", file_format="csv", row_count=1
            ),
            filename=f"{name}.csv",
            status="done",
            content=b"names",
            expires_at=timezone.now() + dt.timedelta(hours=hours),
        )
        for name, hours in (("old", -1), ("fresh", 1))
    )
    tasks.remove_expired_exports(timestamp=0)

    assert PreparedExport.objects.get(pk=old.pk).content is None
    assert bytes(PreparedExport.objects.get(pk=fresh.pk).content) == b"names"


def test_running_the_task_twice_writes_one_file(client, world, staff, low_threshold):  # noqa: F811
    prepared = queue_one(client, world)
    first = timezone.now() - dt.timedelta(minutes=5)
    prepared_exports.prepare_export(prepared_id=prepared.pk, now=first)
    written = PreparedExport.objects.get()
    prepared_exports.prepare_export(prepared_id=prepared.pk)  # a retry after a finish
    run_background_jobs()  # and the job the request queued

    again = PreparedExport.objects.get()
    assert again.finished_at == first
    assert bytes(again.content) == bytes(written.content)
    assert again.size == len(bytes(written.content)) > 0


def test_two_runs_at_once_save_the_file_of_the_first_to_finish(
    client,
    world,  # noqa: F811
    staff,
    low_threshold,
    monkeypatch,
):
    """The second worker (its job taken over from a stalled one) finishes first; the
    first's late update must not write over it."""
    prepared = queue_one(client, world)
    write_file = prepared_exports.write_file
    other = timezone.now() - dt.timedelta(minutes=1)

    def another_worker_finishes_meanwhile(exporter, file_format):
        monkeypatch.setattr(prepared_exports, "write_file", write_file)
        prepared_exports.prepare_export(prepared_id=prepared.pk, now=other)
        return b"the late copy"

    monkeypatch.setattr(prepared_exports, "write_file", another_worker_finishes_meanwhile)
    prepared_exports.prepare_export(prepared_id=prepared.pk)

    saved = PreparedExport.objects.get()
    assert saved.finished_at == other
    assert bytes(saved.content) != b"the late copy"
    assert bytes(saved.content).startswith(b"\xef\xbb\xbfName,")


def test_a_run_cut_short_by_a_killed_worker_is_finished_by_the_retry(
    client,
    world,  # noqa: F811
    staff,
    low_threshold,
):
    queue_one(client, world)
    # What a killed worker leaves: running, part-way, no file; its job queued again
    # (symposium.background.tasks.retry_stalled_jobs).
    PreparedExport.objects.update(status="running", done=2)
    run_background_jobs()

    saved = PreparedExport.objects.get()
    assert (saved.status, saved.done, saved.size > 0) == ("done", 5, True)
    rows = read_rows(bytes(saved.content), "csv")
    assert len(rows) == 6


def test_a_failure_is_shown_recorded_and_can_be_tried_again(
    client,
    world,  # noqa: F811
    staff,
    settings,
):
    settings.EXPORT_IN_REQUEST_ROWS = 1
    prepared = queue_one(client, world, delegates=f"session:{world.housing1.pk}")
    world.housing1.delete()  # between the request and the worker: the list cannot be made
    run_background_jobs()

    prepared.refresh_from_db()
    assert prepared.status == "failed"
    failure = JobFailure.objects.get()
    assert failure.task_name == "console.tasks.prepare_export"
    assert failure.error.startswith("DoesNotExist")
    page = client.get(prepared_url(prepared)).content.decode()
    assert "Preparing this list failed." in page
    assert "Try again" in page

    response = client.post(prepared_url(prepared, "prepared-export-retry"))
    assert response["Location"] == prepared_url(prepared)
    prepared.refresh_from_db()
    assert prepared.status == "queued"
    assert client.post(prepared_url(prepared, "prepared-export-retry")).status_code == 302
    from procrastinate.contrib.django.models import ProcrastinateJob

    assert ProcrastinateJob.objects.filter(status="todo").count() == 1  # not twice


def test_a_short_list_still_comes_at_once(client, world, staff):  # noqa: F811
    page = client.get(reverse("staff:event", kwargs={"slug": world.event.slug}))
    assert "A list of more than 2000 delegates is prepared in the background" in (
        page.content.decode()
    )
    response = ask(client, world.event)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert not PreparedExport.objects.exists()


def test_prepared_lists_go_with_the_event_s_personal_data(
    client,
    world,  # noqa: F811
    staff,
    low_threshold,
):
    queue_one(client, world)
    run_background_jobs()
    delegate = DelegateFactory(event=world.event)
    privacy.erase_registration(delegate=delegate)

    assert not PreparedExport.objects.exists()
    assert ExportRecord.objects.count() == 1


def test_a_worker_killed_while_writing_is_replaced_and_the_file_written_once(client, settings):
    """The worker as deployed (`manage.py procrastinate worker`, a process of its own)
    killed with SIGKILL while it writes a 5,000-row list: the job goes back to the
    queue once its heartbeat is stale, a second worker writes the file, once."""
    import os
    import signal
    import subprocess
    import time

    from procrastinate.contrib.django.models import ProcrastinateJob

    from symposium.enums import RegistrationStatus
    from tests.factories import EventFactory
    from tests.servers import ROOT, production_env
    from tests.symposium.test_mail_worker_kill import WORKER, wait_until

    event = EventFactory()
    Delegate.objects.bulk_create(
        Delegate(
            event=event,
            first_name="Delegate",
            last_name=f"Number {number:04d}",
            email=f"delegate-{number:04d}@example.org",
            organisation="Kent and Medway ICB",
            sector="nhs",
            status=RegistrationStatus.CONFIRMED,
        )
        for number in range(5000)
    )
    settings.EXPORT_IN_REQUEST_ROWS = 100
    client.force_login(staff_user(*MAY_EXPORT))
    url, query = export_url(event, file_format="xlsx")
    assert client.get(url, query).status_code == 302
    prepared = PreparedExport.objects.get()

    def state():
        return PreparedExport.objects.values_list("status", "size").get(pk=prepared.pk)

    env = production_env(WORKER_HEARTBEAT_SECONDS="1")  # stale after 3 s
    worker = subprocess.Popen(WORKER, cwd=ROOT, env=env)
    try:
        wait_until(lambda: state()[0] == "running", within=60)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        assert state() == ("running", 0)  # killed mid-way: no file
        time.sleep(4)  # its heartbeat goes stale
        worker = subprocess.Popen(WORKER, cwd=ROOT, env=env)
        # retry_stalled_jobs runs each minute: the job back in the queue, then written.
        wait_until(lambda: state()[0] == "done", within=150)
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)

    saved = PreparedExport.objects.get()
    job = ProcrastinateJob.objects.get(task_name="console.tasks.prepare_export")
    assert job.status == "succeeded"
    events = list(job.procrastinateevent_set.order_by("id").values_list("type", flat=True))
    # Started by the first worker, given back by the stalled-job sweep, ended by the second.
    assert events.count("started") == 2
    assert events[-3:] == ["deferred_for_retry", "started", "succeeded"]
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(saved.content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5001
    assert rows[1][0] == "Delegate Number 0000"
    assert saved.size == len(bytes(saved.content))
