from django import template

from symposium import mail_identity

register = template.Library()


@register.simple_tag
def privacy_notice_url(event):
    """The event's privacy notice, as an absolute address for an email's footer."""
    return mail_identity.privacy_url(event)
