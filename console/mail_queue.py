"""django-mailer's queue and send log in the admin, with each email's text shown as text.

django-mailer's own admin shows `email.body` as it is stored. Ours are rendered with
render_to_string, whose result is marked safe and stays so when pickled into the
queue: the admin would print it as HTML, and a delegate's name written as a link
would be a live link on the organiser's page. The same pages, the body escaped.

The queue holds every event's emails: only whoever sees every event sees it
(console.scoping.AllEventsOnlyAdmin).
"""

from django.contrib import admin
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from mailer import admin as mailer_admin
from mailer.models import DontSendEntry, Message, MessageLog

from console.scoping import AllEventsOnlyAdmin


class PlainTextBody:
    @admin.display(description="plain text body")
    def plain_text_body(self, instance):
        body = getattr(instance.email, "body", None)
        if body is None:
            return "<Can't decode>"
        # escape() escapes even a string marked safe; then the lines are kept.
        return linebreaksbr(escape(body))


class MessageAdmin(AllEventsOnlyAdmin, PlainTextBody, mailer_admin.MessageAdmin):
    pass


class MessageLogAdmin(AllEventsOnlyAdmin, PlainTextBody, mailer_admin.MessageLogAdmin):
    pass


class DontSendEntryAdmin(AllEventsOnlyAdmin, mailer_admin.DontSendEntryAdmin):
    pass


for model, model_admin in (
    (Message, MessageAdmin),
    (MessageLog, MessageLogAdmin),
    (DontSendEntry, DontSendEntryAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
