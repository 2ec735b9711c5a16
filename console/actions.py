"""Admin actions that change registrations, each through the registration services."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse

from console.rules import plural
from registration import services
from symposium.enums import RegistrationStatus
from symposium.models import Event


@admin.action(description="Cancel selected registrations", permissions=["change"])
def cancel_registrations(modeladmin, request, queryset):
    active = queryset.exclude(status=RegistrationStatus.CANCELLED).select_related("event")
    cancelled = [services.cancel_registration(delegate=delegate) for delegate in active]
    modeladmin.message_user(
        request,
        f"{plural(len(cancelled), 'registration')} cancelled; their places went to the "
        "waitlists, in order, and everyone concerned was emailed.",
        messages.SUCCESS,
    )


@admin.action(description="Promote from the waitlist (in order)", permissions=["change"])
def promote_from_waitlist(modeladmin, request, queryset):
    """Free places go to the front of each event's waitlist, whoever was selected: the
    waitlist is first come, first served."""
    events = Event.objects.filter(pk__in=queryset.values("event_id")).order_by("pk")
    for event in events:
        promoted = services.promote_from_event_waitlist(event=event)
        if promoted:
            names = ", ".join(delegate.full_name for delegate in promoted)
            modeladmin.message_user(
                request, f"{event}: promoted and emailed {names}.", messages.SUCCESS
            )
        else:
            modeladmin.message_user(
                request,
                f"{event} has no free place: raise its capacity (on the event's page) to "
                "promote from the waitlist.",
                messages.WARNING,
            )


@admin.action(description="Move to another breakout session", permissions=["change"])
def move_to_session(modeladmin, request, queryset):
    event_ids = list(queryset.order_by().values_list("event_id", flat=True).distinct()[:2])
    if len(event_ids) != 1:
        modeladmin.message_user(
            request, "Select the delegates of one event at a time.", messages.WARNING
        )
        return None
    ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
    return redirect(f"{reverse('admin:console-move-delegates', args=[event_ids[0]])}?ids={ids}")


@admin.action(description="Copy as a new event", permissions=["add"])
def copy_as_new_event(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, "Select one event to copy.", messages.WARNING)
        return None
    return redirect("admin:console-copy-event", queryset.get().pk)


DELEGATE_CONSOLE_ACTIONS = [cancel_registrations, promote_from_waitlist, move_to_session]
