"""The partner directory in the console: organisations and networks, merging duplicates,
the names delegates typed that the directory does not know yet ("to match"), and
importing the directory from a spreadsheet."""

import secrets

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from partners import imports, services
from partners.models import (
    Network,
    Organisation,
    OrganisationAlias,
    OrganisationMerge,
    PartnerLead,
    PartnerLeadAction,
)
from partners.selectors import to_match
from symposium.enums import Sector

ADD, CHANGE = "partners.add_organisation", "partners.change_organisation"


class WebsiteMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":  # An address typed without https:// means https.
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Network)
class NetworkAdmin(WebsiteMixin, admin.ModelAdmin):
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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("merged_by")


@admin.action(description="Merge selected organisations", permissions=["change"])
def merge_selected(modeladmin, request, queryset):
    """Asks which to keep (with each one's delegates), then merges the others into it."""
    organisations = list(
        queryset.current().annotate(delegates=Count("affiliations")).order_by("name")
    )
    if len(organisations) < 2:
        modeladmin.message_user(
            request, "Select two or more organisations to merge.", messages.WARNING
        )
        return None
    by_pk = {str(o.pk): o for o in organisations}
    if request.POST.get("confirm"):
        keep = by_pk.get(request.POST.get("keep", ""))
        if keep is None:
            error = "Choose the organisation to keep."
        else:
            duplicates = [o for o in organisations if o.pk != keep.pk]
            records = services.merge_organisations(
                keep=keep, duplicates=duplicates, merged_by=request.user
            )
            moved = sum(record.delegates_moved for record in records)
            modeladmin.message_user(
                request,
                f"{len(records)} organisation(s) merged into “{keep.name}”; {moved} "
                "delegate(s) moved to it. Their names are now its other names.",
                messages.SUCCESS,
            )
            return redirect("admin:partners_organisation_change", keep.pk)
    else:
        error = None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": "Merge organisations",
        "organisations": organisations,
        "largest": max(organisations, key=lambda o: (o.delegates, -o.pk)),
        "error": error,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/partners/organisation/merge.html", context)


@admin.register(Organisation)
class OrganisationAdmin(WebsiteMixin, admin.ModelAdmin):
    list_display = ["name", "sector", "website"]
    list_filter = ["sector", "networks"]
    search_fields = ["name", "aliases__name"]
    fields = ["name", "sector", "website", "networks"]
    filter_horizontal = ["networks"]
    inlines = [AliasInline, MergeInline]
    actions = [merge_selected]

    def get_queryset(self, request):
        return super().get_queryset(request).current()

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("to-match/", view(self.to_match_view), name="partners_organisation_to_match"),
            path("import/", view(self.import_view), name="partners_organisation_import"),
            *super().get_urls(),
        ]

    def _page(self, request, template, title, **context):
        return TemplateResponse(
            request,
            f"admin/partners/organisation/{template}",
            {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context},
        )

    # To match --------------------------------------------------------------------

    def to_match_view(self, request):
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        match_form = create_form = None
        if request.method == "POST":
            if request.POST.get("action") == "create":
                if not request.user.has_perm(ADD):
                    raise PermissionDenied
                create_form = CreateFromNameForm(request.POST, prefix="create")
                if create_form.is_valid():
                    return self._create_from_name(request, create_form)
            else:
                match_form = MatchNameForm(request.POST, prefix="match")
                if match_form.is_valid():
                    return self._match(request, match_form)
        return self._to_match_page(request, match_form or create_form)

    def _to_match_page(self, request, failed=None):
        problems = []
        if failed is not None:
            name = failed.data.get(f"{failed.prefix}-name", "")
            problems = [
                f"“{name}”: {error}" for errors in failed.errors.values() for error in errors
            ]
        return self._page(
            request,
            "to_match.html",
            "Organisations to match",
            unmatched=to_match(),
            problems=problems,
            sectors=Sector.choices,
            can_add=request.user.has_perm(ADD),
            search_url=reverse("partners:search"),
        )

    def _match(self, request, form):
        name, organisation = form.cleaned_data["name"], form.cleaned_data["organisation"]
        count = services.match_name(name=name, organisation=organisation)
        messages.success(
            request,
            f"“{name}” now means “{organisation.name}”: {count} delegate(s) affiliated with it.",
        )
        return redirect("admin:partners_organisation_to_match")

    def _create_from_name(self, request, form):
        data = form.cleaned_data
        try:
            organisation = services.add_organisation(name=data["name"], sector=data["sector"])
        except ValidationError as error:
            form.add_error(None, error)
            return self._to_match_page(request, form)
        count = services.match_name(name=data["name"], organisation=organisation)
        messages.success(
            request,
            f"“{organisation.name}” added to the directory: {count} delegate(s) affiliated "
            "with it.",
        )
        return redirect("admin:partners_organisation_to_match")

    # Import ----------------------------------------------------------------------

    def import_view(self, request):
        if not request.user.has_perms([ADD, CHANGE]):
            raise PermissionDenied
        if request.method == "POST" and "file" in request.FILES:
            return self._upload(request)
        if request.method == "POST" and request.POST.get("confirm"):
            return self._confirm(request)
        if request.GET.get("upload"):
            return self._preview(request)
        return self._page(request, "import.html", "Import organisations", form=UploadForm())

    def _kept(self, request):
        token = request.POST.get("upload") or request.GET.get("upload") or ""
        kept = cache.get(_upload_key(request, token)) if token.isalnum() else None
        return token, kept

    def _upload(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, "import.html", "Import organisations", form=form)
        token = secrets.token_hex(16)
        cache.set(_upload_key(request, token), form.cleaned_data["sheet"], UPLOAD_SECONDS)
        url = reverse("admin:partners_organisation_import")
        return redirect(f"{url}?upload={token}")

    def _preview(self, request):
        token, sheet = self._kept(request)
        if sheet is None:
            messages.warning(request, "That upload has expired: upload the file again.")
            return redirect("admin:partners_organisation_import")
        form = MappingForm(request.GET if "name" in request.GET else None, sheet=sheet)
        mapping = form.mapping()
        usable = not form.is_bound or form.is_valid()
        rows = imports.check_rows(sheet, mapping) if usable else []
        return self._page(
            request,
            "import_preview.html",
            "Import organisations: check the columns",
            form=form,
            usable=usable,
            token=token,
            sheet=sheet,
            mapping=mapping,
            fields=imports.FIELDS,
            preview=rows[:PREVIEW_ROWS],
            errors=[row for row in rows if row.errors],
            good=sum(1 for row in rows if not row.errors),
        )

    def _confirm(self, request):
        token, sheet = self._kept(request)
        if sheet is None:
            messages.warning(request, "That upload has expired: upload the file again.")
            return redirect("admin:partners_organisation_import")
        form = MappingForm(request.POST, sheet=sheet)
        if not form.is_valid():
            url = reverse("admin:partners_organisation_import")
            return redirect(f"{url}?upload={token}")
        rows = imports.check_rows(sheet, form.mapping())
        result = services.import_directory(rows=[row for row in rows if not row.errors])
        cache.delete(_upload_key(request, token))
        skipped = sorted(
            [(row.number, " ".join(row.errors)) for row in rows if row.errors] + result.skipped
        )
        return self._page(
            request,
            "import_done.html",
            "Import organisations: done",
            result=result,
            skipped=skipped,
        )


# Forms -----------------------------------------------------------------------------

UPLOAD_SECONDS = 60 * 60
PREVIEW_ROWS = 10


def _upload_key(request, token):
    # Per user: nobody else can confirm, or read, another's upload.
    return f"directory-import:{request.user.pk}:{token}"


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text=f"A CSV file or an Excel workbook (.xlsx), up to "
        f"{imports.MAX_BYTES // (1024 * 1024)} MB, with a header row: one organisation a row, "
        "its name, sector and, if you have them, other names, networks and website.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Choose a CSV or Excel file to upload"},
    )

    def clean(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return self.cleaned_data
        if upload.size > imports.MAX_BYTES:
            raise ValidationError(
                {"file": f"The file is larger than {imports.MAX_BYTES // (1024 * 1024)} MB."}
            )
        try:
            self.cleaned_data["sheet"] = imports.read_sheet(upload.read(), upload.name)
        except imports.UnreadableFile as error:
            raise ValidationError({"file": str(error)}) from error
        return self.cleaned_data


class MappingForm(forms.Form):
    """Which column holds each field; guessed from the headers until changed."""

    def __init__(self, *args, sheet, **kwargs):
        guessed = imports.guess_mapping(sheet.headers)
        initial = {name: "" if index is None else str(index) for name, index in guessed.items()}
        super().__init__(*args, initial=initial, **kwargs)
        columns = [(str(index), header) for index, header in enumerate(sheet.headers)]
        for name, label in imports.FIELDS.items():
            required = name in imports.REQUIRED
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[("", "— not in the file —"), *columns],
                required=required,
                error_messages={"required": f"Choose the column that holds the {label.lower()}"},
            )
        self.guessed = guessed

    def clean(self):
        chosen = [value for value in self.cleaned_data.values() if value not in ("", None)]
        if len(chosen) != len(set(chosen)):
            raise ValidationError("Choose a different column for each field.")
        return self.cleaned_data

    def mapping(self) -> dict[str, int | None]:
        if not self.is_bound:
            return self.guessed
        if not self.is_valid():
            return dict.fromkeys(imports.FIELDS)
        return {
            name: int(value) if value not in ("", None) else None
            for name, value in self.cleaned_data.items()
        }


class MatchNameForm(forms.Form):
    name = forms.CharField(max_length=200, widget=forms.HiddenInput)
    organisation = forms.CharField(
        max_length=200,
        label="Directory organisation",
        error_messages={"required": "Enter the directory's organisation this name means"},
    )

    def clean_organisation(self):
        found = services.find_organisation(self.cleaned_data["organisation"])
        if found is None:
            raise ValidationError(
                "No organisation of this name in the directory: choose one from the list, "
                "or add this name as a new organisation."
            )
        return found


class CreateFromNameForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    sector = forms.ChoiceField(
        choices=[("", "Choose a sector"), *Sector.choices],
        error_messages={"required": "Choose the new organisation's sector"},
    )


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
