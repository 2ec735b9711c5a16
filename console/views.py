"""Console pages inside the admin: copying an event, moving delegates to a session."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView

from console import services
from console.forms import CopyEventForm, MoveDelegatesForm, default_copy_date
from symposium import teams
from symposium.models import Delegate, Event


class ConsoleView(FormView):
    admin_site = None
    permissions: tuple = ()
    needs_all_events = False

    @cached_property
    def event(self):
        # Another team's event is not found, as a missing one.
        return get_object_or_404(teams.events_for(self.request.user), pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perms(self.permissions):
            raise PermissionDenied
        if self.needs_all_events and not teams.sees_all_events(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "event": self.event}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **self.admin_site.each_context(self.request),
            event=self.event,
            opts=Event._meta,
            **kwargs,
        )


class CopyEventView(ConsoleView):
    template_name = "admin/console/copy_event.html"
    form_class = CopyEventForm
    # The copy is a new event, in no team yet: as adding an event (EventAdmin).
    needs_all_events = True
    permissions = (
        "symposium.add_event",
        "symposium.add_room",
        "symposium.add_agendaitem",
        "speakers.add_presentation",
        "speakers.add_presentationspeaker",
        "breakouts.add_theme",
        "breakouts.add_breakoutsession",
    )

    def get_initial(self):
        return {
            "name": f"{self.event.name} (copy)",
            "slug": f"{self.event.slug}-copy"[:100],
            "starts_on": default_copy_date(self.event),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Copy “{self.event.name}” as a new event", **kwargs)

    def form_valid(self, form):
        copy = services.copy_event(event=self.event, **form.cleaned_data)
        opens = timezone.localtime(copy.registration_opens_at)
        closes = timezone.localtime(copy.registration_closes_at)
        messages.success(
            self.request,
            f"“{copy.name}” is ready to edit, unpublished: rooms, agenda, speakers, themes "
            "and breakout sessions were copied; delegates were not. Its registration opens "
            f"on {opens:%A %-d %B %Y at %H:%M} and closes on {closes:%A %-d %B %Y at %H:%M}.",
        )
        return redirect(reverse("admin:symposium_event_change", args=[copy.pk]))


class MoveDelegatesView(ConsoleView):
    """Chosen delegates (`?ids=1,2`) of the event in the URL, into one session."""

    template_name = "admin/console/move_delegates.html"
    form_class = MoveDelegatesForm
    permissions = ("symposium.change_delegate", "breakouts.change_breakoutchoice")

    @cached_property
    def delegates(self):
        ids = [part for part in self.request.GET.get("ids", "").split(",") if part.isdigit()]
        return list(Delegate.objects.filter(event=self.event, pk__in=ids))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Move delegates to another breakout session", delegates=self.delegates, **kwargs
        )

    def form_valid(self, form):
        session = form.cleaned_data["session"]
        try:
            moved = services.move_delegates(delegates=self.delegates, session=session)
        except ValidationError as error:
            form.add_error("session", error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{len(moved)} delegate(s) moved to “{session.theme.title}” and emailed."
        )
        changelist = reverse("admin:symposium_delegate_changelist")
        return redirect(f"{changelist}?event__id__exact={self.event.pk}")
