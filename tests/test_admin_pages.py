"""Every model in the admin, in every app, works for an organiser (a staff account in the
Organisers group, not a superuser), and its changelist's queries do not grow with rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import PartnerLead
from tests.breakouts.test_admin import MAKERS as BREAKOUT_MAKERS
from tests.console.test_admin import ADDABLE as SYMPOSIUM_ADDABLE
from tests.console.test_admin import MAKERS as SYMPOSIUM_MAKERS
from tests.helpers import admin_url
from tests.partners.test_lead_admin import MAKERS as PARTNER_LEAD_MAKERS
from tests.partners.test_quotas import MAKERS as QUOTA_MAKERS
from tests.speakers.test_admin import MAKERS as SPEAKER_MAKERS

pytestmark = pytest.mark.django_db

MAKERS = SYMPOSIUM_MAKERS | SPEAKER_MAKERS | BREAKOUT_MAKERS | PARTNER_LEAD_MAKERS | QUOTA_MAKERS
ADDABLE = [*SYMPOSIUM_ADDABLE, *SPEAKER_MAKERS, *BREAKOUT_MAKERS, PartnerLead, *QUOTA_MAKERS]
by_name = {"ids": lambda model: model._meta.label}


@pytest.mark.parametrize("model", MAKERS, **by_name)
def test_changelist_loads_for_organiser(organiser_client, model):
    MAKERS[model]()

    response = organiser_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("model", ADDABLE, **by_name)
def test_add_page_loads_for_organiser(organiser_client, model):
    response = organiser_client.get(admin_url(model, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("model", MAKERS, **by_name)
def test_change_page_loads_for_organiser(organiser_client, model):
    obj = MAKERS[model]()

    response = organiser_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200
    assert response.context["original"] == obj


@pytest.mark.parametrize("model", MAKERS, **by_name)
def test_changelist_query_count_is_the_same_for_one_and_five_rows(
    organiser_client, django_assert_num_queries, model
):
    url = admin_url(model, "changelist")
    MAKERS[model]()
    organiser_client.get(url)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as one_row:
        response = organiser_client.get(url)
    assert response.context["cl"].result_count == 1
    for _ in range(4):
        MAKERS[model]()

    with django_assert_num_queries(len(one_row)):
        response = organiser_client.get(url)

    assert response.context["cl"].result_count == 5
