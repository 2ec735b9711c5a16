"""The demo's outcomes (demo.OUTCOMES): two themes published on the public page, one
awaiting review; organisations named only where the demo says they agreed; a second
load changes nothing."""

import pytest
from django.urls import reverse

from outcomes.models import Action, OutcomeStatus, Pledge, SessionOutcome
from tests.demo.test_loaddemo import SLUG, load

pytestmark = pytest.mark.django_db


def test_the_demo_publishes_two_themes_outcomes_and_one_awaits_review(client):
    load()
    load()  # Again: nothing added twice.
    assert SessionOutcome.objects.count() == 3
    assert Action.objects.count() == 6
    assert Pledge.objects.count() == 3
    statuses = dict(SessionOutcome.objects.values_list("session__theme__number", "status"))
    assert statuses == {1: OutcomeStatus.PUBLISHED, 5: OutcomeStatus.PUBLISHED, 3: "submitted"}
    # Owners found in the partner directory where it has them.
    assert Action.objects.filter(organisation__isnull=False).count() == 5

    html = client.get(reverse("outcomes:public", args=[SLUG])).content.decode()
    assert "Developing a healthier economy and population" in html
    assert "Health and housing" in html
    assert "Isle of Sheppey" not in html  # Awaiting review.
    assert "Ashford Borough Council" in html
    assert "Rising Sun" not in html  # Did not agree to be named.
    assert "A partner organisation (Voluntary, community and social enterprise (VCSE))" in html
    assert "facilitator@example.org" not in html
    home = client.get(reverse("symposium:event-detail", args=[SLUG])).content.decode()
    assert "Outcomes: sharing good practice" in home
