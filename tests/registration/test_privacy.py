"""UK GDPR: notices on every form, needs behind their own consent and permission, and
the delegate's own copy of their data and erasure through the manage link."""

import json
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.urls import reverse

from breakouts.enums import ChoiceStatus
from breakouts.models import BreakoutChoice
from registration import privacy, services
from symposium import tokens
from symposium.enums import RegistrationStatus
from symposium.models import Delegate, DelegateNeeds, ExportRecord
from tests.factories import (
    BreakoutChoiceFactory,
    BreakoutRoundFactory,
    BreakoutSessionFactory,
    DelegateFactory,
    DelegateNeedsFactory,
    EventFactory,
    RoomFactory,
    ThemeFactory,
    event_day_at,
)
from tests.helpers import delegate_details as details
from tests.helpers import manage_url, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(
        name="Kent and Medway ICS symposium",
        slug="kent-medway",
        privacy_notice="The ICB is the data controller for this event.",
        accessibility_statement="The venue has step-free access and a hearing loop.",
        retention_days=90,
    )


@pytest.fixture
def delegate(event):
    return DelegateFactory(
        event=event,
        first_name="Sam",
        last_name="Okafor",
        email="sam.okafor@medway.gov.uk",
        organisation="Medway Council",
        job_title="Community safety lead",
    )


def as_json(moment):
    return DjangoJSONEncoder().default(moment)


def between(html, start, end):
    return html.split(start, 1)[1].split(end, 1)[0]


# 1. Privacy notice and accessibility statement ------------------------------------------


def policy_urls(event):
    return (
        reverse("symposium:privacy", args=[event.slug]),
        reverse("symposium:accessibility", args=[event.slug]),
    )


def test_privacy_page_shows_the_organisers_notice_retention_and_rights(client, event):
    html = client.get(reverse("symposium:privacy", args=[event.slug])).content.decode()

    assert "The ICB is the data controller for this event." in html
    assert "90 days after the event ends on" in html
    assert "download a copy of your information" in html
    assert reverse("registration:resend-link", args=[event.slug]) in html


def test_accessibility_page_shows_the_organisers_statement(client, event):
    html = client.get(reverse("symposium:accessibility", args=[event.slug])).content.decode()

    assert "The venue has step-free access and a hearing loop." in html


def test_organiser_edits_notice_and_statement_in_the_event_admin(client, event):
    client.force_login(staff_user(groups=["Organisers"]))

    response = client.get(reverse("admin:symposium_event_change", args=[event.pk]))

    fields = response.context["adminform"].form.fields
    assert {"privacy_notice", "accessibility_statement", "retention_days"} <= set(fields)
    assert "The ICB is the data controller for this event." in response.content.decode()


def form_pages(event, delegate):
    return {
        "register": reverse("registration:register", args=[event.slug]),
        "manage": manage_url(delegate),
        "resend link": reverse("registration:resend-link", args=[event.slug]),
        "delete": manage_url(delegate, "registration:delete"),
        "cancel": manage_url(delegate, "registration:cancel"),
    }


@pytest.mark.parametrize("page", ["register", "manage", "resend link", "delete", "cancel"])
def test_every_form_links_both_policies_in_the_page_itself(client, event, delegate, page):
    html = client.get(form_pages(event, delegate)[page]).content.decode()

    main = between(html, "<main", "</main>")
    for url in policy_urls(event):
        assert f'href="{url}"' in main


def test_cancelled_registrations_manage_page_links_both_policies(client, event, delegate):
    services.cancel_registration(delegate=delegate)

    main = between(client.get(manage_url(delegate)).content.decode(), "<main", "</main>")

    for url in policy_urls(event):
        assert f'href="{url}"' in main


def event_pages(event, delegate):
    slug = event.slug
    return [
        reverse("symposium:event-detail", args=[slug]),
        reverse("symposium:agenda", args=[slug]),
        reverse("symposium:privacy", args=[slug]),
        reverse("symposium:accessibility", args=[slug]),
        reverse("speakers:speaker-list", args=[slug]),
        reverse("breakouts:breakout-list", args=[slug]),
        *form_pages(event, delegate).values(),
        reverse("registration:resend-link-sent", args=[slug]),
    ]


def test_every_event_page_footer_links_both_policies(client, event, delegate):
    for url in event_pages(event, delegate):
        html = client.get(url).content.decode()
        footer = between(html, "<footer", "</footer>")
        assert [f'href="{policy}"' in footer for policy in policy_urls(event)] == [True, True], url


# 2. Sensitive needs: their own consent, their own permission ----------------------------


def test_register_form_asks_needs_consent_in_a_separate_unticked_box(client, event):
    html = client.get(reverse("registration:register", args=[event.slug])).content.decode()

    needs_box = re.search(r'<input type="checkbox" name="needs_consent"[^>]*>', html).group()
    privacy_box = re.search(r'<input type="checkbox" name="privacy_consent"[^>]*>', html).group()
    assert "checked" not in needs_box
    assert "checked" not in privacy_box
    assert "agree to you storing them" in html


def test_service_stores_no_needs_without_consent(event):
    registration = services.register_delegate(
        event=event,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.org",
        organisation="Kent Police",
        sector="police",
        needs=None,
    )

    assert not DelegateNeeds.objects.filter(delegate=registration.delegate).exists()


def test_manage_needs_posted_without_consent_are_not_stored(post, delegate):
    response = post(
        manage_url(delegate), details(delegate, dietary_requirement="vegan", access_needs="Ramp")
    )

    assert response.status_code == 200
    assert "needs_consent" in response.context["form"].errors
    assert not DelegateNeeds.objects.exists()


def test_manage_unticking_consent_wipes_needs_even_with_the_fields_still_posted(
    post, client, delegate
):
    DelegateNeedsFactory(delegate=delegate, dietary_requirement="halal", access_needs="Ramp")

    response = post(
        manage_url(delegate),
        details(delegate, dietary_requirement="halal", access_needs="Ramp"),
    )

    assert response.status_code == 302
    assert not DelegateNeeds.objects.exists()
    form = client.get(manage_url(delegate)).context["form"]
    assert "needs_consent" not in form.initial
    assert "access_needs" not in form.initial


def test_manage_page_explains_how_to_withdraw_needs_consent(client, delegate):
    html = client.get(manage_url(delegate)).content.decode()

    assert "To withdraw your consent to us storing your dietary and access needs" in html


def test_organisers_may_manage_needs_and_event_staff_only_view_them(db):
    def needs_codenames(group):
        return set(
            Group.objects.get(name=group)
            .permissions.filter(content_type__model="delegateneeds")
            .values_list("codename", flat=True)
        )

    assert needs_codenames("Organisers") == {
        "add_delegateneeds",
        "change_delegateneeds",
        "delete_delegateneeds",
        "view_delegateneeds",
    }
    assert needs_codenames("Event staff") == {"view_delegateneeds"}


@pytest.fixture
def needs(delegate):
    return DelegateNeedsFactory(
        delegate=delegate, dietary_requirement="vegan", access_needs="BSL interpreter"
    )


@pytest.fixture
def clerk_client(client):
    """May view and change delegates and export them, but not view their needs."""
    client.force_login(staff_user("view_delegate", "change_delegate", "export_attendees"))
    return client


def test_staff_without_needs_permission_cannot_open_the_needs_admin(clerk_client, needs):
    for url in [
        reverse("admin:symposium_delegateneeds_changelist"),
        reverse("admin:symposium_delegateneeds_change", args=[needs.pk]),
    ]:
        assert clerk_client.get(url).status_code == 403
    index = clerk_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:symposium_delegateneeds_changelist") not in index
    assert reverse("admin:symposium_delegate_changelist") in index


def test_staff_without_needs_permission_see_no_needs_on_the_delegate(clerk_client, needs):
    url = reverse("admin:symposium_delegate_change", args=[needs.delegate.pk])
    response = clerk_client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "BSL interpreter" not in html
    assert "Vegan" not in html


def test_staff_without_needs_permission_get_no_needs_columns_in_exports(clerk_client, needs):
    response = clerk_client.get(
        reverse("staff:attendee-export", args=[needs.delegate.event.slug]),
        {
            "delegates": "event",
            "statuses": "confirmed",
            "file_format": "csv",
            "include_needs": "on",
        },
    )

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Sam Okafor" in body
    assert "Dietary needs" not in body
    assert "BSL interpreter" not in body
    assert ExportRecord.objects.get().filters["include_needs"] is False
    catering = reverse("staff:catering", args=[needs.delegate.event.slug])
    assert clerk_client.get(catering).status_code == 403


def test_event_staff_see_needs_but_cannot_change_them(client, needs):
    client.force_login(staff_user(groups=["Event staff"]))

    change_url = reverse("admin:symposium_delegateneeds_change", args=[needs.pk])
    response = client.get(change_url)

    assert response.status_code == 200
    assert "BSL interpreter" in response.content.decode()
    client.post(change_url, {"access_needs": "Changed"})
    needs.refresh_from_db()
    assert needs.access_needs == "BSL interpreter"


# 3a. The delegate's own copy of their data ------------------------------------------------


@pytest.fixture
def world(event, delegate):
    """Sam has needs, a confirmed breakout and a queued one; Lee shares a session."""
    DelegateNeedsFactory(
        delegate=delegate,
        dietary_requirement="other",
        dietary_details="No mushrooms",
        access_needs="Hearing loop",
    )
    round1 = BreakoutRoundFactory(event=event, title="Morning breakouts")
    round2 = BreakoutRoundFactory(
        event=event,
        title="Afternoon breakouts",
        starts_at=event_day_at(event, 15),
        ends_at=event_day_at(event, 16),
    )
    housing = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, title="Health and housing"),
        agenda_item=round1,
        room=RoomFactory(event=event, name="Room A"),
        capacity=5,
    )
    youth = BreakoutSessionFactory(
        theme=ThemeFactory(event=event, title="Best start in life"),
        agenda_item=round2,
        capacity=1,
    )
    lee = DelegateFactory(event=event, first_name="Lee", last_name="Other", email="lee@example.org")
    BreakoutChoiceFactory(session=youth, delegate=lee, status=ChoiceStatus.CONFIRMED)
    BreakoutChoiceFactory(session=housing, delegate=delegate, status=ChoiceStatus.CONFIRMED)
    BreakoutChoiceFactory(session=youth, delegate=delegate, status=ChoiceStatus.WAITLISTED)
    return {"lee": lee, "housing": housing, "youth": youth}


def test_my_data_downloads_a_json_attachment_of_the_whole_registration(client, delegate, world):
    response = client.get(manage_url(delegate, "registration:my-data"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        'attachment; filename="kent-medway-my-registration.json"'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["registration"] | {"registered_at": None, "updated_at": None} == {
        "first_name": "Sam",
        "last_name": "Okafor",
        "email": "sam.okafor@medway.gov.uk",
        "organisation": "Medway Council",
        "sector": "Local council",
        "job_title": "Community safety lead",
        "status": "Confirmed",
        "registered_at": None,
        "updated_at": None,
        "cancelled_at": None,
        "how_registered": "Registered on the public site",
    }
    needs = DelegateNeeds.objects.get(delegate=delegate)
    assert data["dietary_and_access_needs"] == {
        "dietary_requirement": "Other (please describe)",
        "dietary_details": "No mushrooms",
        "access_needs": "Hearing loop",
        "consented_at": as_json(needs.consented_at),
    }
    assert data["consents"] == {
        "privacy_notice_agreed_at": as_json(delegate.privacy_consent_at),
        "needs_storage_agreed_at": as_json(needs.consented_at),
    }
    assert [
        (c["round"], c["theme"], c["room"], c["status"], c["waitlist_position"])
        for c in data["breakout_choices"]
    ] == [
        ("Morning breakouts", "Health and housing", "Room A", "Confirmed", None),
        ("Afternoon breakouts", "Best start in life", None, "On the waitlist", 1),
    ]
    assert data["event"]["name"] == "Kent and Medway ICS symposium"


def test_my_data_holds_only_the_delegates_own_data(client, delegate, world):
    body = client.get(manage_url(world["lee"], "registration:my-data")).content.decode()

    assert "Other" in body
    assert "Okafor" not in body
    assert "sam.okafor" not in body
    assert "Hearing loop" not in body
    assert json.loads(body)["dietary_and_access_needs"] is None


def test_my_data_refuses_a_bad_or_revoked_link(client, delegate):
    good = tokens.make_manage_token(delegate)
    delegate.access_key = "rotated"
    delegate.save()

    for token in [good, good[:-2] + "xx"]:
        response = client.get(manage_url(delegate, "registration:my-data", token=token))
        assert response.status_code == 404
        assert "sam.okafor" not in response.content.decode()


def test_manage_page_links_download_and_delete(client, delegate):
    html = client.get(manage_url(delegate)).content.decode()

    assert f'href="{manage_url(delegate, "registration:my-data")}"' in html
    assert f'href="{manage_url(delegate, "registration:delete")}"' in html


# 3b. Erasure ---------------------------------------------------------------------------


def test_delete_page_asks_for_confirmation_and_changes_nothing(client, delegate):
    response = client.get(manage_url(delegate, "registration:delete"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Yes, delete my registration" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert Delegate.objects.filter(pk=delegate.pk).exists()


def test_delete_without_csrf_token_is_refused(delegate):
    client = Client(enforce_csrf_checks=True)

    response = client.post(manage_url(delegate, "registration:delete"))

    assert response.status_code == 403
    assert Delegate.objects.filter(pk=delegate.pk).exists()


def test_delete_with_csrf_token_erases_the_registration(delegate):
    client = Client(enforce_csrf_checks=True)
    url = manage_url(delegate, "registration:delete")
    client.get(url)

    response = client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert response.status_code == 302
    assert not Delegate.objects.filter(pk=delegate.pk).exists()


def test_delete_frees_places_promotes_waitlists_and_kills_the_link(
    post, client, event, delegate, world, mailoutbox
):
    queued = BreakoutChoiceFactory(session=world["housing"], status=ChoiceStatus.WAITLISTED)
    world["housing"].capacity = 1
    world["housing"].save()
    event.delegate_capacity = 3  # Sam, Lee and the queued delegate
    event.save()
    waiting = DelegateFactory(event=event, status=RegistrationStatus.WAITLISTED)
    urls = [manage_url(delegate, name) for name in ["registration:manage", "registration:my-data"]]

    response = post(manage_url(delegate, "registration:delete"))

    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert not Delegate.objects.filter(email="sam.okafor@medway.gov.uk").exists()
    assert not DelegateNeeds.objects.exists()
    assert not BreakoutChoice.objects.filter(delegate_id=delegate.pk).exists()
    queued.refresh_from_db()
    waiting.refresh_from_db()
    assert (queued.status, waiting.status) == (ChoiceStatus.CONFIRMED, RegistrationStatus.CONFIRMED)
    assert sorted((message.to[0], message.subject) for message in mailoutbox) == sorted(
        [
            (queued.delegate.email, f"You now have a place in your breakout at {event.name}"),
            (waiting.email, f"A place has come up: you are now confirmed for {event.name}"),
            # None to the erased delegate: it would keep the address until it is sent.
        ]
    )
    page = client.get(response["Location"]).content.decode()
    assert "Your registration and the information you gave us have been deleted." in page
    for url in [*urls, manage_url(delegate, "registration:delete")]:
        assert client.get(url).status_code == 404


def test_delete_a_cancelled_registration(post, delegate):
    services.cancel_registration(delegate=delegate)

    post(manage_url(delegate, "registration:delete"))

    assert not Delegate.objects.exists()


def test_erase_twice_does_nothing_the_second_time(delegate):
    assert privacy.erase_registration(delegate=delegate) is True
    assert privacy.erase_registration(delegate=delegate) is False


def test_erase_removes_the_name_from_the_admin_history(delegate, needs):
    user = staff_user()
    for obj in [delegate, needs]:
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=[obj], action_flag=CHANGE, change_message="[]"
        )
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[DelegateFactory(first_name="Kim", last_name="Kept")],
        action_flag=CHANGE,
        change_message="[]",
    )

    privacy.erase_registration(delegate=delegate)

    assert sorted(LogEntry.objects.values_list("content_type__model", "object_repr")) == [
        ("delegate", "Erased registration"),
        ("delegate", "Kim Kept (Kent County Council)"),
        ("delegateneeds", "Erased registration"),
    ]
