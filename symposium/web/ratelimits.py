"""Rate limits on the password-less pages: registering, re-sending the manage link and
the manage link itself.

Counting is django-ratelimit's (fixed windows in the shared cache: Redis in production,
so every app server sees the same counters); this module only says which keys count
and answers a limited request with a plain "try again in N minutes" page.
"""

import math
from functools import wraps

from django.conf import settings
from django.template.response import TemplateResponse
from django_ratelimit import ALL
from django_ratelimit.core import get_usage


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the entry
    they appended to X-Forwarded-For (earlier entries are the client's to forge).

    django-axes asks too (AXES_CLIENT_IP_CALLABLE), also for requests that have no
    address, such as the test client's login(): None for those, as axes expects."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def _email(group, request):
    return request.POST.get("email", "").strip().lower()


KEYS = {"ip": "ip", "email": _email}


def seconds_to_wait(request, *, group: str, method=ALL) -> int:
    """Count this request against each of the group's limits (settings.RATE_LIMITS);
    0 if it may go ahead, otherwise the seconds until the longest limit resets."""
    wait = 0
    for key_name, rate in settings.RATE_LIMITS[group].items():
        if key_name == "email" and not _email(group, request):
            continue
        usage = get_usage(
            request, group=group, key=KEYS[key_name], rate=rate, method=method, increment=True
        )
        if usage and usage["should_limit"]:
            wait = max(wait, usage["time_left"], 1)
    return wait


def too_many_requests(request, seconds: int) -> TemplateResponse:
    minutes = max(1, math.ceil(seconds / 60))
    response = TemplateResponse(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def rate_limited(group: str, method=ALL):
    """View decorator: refuse the request with a 429 page once a limit is reached."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            seconds = seconds_to_wait(request, group=group, method=method)
            if seconds:
                return too_many_requests(request, seconds)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
