"""Staff pages: attendee list downloads, sign-in sheets, the catering and access summary
and the overview. Every page needs the "can export attendees" permission; anonymous
visitors are sent to the login page, anyone else signed in gets 403. Each shows only the
events of the user's teams (symposium.teams): another event's pages are not found."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.views.generic import ListView, TemplateView

from console.exports import selectors
from console.exports.forms import AttendeeExportForm
from console.exports.services import start_attendee_export
from symposium import teams
from symposium.exports.base import file_response
from symposium.exports.services import NEEDS_PERMISSION, export_basename

EXPORT_PERMISSION = "symposium.export_attendees"


class StaffPermissionMixin(PermissionRequiredMixin):
    permission_required = EXPORT_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # Personal data: no copy in a shared or browser cache.
        add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        # The staff navigation's event switcher (templates/staff/base.html).
        events = teams.events_for(self.request.user).order_by("-starts_on", "name")
        events = events.only("pk", "slug", "name")
        return super().get_context_data(staff_events=events, **kwargs)


class StaffEventMixin(StaffPermissionMixin):
    """The event named in the URL, published or not (staff prepare events in advance)."""

    @cached_property
    def event(self):
        return get_object_or_404(teams.events_for(self.request.user), slug=self.kwargs["slug"])

    def dispatch(self, request, *args, **kwargs):
        if self.has_permission():
            self.event  # noqa: B018 - another team's event: not found, whatever is asked
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(event=self.event, **kwargs)


class StaffEventList(StaffPermissionMixin, ListView):
    template_name = "staff/event_list.html"
    context_object_name = "events"

    def get_queryset(self):
        return teams.events_for(self.request.user).order_by("-starts_on", "name")

    def get(self, request, *args, **kwargs):
        slug = request.GET.get("event")
        if slug and teams.events_for(request.user).filter(slug=slug).exists():
            return redirect("staff:event", slug=slug)
        return super().get(request, *args, **kwargs)


class StaffEvent(StaffEventMixin, TemplateView):
    """The event's staff page: choose an attendee list, find the sheets and summaries."""

    template_name = "staff/event.html"

    def get_form(self, data=None):
        return AttendeeExportForm(data, event=self.event, user=self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        kwargs["can_view_needs"] = self.request.user.has_perm(NEEDS_PERMISSION)
        return super().get_context_data(**kwargs)


class AttendeeExport(StaffEvent):
    """The download the staff page's form asks for (GET), written to the audit trail."""

    def get(self, request, *args, **kwargs):
        form = self.get_form(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        filters = form.filters()
        file_format = form.cleaned_data["file_format"]
        exporter = start_attendee_export(
            event=self.event, filters=filters, file_format=file_format, exported_by=request.user
        )
        basename = export_basename(event=self.event, scope=filters.slug())
        return file_response(exporter, file_format=file_format, basename=basename)


class RegistrationDeskSheet(StaffEventMixin, TemplateView):
    template_name = "staff/sign_in_desk.html"

    def get_context_data(self, **kwargs):
        delegates = selectors.sign_in_list(event=self.event)
        return super().get_context_data(delegates=delegates, **kwargs)


class BreakoutSignInSheets(StaffEventMixin, TemplateView):
    """One page per breakout session, or only the session in the URL."""

    template_name = "staff/sign_in_breakouts.html"

    def get_context_data(self, **kwargs):
        session_id = self.kwargs.get("session_id")
        sessions = selectors.sign_in_sessions(event=self.event, session_id=session_id)
        if session_id is not None and not sessions:
            raise Http404("No such breakout session at this event.")
        return super().get_context_data(sessions=sessions, **kwargs)


class CateringSummary(StaffEventMixin, TemplateView):
    """Special category data: also needs the right to view delegates' needs."""

    template_name = "staff/catering.html"
    permission_required = (EXPORT_PERMISSION, NEEDS_PERMISSION)

    def get_context_data(self, **kwargs):
        summary = selectors.catering_summary(event=self.event)
        return super().get_context_data(summary=summary, **kwargs)


class Overview(StaffEventMixin, TemplateView):
    template_name = "staff/overview.html"

    def get_context_data(self, **kwargs):
        overview = selectors.overview(event=self.event)
        return super().get_context_data(overview=overview, **kwargs)
