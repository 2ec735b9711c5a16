from django.contrib import admin, messages

from partners import services
from partners.models import (
    Network,
    Organisation,
    OrganisationAlias,
    OrganisationMerge,
    PartnerLead,
    PartnerLeadAction,
)


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
