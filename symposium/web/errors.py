"""The page a form gets when it arrives without a valid CSRF token (CSRF_FAILURE_VIEW):
the form had been open too long, or the browser does not send this site's cookies."""

from urllib.parse import urlsplit

from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from symposium.models import Event

# Pages whose form posts back to their own address: a GET there shows the form again.
FORM_PAGES = {
    "registration:register",
    "registration:manage",
    "registration:cancel",
    "registration:delete",
    "registration:resend-link",
}


def _match(path):
    try:
        return resolve(path)
    except Resolver404:
        return None


def _pages_behind(request):
    """The pages the form may have come from, with their URL match: the address it was
    sent to (forms here post back to their own page), then the referer if it is ours."""
    pages = [(request.path, _match(request.path_info))]
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        path = urlsplit(referer).path
        pages.append((path, _match(path)))
    return [(path, match) for path, match in pages if match]


def _way_back(request):
    """(the link back, the event it belongs to or None): the form itself when the
    person came from one, else the register page of the event they were on, else home."""
    pages = _pages_behind(request)
    for path, match in pages:
        if match.view_name in FORM_PAGES or match.namespace == "admin":
            return path, _event(match)
    for _, match in pages:
        if event := _event(match):
            return reverse("registration:register", kwargs={"event_slug": event.slug}), event
    return "/", None


def _event(match):
    slug = match.kwargs.get("event_slug") or match.kwargs.get("slug")
    return Event.objects.published().filter(slug=slug).first() if slug else None


def csrf_failure(request, reason=""):
    back, event = _way_back(request)
    return render(
        request,
        "csrf_failure.html",
        {
            "event": event,
            "back": back,
            "back_is_form": back != "/",
            "no_cookie": reason == REASON_NO_CSRF_COOKIE,
        },
        status=403,
    )
