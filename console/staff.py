"""Staff pages: attendee list downloads, sign-in sheets, the catering and access summary
and the overview. Every page needs the "can export attendees" permission; anonymous
visitors are sent to the login page, anyone else signed in gets 403. Each shows only the
events of the user's teams (symposium.teams): another event's pages are not found."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import ListView, TemplateView

from console import figures
from console.exports import prepared as prepared_exports
from console.exports import selectors
from console.exports.forms import AttendeeExportForm
from console.exports.services import request_attendee_export, retry_prepared_export
from symposium import teams
from symposium.exports.base import CONTENT_TYPES, file_response
from symposium.exports.services import NEEDS_PERMISSION, export_basename
from symposium.models import PreparedExport

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
        kwargs["export_in_request_rows"] = settings.EXPORT_IN_REQUEST_ROWS
        kwargs["export_keep_hours"] = settings.EXPORT_KEEP_HOURS
        return super().get_context_data(**kwargs)


class AttendeeExport(StaffEvent):
    """The download the staff page's form asks for (GET), written to the audit trail."""

    def get(self, request, *args, **kwargs):
        form = self.get_form(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        filters = form.filters()
        file_format = form.cleaned_data["file_format"]
        exporter = request_attendee_export(
            event=self.event, filters=filters, file_format=file_format, exported_by=request.user
        )
        if isinstance(exporter, PreparedExport):  # too long for a request: on the queue
            return redirect("staff:prepared-export", slug=self.event.slug, export=exporter.pk)
        basename = export_basename(event=self.event, scope=filters.slug())
        return file_response(exporter, file_format=file_format, basename=basename)


class _PreparedExportMixin(StaffEventMixin):
    """A list made on the task queue, for the staff member who asked for it only (the
    audit trail names them), while they may still export, and view needs if it has
    them: a permission taken away since the request also takes the file away."""

    @cached_property
    def prepared(self) -> PreparedExport:
        exports = PreparedExport.objects.filter(
            record__event=self.event, record__exported_by=self.request.user
        )
        exports = exports.select_related("record").defer("content")
        return get_object_or_404(exports, pk=self.kwargs["export"])

    def has_permission(self):
        if not super().has_permission():
            return False
        if self.prepared.record.filters.get("include_needs"):
            return self.request.user.has_perm(NEEDS_PERMISSION)
        return True

    def status(self) -> dict:
        prepared = self.prepared
        ready = prepared_exports.downloadable(prepared)
        kwargs = {"slug": self.event.slug, "export": prepared.pk}
        status = prepared.status
        if status == PreparedExport.Status.DONE and not ready:  # expired, not yet removed
            status = PreparedExport.Status.EXPIRED
        return {
            "status": status,
            "label": PreparedExport.Status(status).label,
            "done": prepared.done,
            "total": prepared.record.row_count,
            "download": reverse("staff:prepared-export-file", kwargs=kwargs) if ready else None,
        }


class PreparedExportPage(_PreparedExportMixin, TemplateView):
    """How far a list on the task queue got; its download when ready, or that it failed
    and can be tried again. The page asks again by itself (static/staff/export.js), or
    by its "Check again" link."""

    template_name = "staff/prepared_export.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("export", None)  # the URL's id: the export itself instead
        return super().get_context_data(
            prepared=self.prepared,
            record=self.prepared.record,
            status=self.status(),
            keep_hours=settings.EXPORT_KEEP_HOURS,
            **kwargs,
        )


class PreparedExportStatus(_PreparedExportMixin, View):
    def get(self, request, *args, **kwargs):
        return JsonResponse(self.status())


class PreparedExportFile(_PreparedExportMixin, View):
    def get(self, request, *args, **kwargs):
        content = (
            PreparedExport.objects.filter(
                pk=self.prepared.pk,
                status=PreparedExport.Status.DONE,
                expires_at__gt=timezone.now(),
            )
            .values_list("content", flat=True)
            .first()
        )
        if content is None:
            return HttpResponse("This list is not ready, or no longer kept.", status=404)
        response = HttpResponse(
            bytes(content), content_type=CONTENT_TYPES[self.prepared.record.file_format]
        )
        response["Content-Disposition"] = f'attachment; filename="{self.prepared.filename}"'
        return response


class PreparedExportRetry(_PreparedExportMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if retry_prepared_export(prepared=self.prepared):
            messages.success(request, "The list is being prepared again.")
        return redirect("staff:prepared-export", slug=self.event.slug, export=self.prepared.pk)


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
        charts = figures.overview_charts(event=self.event, overview=overview)
        return super().get_context_data(overview=overview, charts=charts, **kwargs)
