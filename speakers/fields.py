"""The speaker photo field: its content is checked by the model field's validators."""

from django import forms
from django.db import models

PHOTO_CONTENT_TYPES = "image/jpeg,image/png,image/webp"


class PhotoFormField(forms.ImageField):
    """An image upload that leaves every content check to the model field's validators.

    Django's own ImageField would first open the file with any Pillow format and answer
    every problem (a bomb, a PDF, an SVG) with one generic message.
    """

    default_validators = []

    def to_python(self, data):
        return forms.FileField.to_python(self, data)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if "accept" in attrs:
            attrs["accept"] = PHOTO_CONTENT_TYPES
        return attrs


class PhotoField(models.ImageField):
    """An ImageField checked by its content (validators=...), not by its file extension."""

    default_validators = []

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoFormField, **kwargs})
