from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from mailings import placeholders, selectors
from mailings.enums import Attendance, MailingKind
from mailings.models import Mailing
from questions.services import answer_words
from symposium.enums import RegistrationStatus, Sector
from symposium.models import Delegate
from symposium.widgets import DATETIME_INPUT_FORMATS, DateTimeInput

AUDIENCE_NOTE = "Each filter narrows the audience; within one, any ticked value matches."


def _check_placeholders(text: str) -> str:
    placeholders.check(text)
    return text


class MailingForm(forms.ModelForm):
    statuses = forms.MultipleChoiceField(
        choices=RegistrationStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[RegistrationStatus.CONFIRMED],
        help_text="Registrations with any of these statuses.",
    )
    sectors = forms.MultipleChoiceField(
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only delegates in these sectors (none ticked: every sector).",
    )

    class Meta:
        model = Mailing
        fields = [
            "event",
            "subject",
            "body",
            "include_check_in",
            "statuses",
            "sessions",
            "themes",
            "sectors",
            "organisations",
            "answer_question",
            "answers",
            "attendance",
            "is_enabled",
            "days_before",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Absent from the read-only form of a mailing already sent.
        if "body" in self.fields:
            self.fields["body"].help_text += " " + placeholders.help_text() + "."
        if "subject" in self.fields:
            self.fields["subject"].help_text = "Placeholders work here too, e.g. {event}."
        if "answer_question" in self.fields:
            field = self.fields["answer_question"]
            field.queryset = field.queryset.select_related("event").order_by(
                "event__starts_on", "event_id", "order", "pk"
            )
            field.label_from_instance = lambda question: f"{question.event.name}: {question}"

    def clean_subject(self):
        return _check_placeholders(self.cleaned_data["subject"])

    def clean_body(self):
        return _check_placeholders(self.cleaned_data["body"])

    def clean(self):
        data = super().clean()
        event = data.get("event") or (self.instance.event if self.instance.event_id else None)
        if event is None:
            return data
        if any(session.theme.event_id != event.pk for session in data.get("sessions", [])):
            self.add_error("sessions", "Choose breakout sessions of this event.")
        if any(theme.event_id != event.pk for theme in data.get("themes", [])):
            self.add_error("themes", "Choose themes of this event.")
        self._check_attendance(event, data.get("attendance"))
        self._check_answers(event, data)
        return data

    def _check_answers(self, event, data) -> None:
        if "answers" not in self.fields:
            return
        question, words = data.get("answer_question"), data.get("answers", "")
        if question is None:
            if words.strip():
                self.add_error("answer_question", "Choose the question these answers are to.")
            return
        if question.event_id != event.pk:
            self.add_error("answer_question", "Choose a question of this event.")
        elif not words.strip():
            self.add_error("answers", f"Write the answers to “{question}” to send to.")
        else:
            try:
                answer_words(question, words.splitlines())
            except ValidationError as error:
                self.add_error("answers", error)

    def _check_attendance(self, event, attendance) -> None:
        # These go after the event, so they may be narrowed by attendance beforehand.
        after_the_event = self.instance.kind in (MailingKind.THANK_YOU, MailingKind.MISSED_YOU)
        if attendance in (None, Attendance.ANY) or after_the_event:
            return
        if event.starts_on > timezone.localdate():
            day = event.starts_on
            self.add_error(
                "attendance",
                f"Nobody can have attended yet: the event starts on {day:%A} {day.day} "
                f"{day:%B %Y}. Choose “{Attendance.ANY.label}” until then.",
            )


class PreviewForm(forms.Form):
    delegate = forms.ModelChoiceField(
        queryset=Delegate.objects.none(), label="Preview for", required=False
    )

    def __init__(self, *args, mailing: Mailing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = selectors.audience(mailing).select_related("event")


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label="Send at (UK time)",
        widget=DateTimeInput,
        input_formats=DATETIME_INPUT_FORMATS,
    )

    def clean_send_at(self):
        send_at = self.cleaned_data["send_at"]
        if send_at <= timezone.now():
            raise ValidationError("Choose a time in the future, or send it now.")
        return send_at
