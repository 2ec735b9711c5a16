"""Seat quotas: seats of an event kept for an organisation, a network or a sector until
their release date. Never more confirmed than the event's capacity; a quota's seats
taken only through it before its release; its waitlist first for a seat freed in it;
its unused seats back in the general pool on time, once, with its leads warned once."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from partners.models import QuotaPlace, SeatQuota
from partners.quotas import quota_usage
from partners.services import warn_quota_releases
from registration import services
from registration import tasks as registration_tasks
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate
from tests.background import run_background_jobs
from tests.console.test_exports import download, read_csv
from tests.factories import (
    DelegateFactory,
    EventFactory,
    NetworkFactory,
    OrganisationFactory,
    PartnerLeadFactory,
)
from tests.helpers import admin_url, staff_user
from tests.partners.test_leads import lead_url

pytestmark = pytest.mark.postgres

CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED
LATER = dt.timedelta(days=10)


def quota(event, seats, release_in=LATER, **holder):
    return SeatQuota.objects.create(
        event=event, seats=seats, release_at=timezone.now() + release_in, **holder
    )


_numbers = iter(range(1, 100_000))


def register(event, partner=None, sector=Sector.OTHER, **options):
    number = next(_numbers)
    return services.register_delegate(
        event=event,
        first_name="Delegate",
        last_name=f"Number {number}",
        email=f"delegate{number}@example.org",
        organisation=partner.name if partner else "Somewhere else",
        sector=sector,
        directory_entry=partner,
        **options,
    ).delegate


def status(delegate):
    delegate.refresh_from_db()
    return delegate.status


def quota_of(delegate):
    place = QuotaPlace.objects.filter(delegate=delegate).first()
    return place and place.quota


# The decision --------------------------------------------------------------------------


@pytest.mark.django_db
def test_general_registrants_never_take_a_kept_seat_and_partners_take_theirs():
    event = EventFactory(delegate_capacity=5)
    medway = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    kept = quota(event, 2, organisation=medway)

    general = [register(event) for _ in range(4)]
    partners = [register(event, medway) for _ in range(3)]

    assert [d.status for d in general] == [CONFIRMED] * 3 + [WAITLISTED]
    assert [d.status for d in partners] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert [quota_of(d) for d in partners] == [kept] * 3
    assert quota_of(general[0]) is None
    assert Delegate.objects.filter(event=event).confirmed().count() == 5


@pytest.mark.django_db
def test_a_partner_takes_a_general_seat_once_their_quota_is_full():
    event = EventFactory(delegate_capacity=5)
    medway = OrganisationFactory(name="Medway Council")
    quota(event, 1, organisation=medway)

    partners = [register(event, medway) for _ in range(3)]
    general = [register(event) for _ in range(3)]

    assert [d.status for d in partners] == [CONFIRMED] * 3
    assert [d.status for d in general] == [CONFIRMED, CONFIRMED, WAITLISTED]


@pytest.mark.django_db
def test_quotas_larger_than_the_capacity_never_overfill_the_event():
    event = EventFactory(delegate_capacity=2)
    medway = OrganisationFactory(name="Medway Council")
    quota(event, 3, organisation=medway)
    quota(event, 2, sector=Sector.POLICE)

    partners = [register(event, medway) for _ in range(3)]
    police = register(event, sector=Sector.POLICE)

    assert [d.status for d in partners] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert police.status == WAITLISTED
    assert Delegate.objects.filter(event=event).confirmed().count() == 2


@pytest.mark.django_db
def test_the_quota_counted_is_the_invitations_then_the_partners_then_a_networks_then_the_sectors():
    event = EventFactory(delegate_capacity=100)
    network = NetworkFactory(name="Kent and Medway Better Mental Health Network")
    medway = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    swale = OrganisationFactory(name="Swale Borough Council", sector=Sector.COUNCIL)
    dover = OrganisationFactory(name="Dover District Council", sector=Sector.COUNCIL)
    for organisation in (medway, swale):
        organisation.networks.add(network)
    by_invitation = quota(event, 5, sector=Sector.NHS)
    medways = quota(event, 5, organisation=medway)
    networks = quota(event, 5, network=network)
    councils = quota(event, 5, sector=Sector.COUNCIL)
    other_event = quota(EventFactory(), 5, organisation=dover)

    assert quota_of(register(event, medway, quota=by_invitation)) == by_invitation
    assert quota_of(register(event, medway)) == medways
    assert quota_of(register(event, swale)) == networks
    assert quota_of(register(event, dover)) == councils  # The organisation's sector.
    assert quota_of(register(event, sector=Sector.COUNCIL)) == councils  # As typed.
    assert quota_of(register(event, sector=Sector.VCSE)) is None
    assert not QuotaPlace.objects.filter(quota=other_event).exists()

    medways.released_at = timezone.now()
    medways.save()
    assert quota_of(register(event, medway)) == networks  # Released: no longer counted.


@pytest.mark.django_db
def test_registering_again_after_cancelling_takes_the_locked_path_and_keeps_the_rule():
    event = EventFactory(delegate_capacity=3)
    medway = OrganisationFactory(name="Medway Council")
    quota(event, 2, organisation=medway)
    general = register(event)
    services.cancel_registration(delegate=general)
    register(event)

    again = services.register_delegate(
        event=event,
        first_name="Back",
        last_name="Again",
        email=general.email,
        organisation="Somewhere else",
        sector=Sector.OTHER,
    )

    assert again.delegate.pk == general.pk
    assert again.delegate.status == WAITLISTED  # The last seats are Medway's.
    assert quota_of(again.delegate) is None
    partner_again = services.register_delegate(
        event=event,
        first_name="Partner",
        last_name="Again",
        email=general.email.replace("@", "+m@"),
        organisation="Medway Council",
        sector=Sector.OTHER,
        directory_entry=medway,
    )
    assert partner_again.delegate.status == CONFIRMED


# Cancelling and promoting ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_seat_freed_in_a_quota_goes_to_its_waitlist_first():
    event = EventFactory(delegate_capacity=3)
    medway = OrganisationFactory(name="Medway Council")
    quota(event, 2, organisation=medway)
    first, second = register(event, medway), register(event, medway)
    register(event)
    general_waiting = register(event)
    medway_waiting = register(event, medway)
    assert (general_waiting.status, medway_waiting.status) == (WAITLISTED, WAITLISTED)

    services.cancel_registration(delegate=first)

    # Medway's seat, though the general registrant has waited longer.
    assert (status(general_waiting), status(medway_waiting)) == (WAITLISTED, CONFIRMED)
    assert second.status == CONFIRMED


@pytest.mark.django_db
def test_a_general_seat_freed_goes_to_the_first_who_waits_quota_or_not():
    event = EventFactory(delegate_capacity=3)
    medway = OrganisationFactory(name="Medway Council")
    quota(event, 1, organisation=medway)
    register(event, medway)
    general = [register(event), register(event)]
    medway_waiting = register(event, medway)  # Medway's seat and the general ones taken.
    general_waiting = register(event)

    services.cancel_registration(delegate=general[0])

    assert (status(medway_waiting), status(general_waiting)) == (CONFIRMED, WAITLISTED)


@pytest.mark.django_db
def test_raising_the_capacity_promotes_by_the_same_rule():
    event = EventFactory(delegate_capacity=2)
    medway = OrganisationFactory(name="Medway Council")
    quota(event, 2, organisation=medway)
    general_waiting = register(event)
    event.delegate_capacity = 3
    event.save()

    promoted = services.promote_from_event_waitlist(event=event)

    assert promoted == [general_waiting]


# Release ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_release_on_time_once_and_the_quotas_waitlist_joins_the_general_one_in_order(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(delegate_capacity=5)
    medway = OrganisationFactory(name="Medway Council")
    kept = quota(event, 4, organisation=medway, release_in=dt.timedelta(hours=1))
    register(event, medway)
    register(event)
    medway_confirmed = register(event, medway)
    waiting = [register(event), register(event)]
    medway_cancels = register(event, medway)
    assert [d.status for d in waiting] == [WAITLISTED, WAITLISTED]
    services.cancel_registration(delegate=medway_cancels)
    general_after = register(event)
    # 3 confirmed: 2 of Medway's 4 seats taken, 2 kept free, 0 general seats.
    assert Delegate.objects.filter(event=event).confirmed().count() == 3
    assert medway_confirmed.status == CONFIRMED

    assert services.release_quotas(now=kept.release_at - dt.timedelta(seconds=1)) == []
    kept.refresh_from_db()
    assert kept.released_at is None

    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_quotas(now=kept.release_at) == [kept]
    kept.refresh_from_db()
    assert kept.released_at == kept.release_at
    assert [status(d) for d in waiting] == [CONFIRMED, CONFIRMED]
    assert status(general_after) == WAITLISTED
    promoted_emails = [m for m in mail.outbox if set(m.to) & {d.email for d in waiting}]
    assert len(promoted_emails) == 2

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.release_quotas(now=kept.release_at + LATER) == []
    assert mail.outbox == []
    assert status(general_after) == WAITLISTED


@pytest.mark.django_db
def test_after_release_a_quotas_waitlist_waits_with_everyone_in_time_order():
    event = EventFactory(delegate_capacity=2)
    medway = OrganisationFactory(name="Medway Council")
    kept = quota(event, 1, organisation=medway, release_in=dt.timedelta(hours=1))
    register(event, medway)
    general = register(event)
    medway_waiting = register(event, medway)
    general_waiting = register(event)
    services.release_quotas(now=kept.release_at)

    services.cancel_registration(delegate=general)

    # Once released the quota keeps no seat: the first who waits gets the one freed.
    assert (status(medway_waiting), status(general_waiting)) == (CONFIRMED, WAITLISTED)
    assert [u.free for u in quota_usage(event)] == [0]


@pytest.mark.django_db(transaction=True)
def test_leads_are_warned_once_before_release_through_the_task_queue(settings):
    settings.QUOTA_RELEASE_WARNING_DAYS = 3
    event = EventFactory(name="Kent and Medway ICS symposium", delegate_capacity=50)
    network = NetworkFactory(name="Suicide Prevention Network")
    medway = OrganisationFactory(name="Medway Council")
    PartnerLeadFactory(name="Mo Medway", email="mo@medway.gov.uk", organisation=medway)
    PartnerLeadFactory(
        name="Nia Network", email="nia@spn.org.uk", organisation=None, network=network
    )
    PartnerLeadFactory(email="someone@elsewhere.org")  # Another organisation's lead.
    medways = quota(event, 5, organisation=medway, release_in=dt.timedelta(days=2))
    networks = quota(event, 4, network=network, release_in=dt.timedelta(days=5))
    register(event, medway)
    register(event, medway)
    mail.outbox.clear()  # Their confirmations.

    assert warn_quota_releases() == [medways]
    assert warn_quota_releases() == []  # Again: nothing more.
    run_background_jobs()

    (warning,) = mail.outbox
    assert warning.to == ["mo@medway.gov.uk"]
    assert warning.subject.startswith("Your places at Kent and Medway ICS symposium:")
    assert "keeps 5 places for Medway Council. 2 are taken." in warning.body
    assert "the 3 places not yet taken return to the general pool" in warning.body
    assert "the 3 places not yet taken" in warning.alternatives[0][0]

    # Days later, the periodic task: the network's leads warned, Medway's released.
    later = timezone.now() + dt.timedelta(days=2, minutes=1)
    mail.outbox.clear()
    assert warn_quota_releases(now=later) == [networks]
    assert services.release_quotas(now=later) == [medways]
    run_background_jobs()
    assert [m.to for m in mail.outbox] == [["nia@spn.org.uk"]]
    registration_tasks.release_quotas()  # Now: nothing due, nothing sent.
    run_background_jobs()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_periodic_task_releases_due_quotas_and_promotes_once():
    event = EventFactory(delegate_capacity=1)
    medway = OrganisationFactory(name="Medway Council")
    quota(event, 1, organisation=medway, release_in=dt.timedelta(hours=1))
    waiting = register(event)
    assert waiting.status == WAITLISTED
    SeatQuota.objects.update(release_at=timezone.now() - dt.timedelta(minutes=1))

    registration_tasks.release_quotas()
    registration_tasks.release_quotas()
    run_background_jobs()

    assert status(waiting) == CONFIRMED
    assert [m.to for m in mail.outbox].count([waiting.email]) == 2  # Registered, then a place.


# Reporting --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_quota_usage_by_partner_network_and_sector(django_assert_num_queries):
    event = EventFactory(delegate_capacity=10)
    network = NetworkFactory(name="Suicide Prevention Network")
    medway = OrganisationFactory(name="Medway Council")
    swale = OrganisationFactory(name="Swale Borough Council")
    swale.networks.add(network)
    quota(event, 2, organisation=medway)
    quota(event, 3, network=network)
    quota(event, 1, sector=Sector.POLICE)
    for _ in range(3):
        register(event, medway)
    register(event, swale)
    DelegateFactory(event=event)

    with django_assert_num_queries(1):
        used = quota_usage(event)

    assert [(u.kind, u.holder, u.seats, u.confirmed, u.waitlisted, u.free) for u in used] == [
        ("Partner", "Medway Council", 2, 3, 0, 0),
        ("Network", "Suicide Prevention Network", 3, 1, 0, 2),
        ("Sector", "Police", 1, 0, 0, 1),
    ]


# Concurrency ------------------------------------------------------------------------------


CONNECTIONS = 25  # The shared test server allows 100 connections in all.


@pytest.mark.django_db(transaction=True)
def test_200_at_once_for_a_quotas_last_3_seats_confirm_exactly_3():
    """200 of a quota's people register at once for its last 3 seats, at an event whose
    general seats are all taken, while 20 others try for a general seat. 25 threads,
    each a browser with its own database connection, released together by a barrier,
    each registering 8 of them (and 1 other) back to back: 25 decisions at a time,
    220 in all."""
    threads = 200
    event = EventFactory(delegate_capacity=60)
    medway = OrganisationFactory(name="Medway Council")
    kept = quota(event, 10, organisation=medway)
    for _ in range(7):
        register(event, medway)
    for _ in range(50):
        register(event)
    assert Delegate.objects.filter(event=event).confirmed().count() == 57
    assert register(event).status == WAITLISTED  # The 3 left are Medway's.

    barrier = threading.Barrier(CONNECTIONS)
    errors = []
    per_thread = threads // CONNECTIONS

    def run(number):
        try:
            barrier.wait(timeout=60)
            for _ in range(per_thread):
                register(event, medway)
            if number < 20:
                register(event)
        except Exception as error:  # Reported below, not lost in a thread.
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(CONNECTIONS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)

    assert errors == []
    delegates = Delegate.objects.filter(event=event)
    assert delegates.count() == 57 + 1 + threads + 20
    assert delegates.confirmed().count() == event.delegate_capacity
    through_quota = delegates.filter(quota_place__quota=kept)
    assert through_quota.filter(status=CONFIRMED).count() == 10
    assert through_quota.filter(status=WAITLISTED).count() == threads - 3
    assert delegates.filter(quota_place__isnull=True, status=CONFIRMED).count() == 50


# The console ------------------------------------------------------------------------------


def make_quota():
    event = EventFactory(delegate_capacity=20)
    return quota(event, 5, organisation=OrganisationFactory())


MAKERS = {SeatQuota: make_quota}


@pytest.mark.django_db
def test_organisers_see_each_quotas_use_in_the_admin_and_on_the_dashboard(organiser_client):
    kept = make_quota()
    event, medway = kept.event, kept.organisation.name
    quota(event, 3, sector=Sector.POLICE, release_in=-dt.timedelta(hours=1))
    services.release_quotas()
    register(event, kept.organisation)
    register(event, kept.organisation)

    listed = organiser_client.get(
        admin_url(SeatQuota, "changelist"), {"event__id__exact": event.pk}
    )
    dashboard = organiser_client.get(reverse("admin:index"))

    rows = {
        str(q.organisation or q.get_sector_display()): q for q in listed.context["cl"].result_list
    }
    assert (rows[medway].taken_count, rows["Police"].taken_count) == (2, 0)
    assert medway in listed.content.decode()
    [card] = dashboard.context["event_cards"]
    assert [(u.holder, u.confirmed, u.seats, u.free) for u in card.quotas] == [
        (medway, 2, 5, 3),
        ("Police", 0, 3, 0),
    ]
    html = dashboard.content.decode()
    assert "Seats kept for partners" in html
    assert "2 / 5" in html


@pytest.mark.django_db
def test_a_quota_made_smaller_in_the_admin_gives_the_seats_freed_to_the_waitlist(
    organiser_client,
):
    event = EventFactory(delegate_capacity=3)
    kept = quota(event, 3, organisation=OrganisationFactory(name="Medway Council"))
    waiting = register(event)
    assert waiting.status == WAITLISTED

    response = organiser_client.post(
        admin_url(SeatQuota, "change", kept.pk),
        {
            "event": event.pk,
            "organisation": kept.organisation_id,
            "network": "",
            "sector": "",
            "seats": 2,
            "release_at_0": timezone.localtime(kept.release_at).strftime("%Y-%m-%d"),
            "release_at_1": timezone.localtime(kept.release_at).strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert status(waiting) == CONFIRMED


@pytest.mark.django_db
def test_a_quota_for_two_holders_is_refused_by_the_admin_form(organiser_client):
    event = EventFactory()
    response = organiser_client.post(
        admin_url(SeatQuota, "add"),
        {
            "event": event.pk,
            "organisation": OrganisationFactory().pk,
            "network": NetworkFactory().pk,
            "sector": "",
            "seats": 2,
            "release_at_0": "2030-01-01",
            "release_at_1": "09:00:00",
        },
    )

    assert response.status_code == 200
    assert "A quota is for one organisation, one network or one sector." in response.text
    assert not SeatQuota.objects.exists()


@pytest.mark.django_db
def test_the_attendee_export_names_each_delegates_quota(client):
    kept = make_quota()
    event = kept.event
    quota(event, 3, sector=Sector.POLICE)
    medway = kept.organisation.name
    register(event, kept.organisation)
    register(event, sector=Sector.POLICE)
    register(event)
    client.force_login(staff_user(groups=["Event staff"]))

    rows = read_csv(download(client, event))

    column = rows[0].index("Seat quota")
    assert sorted(row[column] for row in rows[1:]) == sorted(["", medway, "Police"])


@pytest.mark.django_db
def test_a_place_passed_to_a_colleague_stays_in_its_quota():
    event = EventFactory(delegate_capacity=3)
    medway = OrganisationFactory(name="Medway Council")
    kept = quota(event, 2, organisation=medway)
    leaving = register(event, medway)
    register(event, medway)
    register(event)

    colleague = services.substitute_delegate(
        delegate=leaving, first_name="Cole", last_name="League", email="cole@medway.gov.uk"
    )

    assert quota_of(colleague) == kept
    assert status(colleague) == CONFIRMED
    # The quota is still full: no general seat appeared from the substitution.
    assert register(event).status == WAITLISTED


@pytest.mark.django_db
def test_a_partner_lead_sees_their_quotas_use_and_no_one_elses(client):
    event = EventFactory(delegate_capacity=20)
    medway, swale = OrganisationFactory(name="Medway Council"), OrganisationFactory()
    kept = quota(event, 5, organisation=medway)
    kept.release_at = dt.datetime(2030, 3, 2, 9, 30, tzinfo=dt.UTC)
    kept.save()
    quota(event, 4, organisation=swale)
    lead = PartnerLeadFactory(organisation=medway, events=[event])
    other = PartnerLeadFactory(organisation=OrganisationFactory(), events=[event])
    register(event, medway)
    register(event, swale)

    page = client.get(lead_url(lead, event)).content.decode()
    elsewhere = client.get(lead_url(other, event)).content.decode()

    assert (
        "5 places kept for Medway Council until 2 March 2030 at 09:30: 1 taken, 4 still free."
        in page
    )
    assert 'id="quota-use"' not in elsewhere
