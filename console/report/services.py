"""The report for the board: asked for by a staff member, prepared on the task queue
(console.tasks.prepare_report), and frozen when the event's personal data goes."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from console.report import pdf, selectors
from feedback.models import Response, SurveyInvitation
from symposium import audit, background
from symposium.models import BoardReport, Event


def request_report(*, event: Event, requested_by: AbstractBaseUser) -> BoardReport:
    """The caller checks the permissions and the team.

    Side effects: a BoardReport, queued, and a job for console.tasks.prepare_report in
    the same transaction."""
    from console import tasks

    with transaction.atomic():
        report = BoardReport.objects.create(event=event, requested_by=requested_by)
        background.defer(tasks.prepare_report, report_id=report.pk)
        audit.log_action(event=event, action="report.requested", actor=requested_by, obj=report)
    return report


def prepare_report(*, report_id: int) -> None:
    """Count the figures and draw the PDF of a queued report, once: a second run finds
    it done. Side effects: the BoardReport's status and step (each in its own short
    statement, so its page shows them), then its figures and PDF; "failed" if either
    raised, and the error raised again for the task's record."""
    report = BoardReport.objects.filter(pk=report_id).select_related("event").first()
    if report is None or report.status == BoardReport.Status.DONE:
        return
    rows = BoardReport.objects.filter(pk=report_id).exclude(status=BoardReport.Status.DONE)
    try:
        rows.update(status=BoardReport.Status.RUNNING, step="Counting the figures")
        figures = selectors.report_figures(report.event)
        rows.update(step="Drawing the PDF")
        content = pdf.report_pdf(figures)
    except Exception:
        with transaction.atomic():
            rows.update(status=BoardReport.Status.FAILED, step="")
            audit.log_action(event=report.event, action="report.failed", obj=report)
        raise
    with transaction.atomic():
        done = rows.update(
            status=BoardReport.Status.DONE,
            step="",
            figures=figures,
            pdf=content,
            finished_at=timezone.now(),
        )
        if done:
            audit.log_action(event=report.event, action="report.prepared", obj=report)


def current_report(event: Event) -> BoardReport | None:
    """What the report page shows: the frozen report once the event's personal data is
    gone, else the latest one ready."""
    reports = BoardReport.objects.filter(
        event=event, status=BoardReport.Status.DONE, figures__isnull=False
    )
    return reports.filter(frozen=True).first() or reports.defer("pdf").first()


def freeze_and_purge_feedback(*, event: Event) -> BoardReport:
    """Retention: the report's figures (suppressed; no quote) are kept, then the
    feedback is deleted. Called inside registration.privacy.purge_event's transaction
    (console.receivers), before the delegates are anonymised.

    Side effects: the reports prepared so far deleted (they may hold quotes); one frozen
    BoardReport with the figures and their PDF, made once (a second purge keeps it);
    every Response (and so its Ratings) and SurveyInvitation of the event deleted."""
    frozen = BoardReport.objects.filter(event=event, frozen=True).first()
    if frozen is None:
        figures = selectors.without_quotes(selectors.report_figures(event))
        figures["frozen"] = True
        BoardReport.objects.filter(event=event).delete()
        frozen = BoardReport.objects.create(
            event=event,
            status=BoardReport.Status.DONE,
            frozen=True,
            figures=figures,
            pdf=pdf.report_pdf(figures),
            finished_at=timezone.now(),
        )
    responses, _ = Response.objects.filter(survey__event=event).delete()
    invitations, _ = SurveyInvitation.objects.filter(survey__event=event).delete()
    audit.log_action(
        event=event,
        action="report.frozen",
        obj=frozen,
        data={"rows_deleted": responses + invitations},
    )
    return frozen


def forget_erased_quotes(*, event: Event) -> int:
    """A registration erased (console.receivers): its response went with it
    (feedback.receivers), and so must any of its words the reports prepared so far
    quote. Each report of the event (not the frozen one, which quotes nobody) keeps only
    the quotes still picked among the responses left; the PDF of one that changed is
    drawn again. The other figures stay as they were counted. Returns how many changed.

    Side effects: those BoardReports' figures and PDFs saved."""
    left = {"comments": set(), "do_differently": set()}
    picked = Response.objects.filter(survey__event=event).filter(
        Q(comments_quoted=True) | Q(do_differently_quoted=True)
    )
    for comments, do_differently in picked.values_list("comments", "do_differently"):
        left["comments"].add(comments.strip())
        left["do_differently"].add(do_differently.strip())
    changed = 0
    reports = BoardReport.objects.filter(
        event=event, frozen=False, status=BoardReport.Status.DONE, figures__isnull=False
    )
    for report in reports.order_by("pk"):
        answers = report.figures.get("feedback")
        if not answers:
            continue
        quotes = {
            kind: [quote for quote in quoted if quote in left[kind]]
            for kind, quoted in answers["quotes"].items()
        }
        if quotes == answers["quotes"]:
            continue
        report.figures = {**report.figures, "feedback": {**answers, "quotes": quotes}}
        report.pdf = pdf.report_pdf(report.figures)
        report.save(update_fields=["figures", "pdf"])
        changed += 1
    if changed:
        audit.log_action(event=event, action="report.quotes_forgotten", data={"reports": changed})
    return changed


def pick_quotes(*, event: Event, shown: set[int], comments: set[int], do_differently: set[int]):
    """The quotes the organiser ticked among the responses `shown` to them (of `event`).

    Side effects: comments_quoted and do_differently_quoted set on those responses,
    ticked or not, in two statements each (one transaction)."""
    responses = Response.objects.filter(survey__event=event, pk__in=shown)
    with transaction.atomic():
        responses.filter(pk__in=comments).update(comments_quoted=True)
        responses.exclude(pk__in=comments).update(comments_quoted=False)
        responses.filter(pk__in=do_differently).update(do_differently_quoted=True)
        responses.exclude(pk__in=do_differently).update(do_differently_quoted=False)
        audit.log_action(
            event=event,
            action="report.quotes_picked",
            data={
                "shown": len(shown),
                "comments_quoted": len(comments & shown),
                "do_differently_quoted": len(do_differently & shown),
            },
        )
