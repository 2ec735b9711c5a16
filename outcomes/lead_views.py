"""A partner lead's follow-up of the actions their organisation owns: the list, and one
action's status, date and note.

The lead's signed link (partners.tokens) is the only key, as on their people's page
(registration.partner_views), and it opens these pages after the event too: that is
when actions are followed up. Everything starts from `selectors.lead_actions`: another
organisation's action, by its id in a URL, is the same plain 404 as a bad link.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from outcomes import selectors, services
from outcomes.forms import FollowUpForm
from partners.tokens import InvalidLeadToken, lead_for_token
from registration.views import PublishedEventMixin
from symposium.web.ratelimits import rate_limited


@method_decorator(never_cache, name="dispatch")
@method_decorator(rate_limited("partner-lead"), name="dispatch")
class LeadActionsMixin(PublishedEventMixin):
    nav = None

    def refusal(self):
        try:
            self.lead = lead_for_token(
                event=self.event, token=self.kwargs["token"], after_the_event=True
            )
        except InvalidLeadToken:
            return self.render_page("partners/lead_link_invalid.html", status=404)
        return None

    @property
    def actions(self):
        return selectors.lead_actions(lead=self.lead, event=self.event)

    def list_url(self):
        return reverse(
            "outcome_actions:list",
            kwargs={"event_slug": self.event.slug, "token": self.kwargs["token"]},
        )

    def get_context_data(self, **kwargs):
        kwargs |= {"lead": self.lead, "token": self.kwargs["token"], "list_url": self.list_url()}
        return super().get_context_data(**kwargs)


class LeadActionList(LeadActionsMixin, TemplateView):
    """The actions the lead's organisation (or network) owns: three queries whatever
    their number (event, lead, actions)."""

    template_name = "outcomes/lead_actions.html"

    def get_context_data(self, **kwargs):
        actions = self.actions.select_related(
            "organisation", "outcome__session__theme", "outcome__session__agenda_item"
        ).order_by("due_on", "pk")
        return super().get_context_data(actions=list(actions), **kwargs)


class LeadActionUpdate(LeadActionsMixin, FormView):
    template_name = "outcomes/lead_action_update.html"
    form_class = FollowUpForm

    @cached_property
    def action(self):
        return get_object_or_404(
            self.actions.select_related("organisation", "outcome__session__theme"),
            pk=self.kwargs["action_pk"],
        )

    def get_initial(self):
        return {"status": self.action.status, "status_note": self.action.status_note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(action=self.action, **kwargs)

    def form_valid(self, form):
        services.follow_up_action(
            action=self.action,
            status=form.cleaned_data["status"],
            status_on=form.cleaned_data["status_on"],
            note=form.cleaned_data["status_note"],
            lead=self.lead,
        )
        messages.success(self.request, "The action's progress is saved.")
        return redirect(self.list_url())
