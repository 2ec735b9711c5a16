"""`manage.py migrate` under a lock: two runs at once (two hosts' release jobs, a retried
deploy) take turns instead of racing through the same migrations.

On PostgreSQL the run first takes a session-level advisory lock, held on the connection
that migrates until the run ends. A second run waits for it, says so, and then finds
nothing left to apply. Other databases (the SQLite demo) migrate as Django does.
"""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

# pg_advisory_lock's key: "symp-mig" read as a signed 64-bit integer.
MIGRATE_LOCK = int.from_bytes(b"symp-mig", "big", signed=True)


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " One run at a time: a second run waits for the first."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATE_LOCK])
            (locked,) = cursor.fetchone()
            if not locked:
                self.stdout.write("Another migrate is running: waiting for it to finish.")
                self.stdout.flush()
                cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
        try:
            return super().handle(*args, **options)
        finally:
            if connection.connection is not None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK])
