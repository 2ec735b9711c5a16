"""The staff form that chooses an attendee list, sent by GET to the download URL."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.urls import reverse

from breakouts.models import BreakoutSession, Theme
from console.exports.attendees import AttendeeFilters, round_title
from symposium.enums import ExportFormat, Sector
from symposium.exports.services import NEEDS_PERMISSION
from symposium.models import Delegate, Event

WHOLE_EVENT = "event"
CONFIRMED_ONLY, ALL_STATUSES = "confirmed", "all"


def session_label(session: BreakoutSession) -> str:
    room = f", {session.room.name}" if session.room else ""
    return f"{round_title(session.agenda_item)}: {session.theme.title}{room}"


def organisations(event: Event) -> list[str]:
    """The organisations delegates gave, alphabetical, one spelling per name."""
    names = Delegate.objects.filter(event=event).values_list("organisation", flat=True)
    unique = {}
    for name in sorted(names.distinct()):
        unique.setdefault(name.casefold(), name)  # "Kent …" wins over "kent …"
    return sorted(unique.values(), key=str.casefold)


class AttendeeExportForm(forms.Form):
    """Chooses the delegates (whole event, a session, a theme, an organisation or a
    sector), the statuses, the format and, apart, the sensitive needs.

    The needs box is disabled for users who may not view DelegateNeeds, so a crafted
    query string cannot tick it: Django ignores data sent for a disabled field.
    """

    delegates = forms.ChoiceField(label="Delegates to list", initial=WHOLE_EVENT)
    statuses = forms.ChoiceField(
        label="Registrations",
        widget=forms.RadioSelect,
        initial=CONFIRMED_ONLY,
        choices=[
            (CONFIRMED_ONLY, "Confirmed delegates only"),
            (ALL_STATUSES, "Also delegates on a waitlist and cancelled registrations"),
        ],
    )
    file_format = forms.ChoiceField(
        label="Format", widget=forms.RadioSelect, choices=ExportFormat.choices, initial="csv"
    )
    include_needs = forms.BooleanField(
        required=False,
        label="Include dietary and access needs (sensitive)",
        help_text="Special category data: only for the caterers and the venue team. "
        "Store the file securely and delete it after the event.",
    )

    def __init__(self, *args, event: Event, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.sessions = {
            str(session.pk): session
            for session in BreakoutSession.objects.filter(theme__event=event)
            .select_related("theme", "agenda_item", "room")
            .order_by("agenda_item__starts_at", "theme__number", "pk")
        }
        self.themes = {str(theme.number): theme for theme in Theme.objects.filter(event=event)}
        self.fields["delegates"].choices = self._scope_choices()
        if not user.has_perm(NEEDS_PERMISSION):
            needs = self.fields["include_needs"]
            needs.disabled = True
            needs.help_text = "You need permission to view delegates' needs to include them."
        self.helper = self._helper()

    def _scope_choices(self):
        return [
            (WHOLE_EVENT, "The whole event"),
            (
                "Breakout sessions",
                [(f"session:{pk}", session_label(s)) for pk, s in self.sessions.items()],
            ),
            ("Themes", [(f"theme:{n}", str(theme)) for n, theme in self.themes.items()]),
            (
                "Organisations",
                [(f"organisation:{name}", name) for name in organisations(self.event)],
            ),
            ("Sectors", [(f"sector:{value}", label) for value, label in Sector.choices]),
        ]

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_method = "get"
        helper.form_action = reverse("staff:attendee-export", kwargs={"slug": self.event.slug})
        helper.layout = Layout(
            Fieldset("Attendee list", "delegates", "statuses", "file_format"),
            Fieldset("Sensitive information", "include_needs"),
            Submit("download", "Download the list"),
        )
        return helper

    def filters(self) -> AttendeeFilters:
        """The filters chosen; call after `is_valid()`."""
        data = self.cleaned_data
        kind, _, value = data["delegates"].partition(":")
        return AttendeeFilters(
            session=self.sessions.get(value) if kind == "session" else None,
            theme=self.themes.get(value) if kind == "theme" else None,
            organisation=value if kind == "organisation" else "",
            sector=value if kind == "sector" else "",
            include_inactive=data["statuses"] == ALL_STATUSES,
            include_needs=data["include_needs"],
        )
