"""Post the admin's own forms as a browser would: read what the change page renders
(the form and every inline formset), change some values, post it back."""

import datetime as dt

from django.forms import MultiWidget
from django.utils import timezone


def _value(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if hasattr(value, "pk"):
        return value.pk
    return value


def form_values(form) -> dict:
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if value is True:
            data[field.html_name] = "on"
        elif isinstance(field.field.widget, MultiWidget):
            parts = value if isinstance(value, list) else field.field.widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{field.html_name}_{index}"] = "" if part is None else _value(part)
        elif isinstance(value, list | tuple):
            data[field.html_name] = [_value(item) for item in value]
        else:
            data[field.html_name] = _value(value)
    return data


def change_form_data(response) -> dict:
    """Everything the add or change page would post, as rendered."""
    data = form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= form_values(formset.management_form)
        for form in formset.forms:
            data |= form_values(form)
    return data


def resubmit(client, post, url, **changes):
    """GET the admin page at `url`, change fields, POST it (on-commit hooks run)."""
    data = change_form_data(client.get(url)) | changes
    return post(url, data)


def field_errors(response, name, *, inline=None, index=0) -> list[str]:
    if inline is None:
        form = response.context["adminform"].form
    else:
        formsets = {i.formset.prefix: i.formset for i in response.context["inline_admin_formsets"]}
        form = formsets[inline].forms[index]
    return [str(error) for error in form.errors.get(name, [])]
