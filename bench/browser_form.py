"""Submit a page's form as a browser does: every control the page holds, with its own
name and value (two inputs with one name are both sent, as a browser sends them), the
visitor's answers filled into the fields a person types into."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

TEXT_TYPES = {"text", "email", "tel", "search", "url", "number", ""}


@dataclass
class Control:
    tag: str
    name: str
    type: str = ""
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    """The controls of the page's POST form (the first one with method="post")."""

    def __init__(self):
        super().__init__()
        self.controls: list[Control] = []
        self._in_form = self._done = False
        self._select: Control | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form" and attrs.get("method", "").lower() == "post" and not self._done:
            self._in_form = True
        if not self._in_form or not attrs.get("name"):
            return
        if tag == "input":
            self.controls.append(
                Control(
                    "input",
                    attrs["name"],
                    attrs.get("type", "text").lower(),
                    attrs.get("value", ""),
                    "checked" in attrs,
                )
            )
        elif tag == "textarea":
            self.controls.append(Control("textarea", attrs["name"]))
        elif tag == "select":
            self._select = Control("select", attrs["name"])
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True
        if tag == "select":
            self._select = None


def form_controls(html: str) -> list[Control]:
    parser = _FormParser()
    parser.feed(html)
    return parser.controls


def browser_post_data(html: str | list[Control], answers: dict[str, str]) -> dict[str, list[str]]:
    """What a browser posts for this form (its page, or its controls already read with
    `form_controls`) once the visitor has answered it.

    `answers` fills text fields, textareas and selects by name and ticks the checkboxes
    it names; a radio group gets the answer (an empty one too: the "none" option), or
    else its first option with a value; every hidden input (CSRF tokens included) and
    checked box goes as served."""
    data: dict[str, list[str]] = {}

    def send(name, value):
        data.setdefault(name, []).append(value)

    radios_done = set()
    controls = form_controls(html) if isinstance(html, str) else html
    for control in controls:
        kind, name = control.type, control.name
        if control.tag in {"textarea", "select"} or kind in TEXT_TYPES:
            default = next((option for option in control.options if option), "")
            send(name, answers.get(name, default if control.tag == "select" else ""))
        elif kind == "hidden":
            send(name, control.value)
        elif kind == "checkbox" and (name in answers or control.checked):
            send(name, control.value or "on")
        elif kind == "radio" and name not in radios_done:
            # An empty value ("No breakout") only when the visitor leaves it chosen.
            if answers.get(name, control.value) == control.value and (
                control.value or name in answers
            ):
                send(name, control.value)
                radios_done.add(name)
        elif kind == "submit":
            send(name, control.value)
    return data
