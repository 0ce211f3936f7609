"""LRS: lrs_insert_new, the PostgreSQL function that writes new statements in one round trip

Revision ID: 20261129_0005
Revises: 20261129_0004

What it does and why is in the docstring of xapi/lrs/storage.py ("One round trip"). This
revision holds its own copy of the functions: a later change to them is a new revision with
CREATE OR REPLACE FUNCTION.
"""
from alembic import op

revision = "20261129_0005"
down_revision = "20261129_0004"
branch_labels = None
depends_on = None

# The names of agents seen in statements (Communication §2.4, the Person object): a row per
# agent, its names in the order first seen. Rows that already hold every name are left alone
# (and unlocked); the others are inserted or get the missing names appended, in key order.
# PL/pgSQL, not SQL: its statement is planned once per connection.
CREATE_MERGE_AGENTS = r"""
CREATE FUNCTION lrs_merge_agents(p_keys text[], p_ifis text[], p_names text[])
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $function$
BEGIN
INSERT INTO lrs_agent AS g (key, ifi, names, updated)
SELECT e.key, e.ifi::json, e.names::json, now()
FROM unnest(p_keys, p_ifis, p_names) AS e(key, ifi, names)
WHERE NOT EXISTS (SELECT 1 FROM lrs_agent AS s WHERE s.key = e.key AND s.names::jsonb @> e.names::jsonb)
ORDER BY e.key
ON CONFLICT (key) DO UPDATE
SET names = (g.names::jsonb || coalesce(
        (SELECT jsonb_agg(n.value ORDER BY n.position)
         FROM jsonb_array_elements(excluded.names::jsonb) WITH ORDINALITY AS n(value, position)
         WHERE NOT g.names::jsonb @> jsonb_build_array(n.value)), '[]'::jsonb))::json,
    updated = excluded.updated
WHERE NOT g.names::jsonb @> excluded.names::jsonb;
END
$function$
"""

# 7302115001 is storage.REF_LOCK_KEY: the advisory lock that writes with StatementRefs take
# exclusively. The three SET clauses hold while the function runs; its statements are planned
# once per connection (PL/pgSQL keeps their plans) with index scans (storage.py explains why).
CREATE_FUNCTION = r"""
CREATE FUNCTION lrs_insert_new(
    p_statement_id text[], p_timestamp timestamptz[], p_verb_id text[], p_has_attachments boolean[],
    p_body text[], p_kind text[], p_value text[], p_position bigint[], p_client_id bigint,
    p_activities text[], p_expected_activities text[], p_agents text[], p_agent_ifis text[],
    p_agent_names text[], p_alone boolean)
RETURNS TABLE (tag text, seq bigint, key text, stored timestamptz, body text, voiding boolean,
               ref_target text, seqs bigint[], inserted bigint[], through timestamptz)
LANGUAGE plpgsql VOLATILE
SET jit = off SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
AS $function$
#variable_conflict use_column
DECLARE
    v_stored timestamptz;
    v_stored_text text;
    v_seqs bigint[];
    v_found boolean;
    v_inserted bigint[];
    v_clock timestamptz;
    v_oldest timestamptz;
BEGIN
    -- A transaction id, then the lock, then the clock: stored >= xact_start.
    PERFORM pg_current_xact_id(), pg_advisory_xact_lock_shared(7302115001);
    v_stored := clock_timestamp();
    v_seqs := ARRAY(SELECT nextval('lrs_statement_seq') FROM generate_series(1, cardinality(p_statement_id)));

    -- Is a statement stored under one of these ids, or does a stored statement refer to one?
    -- (Either sends the write the general way, which reads them itself.)
    v_found := EXISTS (SELECT 1 FROM lrs_statement AS s WHERE s.statement_id = ANY(p_statement_id))
        OR EXISTS (SELECT 1 FROM unnest(p_statement_id) AS wanted(id)
                   WHERE EXISTS (SELECT 1 FROM lrs_statement AS s
                                 WHERE s.ref_target = wanted.id AND s.ref_target IS NOT NULL));

    -- The canonical activity rows, as stored text.
    RETURN QUERY
        SELECT 'a', NULL::bigint, a.key::text, NULL::timestamptz, a.definition::text, NULL::boolean, NULL::text,
               NULL::bigint[], NULL::bigint[], NULL::timestamptz
        FROM lrs_activity AS a WHERE a.key = ANY(p_activities);

    -- Write only when nothing was found and every expected activity row is stored as expected.
    IF NOT v_found
       AND (p_expected_activities IS NULL OR NOT EXISTS (
            SELECT 1 FROM unnest(p_activities, p_expected_activities) AS e(key, definition)
            WHERE NOT EXISTS (SELECT 1 FROM lrs_activity AS a WHERE a.key = e.key
                              AND a.definition::text IS NOT DISTINCT FROM e.definition)))
    THEN
        -- The bodies come without "stored" (and without the "timestamp" the LRS fills in):
        -- both are appended as the last properties, as the general path writes them.
        v_stored_text := to_char(v_stored AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
        WITH new AS (
            INSERT INTO lrs_statement (seq, statement_id, stored, timestamp, verb_id, client_id,
                                       voided, voiding, ref_target, has_attachments, body)
            SELECT v_seqs[s.n], s.statement_id, v_stored, coalesce(s.ts, v_stored), s.verb_id, p_client_id,
                   false, false, NULL, s.has_attachments,
                   left(s.body, -1) || ',"stored":"' || v_stored_text || '"'
                   || CASE WHEN s.ts IS NULL THEN ',"timestamp":"' || v_stored_text || '"' ELSE '' END || '}'
            FROM unnest(p_statement_id, p_timestamp, p_verb_id, p_has_attachments, p_body)
                 WITH ORDINALITY AS s(statement_id, ts, verb_id, has_attachments, body, n)
            ORDER BY s.statement_id
            ON CONFLICT (statement_id) DO NOTHING
            RETURNING lrs_statement.seq)
        SELECT coalesce(array_agg(new.seq), '{}') INTO v_inserted FROM new;
        IF p_alone AND cardinality(v_inserted) < cardinality(p_statement_id) THEN
            -- A concurrent write stored one of these ids first. Alone (autocommit), this write
            -- cannot be rolled back after it returns: undo it now, the caller goes the long way.
            RAISE EXCEPTION 'a concurrent write stored one of these statement ids first'
                USING ERRCODE = 'LR409';
        END IF;
        INSERT INTO lrs_statement_index (kind, value, stored, statement_seq)
        SELECT k.kind, k.value, v_stored, v_seqs[k.position::integer]
        FROM unnest(p_kind, p_value, p_position) AS k(kind, value, position);
        PERFORM lrs_merge_agents(p_agents, p_agent_ifis, p_agent_names);
    END IF;

    -- Consistent-Through for the response: the clock before the scan of the backends' status
    -- (pg_stat_get_activity, the function under the pg_stat_activity view, without its joins).
    v_clock := clock_timestamp();
    PERFORM pg_stat_clear_snapshot();
    SELECT min(a.xact_start) INTO v_oldest FROM pg_stat_get_activity(NULL) AS a
    WHERE a.backend_xid IS NOT NULL
      AND a.datid = (SELECT oid FROM pg_database WHERE datname = current_database());
    RETURN QUERY SELECT 'i', NULL::bigint, NULL::text, v_stored, NULL::text, NULL::boolean, NULL::text,
                        v_seqs, v_inserted, least(v_clock, v_oldest);
END
$function$
"""

DROP_FUNCTIONS = (
    "DROP FUNCTION IF EXISTS lrs_insert_new(text[], timestamptz[], text[], boolean[], text[], text[], text[], "
    "bigint[], bigint, text[], text[], text[], text[], text[], boolean); "
    "DROP FUNCTION IF EXISTS lrs_merge_agents(text[], text[], text[])"
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(CREATE_MERGE_AGENTS)
        bind.exec_driver_sql(CREATE_FUNCTION)  # as is: op.execute would take ":MI" for a parameter


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.exec_driver_sql(DROP_FUNCTIONS)
