"""The facilitator's form (key points, then actions and pledges as formsets) and the
owner's follow-up of an action. Rendered through crispy; every error names its field."""

from crispy_forms.helper import FormHelper
from django import forms
from django.urls import reverse_lazy

from outcomes.models import Action, ActionStatus, Pledge, SessionOutcome
from symposium.validators import one_line
from symposium.widgets import DateInput

# Blank rows offered under the rows already written; "Save" offers as many again.
BLANK_ROWS = 2


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def organisation_widget() -> forms.TextInput:
    """A plain text box, any name allowed; static/js/organisation-picker.js makes it a
    combobox offering the partner directory's entries (partners.views.search)."""
    return forms.TextInput(
        attrs={
            "autocomplete": "organization",
            "data-organisation-search": reverse_lazy("partners:search"),
        }
    )


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = SessionOutcome
        fields = ["key_points"]
        labels = {"key_points": "Key points"}
        help_texts = {
            "key_points": "What the group discussed and agreed, as it can be shared in "
            "public. Leave out people's names."
        }
        widgets = {"key_points": forms.Textarea(attrs={"rows": 6})}

    # Set when the facilitator submits for review: the key points are then needed.
    submitting = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_key_points(self):
        key_points = self.cleaned_data["key_points"].strip()
        if self.submitting and not key_points:
            raise forms.ValidationError("Enter the key points before you submit for review")
        return key_points


class OwnedForm(forms.ModelForm):
    """An action's or pledge's organisation: typed, or picked from the directory."""

    organisation_name = forms.CharField(
        label="Organisation",
        max_length=200,
        validators=[one_line("Organisation")],
        help_text="Start typing to choose it from the list of partners, or type it in full.",
        widget=organisation_widget(),
        error_messages={
            "required": "Enter the organisation",
            "max_length": "Organisation must be 200 characters or fewer",
        },
    )
    may_name_organisation = forms.BooleanField(
        required=False,
        label="The organisation agrees to be named on the public outcomes page",
        help_text="Otherwise it is shown as “a partner organisation”, with its sector.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ActionForm(OwnedForm):
    noun = "action"

    class Meta:
        model = Action
        fields = ["description", "organisation_name", "due_on", "may_name_organisation"]
        labels = {"description": "Action", "due_on": "Due date"}
        help_texts = {"due_on": "For example, 31/03/2027."}
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DateInput}
        error_messages = {
            "description": {"required": "Enter the action"},
            "due_on": {"required": "Enter the due date", "invalid": "Enter a real date"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation_name"].label = "Owner organisation"
        self.fields["due_on"].required = True


class PledgeForm(OwnedForm):
    noun = "pledge"

    class Meta:
        model = Pledge
        fields = ["text", "organisation_name", "may_name_organisation"]
        labels = {"text": "Pledge"}
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        error_messages = {"text": {"required": "Enter the pledge"}}


class RowsFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove this {form.noun}"


def _formset(model, form):
    # Rows already saved can be removed; blank rows left empty are simply not saved.
    return forms.inlineformset_factory(
        SessionOutcome,
        model,
        form=form,
        formset=RowsFormSet,
        extra=BLANK_ROWS,
        can_delete=True,
        can_delete_extra=False,
    )


ActionFormSet = _formset(Action, ActionForm)
PledgeFormSet = _formset(Pledge, PledgeForm)


def outcome_forms(outcome: SessionOutcome, data=None) -> tuple:
    """The page's three forms, bound to `data` when it was posted."""
    return (
        OutcomeForm(data, instance=outcome, prefix="outcome"),
        ActionFormSet(data, instance=outcome, prefix="actions"),
        PledgeFormSet(data, instance=outcome, prefix="pledges"),
    )


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        error_messages={
            "required": "Choose a status",
            "invalid_choice": "Choose a status from the list",
        },
    )
    status_on = forms.DateField(
        label="Date (optional)",
        required=False,
        widget=DateInput,
        help_text="When it reached this status. Leave empty for today.",
        error_messages={"invalid": "Enter a real date"},
    )
    status_note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done, or what is in the way. It may be shown to the organisers.",
        error_messages={"max_length": "Note must be 2000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
