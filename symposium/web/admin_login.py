"""The admin's sign-in: a per-address throttle over all usernames, and a username
length that is checked before anything stores it.

django-axes locks out one username at one address; the "login" rate limit
(settings.RATE_LIMITS) stops one address trying many usernames.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.validators import MaxLengthValidator
from django_ratelimit import UNSAFE

from symposium.web.ratelimits import rate_limited


class AdminLoginForm(AdminAuthenticationForm):
    """AuthenticationForm sets the username's max_length after the field is built, so
    nothing enforces it: an over-long username reached authenticate(), and django-axes
    then failed to store it (a 500). Here it is a field error on the login page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


@rate_limited("login", method=UNSAFE)
def login(request, extra_context=None):
    return admin.site.login(request, extra_context)
