"""PostgreSQL guards: ledger rows are append-only and every entry balances at commit."""

from django.db import migrations

APPEND_ONLY_TABLES = ["ledger_journalentry", "ledger_posting", "ledger_publicchainlink"]

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION 'ledger rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
    END $$ LANGUAGE plpgsql;
    """,
    *[
        f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
        f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();"
        for t in APPEND_ONLY_TABLES
    ],
    """
    CREATE OR REPLACE FUNCTION ledger_entry_balanced() RETURNS trigger AS $$
    DECLARE total bigint; n integer;
    BEGIN
      SELECT COALESCE(SUM(amount_fen), 0), COUNT(*) INTO total, n
        FROM ledger_posting WHERE entry_id = NEW.entry_id;
      IF total <> 0 OR n < 2 THEN
        RAISE EXCEPTION 'journal entry % is unbalanced (sum %, % postings)', NEW.entry_id, total, n
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN NULL;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_posting_balanced AFTER INSERT ON ledger_posting
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced();
    """,
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_posting_balanced ON ledger_posting;",
    "DROP FUNCTION IF EXISTS ledger_entry_balanced();",
    *[f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in APPEND_ONLY_TABLES],
    "DROP FUNCTION IF EXISTS ledger_refuse_change();",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
