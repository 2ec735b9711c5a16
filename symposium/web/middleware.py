"""A database that has gone away gives the "try again shortly" page, not a crash."""

from django.contrib.sessions import middleware as sessions
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import InterfaceError, OperationalError, connection
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
        if request.method in {"GET", "HEAD"} and not connection.in_atomic_block:
            retried = self.read_again(request)
            if retried is not None:
                return retried
        # Only a form sent (not a page read) can have lost what it was saving.
        sending = request.method not in {"GET", "HEAD", "OPTIONS"}
        response = HttpResponse(render_to_string("503.html", {"sending": sending}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @staticmethod
    def read_again(request):
        """A page that only reads, asked once more on a new connection: the database
        may have ended this one (a restart, a fail-over) and be there again. The page
        after a registration must not say "nothing was saved" for a blip. None when the
        database is still away, or this is the second time."""
        if getattr(request, "database_read_again", False):
            return None
        request.database_read_again = True
        connection.close()
        match = request.resolver_match
        try:
            response = match.func(request, *match.args, **match.kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
        except (OperationalError, InterfaceError):
            return None
        return response


def _lost_connection(error: BaseException | None) -> bool:
    """Whether the database failed underneath `error` (Django reports a session whose
    update failed for any reason as SessionInterrupted)."""
    while error is not None:
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
    return False


class SessionMiddleware(sessions.SessionMiddleware):
    """Django's, but a session save that meets a connection the database has ended is
    tried once more on a new connection. The session is saved after the view: by then
    its change (a registration) has committed, and the person must get the page that
    says so, not an error for a change that was made."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except (OperationalError, InterfaceError, SessionInterrupted) as error:
            if connection.in_atomic_block or not _lost_connection(error):
                raise
            connection.close()
            # Whether its row was written is unknown: the session's data goes into a
            # new one (a new key, as when someone signs in), and the old key is
            # deleted, or a sign-out of the new one would leave the old one signed in.
            request.session.cycle_key()
            return super().process_response(request, response)
