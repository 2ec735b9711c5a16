"""Links that apps above `registration` add to its pages, filled in from their
`AppConfig.ready()` (as symposium.outbox.build_with is): registration never imports
them. Each hook is a function that returns a list of `Link`s, and may run a query."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    url: str
    text: str


# (event) -> links for the event's home page (outcomes: its published outcomes).
EventLinks = Callable[..., list[Link]]
_event_links: list[EventLinks] = []
# (lead, event, token) -> links for a partner lead's page (outcomes: their actions).
_lead_links: list[Callable[..., list[Link]]] = []


def add_event_links(hook: EventLinks) -> None:
    if hook not in _event_links:
        _event_links.append(hook)


def add_lead_links(hook: Callable[..., list[Link]]) -> None:
    if hook not in _lead_links:
        _lead_links.append(hook)


def event_links(*, event) -> list[Link]:
    return [link for hook in _event_links for link in hook(event=event)]


def lead_links(*, lead, event, token: str) -> list[Link]:
    return [link for hook in _lead_links for link in hook(lead=lead, event=event, token=token)]
