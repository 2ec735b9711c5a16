"""Background jobs in the admin: organisers see what failed and why, and retry it;
event staff do not see them."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from symposium import background
from tests.background import run_background_jobs
from tests.factories import UserFactory
from tests.helpers import admin_url, staff_user
from tests.symposium.background_tasks import fail_for_good, lines, write_line

pytestmark = pytest.mark.postgres


def job_admin(view, *args):
    from symposium.background.models import BackgroundJob

    return admin_url(BackgroundJob, view, *args)


def the_job(task):
    from symposium.background.models import BackgroundJob

    return BackgroundJob.objects.get(task_name=task.name)


@pytest.mark.django_db(transaction=True)
def test_organiser_sees_why_a_job_failed_and_retries_it(client, tmp_path):
    from symposium.background.models import JobFailure

    # The Organisers group's right that opens the jobs (the group itself may have gone
    # with an earlier transactional test's flush; the changelist test below uses it).
    organiser_client = client
    organiser_client.force_login(staff_user("change_event"))
    log = tmp_path / "log"
    background.defer(fail_for_good, path=str(log))
    run_background_jobs()
    job = the_job(fail_for_good)

    changelist = organiser_client.get(job_admin("changelist"), {"status__exact": "failed"})
    change = organiser_client.get(job_admin("change", job.pk))

    assert changelist.status_code == change.status_code == 200
    assert job_admin("changelist") in organiser_client.get("/admin/").content.decode()
    for page in (changelist, change):
        text = page.content.decode()
        assert "RuntimeError: the badge printer is out of paper" in text
        assert 'style="' not in text  # the Content-Security-Policy blocks inline styles
    assert [row.pk for row in changelist.context["cl"].result_list] == [job.pk]
    assert job.status == "failed"

    response = organiser_client.post(
        job_admin("changelist"),
        {"action": "retry_jobs", "_selected_action": [job.pk]},
        follow=True,
    )

    assert "1 job(s) put back in the queue." in [m.message for m in response.context["messages"]]
    assert the_job(fail_for_good).status == "todo"
    run_background_jobs()
    assert lines(log) == ["attempt", "attempt"]
    assert the_job(fail_for_good).status == "failed"
    failure = JobFailure.objects.get(job_id=job.pk)  # one row: the last failure
    assert failure.error == "RuntimeError: the badge printer is out of paper"


@pytest.mark.django_db
def test_event_staff_do_not_see_background_jobs(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Event staff"))
    client.force_login(user)

    assert client.get(job_admin("changelist")).status_code == 403
    assert job_admin("changelist") not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_job_changelist_queries_do_not_grow_with_jobs(organiser_client):
    url = job_admin("changelist")
    background.defer(write_line, path="/dev/null", line="one")
    organiser_client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as one_job:
        assert organiser_client.get(url).context["cl"].result_count == 1
    for n in range(4):
        background.defer(write_line, path="/dev/null", line=str(n))
    with CaptureQueriesContext(connection) as five_jobs:
        assert organiser_client.get(url).context["cl"].result_count == 5

    assert len(five_jobs) == len(one_job)
