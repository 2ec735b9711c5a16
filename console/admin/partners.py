from django.contrib import admin

from partners.models import Network, Organisation, OrganisationAlias, OrganisationMerge


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
