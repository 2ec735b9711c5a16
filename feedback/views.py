"""The survey through its signed link, and the certificate through the manage link.
Views read the form, call one service and render: the rules are in feedback.services."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView, View

from feedback import certificates, selectors, services
from feedback.forms import SurveyForm
from feedback.tokens import InvalidSurveyToken, invitation_for_token
from registration.views import ManageTokenMixin, PublishedEventMixin
from symposium.web.ratelimits import rate_limited


@method_decorator(never_cache, name="dispatch")
@method_decorator(rate_limited("survey"), name="dispatch")
class SurveyTokenMixin(PublishedEventMixin):
    """Opens the invitation the token in the URL names; anything else gets a plain 404."""

    nav = None

    def refusal(self):
        try:
            self.invitation = invitation_for_token(event=self.event, token=self.kwargs["token"])
        except InvalidSurveyToken:
            return self.render_page("feedback/link_invalid.html", status=404)
        self.survey = self.invitation.survey
        if services.is_closed(self.survey):
            return self.render_page("feedback/survey_closed.html", survey=self.survey)
        answered = self.invitation.answered_at is not None
        if answered and not self.done_page:
            return self.render_page("feedback/survey_answered.html", survey=self.survey)
        if self.done_page and not answered:  # Nothing to thank them for yet.
            return redirect(self.survey_url("feedback:survey"))
        return None

    done_page = False

    def survey_url(self, name):
        return reverse(name, kwargs={"event_slug": self.event.slug, "token": self.kwargs["token"]})

    def get_context_data(self, **kwargs):
        return super().get_context_data(survey=self.survey, **kwargs)


class SurveyView(SurveyTokenMixin, FormView):
    template_name = "feedback/survey.html"
    form_class = SurveyForm

    @cached_property
    def targets(self):
        return selectors.targets(self.invitation.delegate)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"targets": self.targets}

    def form_valid(self, form):
        try:
            response = services.submit_response(invitation=self.invitation, answers=form.answers())
        except services.SurveyClosed:
            return self.render_page("feedback/survey_closed.html", survey=self.survey)
        if response is None:
            return self.render_page("feedback/survey_answered.html", survey=self.survey)
        return redirect(self.survey_url("feedback:survey-done"))


class SurveyDoneView(SurveyTokenMixin, TemplateView):
    template_name = "feedback/survey_done.html"
    done_page = True


class CertificateView(ManageTokenMixin, View):
    """The certificate of attendance (PDF) for a delegate the desk checked in, once the
    event is over; otherwise a page that says why not."""

    after_the_event = True

    def get(self, request, *args, **kwargs):
        if not self.event_over or not selectors.attended(self.delegate):
            return self.render_page(
                "feedback/certificate_unavailable.html",
                status=404,
                delegate=self.delegate,
                token=self.kwargs["token"],
                event_over=self.event_over,
                section=certificates.manage_section(
                    self.delegate, self.kwargs["token"], self.event_over
                ),
            )
        pdf = certificates.certificate_pdf(self.delegate)
        response = HttpResponse(pdf, content_type="application/pdf")
        filename = f"certificate-of-attendance-{self.event.slug}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
