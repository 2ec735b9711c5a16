"""Registering, and managing a registration through the emailed link.

Views only read the form, call one service and render or redirect: the rules
(windows, capacity, waitlists, emails) live in registration.services.
"""

import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
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
from breakouts.selectors import availability_label, sessions_with_places
from breakouts.services import delegate_choices
from questions import services as question_services
from registration import manage_sections, privacy, services
from registration.forms import (
    ManageForm,
    ManageLinkRequestForm,
    RegistrationForm,
    blank_form_html,
    filled_form_html,
    places_slot,
)
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

# What this browser registered, for the page after: a signed cookie, not the session,
# so the register POST writes no session row (four queries), and nothing the database
# does after the registration commits can answer a saved registration with an error.
# {"d": the delegate's pk, or None when the address was registered already; "held":
# True when its manage link was not emailed again, sent as often as an hour allows}.
DONE_COOKIE = "registered-{}"
DONE_SALT = "registration-done"
DONE_MAX_AGE = 24 * 60 * 60


def remember_registration(response, *, event_pk: int, delegate_pk: int | None, held: bool):
    response.set_signed_cookie(
        DONE_COOKIE.format(event_pk),
        json.dumps({"d": delegate_pk, "held": held}),
        salt=DONE_SALT,
        max_age=DONE_MAX_AGE,
        path="/events/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def remembered_registration(request, *, event_pk: int) -> dict | None:
    value = request.get_signed_cookie(
        DONE_COOKIE.format(event_pk), default=None, salt=DONE_SALT, max_age=DONE_MAX_AGE
    )
    try:
        return json.loads(value) if value else None
    except ValueError:
        return None


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
        self.event = self.find_event(kwargs["event_slug"])
        return self.refusal() or super().dispatch(request, *args, **kwargs)

    def find_event(self, slug):
        return get_object_or_404(Event.objects.published(), slug=slug)

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


# Where the "event is full" notice goes in the cached page, if it is full.
FULL_NOTICE_SLOT = "event-full-notice-here"


@dataclass(frozen=True)
class BlankRegisterPage:
    """The register page before anyone types: the same for every visitor but for their
    CSRF token and what it says about places, so kept in the page cache with slots for
    them. The page is kept under the content version only: a registration does not
    make it out of date. What it says about places (`PlacesOnPage`) is kept beside it
    under the places version too, and spliced in when it is served."""

    html: str

    def response(self, request, places: "PlacesOnPage") -> HttpResponse | None:
        """The page for this visitor; None if `places` lacks a slot the page has (a
        session added since: render the page afresh)."""
        html = self.html
        for slot, text in places.texts.items():
            html = html.replace(slot, text)
        if "-here" in html and (FULL_NOTICE_SLOT in html or "places-of-session-" in html):
            return None
        return HttpResponse(html.replace(CSRF_SLOT, get_token(request)))


@dataclass(frozen=True)
class PlacesOnPage:
    """What the register page tells about places, by slot: the event-full notice (or
    nothing) and each session's label ("Places available", "Few places left", "Full
    — join the waitlist"). Two queries to make, kept until a registration or place
    changes (the places version); the page itself is not rendered again."""

    texts: dict[str, str]

    @classmethod
    def of(cls, event, *, sessions=None, is_full=None) -> "PlacesOnPage":
        """Counted now, or from `sessions` (with their places) and `is_full` just read."""
        if sessions is None:
            sessions = event_sessions(event)
        if is_full is None:
            is_full = services.event_is_full(event=event)
        texts = {
            places_slot(session.pk): availability_label(session.capacity, session.places_taken)
            for session in sessions
        }
        texts[FULL_NOTICE_SLOT] = (
            render_to_string("symposium/_event_full.html", {"event": event}) if is_full else ""
        )
        return cls(texts)


@method_decorator(rate_limited("register", method=UNSAFE), name="dispatch")
class RegisterView(RankedFormMixin, PublishedEventMixin, FormView):
    template_name = "symposium/register.html"
    form_class = RegistrationForm

    def dispatch(self, request, *args, **kwargs):
        from registration import invitations

        if invitations.carried(request):  # Someone's own invitation: never the cache.
            return invitations.InvitedRegisterView.as_view()(request, *args, **kwargs)
        # Most visitors only look: a hit is one round trip to the cache and no query.
        # A visitor with a message waiting (base.html shows it) gets their own page.
        self.cache_key = f"register-page:{kwargs['event_slug']}"
        self.places_key = f"register-places:{kwargs['event_slug']}"
        self.cacheable = request.method == "GET" and not get_messages(request)
        if self.cacheable:
            (blank, places), self.versions = page_cache.lookup_many(
                [self.cache_key, self.places_key]
            )
            if blank is not None:
                if places is None:  # A place was taken: two queries, no rendering.
                    event = Event.objects.published().filter(slug=kwargs["event_slug"]).first()
                    if event is not None:
                        places = self.keep_places(event)
                if places is not None and (response := blank.response(request, places)):
                    return response
        return super().dispatch(request, *args, **kwargs)

    # The POST: the event and its sessions as the page cache keeps them (no query) ---
    # They are kept under the content version, which any organiser's save starts
    # anew; the registration itself locks the event and checks the sessions again
    # against the database. Places counted then are not trusted: only the error page
    # shows them, counted afresh (`form_invalid`).

    @cached_property
    def kept_form_data(self):
        if self.request.method != "POST":
            return None
        (kept,), versions = page_cache.lookup_many([self.form_data_key])
        if kept is None:
            event = get_object_or_404(Event.objects.published(), slug=self.kwargs["event_slug"])
            questions = question_services.event_questions(event=event, cached=False)
            kept = self.keep_form_data(event, list(event_sessions(event)), questions, versions)
        return kept

    @property
    def form_data_key(self):
        # Holds (event, sessions, questions); the release before kept (event, sessions)
        # under "register-form:", which a server of either release may still be reading.
        return f"register-form-questions:{self.kwargs['event_slug']}"

    def keep_form_data(self, event, sessions, questions, versions):
        kept = (event, sessions, questions)
        page_cache.store(
            self.form_data_key,
            kept,
            versions=versions,
            shows_places=False,
            until=services.window_changes_at(event=event),
        )
        return kept

    def find_event(self, slug):
        if self.kept_form_data:
            return self.kept_form_data[0]
        return super().find_event(slug)

    def form_invalid(self, form):
        if self.kept_form_data:  # Labels with places as they are now.
            self.kept_form_data = None
            form = self.get_form()
            form.is_valid()
        return super().form_invalid(form)

    def keep_places(self, event, **counted) -> PlacesOnPage:
        """Counting places reads every choice of the event (20-50 ms for 5,000
        delegates): during a rush, when every registration starts a new places
        version, the count is kept REGISTER_PLACES_SECONDS whatever the version, so
        what the form says about places is at most that old. (The registration counts
        under the event's lock; the page after it and the email say what the person
        got.) With 0, it is counted again after every change."""
        places = PlacesOnPage.of(event, **counted)
        seconds = settings.REGISTER_PLACES_SECONDS
        page_cache.store(
            self.places_key,
            places,
            versions=self.versions,
            shows_places=not seconds,
            until=timezone.now() + dt.timedelta(seconds=seconds) if seconds else None,
        )
        return places

    def refusal(self):
        window = services.registration_window(event=self.event)
        return None if window == services.Window.OPEN else self.closed_page(window)

    def closed_page(self, window):
        return self.render_page("symposium/register_closed.html", window=window.value)

    def get_form_kwargs(self):
        if self.kept_form_data:
            _, sessions, questions = self.kept_form_data
        else:
            sessions = event_sessions(self.event)
            questions = question_services.event_questions(event=self.event, cached=False)
        self.form_sessions, self.form_questions = list(sessions), questions
        return super().get_form_kwargs() | {
            "event": self.event,
            "sessions": self.form_sessions,
            "questions": questions,
            # The blank page kept in the cache: places are spliced in when served.
            "places_slots": self.cacheable,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_full=services.event_is_full(event=self.event), **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.cacheable:
            return super().get(request, *args, **kwargs)
        response = self.render_to_response(
            self.get_context_data(csrf_token=CSRF_SLOT, full_notice_slot=FULL_NOTICE_SLOT)
        )
        until = services.window_changes_at(event=self.event)
        blank = BlankRegisterPage(response.rendered_content)
        # What the POST that follows needs, kept beside the page (no query there).
        sessions = self.form_sessions
        self.keep_form_data(self.event, sessions, self.form_questions, self.versions)
        page_cache.store(
            self.cache_key, blank, versions=self.versions, shows_places=False, until=until
        )
        places = self.keep_places(
            self.event, sessions=sessions, is_full=response.context_data["is_full"]
        )
        return blank.response(request, places)

    def form_valid(self, form):
        try:
            registration = services.register_delegate(event=self.event, **form.service_kwargs())
        except services.RegistrationClosed as closed:
            return self.closed_page(closed.window)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        # Only this browser sees what it registered; someone typing a registered
        # address learns nothing more than "check your email".
        return remember_registration(
            redirect("registration:register-done", event_slug=self.event.slug),
            event_pk=self.event.pk,
            delegate_pk=registration.delegate.pk if registration.created else None,
            held=not (registration.created or registration.link_emailed),
        )


# Names what this browser registered: no shared cache or back button may keep it.
@method_decorator(never_cache, name="dispatch")
class RegisterDoneView(PublishedEventMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        self.done = remembered_registration(request, event_pk=self.event.pk)
        if self.done is None:
            return redirect("registration:register", event_slug=self.event.slug)
        self.delegate = None
        if self.done.get("d"):
            self.delegate = Delegate.objects.filter(pk=self.done["d"], event=self.event).first()
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if self.delegate is None:
            return ["symposium/register_check_email.html"]
        return ["symposium/register_done.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(delegate=self.delegate, **kwargs)
        if self.delegate is None:
            context["link_held"] = bool(self.done.get("held"))
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
                "symposium/manage_over.html",
                delegate=self.delegate,
                token=self.kwargs["token"],
                sections=self.sections(),
            )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.event_over or self.delegate.status == RegistrationStatus.CANCELLED:
            return redirect(self.manage_url())
        return super().post(request, *args, **kwargs)

    @cached_property
    def choices(self):
        return delegate_choices(delegate=self.delegate)

    @cached_property
    def sessions(self):
        """The event's sessions with their places. On a GET, as the page cache keeps them
        under the content and places versions: counting places reads every choice of
        the event (the manage page's longest query on a large event), and any change to
        a session, a theme or a place starts a version anew, so what the page shows is
        never older than the last commit. A POST counts afresh: the form decides from
        the places whether a move needs asking first."""
        if self.request.method != "GET":
            return list(event_sessions(self.event))
        key = f"manage-sessions:{self.event.pk}"
        sessions, versions = page_cache.lookup(key)
        if sessions is None:
            sessions = list(event_sessions(self.event))
            page_cache.store(key, sessions, versions=versions, shows_places=True)
        return sessions

    @cached_property
    def questions(self):
        """The event's questions (none: no query, from the page cache)."""
        return question_services.event_questions(event=self.event)

    @cached_property
    def answers(self):
        """The delegate's answers to them: one query, when the event has questions."""
        return question_services.stored_answers(delegate=self.delegate, questions=self.questions)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "event": self.event,
            "delegate": self.delegate,
            "sessions": self.sessions,
            "choices": self.choices,
            "questions": self.questions,
            "answers": self.answers,
        }

    def sections(self):
        return manage_sections.render(
            self.delegate, self.kwargs["token"], event_over=self.event_over
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            choices=self.choices,
            answers=[
                (question, question_services.given_text(self.answers[question.pk]))
                for question in self.questions
                if question.pk in self.answers
            ],
            sections=self.sections(),
            asks_sensitive=any(question.sensitive for question in self.questions),
            **kwargs,
        )
        form = context["form"]
        shown = self.delegate.status != RegistrationStatus.CANCELLED
        # The kept blank form cannot be filled in with answers to questions (their
        # radio buttons and boxes): with questions, crispy renders the whole form.
        fast = not self.event.breakouts_ranked and not self.questions
        if shown and not form.is_bound and fast:
            # Called by the template, so the page's own context is the first rendered
            # (the one tests read), before the blank form's on a cache miss.
            context["form_html"] = lambda: filled_form_html(self.blank_form_html(form), form)
        return context

    def blank_form_html(self, form):
        """The form as crispy renders it before anything is filled in, kept under the
        content version (any organiser's change to the event, its rounds or sessions
        starts it anew) and per set of rounds. Rendering it took most of the page's time
        (docs/performance.md); each delegate's values are set into it when served."""
        key = f"manage-form:{self.event.pk}:{','.join(form.round_fields)}"
        html, versions = page_cache.lookup(key)
        if html is None:
            html = blank_form_html(form)
            page_cache.store(key, html, versions=versions, shows_places=False)
        return html

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
