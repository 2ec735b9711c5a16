"""Registering through an invitation, and the invitation's own page.

`/<event>/register/?invitation=CODE` is the register form with the code carried as a
hidden field (RegisterView hands such requests here): never the cached blank page,
since it says whose invitation it is. An invitation with an organisation fills in the
delegate's organisation and sector and locks them: the fields are disabled, so the
form ignores whatever is posted for them, and the registration service sets them from
the invitation again. A code that cannot be used is said by the field (and in the error
summary); everything else typed is kept.

`/<event>/invitation/CODE/` is where an invitation email leads: who is invited, a link
to register, and for a personal invitation a "can't come" answer.
"""

from django import forms
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from partners import invitations
from partners.models import InvitationStatus
from registration.forms import RegistrationForm
from registration.views import PublishedEventMixin, RegisterView
from symposium.web.ratelimits import rate_limited

FIELD = "invitation"


def carried(request) -> bool:
    """Whether the request comes with an invitation code (the link, or the form's
    hidden field)."""
    return FIELD in request.GET or FIELD in request.POST


def split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


class InvitedRegistrationForm(RegistrationForm):
    invitation = forms.CharField(
        label="Invitation code",
        required=False,
        max_length=40,
        help_text="From your invitation email or your organisation. Clear it to register "
        "without one.",
    )

    def __init__(self, *args, invitation=None, problem=None, **kwargs):
        self.invitation_used = invitation if problem is None else None
        self.problem = problem
        super().__init__(*args, **kwargs)
        self.order_fields([FIELD, *self.fields])
        found = self.invitation_used
        if found is None:
            return
        self.fields[FIELD].widget = forms.HiddenInput()
        personal = getattr(found, "personal", None)
        if personal is not None:
            first, last = split_name(personal.name)
            self.initial.setdefault("first_name", first)
            self.initial.setdefault("last_name", last)
            self.initial.setdefault("email", personal.email)
        if found.organisation is not None:
            for name, value in (
                ("organisation", found.organisation.name),
                ("sector", found.organisation.sector),
            ):
                self.fields[name].disabled = True
                self.fields[name].help_text = "From your invitation: it cannot be changed."
                self.initial[name] = value

    def _details_fields(self):
        return [FIELD, *super()._details_fields()]

    def clean_invitation(self):
        code = self.cleaned_data[FIELD]
        if code.strip() and self.problem:
            raise forms.ValidationError(self.problem)
        return code

    def service_kwargs(self):
        kwargs = super().service_kwargs()
        found = self.invitation_used if self.cleaned_data.get(FIELD, "").strip() else None
        return kwargs | {
            "invitation": found,
            "quota": found.quota if found is not None else None,
        }


class InvitedRegisterView(RegisterView):
    """RegisterView, for one visitor: no page cache, the invitation's form."""

    form_class = InvitedRegistrationForm

    def dispatch(self, request, *args, **kwargs):
        # Reached through RegisterView.dispatch (its rate limit already counted).
        self.cacheable = False
        return super(RegisterView, self).dispatch(request, *args, **kwargs)

    def get_form_class(self):
        form_class = super().get_form_class()
        if not issubclass(form_class, InvitedRegistrationForm):  # A ranked event's form.
            form_class = type("InvitedRanked", (InvitedRegistrationForm, form_class), {})
        return form_class

    def code(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return source.get(FIELD, "")

    def get_form_kwargs(self):
        # Read afresh for every form: after a refused use, the form says why.
        code = self.code()
        found = invitations.find_invitation(event=self.event, code=code)
        problem = invitations.refusal(found) if code.strip() else None
        return super().get_form_kwargs() | {
            "invitation": found,
            "problem": problem,
            "initial": {FIELD: code},
        }

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not form.is_bound and form.problem:
            # Opened from a link that cannot be used: say so by the field at once.
            form.cleaned_data = {}
            form.add_error(FIELD, form.problem)
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitation_notice"] = context["form"].invitation_used
        return context


class InvitationMixin(PublishedEventMixin):
    def find_invitation(self):
        return invitations.find_invitation(event=self.event, code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        found = self.find_invitation()
        return super().get_context_data(
            invitation=found,
            personal=getattr(found, "personal", None) if found else None,
            problem=invitations.refusal(found),
            register_url=(
                reverse("registration:register", kwargs={"event_slug": self.event.slug})
                + f"?{FIELD}={found.code}"
                if found
                else ""
            ),
            **kwargs,
        )


@method_decorator([never_cache, rate_limited("manage")], name="dispatch")
class InvitationPage(InvitationMixin, TemplateView):
    template_name = "symposium/invitation.html"

    def render_to_response(self, context, **kwargs):
        status = 404 if context["invitation"] is None else 200
        return super().render_to_response(context, status=status, **kwargs)


@method_decorator([never_cache, rate_limited("manage")], name="dispatch")
class DeclineInvitation(InvitationMixin, TemplateView):
    template_name = "symposium/invitation_decline.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        if context["personal"] is None:
            return redirect("registration:invitation", self.event.slug, self.kwargs["code"])
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        personal = context["personal"]
        if personal is None:
            return redirect("registration:invitation", self.event.slug, self.kwargs["code"])
        if personal.status == InvitationStatus.INVITED:
            invitations.decline(personal=personal)
            personal.status = InvitationStatus.DECLINED
        return self.render_to_response(context | {"declined": True})
