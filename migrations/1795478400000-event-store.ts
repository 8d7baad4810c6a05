/**
 * The PostgreSQL event store (docs/eventstore.md). Append-only: a trigger refuses UPDATE, DELETE and
 * TRUNCATE on `event_records`, so a record, once committed, is durable and unchanged for every reader.
 *
 * `event_store_append` does a whole append in one call (one round trip, one transaction): it takes a
 * per-stream advisory lock, checks the expected revision against the stream's last record, splices `prev`
 * and `revision` into the canonical text the client built (see record-builder.ts), hashes it with SHA-256 and
 * inserts. (`p_notify` exists for callers that want NOTIFY in the same transaction; the adapter passes false
 * and notifies after commit, because NOTIFY inside a writing transaction serialises all commits.) Readers of the global feed order by (transaction_id, global_position) and only see rows whose
 * transaction is older than every transaction still running (`pg_snapshot_xmin`), so a record can never
 * appear behind a checkpoint a reader has already passed.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EventStore1795478400000 implements MigrationInterface {
  name = 'EventStore1795478400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
CREATE TABLE event_records (
  global_position bigserial PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream text NOT NULL,
  revision bigint NOT NULL CHECK (revision >= 0),
  event_id uuid NOT NULL,
  type text NOT NULL,
  record text NOT NULL,
  hash char(64) NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  recorded_at timestamptz NOT NULL,
  province text NOT NULL,
  CONSTRAINT event_records_event_id_key UNIQUE (event_id),
  CONSTRAINT event_records_stream_revision_key UNIQUE (stream, revision)
);
CREATE INDEX event_records_feed_idx ON event_records (transaction_id, global_position);

CREATE FUNCTION event_records_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'event_records is append-only: % refused', TG_OP USING ERRCODE = 'TEC01';
END
$fn$;
CREATE TRIGGER event_records_append_only BEFORE UPDATE OR DELETE ON event_records
  FOR EACH ROW EXECUTE FUNCTION event_records_refuse_change();
CREATE TRIGGER event_records_no_truncate BEFORE TRUNCATE ON event_records
  FOR EACH STATEMENT EXECUTE FUNCTION event_records_refuse_change();

CREATE FUNCTION event_store_append(
  p_stream text,
  p_expected_kind text,
  p_expected_revision bigint,
  p_event_ids uuid[],
  p_types text[],
  p_heads text[],
  p_tails text[],
  p_recorded_at timestamptz[],
  p_provinces text[],
  p_notify boolean
) RETURNS TABLE (
  o_outcome text,
  o_event_id uuid,
  o_stream text,
  o_revision bigint,
  o_record text,
  o_hash text,
  o_transaction_id text,
  o_global_position bigint
) LANGUAGE plpgsql AS $fn$
DECLARE
  v_head bigint;
  v_prev text;
  v_record text;
  v_hash text;
  i integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('event_records:' || p_stream, 0));
  IF EXISTS (SELECT 1 FROM event_records e WHERE e.event_id = ANY (p_event_ids)) THEN
    RETURN QUERY
      SELECT 'existing'::text, e.event_id, e.stream, e.revision, e.record, e.hash::text, e.transaction_id::text, e.global_position
      FROM event_records e WHERE e.event_id = ANY (p_event_ids) ORDER BY e.global_position;
    RETURN;
  END IF;
  SELECT e.revision, e.hash INTO v_head, v_prev
    FROM event_records e WHERE e.stream = p_stream ORDER BY e.revision DESC LIMIT 1;
  IF NOT FOUND THEN
    v_head := -1;
    v_prev := repeat('0', 64);
  END IF;
  IF (p_expected_kind = 'no_stream' AND v_head <> -1)
     OR (p_expected_kind = 'stream_exists' AND v_head = -1)
     OR (p_expected_kind = 'exact' AND v_head <> p_expected_revision) THEN
    RETURN QUERY SELECT 'wrong_expected_revision'::text, NULL::uuid, p_stream, v_head, NULL::text, NULL::text, NULL::text, NULL::bigint;
    RETURN;
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_event_ids, 1), 0) LOOP
    v_record := p_heads[i] || v_prev || '","revision":' || (v_head + i)::text || p_tails[i];
    v_hash := encode(sha256(convert_to(v_record, 'UTF8')), 'hex');
    RETURN QUERY
      INSERT INTO event_records AS e (stream, revision, event_id, type, record, hash, recorded_at, province)
      VALUES (p_stream, v_head + i, p_event_ids[i], p_types[i], v_record, v_hash, p_recorded_at[i], p_provinces[i])
      RETURNING 'appended'::text, e.event_id, e.stream, e.revision, e.record, e.hash::text, e.transaction_id::text, e.global_position;
    v_prev := v_hash;
  END LOOP;
  IF p_notify THEN
    PERFORM pg_notify('event_records', '');
  END IF;
END
$fn$;
`);
  }

  async down(): Promise<void> {
    throw new Error('The event store schema is never dropped: records are kept forever');
  }
}
