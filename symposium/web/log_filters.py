"""Manage-link tokens kept out of the application's logs.

A manage link (symposium.tokens) is the only key to a delegate's registration, and it
sits in the URL: /events/<slug>/manage/<token>/. Django logs URLs in every 4xx and 5xx
record (django.request), in CSRF failures (django.security.csrf, with the Referer) and
in runserver's request lines (django.server). settings.LOGGING puts this filter on
every handler, so whatever a record holds, the token is replaced before it is written.
"""

import logging
import re

# Everything after /manage/ up to the next slash, quote, space or query: the token, or
# an attacker's guess at one (worth no more in the logs). Likewise a partner lead's
# link (/events/<slug>/partners/<token>/, partners.tokens), which opens their people.
# And a feedback survey's link (/events/<slug>/feedback/<token>/, feedback.tokens).
MANAGE_TOKEN = re.compile(r"(/manage/|/events/[^/\s?#\"'<>]+/(?:partners|feedback)/)[^/\s?#\"'<>]+")
REDACTED = r"\1[redacted]"
_formatter = logging.Formatter()


def redact(text: str) -> str:
    return MANAGE_TOKEN.sub(REDACTED, text)


class RedactManageTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if MANAGE_TOKEN.search(message):
            record.msg, record.args = redact(message), ()
        self._redact_exception(record)
        self._drop_request(record)
        return True

    def _redact_exception(self, record):
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text and MANAGE_TOKEN.search(record.exc_text):
            record.exc_text = redact(record.exc_text)
            # Handlers that format the exception themselves (AdminEmailHandler) would
            # write the raw message again; the redacted text above is what remains.
            record.exc_info = None

    def _drop_request(self, record):
        """A request whose URL or Referer holds a token is not passed on to handlers
        that report the request (AdminEmailHandler writes its path and headers)."""
        request = getattr(record, "request", None)
        if request is None:
            return
        meta = getattr(request, "META", {})
        seen = " ".join((meta.get("PATH_INFO", ""), meta.get("HTTP_REFERER", "")))
        if MANAGE_TOKEN.search(seen):
            record.request = None


def _redact_all(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redact_all(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_redact_all(item) for item in value)
    return value


def redact_sentry_event(event, hint):
    """Sentry's before_send (settings.SENTRY_DSN): the same redaction over everything the
    report holds: the request's URL and headers, the message, the breadcrumbs and the
    stack's local variables."""
    return _redact_all(event)
