"""Public forms take a few short answers: a larger body, or any file, is refused before
anything reads it.

The registration, manage and resend-link forms are a few kilobytes at most. Without a
limit Django would parse up to DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) of fields, and any
number of uploaded files into temporary files, for every anonymous POST: the CSRF check
and the rate limits read the body before any view could refuse it. The admin keeps
Django's limits (organisers upload speaker photos there).
"""

from django.shortcuts import render
from django.urls import reverse

# Far above the largest honest public form (access needs allow 2,000 characters).
MAX_PUBLIC_BODY_BYTES = 64 * 1024


def is_admin(request) -> bool:
    return request.path_info.startswith(reverse("admin:index"))


def content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads no body then either


class PublicPostLimitMiddleware:
    """Before CsrfViewMiddleware: 413 for a public request body over the limit, 400 for
    a public request that carries a file. Both are plain pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_admin(request):
            return None
        if content_length(request) > MAX_PUBLIC_BODY_BYTES:
            return render(request, "413.html", status=413)
        if request.method == "POST" and request.FILES:
            return render(request, "400.html", status=400)
        return None
