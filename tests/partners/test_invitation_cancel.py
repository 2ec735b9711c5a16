"""A registration through an invitation that is cancelled gives the invitation's use
back, whoever cancels it (the delegate's manage link, erasure, an organiser, a partner
lead), never below 0; a personal invitation then says "Registered, then cancelled"
and its link registers again."""

import threading

import pytest
from django.urls import reverse
from django.utils import timezone

from partners import invitations
from partners.models import Invitation, InvitationStatus, InvitationUse, PersonalInvitation
from registration import services
from symposium.enums import RegistrationStatus
from symposium.models import Delegate
from tests.factories import (
    AffiliationFactory,
    EventFactory,
    InvitationFactory,
    OrganisationFactory,
    PartnerLeadFactory,
    PersonalInvitationFactory,
)
from tests.helpers import admin_url, manage_url
from tests.partners.test_leads import COLLEAGUE, lead_url

pytestmark = pytest.mark.django_db


def register_url(event, code):
    return reverse("registration:register", kwargs={"event_slug": event.slug}) + (
        f"?invitation={code}"
    )


def register(post, invitation, number=1):
    response = post(
        register_url(invitation.event, invitation.code),
        {
            "invitation": invitation.code,
            "first_name": "Invited",
            "last_name": f"Delegate {number}",
            "email": f"invited{number}@example.org",
            "organisation": "Medway Council",
            "sector": "council",
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    return Delegate.objects.get(email=f"invited{number}@example.org")


def uses(invitation):
    invitation.refresh_from_db()
    return invitation.uses


def test_cancelling_through_the_manage_link_gives_the_code_its_use_back(post):
    invitation = InvitationFactory(max_uses=2)
    first, second = register(post, invitation, 1), register(post, invitation, 2)
    assert uses(invitation) == 2
    assert invitations.refusal(invitation) == invitations.USED_UP

    response = post(manage_url(first, "registration:cancel"))

    assert response.status_code == 302
    assert uses(invitation) == 1
    assert list(InvitationUse.objects.values_list("delegate", flat=True)) == [second.pk]
    assert invitations.refusal(invitation) is None
    third = register(post, invitation, 3)
    assert uses(invitation) == 2
    assert InvitationUse.objects.get(delegate=third).invitation == invitation


def test_cancelling_twice_gives_back_one_use():
    invitation = InvitationFactory(max_uses=3)
    delegate = services.register_delegate(
        event=invitation.event,
        first_name="Ann",
        last_name="Achebe",
        email="ann@example.org",
        organisation="Medway Council",
        sector="council",
        invitation=invitation,
    ).delegate
    Invitation.objects.filter(pk=invitation.pk).update(uses=2)  # Another use meanwhile.

    services.cancel_registration(delegate=delegate)
    services.cancel_registration(delegate=delegate)

    assert uses(invitation) == 1


def test_a_use_never_goes_below_zero():
    invitation = InvitationFactory(max_uses=1)
    delegate = services.register_delegate(
        event=invitation.event,
        first_name="Ann",
        last_name="Achebe",
        email="ann@example.org",
        organisation="Medway Council",
        sector="council",
        invitation=invitation,
    ).delegate
    Invitation.objects.filter(pk=invitation.pk).update(uses=0)  # Reset by hand, say.

    services.cancel_registration(delegate=delegate)

    assert uses(invitation) == 0
    assert not InvitationUse.objects.exists()


def test_a_personal_invitation_cancelled_says_so_and_its_link_registers_again(post, client):
    personal = PersonalInvitationFactory(name="Invited Delegate 1", email="invited1@example.org")
    invitation = personal.invitation
    delegate = register(post, invitation)
    personal.refresh_from_db()
    assert (personal.status, personal.delegate) == (InvitationStatus.REGISTERED, delegate)

    post(manage_url(delegate, "registration:cancel"))

    personal.refresh_from_db()
    assert personal.status == InvitationStatus.CANCELLED
    assert personal.get_status_display() == "Registered, then cancelled"
    assert uses(invitation) == 0
    page = client.get(
        reverse("registration:invitation", args=[personal.event.slug, invitation.code])
    ).content.decode()
    assert "You registered with this invitation, then cancelled." in page
    assert "Register with this invitation" in page
    assert "I can't come" not in page  # They answered already.

    again = register(post, invitation)

    assert again.pk == delegate.pk  # The cancelled registration, reused.
    assert again.status == RegistrationStatus.CONFIRMED
    personal.refresh_from_db()
    assert personal.status == InvitationStatus.REGISTERED
    assert uses(invitation) == 1


def test_erasing_through_the_manage_link_gives_the_use_back(post):
    personal = PersonalInvitationFactory(email="invited1@example.org")
    delegate = register(post, personal.invitation)

    response = post(manage_url(delegate, "registration:delete"))

    assert response.status_code == 302
    assert not Delegate.objects.filter(pk=delegate.pk).exists()
    personal.refresh_from_db()
    assert (personal.status, personal.delegate) == (InvitationStatus.CANCELLED, None)
    assert uses(personal.invitation) == 0


def test_an_organisers_cancel_action_gives_the_use_back(post, organiser_client):
    personal = PersonalInvitationFactory(email="invited1@example.org")
    delegate = register(post, personal.invitation)

    response = organiser_client.post(
        admin_url(Delegate, "changelist"),
        {"action": "cancel_registrations", "_selected_action": [delegate.pk]},
    )

    assert response.status_code == 302
    personal.refresh_from_db()
    assert personal.status == InvitationStatus.CANCELLED
    assert uses(personal.invitation) == 0
    changelist = organiser_client.get(
        admin_url(PersonalInvitation, "changelist") + f"?event__id__exact={personal.event_id}"
    )
    assert changelist.context["status_counts"]["cancelled"] == 1
    assert "Registered, then cancelled" in changelist.content.decode()


def test_a_partner_lead_cancelling_gives_the_use_back(post):
    medway = OrganisationFactory(name="Medway Council")
    invitation = InvitationFactory(max_uses=5, organisation=medway)
    delegate = register(post, invitation)
    lead = PartnerLeadFactory(organisation=medway, events=[invitation.event])

    response = post(lead_url(lead, invitation.event, "partner-cancel", delegate))

    assert response.status_code == 302
    assert uses(invitation) == 0
    assert not InvitationUse.objects.exists()


def test_a_substitutes_cancellation_gives_back_the_use_the_place_came_with(post):
    medway = OrganisationFactory(name="Medway Council")
    personal = PersonalInvitationFactory(
        email="invited1@example.org",
        invitation__organisation=medway,
        event=EventFactory(),
    )
    delegate = register(post, personal.invitation)
    lead = PartnerLeadFactory(organisation=medway, events=[personal.event])
    post(lead_url(lead, personal.event, "partner-substitute", delegate), COLLEAGUE)
    colleague = Delegate.objects.get(email=COLLEAGUE["email"])
    assert InvitationUse.objects.get().delegate == colleague
    assert uses(personal.invitation) == 1  # The place passed: no use given back.

    post(lead_url(lead, personal.event, "partner-cancel", colleague))

    assert uses(personal.invitation) == 0
    personal.refresh_from_db()
    assert personal.status == InvitationStatus.CANCELLED


def test_a_registration_without_an_invitation_cancels_as_before():
    invitation = InvitationFactory(max_uses=1)
    Invitation.objects.filter(pk=invitation.pk).update(uses=1)
    delegate = AffiliationFactory(delegate__event=invitation.event).delegate

    services.cancel_registration(delegate=delegate, now=timezone.now())

    assert uses(invitation) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_cancellations_at_once_give_back_ten_uses_and_no_more():
    from django.db import connection

    invitation = InvitationFactory(max_uses=10)
    delegates = [
        services.register_delegate(
            event=invitation.event,
            first_name="Ann",
            last_name=f"Number {number}",
            email=f"ann{number}@example.org",
            organisation="Medway Council",
            sector="council",
            invitation=invitation,
        ).delegate
        for number in range(10)
    ]
    assert uses(invitation) == 10
    barrier = threading.Barrier(len(delegates))
    errors = []

    def cancel(delegate):
        try:
            barrier.wait(timeout=30)
            services.cancel_registration(delegate=delegate)
            services.cancel_registration(delegate=delegate)  # A second click.
        except Exception as error:  # Reported below, not lost in a thread.
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel, args=(d,)) for d in delegates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert uses(invitation) == 0
    assert not InvitationUse.objects.exists()
