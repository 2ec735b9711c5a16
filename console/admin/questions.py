"""An event's registration questions in the admin: each with its options inline, and
"ask only if the answer to an earlier question was …" as one list of answers."""

import copy

from django import forms
from django.contrib import admin

from console.scoping import EventScopedAdmin
from questions.enums import CONDITION_KINDS, YES_NO_LABELS
from questions.models import Question, QuestionOption
from symposium import teams


class QuestionOptionInline(admin.TabularInline):
    model = QuestionOption
    fields = ["label", "order"]
    extra = 3
    verbose_name = "option (choice questions only)"
    verbose_name_plural = "options (choice questions only)"


def condition_choices(user, question=None) -> list:
    """The answers a question can depend on, grouped by question: every yes-or-no and
    choice question of the events `user` sees (of `question`'s event, asked before
    it, once it has one). Values are "question pk:answer"."""
    parents = Question.objects.filter(kind__in=CONDITION_KINDS).select_related("event")
    parents = teams.for_user(parents, user).prefetch_related("options")
    if question is not None and question.pk:
        parents = parents.filter(event_id=question.event_id).exclude(pk=question.pk)
    groups = []
    for parent in parents.order_by("event__starts_on", "event_id", "order", "pk"):
        answers = (
            list(YES_NO_LABELS.items())
            if parent.kind == "yes_no"
            else [(str(option.pk), option.label) for option in parent.options.all()]
        )
        name = parent.label if question and question.pk else f"{parent.event.name}: {parent.label}"
        groups.append((name, [(f"{parent.pk}:{value}", label) for value, label in answers]))
    return groups


class QuestionAdminForm(forms.ModelForm):
    # The model's depends_on and depends_on_values in one list (clean() sets both).
    ask_only_if = forms.MultipleChoiceField(
        required=False,
        label="Ask only if the answer was",
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick one or more answers to one earlier yes-or-no or choice question: this "
        "question is then asked only after one of them (and is required only then). Tick "
        "none to always ask it.",
    )

    class Meta:
        model = Question
        fields = [
            "event",
            "order",
            "label",
            "help_text",
            "kind",
            "required",
            "sensitive",
            "show_at_desk",
            "min_value",
            "max_value",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.depends_on_id:
            self.initial["ask_only_if"] = [
                f"{instance.depends_on_id}:{value}" for value in instance.depends_on_values
            ]

    def clean_ask_only_if(self):
        picked = [value.partition(":") for value in self.cleaned_data["ask_only_if"]]
        parents = {parent for parent, _, _ in picked}
        if len(parents) > 1:
            raise forms.ValidationError("Tick answers to one question only.")
        self.condition = (
            (Question.objects.get(pk=parents.pop()), [value for _, _, value in picked])
            if parents
            else (None, [])
        )
        return self.cleaned_data["ask_only_if"]

    def clean(self):
        data = super().clean()
        if hasattr(self, "condition"):
            self.instance.depends_on, self.instance.depends_on_values = self.condition
        return data

    def _update_errors(self, errors):
        # The model's word on the condition goes by the field that sets it.
        if hasattr(errors, "error_dict") and "depends_on" in errors.error_dict:
            errors.error_dict["ask_only_if"] = errors.error_dict.pop("depends_on")
        super()._update_errors(errors)


@admin.register(Question)
class QuestionAdmin(EventScopedAdmin, admin.ModelAdmin):
    form = QuestionAdminForm
    inlines = [QuestionOptionInline]
    list_display = ["label", "event", "order", "kind", "required", "sensitive", "show_at_desk"]
    list_display_links = ["label"]
    list_filter = ["event", "kind", "sensitive", "show_at_desk"]
    list_select_related = ["event"]
    search_fields = ["label"]
    ordering = ["event", "order", "pk"]
    fieldsets = [
        (None, {"fields": ["event", "order", "label", "help_text", "kind"]}),
        (
            "How it is asked",
            {"fields": ["required", "ask_only_if", "sensitive", "show_at_desk"]},
        ),
        (
            "Number questions",
            {"fields": ["min_value", "max_value"], "classes": ["collapse"]},
        ),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # A copy: the declared field is shared by every form class made from this one.
        field = form.base_fields["ask_only_if"] = copy.deepcopy(form.base_fields["ask_only_if"])
        field.choices = condition_choices(request.user, obj)
        return form

    def get_readonly_fields(self, request, obj=None):
        # Answers already given belong to this event's question.
        return ["event"] if obj else []
