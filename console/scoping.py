"""The admin's side of teams (symposium.teams): each ModelAdmin of a model that belongs
to an event shows, offers and acts on only the events its user may see.

`EventScopedAdmin` goes first in a ModelAdmin's bases. It narrows:
- the rows (get_queryset: the changelist, the change, delete and history pages, the
  actions' selections and the autocomplete, which all start from it);
- every choice of a related row in its form and its inlines' forms (an event, a room, a
  delegate, a session…), so a crafted POST cannot name another event's row either;
- the changelist's filters by a related row, to those its rows use.

Another event's object asked for by its address is "not found" (404), as a missing one
is, whoever asks: the answer does not tell whether it exists.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404

from symposium import audit, teams


def scope_fields(fields, user, *, shared=None) -> None:
    """Every choice of a related row in `fields` narrowed to `user`'s events. `shared`,
    a dict, keeps the choices read for a formset's first row for its other rows."""
    if teams.sees_all_events(user):
        return
    for name, field in fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        # Choices a formset shares between its rows (console.agenda.share_choices) were
        # read before: read them again, from the narrowed queryset, once for all rows.
        was_shared = field.__dict__.pop("_choices", None) is not None
        field.queryset = teams.for_user(queryset, user)
        if shared is None or not was_shared:
            continue
        if name not in shared:
            shared[name] = list(field.choices)
        field.choices = shared[name]


def _scoped_formset(formset, user):
    class ScopedFormSet(formset):
        # add_fields runs after the form is made (and after a formset's own add_fields
        # has set its querysets): the last word on each row's choices.
        def add_fields(self, form, index):
            super().add_fields(form, index)
            shared = self.__dict__.setdefault("_scoped_choices", {})
            scope_fields(form.fields, user, shared=shared)

    ScopedFormSet.__name__ = formset.__name__
    return ScopedFormSet


def _is_event_relation(model, path) -> bool:
    try:
        field = get_fields_from_path(model, path)[-1]
    except (FieldDoesNotExist, IndexError, AttributeError):
        return False
    related = getattr(field, "related_model", None)
    return related is not None and teams.event_path(related) is not None


class NotFoundAdmin:
    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Django redirects to the index with "perhaps it was deleted?": a plain 404 says
        # the same of a missing object and of one the user may not see.
        raise Http404(f"No {opts.verbose_name} with this ID.")


def _event_ids(model, pks) -> dict:
    """{pk: event pk} for these rows of `model`, in one query."""
    path = teams.event_path(model)
    if path is None or not pks:
        return {}
    rows = model._default_manager.filter(pk__in=list(pks)).values_list("pk", path)
    return dict(rows)


def _log_admin(request, objects, action: str, message="") -> None:
    objects = list(objects)
    events = _event_ids(type(objects[0]), [obj.pk for obj in objects]) if objects else {}
    changes = message if isinstance(message, list) else ([message] if message else [])
    audit.log_actions(
        audit.entry(
            event=events[obj.pk],
            action=action,
            actor=request.user,
            via=audit.Via.ADMIN,
            obj=obj,
            data={"changes": changes} if changes else {},
        )
        for obj in objects
        if events.get(obj.pk) is not None
    )


class EventScopedAdmin(NotFoundAdmin):
    """Also writes every addition, change and deletion to the event's audit log
    (symposium.audit: "admin.added", "admin.changed", "admin.deleted"), in the admin's
    own transaction."""

    def log_addition(self, request, obj, message):
        _log_admin(request, [obj], "admin.added", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        _log_admin(request, [obj], "admin.changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        _log_admin(request, queryset, "admin.deleted")
        return super().log_deletions(request, queryset)

    def get_queryset(self, request):
        return teams.for_user(super().get_queryset(request), request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        scope_fields(form.base_fields, request.user)
        return form

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            yield _scoped_formset(formset, request.user), inline

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if teams.sees_all_events(request.user):
            return filters
        scoped = []
        for entry in filters:
            path, filter_class = entry if isinstance(entry, tuple) else (entry, None)
            plain = filter_class in (None, admin.RelatedFieldListFilter)
            if isinstance(path, str) and plain and _is_event_relation(self.model, path):
                # Only the related rows this user's rows use: their own events, sessions…
                scoped.append((path, admin.RelatedOnlyFieldListFilter))
            else:
                scoped.append(entry)
        return scoped


class AllEventsOnlyAdmin:
    """For records that are no event's but may name anyone's delegates (the mail queue,
    the task queue's jobs): only whoever sees every event sees them."""

    def has_module_permission(self, request):
        return teams.sees_all_events(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return teams.sees_all_events(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return teams.sees_all_events(request.user) and allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return teams.sees_all_events(request.user) and allowed

    def has_add_permission(self, request, *args):
        return teams.sees_all_events(request.user) and super().has_add_permission(request, *args)
