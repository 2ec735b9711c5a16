"""The partner directory in the console: organisations and networks, merging duplicates,
the names delegates typed that the directory does not know yet ("to match"), and
importing the directory from a spreadsheet."""

import base64
import binascii
import secrets

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from console.admin.read_only import ReadOnlyMixin
from console.rules import plural
from console.scoping import EventScopedAdmin
from mailings import invitations as invitation_emails
from mailings.enums import InvitationEmailKind
from partners import imports, invitations, services
from partners.models import (
    Invitation,
    Network,
    Organisation,
    OrganisationAlias,
    OrganisationMerge,
    PartnerLead,
    PartnerLeadAction,
    PersonalInvitation,
    SeatQuota,
)
from partners.selectors import to_match
from registration import services as registration_services
from symposium import teams
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Event
from symposium.validators import one_line

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
    list_filter = [("events", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "email", "organisation__name", "network__name"]
    fields = ["name", "email", "organisation", "network", "events"]
    filter_horizontal = ["events"]
    inlines = [LeadActionInline]
    actions = ["email_links", "revoke_links"]

    def get_queryset(self, request):
        """Leads for the user's events (teams), and leads not yet given an event."""
        events = teams.events_for(request.user)
        leads = super().get_queryset(request)
        if teams.sees_all_events(request.user):
            return leads
        return leads.filter(Q(events__in=events) | Q(events=None)).distinct()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "events":
            kwargs["queryset"] = teams.events_for(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

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
class PartnerLeadActionAdmin(ReadOnlyMixin, EventScopedAdmin, admin.ModelAdmin):
    """The partner leads' audit: read only."""

    list_display = ["at", "lead", "action", "event", "details", "done_by"]
    list_select_related = ["lead__organisation", "lead__network", "event", "done_by"]
    list_filter = ["action", "event"]
    search_fields = ["lead__name", "lead__email", "details"]
    date_hierarchy = "at"


EMAIL_PERMISSION = "mailings.email_delegates"


class InvitationForm(forms.ModelForm):
    code = forms.CharField(
        required=False,
        max_length=32,
        help_text="Left blank, a new code is made (letters and digits that cannot be "
        "mistaken for one another).",
    )

    class Meta:
        model = Invitation
        fields = ["event", "code", "organisation", "max_uses", "valid_until", "quota", "tag"]

    def clean_code(self):
        code = invitations.normalise_code(self.cleaned_data["code"])
        if code and set(code) - set(invitations.CODE_ALPHABET):
            raise forms.ValidationError(
                "Use only letters and digits that cannot be mistaken for others: "
                f"{invitations.CODE_ALPHABET}"
            )
        return code or invitations.new_code()


@admin.register(Invitation)
class InvitationAdmin(EventScopedAdmin, admin.ModelAdmin):
    """Partners' codes. Personal invitations' own codes are on their page instead."""

    form = InvitationForm
    list_display = [
        "code",
        "event",
        "organisation",
        "tag",
        "uses_of_max",
        "quota",
        "valid_until",
        "link",
    ]
    list_filter = ["event", "tag"]
    list_select_related = ["event", "organisation", "quota__organisation", "quota__network"]
    search_fields = ["code", "tag", "organisation__name"]
    autocomplete_fields = ["organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(personal__isnull=True)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "quota":
            kwargs["queryset"] = SeatQuota.objects.select_related(
                "event", "organisation", "network"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="uses")
    def uses_of_max(self, invitation):
        return f"{invitation.uses} of {invitation.max_uses}"

    @admin.display(description="registration link")
    def link(self, invitation):
        url = reverse("registration:register", kwargs={"event_slug": invitation.event.slug})
        return format_html("{}{}?invitation={}", settings.SITE_URL, url, invitation.code)


class InvitationImportForm(forms.Form):
    event = forms.ModelChoiceField(queryset=Event.objects.order_by("-starts_on"))
    tag = forms.CharField(
        max_length=100,
        required=False,
        validators=[one_line("Tag")],
        help_text="For statistics, e.g. the network the list came from.",
    )
    valid_until = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Optional: after this the invitations' links no longer register.",
    )
    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="A header row naming the columns name, email and organisation; one person a row.",
    )
    # The file as read at the preview, sent back with the confirmation: nothing is
    # saved before, and the rows are checked again then.
    data = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > 2_000_000:
                self.add_error("file", "The file is larger than 2 MB: split it.")
                return cleaned
            cleaned["data"] = upload.read()
        elif cleaned.get("data"):
            try:
                cleaned["data"] = base64.b64decode(cleaned["data"], validate=True)
            except binascii.Error:
                self.add_error("file", "Choose the CSV file of people to invite again.")
        else:
            self.add_error("file", "Choose the CSV file of people to invite.")
        return cleaned


class StatusCounts:
    """The changelist's counts per status, for the event and tag it is filtered by."""

    def __init__(self, request):
        self.event = request.GET.get("event__id__exact")
        self.tag = request.GET.get("tag__exact") or request.GET.get("tag")

    def read(self):
        if self.event and not self.event.isdigit():
            return None  # The changelist says what is wrong with the filter.
        event = Event.objects.filter(pk=self.event).first() if self.event else None
        if self.event and event is None:
            return None
        return invitation_emails.status_counts(event=event, tag=self.tag)


@admin.register(PersonalInvitation)
class PersonalInvitationAdmin(EventScopedAdmin, admin.ModelAdmin):
    """People invited by name, imported from a list, sent their invitation and reminded
    through the mailings app; their answer as it comes."""

    list_display = [
        "name",
        "email",
        "organisation_name",
        "tag",
        "status",
        "sent_at",
        "reminded_at",
        "event",
    ]
    list_filter = ["event", "status", "tag"]
    list_select_related = ["event"]
    search_fields = ["name", "email", "organisation_name"]
    readonly_fields = ["event", "code", "status", "delegate", "sent_at", "reminded_at", "reminders"]
    fields = ["event", "name", "email", "organisation_name", "tag", *readonly_fields[1:]]
    actions = ["send_invitations", "send_reminders"]

    def has_add_permission(self, request):
        return False  # Imported from a list: the import page.

    def can_import(self, request):
        return request.user.has_perm("partners.add_personalinvitation") and request.user.has_perm(
            "partners.add_invitation"
        )

    @admin.display(description="invitation code")
    def code(self, personal):
        return personal.invitation.code

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="partners_personalinvitation_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = (extra_context or {}) | {
            "status_counts": StatusCounts(request).read(),
            "can_import": self.can_import(request),
        }
        return super().changelist_view(request, extra_context)

    # Sending, through the mailings app -----------------------------------------------

    def _start(self, request, queryset, kind, done):
        if not request.user.has_perm(EMAIL_PERMISSION):
            raise PermissionDenied
        runs = []
        for event_pk in queryset.values_list("event", flat=True).distinct().order_by("event"):
            run = invitation_emails.start_run(
                event=Event.objects.get(pk=event_pk),
                kind=kind,
                among=queryset.filter(event_id=event_pk),
                requested_by=request.user,
            )
            if run is not None:
                runs.append(run)
        total = sum(run.total for run in runs)
        if total:
            self.message_user(request, done.format(count=total), messages.SUCCESS)
        else:
            self.message_user(request, "Nobody selected is due this email.", messages.WARNING)

    @admin.action(description="Send the invitation to those selected not yet sent it")
    def send_invitations(self, request, queryset):
        self._start(
            request,
            queryset,
            InvitationEmailKind.INVITATION,
            "Sending {count} invitations: they are being emailed in the background.",
        )

    @admin.action(description="Remind those selected who have not answered")
    def send_reminders(self, request, queryset):
        self._start(
            request,
            queryset,
            InvitationEmailKind.REMINDER,
            "Reminding {count} people who have not answered, once each.",
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm(EMAIL_PERMISSION):
            actions.pop("send_invitations", None)
            actions.pop("send_reminders", None)
        return actions

    # Importing a list ----------------------------------------------------------------

    def import_view(self, request):
        if not self.can_import(request):
            raise PermissionDenied
        form = InvitationImportForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import people to invite",
            "form": form,
        }
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(
                request, "admin/partners/personalinvitation/import.html", context
            )
        event, data = form.cleaned_data["event"], form.cleaned_data["data"]
        preview = invitations.preview_import(event=event, data=data)
        if "confirm" in request.POST and not preview.errors and preview.valid:
            created = invitations.import_invitations(
                event=event,
                rows=preview.valid,
                tag=form.cleaned_data["tag"],
                valid_until=form.cleaned_data["valid_until"],
            )
            self.message_user(
                request,
                f"{len(created)} people invited to {event}. Select them and send the "
                "invitation when you are ready.",
                messages.SUCCESS,
            )
            url = reverse("admin:partners_personalinvitation_changelist")
            return redirect(f"{url}?event__id__exact={event.pk}")
        confirm = InvitationImportForm(
            initial={
                **form.cleaned_data,
                "event": event.pk,
                "data": base64.b64encode(data).decode(),
                "file": None,
            }
        )
        return TemplateResponse(
            request,
            "admin/partners/personalinvitation/import_preview.html",
            context
            | {
                "title": "Check the people to invite",
                "confirm_form": confirm,
                "event": event,
                "preview": preview,
                "valid_count": len(preview.valid),
                "invalid_rows": preview.invalid,
                "shown_rows": preview.valid[:PREVIEW_ROWS],
                "preview_rows": PREVIEW_ROWS,
            },
        )


PREVIEW_ROWS = 50


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
class SeatQuotaAdmin(EventScopedAdmin, admin.ModelAdmin):
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
