"""Partner leads in the admin: organisers add them, email them their link (on the task
queue), revoke links, and read the audit of what each lead did."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from partners.models import LeadAction, PartnerLead, PartnerLeadAction
from registration.partner_leads import cancel_for_lead
from tests.background import run_background_jobs
from tests.factories import (
    AffiliationFactory,
    DelegateFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    PartnerLeadFactory,
    UserFactory,
)
from tests.helpers import admin_url

pytestmark = pytest.mark.django_db


def make_lead():
    return PartnerLeadFactory(events=[EventFactory()])


def make_action():
    lead = make_lead()
    return PartnerLeadAction.objects.create(
        lead=lead, action=LeadAction.LINK_SENT, event=lead.events.get(), details="to them"
    )


MAKERS = {PartnerLead: make_lead, PartnerLeadAction: make_action}


def test_a_lead_is_for_an_organisation_or_a_network_never_both_nor_neither():
    organisation, network = OrganisationFactory(), NetworkFactory()
    for fields in ({"organisation": None}, {"organisation": organisation, "network": network}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PartnerLeadFactory(**fields)
    assert not PartnerLead.objects.exists()


def test_an_organiser_adds_a_lead_and_a_both_or_neither_lead_is_refused_by_the_form(
    organiser_client,
):
    event, organisation, network = EventFactory(), OrganisationFactory(), NetworkFactory()
    url = admin_url(PartnerLead, "add")
    data = {
        "name": "Mo Medway",
        "email": "mo@medway.gov.uk",
        "events": [event.pk],
        "actions-TOTAL_FORMS": 0,
        "actions-INITIAL_FORMS": 0,
    }

    both = organiser_client.post(
        url, data | {"organisation": organisation.pk, "network": network.pk}
    )
    assert both.status_code == 200
    assert "Give the organisation or the network this person leads for" in both.text
    assert 'value="Mo Medway"' in both.text
    assert not PartnerLead.objects.exists()

    added = organiser_client.post(url, data | {"organisation": organisation.pk})
    assert added.status_code == 302
    lead = PartnerLead.objects.get()
    assert (lead.organisation, list(lead.events.all())) == (organisation, [event])


def test_the_audit_shows_in_the_admin_and_cannot_be_changed(organiser_client):
    event = EventFactory()
    organisation = OrganisationFactory(name="Medway Council")
    lead = PartnerLeadFactory(name="Mo Medway", organisation=organisation, events=[event])
    ann = DelegateFactory(event=event, first_name="Ann", last_name="Achebe", email="ann@x.org")
    AffiliationFactory(delegate=ann, organisation=organisation)
    cancel_for_lead(lead=lead, delegate=ann)

    changelist = organiser_client.get(admin_url(PartnerLeadAction, "changelist"))
    assert changelist.status_code == 200
    assert "Cancelled a registration" in changelist.text
    assert "Ann Achebe &lt;ann@x.org&gt;" in changelist.text
    lead_page = organiser_client.get(admin_url(PartnerLead, "change", lead.pk))
    assert "Ann Achebe &lt;ann@x.org&gt;" in lead_page.text
    action = PartnerLeadAction.objects.get()
    assert organiser_client.get(admin_url(PartnerLeadAction, "add")).status_code == 403
    assert (
        organiser_client.post(admin_url(PartnerLeadAction, "delete", action.pk)).status_code == 403
    )


def test_revoking_in_the_admin_gives_a_new_access_key_and_is_recorded(organiser_client, organiser):
    lead = make_lead()
    key = lead.access_key

    response = organiser_client.post(
        admin_url(PartnerLead, "changelist"),
        {"action": "revoke_links", "_selected_action": [lead.pk]},
    )

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.access_key != key
    action = PartnerLeadAction.objects.get()
    assert (action.action, action.done_by) == (LeadAction.LINKS_REVOKED, organiser)


def test_staff_without_the_right_cannot_email_or_revoke(client):
    from tests.helpers import staff_user

    client.force_login(staff_user("view_partnerlead"))
    lead = make_lead()
    key = lead.access_key
    for action in ("email_links", "revoke_links"):
        client.post(
            admin_url(PartnerLead, "changelist"),
            {"action": action, "_selected_action": [lead.pk]},
        )
    lead.refresh_from_db()
    assert lead.access_key == key
    assert not PartnerLeadAction.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_email_their_link_goes_through_the_task_queue_and_the_link_opens_their_page():
    # A superuser: the Organisers group, from a data migration, is gone after an earlier
    # live-server test's flush (its rights are tested above).
    organiser = UserFactory(is_staff=True, is_superuser=True)
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    over = EventFactory(
        slug="over",
        starts_on=event.starts_on.replace(year=event.starts_on.year - 1),
        ends_on=event.starts_on.replace(year=event.starts_on.year - 1),
    )
    organisation = OrganisationFactory(name="Medway Council")
    lead = PartnerLeadFactory(
        name="Mo Medway", email="mo@medway.gov.uk", organisation=organisation, events=[event, over]
    )
    ann = DelegateFactory(event=event, first_name="Ann", last_name="Achebe")
    AffiliationFactory(delegate=ann, organisation=organisation)
    client = Client()
    client.force_login(organiser)

    response = client.post(
        admin_url(PartnerLead, "changelist"),
        {"action": "email_links", "_selected_action": [lead.pk]},
    )
    assert response.status_code == 302
    assert mail.outbox == []  # Nothing built or sent in the request.
    run_background_jobs()

    (message,) = mail.outbox
    assert message.to == ["mo@medway.gov.uk"]
    assert message.subject == "Your link to your people at Kent and Medway ICS symposium"
    html = message.alternatives[0][0]
    (url,) = re.findall(r"https?://\S+/partners/[^/\s]+/", message.body)
    assert f'href="{url}"' in html
    page = Client().get(urlsplit(url).path)
    assert page.status_code == 200
    assert "Ann Achebe" in page.text
    (sent,) = PartnerLeadAction.objects.filter(action=LeadAction.LINK_SENT)
    assert (sent.event, sent.done_by) == (event, organiser)
