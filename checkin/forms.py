"""The desk's forms: a walk-in, and which badges to print."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from registration.forms import text_field
from symposium.enums import Sector


class WalkInForm(forms.Form):
    first_name = text_field("First name", 100, required="Enter their first name")
    last_name = text_field("Last name", 100, required="Enter their last name")
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address like name@example.org",
        },
    )
    organisation = text_field("Organisation", 200, required="Enter their organisation")
    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "Choose a sector"), *Sector.choices],
        error_messages={"required": "Choose their sector"},
    )
    # Recorded on the walk-in and its check-in, as a scan records its desk.
    desk = forms.CharField(
        label="This desk",
        max_length=40,
        error_messages={
            "required": "Enter the desk's name, as on the check-in desk page",
            "max_length": "Enter at most 40 characters",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Register and check in"))


class BadgeScope(forms.Form):
    """All confirmed delegates, one breakout session, those added since the last print
    of the whole event, or one delegate."""

    SCOPES = [
        ("all", "Every confirmed delegate"),
        ("new", "Added since the last print of every badge"),
        ("session", "One breakout session"),
        ("delegate", "One delegate"),
    ]
    scope = forms.ChoiceField(choices=SCOPES, initial="all")
    session = forms.IntegerField(required=False)
    delegate = forms.IntegerField(required=False)

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope in ("session", "delegate") and not data.get(scope):
            raise forms.ValidationError(f"Choose the {scope}.")
        return data
