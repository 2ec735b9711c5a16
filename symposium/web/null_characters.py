"""A NUL character in a query string (or in an admin form) is a 400, not a 500.

PostgreSQL refuses NUL in any text value, so `?organisation=%00` on an admin changelist,
a NUL search term or a NUL in an admin action's selection made the query raise. No page
of ours puts a NUL in a link and browsers do not let anyone type one: whoever sends one
gets "we could not read that request". Public forms and the admin's sign-in are left to
their own validation, which answers with a message next to the field.
"""

from django.shortcuts import render
from django.urls import reverse

from symposium.web.public_posts import is_admin


class NullCharacterMiddleware:
    """Before CsrfViewMiddleware, so that nothing has queried the database yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if _has_nul(request.GET) or (_admin_form(request) and _has_nul(request.POST)):
            return render(request, "400.html", status=400)
        return None


def _admin_form(request) -> bool:
    # The sign-in form answers a NUL in the username with its own error message.
    return is_admin(request) and request.path_info != reverse("admin:login")


def _has_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )
