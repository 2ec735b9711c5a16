"""The report for the board, in the staff pages: its HTML page (from the latest report
prepared, or the frozen one), asking for a new one (made on the task queue), how far it
got, its PDF, and the organiser's choice of quotes. Each checks the permission and the
event's team on every request, the PDF's download included."""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView

from console import charts
from console.report import presentation as words
from console.report import services
from console.staff import StaffEventMixin
from feedback.models import Response
from symposium.models import BoardReport

VIEW_PERMISSION = "symposium.view_boardreport"
PREPARE_PERMISSION = "symposium.add_boardreport"
QUOTE_PERMISSION = "feedback.change_response"
QUOTES_SHOWN = 200  # responses with words listed on the quotes page, at most


class _ReportMixin(StaffEventMixin):
    permission_required = VIEW_PERMISSION

    @cached_property
    def pending(self) -> BoardReport | None:
        return (
            BoardReport.objects.filter(
                event=self.event,
                status__in=(BoardReport.Status.QUEUED, BoardReport.Status.RUNNING),
            )
            .defer("pdf", "figures")
            .first()
        )

    @cached_property
    def last_failed(self) -> bool:
        latest = BoardReport.objects.filter(event=self.event).only("status").first()
        return latest is not None and latest.status == BoardReport.Status.FAILED


def report_charts(figures: dict) -> dict:
    """The page's charts (console/charts.py), hidden figures written, not drawn."""
    drawn = {
        "sectors": charts.suppressed_bars(
            chart_id="report-sectors",
            title="Attended, by sector",
            rows=words.bars(
                (row["label"], row["attended"])
                for row in figures["attendance"]["by_sector"]["rows"]
            ),
            what="sectors",
        ),
    }
    drawn["years"] = charts.suppressed_bars(
        chart_id="report-years",
        title="Attended, year on year",
        rows=words.year_bars(figures["year_on_year"]),
        what="events",
    )
    answers = figures.get("feedback")
    if answers:
        drawn["scores"] = charts.suppressed_bars(
            chart_id="report-scores",
            title="Mean scores out of 5",
            rows=words.score_bars(answers),
            what="scores",
            top=5,
        )
    return drawn


class ReportPage(_ReportMixin, TemplateView):
    template_name = "staff/report.html"

    def get_context_data(self, **kwargs):
        report = services.current_report(self.event)
        context = {
            "report": report,
            "pending": self.pending,
            "failed": self.last_failed and not self.pending,
            "can_prepare": self.request.user.has_perm(PREPARE_PERMISSION)
            and not (report and report.frozen),
            "can_pick_quotes": self.request.user.has_perm(QUOTE_PERMISSION),
            "suppression_note": words.SUPPRESSION_NOTE,
        }
        if report is not None:
            figures = report.figures
            context.update(
                figures=figures,
                subtitle=words.subtitle(figures),
                attendance_summary=words.attendance_summary(figures),
                attendance_tables=[
                    (heading, words.attendance_rows(figures["attendance"][key]))
                    for key, heading in words.ATTENDANCE_TABLES
                ],
                sessions=[
                    (words.session_heading(session), words.session_rows(session))
                    for session in figures["breakouts"]
                ],
                charts=report_charts(figures),
                outcomes_summary=words.outcomes_summary(figures["outcomes"]),
                outcome_sessions=[
                    (session, words.action_rows(session))
                    for session in figures["outcomes"]["sessions"]
                ],
                year_rows=words.year_rows(figures["year_on_year"]),
                year_note=words.YEAR_ON_YEAR_NOTE,
                no_survey=words.NO_SURVEY,
            )
            answers = figures.get("feedback")
            if answers:
                context.update(
                    feedback_summary=words.feedback_summary(answers),
                    score_rows=words.score_rows(answers),
                    quotes=[
                        (heading, answers["quotes"][key]) for key, heading in words.QUOTE_KINDS
                    ],
                    no_quotes=words.no_quotes(answers),
                )
        return super().get_context_data(**context, **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(PREPARE_PERMISSION):
            return HttpResponse("You may not prepare the report.", status=403)
        if BoardReport.objects.filter(event=self.event, frozen=True).exists():
            messages.error(
                request, "This event's personal data is removed: its report is kept as it was."
            )
        elif self.pending is None:
            services.request_report(event=self.event, requested_by=request.user)
            messages.success(
                request, "The report is being prepared. This page shows it when it is ready."
            )
        return redirect("staff:report", slug=self.event.slug)


class ReportStatus(_ReportMixin, View):
    """How far the report being prepared got (static/staff/report.js asks every 2 s)."""

    def get(self, request, *args, **kwargs):
        pending = self.pending
        if pending is None:
            return JsonResponse({"status": "failed" if self.last_failed else "done", "step": ""})
        return JsonResponse(
            {"status": pending.status, "label": pending.get_status_display(), "step": pending.step}
        )


class ReportPdf(_ReportMixin, View):
    def get(self, request, *args, **kwargs):
        report = services.current_report(self.event)
        if report is None:
            raise Http404("No report is ready: prepare one first.")
        content = BoardReport.objects.filter(pk=report.pk).values_list("pdf", flat=True).first()
        response = HttpResponse(bytes(content), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{self.event.slug}-report.pdf"'
        return response


class ReportQuotes(_ReportMixin, TemplateView):
    """The organiser ticks the answers the report may quote (never with a name)."""

    template_name = "staff/report_quotes.html"
    permission_required = (VIEW_PERMISSION, QUOTE_PERMISSION)

    def responses(self):
        return (
            Response.objects.filter(survey__event=self.event)
            .exclude(comments="", do_differently="")
            .only("pk", "comments", "do_differently", "comments_quoted", "do_differently_quoted")
            .order_by("pk")[:QUOTES_SHOWN]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(responses=self.responses(), **kwargs)

    def post(self, request, *args, **kwargs):
        responses = list(self.responses())
        ids = {response.pk for response in responses}
        picked = {
            field: {int(pk) for pk in request.POST.getlist(field) if pk.isdigit()} & ids
            for field in ("comments_quoted", "do_differently_quoted")
        }
        services.pick_quotes(
            event=self.event,
            shown=ids,
            comments=picked["comments_quoted"],
            do_differently=picked["do_differently_quoted"],
        )
        messages.success(request, "Quotes saved. Prepare the report again to include them.")
        return redirect("staff:report-quotes", slug=self.event.slug)
