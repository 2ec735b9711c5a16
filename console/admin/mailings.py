"""Emails to delegates in the admin, for holders of "Can email delegates" (Organisers).

A mailing is composed on its change form; "Preview and send" shows the audience's size,
a preview for a chosen delegate, and sends a test, sends now or schedules.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from console.admin.read_only import ReadOnlyMixin
from console.scoping import EventScopedAdmin
from mailings import selectors, services
from mailings.enums import MailingStatus, RecipientStatus
from mailings.forms import AUDIENCE_NOTE, MailingForm, PreviewForm, ScheduleForm
from mailings.models import InvitationCopy, InvitationRun, Mailing, Recipient

PERMISSION = "mailings.email_delegates"
EDITABLE = (MailingStatus.DRAFT, MailingStatus.SCHEDULED)


class CanEmailDelegates:
    """Every right on these models comes from the one permission."""

    def has_module_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)


@admin.register(Mailing)
class MailingAdmin(EventScopedAdmin, CanEmailDelegates, admin.ModelAdmin):
    form = MailingForm
    change_form_template = "admin/mailings/mailing/change_form.html"
    list_display = ["subject", "event", "kind", "status", "send_at", "progress", "author"]
    list_filter = ["event", "kind", "status"]
    list_select_related = ["event", "author"]
    search_fields = ["subject"]
    filter_horizontal = ["sessions", "themes"]
    readonly_fields = [
        "kind",
        "status",
        "send_at",
        "author",
        "created_at",
        "started_at",
        "finished_at",
        "progress",
        "recipient_list",
    ]
    fieldsets = [
        (None, {"fields": ["event", "kind", "subject", "body", "include_check_in"]}),
        (
            "Audience",
            {
                "fields": [
                    "statuses",
                    "sessions",
                    "themes",
                    "sectors",
                    "organisations",
                    "answer_question",
                    "answers",
                    "attendance",
                ],
                "description": AUDIENCE_NOTE,
            },
        ),
        ("Automatic messages", {"fields": ["is_enabled", "days_before"]}),
        (
            "Record",
            {
                "fields": [
                    "status",
                    "send_at",
                    "author",
                    "created_at",
                    "started_at",
                    "finished_at",
                    "progress",
                    "recipient_list",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_change_permission(self, request, obj=None):
        # A message being sent, or sent, is a record: it no longer changes.
        editable = obj is None or obj.status in EDITABLE
        return request.user.has_perm(PERMISSION) and editable

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.is_automatic:
            return fieldsets
        return [fieldset for fieldset in fieldsets if fieldset[0] != "Automatic messages"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "event"] if obj else fields

    @admin.display(description="Queued / total")
    def progress(self, mailing):
        if mailing.status in EDITABLE:
            return "not started"
        return f"{mailing.queued} / {mailing.total}"

    @admin.display(description="Recipients")
    def recipient_list(self, mailing):
        if not mailing.pk:
            return "-"
        counts = dict(mailing.recipients.values_list("status").annotate(n=Count("pk")).order_by())
        url = reverse("admin:mailings_recipient_changelist") + f"?mailing__id__exact={mailing.pk}"
        summary = ", ".join(
            f"{counts.get(status, 0)} {label.lower()}" for status, label in RecipientStatus.choices
        )
        return format_html('<a href="{}">Each recipient’s status</a> ({})', url, summary)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # Saved, the next step is to preview it and send it.
        if not {"_continue", "_addanother", "_popup"} & set(request.POST):
            return redirect("admin:mailings_mailing_send", obj.pk)
        return super().response_add(request, obj, post_url_continue)

    def get_urls(self):
        send = self.admin_site.admin_view(self.send_view)
        return [path("<int:pk>/send/", send, name="mailings_mailing_send"), *super().get_urls()]

    def send_view(self, request, pk):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        mailings = self.get_queryset(request).select_related("event", "author")
        mailing = get_object_or_404(mailings, pk=pk)
        if request.method == "POST":
            return self._act(request, mailing)
        preview_form = PreviewForm(request.GET or None, mailing=mailing)
        delegate = preview_form.is_valid() and preview_form.cleaned_data["delegate"]
        delegate = delegate or preview_form.fields["delegate"].queryset.first()
        return self._send_page(request, mailing, preview_form, delegate, ScheduleForm())

    def _send_page(self, request, mailing, preview_form, delegate, schedule_form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Preview and send: {mailing.subject}",
            "mailing": mailing,
            "audience_count": selectors.audience(mailing).count(),
            "preview_form": preview_form,
            "delegate": delegate,
            "preview": services.preview(mailing=mailing, delegate=delegate) if delegate else None,
            "schedule_form": schedule_form,
            "can_send": mailing.status in EDITABLE,
        }
        return TemplateResponse(request, "admin/mailings/mailing/send.html", context)

    def _act(self, request, mailing):
        action = request.POST.get("action")
        if action == "test":
            return self._send_test(request, mailing)
        if mailing.status not in EDITABLE:
            messages.error(request, "This message has already been sent.")
        elif action == "send_now":
            services.schedule(mailing=mailing, send_at=timezone.now())
            messages.success(request, "Sending: the first emails are queued within a minute.")
        elif action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                preview_form = PreviewForm(mailing=mailing)
                delegate = preview_form.fields["delegate"].queryset.first()
                return self._send_page(request, mailing, preview_form, delegate, form)
            services.schedule(mailing=mailing, send_at=form.cleaned_data["send_at"])
            when = timezone.localtime(form.cleaned_data["send_at"])
            messages.success(request, f"Scheduled for {when:%d %B %Y at %H:%M} (UK time).")
        elif action == "unschedule" and services.unschedule(mailing=mailing):
            messages.success(request, "No longer scheduled: it is a draft again.")
        return redirect("admin:mailings_mailing_change", mailing.pk)

    def _send_test(self, request, mailing):
        preview_form = PreviewForm(request.POST, mailing=mailing)
        delegate = preview_form.is_valid() and preview_form.cleaned_data["delegate"]
        delegate = delegate or preview_form.fields["delegate"].queryset.first()
        if not request.user.email:
            messages.error(request, "Your account has no email address to send a test to.")
        elif delegate is None:
            messages.error(request, "Nobody is in the audience yet to make the test for.")
        else:
            services.send_test(mailing=mailing, delegate=delegate, to=request.user.email)
            messages.success(
                request,
                f"A test, as {delegate.full_name} would get it, is on its way to "
                f"{request.user.email}.",
            )
        url = reverse("admin:mailings_mailing_send", args=[mailing.pk])
        return redirect(f"{url}?delegate={delegate.pk}" if delegate else url)


@admin.register(Recipient)
class RecipientAdmin(ReadOnlyMixin, EventScopedAdmin, CanEmailDelegates, admin.ModelAdmin):
    list_display = ["delegate", "mailing", "status", "queued_at", "error"]
    list_filter = ["mailing", "status"]
    list_select_related = ["delegate", "mailing"]
    search_fields = ["delegate__last_name", "delegate__email"]


class InvitationCopyInline(admin.TabularInline):
    model = InvitationCopy
    fields = ["invitation", "status", "queued_at", "error"]
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invitation")


@admin.register(InvitationRun)
class InvitationRunAdmin(ReadOnlyMixin, EventScopedAdmin, CanEmailDelegates, admin.ModelAdmin):
    """Each sending of personal invitations or reminders: started from the personal
    invitations' list (console.admin.partners), read here."""

    list_display = ["created_at", "event", "kind", "total", "queued", "finished_at", "requested_by"]
    list_filter = ["event", "kind"]
    list_select_related = ["event", "requested_by"]
    fields = ["event", "kind", "total", "queued", "created_at", "finished_at", "requested_by"]
    readonly_fields = fields
    inlines = [InvitationCopyInline]


@admin.register(InvitationCopy)
class InvitationCopyAdmin(ReadOnlyMixin, EventScopedAdmin, CanEmailDelegates, admin.ModelAdmin):
    list_display = ["invitation", "run", "status", "queued_at", "error"]
    list_filter = ["status"]
    list_select_related = ["invitation", "run"]
    search_fields = ["invitation__name", "invitation__email"]
