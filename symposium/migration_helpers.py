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


# Names sort by `symposium_name_key(name) COLLATE symposium_names` (symposium.models.NameCollate).
# With ICU, the collation is ICU's root order with punctuation ignored and the key is the
# name itself (an inlined `SELECT $1`: no cost). PostgreSQL built without ICU (the
# embedded test server, scripts/embedded_pg.py) cannot make a collation that ignores case,
# so there the key does it: lower case, Latin accents and stroke letters to their base
# letter, spaces and punctuation dropped; then code-point order. "Łukasz" still sits with
# L, "O'Brien" with O and "de Souza" with D; names differing only in accents tie (the
# first name, then the row, decide).
NAME_COLLATION = "symposium_names"
NAME_KEY = "symposium_name_key"
ICU_COLLATION = f"CREATE COLLATION {NAME_COLLATION} (provider = icu, locale = 'und-u-ka-shifted')"
_ACCENTED = (
    "àáâãäåāăąçćĉčďđèéêëēĕėęěĝğġģĥìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżžșț"
)
_PLAIN = "aaaaaaaaaccccddeeeeeeeeegggghiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzzst"
# Upper case too: lower() of a copy of "C" (PostgreSQL before 17) changes ASCII only.
_UPPER = [
    (c.upper(), p)
    for c, p in zip(_ACCENTED, _PLAIN, strict=True)
    if len(c.upper()) == 1 and not c.upper().isascii()
]
_FROM = _ACCENTED + "".join(c for c, _ in _UPPER)
_TO = _PLAIN + "".join(p for _, p in _UPPER)
FALLBACK_KEY = (
    "translate(lower(regexp_replace($1, '[[:space:][:punct:]’‘]', '', 'g') "
    f"COLLATE {NAME_COLLATION}), '{_FROM}', '{_TO}')"
)


def _key_function(body):
    return (
        f"CREATE OR REPLACE FUNCTION {NAME_KEY}(name text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {body} $$"
    )


def install_name_sorting(cursor):
    """Creates the name collation (ICU where the server has it, else code-point order)
    and the key function that goes with it; True where ICU sorts. Runs inside a
    transaction (a savepoint catches "ICU is not supported in this build")."""
    cursor.execute("SELECT collprovider FROM pg_collation WHERE collname = %s", [NAME_COLLATION])
    row = cursor.fetchone()
    if row is not None:
        icu = row[0] == "i"
    else:
        cursor.execute("SAVEPOINT name_collation")
        try:
            cursor.execute(ICU_COLLATION)
            icu = True
        except Exception:  # psycopg's FeatureNotSupported, wrapped by Django or not.
            cursor.execute("ROLLBACK TO SAVEPOINT name_collation")
            cursor.execute("SELECT 1 FROM pg_collation WHERE collname = 'pg_c_utf8'")
            source = "pg_c_utf8" if cursor.fetchone() else '"C"'  # PostgreSQL 17+ has it.
            cursor.execute(f"CREATE COLLATION {NAME_COLLATION} FROM {source}")
            icu = False
        cursor.execute("RELEASE SAVEPOINT name_collation")
    cursor.execute(_key_function("$1" if icu else FALLBACK_KEY))
    return icu


def name_sorting(reverse=True):
    """The migration step: `install_name_sorting` on PostgreSQL; undone, it drops both
    (`reverse=False`: a later migration that only adds the function keeps them)."""

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                install_name_sorting(cursor)

    def backward(apps, schema_editor):
        if reverse and schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {NAME_KEY}(text)")
            schema_editor.execute(f"DROP COLLATION IF EXISTS {NAME_COLLATION}")

    return migrations.RunPython(forward, backward)
