"""Text from the database made safe for places where a line break or a control
character means something: calendar properties and email headers. Names, event names
and titles can hold them (old rows, the admin, imports) whatever the forms refuse."""

import re

# Unicode's control characters (Cc), and its line and paragraph separators, which
# some readers take as line breaks.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")
_CONTROLS_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]+")


def one_line(text: str) -> str:
    """The text on one line: each run of control characters becomes a space."""
    return _CONTROLS.sub(" ", text).strip()


def lines(text: str) -> str:
    """The text with its line breaks as "\\n" and no other control character."""
    return _CONTROLS_BUT_NEWLINE.sub(" ", _LINE_BREAKS.sub("\n", text))
