"""What seat quotas cost the registration's decision: the time of the one round trip that
holds the event's lock (registration.services._decide_place: the lock, the quota chosen,
the place decided), with no quota and with many, at a large event.

    DATABASE_URL=postgres://…/symposium_x .venv/bin/python -u bench/quota_decision.py \
        [--delegates 2000] [--quotas 0 10 50] [--repeat 300]

Needs a migrated database (`manage.py migrate`). Builds an event with `--delegates`
delegates (their organisations spread over the quotas' holders) inside one transaction,
times each decision for a new waitlisted delegate (a savepoint rolled back after each),
prints the median and p95 per quota count, and rolls everything back: the database is
left as it was.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symposium.settings")
os.environ.setdefault("DEBUG", "true")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delegates", type=int, default=2000)
    parser.add_argument("--quotas", type=int, nargs="+", default=[0, 10, 50])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from partners.models import Organisation, QuotaPlace, SeatQuota
    from registration import services
    from symposium.enums import RegistrationStatus, Sector
    from symposium.models import Delegate, Event

    class Rollback(Exception):
        pass

    from django.db import connection

    def before_quotas(delegate, event):
        """The decision as it was before quotas (issue 22's batch, without sessions)."""
        table, event_table = Delegate._meta.db_table, Event._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT registration_opens_at FROM {event_table} WHERE id = %s FOR UPDATE; "
                f"UPDATE {table} SET status = CASE WHEN (SELECT count(*) FROM {table} WHERE "
                f"event_id = %s AND status = %s) < (SELECT delegate_capacity FROM "
                f"{event_table} WHERE id = %s) THEN %s ELSE status END, created_at = "
                "clock_timestamp(), updated_at = clock_timestamp() WHERE id = %s "
                "RETURNING status, created_at",
                [event.pk, event.pk, "confirmed", event.pk, "confirmed", delegate.pk],
            )

    now = timezone.now()
    print(f"{args.delegates} delegates; the decision's round trip (event lock held), ms")
    print(f"{'quotas':>7} {'median':>8} {'p95':>8}")
    for count in [-1, *args.quotas]:  # -1: the statement before quotas existed.
        try:
            with transaction.atomic():
                event = Event.objects.create(
                    name="Quota bench",
                    slug=f"quota-bench-{os.getpid()}-{count}",
                    starts_on=now.date() + dt.timedelta(days=30),
                    ends_on=now.date() + dt.timedelta(days=30),
                    registration_opens_at=now - dt.timedelta(days=1),
                    registration_closes_at=now + dt.timedelta(days=20),
                    delegate_capacity=args.delegates + 100,
                )
                partners = [
                    Organisation.objects.create(
                        name=f"Quota bench partner {os.getpid()} {count} {n}", sector=Sector.NHS
                    )
                    for n in range(max(count, 1))
                ]
                quotas = [
                    SeatQuota.objects.create(
                        event=event,
                        organisation=partner,
                        seats=5,
                        release_at=now + dt.timedelta(days=10),
                    )
                    for partner in partners[: max(count, 0)]
                ]
                delegates = Delegate.objects.bulk_create(
                    Delegate(
                        event=event,
                        first_name="Bench",
                        last_name=f"Delegate {n}",
                        email=f"bench{n}@example.org",
                        organisation="Somewhere",
                        sector=Sector.NHS,
                        status=RegistrationStatus.CONFIRMED,
                    )
                    for n in range(args.delegates)
                )
                QuotaPlace.objects.bulk_create(
                    QuotaPlace(delegate=delegate, quota=quotas[n % count])
                    for n, delegate in enumerate(delegates[: count * 3])
                    if count > 0
                )
                times = []
                for n in range(args.repeat):
                    try:
                        with transaction.atomic():
                            delegate = Delegate.objects.create(
                                event=event,
                                first_name="New",
                                last_name=f"Delegate {n}",
                                email=f"new{n}@example.org",
                                organisation=partners[n % len(partners)].name,
                                sector=Sector.NHS,
                                status=RegistrationStatus.WAITLISTED,
                            )
                            choice = services._quota_choice(
                                quota=None, partner=partners[n % len(partners)], sector=""
                            )
                            started = time.perf_counter()
                            if count < 0:
                                before_quotas(delegate, event)
                            else:
                                services._decide_place(
                                    delegate=delegate,
                                    event=event,
                                    session_ids=set(),
                                    choice=choice,
                                )
                            times.append((time.perf_counter() - started) * 1000)
                            raise Rollback
                    except Rollback:
                        pass
                times.sort()
                p95 = times[int(len(times) * 0.95) - 1]
                label = "before" if count < 0 else str(count)
                print(f"{label:>7} {statistics.median(times):>8.2f} {p95:>8.2f}")
                raise Rollback
        except Rollback:
            pass


if __name__ == "__main__":
    main()
