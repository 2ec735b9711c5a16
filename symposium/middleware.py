"""A database that has gone away gives the "try again shortly" page, not a crash."""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 60


class DatabaseUnavailableMiddleware:
    """Turn a lost or refused database connection in a view into HTTP 503.

    The page is rendered without the request (no context processors), so it needs
    neither the session nor the database. Whatever the view was writing was in a
    transaction the database has rolled back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
