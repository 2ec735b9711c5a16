from django.contrib import admin, messages
from django.db.models import Count, Q

from console.rules import plural
from partners import services
from partners.models import (
    Network,
    Organisation,
    OrganisationAlias,
    OrganisationMerge,
    PartnerLead,
    PartnerLeadAction,
    SeatQuota,
)
from registration import services as registration_services
from symposium.enums import RegistrationStatus


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "website"]
    search_fields = ["name"]


class AliasInline(admin.TabularInline):
    model = OrganisationAlias
    extra = 0
    fields = ["name"]


class MergeInline(admin.TabularInline):
    model = OrganisationMerge
    fk_name = "kept"
    extra = 0
    can_delete = False
    fields = ["merged_name", "delegates_moved", "merged_by", "merged_at"]
    readonly_fields = fields
    verbose_name_plural = "merged into this organisation"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "website"]
    list_filter = ["sector", "networks"]
    search_fields = ["name", "aliases__name"]
    fields = ["name", "sector", "website", "networks"]
    filter_horizontal = ["networks"]
    inlines = [AliasInline, MergeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).current()


class LeadActionInline(admin.TabularInline):
    model = PartnerLeadAction
    extra = 0
    can_delete = False
    fields = ["at", "action", "event", "details", "done_by"]
    readonly_fields = fields
    verbose_name_plural = "what this lead did, and what was done to their links"
    ordering = ["-at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event", "done_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PartnerLead)
class PartnerLeadAdmin(admin.ModelAdmin):
    """Partner leads: a named contact per organisation or network who sees and manages
    their own people at the events they lead for, through a link emailed to them."""

    list_display = ["name", "email", "organisation", "network"]
    list_select_related = ["organisation", "network"]
    list_filter = ["events"]
    search_fields = ["name", "email", "organisation__name", "network__name"]
    fields = ["name", "email", "organisation", "network", "events"]
    filter_horizontal = ["events"]
    inlines = [LeadActionInline]
    actions = ["email_links", "revoke_links"]

    @admin.action(description="Email their link to the selected leads", permissions=["change"])
    def email_links(self, request, queryset):
        sent = 0
        for lead in queryset:
            sent += len(services.email_lead_links(lead=lead, done_by=request.user))
        self.message_user(
            request,
            f"{sent} link email(s) queued for {queryset.count()} lead(s).",
            messages.SUCCESS,
        )

    @admin.action(
        description="Revoke the selected leads' links (email them a new one after)",
        permissions=["change"],
    )
    def revoke_links(self, request, queryset):
        for lead in queryset:
            services.revoke_lead_links(lead=lead, done_by=request.user)
        self.message_user(
            request, f"Links revoked for {queryset.count()} lead(s).", messages.SUCCESS
        )


@admin.register(PartnerLeadAction)
class PartnerLeadActionAdmin(admin.ModelAdmin):
    """The partner leads' audit: read only."""

    list_display = ["at", "lead", "action", "event", "details", "done_by"]
    list_select_related = ["lead__organisation", "lead__network", "event", "done_by"]
    list_filter = ["action", "event"]
    search_fields = ["lead__name", "lead__email", "details"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReleasedFilter(admin.SimpleListFilter):
    title = "released"
    parameter_name = "released"

    def lookups(self, request, model_admin):
        return [("no", "Not yet: seats kept"), ("yes", "Released")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(released_at__isnull=self.value() == "no")
        return queryset


@admin.register(SeatQuota)
class SeatQuotaAdmin(admin.ModelAdmin):
    """Seats of an event kept for a partner, a network or a sector until their release
    date (partners.quotas); filtered by event from the dashboard's card."""

    list_display = [
        "holder",
        "event",
        "seats",
        "taken",
        "waitlisted",
        "free",
        "release_at",
        "released_at",
    ]
    list_filter = ["event", ReleasedFilter]
    list_select_related = ["event", "organisation", "network"]
    fields = [
        "event",
        "organisation",
        "network",
        "sector",
        "seats",
        "release_at",
        "release_warned_at",
        "released_at",
    ]
    readonly_fields = ["release_warned_at", "released_at"]
    autocomplete_fields = ["organisation"]

    def get_queryset(self, request):
        delegates = "places__delegate__status"
        return (
            super()
            .get_queryset(request)
            .annotate(
                taken_count=Count("places", filter=Q(**{delegates: RegistrationStatus.CONFIRMED})),
                waitlisted_count=Count(
                    "places", filter=Q(**{delegates: RegistrationStatus.WAITLISTED})
                ),
            )
        )

    @admin.display(description="For")
    def holder(self, quota):
        return quota.organisation or quota.network or quota.get_sector_display()

    @admin.display(description="Taken", ordering="taken_count")
    def taken(self, quota):
        return quota.taken_count

    @admin.display(description="Waitlisted", ordering="waitlisted_count")
    def waitlisted(self, quota):
        return quota.waitlisted_count

    @admin.display(description="Still kept")
    def free(self, quota):
        return 0 if quota.released_at else max(quota.seats - quota.taken_count, 0)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._fill_freed_seats(request, obj.event)

    def delete_model(self, request, obj):
        event = obj.event
        super().delete_model(request, obj)
        self._fill_freed_seats(request, event)

    def delete_queryset(self, request, queryset):
        events = {quota.event for quota in queryset.select_related("event")}
        super().delete_queryset(request, queryset)
        for event in events:
            self._fill_freed_seats(request, event)

    def _fill_freed_seats(self, request, event):
        """Fewer seats kept (a quota made smaller or deleted): the general seats that
        frees go to the waitlist, in order."""
        promoted = registration_services.promote_from_event_waitlist(event=event)
        if promoted:
            self.message_user(
                request,
                f"{plural(len(promoted), 'delegate')} promoted from the waitlist and emailed.",
                messages.SUCCESS,
            )
