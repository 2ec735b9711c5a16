"""A facilitator's save that arrives while an organiser publishes waits for the
publishing, then is refused: published outcomes are never changed by the link."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from outcomes.models import OutcomeStatus, SessionOutcome
from tests.outcomes.factories import ActionFactory, SessionOutcomeFactory
from tests.outcomes.test_facilitator import ACTION, link, posted

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_save_racing_a_publish_is_refused_and_changes_nothing():
    outcome = SessionOutcomeFactory(status=OutcomeStatus.SUBMITTED, key_points="Reviewed")
    ActionFactory(outcome=outcome, description="Reviewed action")
    locked = threading.Event()

    def publish_slowly():
        try:
            with transaction.atomic():
                row = SessionOutcome.objects.select_for_update().get(pk=outcome.pk)
                locked.set()
                time.sleep(0.5)  # The facilitator's POST arrives meanwhile.
                row.status = OutcomeStatus.PUBLISHED
                row.published_at = timezone.now()
                row.save()
        finally:
            connection.close()

    organiser = threading.Thread(target=publish_slowly)
    organiser.start()
    assert locked.wait(5)
    response = Client().post(
        link(outcome), posted(key_points="Changed late", actions=[ACTION], submit="1")
    )
    organiser.join()

    assert response.status_code == 409
    assert "can no longer be changed" in response.content.decode()
    outcome.refresh_from_db()
    assert (outcome.status, outcome.key_points) == (OutcomeStatus.PUBLISHED, "Reviewed")
    assert list(outcome.actions.values_list("description", flat=True)) == ["Reviewed action"]
