import base64
import binascii

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from mailings import invitations as invitation_emails
from mailings.enums import InvitationEmailKind
from partners import invitations
from partners.models import (
    Invitation,
    Network,
    Organisation,
    OrganisationAlias,
    OrganisationMerge,
    PersonalInvitation,
    SeatQuota,
)
from symposium.models import Event
from symposium.validators import one_line


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


# Invitations ---------------------------------------------------------------------------

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
class InvitationAdmin(admin.ModelAdmin):
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
class PersonalInvitationAdmin(admin.ModelAdmin):
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
