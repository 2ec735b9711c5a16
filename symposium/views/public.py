"""The public, read-only pages of an event: home, agenda (and its .ics), privacy notice
and accessibility statement, and the list of upcoming events."""

from django.contrib.messages import get_messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView, View

from breakouts.selectors import availability_label
from symposium import page_cache, selectors, services
from symposium.ics import agenda_calendar


class EventPageMixin:
    """Finds the published event named in the URL once (404 for unknown or unpublished
    events) and gives the template `event` and `nav`, which base.html uses."""

    nav = ""
    event_slug_kwarg = "event_slug"

    @cached_property
    def event(self):
        # From the cache until an organiser saves something: a cached page then runs no
        # query at all.
        slug = self.kwargs[self.event_slug_kwarg]
        event = page_cache.content_value(
            f"event:{slug}", lambda: selectors.published_events().filter(slug=slug).first()
        )
        if event is None:
            raise Http404("No published event has this address.")
        return event

    def get_context_data(self, **kwargs):
        return super().get_context_data(event=self.event, nav=self.nav, **kwargs)


class CachedPageMixin:
    """Serves an event page from the shared cache (symposium.page_cache): the page,
    its URL arguments, the content version and `live_state()` make the key.

    `live_state()` returns what the page shows that changes without an organiser
    saving anything (places left, whether registration is open), read on every request.
    A visitor with a message waiting (base.html shows it) gets the page rendered fresh,
    so no one's message is ever stored for others."""

    def live_state(self):
        return ()

    def get(self, request, *args, **kwargs):
        with page_cache.versions_read_once():
            return self.cached_get(request, *args, **kwargs)

    def cached_get(self, request, *args, **kwargs):
        self.event  # noqa: B018 - an unknown or unpublished event is a 404 before the cache
        if get_messages(request):
            return super().get(request, *args, **kwargs)
        key = page_cache.page_key(
            type(self).__name__, sorted(self.kwargs.items()), self.live_state()
        )
        cached = page_cache.get_page(key)
        if cached is not None:
            return cached.response(request)
        response = super().get(request, *args, **kwargs)
        response.render()
        if response.status_code == 200:
            page_cache.store_page(key, response.content)
        return response


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

    @cached_property
    def registration(self):
        window = services.registration_window(event=self.event)
        is_full = window == services.Window.OPEN and page_cache.live_value(
            "full", self.event.pk, lambda: services.event_is_full(event=self.event)
        )
        return window.value, is_full

    def live_state(self):
        return self.registration

    def get_context_data(self, **kwargs):
        window, is_full = self.registration
        return super().get_context_data(
            registration=window,
            is_full=is_full,
            hours=selectors.event_hours(event=self.event),
            **kwargs,
        )


class Agenda(CachedPageMixin, EventPage, TemplateView):
    template_name = "symposium/agenda.html"
    nav = "agenda"

    def live_state(self):
        places = selectors.session_places(event=self.event)
        return sorted((pk, availability_label(*places[pk])) for pk in places)

    def get_context_data(self, **kwargs):
        return super().get_context_data(agenda=selectors.agenda(event=self.event), **kwargs)


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
