"""Small helpers shared by the tests of several apps."""

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from symposium import tokens
from tests.factories import UserFactory


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def manage_url(delegate, name="registration:manage", token=None):
    """A page of the delegate's manage link (their own token unless one is given)."""
    token = token or tokens.make_manage_token(delegate)
    return reverse(name, kwargs={"event_slug": delegate.event.slug, "token": token})


def delegate_details(delegate, **overrides):
    """The manage form's details as the delegate has them, with some changed."""
    data = {
        "first_name": delegate.first_name,
        "last_name": delegate.last_name,
        "email": delegate.email,
        "organisation": delegate.organisation,
        "sector": delegate.sector,
        "job_title": delegate.job_title,
    }
    return data | overrides


def staff_user(*codenames, groups=()):
    """A staff account, not a superuser, with just these permissions and groups."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user
