"""Registering, and managing a registration through the emailed link.

Views only read the form, call one service and render or redirect: the rules
(windows, capacity, waitlists, emails) live in registration.services.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView, View
from django_ratelimit import UNSAFE

from breakouts.forms import ranked_form
from breakouts.models import BreakoutSession
from breakouts.selectors import sessions_with_places
from breakouts.services import delegate_choices
from registration import privacy, services
from registration.forms import ManageForm, ManageLinkRequestForm, RegistrationForm
from symposium import calendar_links, page_cache, selectors
from symposium.enums import RegistrationStatus
from symposium.ics import delegate_calendar
from symposium.models import Delegate, Event
from symposium.tokens import (
    InvalidManageToken,
    delegate_for_manage_token,
    event_is_over,
    manage_link_expires_at,
)
from symposium.web.ratelimits import rate_limited

DONE_SESSION_KEY = "registration-done-{}"
# The address was registered already and its manage link not emailed again: it had
# been sent as often as an hour allows.
LINK_HELD_SESSION_KEY = "registration-link-held-{}"


def event_sessions(event):
    """The event's breakout sessions, grouped by round, with places taken: one query."""
    sessions = BreakoutSession.objects.filter(theme__event=event).select_related(
        "theme", "agenda_item"
    )
    return sessions_with_places(sessions).order_by(
        "agenda_item__starts_at", "agenda_item_id", "theme__number", "pk"
    )


class RankedFormMixin:
    """Ranked preferences instead of first come, first served, for events that say so."""

    def get_form_class(self):
        form_class = super().get_form_class()
        return ranked_form(form_class) if self.event.breakouts_ranked else form_class


class PublishedEventMixin:
    """Finds the published event named in the URL (404 otherwise) for the page and the
    navigation in base.html. `refusal()` may answer instead of the view."""

    nav = "register"

    def dispatch(self, request, *args, **kwargs):
        self.event = get_object_or_404(Event.objects.published(), slug=kwargs["event_slug"])
        return self.refusal() or super().dispatch(request, *args, **kwargs)

    def refusal(self):
        return None

    def render_page(self, template, status=200, **context):
        return TemplateResponse(
            self.request, template, {"event": self.event, "nav": self.nav, **context}, status=status
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(event=self.event, nav=self.nav, **kwargs)


# Where the visitor's own CSRF token goes in the register page kept in the cache.
CSRF_SLOT = "csrf-token-of-this-visitor"


@dataclass(frozen=True)
class BlankRegisterPage:
    """The register page before anyone types: the same for every visitor but for their
    CSRF token, so kept in the page cache with a slot for it."""

    html: str

    def response(self, request) -> HttpResponse:
        return HttpResponse(self.html.replace(CSRF_SLOT, get_token(request)))


@method_decorator(rate_limited("register", method=UNSAFE), name="dispatch")
class RegisterView(RankedFormMixin, PublishedEventMixin, FormView):
    template_name = "symposium/register.html"
    form_class = RegistrationForm

    def dispatch(self, request, *args, **kwargs):
        # Most visitors only look: a hit is one round trip to the cache and no query.
        # A visitor with a message waiting (base.html shows it) gets their own page.
        self.cache_key = f"register-page:{kwargs['event_slug']}"
        self.cacheable = request.method == "GET" and not get_messages(request)
        if self.cacheable:
            blank, self.versions = page_cache.lookup(self.cache_key)
            if blank is not None:
                return blank.response(request)
        return super().dispatch(request, *args, **kwargs)

    def refusal(self):
        window = services.registration_window(event=self.event)
        return None if window == services.Window.OPEN else self.closed_page(window)

    def closed_page(self, window):
        return self.render_page("symposium/register_closed.html", window=window.value)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "event": self.event,
            "sessions": list(event_sessions(self.event)),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_full=services.event_is_full(event=self.event), **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.cacheable:
            return super().get(request, *args, **kwargs)
        response = self.render_to_response(self.get_context_data(csrf_token=CSRF_SLOT))
        blank = BlankRegisterPage(response.rendered_content)
        page_cache.store(
            self.cache_key,
            blank,
            versions=self.versions,
            shows_places=True,
            until=services.window_changes_at(event=self.event),
        )
        return blank.response(request)

    def form_valid(self, form):
        # The session is read now, not after the registration commits: from then on
        # the person must be told it succeeded, whatever the database does.
        done_key = DONE_SESSION_KEY.format(self.event.pk)
        self.request.session.get(done_key)
        try:
            registration = services.register_delegate(event=self.event, **form.service_kwargs())
        except services.RegistrationClosed as closed:
            return self.closed_page(closed.window)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        # Only this browser sees what it registered; someone typing a registered
        # address learns nothing more than "check your email".
        self.request.session[done_key] = registration.delegate.pk if registration.created else None
        self.request.session[LINK_HELD_SESSION_KEY.format(self.event.pk)] = not (
            registration.created or registration.link_emailed
        )
        return redirect("registration:register-done", event_slug=self.event.slug)


# Names what this browser registered: no shared cache or back button may keep it.
@method_decorator(never_cache, name="dispatch")
class RegisterDoneView(PublishedEventMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        key = DONE_SESSION_KEY.format(self.event.pk)
        if key not in request.session:
            return redirect("registration:register", event_slug=self.event.slug)
        self.delegate = None
        if request.session[key]:
            self.delegate = Delegate.objects.filter(
                pk=request.session[key], event=self.event
            ).first()
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if self.delegate is None:
            return ["symposium/register_check_email.html"]
        return ["symposium/register_done.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(delegate=self.delegate, **kwargs)
        if self.delegate is None:
            context["link_held"] = self.request.session.get(
                LINK_HELD_SESSION_KEY.format(self.event.pk), False
            )
            context["links_per_hour"] = settings.MANAGE_LINK_EMAILS_PER_HOUR
        if self.delegate:
            hours = selectors.event_hours(event=self.event)
            context |= {
                "choices": delegate_choices(delegate=self.delegate),
                "hours": hours,
                "map_url": calendar_links.map_url(self.event),
                "calendar_links": calendar_links.calendar_links(event=self.event, **hours),
            }
        return context


# Every manage page: the token is the only secret, so guessing is slowed per address,
# and no cache keeps a page (or a file) that holds a delegate's details.
@method_decorator(never_cache, name="dispatch")
@method_decorator(rate_limited("manage"), name="dispatch")
class ManageTokenMixin(PublishedEventMixin):
    """Opens the one registration the token in the URL grants; anything else gets the
    same plain 404 page, which says nothing about why."""

    nav = None
    # Pages for the delegate's own data stay open after the event (until the purge).
    after_the_event = False

    def refusal(self):
        self.event_over = event_is_over(self.event)
        try:
            self.delegate = delegate_for_manage_token(
                event=self.event,
                token=self.kwargs["token"],
                after_the_event=self.after_the_event,
            )
        except InvalidManageToken:
            self.delegate = None
        if self.delegate is None or not self.allows(self.delegate):
            return self.render_page("symposium/manage_link_invalid.html", status=404)
        return None

    def allows(self, delegate):
        return True

    def manage_url(self):
        return reverse(
            "registration:manage",
            kwargs={"event_slug": self.event.slug, "token": self.kwargs["token"]},
        )

    def get_context_data(self, **kwargs):
        kwargs |= {
            "token": self.kwargs["token"],
            "delegate": self.delegate,
            "event_over": self.event_over,
        }
        expires_at = timezone.localtime(manage_link_expires_at(self.event))
        return super().get_context_data(
            link_last_day=(expires_at - dt.timedelta(microseconds=1)).date(), **kwargs
        )


class ManageView(RankedFormMixin, ManageTokenMixin, FormView):
    """The registration, to change or cancel; once the event is over, a page that says
    so and offers the delegate's data, a copy or its deletion."""

    template_name = "symposium/manage.html"
    form_class = ManageForm
    after_the_event = True

    def get(self, request, *args, **kwargs):
        if self.event_over:
            return self.render_page(
                "symposium/manage_over.html", delegate=self.delegate, token=self.kwargs["token"]
            )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.event_over or self.delegate.status == RegistrationStatus.CANCELLED:
            return redirect(self.manage_url())
        return super().post(request, *args, **kwargs)

    @cached_property
    def choices(self):
        return delegate_choices(delegate=self.delegate)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "event": self.event,
            "delegate": self.delegate,
            "sessions": list(event_sessions(self.event)),
            "choices": self.choices,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(choices=self.choices, **kwargs)

    def form_valid(self, form):
        if form.asks_before_saving:
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.update_registration(delegate=self.delegate, **form.service_kwargs())
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your changes are saved. We have emailed you a summary.")
        return redirect(self.manage_url())


class CancelView(ManageTokenMixin, TemplateView):
    template_name = "symposium/manage_cancel.html"

    def allows(self, delegate):
        return delegate.status != RegistrationStatus.CANCELLED

    def post(self, request, *args, **kwargs):
        services.cancel_registration(delegate=self.delegate)
        messages.success(request, "Your registration is cancelled. We have emailed you to confirm.")
        return redirect(self.manage_url())


class DelegateCalendarView(ManageTokenMixin, View):
    def allows(self, delegate):
        return delegate.status != RegistrationStatus.CANCELLED

    def get(self, request, *args, **kwargs):
        agenda = self.event.agenda_items.select_related("room").order_by("starts_at", "pk")
        calendar = delegate_calendar(
            self.delegate, agenda, delegate_choices(delegate=self.delegate)
        )
        response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.event.slug}.ics"'
        return response


@method_decorator(rate_limited("resend-link", method=UNSAFE), name="dispatch")
class ResendLinkView(PublishedEventMixin, FormView):
    template_name = "symposium/manage_link_request.html"
    form_class = ManageLinkRequestForm
    nav = None

    def form_valid(self, form):
        services.send_manage_link(event=self.event, email=form.cleaned_data["email"])
        return redirect("registration:resend-link-sent", event_slug=self.event.slug)


class ResendLinkSentView(PublishedEventMixin, TemplateView):
    template_name = "symposium/manage_link_sent.html"
    nav = None

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            links_per_hour=settings.MANAGE_LINK_EMAILS_PER_HOUR, **kwargs
        )


# Your data (UK GDPR): a copy to download, and erasure ---------------------------------


class DelegateDataView(ManageTokenMixin, View):
    """The delegate's own data as a JSON file (right of access and portability)."""

    after_the_event = True

    def get(self, request, *args, **kwargs):
        data = privacy.delegate_data(delegate=self.delegate)
        response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = (
            f'attachment; filename="{self.event.slug}-my-registration.json"'
        )
        return response


class DeleteRegistrationView(ManageTokenMixin, TemplateView):
    """Asks first (GET); the POST erases the registration and every link to it."""

    template_name = "symposium/manage_delete.html"
    after_the_event = True

    def post(self, request, *args, **kwargs):
        privacy.erase_registration(delegate=self.delegate)
        messages.success(
            request, "Your registration and the information you gave us have been deleted."
        )
        return redirect(self.event)
