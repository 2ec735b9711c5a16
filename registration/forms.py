"""Public forms: registering, managing a registration, asking for the link again."""

import copy
from itertools import groupby

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, LayoutObject, Submit
from crispy_forms.utils import render_crispy_form
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from breakouts.enums import ChoiceStatus
from breakouts.selectors import availability_label
from partners.services import find_organisation
from questions import forms as question_forms
from questions.services import Answers
from registration.services import DETAILS, Needs
from symposium.enums import DietaryRequirement, Sector
from symposium.models import ACCESS_NEEDS_MAX_LENGTH, clock
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


def swap_field_name(session_id):
    """Named after the full session, so that picking another asks again."""
    return f"swap_{session_id}"


KEEP_PLACE, GIVE_UP_PLACE = "keep", "give_up"


def places_slot(session_pk: int) -> str:
    """Where a session's places label goes in the cached register page."""
    return f"places-of-session-{session_pk}-here"


class RadioGroups(LayoutObject):
    """Radio-button fields, each a fieldset with its legend, rendered by one lean template
    (symposium/_radio_groups.html) to the HTML crispy's bootstrap5 field.html writes for
    them: the same labels, error messages by the field, aria-invalid and aria-describedby.
    A large event's breakout rounds have dozens of options, and crispy's per-field and
    per-option templates made most of the manage page's time (docs/performance.md)."""

    template = "symposium/_radio_groups.html"

    def __init__(self, *fields):
        self.fields = list(fields)

    def render(self, form, context, template_pack=None, **kwargs):
        if getattr(form, "rounds_slot", False):
            return ROUNDS_SLOT
        groups = [radio_group(form[name]) for name in self.fields]
        return render_to_string(self.template, {"groups": groups})


# Where the delegate's own breakout rounds go in the blank manage form kept in the cache.
ROUNDS_SLOT = "breakout-rounds-of-this-delegate-here"


def radio_group(bound_field) -> dict:
    """What the template needs of one radio field, worked out here rather than in it."""
    value = bound_field.value()
    picked = "" if value is None else str(value)
    auto_id = bound_field.auto_id
    errors = bound_field.errors
    described_by = " ".join(
        ([f"{auto_id}_helptext"] if bound_field.help_text else [])
        + ([f"{auto_id}_error"] if errors else [])
    )
    return {
        "name": bound_field.html_name,
        "id": auto_id,
        "label": bound_field.label,
        "help_text": bound_field.help_text,
        "errors": errors,
        "described_by": described_by,
        "options": [
            {
                "id": f"{auto_id}_{index}",
                "value": str(option),
                "label": label,
                "checked": str(option) == picked,
            }
            for index, (option, label) in enumerate(bound_field.field.choices)
        ],
    }


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
    # A plain text box, any name allowed; static/js/organisation-picker.js makes it a
    # combobox offering the partner directory's entries (partners.views.search).
    organisation = text_field(
        "Organisation",
        200,
        required="Enter your organisation",
        help_text="Start typing to choose it from our list of partners, or type it in full.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "organization",
                "data-organisation-search": reverse_lazy("partners:search"),
                "data-sector-field": "id_sector",
            }
        ),
    )
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

    # Questions whose sensitive answers are stored with consent (ManageForm): unticking
    # their consent box withdraws it, as for the needs.
    stored_consents = frozenset()

    def __init__(
        self,
        *args,
        event,
        sessions,
        current_sessions=(),
        places_slots=False,
        questions=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.event = event
        # The event's own questions (questions.services.event_questions), after the details.
        self.questions = list(questions)
        self.question_items = question_forms.add_fields(self, self.questions)
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
                places = (
                    places_slot(session.pk)  # Filled in when served (registration.views).
                    if places_slots
                    else availability_label(session.capacity, session.places_taken)
                )
                label = f"{session.theme.title} – {places}"
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
            Fieldset("Questions from the organisers", *self.question_items)
            if self.question_items
            else HTML(""),
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
                RadioGroups(*self.round_fields),
            )
            if self.round_fields
            else HTML(""),
            Submit("submit", self.submit_label),
        )
        return helper

    def _details_fields(self):
        return DETAILS_FIELDS

    def clean(self):
        cleaned_data = super().clean()
        # Looked up here, before the registration's transaction and its locks.
        self.directory_entry = (
            find_organisation(cleaned_data["organisation"])
            if cleaned_data.get("organisation")
            else None
        )
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
        self.answers = Answers(
            questions=self.questions,
            given=question_forms.clean_answers(
                self, self.questions, stored_consents=self.stored_consents
            ),
        )
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
            "directory_entry": self.directory_entry,
            **({"answers": self.answers} if self.questions else {}),
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
    """The same questions, filled in from the registration.

    `choices` are the delegate's, from `breakouts.services.delegate_choices`. Moving
    from a place to a full session asks first whether to keep the place until the new
    session has room: the first POST gets the question back (`asks_before_saving`),
    with keeping the place chosen, and the next carries the answer.
    """

    submit_label = "Save changes"
    swap_fields = {}

    def __init__(self, *args, delegate, choices=(), answers=None, **kwargs):
        """`answers`: the delegate's stored answers (questions.services.stored_answers)."""
        needs = getattr(delegate, "needs", None)
        initial = {name: getattr(delegate, name) for name in DETAILS_FIELDS}
        if needs is not None:
            initial |= {name: getattr(needs, name) for name in NEEDS_FIELDS}
            initial["needs_consent"] = True
        answers = answers or {}
        initial |= question_forms.initial_values(kwargs.get("questions", ()), answers)
        self.stored_consents = frozenset(pk for pk, given in answers.items() if given.consented)
        super().__init__(
            *args,
            initial=initial | kwargs.pop("initial", {}),
            current_sessions=[(choice.waiting_for or choice).session for choice in choices],
            **kwargs,
        )
        self.needs_stored = needs is not None
        self.places = {
            choice.agenda_item_id: choice
            for choice in choices
            if choice.status == ChoiceStatus.CONFIRMED
        }
        self._label_kept_places()
        self.swap_fields, self.asks_before_saving = self._swap_questions(), False
        for name in self.swap_fields:
            if name not in self.data:
                self.data = self.data.copy()
                self.data[name] = KEEP_PLACE
                self.asks_before_saving = True
        self.helper = self._helper()

    def _label_kept_places(self):
        for round_id, place in self.places.items():
            if place.waiting_for is None:
                continue
            field = self.fields[round_field_name(round_id)]
            labels = {
                str(place.session_id): f"{place.session.theme.title} – your place, kept until "
                "you get one in the breakout you are waiting for",
                str(place.waiting_for.session_id): f"{place.waiting_for.session.theme.title} – "
                f"you are waiting for a place (position {place.waiting_for.waitlist_position})",
            }
            field.choices = [(value, labels.get(value, label)) for value, label in field.choices]

    def _moves_to_full_session(self, round_id):
        """The full session picked in this round in place of the delegate's place, or None."""
        place = self.places.get(round_id)
        try:
            picked = self.sessions.get(int(self.data.get(round_field_name(round_id), "")))
        except ValueError:
            return None
        if place is None or picked is None or picked.agenda_item_id != round_id:
            return None
        if picked.pk in {place.session_id, (place.waiting_for or place).session_id}:
            return None
        return picked if picked.places_taken >= picked.capacity else None

    def _swap_questions(self):
        """{question's field name: round pk} for each move from a place to a full session."""
        if not self.is_bound:
            return {}
        names = {}
        for round_id, place in self.places.items():
            picked = self._moves_to_full_session(round_id)
            if picked is None:
                continue
            kept, wanted = place.session.theme.title, picked.theme.title
            name = swap_field_name(picked.pk)
            self.fields[name] = forms.ChoiceField(
                choices=[
                    (
                        KEEP_PLACE,
                        f"Keep my place in {kept} until a place in {wanted} comes up (recommended)",
                    ),
                    (
                        GIVE_UP_PLACE,
                        f"Give up my place in {kept} and join the waitlist for {wanted}",
                    ),
                ],
                widget=forms.RadioSelect,
                label=f"{wanted} is full. What should happen to your place in {kept}?",
                help_text="If you keep your place, we move you and email you as soon as a "
                f"place in {wanted} comes up.",
            )
            names[name] = round_id
        return names

    def _helper(self):
        helper = super()._helper()
        if self.swap_fields:
            helper.layout.insert(0, Fieldset("Before we save your changes", *self.swap_fields))
        return helper

    def service_kwargs(self):
        give_up = [
            round_id
            for name, round_id in self.swap_fields.items()
            if self.cleaned_data[name] == GIVE_UP_PLACE
        ]
        return super().service_kwargs() | {"give_up_rounds": give_up}


def blank_form_html(form: ManageForm) -> str:
    """`form` (unbound) as crispy renders it with nothing filled in and a slot for the
    breakout rounds: the same for every delegate of the event, so kept in the page
    cache (registration.views.ManageView) and completed by `filled_form_html`."""
    blank = copy.copy(form)
    blank.initial, blank._bound_fields_cache, blank.rounds_slot = {}, {}, True
    return render_crispy_form(blank)


def filled_form_html(blank: str, form: ManageForm) -> str:
    """The blank form's HTML with `form`'s values set in, as Django's widgets write them
    (an input's value, the selected option, a ticked box, a textarea's text; all escaped),
    and its breakout rounds rendered in the slot: the HTML `{% crispy form %}` gives,
    for an unbound form (tests/registration/test_manage_page_cache.py compares the two).
    Raises TypeError for a widget it does not know."""
    html = blank
    for name, field in form.fields.items():
        widget, value = field.widget, form[name].value()
        if name in form.round_fields:
            continue
        if isinstance(widget, forms.RadioSelect):
            raise TypeError(f"{name}: a radio field outside the breakout rounds")
        if isinstance(widget, forms.Select):
            start = html.index(f'<select name="{name}"')
            end = html.index("</select>", start)
            option = f'<option value="{escape("" if value is None else value)}"'
            options = html[start:end].replace(" selected>", ">")
            options = options.replace(f"{option}>", f"{option} selected>", 1)
            html = html[:start] + options + html[end:]
        elif isinstance(widget, forms.CheckboxInput):
            if widget.check_test(value):
                html = html.replace(f'name="{name}"', f'name="{name}" checked', 1)
        elif isinstance(widget, forms.Textarea):
            if value:
                start = html.index(f'<textarea name="{name}"')
                text = html.index(">\n", start) + 2
                html = html[:text] + escape(value) + html[text:]
        elif isinstance(widget, forms.widgets.Input) and not isinstance(widget, forms.FileInput):
            if value not in (None, ""):
                html = html.replace(f'name="{name}"', f'name="{name}" value="{escape(value)}"', 1)
        else:
            raise TypeError(f"{name}: {type(widget).__name__} is not filled in")
    rounds = RadioGroups(*form.round_fields).render(form, None) if form.round_fields else ""
    return mark_safe(html.replace(ROUNDS_SLOT, rounds))  # noqa: S308 (escaped above)


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


class SubstituteForm(forms.Form):
    """A partner lead names the colleague who takes someone's place."""

    first_name = text_field(
        "Colleague's first name", 100, required="Enter your colleague's first name"
    )
    last_name = text_field(
        "Colleague's last name", 100, required="Enter your colleague's last name"
    )
    email = forms.EmailField(
        max_length=254,
        label="Colleague's email address",
        help_text="We send them their confirmation and their own link to manage the place.",
        error_messages={
            "required": "Enter your colleague's email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    job_title = text_field("Colleague's job title (optional)", 200, what="Job title")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", "Pass the place to this colleague"))
