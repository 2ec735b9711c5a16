"""A partner lead's pages: their people at one event, and the two things they may do to
a registration (pass the place to a colleague, cancel it).

The signed link (partners.tokens) is the only key. Everything a lead reaches starts
from `lead_delegates`, the registrations of their organisation or network: a delegate
id outside it, in the URL of a page or of a POST, gets the same plain 404 as a bad link,
so nobody learns whether another organisation's registration exists.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from breakouts.models import BreakoutChoice
from partners.quotas import quota_usage
from partners.selectors import lead_delegates
from partners.tokens import InvalidLeadToken, lead_for_token
from registration import hooks
from registration.forms import SubstituteForm
from registration.partner_leads import cancel_for_lead, substitute_for_lead
from registration.views import PublishedEventMixin
from symposium.enums import RegistrationStatus
from symposium.web.ratelimits import rate_limited


# The token is the only secret: guessing is slowed per address, and no cache keeps a
# page that names people.
@method_decorator(never_cache, name="dispatch")
@method_decorator(rate_limited("partner-lead"), name="dispatch")
class LeadMixin(PublishedEventMixin):
    nav = None

    def refusal(self):
        try:
            self.lead = lead_for_token(event=self.event, token=self.kwargs["token"])
        except InvalidLeadToken:
            return self.render_page("partners/lead_link_invalid.html", status=404)
        return None

    @property
    def delegates(self):
        return lead_delegates(lead=self.lead, event=self.event)

    def lead_url(self):
        return reverse(
            "registration:partner-lead",
            kwargs={"event_slug": self.event.slug, "token": self.kwargs["token"]},
        )

    def get_context_data(self, **kwargs):
        kwargs |= {"lead": self.lead, "token": self.kwargs["token"], "lead_url": self.lead_url()}
        return super().get_context_data(**kwargs)


class LeadDelegateMixin(LeadMixin):
    """A page about one of the lead's active registrations: any other id is a 404."""

    @cached_property
    def delegate(self):
        active = self.delegates.exclude(status=RegistrationStatus.CANCELLED)
        return get_object_or_404(active.select_related("event"), pk=self.kwargs["delegate_pk"])

    def get_context_data(self, **kwargs):
        kwargs["delegate"] = self.delegate
        return super().get_context_data(**kwargs)


class LeadPageView(LeadMixin, TemplateView):
    """The lead's people at the event: name, email, status and breakouts, with counts.
    Four queries (event, lead, people, their breakouts) whatever their number
    (tests/partners/test_leads.py)."""

    template_name = "partners/lead.html"

    def get_context_data(self, **kwargs):
        choices = BreakoutChoice.objects.select_related(
            "session__theme", "session__agenda_item"
        ).order_by("agenda_item__starts_at", "pk")
        people = list(
            self.delegates.select_related("affiliation__organisation")
            .prefetch_related(Prefetch("breakout_choices", queryset=choices))
            .order_by("status", "last_name", "first_name", "pk")
        )
        counts = dict.fromkeys(RegistrationStatus.values, 0)
        for person in people:
            counts[person.status] += 1
        return super().get_context_data(
            people=[p for p in people if p.status != RegistrationStatus.CANCELLED],
            cancelled=[p for p in people if p.status == RegistrationStatus.CANCELLED],
            counts=counts,
            is_network_lead=self.lead.network_id is not None,
            quota_use=self.quota_use(),
            # What apps above add (outcomes: the actions the lead's organisation owns).
            more_links=hooks.lead_links(
                lead=self.lead, event=self.event, token=self.kwargs["token"]
            ),
            **kwargs,
        )

    def quota_use(self) -> str | None:
        """The seats kept for this lead's organisation or network at this event (a
        seat quota), how many are taken, and until when they are kept; None: none."""
        lead = self.lead
        use = next(
            (
                use
                for use in quota_usage(self.event)
                if (use.quota.organisation_id, use.quota.network_id)
                == (lead.organisation_id, lead.network_id)
            ),
            None,
        )
        if use is None:
            return None
        kept = f"{use.seats} place{pluralize(use.seats)} kept for {use.holder}"
        taken = f"{use.confirmed} taken"
        waiting = f", {use.waitlisted} on the waitlist" if use.waitlisted else ""
        if use.released_at:
            when = date_format(timezone.localtime(use.released_at), "j F Y")
            return f"The {kept} returned to the general pool on {when} ({taken}{waiting})."
        when = date_format(timezone.localtime(use.quota.release_at), "j F Y \\a\\t H:i")
        return (
            f"{kept[0].upper()}{kept[1:]} until {when}: {taken}, {use.free} still free"
            f"{waiting}. Places not taken by then return to the general pool."
        )


class SubstituteView(LeadDelegateMixin, FormView):
    template_name = "partners/lead_substitute.html"
    form_class = SubstituteForm

    def form_valid(self, form):
        try:
            colleague = substitute_for_lead(
                lead=self.lead, delegate=self.delegate, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{self.delegate.full_name}'s place has passed to {colleague.full_name}. "
            "We have emailed them both.",
        )
        return redirect(self.lead_url())


class LeadCancelView(LeadDelegateMixin, TemplateView):
    template_name = "partners/lead_cancel.html"

    def post(self, request, *args, **kwargs):
        cancel_for_lead(lead=self.lead, delegate=self.delegate)
        messages.success(
            request,
            f"{self.delegate.full_name}'s registration is cancelled. We have emailed them "
            "to confirm.",
        )
        return redirect(self.lead_url())
