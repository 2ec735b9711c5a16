"""Migration steps that only make sense on PostgreSQL.

SQLite is the one-command demo database and has no exclusion constraints; there the
model `clean()` methods enforce the same rules for the admin.
"""

from django.db import migrations


def postgres_only(sql, reverse_sql):
    def run(statement):
        def operation(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(statement)

        return operation

    return migrations.RunPython(run(sql), run(reverse_sql))
