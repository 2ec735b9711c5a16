"""The public, read-only pages of an event: home, agenda (and its .ics), privacy notice
and accessibility statement, and the list of upcoming events."""

from django.contrib.messages import get_messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView, View

from symposium import page_cache, selectors, services
from symposium.console import preview
from symposium.ics import agenda_calendar


class EventPageMixin:
    """Finds the published event named in the URL once (404 for unknown or unpublished
    events) and gives the template `event` and `nav`, which base.html uses."""

    nav = ""
    event_slug_kwarg = "event_slug"
    # Staff looking at an unpublished event (symposium.console.preview).
    is_preview = False

    @cached_property
    def event(self):
        slug = self.kwargs[self.event_slug_kwarg]
        event = selectors.published_events().filter(slug=slug).first()
        if event is None:
            event = preview.unpublished_event(self.request, slug)
            self.is_preview = event is not None
        if event is None:
            raise Http404("No published event has this address.")
        return event

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            event=self.event, nav=self.nav, preview=self.is_preview, **kwargs
        )


class CachedPageMixin:
    """Serves an event page from the shared cache (symposium.page_cache), keyed by its
    URL: a hit is one round trip to the cache and no query.

    `shows_places`: the page shows places left or "full", so a registration makes it
    out of date. `valid_until()`: when the page stops being true by the clock alone.
    A visitor with a message waiting (base.html shows it) gets the page rendered for
    them, so no one's message is ever stored for others. Nor is a staff preview of an
    unpublished event (symposium.console.preview): rendered on every request, not kept."""

    shows_places = False

    def valid_until(self):
        return None

    def get(self, request, *args, **kwargs):
        if get_messages(request):
            return super().get(request, *args, **kwargs)
        key = f"page:{request.path}"
        page, versions = page_cache.lookup(key)
        if page is not None:
            return page.response(request)
        response = super().get(request, *args, **kwargs)
        if self.is_preview:
            return preview.fresh(response)
        response.render()
        if response.status_code == 200:
            page_cache.store(
                key,
                page_cache.CachedPage.of(response.content),
                versions=versions,
                shows_places=self.shows_places,
                until=self.valid_until(),
            )
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
            **kwargs,
        )


class Agenda(CachedPageMixin, EventPage, TemplateView):
    template_name = "symposium/agenda.html"
    nav = "agenda"

    shows_places = True

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
