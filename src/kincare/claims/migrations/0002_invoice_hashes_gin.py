"""A GIN index on ``Claim.invoice_hashes`` on PostgreSQL: the duplicate-invoice risk check looks
up every claim sharing one of the new claim's invoice hashes (``invoice_hashes @> [h]``), which
without it scans every claim. SQLite (the embedded default) has no JSON index and skips it."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS claims_claim_invoice_hashes_gin ON claims_claim"
    " USING gin (invoice_hashes jsonb_path_ops) WITH (fastupdate = off)"
)
DROP = "DROP INDEX IF EXISTS claims_claim_invoice_hashes_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
