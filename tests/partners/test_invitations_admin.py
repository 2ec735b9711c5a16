"""Invitations in the admin: partners' codes, importing people to invite (a preview with
each row's problems, nothing saved before the confirmation), the list with its counts,
sending and reminding, and who may do it."""

import base64
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mailings.enums import InvitationEmailKind
from mailings.models import InvitationCopy, InvitationRun
from partners import invitations
from partners.models import Invitation, PersonalInvitation, SeatQuota
from symposium.enums import Sector
from tests.factories import (
    EventFactory,
    InvitationFactory,
    OrganisationFactory,
    PersonalInvitationFactory,
)
from tests.helpers import admin_url, staff_user

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:partners_personalinvitation_import"

CSV = (
    "Name,Email,Organisation\n"
    "Ann Smith,ann@example.org,Medway Council\n"
    ",nobody@example.org,Kent Police\n"
    "Bob Jones,not-an-address,\n"
    "Cat Brown,ANN@example.org,\n"
    "Dan Green,dan@example.org,A charity not in the directory\n"
    "Eve Black,already@example.org,\n"
)


def upload(text=CSV):
    return SimpleUploadedFile("invitees.csv", text.encode(), content_type="text/csv")


@pytest.fixture
def event():
    return EventFactory()


def test_the_import_preview_shows_each_rows_problems_and_saves_nothing(organiser_client, event):
    OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    PersonalInvitationFactory(event=event, email="already@example.org")

    response = organiser_client.post(
        reverse(IMPORT_URL), {"event": event.pk, "tag": "members", "file": upload()}
    )

    assert response.status_code == 200
    html = response.content.decode()
    errors = {row.line: row.errors for row in response.context["invalid_rows"]}
    assert errors == {
        3: ["Enter the person's name"],
        4: ["“not-an-address” is not an email address"],
        5: ["The same address as line 2"],
        7: ["Already invited to this event"],
    }
    assert [row.name for row in response.context["shown_rows"]] == ["Ann Smith", "Dan Green"]
    assert "Medway Council (organisation and sector locked)" in html
    assert "<strong>2</strong> people will be invited" in html
    assert PersonalInvitation.objects.filter(event=event).count() == 1  # Only the one before.
    assert Invitation.objects.count() == 1


def test_confirming_the_preview_imports_the_rows_without_problems(organiser_client, event):
    medway = OrganisationFactory(name="Medway Council", sector=Sector.COUNCIL)
    preview = organiser_client.post(
        reverse(IMPORT_URL), {"event": event.pk, "tag": "members", "file": upload()}
    )
    data = re.search(r'name="data" value="([^"]+)"', preview.content.decode()).group(1)

    response = organiser_client.post(
        reverse(IMPORT_URL), {"event": event.pk, "tag": "members", "data": data, "confirm": "1"}
    )

    assert response.status_code == 302
    imported = PersonalInvitation.objects.filter(event=event).select_related("invitation")
    assert sorted(p.email for p in imported) == [
        "already@example.org",
        "ann@example.org",
        "dan@example.org",
    ]
    ann = imported.get(email="ann@example.org")
    assert (ann.name, ann.tag, ann.status) == ("Ann Smith", "members", "invited")
    assert ann.invitation.organisation == medway
    assert ann.invitation.max_uses == 1
    assert len(ann.invitation.code) == invitations.PERSONAL_CODE_LENGTH
    assert imported.get(email="dan@example.org").invitation.organisation is None


def test_a_file_without_the_columns_is_refused_as_a_whole(organiser_client, event):
    response = organiser_client.post(
        reverse(IMPORT_URL), {"event": event.pk, "file": upload("who,where\na,b\n")}
    )

    assert "The first row must name the columns" in response.content.decode()
    assert "confirm" not in response.content.decode()
    assert not PersonalInvitation.objects.exists()


def test_a_row_invited_between_the_preview_and_the_confirmation_is_left_out(
    organiser_client, event
):
    data = base64.b64encode(b"name,email\nAnn Smith,ann@example.org\nBo,bo@example.org\n")
    PersonalInvitationFactory(event=event, email="ann@example.org")

    organiser_client.post(
        reverse(IMPORT_URL), {"event": event.pk, "data": data.decode(), "confirm": "1"}
    )

    assert PersonalInvitation.objects.filter(email="bo@example.org").count() == 1
    assert PersonalInvitation.objects.filter(email__iexact="ann@example.org").count() == 1


def test_only_those_who_may_add_invitations_can_import(client, event):
    client.force_login(staff_user("view_personalinvitation"))

    assert client.get(reverse(IMPORT_URL)).status_code == 403
    response = client.post(reverse(IMPORT_URL), {"event": event.pk, "file": upload()})
    assert response.status_code == 403


def test_the_list_counts_answers_for_the_event_and_tag_it_is_filtered_by(organiser_client):
    event = EventFactory()
    PersonalInvitationFactory(event=event, tag="members")
    PersonalInvitationFactory(event=event, tag="members", sent_at=timezone.now())
    PersonalInvitationFactory(event=event, tag="members", status="declined")
    PersonalInvitationFactory(event=event, tag="leads", status="registered")
    PersonalInvitationFactory(tag="members")  # Another event's.

    response = organiser_client.get(
        admin_url(PersonalInvitation, "changelist")
        + f"?event__id__exact={event.pk}&tag__exact=members"
    )

    assert response.status_code == 200
    assert response.context["status_counts"] == {
        "not_sent": 1,
        "invited": 1,
        "registered": 0,
        "declined": 1,
        "cancelled": 0,
    }
    assert response.context["cl"].result_count == 3
    filtered = organiser_client.get(
        admin_url(PersonalInvitation, "changelist")
        + f"?event__id__exact={event.pk}&status=declined"
    )
    assert filtered.context["cl"].result_count == 1


@pytest.mark.parametrize(
    ("model", "make"),
    [
        (PersonalInvitation, lambda event: PersonalInvitationFactory(event=event)),
        (Invitation, lambda event: InvitationFactory(event=event, quota=None)),
    ],
    ids=["personal", "codes"],
)
def test_the_lists_run_the_same_queries_for_one_and_five_rows(organiser_client, model, make):
    event = EventFactory()
    url = admin_url(model, "changelist")
    make(event)
    organiser_client.get(url)
    with CaptureQueriesContext(connection) as one:
        organiser_client.get(url)
    for _ in range(4):
        make(event)
    with CaptureQueriesContext(connection) as five:
        response = organiser_client.get(url)

    assert response.context["cl"].result_count == 5
    assert len(five) == len(one)


def test_the_codes_list_shows_uses_of_max_and_not_personal_codes(organiser_client):
    code = InvitationFactory(max_uses=10, tag="districts")
    Invitation.objects.filter(pk=code.pk).update(uses=3)
    PersonalInvitationFactory(event=code.event)

    response = organiser_client.get(admin_url(Invitation, "changelist"))

    assert response.context["cl"].result_count == 1
    html = response.content.decode()
    assert "3 of 10" in html
    assert f"/register/?invitation={code.code}" in html


def test_a_code_added_without_one_gets_a_new_code(organiser_client, event):
    response = organiser_client.post(
        admin_url(Invitation, "add"),
        {"event": event.pk, "code": "", "max_uses": 5, "tag": "districts"},
    )

    assert response.status_code == 302
    code = Invitation.objects.get().code
    assert len(code) == invitations.CODE_LENGTH
    assert set(code) <= set(invitations.CODE_ALPHABET)


def test_a_code_with_look_alike_characters_is_refused(organiser_client, event):
    response = organiser_client.post(
        admin_url(Invitation, "add"), {"event": event.pk, "code": "KENT01", "max_uses": 5}
    )

    assert response.status_code == 200
    assert "cannot be mistaken" in response.context["adminform"].form.errors["code"][0]


def test_send_and_remind_actions_start_runs_for_those_due(organiser_client, mailoutbox):
    event = EventFactory()
    fresh = PersonalInvitationFactory(event=event)
    sent = PersonalInvitationFactory(event=event, sent_at=timezone.now())
    answered = PersonalInvitationFactory(event=event, sent_at=timezone.now(), status="declined")
    url = admin_url(PersonalInvitation, "changelist")
    everyone = [fresh.pk, sent.pk, answered.pk]

    organiser_client.post(url, {"action": "send_invitations", "_selected_action": everyone})
    organiser_client.post(url, {"action": "send_reminders", "_selected_action": everyone})

    runs = {run.kind: run for run in InvitationRun.objects.all()}
    invited = InvitationCopy.objects.filter(run=runs[InvitationEmailKind.INVITATION])
    reminded = InvitationCopy.objects.filter(run=runs[InvitationEmailKind.REMINDER])
    assert list(invited.values_list("invitation", flat=True)) == [fresh.pk]
    assert list(reminded.values_list("invitation", flat=True)) == [sent.pk]


def test_sending_needs_the_right_to_email(client):
    personal = PersonalInvitationFactory()
    client.force_login(staff_user("view_personalinvitation", "change_personalinvitation"))

    client.post(
        admin_url(PersonalInvitation, "changelist"),
        {"action": "send_invitations", "_selected_action": [personal.pk]},
    )

    assert not InvitationRun.objects.exists()


def test_the_runs_are_in_the_admin_for_those_who_email(organiser_client):
    personal = PersonalInvitationFactory()
    from mailings import invitations as invitation_emails

    run = invitation_emails.start_run(event=personal.event, kind=InvitationEmailKind.INVITATION)

    assert organiser_client.get(admin_url(InvitationRun, "changelist")).status_code == 200
    assert organiser_client.get(admin_url(InvitationRun, "change", run.pk)).status_code == 200
    assert organiser_client.get(admin_url(InvitationCopy, "changelist")).status_code == 200


def test_a_code_cannot_reserve_another_events_quota(organiser_client, event):
    other_quota = SeatQuota.objects.create(
        event=EventFactory(),
        organisation=OrganisationFactory(),
        seats=5,
        release_at=timezone.now() + dt.timedelta(days=10),
    )
    own_quota = SeatQuota.objects.create(
        event=event,
        organisation=OrganisationFactory(),
        seats=5,
        release_at=timezone.now() + dt.timedelta(days=10),
    )
    url = admin_url(Invitation, "add")

    refused = organiser_client.post(
        url, {"event": event.pk, "max_uses": 5, "quota": other_quota.pk}
    )
    kept = organiser_client.post(url, {"event": event.pk, "max_uses": 5, "quota": own_quota.pk})

    assert refused.context["adminform"].form.errors["quota"] == [
        "Choose a quota of the same event."
    ]
    assert kept.status_code == 302
    assert Invitation.objects.get().quota == own_quota
