"""Sections that apps above registration add to a delegate's manage page (the feedback
app: the certificate of attendance). Each is a function
`(delegate, token, event_over) -> HTML` ("" for nothing), added from its app's ready().
A section must not query the database before the event is over: the manage page's
queries are counted (tests/registration/test_manage_page_cache.py)."""

from collections.abc import Callable

from django.utils.safestring import SafeString

from symposium.models import Delegate

Section = Callable[[Delegate, str, bool], str]
SECTIONS: list[Section] = []


def add(section: Section) -> None:
    if section not in SECTIONS:
        SECTIONS.append(section)


def render(delegate: Delegate, token: str, *, event_over: bool) -> list[SafeString]:
    return [html for section in SECTIONS if (html := section(delegate, token, event_over))]
