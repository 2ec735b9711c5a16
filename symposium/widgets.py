"""The date and time inputs of every staff page: the browser's own pickers
(`<input type="date">`, `time`, `datetime-local`), each given its value in the ISO form
HTML requires.

A browser shows an `<input type="date">` blank when its value is "10/06/2027" (the en-GB
form Django uses by default), and the form then posts it back empty: a later day of the
agenda silently became the first one. The format is fixed here, whatever the locale,
and the admin uses these widgets for every date and time field (see apps.py).
"""

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_TIME)


class DateTimeInput(forms.DateTimeInput):
    """One `datetime-local` input; its field must accept ISO_DATETIME (see
    DATETIME_INPUT_FORMATS)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATETIME)


DATETIME_INPUT_FORMATS = [ISO_DATETIME, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class SplitDateTimeWidget(AdminSplitDateTime):
    """The admin's date-and-time pair ("Date:", "Time:" and the same field names),
    with the browser's own pickers instead of text boxes and the admin's calendar
    script, which writes dates in the locale's form."""

    def __init__(self, attrs=None):
        forms.MultiWidget.__init__(self, [DateInput(attrs), TimeInput(attrs)], attrs)

    def get_context(self, name, value, attrs):
        # The field's <label> points at neither box (a MultiWidget has no single id), so
        # each box is named itself: "Starts at: date", "Starts at: time".
        context = super().get_context(name, value, attrs)
        field = name.rsplit("-", 1)[-1].replace("_", " ").capitalize()
        for subwidget, part in zip(context["widget"]["subwidgets"], ("date", "time"), strict=True):
            subwidget["attrs"].setdefault("aria-label", f"{field}: {part}")
        return context


# The admin's widget for each kind of model field (django.contrib.admin.options'
# FORMFIELD_FOR_DBFIELD_DEFAULTS), for every ModelAdmin and inline.
ADMIN_OVERRIDES = {
    models.DateField: {"widget": DateInput},
    models.TimeField: {"widget": TimeInput},
    models.DateTimeField: {"form_class": forms.SplitDateTimeField, "widget": SplitDateTimeWidget},
}
