"""Database-enforced ledger rules on PostgreSQL (SQLite relies on the posting service):

- double entry: a deferred constraint trigger checks at commit that every transaction touched
  has at least two lines, that they sum to zero, and that every line and its account belong to
  the transaction's union;
- insert-only: UPDATE and DELETE on transactions, lines and evidence are refused;
- closed periods: a transaction dated in a closed month or year is refused.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION funds_check_transaction(tx_id bigint) RETURNS void AS $$
DECLARE
    total numeric;
    n integer;
    foreign_lines integer;
BEGIN
    SELECT coalesce(sum(l.amount), 0), count(l.id),
           count(*) FILTER (WHERE l.union_id <> t.union_id OR a.union_id <> t.union_id)
      INTO total, n, foreign_lines
      FROM funds_ledgertransaction t
      LEFT JOIN funds_ledgerline l ON l.transaction_id = t.id
      LEFT JOIN funds_account a ON a.id = l.account_id
     WHERE t.id = tx_id;
    IF n < 2 THEN
        RAISE EXCEPTION 'funds: transaction % has % line(s); double entry needs at least two', tx_id, n
            USING ERRCODE = '23514';
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'funds: transaction % is unbalanced: its lines sum to %', tx_id, total
            USING ERRCODE = '23514';
    END IF;
    IF foreign_lines > 0 THEN
        RAISE EXCEPTION 'funds: transaction % has lines of another union', tx_id
            USING ERRCODE = '23514';
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION funds_line_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM funds_check_transaction(NEW.transaction_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION funds_tx_balanced() RETURNS trigger AS $$
BEGIN
    PERFORM funds_check_transaction(NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER funds_line_balanced
    AFTER INSERT ON funds_ledgerline DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funds_line_balanced();

CREATE CONSTRAINT TRIGGER funds_tx_balanced
    AFTER INSERT ON funds_ledgertransaction DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION funds_tx_balanced();

CREATE OR REPLACE FUNCTION funds_insert_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'funds: % rows are insert-only (post a reversing entry instead)', TG_TABLE_NAME
        USING ERRCODE = '55000';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funds_tx_insert_only BEFORE UPDATE OR DELETE ON funds_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION funds_insert_only();
CREATE TRIGGER funds_line_insert_only BEFORE UPDATE OR DELETE ON funds_ledgerline
    FOR EACH ROW EXECUTE FUNCTION funds_insert_only();
CREATE TRIGGER funds_evidence_insert_only BEFORE UPDATE OR DELETE ON funds_evidence
    FOR EACH ROW EXECUTE FUNCTION funds_insert_only();

CREATE OR REPLACE FUNCTION funds_tx_open_period() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM funds_closedperiod c
                WHERE c.union_id = NEW.union_id
                  AND c.year = extract(year FROM NEW.date)::int
                  AND c.month IN (0, extract(month FROM NEW.date)::int)) THEN
        RAISE EXCEPTION 'funds: period of % is closed for union %', NEW.date, NEW.union_id
            USING ERRCODE = '23514';
    END IF;
    IF NEW.period <> extract(year FROM NEW.date)::int * 100 + extract(month FROM NEW.date)::int THEN
        RAISE EXCEPTION 'funds: period % does not match date %', NEW.period, NEW.date
            USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER funds_tx_open_period BEFORE INSERT ON funds_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION funds_tx_open_period();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS funds_tx_open_period ON funds_ledgertransaction;
DROP TRIGGER IF EXISTS funds_evidence_insert_only ON funds_evidence;
DROP TRIGGER IF EXISTS funds_line_insert_only ON funds_ledgerline;
DROP TRIGGER IF EXISTS funds_tx_insert_only ON funds_ledgertransaction;
DROP TRIGGER IF EXISTS funds_tx_balanced ON funds_ledgertransaction;
DROP TRIGGER IF EXISTS funds_line_balanced ON funds_ledgerline;
DROP FUNCTION IF EXISTS funds_tx_open_period();
DROP FUNCTION IF EXISTS funds_insert_only();
DROP FUNCTION IF EXISTS funds_tx_balanced();
DROP FUNCTION IF EXISTS funds_line_balanced();
DROP FUNCTION IF EXISTS funds_check_transaction(bigint);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # a plain cursor: no parameter parsing of the '%' in RAISE messages
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
