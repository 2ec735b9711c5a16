"""Text that ends up on one line: a name tag, a sign-in sheet, an email header or a
calendar entry, where a line break or a control character would break the line or,
worse, add a line of its own."""

from django.core.validators import RegexValidator

# C0 and C1 controls (line breaks, tabs, NUL, escape…) and Unicode's own line breaks.
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"
# In several-line text (access needs) line breaks and tabs are what people type.
CONTROL_CHARACTERS_BUT_LINE_BREAKS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def one_line(what: str = "This") -> RegexValidator:
    return RegexValidator(
        CONTROL_CHARACTERS,
        inverse_match=True,
        message=f"{what} must be on one line, without line breaks or special characters",
        code="control_characters",
    )


def plain_text(what: str = "This") -> RegexValidator:
    return RegexValidator(
        CONTROL_CHARACTERS_BUT_LINE_BREAKS,
        inverse_match=True,
        message=f"{what} must not contain special characters",
        code="control_characters",
    )
