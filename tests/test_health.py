import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["cache"]) == ("ok", "ok", "ok")


@pytest.mark.django_db
def test_healthz_answers_a_plain_http_check_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/events/").status_code == 301


@pytest.mark.django_db
def test_healthz_without_a_task_queue_says_tasks_run_in_process(client, settings):
    settings.BACKGROUND_QUEUE = False  # SQLite: no worker, tasks run after each commit

    assert client.get("/healthz").json()["worker"] == "in-process"
