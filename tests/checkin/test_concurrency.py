"""Several desks scanning one badge at the same moment record one check-in: the
earliest scan. Threads with their own connections, released together; PostgreSQL's
row locks are what this relies on."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from checkin.models import CheckIn
from tests.checkin.helpers import scan, send_scans
from tests.factories import DelegateFactory
from tests.helpers import staff_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DESKS = 20


def test_twenty_simultaneous_check_ins_of_one_delegate_record_one_the_earliest():
    delegate = DelegateFactory()
    # The permission itself: a transactional test may run after another has emptied the
    # database, and the groups the migrations made with it.
    user = staff_user("check_in")
    now = timezone.now()
    # Desk n scanned n seconds before now: desk 19's scan is the earliest.
    scans = [
        scan(delegate, at=now - dt.timedelta(seconds=n), desk=f"desk {n}") for n in range(DESKS)
    ]
    barrier = threading.Barrier(DESKS)
    answers, errors = [], []

    def desk(body):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=30)
            answers.append(send_scans(client, delegate.event, body).json()["results"][0])
        except Exception as error:  # Reported by the assertions below.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(body,)) for body in scans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(answers) == DESKS
    statuses = sorted(answer["status"] for answer in answers)
    assert statuses == ["already"] * (DESKS - 1) + ["checked_in"]
    row = CheckIn.objects.get()
    assert (row.at, row.desk) == (now - dt.timedelta(seconds=DESKS - 1), f"desk {DESKS - 1}")


def test_one_nonce_sent_at_once_for_several_delegates_is_refused_not_a_500():
    """Each scan locks its own delegate, so they do not queue behind each other: the
    unique nonce is what refuses all but one, and each refusal is an answer."""
    event = DelegateFactory().event
    delegates = DelegateFactory.create_batch(8, event=event)
    user = staff_user("check_in")
    nonce = uuid.uuid4()
    barrier = threading.Barrier(len(delegates))
    answers, errors = [], []

    def desk(delegate):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        try:
            barrier.wait(timeout=30)
            response = send_scans(client, event, scan(delegate, nonce=nonce), scan(delegate))
            assert response.status_code == 200, response.status_code
            answers.append(response.json()["results"])
        except Exception as error:  # Reported by the assertions below.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(d,)) for d in delegates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    firsts = sorted(results[0]["status"] for results in answers)
    assert firsts == ["checked_in"] + ["refused"] * (len(delegates) - 1)
    # The second scan of each batch (its own nonce) finds the delegate checked in or not.
    assert CheckIn.objects.filter(nonce=nonce).count() == 1
    assert CheckIn.objects.filter(undone_at__isnull=True).count() == len(delegates)
