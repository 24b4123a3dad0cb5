"""PostgreSQL: ``ledger_post_v1`` posts one entry in a single round trip.

The same steps as the portable ORM path in services.py (claim the key, lock and check every
non-negative account that falls, add to one balance bucket per account in id order, insert
the postings), run inside the database so a hot account spends no time waiting on client
round trips while it holds a lock. A shortfall raises SQLSTATE KC001, a missing bucket KC002,
so the statement (or the caller's savepoint) rolls back as a whole.

The bucket is one nobody holds (SKIP LOCKED): credits into a hot account do not queue behind
each other, and a debit (which holds the account's row lock) takes a free bucket, which
removes the lock-order inversion a caller creates by crediting and later debiting the same
account inside one transaction.
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
    v_bucket_id bigint;
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
        v_bucket_id := NULL;
        IF r.buckets > 1 THEN
            -- one statement: take a bucket nobody holds, starting from a random one
            v_bucket := floor(random() * r.buckets)::integer;
            UPDATE ledger_accountbalance SET raw_balance_fen = raw_balance_fen + r.delta
             WHERE id = (SELECT b.id FROM ledger_accountbalance b
                          WHERE b.account_id = r.id
                          ORDER BY (b.bucket - v_bucket + r.buckets) % r.buckets
                          LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id INTO v_bucket_id;
            CONTINUE WHEN v_bucket_id IS NOT NULL;
        END IF;
        IF v_bucket_id IS NULL THEN
            -- every bucket is held (or there is one): wait for a random one. The number is
            -- drawn once, into a variable: random() inside WHERE would be drawn per row.
            v_bucket := CASE WHEN r.buckets > 1 THEN floor(random() * r.buckets)::integer ELSE 0 END;
            SELECT b.id INTO v_bucket_id FROM ledger_accountbalance b
             WHERE b.account_id = r.id AND b.bucket = v_bucket;
        END IF;
        IF v_bucket_id IS NULL THEN
            RAISE EXCEPTION 'ledger account % has no balance bucket', r.id USING ERRCODE = 'KC002';
        END IF;
        UPDATE ledger_accountbalance SET raw_balance_fen = raw_balance_fen + r.delta WHERE id = v_bucket_id;
    END LOOP;

    INSERT INTO ledger_posting (entry_id, account_id, amount_fen)
    SELECT v_id, u.acc, u.amt FROM unnest(p_account_ids, p_amounts) WITH ORDINALITY AS u(acc, amt, ord)
    ORDER BY u.ord;

    RETURN QUERY SELECT v_id, true, p_content_hash;
END
$$ LANGUAGE plpgsql;
"""

SIGNATURE = "(text, text, text, text, text, text, bigint, bigint, bigint, timestamptz, bigint[], bigint[])"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS ledger_post_v1{SIGNATURE};", params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forward, backward)]
