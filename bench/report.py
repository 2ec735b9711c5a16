"""Time the report for the board on a 2,000-delegate event with 1,000 feedback responses.

    .venv/bin/python bench/report.py [--delegates 2000] [--responses 1000] [--skip-build]

Needs PostgreSQL: DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/symposium_bench.
The database is created and migrated if need be, and the bench event is rebuilt each run
with bulk_create (`build`, which the tests use too, at small sizes). Then, timed: the
background job's work (console.report.services.prepare_report: the figures, then the
PDF) and the HTML page as the staff page renders it (a GET through Django's test client),
with the number of queries of each.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-report"
ROUNDS = 3
THEMES = 6
ORGANISATIONS = 120
PARTNERS = 40


def build(*, delegates: int, responses: int, slug: str = SLUG, seed: int = 25):
    """An event that took place, with `delegates` registrations (9 in 10 confirmed, 85 %
    of those checked in), breakout places in each of ROUNDS rounds, partner directory
    affiliations, a survey with `responses` responses (each rating two plenaries, two
    presentations and its three sessions), and published outcomes. Returns the event."""
    from django.db import transaction
    from django.utils import timezone

    from breakouts.enums import ChoiceStatus
    from breakouts.models import BreakoutChoice, BreakoutSession, Theme
    from checkin.models import CheckIn
    from feedback.models import Rating, Response, Survey, SurveyInvitation
    from outcomes.models import Action, ActionStatus, OutcomeStatus, Pledge, SessionOutcome
    from partners.models import Affiliation, Organisation
    from speakers.models import Presentation
    from symposium.enums import AgendaKind, RegistrationStatus, Sector
    from symposium.models import AgendaItem, Delegate, Event

    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        Event.objects.filter(slug=slug).delete()
        day = timezone.localdate() - dt.timedelta(days=3)
        event = Event.objects.create(
            name=f"Report bench {slug}",
            slug=slug,
            summary="Benchmark data.",
            starts_on=day,
            ends_on=day,
            venue_name="Bench venue",
            venue_address="Canterbury",
            registration_opens_at=now - dt.timedelta(days=60),
            registration_closes_at=now - dt.timedelta(days=4),
            delegate_capacity=delegates,
        )
        start = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
        plenaries = AgendaItem.objects.bulk_create(
            AgendaItem(
                event=event,
                kind=kind,
                title=title,
                starts_at=start + dt.timedelta(hours=n),
                ends_at=start + dt.timedelta(hours=n, minutes=50),
            )
            for n, (kind, title) in enumerate(
                [
                    (AgendaKind.PLENARY, "Welcome and opening plenary"),
                    (AgendaKind.PRESENTATION, "Prevention in practice"),
                    (AgendaKind.PLENARY, "Closing plenary"),
                ]
            )
        )
        talks = Presentation.objects.bulk_create(
            Presentation(agenda_item=plenaries[1], title=f"Talk {n + 1}") for n in range(2)
        )
        rounds = AgendaItem.objects.bulk_create(
            AgendaItem(
                event=event,
                kind=AgendaKind.BREAKOUT_ROUND,
                title=f"Breakout round {n + 1}",
                starts_at=start + dt.timedelta(hours=4 + n),
                ends_at=start + dt.timedelta(hours=4 + n, minutes=50),
            )
            for n in range(ROUNDS)
        )
        themes = Theme.objects.bulk_create(
            Theme(event=event, number=n + 1, title=f"Theme {n + 1}") for n in range(THEMES)
        )
        sessions = BreakoutSession.objects.bulk_create(
            BreakoutSession(theme=theme, agenda_item=item, capacity=delegates)
            for item in rounds
            for theme in themes
        )
        statuses = rng.choices(list(RegistrationStatus.values), weights=[90, 7, 3], k=delegates)
        people = Delegate.objects.bulk_create(
            Delegate(
                event=event,
                first_name="Bench",
                last_name=f"Delegate {n}",
                email=f"report{n}@bench.example.org",
                organisation=f"Organisation {rng.randrange(ORGANISATIONS)}",
                sector=rng.choice(Sector.values),
                status=statuses[n],
                privacy_consent_at=now,
            )
            for n in range(delegates)
        )
        directory = [
            Organisation.objects.get_or_create(
                name=f"Bench partner {n}", defaults={"sector": Sector.NHS}
            )[0]
            for n in range(PARTNERS)
        ]
        Affiliation.objects.bulk_create(
            Affiliation(delegate=person, organisation=rng.choice(directory), matched_by="name")
            for person in people
            if rng.random() < 0.7
        )
        confirmed = [person for person in people if person.status == RegistrationStatus.CONFIRMED]
        came = [person for person in confirmed if rng.random() < 0.85]
        CheckIn.objects.bulk_create(
            CheckIn(delegate=person, at=now, desk="Desk 1") for person in came
        )
        by_round = {
            item.pk: [s for s in sessions if s.agenda_item_id == item.pk] for item in rounds
        }
        BreakoutChoice.objects.bulk_create(
            BreakoutChoice(
                delegate=person,
                session=rng.choice(by_round[item.pk]),
                agenda_item=item,
                status=ChoiceStatus.CONFIRMED,
            )
            for person in confirmed
            for item in rounds
        )
        survey = Survey.objects.create(event=event, closes_on=day + dt.timedelta(days=14))
        SurveyInvitation.objects.bulk_create(
            SurveyInvitation(survey=survey, delegate=person) for person in came
        )
        answers = Response.objects.bulk_create(
            Response(
                survey=survey,
                submitted_on=day,
                overall=rng.randint(1, 5),
                comments=f"Useful day, number {n}." if n % 5 == 0 else "",
                comments_quoted=n % 50 == 0,
                do_differently=f"Call the council, {n}." if n % 7 == 0 else "",
                do_differently_quoted=n % 70 == 0,
            )
            for n in range(responses)
        )
        Rating.objects.bulk_create(
            Rating(response=answer, score=rng.randint(1, 5), **target)
            for answer in answers
            for target in [
                {"agenda_item": plenaries[0]},
                {"agenda_item": plenaries[2]},
                *({"presentation": talk} for talk in talks),
                *({"breakout_session": rng.choice(by_round[item.pk])} for item in rounds),
            ]
        )
        outcomes = SessionOutcome.objects.bulk_create(
            SessionOutcome(
                session=session,
                key_points=f"What {session.theme.title} agreed.",
                status=OutcomeStatus.PUBLISHED,
                published_at=now,
            )
            for session in sessions
        )
        Action.objects.bulk_create(
            Action(
                outcome=outcome,
                description=f"Action {n} of outcome {outcome.pk}",
                organisation=rng.choice(directory),
                may_name_organisation=n == 0,
                due_on=day + dt.timedelta(days=90),
                status=rng.choice(ActionStatus.values),
            )
            for outcome in outcomes
            for n in range(2)
        )
        Pledge.objects.bulk_create(
            Pledge(outcome=outcome, text="We will share our data.", organisation_name="A partner")
            for outcome in outcomes
        )
    return event


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, default=2000)
    parser.add_argument("--responses", type=int, default=1000)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/symposium_bench")
    sys.path.insert(0, str(ROOT))
    from bench.export import create_database, setup_django

    create_database()
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from console.report import services
    from symposium.models import BoardReport, Event

    call_command("migrate", verbosity=0)
    if args.skip_build and Event.objects.filter(slug=SLUG).exists():
        event = Event.objects.get(slug=SLUG)
    else:
        started = time.perf_counter()
        event = build(delegates=args.delegates, responses=args.responses)
        print(
            f"Built {args.delegates} delegates, {args.responses} responses in "
            f"{time.perf_counter() - started:.1f} s"
        )
    user, _ = get_user_model().objects.get_or_create(
        username="bench-report", defaults={"is_staff": True, "is_superuser": True}
    )
    report = BoardReport.objects.create(event=event, requested_by=user)

    with CaptureQueriesContext(connection) as job_queries:
        started = time.perf_counter()
        services.prepare_report(report_id=report.pk)
        job = time.perf_counter() - started
    report.refresh_from_db()
    assert report.status == BoardReport.Status.DONE, report.status

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    with CaptureQueriesContext(connection) as page_queries:
        started = time.perf_counter()
        page = client.get(reverse("staff:report", args=[event.slug]))
        pdf = client.get(reverse("staff:report-pdf", args=[event.slug]))
        served = time.perf_counter() - started
    assert page.status_code == 200, page.status_code
    assert pdf.status_code == 200, pdf.status_code
    print(
        f"Report job (figures + PDF): {job:.2f} s, {len(job_queries)} queries, "
        f"PDF {len(report.pdf) / 1024:.0f} KiB"
    )
    print(
        f"HTML page + PDF download: {served:.2f} s, {len(page_queries)} queries, "
        f"page {len(page.content) / 1024:.0f} KiB"
    )
    total = job + served
    print(
        f"Total {total:.2f} s for {args.delegates} delegates, {args.responses} responses "
        f"({'under' if total < 10 else 'OVER'} 10 s)"
    )


if __name__ == "__main__":
    main()
