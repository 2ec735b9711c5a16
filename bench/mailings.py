"""Time queueing 5,000 personalised emails to delegates, and the mail worker's send rate.

    .venv/bin/python -u bench/mailings.py [--skip-build] [--send 5000] [--batch-size 500]

Needs PostgreSQL: DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/symposium_bench
(created and migrated if need be), and Redis (REDIS_URL, default db 14; not flushed). Builds
the load benchmark's large event (`bench/bigevent.py`: 5,000 confirmed delegates with a
breakout in each of 3 rounds), empties the mail queue, then:

1. queue: one mailing using every placeholder ({breakouts} and {manage_link} included) to
   all 5,000, through `send_mailings`' own function (`run_scheduler`), with production
   settings (DEBUG off); wall time, and the process's peak resident size (ru_maxrss)
   before and after;
2. send: the mail worker (`run_mail_worker`'s loop, `symposium.mail_worker.run`, one
   message per transaction) delivers the queue over SMTP to a local aiosmtpd sink started
   in its own process; messages per second. `--engine send_all` times django-mailer's
   `send_all` (what `runmailer` calls) instead, for comparison.
"""

import argparse
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/symposium_bench"
SINK = [sys.executable, "-m", "aiosmtpd", "-n", "-l"]
BODY = (
    "Dear {first_name} {last_name},\n\n"
    "We look forward to seeing you at {event} on {date}, at {venue}.\n\n"
    "Your breakouts:\n{breakouts}\n\n"
    "Your personal link: {manage_link}"
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(smtp_port):
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    # Production settings want Redis; nothing here is cached, and nothing is flushed.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="symposium.settings",
        DEBUG="false",
        SECRET_KEY="bench-mailings-" + "k" * 40,
        SEND_MAIL_ON_COMMIT="false",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    sys.path.insert(0, str(ROOT))
    from bench.export import create_database

    create_database()
    import django

    django.setup()


def maxrss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(skip_build):
    from django.core.management import call_command
    from mailer.models import Message, MessageLog

    from bench import bigevent
    from mailings.models import Mailing
    from symposium.models import Event

    call_command("migrate", verbosity=0)
    if not (skip_build and Event.objects.filter(slug=bigevent.BIG_SLUG).exists()):
        bigevent.build_large_event()
    Message.objects.all().delete()
    MessageLog.objects.all().delete()
    event = Event.objects.get(slug=bigevent.BIG_SLUG)
    Mailing.objects.filter(event=event).delete()
    return event


def queue(event, batch_size):
    from django.utils import timezone

    from mailings import services
    from mailings.models import Mailing

    mailing = Mailing.objects.create(event=event, subject="Your day at {event}", body=BODY)
    services.schedule(mailing=mailing, send_at=timezone.now())
    before = maxrss_mib()
    started = time.perf_counter()
    services.run_scheduler(batch_size=batch_size)
    seconds = time.perf_counter() - started
    mailing.refresh_from_db()
    print(
        f"queue: {mailing.queued} of {mailing.total} personalised messages in {seconds:.2f} s "
        f"({mailing.queued / seconds:.0f}/s), batches of {batch_size}; "
        f"maxrss {maxrss_mib():.0f} MiB (before: {before:.0f} MiB)"
    )


def send(smtp_port, limit, engine):
    from mailer.engine import send_all
    from mailer.models import RESULT_SUCCESS, Message, MessageLog

    from symposium import mail_worker

    sink = subprocess.Popen([*SINK, f"127.0.0.1:{smtp_port}", "-c", "aiosmtpd.handlers.Sink"])
    try:
        time.sleep(1.5)
        if limit:  # The worker sends the whole queue: keep only `limit` in it.
            keep = list(Message.objects.order_by("pk").values_list("pk", flat=True)[:limit])
            Message.objects.exclude(pk__in=keep).delete()
        started = time.perf_counter()
        if engine == "send_all":
            send_all(Message.objects.order_by("pk"))
        else:
            mail_worker.run(once=True)
        seconds = time.perf_counter() - started
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    sent = MessageLog.objects.filter(result=RESULT_SUCCESS).count()
    print(
        f"send ({engine}): {sent} messages to the SMTP sink in {seconds:.2f} s "
        f"({sent / seconds:.0f}/s)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--send", type=int, default=0, help="send only this many (0: all)")
    parser.add_argument("--engine", choices=["worker", "send_all"], default="worker")
    args = parser.parse_args()
    smtp_port = free_port()
    setup_django(smtp_port)
    event = prepare(args.skip_build)
    queue(event, args.batch_size)
    send(smtp_port, args.send, args.engine)


if __name__ == "__main__":
    main()
