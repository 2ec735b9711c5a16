"""Organisers make accounts for their event staff, and nobody can give anyone, themselves
included, more than their own permissions."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from tests.admin_forms import change_form_data
from tests.factories import UserFactory
from tests.helpers import admin_url

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
User = get_user_model()


def edit(client, user, **changes):
    url = admin_url(User, "change", user.pk)
    return client.post(url, change_form_data(client.get(url)) | changes)


def test_organiser_creates_an_event_staff_account(organiser_client):
    response = organiser_client.post(
        admin_url(User, "add"),
        {
            "username": "door-team",
            "password1": "a long pass phrase 42",
            "password2": "a long pass phrase 42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    staff = User.objects.get(username="door-team")

    response = edit(
        organiser_client,
        staff,
        is_staff="on",
        groups=[Group.objects.get(name="Event staff").pk],
    )

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.is_staff
    assert staff.has_perm("symposium.export_attendees")
    assert not staff.is_superuser


def test_organiser_cannot_make_anyone_a_superuser(organiser_client, organiser):
    staff = UserFactory(is_staff=True)

    edit(organiser_client, staff, is_superuser="on")
    edit(organiser_client, organiser, is_superuser="on")

    staff.refresh_from_db()
    organiser.refresh_from_db()
    assert not staff.is_superuser
    assert not organiser.is_superuser


def test_organiser_cannot_grant_a_permission_they_lack(organiser_client, organiser):
    lacking = Permission.objects.get(codename="change_group")
    powerful = Group.objects.create(name="Account admins")
    powerful.permissions.add(lacking)

    for target in (UserFactory(is_staff=True), organiser):
        by_permission = edit(organiser_client, target, user_permissions=[lacking.pk])
        by_group = edit(organiser_client, target, groups=[powerful.pk])

        assert by_permission.status_code == 200
        assert by_group.status_code == 200
        target = User.objects.get(pk=target.pk)
        assert not target.has_perm("auth.change_group")
        assert not target.groups.filter(pk=powerful.pk).exists()


def test_organiser_cannot_change_a_more_powerful_account(organiser_client):
    admin = UserFactory(is_staff=True, is_superuser=True)

    page = edit(organiser_client, admin, username="taken-over")
    password = organiser_client.post(
        f"/admin/auth/user/{admin.pk}/password/",
        {"password1": "another long phrase 9", "password2": "another long phrase 9"},
    )

    admin.refresh_from_db()
    assert admin.username != "taken-over"
    assert page.status_code == 403
    assert password.status_code == 403
