"""Two leads who both lead for one person (their organisation's and their network's)
pass that person's place on at the same moment: one colleague gets it, once."""

import pytest
from django.test import Client

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from partners.models import PartnerLeadAction
from symposium.enums import RegistrationStatus
from symposium.models import Delegate
from tests.breakouts.test_concurrency import all_at_once
from tests.partners.test_leads import lead_url, world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_leads_passing_one_place_at_once_give_it_to_one_colleague(world):  # noqa: F811
    event, ann, session = world["event"], world["ann"], world["session"]
    colleagues = [
        {"first_name": "Dee", "last_name": "One", "email": "dee.one@example.org"},
        {"first_name": "Dee", "last_name": "Two", "email": "dee.two@example.org"},
    ]
    leads = [world["medway_lead"], world["network_lead"]]
    requests = [
        lambda lead=lead, colleague=colleague: (
            Client().post(lead_url(lead, event, "partner-substitute", ann), colleague).status_code
        )
        for lead, colleague in zip(leads, colleagues, strict=True)
    ]

    statuses, errors = all_at_once(requests)

    assert errors == []
    assert statuses.count(302) == 1
    # The other was told the registration is gone: the form's error (200) when it read
    # the registration before the first committed, its page (404) when after.
    [other] = [status for status in statuses if status != 302]
    assert other in (200, 404)
    taken = Delegate.objects.filter(email__in=[c["email"] for c in colleagues])
    assert taken.count() == 1
    colleague = taken.get()
    assert colleague.status == RegistrationStatus.CONFIRMED
    assert list(
        BreakoutChoice.objects.filter(delegate=colleague).values_list("session", "status")
    ) == [(session.pk, ChoiceStatus.CONFIRMED)]
    assert BreakoutChoice.objects.filter(session=session).count() == 2  # Ann's, Bob's.
    assert PartnerLeadAction.objects.count() == 1
