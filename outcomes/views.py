"""The facilitator's page (through their signed link) and the event's public outcomes
page ("share good practice")."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView, View

from outcomes import selectors, services
from outcomes.forms import outcome_forms
from outcomes.tokens import InvalidFacilitatorToken, outcome_for_token
from registration.views import PublishedEventMixin
from symposium.pages import EventPageMixin
from symposium.web.ratelimits import rate_limited


# The token is the only secret: guessing is slowed per address, and no cache keeps the
# page (it is one facilitator's).
@method_decorator(never_cache, name="dispatch")
@method_decorator(rate_limited("manage"), name="dispatch")
class FacilitatorView(PublishedEventMixin, View):
    """Key points, actions and pledges of one session, for its facilitator: a form until
    the outcomes are published, then the same, read-only."""

    nav = None

    def refusal(self):
        try:
            self.outcome = outcome_for_token(event=self.event, token=self.kwargs["token"])
        except InvalidFacilitatorToken:
            return self.render_page("outcomes/link_invalid.html", status=404)
        return None

    def page(self, forms=None, status=200):
        outcome = self.outcome
        context = {"outcome": outcome, "session": outcome.session}
        if outcome.is_published:
            context |= {"actions": outcome.actions.all(), "pledges": outcome.pledges.all()}
            return self.render_page("outcomes/facilitator_published.html", status, **context)
        form, actions, pledges = forms or outcome_forms(outcome)
        errors = bool(form.errors or actions.total_error_count() or pledges.total_error_count())
        context |= {
            "form": form,
            "actions": actions,
            "pledges": pledges,
            "formsets": [(actions, "Action"), (pledges, "Pledge")],
            "has_errors": errors,
        }
        return self.render_page("outcomes/facilitator.html", status, **context)

    def get(self, request, *args, **kwargs):
        return self.page()

    def post(self, request, *args, **kwargs):
        if self.outcome.is_published:
            messages.error(request, services.PUBLISHED_MESSAGE)
            return self.page(status=409)
        forms = outcome_forms(self.outcome, request.POST)
        submit = "submit" in request.POST
        forms[0].submitting = submit
        # Every form checked, so that every error shows at once.
        valid = [form.is_valid() for form in forms]
        if not all(valid):
            return self.page(forms)
        try:
            services.record_outcome(
                event=self.event,
                token=self.kwargs["token"],
                form=forms[0],
                actions=forms[1],
                pledges=forms[2],
                submit=submit,
            )
        except services.OutcomePublished as refused:
            messages.error(request, refused.messages[0])
            self.outcome.refresh_from_db()
            return self.page(status=409)
        if submit:
            messages.success(
                request,
                "Thank you: the outcomes are submitted for review. The organisers publish "
                "them; until then you can still change them through this link.",
            )
        else:
            messages.success(request, "Saved. Nothing is published until the organisers review it.")
        return redirect(request.path)


class PublicOutcomesView(EventPageMixin, TemplateView):
    """Published outcomes, actions and pledges, theme by theme: no person, and an
    organisation named only where it agreed. Four queries whatever the data (the
    event, outcomes, actions, pledges)."""

    template_name = "outcomes/public.html"
    nav = "outcomes"

    def get_context_data(self, **kwargs):
        themes = selectors.outcomes_by_theme(event=self.event)
        for theme in themes:
            for outcome in theme.outcomes:
                for row in (*outcome.actions.all(), *outcome.pledges.all()):
                    row.public_owner = selectors.public_owner(row)
        return super().get_context_data(themes=themes, **kwargs)
