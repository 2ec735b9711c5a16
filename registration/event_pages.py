"""The public, read-only pages of an event: home, agenda (and its .ics), privacy notice
and accessibility statement, and the list of upcoming events."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.generic import ListView, TemplateView, View

from registration import hooks, services
from registration.selectors import agenda
from symposium import selectors
from symposium.ics import agenda_calendar
from symposium.pages import CachedPageMixin, EventPageMixin


class EventPage(EventPageMixin):
    # The event's own pages name it `slug`, as Event.get_absolute_url does.
    event_slug_kwarg = "slug"


class EventList(ListView):
    """Upcoming events; with only one there is nothing to choose, so go straight to it."""

    template_name = "symposium/event_list.html"
    context_object_name = "events"

    def get_queryset(self):
        return selectors.upcoming_events()

    def get(self, request, *args, **kwargs):
        self.object_list = list(self.get_queryset())
        if len(self.object_list) == 1:
            return redirect(self.object_list[0])
        return self.render_to_response(self.get_context_data())


class EventDetail(CachedPageMixin, EventPage, TemplateView):
    template_name = "symposium/event_detail.html"
    nav = "home"

    shows_places = True

    def valid_until(self):
        return services.window_changes_at(event=self.event)

    def get_context_data(self, **kwargs):
        window = services.registration_window(event=self.event).value
        is_full = window == services.Window.OPEN and services.event_is_full(event=self.event)
        return super().get_context_data(
            registration=window,
            is_full=is_full,
            hours=selectors.event_hours(event=self.event),
            # What apps above add (outcomes: "Outcomes: sharing good practice").
            after_links=hooks.event_links(event=self.event),
            **kwargs,
        )


class Agenda(CachedPageMixin, EventPage, TemplateView):
    template_name = "symposium/agenda.html"
    nav = "agenda"

    shows_places = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(agenda=agenda(event=self.event), **kwargs)


class AgendaCalendar(EventPage, View):
    """The whole agenda as an iCalendar file to import into Outlook or Google Calendar."""

    def get(self, request, *args, **kwargs):
        items = selectors.calendar_items(event=self.event)
        response = HttpResponse(
            agenda_calendar(self.event, items), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.event.slug}-agenda.ics"'
        return response


class Privacy(EventPage, TemplateView):
    template_name = "symposium/privacy.html"


class Accessibility(EventPage, TemplateView):
    template_name = "symposium/accessibility.html"
