"""Teams in the admin: who works on which events (symposium.teams).

For superusers and accounts with the team permissions (the Organisers group has them).
Nobody gives more than they have: an account that does not see every event sees, and
edits, only the teams whose events are all its own, can choose only its own events, and
cannot make a team of all events.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from console.scoping import NotFoundAdmin, scope_fields
from symposium import teams
from symposium.models import Event, Team


@admin.register(Team)
class TeamAdmin(NotFoundAdmin, admin.ModelAdmin):
    list_display = ["name", "event_names", "member_names"]
    list_filter = ["all_events"]
    search_fields = ["name", "members__username", "members__email"]
    fields = ["name", "all_events", "limit_events", "members"]
    filter_horizontal = ["limit_events", "members"]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("limit_events", queryset=Event.objects.only("pk", "name")),
                Prefetch("members", queryset=get_user_model().objects.only("pk", "username")),
            )
        )
        if teams.sees_all_events(request.user):
            return queryset
        others = Event.objects.exclude(pk__in=teams.events_for(request.user).values("pk"))
        return queryset.filter(all_events=False).exclude(limit_events__in=others)

    def get_readonly_fields(self, request, obj=None):
        if teams.sees_all_events(request.user):
            return []
        return ["all_events"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "members" in form.base_fields:
            form.base_fields["members"].queryset = get_user_model().objects.filter(
                is_staff=True, is_active=True
            )
        scope_fields(form.base_fields, request.user)
        return form

    @admin.display(description="events")
    def event_names(self, team):
        if team.all_events:
            return "All events"
        return ", ".join(event.name for event in team.limit_events.all()) or "None"

    @admin.display(description="members")
    def member_names(self, team):
        return ", ".join(user.username for user in team.members.all()) or "None"
