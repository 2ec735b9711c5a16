"""Breakout outcomes in the admin: each session's facilitator and their link, review,
publishing (for holders of "Can publish outcomes"), and the actions' follow-up.

Every change of state goes through outcomes.services: the facilitator's link is emailed
by a worker, publishing locks the outcome's row (a facilitator's save waiting behind it
is then refused)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.utils.html import format_html

from breakouts.models import BreakoutSession
from console.admin.breakouts import session_label
from console.scoping import EventScopedAdmin
from outcomes import services
from outcomes.emails import facilitator_url
from outcomes.models import Action, OutcomeStatus, Pledge, SessionOutcome

PUBLISH_PERMISSION = "outcomes.publish_sessionoutcome"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return session_label(obj)


class OwnedInline(admin.TabularInline):
    extra = 0
    fields = ["organisation", "organisation_name", "may_name_organisation"]
    autocomplete_fields = ["organisation"]


class ActionInline(OwnedInline):
    model = Action
    fields = ["description", "due_on", *OwnedInline.fields, "status", "status_on", "status_note"]


class PledgeInline(OwnedInline):
    model = Pledge
    fields = ["text", *OwnedInline.fields]


class FacilitatorEmailsForm(forms.ModelForm):
    """A row of the outcomes list: its email box is named by its session (a table's cell
    has no label of its own)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("facilitator_email")
        if field is not None and self.instance.pk:
            field.widget.attrs["aria-label"] = (
                f"Facilitator's email, {session_label(self.instance.session)}"
            )


@admin.register(SessionOutcome)
class SessionOutcomeAdmin(EventScopedAdmin, admin.ModelAdmin):
    list_display = [
        "session_name",
        "facilitator",
        "facilitator_email",
        "status",
        "action_count",
        "pledge_count",
        "link_sent_at",
        "published_at",
    ]
    list_editable = ["facilitator_email"]
    list_filter = ["status", "session__theme__event"]
    list_select_related = ["session__theme__event", "session__agenda_item"]
    search_fields = ["session__theme__title", "session__facilitator", "facilitator_email"]
    inlines = [ActionInline, PledgeInline]
    readonly_fields = [
        "facilitator",
        "facilitator_link",
        "status",
        "submitted_at",
        "link_sent_at",
        "published_at",
        "published_by",
    ]
    actions = [
        "email_facilitator_links",
        "publish_outcomes",
        "unpublish_outcomes",
        "revoke_facilitator_links",
    ]

    def get_changelist_form(self, request, **kwargs):
        kwargs.setdefault("form", FacilitatorEmailsForm)
        return super().get_changelist_form(request, **kwargs)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                action_total=Count("actions", distinct=True),
                pledge_total=Count("pledges", distinct=True),
            )
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["session", "facilitator_email"]
        return [
            "session",
            "facilitator",
            "facilitator_email",
            "facilitator_link",
            "key_points",
            *self.readonly_fields[2:],
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["session", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            kwargs["queryset"] = BreakoutSession.objects.select_related(
                "theme__event", "agenda_item"
            ).filter(outcome__isnull=True)
            kwargs["form_class"] = SessionChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="session", ordering="session__theme__number")
    def session_name(self, outcome):
        return session_label(outcome.session)

    @admin.display(description="facilitator")
    def facilitator(self, outcome):
        return outcome.session.facilitator or "–"

    @admin.display(description="facilitator's link")
    def facilitator_link(self, outcome):
        return format_html(
            '<a href="{0}">{0}</a><br><span class="help">Personal to the facilitator: it '
            "opens these outcomes for changes until they are published.</span>",
            facilitator_url(outcome),
        )

    @admin.display(description="actions", ordering="action_total")
    def action_count(self, outcome):
        return outcome.action_total

    @admin.display(description="pledges", ordering="pledge_total")
    def pledge_count(self, outcome):
        return outcome.pledge_total

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_publish"] = (
            obj is not None
            and obj.status == OutcomeStatus.SUBMITTED
            and self.has_publish_permission(request)
            and self.has_change_permission(request, obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        if "_publish" not in request.POST:
            return super().response_change(request, obj)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        try:
            services.publish(outcome=obj, user=request.user)
        except ValidationError as error:
            self.message_user(request, error.messages[0], level=messages.ERROR)
            return redirect(request.path)
        self.message_user(request, f"{session_label(obj.session)}: saved and published.")
        return redirect("admin:outcomes_sessionoutcome_changelist")

    def _each(self, request, queryset, service, done: str):
        count, refused = 0, []
        for outcome in queryset:
            try:
                service(outcome)
            except ValidationError as error:
                refused.append(f"{session_label(outcome.session)}: {error.messages[0]}")
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} session{pluralize(count)}: {done}.")
        for line in refused:
            self.message_user(request, line, level=messages.ERROR)

    @admin.action(description="Email the facilitators their links", permissions=["change"])
    def email_facilitator_links(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda outcome: services.email_facilitator_link(outcome=outcome),
            "link emailed to the facilitator",
        )

    @admin.action(description="Publish the selected outcomes", permissions=["publish"])
    def publish_outcomes(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda outcome: services.publish(outcome=outcome, user=request.user),
            "published",
        )

    @admin.action(
        description="Take the selected outcomes off the public page", permissions=["publish"]
    )
    def unpublish_outcomes(self, request, queryset):
        self._each(
            request,
            queryset.filter(status=OutcomeStatus.PUBLISHED),
            lambda outcome: services.unpublish(outcome=outcome),
            "back to review (the facilitator's link can change them again)",
        )

    @admin.action(description="Revoke the facilitators' links", permissions=["change"])
    def revoke_facilitator_links(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda outcome: services.revoke_facilitator_link(outcome=outcome),
            "links revoked (a link emailed now works)",
        )


@admin.register(Action)
class ActionAdmin(EventScopedAdmin, admin.ModelAdmin):
    """Every action of every session, to follow up: who owns it, when it is due, how
    far it got."""

    list_display = ["description_start", "owner", "due_on", "status", "status_on", "session"]
    list_filter = ["status", "outcome__status", "outcome__session__theme__event"]
    list_select_related = [
        "organisation",
        "outcome__session__theme__event",
        "outcome__session__agenda_item",
    ]
    search_fields = ["description", "organisation_name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    actions = ["email_follow_up_links"]
    fields = [
        "outcome",
        "description",
        "organisation",
        "organisation_name",
        "may_name_organisation",
        "due_on",
        "status",
        "status_on",
        "status_note",
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["outcome"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "outcome":
            kwargs["queryset"] = SessionOutcome.objects.select_related(
                "session__theme__event", "session__agenda_item"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="action")
    def description_start(self, action):
        return str(action)

    @admin.display(description="owner")
    def owner(self, action):
        return action.owner_name

    @admin.display(description="session")
    def session(self, action):
        return session_label(action.outcome.session)

    def has_email_leads_permission(self, request):
        return request.user.has_perm("partners.change_partnerlead")

    @admin.action(
        description="Email the owners' partner leads their link to follow up these actions",
        permissions=["email_leads"],
    )
    def email_follow_up_links(self, request, queryset):
        sent = services.email_follow_up_links(actions=queryset, done_by=request.user)
        if not sent:
            self.message_user(
                request,
                "No partner lead to email: only published actions of an organisation in the "
                "directory with a lead at the event are followed up.",
                level=messages.WARNING,
            )
            return
        names = ", ".join(sorted({lead.name for lead, _ in sent}))
        self.message_user(request, f"Follow-up link emailed to {names}.")
