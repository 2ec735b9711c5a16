"""Which events a staff account may see: its teams (symposium.models.Team), as in pretix.

The Django permissions say what an account may do (view delegates, export, check in);
its teams say on which events. Every staff surface (the admin's lists, forms, filters and
actions, the staff pages, the desk, the mailings, the allocation) narrows what it shows
with these selectors, so the rule lives here once:

- a superuser sees every event;
- a member of a team with "all events" sees every event (accounts that existed before
  teams were put in the "All events" team by migration 0012, so nothing changed for them);
- anyone else sees the events of their teams, and a staff account in no team sees none.

Another event's object asked for by its address is "not found" (404), as if it did not
exist: the answer does not say whether it does.
"""

from collections import deque
from functools import cache

from django.db import models

from symposium.models import Event, Team

ALL_EVENTS_TEAM = "All events"
_ALL = "_teams_sees_all_events"


def sees_all_events(user) -> bool:
    """One query per user object, remembered on it (a request has one)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, _ALL):
        setattr(user, _ALL, Team.objects.filter(members=user, all_events=True).exists())
    return getattr(user, _ALL)


def all_events_team() -> Team:
    """The team of every event (made by migration 0012; again after a flush)."""
    team, _ = Team.objects.get_or_create(name=ALL_EVENTS_TEAM, defaults={"all_events": True})
    return team


def events_for(user) -> models.QuerySet:
    """The events `user` may see (as a queryset, so it can be a subquery)."""
    if sees_all_events(user):
        return Event.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Event.objects.none()
    return Event.objects.filter(
        pk__in=Team.limit_events.through.objects.filter(team__members=user).values("event_id")
    )


def can_see_event(user, event) -> bool:
    if sees_all_events(user):
        return True
    return events_for(user).filter(pk=event.pk).exists()


@cache
def event_path(model) -> str | None:
    """The lookup from `model` to its event ("event", "delegate__event",
    "theme__event"…), or None for what belongs to no event (speakers, the partner
    directory, accounts). Found by following foreign keys, non-null ones first, the
    shortest way."""
    if model is Event:
        return "pk"
    seen = {model}
    queue = deque([(model, "")])
    while queue:
        current, prefix = queue.popleft()
        fields = [
            field
            for field in current._meta.get_fields()
            if (field.many_to_one or field.one_to_one)
            and field.concrete
            and field.related_model is not None
        ]
        fields.sort(key=lambda field: field.null)
        for field in fields:
            if field.related_model is Event:
                return f"{prefix}{field.name}"
        for field in fields:
            if field.null or field.related_model in seen:
                continue
            seen.add(field.related_model)
            queue.append((field.related_model, f"{prefix}{field.name}__"))
    return None


def for_user(queryset: models.QuerySet, user) -> models.QuerySet:
    """`queryset` narrowed to the rows of the events `user` may see; a model that belongs
    to no event is left as it is."""
    path = event_path(queryset.model)
    if path is None or sees_all_events(user):
        return queryset
    if path == "pk":
        return queryset.filter(pk__in=events_for(user).values("pk"))
    return queryset.filter(**{f"{path}__in": events_for(user).values("pk")})
