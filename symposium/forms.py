"""Public forms: registering, managing a registration, asking for the link again."""

from itertools import groupby

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils.html import format_html

from breakouts.selectors import availability_label
from symposium.enums import DietaryRequirement, Sector
from symposium.models import ACCESS_NEEDS_MAX_LENGTH, clock
from symposium.services import DETAILS, Needs
from symposium.validators import one_line, plain_text

NEEDS_FIELDS = ["dietary_requirement", "dietary_details", "access_needs"]
DETAILS_FIELDS = list(DETAILS)


def text_field(label, max_length, *, required=None, what=None, **kwargs):
    """A one-line text field whose errors name it in words ("Enter your first name"),
    refusing line breaks and control characters: names and organisations end up in
    email headers, calendars and on name badges."""
    what = what or label
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=bool(required),
        validators=[one_line(what)],
        error_messages={
            "required": required or f"Enter {what.lower()}",
            "max_length": f"{what} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


def round_field_name(agenda_item_id):
    return f"round_{agenda_item_id}"


class DelegateForm(forms.Form):
    """Details, optional needs (behind their own consent) and one breakout per round.

    `sessions` are the event's breakout sessions annotated by
    `breakouts.selectors.sessions_with_places`, with theme and agenda_item selected:
    the form builds one radio group per round from them without another query.
    """

    first_name = text_field("First name", 100, required="Enter your first name")
    last_name = text_field("Last name", 100, required="Enter your last name")
    email = forms.EmailField(
        max_length=254,
        label="Email address",
        help_text="We send your confirmation and your link to manage your place here.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    organisation = text_field("Organisation", 200, required="Enter your organisation")
    sector = forms.ChoiceField(
        choices=[("", "Choose your sector"), *Sector.choices],
        error_messages={
            "required": "Choose your sector",
            "invalid_choice": "Choose your sector from the list",
        },
    )
    job_title = text_field("Job title (optional)", 200, what="Job title")
    needs_consent = forms.BooleanField(
        required=False,
        label="I want to tell you about dietary or access needs, and agree to you storing them",
    )
    dietary_requirement = forms.ChoiceField(
        choices=DietaryRequirement.choices,
        initial=DietaryRequirement.NONE,
        required=False,
        label="Dietary requirement",
        error_messages={"invalid_choice": "Choose your dietary requirement from the list"},
    )
    dietary_details = text_field(
        "Details of your dietary requirement",
        300,
        help_text="For example, the foods you cannot eat.",
        what="Details of your dietary requirement",
    )
    access_needs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=ACCESS_NEEDS_MAX_LENGTH,
        validators=[plain_text("Access needs")],
        label="Access needs",
        help_text=f"For example, step-free access, a hearing loop or a BSL interpreter. "
        f"Up to {ACCESS_NEEDS_MAX_LENGTH:,} characters.",
        error_messages={
            "max_length": f"Access needs must be {ACCESS_NEEDS_MAX_LENGTH:,} characters or fewer"
        },
    )

    submit_label = "Save"
    # With needs already stored, an unticked consent box withdraws consent: the needs
    # fields, still filled in from the stored needs, are then ignored, not an error.
    needs_stored = False

    def __init__(self, *args, event, sessions, current_sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["needs_consent"].help_text = (
            "Optional. We use this only to arrange catering and access at the event and "
            f"delete it {event.retention_days} days after the event. Leave the box unticked "
            "and we store nothing about your diet or access needs."
        )
        self.sessions = {session.pk: session for session in sessions}
        current = {session.pk for session in current_sessions}
        self.round_fields = []
        by_round = groupby(sessions, key=lambda session: session.agenda_item)
        for agenda_item, round_sessions in by_round:
            name = round_field_name(agenda_item.pk)
            choices = [("", "No breakout")]
            for session in round_sessions:
                label = (
                    f"{session.theme.title} – "
                    f"{availability_label(session.capacity, session.places_taken)}"
                )
                if session.pk in current:
                    label = f"{session.theme.title} – your current choice"
                    self.initial.setdefault(name, str(session.pk))
                choices.append((str(session.pk), label))
            self.fields[name] = forms.ChoiceField(
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                label=f"{agenda_item.title}, {clock(agenda_item.starts_at)} to "
                f"{clock(agenda_item.ends_at)}",
                error_messages={
                    "invalid_choice": f"Choose one of the breakouts listed for {agenda_item.title}"
                },
            )
            self.round_fields.append(name)
        self.helper = self._helper()

    def _helper(self):
        helper = FormHelper()
        # The page writes the <form> tag and its CSRF token, so that the fields' HTML,
        # the same for every visitor, can be rendered once and cached (register.html).
        helper.form_tag = False
        # The token is the visitor's own: crispy would otherwise write it into the cached
        # fields, and every later visitor would post the first visitor's token.
        helper.disable_csrf = True
        helper.layout = Layout(
            Fieldset("Your details", *self._details_fields()),
            Fieldset(
                "Dietary and access needs",
                HTML(
                    '<p class="form-text">Tell us only if you want to: tick the box first, '
                    "then fill in what applies to you.</p>"
                ),
                "needs_consent",
                *NEEDS_FIELDS,
            ),
            Fieldset(
                "Breakouts",
                HTML(
                    '<p class="form-text">Choose one discussion group in each round. When a '
                    "group is full you join its waitlist and we email you if a place comes "
                    "up.</p>"
                ),
                *self.round_fields,
            )
            if self.round_fields
            else HTML(""),
            Submit("submit", self.submit_label),
        )
        return helper

    def _details_fields(self):
        return DETAILS_FIELDS

    def rendering_key(self):
        """What the unbound form's HTML depends on besides the event's content: the
        breakout choices with their availability labels."""
        return tuple((name, tuple(self.fields[name].choices)) for name in self.round_fields)

    def clean(self):
        cleaned_data = super().clean()
        wants_needs = any(
            cleaned_data.get(name) not in ("", None, DietaryRequirement.NONE)
            for name in NEEDS_FIELDS
        )
        if wants_needs and not cleaned_data.get("needs_consent") and not self.needs_stored:
            self.add_error(
                "needs_consent",
                "Tick this box if you want us to store the dietary or access needs you "
                "entered, or clear those fields",
            )
        if (
            cleaned_data.get("needs_consent")
            and cleaned_data.get("dietary_requirement") == DietaryRequirement.OTHER
            and not cleaned_data.get("dietary_details")
        ):
            self.add_error("dietary_details", "Describe your dietary requirement")
        return cleaned_data

    def service_kwargs(self):
        """What the registration services take, from the cleaned data."""
        data = self.cleaned_data
        needs = None
        if data["needs_consent"]:
            needs = Needs(
                dietary_requirement=data["dietary_requirement"] or DietaryRequirement.NONE,
                dietary_details=data["dietary_details"],
                access_needs=data["access_needs"],
            )
        sessions = [self.sessions[int(data[name])] for name in self.round_fields if data.get(name)]
        return {
            **{name: data[name] for name in DETAILS_FIELDS},
            "needs": needs,
            "sessions": sessions,
        }


class RegistrationForm(DelegateForm):
    privacy_consent = forms.BooleanField(
        error_messages={"required": "Agree to the privacy notice to register"},
    )

    submit_label = "Register"

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        self.fields["privacy_consent"].label = format_html(
            'I have read the <a href="{}">privacy notice</a> and agree to my details being '
            "used to run this event",
            reverse("symposium:privacy", args=[event.slug]),
        )
        self.order_fields([*DETAILS_FIELDS, "privacy_consent"])

    def _details_fields(self):
        return [*DETAILS_FIELDS, "privacy_consent"]


class ManageForm(DelegateForm):
    """The same questions, filled in from the registration."""

    submit_label = "Save changes"

    def __init__(self, *args, delegate, **kwargs):
        needs = getattr(delegate, "needs", None)
        initial = {name: getattr(delegate, name) for name in DETAILS_FIELDS}
        if needs is not None:
            initial |= {name: getattr(needs, name) for name in NEEDS_FIELDS}
            initial["needs_consent"] = True
        super().__init__(*args, initial=initial | kwargs.pop("initial", {}), **kwargs)
        self.needs_stored = needs is not None


class ManageLinkRequestForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="Email address",
        help_text="The address you registered with.",
        error_messages={
            "required": "Enter the email address you registered with",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Email me the link"))
