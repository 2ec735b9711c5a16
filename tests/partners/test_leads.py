"""Partner leads: a signed link shows a named contact their own people at an event, and
lets them pass a place to a colleague or cancel it. Never anyone else's: every page and
action they can reach is tried with another organisation's registration."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from bench.browser_form import browser_post_data
from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from partners import tokens
from partners.models import LeadAction, PartnerLead, PartnerLeadAction
from partners.services import revoke_lead_links
from symposium.enums import RegistrationSource, RegistrationStatus
from symposium.models import Delegate, DelegateNeeds
from symposium.tokens import make_manage_token
from symposium.web.log_filters import redact
from tests.factories import (
    AffiliationFactory,
    BreakoutChoiceFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    PartnerLeadFactory,
    ThemeFactory,
)
from tests.helpers import manage_url

pytestmark = pytest.mark.django_db


def person(event, organisation, first, last, **fields):
    delegate = DelegateFactory(
        event=event,
        first_name=first,
        last_name=last,
        email=f"{first.lower()}.{last.lower()}@example.org",
        organisation=organisation.name,
        **fields,
    )
    AffiliationFactory(delegate=delegate, organisation=organisation)
    return delegate


@pytest.fixture
def world():
    event = EventFactory(name="Kent and Medway ICS symposium", slug="kent-medway")
    session = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, title="Prevention and early help"), capacity=20
    )
    medway = OrganisationFactory(name="Medway Council")
    police = OrganisationFactory(name="Kent Police")
    carers = OrganisationFactory(name="Carers First")
    network = NetworkFactory(name="Better Mental Health Network")
    network.organisations.add(medway, carers)
    ann = person(event, medway, "Ann", "Achebe")
    BreakoutChoiceFactory(delegate=ann, session=session)
    bob = person(event, police, "Bob", "Brennan")
    BreakoutChoiceFactory(delegate=bob, session=session)
    cat = person(event, carers, "Cat", "Chowdhury")
    return {
        "event": event,
        "session": session,
        "ann": ann,
        "bob": bob,
        "cat": cat,
        "medway_lead": PartnerLeadFactory(name="Mo Medway", organisation=medway, events=[event]),
        "police_lead": PartnerLeadFactory(name="Pat Police", organisation=police, events=[event]),
        "network_lead": PartnerLeadFactory(
            name="Nia Network", organisation=None, network=network, events=[event]
        ),
    }


def lead_url(lead, event, name="partner-lead", delegate=None, token=None):
    kwargs = {"event_slug": event.slug, "token": token or tokens.make_lead_token(lead)}
    if delegate is not None:
        kwargs["delegate_pk"] = delegate.pk
    return reverse(f"registration:{name}", kwargs=kwargs)


COLLEAGUE = {
    "first_name": "Dee",
    "last_name": "Dlamini",
    "email": "dee.dlamini@example.org",
    "job_title": "Community safety officer",
}


def links_in(message, kind="manage"):
    return [
        urlsplit(url).path for url in re.findall(rf"https?://\S+/{kind}/[^/\s]+/", message.body)
    ]


def assert_not_found_without(response, *names):
    assert response.status_code == 404
    body = response.content.decode()
    for name in names:
        assert name not in body


# What a lead sees -----------------------------------------------------------------


def test_a_lead_sees_their_organisations_people_with_status_and_breakouts(client, world):
    event = world["event"]
    waiting = person(
        event,
        world["ann"].affiliation.organisation,
        "Wyn",
        "Waite",
        status=RegistrationStatus.WAITLISTED,
    )
    person(
        event,
        world["ann"].affiliation.organisation,
        "Col",
        "Cole",
        status=RegistrationStatus.CANCELLED,
    )

    response = client.get(lead_url(world["medway_lead"], event))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Medway Council at Kent and Medway ICS symposium" in body
    assert [p.pk for p in response.context["people"]] == [world["ann"].pk, waiting.pk]
    assert "ann.achebe@example.org" in body
    assert "Prevention and early help" in body
    assert "On the waitlist" in body
    assert response.context["counts"] == {"confirmed": 1, "waitlisted": 1, "cancelled": 1}
    assert "Bob Brennan" not in body
    assert "bob.brennan" not in body
    assert "Cat Chowdhury" not in body
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_network_lead_sees_every_member_organisation_and_no_other(client, world):
    response = client.get(lead_url(world["network_lead"], world["event"]))

    assert response.status_code == 200
    body = response.content.decode()
    assert {p.pk for p in response.context["people"]} == {world["ann"].pk, world["cat"].pk}
    assert "Medway Council" in body
    assert "Carers First" in body
    assert "Bob Brennan" not in body
    assert "Kent Police" not in body


def test_the_lead_page_runs_the_same_queries_for_one_person_or_many(
    client, world, django_assert_num_queries
):
    url = lead_url(world["medway_lead"], world["event"])
    client.get(url)  # Warm: the session's and the cache's first round trips.
    # With the quotas' use: one; whether the lead's organisation owns actions to follow
    # up (outcomes.receivers.lead_actions_link): one.
    with django_assert_num_queries(6) as one:
        client.get(url)
    for number in range(5):
        extra = person(
            world["event"], world["ann"].affiliation.organisation, "Extra", f"Person{number}"
        )
        BreakoutChoiceFactory(delegate=extra, session=world["session"])
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["people"]) == 6


# Never another organisation's people: every view a lead reaches ------------------------


def test_a_lead_cannot_reach_another_organisations_registration_on_any_view(post, client, world):
    lead, bob, event = world["medway_lead"], world["bob"], world["event"]
    outside = [world["bob"], world["cat"]]  # Another organisation; a network's other member.
    for delegate in outside:
        name = delegate.full_name
        substitute = lead_url(lead, event, "partner-substitute", delegate)
        cancel = lead_url(lead, event, "partner-cancel", delegate)
        assert_not_found_without(client.get(substitute), name, delegate.email)
        assert_not_found_without(post(substitute, COLLEAGUE), name, delegate.email)
        assert_not_found_without(client.get(cancel), name, delegate.email)
        assert_not_found_without(post(cancel), name, delegate.email)
        list_page = client.get(lead_url(lead, event)).content.decode()
        assert name not in list_page
        assert delegate.email not in list_page

    bob.refresh_from_db()
    assert bob.status == RegistrationStatus.CONFIRMED
    assert not Delegate.objects.filter(email=COLLEAGUE["email"]).exists()
    assert not PartnerLeadAction.objects.exists()
    assert mail.outbox == []


def test_a_lead_cannot_reach_a_registration_of_another_event(post, client, world):
    other_event = EventFactory(slug="other")
    theirs_elsewhere = person(other_event, world["ann"].affiliation.organisation, "Eve", "Else")
    lead = world["medway_lead"]

    for name in ("partner-substitute", "partner-cancel"):
        url = lead_url(lead, world["event"], name, theirs_elsewhere)
        assert_not_found_without(client.get(url), "Eve Else")
        assert_not_found_without(post(url, COLLEAGUE), "Eve Else")
    # Nor the other event itself: they do not lead for it.
    assert_not_found_without(client.get(lead_url(lead, other_event)), "Eve Else")
    theirs_elsewhere.refresh_from_db()
    assert theirs_elsewhere.status == RegistrationStatus.CONFIRMED


def test_bad_tampered_or_foreign_tokens_get_a_plain_404(client, world):
    lead, event, ann = world["medway_lead"], world["event"], world["ann"]
    token = tokens.make_lead_token(lead)
    forged = signing.TimestampSigner(salt=tokens.SALT).sign_object(
        {"l": world["police_lead"].pk, "k": lead.access_key}
    )
    for bad in (token[:-2] + "xx", "not-a-token", forged, make_manage_token(ann)):
        response = client.get(lead_url(lead, event, token=bad))
        assert_not_found_without(response, "Ann Achebe", "Medway Council")
        assert "This link does not work" in response.content.decode()
    # And the other way round: a lead's token opens no registration.
    assert client.get(manage_url(ann, token=token)).status_code == 404


def test_a_revoked_lead_gets_a_404_and_a_new_link_works(client, world):
    lead, event = world["medway_lead"], world["event"]
    old = lead_url(lead, event)
    assert client.get(old).status_code == 200

    revoke_lead_links(lead=lead)

    assert_not_found_without(client.get(old), "Ann Achebe")
    assert_not_found_without(
        client.get(lead_url(lead, event, "partner-cancel", world["ann"], token=old.split("/")[-2])),
        "Ann Achebe",
    )
    assert client.get(lead_url(PartnerLead.objects.get(pk=lead.pk), event)).status_code == 200
    assert PartnerLeadAction.objects.get().action == LeadAction.LINKS_REVOKED


def test_a_lead_removed_from_an_event_gets_a_404_there(client, world):
    lead, event = world["medway_lead"], world["event"]
    url = lead_url(lead, event)
    lead.events.remove(event)
    assert client.get(url).status_code == 404


# Passing a place to a colleague --------------------------------------------------------


def test_substitution_passes_the_place_and_only_the_new_link_works(post, client, world):
    lead, event, ann, session = (
        world["medway_lead"],
        world["event"],
        world["ann"],
        world["session"],
    )
    DelegateNeedsFactory(delegate=ann)
    old_link = manage_url(ann)
    assert client.get(old_link).status_code == 200
    form_url = lead_url(lead, event, "partner-substitute", ann)
    assert "Pass Ann Achebe's place to a colleague" in client.get(form_url).content.decode()

    response = post(form_url, COLLEAGUE)

    assert response.status_code == 302
    assert response.url == lead_url(lead, event)
    dee = Delegate.objects.get(email=COLLEAGUE["email"])
    ann_after = Delegate.objects.get(pk=ann.pk)
    assert (dee.status, dee.organisation, dee.sector) == (
        RegistrationStatus.CONFIRMED,
        "Medway Council",
        ann.affiliation.organisation.sector,
    )
    assert (dee.job_title, dee.source, dee.privacy_consent_at) == (
        "Community safety officer",
        RegistrationSource.PARTNER_LEAD,
        None,
    )
    assert dee.affiliation.organisation == ann.affiliation.organisation
    assert list(BreakoutChoice.objects.filter(delegate=dee).values_list("session", "status")) == [
        (session.pk, ChoiceStatus.CONFIRMED)
    ]
    assert ann_after.status == RegistrationStatus.CANCELLED
    assert not BreakoutChoice.objects.filter(delegate=ann).exists()
    assert not DelegateNeeds.objects.filter(delegate__in=[ann, dee]).exists()
    # Nobody else moved: the session holds as many places as before.
    assert (
        BreakoutChoice.objects.filter(session=session, status=ChoiceStatus.CONFIRMED).count() == 2
    )

    # The emails, read as people meet them: the colleague follows their own link.
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {COLLEAGUE["email"], ann.email}
    confirmation = by_address[COLLEAGUE["email"]]
    assert "A colleague's place at Kent and Medway ICS symposium has passed to you" in (
        confirmation.body
    )
    (new_link,) = links_in(confirmation)
    page = client.get(new_link)
    assert page.status_code == 200
    assert page.context["delegate"] == dee
    told = by_address[ann.email]
    assert told.subject == "Your place at Kent and Medway ICS symposium has passed to a colleague"
    assert links_in(told) == []
    assert client.get(old_link).status_code == 404

    # The lead's page now shows the colleague; the audit says who did what.
    listed = client.get(lead_url(lead, event))
    assert [p.pk for p in listed.context["people"]] == [dee.pk]
    assert "Dee Dlamini" in listed.content.decode()
    action = PartnerLeadAction.objects.get()
    assert (action.lead, action.action, action.delegate, action.colleague, action.event) == (
        lead,
        LeadAction.SUBSTITUTED,
        ann_after,
        dee,
        event,
    )
    assert "Ann Achebe <ann.achebe@example.org> replaced by Dee Dlamini" in action.details


def test_a_colleague_takes_the_waitlist_place_and_its_turn(post, world):
    event = world["event"]
    event.delegate_capacity = 3  # Ann, Bob and Cat hold every place.
    event.save()
    medway = world["ann"].affiliation.organisation
    first = person(event, medway, "Fay", "First", status=RegistrationStatus.WAITLISTED)
    second = person(
        event,
        world["bob"].affiliation.organisation,
        "Sid",
        "Second",
        status=RegistrationStatus.WAITLISTED,
    )

    post(lead_url(world["medway_lead"], event, "partner-substitute", first), COLLEAGUE)
    dee = Delegate.objects.get(email=COLLEAGUE["email"])
    assert dee.status == RegistrationStatus.WAITLISTED

    post(lead_url(world["police_lead"], event, "partner-cancel", world["bob"]))

    dee.refresh_from_db()
    second.refresh_from_db()
    assert (dee.status, second.status) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    )


def test_a_colleague_already_registered_is_refused_by_the_field(post, world):
    lead, event, ann = world["medway_lead"], world["event"], world["ann"]
    form_url = lead_url(lead, event, "partner-substitute", ann)

    for taken in ("CAT.chowdhury@example.org", ann.email):
        response = post(form_url, COLLEAGUE | {"email": taken})

        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors == {"email": ["This email address is already registered for the event."]}
        body = response.content.decode()
        assert 'value="Dee"' in body
        assert 'value="Community safety officer"' in body
    ann.refresh_from_db()
    assert ann.status == RegistrationStatus.CONFIRMED
    assert BreakoutChoice.objects.filter(delegate=ann).count() == 1
    assert not PartnerLeadAction.objects.exists()
    assert mail.outbox == []


def test_a_colleague_who_had_cancelled_takes_the_place_on_their_old_registration(post, world):
    event, ann = world["event"], world["ann"]
    gone = DelegateFactory(
        event=event, email=COLLEAGUE["email"], status=RegistrationStatus.CANCELLED
    )

    response = post(lead_url(world["medway_lead"], event, "partner-substitute", ann), COLLEAGUE)

    assert response.status_code == 302
    gone.refresh_from_db()
    assert (gone.status, gone.first_name) == (RegistrationStatus.CONFIRMED, "Dee")
    assert BreakoutChoice.objects.filter(delegate=gone).count() == 1


def test_bad_colleague_details_are_refused_by_the_field_and_kept(post, world):
    form_url = lead_url(world["medway_lead"], world["event"], "partner-substitute", world["ann"])

    response = post(form_url, {"first_name": "Dee", "last_name": "", "email": "not-an-address"})

    assert response.context["form"].errors == {
        "last_name": ["Enter your colleague's last name"],
        "email": ["Enter an email address in the correct format, like name@example.com"],
    }
    assert 'value="not-an-address"' in response.content.decode()
    assert Delegate.objects.filter(event=world["event"]).count() == 3


def test_a_cancelled_registration_cannot_be_substituted_or_cancelled_again(post, client, world):
    ann, lead, event = world["ann"], world["medway_lead"], world["event"]
    post(lead_url(lead, event, "partner-cancel", ann))
    for name in ("partner-substitute", "partner-cancel"):
        assert client.get(lead_url(lead, event, name, ann)).status_code == 404
    assert PartnerLeadAction.objects.count() == 1


# Cancelling ---------------------------------------------------------------------------


def test_a_lead_cancelling_gives_the_place_to_the_waitlist(post, client, world):
    event, ann = world["event"], world["ann"]
    event.delegate_capacity = 3
    event.save()
    waiting = person(
        event,
        world["bob"].affiliation.organisation,
        "Wren",
        "Waite",
        status=RegistrationStatus.WAITLISTED,
    )
    url = lead_url(world["medway_lead"], event, "partner-cancel", ann)
    assert "Cancel Ann Achebe's registration" in client.get(url).content.decode()

    response = post(url)

    assert response.status_code == 302
    ann.refresh_from_db()
    waiting.refresh_from_db()
    assert (ann.status, waiting.status) == (
        RegistrationStatus.CANCELLED,
        RegistrationStatus.CONFIRMED,
    )
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[ann.email] == "Your registration for Kent and Medway ICS symposium is cancelled"
    assert subjects[waiting.email].startswith("A place has come up")
    action = PartnerLeadAction.objects.get()
    assert (action.action, action.delegate, action.lead) == (
        LeadAction.CANCELLED,
        ann,
        world["medway_lead"],
    )


# Two leads at once, each with their own cookies ---------------------------------------


def test_two_leads_at_once_each_see_and_change_only_their_own(world):
    medway, police = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    event = world["event"]
    medway_form = lead_url(world["medway_lead"], event, "partner-substitute", world["ann"])
    police_cancel = lead_url(world["police_lead"], event, "partner-cancel", world["bob"])

    medway_html = medway.get(medway_form).content.decode()
    police_html = police.get(police_cancel).content.decode()
    # Each posts the form as their browser was served it, with their own CSRF token...
    assert police.post(police_cancel, browser_post_data(police_html, {})).status_code == 302
    assert medway.post(medway_form, browser_post_data(medway_html, COLLEAGUE)).status_code == 302
    medway_page = medway.get(lead_url(world["medway_lead"], event)).content.decode()
    police_page = police.get(lead_url(world["police_lead"], event)).content.decode()
    assert "Dee Dlamini" in medway_page
    assert "Bob Brennan" not in medway_page
    assert "Dee Dlamini" not in police_page
    assert "Ann Achebe" not in police_page
    assert "place has passed to Dee Dlamini" in medway_page
    assert "place has passed" not in police_page
    assert "Bob Brennan&#x27;s registration is cancelled" in police_page
    assert "is cancelled" not in medway_page
    # A form posted with the other lead's CSRF token is refused.
    swapped = police.post(medway_form, browser_post_data(medway_html, COLLEAGUE))
    assert swapped.status_code == 403

    assert Delegate.objects.filter(email=COLLEAGUE["email"]).count() == 1


# Logs and the admin --------------------------------------------------------------------


def test_a_lead_token_is_kept_out_of_the_logs(world):
    url = lead_url(world["medway_lead"], world["event"], "partner-cancel", world["ann"])
    token = url.split("/")[4]
    assert token not in redact(f"Not Found: {url}")
    assert "/events/kent-medway/partners/[redacted]/cancel/" in redact(f"Not Found: {url}")
    assert redact("/admin/partners/partnerlead/") == "/admin/partners/partnerlead/"
