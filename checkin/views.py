"""The check-in desk: the desk page, the list it keeps for going offline, scans, undo,
walk-ins, badges and live attendance. Every page needs the "can check in" permission
(the attendance figures, like the overview, the "can export attendees" one), and an
event of the user's teams (symposium.teams): another event's desk is not found."""

import datetime as dt
import json
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views import View
from django.views.decorators.gzip import gzip_page
from django.views.generic import FormView, TemplateView
from django_permissions_policy.decorators import permissions_policy_override
from django_ratelimit.core import get_usage

from breakouts.models import BreakoutSession
from checkin import badges, exports, selectors, services
from checkin.codes import delegate_id_for_code
from checkin.forms import BadgeScope, WalkInForm
from checkin.models import BadgeRun
from symposium import teams
from symposium.enums import ExportFormat
from symposium.exports.base import file_response
from symposium.exports.services import NEEDS_PERMISSION, export_basename, record_export
from symposium.models import Event

CHECK_IN_PERMISSION = "checkin.check_in"
EXPORT_PERMISSION = "symposium.export_attendees"
MAX_SCANS_PER_REQUEST = 500


class DeskMixin(PermissionRequiredMixin):
    permission_required = CHECK_IN_PERMISSION

    @cached_property
    def event(self):
        return get_object_or_404(teams.events_for(self.request.user), slug=self.kwargs["slug"])

    def dispatch(self, request, *args, **kwargs):
        if self.has_permission():
            # Another team's event is not found before anything is read or answered,
            # whatever the request (an empty batch of scans included).
            self.event  # noqa: B018
        response = super().dispatch(request, *args, **kwargs)
        # Names and who is here: no copy in a shared or browser cache.
        add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(event=self.event, **kwargs)


# The desk's camera: this page only, this origin only.
@method_decorator(
    permissions_policy_override({"camera": ["self"], "microphone": []}), name="dispatch"
)
class Desk(DeskMixin, TemplateView):
    template_name = "checkin/desk.html"

    def get_context_data(self, **kwargs):
        sessions = BreakoutSession.objects.filter(theme__event=self.event).select_related(
            "theme", "agenda_item", "room"
        )
        sessions = sessions.order_by("agenda_item__starts_at", "theme__number", "pk")
        return super().get_context_data(sessions=sessions, **kwargs)


class ServiceWorker(View):
    """The desk's service worker (templates/checkin/service-worker.js). From this
    address its scope is the desk's own path and nothing else of the site. Nothing in
    it is secret or the event's, so no sign-in: the browser checks it for updates even
    after the desk signed out."""

    def get(self, request, *args, **kwargs):
        response = HttpResponse(
            render_to_string("checkin/service-worker.js", {"slug": kwargs["slug"]}),
            content_type="text/javascript",
        )
        response["Cache-Control"] = "no-cache"
        return response


# How long a version of the desk list is remembered for `?since=`: several refreshes.
LIST_VERSION_SECONDS = 15 * 60


# Compressed: 5,000 delegates are 1.7 MB of JSON, 0.3 MB gzipped. BREACH does not apply
# in any way that matters (docs/checkin.md): the body holds no session or CSRF token,
# and the only secrets in it, check-in codes, open nothing.
@method_decorator(gzip_page, name="dispatch")
class DeskList(DeskMixin, View):
    """The event's codes and names, for searching and scanning when offline.

    The whole list, with its `version`; `?since=<version>` answers only what changed
    since that version (`changed` entries and `removed` ids) when the server still
    remembers it (LIST_VERSION_SECONDS, in the shared cache), else the whole list
    again. The list is computed in full either way (a fixed number of queries): the
    saving is on the venue's Wi-Fi, which was the slow part.
    """

    def get(self, request, *args, **kwargs):
        with_needs = request.user.has_perm(NEEDS_PERMISSION)
        entries = selectors.desk_list(event=self.event, with_needs=with_needs)
        version, digests = selectors.list_version(entries)
        key = f"checkin:list:{self.event.pk}:{int(with_needs)}:"
        cache.add(key + version, digests, LIST_VERSION_SECONDS)
        answer = {"now": timezone.now().isoformat(), "version": version}
        since = request.GET.get("since", "")
        before = cache.get(key + since) if since.isalnum() and len(since) <= 40 else None
        if before is None:
            return JsonResponse({**answer, "delegates": entries})
        changed, removed = selectors.list_changes(entries, before=before, now=digests)
        return JsonResponse({**answer, "since": since, "changed": changed, "removed": removed})


def _scan_time(value) -> dt.datetime | None:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is not None and timezone.is_naive(moment):
        return None
    return moment


class Scans(DeskMixin, View):
    """POST {"scans": [{"nonce", "code" or "delegate", "at", "desk", "offline"}]}: one
    answer per scan, in order. A desk sends its offline queue here in one go. An item
    {"nonce", "delegate", "at", "undo": true} undoes that scan (see Undo).

    Each item is answered on its own: one the server cannot take is "refused" with a
    reason and the rest of the batch goes through, so one bad scan never jams a desk.
    """

    def post(self, request, *args, **kwargs):
        try:
            scans = json.loads(request.body)["scans"]
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"error": 'Send {"scans": [...]}.'}, status=400)
        if not isinstance(scans, list) or len(scans) > MAX_SCANS_PER_REQUEST:
            return JsonResponse({"error": "Too many scans in one request."}, status=400)
        started = time.perf_counter()
        response = JsonResponse({"results": [self.one(scan) for scan in scans]})
        # The desk's own time on the server, for the browser's tools and the benchmark.
        response["Server-Timing"] = f"checkin;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    def code_lookups_used_up(self, *, count_one: bool = False) -> bool:
        """Codes not found, per member of staff (RATE_LIMITS["checkin-codes"]): a
        guessed code is not found, a printed one is; `count_one` counts a miss."""
        usage = get_usage(
            self.request,
            group="checkin-codes",
            key="user",
            rate=settings.RATE_LIMITS["checkin-codes"]["user"],
            increment=count_one,
        )
        return bool(usage and usage["count"] >= usage["limit"])

    def delegate_id(self, scan: dict) -> int | str | None:
        """The delegate's pk, None if unknown, or THROTTLED."""
        if isinstance(scan.get("code"), str):
            if self.code_lookups_used_up():
                return THROTTLED
            found = delegate_id_for_code(event_id=self.event.pk, code=scan["code"])
            if found is None:
                self.code_lookups_used_up(count_one=True)
            return found
        delegate = scan.get("delegate")
        return delegate if isinstance(delegate, int) else None

    def one(self, scan) -> dict:
        try:
            nonce = uuid.UUID(str(scan["nonce"]))
        except (KeyError, TypeError, ValueError):
            return {"status": "invalid"}
        answer = {"nonce": str(nonce)}
        if scan.get("undo") is True:
            return {**answer, **_undo(self.event, nonce, scan)}
        delegate_id = self.delegate_id(scan)
        if delegate_id is THROTTLED:
            # Kept in the desk's queue and sent again: the code may well be right.
            return {**answer, "status": "throttled", "reason": THROTTLED_REASON}
        if delegate_id is None:
            return {**answer, "status": services.Status.UNKNOWN}
        outcome = services.check_in(
            event=self.event,
            delegate_id=delegate_id,
            nonce=nonce,
            at=_scan_time(scan.get("at")),
            desk=str(scan.get("desk", ""))[:40],
            by=self.request.user,
            sent_offline=bool(scan.get("offline")),
        )
        answer.update(
            status=outcome.status,
            delegate=outcome.delegate.pk if outcome.delegate else None,
        )
        if outcome.reason:
            return {**answer, "reason": str(outcome.reason)}
        standing = outcome.check_in if outcome.status != services.Status.UNDONE else None
        return {
            **answer,
            "checked_in": selectors.check_in_json(standing),
            "undo_nonce": str(outcome.check_in.nonce) if standing else None,
        }


THROTTLED = "throttled"
THROTTLED_REASON = "Too many codes not found from this account: wait a minute and try again."
TOO_LATE_TO_UNDO = "Too late to undo: a check-in can be undone within a minute."


def _undo(event: Event, nonce: uuid.UUID, body: dict) -> dict:
    delegate = body.get("delegate")
    undone = services.undo_check_in(
        event=event,
        nonce=nonce,
        delegate_id=delegate if isinstance(delegate, int) else None,
        at=_scan_time(body.get("at")),
    )
    if undone:
        return {"status": services.Status.UNDONE, "undone": True}
    return {"status": services.Status.REFUSED, "undone": False, "reason": TOO_LATE_TO_UNDO}


class Undo(DeskMixin, View):
    """POST {"nonce", "delegate", "at"}: undo that scan, whether or not the desk saw
    its answer (or the server saw the scan); sending it again changes nothing."""

    def post(self, request, *args, **kwargs):
        try:
            body = json.loads(request.body)
            nonce = uuid.UUID(str(body["nonce"]))
        except (ValueError, KeyError, TypeError):
            return JsonResponse({"error": 'Send {"nonce": ...}.'}, status=400)
        answer = _undo(self.event, nonce, body)
        return JsonResponse(answer, status=200 if answer["undone"] else 409)


class WalkIn(DeskMixin, FormView):
    template_name = "checkin/walk_in.html"
    form_class = WalkInForm

    def get_initial(self):
        # The desk page's link carries the desk's name; the next walk-in keeps it.
        return {"desk": self.request.GET.get("desk", "")[:40]}

    def form_valid(self, form):
        outcome = services.register_walk_in(
            event=self.event, by=self.request.user, **form.cleaned_data
        )
        name = outcome.delegate.full_name
        if not outcome.created:
            messages.warning(self.request, f"{outcome.delegate.email} is already registered.")
        elif outcome.needs_organiser:
            messages.warning(
                self.request,
                f"The event is full: {name} is on the waitlist and an organiser is asked to "
                "decide. Do not give them a badge yet.",
            )
        else:
            messages.success(self.request, f"{name} is registered and checked in.")
        url = reverse("checkin:walk-in", kwargs={"slug": self.event.slug})
        return redirect(f"{url}?{urlencode({'desk': form.cleaned_data['desk']})}")


class Badges(DeskMixin, View):
    """The badges PDF: ?scope=all|new|session|delegate (&session=<id> / &delegate=<id>).
    Up to badges.BACKGROUND_OVER badges at once; more are made in the background, and
    the desk is sent to the run's page, which says how far it got and offers the PDF."""

    def get(self, request, *args, **kwargs):
        form = BadgeScope(request.GET or {"scope": "all"})
        if not form.is_valid():
            return HttpResponse(" ".join(form.errors.get("__all__", ["Bad request."])), status=400)
        data = form.cleaned_data
        delegates = badges.badge_delegates(
            event=self.event,
            scope=data["scope"],
            session_id=data.get("session"),
            delegate_id=data.get("delegate"),
        )
        if len(delegates) > badges.BACKGROUND_OVER:
            run = badges.start_badge_run(
                event=self.event,
                scope=data["scope"],
                session_id=data.get("session"),
                total=len(delegates),
                by=request.user,
            )
            return redirect(
                reverse("checkin:badge-run", kwargs={"slug": self.event.slug, "run": run.pk})
            )
        pdf = badges.badge_pdf(event=self.event, delegates=delegates)
        if data["scope"] == "all":
            badges.record_print(event=self.event, by=request.user, count=len(delegates))
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"badges-{self.event.slug}-{data['scope']}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class _BadgeRunMixin(DeskMixin):
    @cached_property
    def run(self) -> BadgeRun:
        runs = BadgeRun.objects.filter(event=self.event).defer("pdf")
        return get_object_or_404(runs, pk=self.kwargs["run"])

    def status(self) -> dict:
        run = self.run
        return {
            "status": run.status,
            "label": run.get_status_display(),
            "done": run.done,
            "total": run.total,
            "download": reverse(
                "checkin:badge-run-pdf", kwargs={"slug": self.event.slug, "run": run.pk}
            )
            if run.status == BadgeRun.Status.DONE
            else None,
        }


class BadgeRunPage(_BadgeRunMixin, TemplateView):
    """How far a background run of badges got; its PDF when ready. The page asks again
    by itself (static/checkin/badge_run.js), or by its "Check again" link."""

    template_name = "checkin/badge_run.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("run", None)  # the URL's id: the run itself instead
        return super().get_context_data(badge_run=self.run, status=self.status(), **kwargs)


class BadgeRunStatus(_BadgeRunMixin, View):
    def get(self, request, *args, **kwargs):
        return JsonResponse(self.status())


class BadgeRunPdf(_BadgeRunMixin, View):
    def get(self, request, *args, **kwargs):
        pdf = (
            BadgeRun.objects.filter(pk=self.run.pk, status=BadgeRun.Status.DONE)
            .values_list("pdf", flat=True)
            .first()
        )
        if pdf is None:
            return HttpResponse("These badges are not ready yet.", status=404)
        response = HttpResponse(bytes(pdf), content_type="application/pdf")
        name = f"badges-{self.event.slug}-{self.run.scope}-{self.run.pk}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class Attendance(DeskMixin, View):
    permission_required = EXPORT_PERMISSION

    def get(self, request, *args, **kwargs):
        return JsonResponse(selectors.attendance(event=self.event))


class _DeskExport(DeskMixin, View):
    """GET ?format=xlsx for Excel, CSV otherwise; on the export audit trail."""

    permission_required = EXPORT_PERMISSION
    exporter_class: type
    scope = ""

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("format", ExportFormat.CSV)
        if file_format not in ExportFormat.values:
            return HttpResponse("Choose format=csv or format=xlsx.", status=400)
        exporter = self.exporter_class(event=self.event)
        record_export(
            event=self.event,
            exporter=exporter,
            file_format=file_format,
            filters={},
            exported_by=request.user,
        )
        basename = export_basename(event=self.event, scope=self.scope)
        return file_response(exporter, file_format=file_format, basename=basename)


class AttendanceExport(_DeskExport):
    exporter_class = exports.AttendanceList
    scope = "attendance"


class NoShowExport(_DeskExport):
    exporter_class = exports.NoShowList
    scope = "no-shows"


class SignOut(View):
    """Sign out from the desk: the browser is also told to forget what the desk kept
    (the list of names), on top of the desk's script clearing it."""

    def post(self, request, *args, **kwargs):
        logout(request)
        response = redirect(reverse("admin:login"))
        response["Clear-Site-Data"] = '"storage"'
        return response
