from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms

from feedback.selectors import Target
from feedback.services import Answers

SCORES = [
    (5, "5: excellent"),
    (4, "4: good"),
    (3, "3: fair"),
    (2, "2: poor"),
    (1, "1: very poor"),
]
LONGEST_TEXT = 5000


def _rating(label: str, *, required: bool, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        required=required,
        help_text=help_text,
        error_messages={
            "required": "Choose a rating for the day as a whole",
            "invalid_choice": f"Choose a rating from 1 to 5 for {label}",
        },
    )


def _text(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=LONGEST_TEXT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Write at most {LONGEST_TEXT:,} characters here"},
    )


class SurveyForm(forms.Form):
    """A rating from 1 to 5 for each session the delegate attended (optional: they may
    have missed one), the day as a whole (required), and two free texts."""

    def __init__(self, *args, targets: list[Target], **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target in targets:
            self.fields[target.field_name] = _rating(
                target.label, required=False, help_text="Leave it blank if you missed it."
            )
        self.fields["overall"] = _rating("The day as a whole", required=True)
        self.fields["comments"] = _text(
            "Comments (optional)", "What worked, what did not, what you would change."
        )
        self.fields["do_differently"] = _text(
            "What will you do differently after the symposium? (optional)",
            "In your work or with the partners you met.",
        )
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        parts = []
        if targets:
            parts.append(
                Fieldset("The sessions you attended", *[target.field_name for target in targets])
            )
        parts.append(Fieldset("The day", "overall", "comments", "do_differently"))
        self.helper.layout = Layout(*parts)
        self.helper.add_input(Submit("submit", "Send my answers"))

    def answers(self) -> Answers:
        data = self.cleaned_data
        return Answers(
            overall=data["overall"],
            comments=data["comments"].strip(),
            do_differently=data["do_differently"].strip(),
            ratings=[
                (target.kind, target.pk, data[target.field_name])
                for target in self.targets
                if data.get(target.field_name)
            ],
        )
