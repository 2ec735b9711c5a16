"""Accounts in the admin: organisers make accounts for their event staff and put them
in "Event staff", but nobody can give anyone (themselves included) more than their own
permissions, nor any event they do not see themselves (their teams, symposium.teams).
Superusers are unrestricted."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, Permission

from symposium import teams

User = get_user_model()


def _codes(permissions) -> set[str]:
    return {f"{perm.content_type.app_label}.{perm.codename}" for perm in permissions}


def grantable_groups(user):
    """The groups whose every permission the user has."""
    own = user.get_all_permissions()
    groups = Group.objects.prefetch_related("permissions__content_type")
    return Group.objects.filter(
        pk__in=[group.pk for group in groups if _codes(group.permissions.all()) <= own]
    )


def grantable_permissions(user):
    own = user.get_all_permissions()
    permissions = Permission.objects.select_related("content_type")
    return Permission.objects.filter(
        pk__in=[perm.pk for perm in permissions if _codes([perm]) <= own]
    )


def is_within(user, other) -> bool:
    """`other` has no right `user` lacks and sees no event `user` does not (so `user` may
    edit them)."""
    if user.is_superuser:
        return True
    if other.is_superuser:
        return False
    if not other.get_all_permissions() <= user.get_all_permissions():
        return False
    if teams.sees_all_events(user):
        return True
    return not teams.events_for(other).exclude(pk__in=teams.events_for(user)).exists()


class ConsoleUserAdmin(UserAdmin):
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "is_superuser"]})
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "groups":
                kwargs["queryset"] = grantable_groups(request.user)
            elif db_field.name == "user_permissions":
                kwargs["queryset"] = grantable_permissions(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or is_within(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or is_within(request.user, obj))


admin.site.unregister(User)
admin.site.register(User, ConsoleUserAdmin)
