"""The placeholders an organiser may write in a mailing, checked and filled in.

`{first_name}` and the others are replaced per delegate; `{{` and `}}` write a brace.
Anything else in braces is refused when the mailing is saved, so a typo never reaches
five thousand inboxes as "{frist_name}".
"""

from dataclasses import dataclass
from string import Formatter

from django.core.exceptions import ValidationError
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

MANAGE_LINK_TEXT = "View, change or cancel your registration"
MANAGE_LINK_AFTER_TEXT = "Your information: download it or delete it"

PLACEHOLDERS = {
    "first_name": "the delegate's first name",
    "last_name": "the delegate's last name",
    "event": "the event's name",
    "date": "the event's date",
    "start_time": "when the event's first agenda item starts, e.g. 09:30",
    "venue": "the venue and its address",
    "manage_link": "the delegate's personal link to their registration",
    "breakouts": "the delegate's breakouts, one per line",
    "check_in_code": "the code the check-in desk reads (confirmed places only)",
}


def help_text() -> str:
    return "Placeholders: " + ", ".join(
        f"{{{name}}} ({what})" for name, what in PLACEHOLDERS.items()
    )


def _pieces(text: str):
    try:
        return list(Formatter().parse(text))
    except ValueError as error:
        raise ValidationError(
            "A single { or } is not allowed: write {{ or }} for a brace, or use a placeholder."
        ) from error


def check(text: str) -> None:
    """Raise ValidationError naming every placeholder that is not one of PLACEHOLDERS."""
    errors = []
    for _literal, name, spec, conversion in _pieces(text):
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            written = "{" + name + ("!" + conversion if conversion else "")
            written += (":" + spec if spec else "") + "}"
            errors.append(
                f"Unknown placeholder {written}. Use one of: "
                + ", ".join(f"{{{known}}}" for known in PLACEHOLDERS)
                + "."
            )
    if errors:
        raise ValidationError(errors)


@dataclass(frozen=True)
class Values:
    """One delegate's values for the placeholders."""

    first_name: str
    last_name: str
    event: str
    date: str
    venue: str
    manage_link: str
    breakouts: list[str]
    check_in_code: str
    start_time: str = ""
    # What the link says in the HTML part (the address itself is in the plain text).
    manage_link_text: str = MANAGE_LINK_TEXT

    def text(self, name: str) -> str:
        if name == "breakouts":
            return "\n".join(f"- {line}" for line in self.breakouts) or "- none chosen"
        return getattr(self, name)

    def html(self, name: str) -> SafeString:
        if name == "manage_link":
            # Short words, not the address: a long token would not wrap in a narrow
            # mail program and would push the message wider than its window.
            return format_html('<a href="{}">{}</a>', self.manage_link, self.manage_link_text)
        if name == "breakouts":
            lines = self.breakouts or ["none chosen"]
            return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))
        return escape(getattr(self, name))


def fill_text(text: str, values: Values) -> str:
    return "".join(
        literal + (values.text(name) if name is not None else "")
        for literal, name, _spec, _conversion in _pieces(text)
    )


def _paragraph_html(paragraph: str, values: Values) -> SafeString:
    parts = []
    for literal, name, _spec, _conversion in _pieces(paragraph):
        parts.append(escape(literal).replace("\n", "<br>"))
        if name is not None:
            parts.append(values.html(name))
    return mark_safe("<p>" + "".join(parts) + "</p>")  # noqa: S308 - every part is escaped


def fill_html(text: str, values: Values) -> SafeString:
    """The body as HTML paragraphs (a blank line between them), every value escaped."""
    paragraphs = [part.strip("\n") for part in text.replace("\r\n", "\n").split("\n\n")]
    return mark_safe(  # noqa: S308 - each paragraph is escaped
        "\n".join(_paragraph_html(part, values) for part in paragraphs if part.strip())
    )
