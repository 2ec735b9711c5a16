"""The admin of ranked preferences and their allocation.

Adding an allocation run *is* running a preview: the add page asks for the event and the
mix rules, saving it solves (breakouts.allocation_services) and opens the run's page with
its report, a "Confirm" button and a link to run it again with other settings.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse

from breakouts import allocation_services
from breakouts.enums import RunStatus
from breakouts.models import AllocationRun, BreakoutPreference, BreakoutSession
from console.scoping import EventScopedAdmin
from symposium.enums import BreakoutAllocation
from symposium.models import NameCollate

RUN_SETTINGS = [
    "event",
    "max_sector_share",
    "strict_sector_share",
    "min_sectors",
    "strict_min_sectors",
    "max_colleagues",
    "strict_colleagues",
    "allow_unranked",
    "time_limit",
    "seed",
]


class AllocationRunForm(forms.ModelForm):
    class Meta:
        model = AllocationRun
        fields = RUN_SETTINGS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "event" in self.fields:
            # Narrowed, not replaced: the admin has kept it to the user's events.
            self.fields["event"].queryset = self.fields["event"].queryset.filter(
                breakout_allocation=BreakoutAllocation.RANKED
            )
            self.fields["event"].help_text = "Events whose breakouts are ranked preferences."

    def clean_event(self):
        event = self.cleaned_data["event"]
        if event.breakouts_allocated_at is not None:
            raise ValidationError(
                "This event's breakout places have already been allocated: move people "
                "by hand on their breakout choices."
            )
        return event


@admin.register(AllocationRun)
class AllocationRunAdmin(EventScopedAdmin, admin.ModelAdmin):
    form = AllocationRunForm
    change_form_template = "admin/breakouts/allocationrun/change_form.html"
    list_display = ["created_at", "event", "status", "rules", "first_choices", "created_by"]
    list_filter = ["status", "event"]
    list_select_related = ["event", "created_by"]
    readonly_fields = ["status", "created_by", "created_at", "confirmed_by", "confirmed_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*RUN_SETTINGS, *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        # A run is a record: its settings are changed by running again.
        return obj is None and super().has_change_permission(request, obj)

    def has_confirm_permission(self, request):
        return request.user.has_perm("breakouts.change_allocationrun")

    @admin.display(description="mix rules")
    def rules(self, run):
        words = allocation_services.rules_words(allocation_services.mix_rules(run))
        return ", ".join(words) or "none"

    @admin.display(description="first choices")
    def first_choices(self, run):
        rounds = run.report.get("rounds", [])
        if not rounds:
            return "–"
        got = sum(r["optimal"]["first"] for r in rounds)
        asked = sum(r["delegates"] for r in rounds)
        return f"{got} of {asked}"

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        try:
            allocation_services.start_preview(run=obj)
        except ValidationError as error:
            # clean_event refuses the usual cases; this is a race with a confirmation.
            raise PermissionDenied(error.messages[0]) from error

    def response_add(self, request, obj, post_url_continue=None):
        return redirect(reverse("admin:breakouts_allocationrun_change", args=[obj.pk]))

    def get_urls(self):
        confirm = self.admin_site.admin_view(self.confirm_view)
        status = self.admin_site.admin_view(self.status_view)
        return [
            path("<int:pk>/confirm/", confirm, name="breakouts_allocationrun_confirm"),
            path("<int:pk>/status/", status, name="breakouts_allocationrun_status"),
            *super().get_urls(),
        ]

    def confirm_view(self, request, pk):
        if request.method != "POST" or not self.has_confirm_permission(request):
            raise PermissionDenied
        run = get_object_or_404(self.get_queryset(request), pk=pk, status=RunStatus.PREVIEW)
        try:
            created = allocation_services.confirm_allocation(run=run, confirmed_by=request.user)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
        else:
            self.message_user(
                request,
                f"Allocation confirmed: {len(created)} places written and each delegate "
                "emailed what they got.",
                messages.SUCCESS,
            )
        return redirect(reverse("admin:breakouts_allocationrun_change", args=[pk]))

    def status_view(self, request, pk):
        """The run's progress, for the page's script while the preview is computed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        run = get_object_or_404(
            self.get_queryset(request).only("status", "progress", "progress_text"), pk=pk
        )
        return JsonResponse(
            {"status": run.status, "progress": run.progress, "progress_text": run.progress_text}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if run is not None:
            settings = {name: getattr(run, name) for name in RUN_SETTINGS[1:]}
            settings["event"] = run.event_id
            # A checkbox's initial value is on for any text but "": leave out those off.
            query = urlencode(
                {k: "" if v is None else v for k, v in settings.items() if v is not False}
            )
            extra_context |= {
                "run": run,
                "rerun_url": f"{reverse('admin:breakouts_allocationrun_add')}?{query}",
                "can_confirm": run.status == RunStatus.PREVIEW
                and run.event.breakouts_allocated_at is None
                and self.has_confirm_permission(request),
            }
        return super().change_view(request, object_id, form_url, extra_context)


class BreakoutPreferenceAdminForm(forms.ModelForm):
    """The database allows one session per rank and round, and each session once; say so
    before it refuses (the round is copied from the session, so no form field holds it)."""

    class Meta:
        model = BreakoutPreference
        fields = ["delegate", "session", "rank"]

    def clean(self):
        cleaned_data = super().clean()
        delegate, session = cleaned_data.get("delegate"), cleaned_data.get("session")
        rank = cleaned_data.get("rank")
        if delegate is None or session is None or rank is None:
            return cleaned_data
        if session.theme.event_id != delegate.event_id:
            self.add_error("session", "Choose a breakout at the delegate's event.")
            return cleaned_data
        others = BreakoutPreference.objects.filter(delegate=delegate).exclude(pk=self.instance.pk)
        if others.filter(agenda_item_id=session.agenda_item_id, rank=rank).exists():
            self.add_error("rank", "The delegate already has a choice of this rank in the round.")
        if others.filter(session=session).exists():
            self.add_error("session", "The delegate has already ranked this session.")
        return cleaned_data


@admin.register(BreakoutPreference)
class BreakoutPreferenceAdmin(EventScopedAdmin, admin.ModelAdmin):
    form = BreakoutPreferenceAdminForm
    list_display = ["delegate_name", "agenda_item", "rank", "session"]
    list_filter = ["delegate__event", "rank"]
    search_fields = ["delegate__last_name", "delegate__first_name", "session__theme__title"]
    list_select_related = ["delegate", "agenda_item", "session__theme", "session__agenda_item"]
    autocomplete_fields = ["delegate"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            kwargs["queryset"] = BreakoutSession.objects.select_related(
                "theme__event", "agenda_item"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="delegate", ordering=NameCollate("delegate__last_name").asc())
    def delegate_name(self, preference):
        return preference.delegate.full_name
