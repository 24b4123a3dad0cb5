"""PostgreSQL: ``ledger_post_v1`` posts one entry in a single round trip.

The same steps as the Python path in services.py (claim the key, lock and check every
non-negative account that falls, add to one random balance bucket per account in id order,
insert the postings), run inside the database so a hot account spends no time waiting on
client round trips while it holds its row lock. A shortfall raises SQLSTATE KC001 so the
statement (or the caller's savepoint) rolls back as a whole.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION ledger_post_v1(
    p_kind text, p_key text, p_content_hash text, p_memo text, p_subject_type text,
    p_subject_id text, p_family_id bigint, p_actor_id bigint, p_reverses_id bigint,
    p_created_at timestamptz, p_account_ids bigint[], p_amounts bigint[]
) RETURNS TABLE(entry_id bigint, created boolean, content_hash text) AS $$
DECLARE
    v_id bigint;
    v_hash text;
    r record;
    v_sign integer;
    v_balance bigint;
    v_bucket integer;
BEGIN
    INSERT INTO ledger_journalentry (kind, idempotency_key, content_hash, memo, subject_type,
        subject_id, family_id, actor_id, reverses_id, created_at)
    VALUES (p_kind, p_key, p_content_hash, p_memo, p_subject_type, p_subject_id, p_family_id,
        p_actor_id, p_reverses_id, p_created_at)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO v_id;

    IF v_id IS NULL THEN
        SELECT e.id, e.content_hash INTO v_id, v_hash FROM ledger_journalentry e WHERE e.idempotency_key = p_key;
        RETURN QUERY SELECT v_id, false, v_hash;
        RETURN;
    END IF;

    FOR r IN
        SELECT a.id, a.kind, a.allow_negative, a.buckets, n.delta
        FROM (SELECT u.acc, SUM(u.amt)::bigint AS delta
              FROM unnest(p_account_ids, p_amounts) AS u(acc, amt) GROUP BY u.acc) n
        JOIN ledger_account a ON a.id = n.acc
        ORDER BY a.id
    LOOP
        CONTINUE WHEN r.delta = 0;
        v_sign := CASE WHEN r.kind IN ('asset', 'expense') THEN 1 ELSE -1 END;
        IF NOT r.allow_negative AND v_sign * r.delta < 0 THEN
            PERFORM 1 FROM ledger_account WHERE id = r.id FOR NO KEY UPDATE;
            SELECT COALESCE(SUM(b.raw_balance_fen), 0) INTO v_balance
              FROM ledger_accountbalance b WHERE b.account_id = r.id;
            IF v_sign * (v_balance + r.delta) < 0 THEN
                RAISE EXCEPTION 'insufficient_funds:%:%', r.id, -(v_sign * (v_balance + r.delta))
                    USING ERRCODE = 'KC001';
            END IF;
        END IF;
        v_bucket := CASE WHEN r.buckets > 1 THEN floor(random() * r.buckets)::integer ELSE 0 END;
        UPDATE ledger_accountbalance SET raw_balance_fen = raw_balance_fen + r.delta
         WHERE account_id = r.id AND bucket = v_bucket;
    END LOOP;

    INSERT INTO ledger_posting (entry_id, account_id, amount_fen)
    SELECT v_id, u.acc, u.amt FROM unnest(p_account_ids, p_amounts) WITH ORDINALITY AS u(acc, amt, ord)
    ORDER BY u.ord;

    RETURN QUERY SELECT v_id, true, p_content_hash;
END
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS ledger_post_v1(text, text, text, text, text, text, bigint, bigint, bigint, "
            "timestamptz, bigint[], bigint[]);",
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forward, backward)]
