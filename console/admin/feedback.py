"""Each event's feedback survey (feedback.services): anonymous or not, its introduction
and closing date. It is made with the event (anonymous, closing two weeks after it) and
sent by the task queue the day after the event to those the desk checked in; once sent,
whether it is anonymous can no longer change (the delegates were told)."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q

from console.scoping import EventScopedAdmin
from feedback.models import Survey


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["event", "is_anonymous", "intro", "closes_on"]

    def clean(self):
        cleaned = super().clean()
        closes_on = cleaned.get("closes_on")
        # The event is read-only once the survey exists: the instance's, then.
        event = cleaned.get("event") or (self.instance.event if self.instance.event_id else None)
        if event and closes_on and closes_on <= event.ends_on:
            self.add_error(
                "closes_on",
                f"The survey is sent after the event: close it after "
                f"{event.ends_on:%-d %B %Y}, the event's last day.",
            )
        return cleaned


@admin.register(Survey)
class SurveyAdmin(EventScopedAdmin, admin.ModelAdmin):
    form = SurveyForm
    list_display = ["event", "is_anonymous", "closes_on", "sent_at", "invited", "answered"]
    list_filter = ["is_anonymous", "event"]
    list_select_related = ["event"]
    readonly_fields = ["sent_at", "invited", "answered"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                invited_count=Count("invitations", distinct=True),
                answered_count=Count(
                    "invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True
                ),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("event")
            if obj.sent_at is not None:
                fields.append("is_anonymous")
        return fields

    @admin.display(description="invited")
    def invited(self, survey):
        return getattr(survey, "invited_count", 0)

    @admin.display(description="answered")
    def answered(self, survey):
        return getattr(survey, "answered_count", 0)
